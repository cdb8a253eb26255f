"""Sessions: server-side, short-lived, visible to their owner, and cut off as
soon as a person or membership is deactivated (S2, S3, S4, S7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.test import Client

from samverkan.accounts import services
from samverkan.accounts.models import Membership, Role, User
from samverkan.accounts.tests.auth_helpers import (
    clean_cache,  # noqa: F401  (fixture)
    login_with_mfa,
)
from samverkan.audit.models import AuditEntry

pytestmark = pytest.mark.usefixtures("clean_cache")

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BACK_TO_LOGIN = "/accounts/login/?next=/"


def session_key(client) -> str:
    return client.cookies["sessionid"].value


# --- S3: idle and absolute lifetime --------------------------------------------


def test_a_session_ends_after_thirty_idle_minutes(world, client):
    with time_machine.travel(START, tick=False) as traveller:
        login_with_mfa(client, world.alice.user)
        for _ in range(3):  # activity keeps the session alive
            traveller.shift(timedelta(minutes=29))
            assert client.get("/").status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get("/")
        assert (response.status_code, response["Location"]) == (302, BACK_TO_LOGIN)
        assert client.get("/api/v1/me/").status_code == 401


def test_a_session_ends_after_twelve_hours_however_active(world):
    web, api = Client(), Client()
    with time_machine.travel(START, tick=False) as traveller:
        login_with_mfa(web, world.alice.user)
        traveller.shift(timedelta(seconds=30))  # a fresh TOTP code
        login_with_mfa(api, world.alice.user)
        for _ in range(35):  # a request every 20 minutes up to 11 h 40 min
            traveller.shift(timedelta(minutes=20))
            assert web.get("/").status_code == 200
            assert api.get("/api/v1/me/").status_code == 200
        keys = session_key(web), session_key(api)
        traveller.shift(timedelta(minutes=21))  # 12 h 1 min after logging in
        response = web.get("/")
        assert (response.status_code, response["Location"]) == (302, "/accounts/login/")
        response = api.get("/api/v1/me/")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
        assert web.get("/")["Location"] == BACK_TO_LOGIN
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert AuditEntry.objects.filter(action="auth.logout").count() == 2


# --- S2: logging out ends the session on the server ----------------------------


def test_logging_out_kills_the_session_on_the_server(world, client):
    alice = world.alice.user
    with time_machine.travel(START, tick=False):
        login_with_mfa(client, alice)
        old_key = session_key(client)
        response = client.post("/accounts/logout/")
        assert (response.status_code, response["Location"]) == (302, "/accounts/login/")

        replay = Client()
        replay.cookies["sessionid"] = old_key
        response = replay.get("/")
        assert (response.status_code, response["Location"]) == (302, BACK_TO_LOGIN)
        assert replay.get("/api/v1/me/").status_code == 401
    assert not Session.objects.filter(session_key=old_key).exists()
    (entry,) = AuditEntry.objects.filter(action="auth.logout")
    assert entry.actor_user_id == alice.pk


# --- S7: people see their sessions and end the others --------------------------


def test_people_list_their_sessions_and_end_the_others(world):
    alice = world.alice.user
    laptop = Client(REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT="Laptop browser")
    phone = Client(REMOTE_ADDR="198.51.100.20", HTTP_USER_AGENT="Phone browser")
    bob = Client()
    with time_machine.travel(START, tick=False) as traveller:
        login_with_mfa(laptop, alice)
        traveller.shift(timedelta(seconds=30))
        login_with_mfa(phone, alice)
        login_with_mfa(bob, world.bob.user)

        page = laptop.get("/accounts/sessions/")
        assert page.status_code == 200
        html = page.content.decode()
        for shown in ["192.0.2.10", "Laptop browser", "198.51.100.20", "Phone browser"]:
            assert shown in html
        assert "Sign Out Other Sessions" in html
        assert "127.0.0.1" not in html  # Bob's session is his own business

        response = laptop.post("/accounts/sessions/")
        assert (response.status_code, response["Location"]) == (302, "/accounts/sessions/")
        response = phone.get("/")
        assert (response.status_code, response["Location"]) == (302, BACK_TO_LOGIN)
        assert laptop.get("/").status_code == 200
        assert bob.get("/").status_code == 200
        html = laptop.get("/accounts/sessions/").content.decode()
    assert "Phone browser" not in html
    assert UserSession.objects.filter(user=alice).count() == 1
    assert not Session.objects.filter(session_key=session_key(phone)).exists()


# --- S4: deactivation and role changes act on the next request ----------------


def test_a_deactivated_person_is_logged_out_on_the_next_request(world, client):
    alice = world.alice.user
    _token, secret = services.api_token_create(actor=world.alice, name="script")
    with time_machine.travel(START, tick=False):
        login_with_mfa(client, alice)
        assert client.get("/").status_code == 200
        User.objects.filter(pk=alice.pk).update(is_active=False)
        response = client.get("/")
        assert (response.status_code, response["Location"]) == (302, BACK_TO_LOGIN)
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}")
    assert response.status_code == 401


def test_a_deactivated_membership_stops_working_on_the_next_request(world, client, login):
    cecilia = world.cecilia
    _token, secret = services.api_token_create(actor=cecilia, name="script")
    token_headers = {"HTTP_AUTHORIZATION": f"Token {secret}"}
    admin = Client()
    with time_machine.travel(START, tick=False):
        login(client, cecilia)
        login(admin, world.olle)
        assert client.get("/").status_code == 200
        assert Client().get("/api/v1/me/", **token_headers).status_code == 200
        # Olle, her organisation admin, unticks "active".
        response = admin.post(f"/members/{cecilia.uuid}/", {"role": Role.CASE_MANAGER})
        assert response.status_code == 302
        cecilia.refresh_from_db()
        assert cecilia.is_active is False

        response = client.get("/")
        assert (response.status_code, response["Location"]) == (302, "/organisation/choose/")
        choose = client.get("/organisation/choose/").content.decode()
        assert "NGO SE" not in choose
        assert Client().get("/api/v1/me/", **token_headers).status_code == 401


def test_a_role_change_applies_on_the_next_request(world, client, login):
    with time_machine.travel(START, tick=False):
        login(client, world.olle)
        assert client.get("/organisations/").status_code == 200
        Membership.objects.filter(pk=world.olle.pk).update(role=Role.CASE_MANAGER)
        assert client.get("/organisations/").status_code == 404
        assert client.get("/").status_code == 200
