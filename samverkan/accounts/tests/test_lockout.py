"""Failed logins lock an account for a while (A2), and are audited (L1)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from conftest import PASSWORD, totp_code
from samverkan.accounts.tests.auth_helpers import (
    LOCKED_MESSAGE,
    MFA_URL,
    clean_cache,  # noqa: F401  (fixture)
    post_password,
)
from samverkan.audit.models import AuditEntry

pytestmark = pytest.mark.usefixtures("clean_cache")

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WRONG = "CANARY-typed-password-7f3a"  # a canary: must never be stored anywhere
WRONG_FORM_ERROR = "The email address and/or password you specified are not correct."


def fail(client, email, address, times=1):
    for _ in range(times):
        response = post_password(client, email, WRONG, REMOTE_ADDR=address)
        assert response.status_code == 200
        assert WRONG_FORM_ERROR in response.content.decode()


def entries(action, user=None):
    qs = AuditEntry.objects.filter(action=action)
    if user is not None:
        qs = qs.filter(actor_user_id=user.pk)
    return qs


def test_five_failures_lock_the_account_at_that_address_with_429(world, client):
    alice = world.alice.user
    with time_machine.travel(START, tick=False):
        fail(client, alice.email, "10.0.0.1", times=5)
        response = post_password(client, alice.email, PASSWORD, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_lifts_by_itself_after_fifteen_minutes(world, client):
    alice = world.alice.user
    with time_machine.travel(START, tick=False) as traveller:
        fail(client, alice.email, "10.0.0.1", times=5)
        traveller.shift(timedelta(minutes=14))
        assert post_password(client, alice.email, REMOTE_ADDR="10.0.0.1").status_code == 429
        traveller.shift(timedelta(minutes=2))
        response = post_password(client, alice.email, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 302
        assert response["Location"] == MFA_URL
        response = client.post(MFA_URL, {"code": totp_code(alice)}, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 302
        assert response["Location"] == "/"
        assert client.get("/").status_code == 200


def test_failures_from_one_address_do_not_lock_the_account_elsewhere(world, client):
    alice = world.alice.user
    with time_machine.travel(START, tick=False):
        fail(client, alice.email, "10.0.0.1", times=5)
        assert post_password(client, alice.email, REMOTE_ADDR="10.0.0.1").status_code == 429
        # Elsewhere, a mistyped password is an ordinary mistake, not a lockout...
        fail(Client(), alice.email, "192.0.2.7")
        # ...and the right one works.
        response = post_password(Client(), alice.email, REMOTE_ADDR="192.0.2.7")
        assert response.status_code == 302
        assert response["Location"] == MFA_URL
        # Another person at the locked-out address is not affected either.
        response = post_password(Client(), world.bob.user.email, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 302


def test_twenty_failures_per_hour_from_rotating_addresses_lock_the_account(world, settings):
    assert settings.LOGIN_FAILURES_PER_ACCOUNT == "20/h/key"
    alice = world.alice.user
    with time_machine.travel(START, tick=False) as traveller:
        # 19 failures spread over ten addresses, none of which reaches 5.
        for n in range(19):
            fail(Client(), alice.email, f"10.0.1.{n // 2}")
            traveller.shift(timedelta(seconds=30))
        response = post_password(Client(), alice.email, REMOTE_ADDR="10.0.2.1")
        assert response.status_code == 302  # 19 failures: not locked yet
        fail(Client(), alice.email, "10.0.1.10")  # the 20th
        response = post_password(Client(), alice.email, REMOTE_ADDR="10.0.2.2")
        assert response.status_code == 429
        assert LOCKED_MESSAGE in response.content.decode()
        # An hour after the first failures, the oldest ones no longer count.
        traveller.shift(timedelta(minutes=51))
        response = post_password(Client(), alice.email, REMOTE_ADDR="10.0.2.3")
        assert response.status_code == 302
        assert response["Location"] == MFA_URL
    assert entries("auth.login_failed", alice).count() == 20
    assert entries("auth.locked_out", alice).count() == 1


def test_failed_logins_and_the_lockout_are_audited_without_what_was_typed(world, client):
    alice = world.alice.user
    typed_unknown = "canary-nobody-7f3a@test.example"
    with time_machine.travel(START, tick=False):
        fail(client, alice.email, "10.0.0.1", times=5)
        assert post_password(client, alice.email, REMOTE_ADDR="10.0.0.1").status_code == 429
        assert post_password(client, alice.email, REMOTE_ADDR="10.0.0.1").status_code == 429
        fail(Client(), typed_unknown, "10.0.0.9")

    failed = entries("auth.login_failed").order_by("sequence")
    assert [(e.actor_user_id, e.object_id, e.client_address) for e in failed] == [
        *[(alice.pk, str(alice.uuid), "10.0.0.1")] * 5,
        (None, "", "10.0.0.9"),
    ]
    locked = entries("auth.locked_out").order_by("sequence")
    assert [(e.actor_user_id, e.client_address) for e in locked] == [(alice.pk, "10.0.0.1")] * 2
    assert not entries("auth.login").exists()
    # Nothing typed ends up in the log: not the password, not an unknown address.
    for row in AuditEntry.objects.values():
        stored = repr(row)
        assert WRONG not in stored
        assert typed_unknown not in stored
        assert row["reason"] == ""


def test_a_failed_second_factor_is_audited_and_five_lock_it(world, client):
    alice = world.alice.user
    with time_machine.travel(START, tick=False):
        response = post_password(client, alice.email, REMOTE_ADDR="10.0.0.1")
        assert response["Location"] == MFA_URL
        right = totp_code(alice)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        for _ in range(5):
            response = client.post(MFA_URL, {"code": wrong}, REMOTE_ADDR="10.0.0.1")
            assert response.status_code == 200
            assert "Incorrect code." in response.content.decode()
        response = client.post(MFA_URL, {"code": right}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 200
    assert LOCKED_MESSAGE in response.content.decode()
    assert "_auth_user_id" not in client.session
    failed = entries("auth.mfa_failed", alice)
    assert failed.count() == 5
    assert {(e.reason, e.client_address) for e in failed} == {("totp", "10.0.0.1")}
    assert not entries("auth.login").exists()
