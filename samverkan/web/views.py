from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import get_template
from django.utils.translation import gettext as _

from samverkan.cases import selectors as case_selectors
from samverkan.policy import access
from samverkan.policy.views import policy_required
from samverkan.web.errors import json_error


@policy_required("dashboard.view")
def dashboard(request):
    actor = request.membership
    unread = []
    if access.can(actor, "notification.view"):
        unread = list(case_selectors.notification_list(actor).filter(read_at__isnull=True)[:5])
    return render(request, "web/dashboard.html", {"unread": unread})


# The same codes as the REST framework's own errors, so a client sees one code per meaning.
_API_ERROR_CODES = {
    400: "bad_request",
    403: "permission_denied",
    404: "not_found",
    500: "server_error",
}


def error_page(request, status: int, title: str, message: str):
    if request.path_info.startswith("/api/"):
        return json_error(_API_ERROR_CODES[status], message, status)
    return render(request, "web/error.html", {"title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    return error_page(request, 400, _("Bad request"), _("The request could not be understood."))


def permission_denied(request, exception=None):
    return error_page(request, 403, _("Not allowed"), _("You cannot do this."))


def page_not_found(request, exception=None):
    return error_page(request, 404, _("Not found"), _("There is nothing here."))


def server_error(request):
    title = _("Something went wrong")
    message = _("The error has been logged. Nothing was saved from this request.")
    if request.path_info.startswith("/api/"):
        return error_page(request, 500, title, message)
    # Rendered without the request's context: whatever failed (the database,
    # a context processor) must not fail the error page too.
    html = get_template("web/500.html").render({"title": title, "message": message})
    return HttpResponseServerError(html)
