"""Authentication events enter the audit log from day one.

These come from Django's and allauth's signals because the login flow is
theirs; everything Samverkan itself changes is audited in its services.
"""

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.signals import (
    authentication_failed,
    authenticator_added,
    authenticator_removed,
    authenticator_reset,
)
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from samverkan.audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(action="auth.login", user=user, target=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action="auth.logout", user=user, target=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # The typed identifier is not stored: it may be a mistyped password.
    login = credentials.get("email") or credentials.get("username") or ""
    user = get_user_model().objects.filter(email__iexact=login).first() if login else None
    audit_record(action="auth.login_failed", user=user, target=user)


@receiver(password_changed)
def _password_changed(sender, request, user, **kwargs):
    audit_record(action="auth.password_changed", user=user, target=user)


@receiver(password_reset)
def _password_reset(sender, request, user, **kwargs):
    audit_record(action="auth.password_reset", user=user, target=user)


@receiver(authentication_failed)
def _mfa_failed(sender, request, user, authenticator, reauthentication=False, **kwargs):
    # A wrong second-factor code, at login or when confirming a sensitive change.
    audit_record(
        action="auth.mfa_failed",
        user=user,
        target=user,
        reason=authenticator.type,
        flags=["reauthentication"] if reauthentication else [],
    )


def _authenticator_event(action):
    def handler(sender, request, user, authenticator, **kwargs):
        audit_record(
            action=action,
            user=user,
            object_type="mfa.authenticator",
            object_id=str(authenticator.pk),
            reason=authenticator.type,
        )

    return handler


authenticator_added.connect(_authenticator_event("mfa.added"), weak=False)
authenticator_removed.connect(_authenticator_event("mfa.removed"), weak=False)
authenticator_reset.connect(_authenticator_event("mfa.reset"), weak=False)
