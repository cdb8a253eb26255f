"""Demo mode: a fictional region a newcomer can log in to without an authenticator app.

Only ever active with SAMVERKAN_DEMO on, which production settings refuse.
"""

from __future__ import annotations

from allauth.account.internal.stagekit import get_pending_stage
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings

from samverkan.accounts.adapters import MfaAdapter

# Shown on the login page in demo mode only; never a real account's password.
DEMO_PASSWORD = "demo-samverkan-2026"  # noqa: S105  (public by design, demo mode only)


def current_totp_code(user) -> str | None:
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return None
    secret = MfaAdapter().decrypt(authenticator.data["secret"])
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def pending_demo_code(request) -> str | None:
    """The current TOTP code of the demo user half-way through logging in."""
    if not settings.DEMO_MODE:
        return None
    stage = get_pending_stage(request)
    user = stage.login.user if stage is not None else None
    if user is None or not user.is_demo:
        return None
    return current_totp_code(user)
