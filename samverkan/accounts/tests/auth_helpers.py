"""Shared steps for the authentication tests: logging in through allauth's
real two-step flow, and running on-commit work inside the request."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse

from conftest import PASSWORD, totp_code

LOGIN_URL = "/accounts/login/"
MFA_URL = "/accounts/2fa/authenticate/"
LOCKED_MESSAGE = "Too many failed login attempts. Try again later."


def post_password(client, email: str, password: str = PASSWORD, **extra):
    """The first login step: e-mail address and password."""
    return client.post(LOGIN_URL, {"login": email, "password": password}, **extra)


def login_with_mfa(client, user, *, password: str = PASSWORD, **extra):
    """Log ``user`` in with password and current TOTP code; both steps must succeed."""
    response = post_password(client, user.email, password, **extra)
    assert response.status_code == 302
    assert response["Location"] == MFA_URL
    response = client.post(MFA_URL, {"code": totp_code(user)}, **extra)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    return response


def reauthenticate(client, password: str = PASSWORD):
    """allauth asks for the password again before security changes."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302
    return response


class RunOnCommitInRequest:
    """Test-only middleware: on-commit work (allauth's MFA notifications and
    audit signals) runs at the end of the request, as it does in production,
    instead of waiting for the test's wrapping transaction that never commits."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return self.get_response(request)


@pytest.fixture
def clean_cache(db):
    """Rate-limit history and used TOTP codes live in the DB cache table."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def on_commit_in_request(settings):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "samverkan.accounts.tests.auth_helpers.RunOnCommitInRequest",
    ]
