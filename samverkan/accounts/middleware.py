"""Per-request rules about the logged-in person: session lifetime, the
membership they act as, and the mandatory second factor."""

import time

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from samverkan.accounts.models import Membership
from samverkan.policy import access
from samverkan.web.errors import json_error

AUTHENTICATED_AT = "samverkan_authenticated_at"
MEMBERSHIP = "samverkan_membership"

# What a person without a second factor may still reach: enrolment and leaving.
# allauth asks for the password again before an authenticator is added, so the
# reauthentication page is part of enrolment.
MFA_ENROLMENT_URL_NAMES = frozenset(
    {
        "account_logout",
        "account_reauthenticate",
        "mfa_index",
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_add_webauthn",
        "set_language",
    }
)


def _url_name(request) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after login whatever the activity (idle expiry is the cookie's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(AUTHENTICATED_AT)
            if started is None or time.time() - started > settings.SESSION_ABSOLUTE_LIFETIME:
                logout(request)
                if _is_api(request):
                    return json_error(
                        "not_authenticated",
                        _("Your session has ended."),
                        401,
                        headers={"WWW-Authenticate": "Token"},
                    )
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


def mark_authenticated(request) -> None:
    request.session[AUTHENTICATED_AT] = time.time()


def active_membership(request) -> Membership | None:
    """The membership the person chose to act as, if it is still active."""
    if not request.user.is_authenticated:
        return None
    memberships = (
        Membership.objects.active().filter(user=request.user).select_related("organisation", "user")
    )
    chosen = request.session.get(MEMBERSHIP)
    if chosen:
        return memberships.filter(uuid=chosen).first()
    only = list(memberships[:2])
    if len(only) == 1:
        request.session[MEMBERSHIP] = str(only[0].uuid)
        return only[0]
    return None


class MembershipMiddleware:
    """Looks the membership up on every request, so a removal takes effect at once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not hasattr(request, "membership"):
            request.membership = active_membership(request)
        return self.get_response(request)


class MfaRequiredMiddleware:
    """A person without a second factor reaches nothing but enrolment and logout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            access.mfa_required(user)
            and not is_mfa_enabled(user)
            and _url_name(request) not in MFA_ENROLMENT_URL_NAMES
        ):
            if _is_api(request):
                return json_error(
                    "mfa_required", _("Set up two-factor authentication before using the API."), 403
                )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
