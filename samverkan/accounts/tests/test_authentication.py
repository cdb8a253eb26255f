"""Logging in, passwords and password resets: what a person notices (S1, A3,
A6, A7, A8) and what the logs show (L1, L6)."""

from __future__ import annotations

import io
import json
import logging
import re
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from conftest import PASSWORD, totp_code
from samverkan import settings as samverkan_settings
from samverkan.accounts.models import User
from samverkan.accounts.tests.auth_helpers import (
    MFA_URL,
    clean_cache,  # noqa: F401  (fixture)
    login_with_mfa,
    post_password,
)
from samverkan.audit.models import AuditEntry
from samverkan.web.logging import JsonFormatter

pytestmark = pytest.mark.usefixtures("clean_cache")

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHANGE_URL = "/accounts/password/change/"
RESET_URL = "/accounts/password/reset/"
NEW_PASSWORD = "a brand new passphrase for spring"


def strip_csrf(body: bytes | str) -> str:
    if isinstance(body, bytes):
        body = body.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", body)


# --- Logging in ---------------------------------------------------------------


def test_login_with_password_and_code_reaches_the_dashboard_with_a_new_session(world, client):
    alice = world.alice.user
    with time_machine.travel(START, tick=False):
        # A session from before the login, e.g. one an attacker planted.
        planted = client.session
        planted["probe"] = "planted"
        planted.save()
        before = planted.session_key
        assert client.cookies["sessionid"].value == before

        response = post_password(client, alice.email)
        assert (response.status_code, response["Location"]) == (302, MFA_URL)
        halfway = client.cookies["sessionid"].value
        assert not AuditEntry.objects.filter(action="auth.login").exists()

        response = client.post(MFA_URL, {"code": totp_code(alice)})
        assert (response.status_code, response["Location"]) == (302, "/")
        after = client.cookies["sessionid"].value
        dashboard = client.get("/")

    assert dashboard.status_code == 200
    assert "Police SE" in dashboard.content.decode()
    assert after not in {before, halfway}
    assert not Session.objects.filter(session_key__in=[before, halfway]).exists()
    assert Session.objects.get(session_key=after).get_decoded()["_auth_user_id"] == str(alice.pk)
    (entry,) = AuditEntry.objects.filter(action="auth.login")
    assert (entry.actor_user_id, entry.client_address) == (alice.pk, "127.0.0.1")


def test_the_password_step_alone_does_not_log_in(world, client):
    with time_machine.travel(START, tick=False):
        post_password(client, world.alice.user.email)
        response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/")
    assert "_auth_user_id" not in client.session


def test_the_login_form_answers_the_same_for_unknown_addresses(world):
    """A7: a wrong password for an existing and for a non-existing account look alike."""

    def answer(email, address):
        response = post_password(Client(), email, "not the password at all", REMOTE_ADDR=address)
        return response.status_code, strip_csrf(response.content).replace(email, "EMAIL")

    with time_machine.travel(START, tick=False):
        known = answer(world.alice.user.email, "10.0.3.1")
        unknown = answer("nobody.here@test.example", "10.0.3.2")
    assert known == unknown
    assert known[0] == 200


# --- A3: passwords ------------------------------------------------------------


def change_password(client, new: str, old: str = PASSWORD):
    return client.post(CHANGE_URL, {"oldpassword": old, "password1": new, "password2": new})


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kx9#vLq2mZp", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
    ],
)
def test_short_and_common_passwords_are_refused(world, client, password, message):
    alice = world.alice.user
    with time_machine.travel(START, tick=False):
        login_with_mfa(client, alice)
        response = change_password(client, password)
    assert response.status_code == 200
    assert message in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert mail.outbox == []


def test_twelve_characters_without_composition_rules_are_enough():
    validate_password("kx9#vLq2mZp4")  # 12 characters
    validate_password("plum orchard")  # lower case letters and a space
    with pytest.raises(ValidationError) as error:
        validate_password("kx9#vLq2mZp")
    assert [e.code for e in error.value.error_list] == ["password_too_short"]


