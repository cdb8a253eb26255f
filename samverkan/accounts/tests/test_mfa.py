"""The second factor: mandatory for everyone (A1), not replayable (A4), stored
encrypted (A5), not removable, and every change to it is mailed (A8)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.account.forms import default_token_generator as allauth_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.core.cache import caches
from django.core.cache.backends import locmem
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from conftest import PASSWORD, make_membership, totp_code
from samverkan import crypto
from samverkan.accounts import services
from samverkan.accounts.adapters import MFA_SECRET_CONTEXT, MfaAdapter
from samverkan.accounts.middleware import MFA_ENROLMENT_URL_NAMES
from samverkan.accounts.models import ApiToken, Role, hash_secret
from samverkan.accounts.tests.auth_helpers import (
    MFA_URL,
    clean_cache,  # noqa: F401  (fixture)
    login_with_mfa,
    on_commit_in_request,  # noqa: F401  (fixture)
    post_password,
    reauthenticate,
)
from samverkan.audit.models import AuditEntry

pytestmark = pytest.mark.usefixtures("clean_cache", "on_commit_in_request")

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACTIVATE_URL = "/accounts/2fa/totp/activate/"
RECOVERY_CODES_URL = "/accounts/2fa/recovery-codes/"

# What a password-only session may reach. Changing this list is a security
# decision: the product's list must match it exactly.
ENROLMENT_ALLOW_LIST = {
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


@pytest.fixture
def zed(world):
    """Zed, an organisation admin who has not set up a second factor."""
    make_membership(world.zed, world.ngo, Role.ORGANISATION_ADMIN)
    return world.zed


def code_for(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def login_password_only(client, user):
    response = post_password(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == "/"  # no authenticator yet: no second step
    return response


def enrol(client, user) -> tuple[str, list[str]]:
    """Set up TOTP through allauth's pages; returns the secret and the recovery codes."""
    response = client.get(ACTIVATE_URL)
    # allauth asks for the password again first, and comes back afterwards.
    reauth_url = f"/accounts/reauthenticate/?next={ACTIVATE_URL.replace('/', '%2F')}"
    assert (response.status_code, response["Location"]) == (302, reauth_url)
    assert client.get(reauth_url).status_code == 200
    response = client.post(reauth_url, {"password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, ACTIVATE_URL)
    response = client.get(ACTIVATE_URL)
    assert response.status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(ACTIVATE_URL, {"code": code_for(secret)})
    assert (response.status_code, response["Location"]) == (302, RECOVERY_CODES_URL)
    return secret, recovery_codes(client)


def recovery_codes(client) -> list[str]:
    page = client.get(RECOVERY_CODES_URL).content.decode()
    (codes,) = re.findall(r'id="recovery_codes"\s*>([^<]*)</textarea>', page)
    return codes.split()


# --- A1: without a second factor, nothing but enrolment -------------------


def url_patterns(patterns=None, params=()):
    """Every URL pattern with the names of the arguments it takes."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, (*params, *arguments_of(pattern)))
        else:
            assert isinstance(pattern, URLPattern)
            yield pattern.name, (*params, *arguments_of(pattern))


def arguments_of(pattern) -> tuple[str, ...]:
    if isinstance(pattern.pattern, RoutePattern):
        return tuple(pattern.pattern.converters)
    return tuple(pattern.pattern.regex.groupindex)


def test_a_password_only_session_is_sent_to_enrolment_from_every_page(world, zed):
    client = Client()
    with time_machine.travel(START, tick=False):
        login_password_only(client, zed)
        # Real objects for every URL argument, each one Zed could act on
        # (as an organisation admin) if the second factor were not enforced.
        invitation, invitation_token = services.invitation_send(
            actor=world.olle, organisation=world.ngo, email=zed.email, role=Role.CASE_MANAGER
        )
        zed_membership = zed.memberships.get()
        api_token = ApiToken.objects.create(
            membership=zed_membership, name="script", key_hash=hash_secret("zed-secret")
        )
        samples = {
            "organisation_uuid": world.ngo.uuid,
            "invitation_uuid": invitation.uuid,
            "membership_uuid": world.cecilia.uuid,
            "token": invitation_token,
            "token_uuid": api_token.uuid,
            "pk": 1,
            # Case pages come before any case: the second factor is asked first.
            "case_uuid": uuid.uuid4(),
            "participation_uuid": uuid.uuid4(),
            "consent_uuid": uuid.uuid4(),
            # A printable checklist: no personal data, still behind the second factor.
            "catalogue_id": "ilo-ec-delphi",
            "version": "2009.1",
            "set_id": "adults_labour",
            "language": "sv",
            # Referrals, teams, the directory and mapping.
            "referral_uuid": uuid.uuid4(),
            "action": "accept",
            "service_uuid": uuid.uuid4(),
            "team_uuid": uuid.uuid4(),
            "share_uuid": uuid.uuid4(),
            "consultation_uuid": uuid.uuid4(),
            "mapping_uuid": uuid.uuid4(),
            "country": "SE",
            # Network pages, likewise.
            **dict.fromkeys(
                [
                    "network_uuid",
                    "place_uuid",
                    "contact_uuid",
                    "survey_uuid",
                    "file_uuid",
                    "plan_uuid",
                    "framework_uuid",
                    "document_uuid",
                    "activity_uuid",
                    "practice_uuid",
                    "measure_uuid",
                ],
                uuid.uuid4(),
            ),
            "question_name": "q1",
            # The rapporteur's statistics.
            "run_uuid": uuid.uuid4(),
            "export_format": "csv",
            "uidb36": user_pk_to_url_str(zed),
            "key": allauth_token_generator.make_token(zed),
        }
        assert MFA_ENROLMENT_URL_NAMES == ENROLMENT_ALLOW_LIST

        paths = set()
        for name, params in url_patterns():
            assert name, f"an unnamed URL pattern with arguments {params}"
            if name not in ENROLMENT_ALLOW_LIST:
                paths.add(reverse(name, kwargs={p: samples[p] for p in params}))
        assert {"/", "/audit/", "/api/v1/me/", "/accounts/sessions/"} <= paths
        assert len(paths) >= 37

        leaks = []
        for path in sorted(paths):
            for method in ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]:
                response = client.generic(method, path)
                if path.startswith("/api/"):
                    ok = response.status_code == 403 and (
                        method == "HEAD" or response.json()["error"]["code"] == "mfa_required"
                    )
                else:
                    ok = response.status_code == 302 and response["Location"] == ACTIVATE_URL
                if not ok:
                    leaks.append((method, path, response.status_code))
        assert leaks == []

        # Enrolment itself and static assets stay reachable; nothing changed meanwhile.
        assert client.get("/accounts/2fa/").status_code == 200
        assert client.get("/static/samverkan/site.css").status_code == 200
        invitation.refresh_from_db()
        api_token.refresh_from_db()
        assert (invitation.accepted_at, api_token.revoked_at) == (None, None)
        assert not Authenticator.objects.filter(user=zed).exists()
        assert client.session["_auth_user_id"] == str(zed.pk)


def test_the_api_refuses_a_password_only_session_with_a_clear_error(zed, client):
    with time_machine.travel(START, tick=False):
        login_password_only(client, zed)
        response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "mfa_required"
    assert response.json()["error"]["message"] == (
        "Set up two-factor authentication before using the API."
    )


def test_enrolling_opens_the_platform(zed, client):
    with time_machine.travel(START, tick=False):
        login_password_only(client, zed)
        assert client.get("/")["Location"] == ACTIVATE_URL
        enrol(client, zed)
        assert client.get("/").status_code == 200
        assert client.get("/api/v1/me/").json()["email"] == zed.email


def test_an_api_token_stops_working_when_its_owner_has_no_second_factor(world, client):
    _token, secret = services.api_token_create(actor=world.alice, name="script")
    headers = {"HTTP_AUTHORIZATION": f"Token {secret}"}
    response = client.get("/api/v1/me/", **headers)
    assert response.status_code == 200
    assert response.json()["email"] == "alice@test.example"

    Authenticator.objects.filter(user=world.alice.user).delete()
    response = client.get("/api/v1/me/", **headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


# --- A4: a TOTP code works once --------------------------------------------


def test_a_totp_code_cannot_be_used_for_a_second_login(world, client):
    alice = world.alice.user
    with time_machine.travel(START, tick=False) as traveller:
        code = totp_code(alice)
        login_with_mfa(client, alice)
        client.post("/accounts/logout/")
        assert post_password(client, alice.email)["Location"] == MFA_URL
        response = client.post(MFA_URL, {"code": code})
        assert response.status_code == 200
        assert "Incorrect code." in response.content.decode()
        assert "_auth_user_id" not in client.session
        # The next code, half a minute later, is accepted.
        traveller.shift(timedelta(seconds=30))
        response = client.post(MFA_URL, {"code": totp_code(alice)})
        assert (response.status_code, response["Location"]) == (302, "/")


def forget_process_state():
    """What a second worker process would not share with this one."""
    del caches["default"]
    locmem._caches.clear()
    locmem._expire_info.clear()
    locmem._locks.clear()


def test_a_used_totp_code_stays_used_for_another_process(world):
    alice = world.alice.user
    with time_machine.travel(START, tick=False):
        code = totp_code(alice)
        authenticator = Authenticator.objects.get(user=alice, type=Authenticator.Type.TOTP)
        assert authenticator.wrap().validate_code(code) is True
        forget_process_state()
        again = Authenticator.objects.get(pk=authenticator.pk)
        assert again.wrap().validate_code(code) is False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM samverkan_cache WHERE cache_key LIKE %s",
            [f"%allauth.mfa.totp.used?user={alice.pk}&code={code}"],
        )
        assert cursor.fetchone() == (1,)


# --- A5: secrets at rest ----------------------------------------------------


def test_mfa_secrets_are_stored_encrypted(zed, client, settings):
    with time_machine.travel(START, tick=False):
        login_password_only(client, zed)
        secret, codes = enrol(client, zed)
    assert len(codes) == 10
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, data FROM mfa_authenticator WHERE user_id = %s ORDER BY type", [zed.pk]
        )
        rows = cursor.fetchall()
    assert [kind for kind, _data in rows] == ["recovery_codes", "totp"]
    raw = " ".join(str(data) for _kind, data in rows)
    assert secret not in raw
    assert secret.rstrip("=").lower() not in raw.lower()
    for code in codes:
        assert code not in raw

    stored = Authenticator.objects.get(user=zed, type=Authenticator.Type.TOTP).data["secret"]
    assert MfaAdapter().decrypt(stored) == secret
    other_ring = f"k1:{crypto.generate_key()}"
    with pytest.raises(crypto.DecryptionError):
        crypto.KeyRing.parse(other_ring).decrypt(stored, context=MFA_SECRET_CONTEXT)
    settings.FIELD_ENCRYPTION_KEYS = other_ring
    with pytest.raises(crypto.DecryptionError):
        MfaAdapter().decrypt(stored)


# --- MFA is mandatory: the last factor stays ------------------------------


def test_the_last_authenticator_app_cannot_be_removed(world, client):
    alice = world.alice.user
    with time_machine.travel(START, tick=False):
        login_with_mfa(client, alice)
        reauthenticate(client)
        response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 200
    assert "You cannot deactivate two-factor authentication." in response.content.decode()
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).count() == 1
    assert not AuditEntry.objects.filter(action="mfa.removed").exists()
    assert mail.outbox == []


def test_the_authenticator_app_can_go_when_a_security_key_remains(world, client):
    alice = world.alice.user
    Authenticator.objects.create(
        user=alice, type=Authenticator.Type.WEBAUTHN, data={"name": "Key", "credential": {}}
    )
    with time_machine.travel(START, tick=False):
        login_with_mfa(client, alice)
        reauthenticate(client)
        response = client.post("/accounts/2fa/totp/deactivate/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/2fa/")
    assert not Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()
    removed = AuditEntry.objects.get(action="mfa.removed")
    assert (removed.actor_user_id, removed.reason) == (alice.pk, "totp")
    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert "Authenticator App Deactivated" in message.subject


# --- A8: every change to the second factor is mailed, without secrets --------


def test_setting_up_an_authenticator_app_is_mailed_and_audited(zed, client):
    with time_machine.travel(START, tick=False):
        login_password_only(client, zed)
        secret, codes = enrol(client, zed)
    (message,) = mail.outbox
    assert message.to == [zed.email]
    assert "Authenticator App Activated" in message.subject
    for value in [secret, code_for(secret), *codes, PASSWORD]:
        assert value not in message.body
        assert value not in message.subject
    added = AuditEntry.objects.filter(action="mfa.added", actor_user_id=zed.pk)
    assert "totp" in {entry.reason for entry in added}


def test_new_recovery_codes_are_mailed_without_the_codes(world, client):
    alice = world.alice.user
    with time_machine.travel(START, tick=False):
        login_with_mfa(client, alice)
        reauthenticate(client)
        response = client.post("/accounts/2fa/recovery-codes/generate/")
        assert (response.status_code, response["Location"]) == (302, RECOVERY_CODES_URL)
        codes = recovery_codes(client)
    assert len(codes) == 10
    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert "New Recovery Codes Generated" in message.subject
    for code in codes:
        assert code not in message.body
    reset = AuditEntry.objects.get(action="mfa.reset")
    assert (reset.actor_user_id, reset.reason) == (alice.pk, "recovery_codes")
