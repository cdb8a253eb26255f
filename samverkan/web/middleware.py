import logging

from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class NoStoreMiddleware:
    """Pages and API answers may carry personal data: no browser or proxy keeps a copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Cache-Control"] = "no-store, private"
        return response


class SealedValueErrorMiddleware:
    """A sealed value that fails its integrity check (tampered, misplaced, or its
    key gone) is never shown, and never silently skipped: the request ends with a
    plain explanation, and operators get an error log line without the value."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from samverkan.crypto import DecryptionError
        from samverkan.web.views import error_page

        if not isinstance(exception, DecryptionError):
            return None
        logger.error("a sealed value failed its integrity check", extra={"path": request.path})
        return error_page(
            request,
            500,
            _("A protected value could not be read"),
            _(
                "A protected value failed its integrity check, so it is not shown. "
                "The administrators have been alerted; nothing was changed."
            ),
        )