def long_password(length: int) -> str:
    # Spaces at both ends and a decomposed "é" (e + combining accent): nothing
    # may be stripped, truncated or normalised.
    phrase = "Cafe\u0301: zwölf Boxkämpfer jagen Viktor quer über den Sylter Deich. "
    core = (phrase * 3)[: length - 2]
    password = f" {core} "
    assert len(password) == length
    return password


@pytest.mark.parametrize("length", [64, 128])
def test_long_passwords_are_accepted_exactly_as_typed(world, client, length):
    alice = world.alice.user
    password = long_password(length)
    with time_machine.travel(START, tick=False) as traveller:
        login_with_mfa(client, alice)
        response = change_password(client, password)
        assert (response.status_code, response["Location"]) == (302, CHANGE_URL)
        alice.refresh_from_db()
        assert alice.check_password(password)
        assert not alice.check_password(password.strip())
        assert not alice.check_password(unicodedata.normalize("NFC", password))
        assert not alice.check_password(password[:-1])
        client.post("/accounts/logout/")
        traveller.shift(timedelta(seconds=30))  # a fresh TOTP code
        login_with_mfa(Client(), alice, password=password)


def test_passwords_are_stored_with_argon2id(world, client, settings):
    # The test world hashes with MD5 for speed; put the real hashers back,
    # keeping MD5 last only so that the world's passwords still verify.
    assert samverkan_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )
    settings.PASSWORD_HASHERS = [
        *samverkan_settings.PASSWORD_HASHERS,
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    alice = world.alice.user
    assert alice.password.startswith("md5$")
    with time_machine.travel(START, tick=False):
        # An older hash is replaced at the next login...
        login_with_mfa(client, alice)
        alice.refresh_from_db()
        assert alice.password.startswith("argon2$argon2id$")
        # ...and a new password is hashed with Argon2id from the start.
        response = change_password(client, NEW_PASSWORD)
        assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.password.startswith("argon2$argon2id$")
    assert alice.check_password(NEW_PASSWORD)
    assert NEW_PASSWORD not in alice.password


def test_a_password_change_is_mailed_without_the_password(world, client):
    alice = world.alice.user
    with time_machine.travel(START, tick=False):
        login_with_mfa(client, alice)
        response = change_password(client, NEW_PASSWORD)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert "Password Changed" in message.subject
    assert "Your password has been changed." in message.body
    for secret in [NEW_PASSWORD, PASSWORD]:
        assert secret not in message.body
    assert AuditEntry.objects.filter(
        action="auth.password_changed", actor_user_id=alice.pk
    ).exists()


# --- A6 / A7: password reset --------------------------------------------------


def request_reset(client, email: str):
    response = client.post(RESET_URL, {"email": email})
    assert (response.status_code, response["Location"]) == (302, "/accounts/password/reset/done/")
    return response


def reset_link(message) -> str:
    (path,) = re.findall(r"http://testserver(/accounts/password/reset/key/\S+/)", message.body)
    return path


def set_password_url(link: str) -> str:
    """allauth moves the key out of the address into the session."""
    uidb36 = link.removeprefix("/accounts/password/reset/key/").split("-")[0]
    return f"/accounts/password/reset/key/{uidb36}-set-password/"


def test_djangos_reset_tokens_expire_after_one_hour(world, settings):
    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    alice = world.alice.user
    with time_machine.travel(START, tick=False) as traveller:
        token = default_token_generator.make_token(alice)
        traveller.shift(timedelta(seconds=3600))
        assert default_token_generator.check_token(alice, token)
        traveller.shift(timedelta(seconds=1))
        assert not default_token_generator.check_token(alice, token)


def test_a_reset_link_cannot_be_used_after_an_hour(world, client):
    alice = world.alice.user
    with time_machine.travel(START, tick=False) as traveller:
        request_reset(client, alice.email)
        link = reset_link(mail.outbox[0])
        traveller.shift(timedelta(minutes=59))
        response = client.get(link)
        assert (response.status_code, response["Location"]) == (302, set_password_url(link))
        traveller.shift(timedelta(minutes=2))
        response = client.post(
            set_password_url(link), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
    assert response.status_code == 200
    assert "Bad Token" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_a_reset_keeps_the_second_factor_is_single_use_and_is_mailed(world, client):
    alice = world.alice.user
    with time_machine.travel(START, tick=False) as traveller:
        request_reset(client, alice.email)
        link = reset_link(mail.outbox[0])
        assert client.get(link)["Location"] == set_password_url(link)
        response = client.post(
            set_password_url(link), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
        assert (response.status_code, response["Location"]) == (
            302,
            "/accounts/password/reset/key/done/",
        )
        # The link worked once.
        response = Client().get(link)
        assert response.status_code == 200
        assert "Bad Token" in response.content.decode()
        # The new password still needs the second factor.
        assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()
        response = post_password(Client(), alice.email, NEW_PASSWORD)
        assert (response.status_code, response["Location"]) == (302, MFA_URL)
        traveller.shift(timedelta(seconds=30))
        login_with_mfa(Client(), alice, password=NEW_PASSWORD)

    link_mail, notice = mail.outbox
    assert notice.to == [alice.email]
    assert notice.subject.endswith("Password Reset")
    assert "Your password has been reset." in notice.body
    assert NEW_PASSWORD not in notice.body
    assert NEW_PASSWORD not in link_mail.body
    assert AuditEntry.objects.filter(action="auth.password_reset", actor_user_id=alice.pk).exists()


def test_the_reset_request_answers_the_same_for_unknown_addresses(world):
    def answer(email):
        client = Client()
        response = client.post(RESET_URL, {"email": email})
        page = client.get(response["Location"])
        return (
            response.status_code,
            response["Location"],
            response.content,
            page.status_code,
            strip_csrf(page.content),
        )

    with time_machine.travel(START, tick=False):
        known = answer(world.alice.user.email)
        unknown = answer("nobody.here@test.example")
    assert known == unknown
    assert known[:3] == (302, "/accounts/password/reset/done/", b"")


# --- L6: log lines cannot be forged -------------------------------------------


@pytest.fixture
def json_log():
    """The configured JSON handler, writing into a buffer, with everything logged."""
    root = logging.getLogger()
    (handler,) = [h for h in root.handlers if isinstance(h.formatter, JsonFormatter)]
    buffer = io.StringIO()
    records: list[logging.LogRecord] = []

    def remember(record):
        records.append(record)
        return True

    # Swapped without setStream(), which flushes the old stream: a test that ran a
    # command in-process may have left the handler on a capture file pytest closed.
    old_stream, handler.stream = handler.stream, buffer
    handler.addFilter(remember)
    sql = logging.getLogger("django.db.backends")
    old_levels = root.level, sql.level
    old_debug_cursor = connection.force_debug_cursor
    root.setLevel(logging.DEBUG)
    sql.setLevel(logging.DEBUG)  # SQL statements with their parameters
    connection.force_debug_cursor = True
    try:
        yield buffer, records
    finally:
        connection.force_debug_cursor = old_debug_cursor
        root.setLevel(old_levels[0])
        sql.setLevel(old_levels[1])
        handler.removeFilter(remember)
        handler.stream = old_stream


def test_a_forged_line_break_in_a_login_stays_inside_one_json_line(world, client, json_log):
    buffer, records = json_log
    typed = "alice@test.example\n[FAKE] level=INFO user=per action=auth.login\r\x1b[2K\u2028"
    response = post_password(client, typed, "wrong\n[FAKE] password")
    assert response.status_code == 200
    # Whatever logs the typed value (a library, a debug statement) goes
    # through the same handler.
    logging.getLogger("samverkan.accounts").warning("Login attempt for %s", typed)

    output = buffer.getvalue()
    lines = output.split("\n")
    assert lines.pop() == ""
    assert len(records) >= 2
    assert len(lines) == len(records)
    for line in lines:
        entry = json.loads(line)
        assert set(entry) >= {"time", "level", "logger", "message", "request_id"}
        assert not line.startswith("[FAKE]")
    assert not any(c in output for c in "\r\x1b\u2028")
    assert json.loads(lines[-1])["message"] == f"Login attempt for {typed}"


def test_nobody_can_sign_up_without_an_invitation(world, client):
    before = User.objects.count()
    response = client.post(
        "/accounts/signup/", {"email": "new.person@test.example", "password1": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert "Sign Up Closed" in response.content.decode()
    assert User.objects.count() == before
    assert not User.objects.filter(email="new.person@test.example").exists()
