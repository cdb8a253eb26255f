"""allauth adapters: no open signup, a two-tier lockout, encrypted MFA secrets."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError

from samverkan import crypto
from samverkan.audit.services import audit_record

MFA_SECRET_CONTEXT = "allauth.mfa.authenticator"  # noqa: S105  (an AAD label, not a secret)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # People join Samverkan only through an organisation's invitation.
        return False

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # The "key" tier counts failures per (address, account), so that an
        # attacker elsewhere cannot lock a colleague out for 15 minutes.
        login = credentials.get("email", credentials.get("username", "")).lower()
        return f"{ratelimit.get_ip(request)}:{login}"

    def pre_authenticate(self, request, **credentials) -> None:
        login = credentials.get("email", credentials.get("username", "")).lower()
        # A slower tier per account whatever the address, against rotating addresses.
        per_account = ratelimit.consume(
            request,
            app="allauth.account",
            action="login_failed_per_account",
            config={"login_failed_per_account": settings.LOGIN_FAILURES_PER_ACCOUNT},
            key=login,
            dry_run=True,
        )
        if not per_account:
            self._record_lockout(login)
            raise self.validation_error("too_many_login_attempts")
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            self._record_lockout(login)
            raise

    def authentication_failed(self, request, **credentials) -> None:
        login = credentials.get("email", credentials.get("username", "")).lower()
        ratelimit.consume(
            request,
            app="allauth.account",
            action="login_failed_per_account",
            config={"login_failed_per_account": settings.LOGIN_FAILURES_PER_ACCOUNT},
            key=login,
        )

    def _record_lockout(self, login: str) -> None:
        from samverkan.accounts.models import User

        user = User.objects.filter(email__iexact=login).first() if login else None
        audit_record(action="auth.locked_out", user=user, target=user)


class MfaAdapter(DefaultMFAAdapter):
    """TOTP seeds and recovery-code seeds are stored encrypted with the field key ring."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text, context=MFA_SECRET_CONTEXT)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text, context=MFA_SECRET_CONTEXT)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # MFA is mandatory: the last TOTP or security key cannot be removed.
        second_factors = Authenticator.objects.filter(
            user_id=authenticator.user_id,
            type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN],
        ).exclude(pk=authenticator.pk)
        return authenticator.type == Authenticator.Type.RECOVERY_CODES or second_factors.exists()
