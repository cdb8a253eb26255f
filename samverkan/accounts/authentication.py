"""API token authentication.

Kept apart from the API views: DRF imports it while loading its settings.
"""

from datetime import timedelta

from allauth.mfa.utils import is_mfa_enabled
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from samverkan.accounts.models import ApiToken, Membership, hash_secret

LAST_USED_PRECISION = timedelta(minutes=1)


class MembershipTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <secret>``: acts as the membership that made the token."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed token header."))
        try:
            secret = header[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(_("Malformed token header.")) from error
        token = (
            ApiToken.objects.select_related("membership__user", "membership__organisation")
            .filter(
                key_hash=hash_secret(secret),
                revoked_at__isnull=True,
                membership__in=Membership.objects.active(),
            )
            .first()
        )
        if token is None or not is_mfa_enabled(token.membership.user):
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        membership = token.membership
        now = timezone.now()
        # "Last used" to the minute: a write on every request would cost a
        # commit (and a WAL flush) per API call.
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        request._request.membership = membership
        return membership.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class MembershipTokenScheme(OpenApiAuthenticationExtension):
    target_class = "samverkan.accounts.authentication.MembershipTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Send "Token <secret>"; create tokens on the API tokens page.',
        }
