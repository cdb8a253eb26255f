"""The test world: named people in several organisations and two countries.

Alice (police, SE), Bob (Alice's colleague), Cecilia (NGO case manager, SE),
Karl (coordinator), Olle (organisation admin of the NGO), Agnes (auditor of
the NGO), Per (platform admin), Nora (NGO in FI) and Zed, who has no
membership at all. Everyone but Zed has a TOTP authenticator.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management import call_command

from samverkan.accounts.demo import current_totp_code
from samverkan.accounts.middleware import MEMBERSHIP
from samverkan.accounts.models import Membership, Organisation, Role, User

# The browser tests' fixtures (Chromium, the live database, tabs).
pytest_plugins = ["samverkan.web.tests.browser"]

PASSWORD = "a long enough test passphrase"


def make_user(email: str, full_name: str, *, mfa: bool = True) -> User:
    user = User.objects.create_user(email, PASSWORD, full_name=full_name)
    if mfa:
        TOTP.activate(user, generate_totp_secret())
    return user


def make_membership(user: User, organisation: Organisation, role: str) -> Membership:
    return Membership.objects.create(user=user, organisation=organisation, role=role)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is slow by design; tests about hashing itself put it back."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    police: Organisation
    ngo: Organisation
    coordination: Organisation
    ngo_fi: Organisation
    alice: Membership
    bob: Membership
    cecilia: Membership
    karl: Membership
    olle: Membership
    agnes: Membership
    per: Membership
    nora: Membership
    zed: User


@pytest.fixture
def world(db) -> World:
    Kind = Organisation.Kind
    police = Organisation.objects.create(name="Police SE", kind=Kind.POLICE, country="SE")
    ngo = Organisation.objects.create(name="NGO SE", kind=Kind.NGO, country="SE")
    coordination = Organisation.objects.create(
        name="Coordination SE", kind=Kind.COORDINATION_AGENCY, country="SE"
    )
    ngo_fi = Organisation.objects.create(name="NGO FI", kind=Kind.NGO, country="FI")
    return World(
        police=police,
        ngo=ngo,
        coordination=coordination,
        ngo_fi=ngo_fi,
        alice=make_membership(make_user("alice@test.example", "Alice"), police, Role.FRONTLINE),
        bob=make_membership(make_user("bob@test.example", "Bob"), police, Role.FRONTLINE),
        cecilia=make_membership(
            make_user("cecilia@test.example", "Cecilia"), ngo, Role.CASE_MANAGER
        ),
        karl=make_membership(
            make_user("karl@test.example", "Karl"), coordination, Role.COORDINATOR
        ),
        olle=make_membership(make_user("olle@test.example", "Olle"), ngo, Role.ORGANISATION_ADMIN),
        agnes=make_membership(make_user("agnes@test.example", "Agnes"), ngo, Role.AUDITOR),
        per=make_membership(
            make_user("per@test.example", "Per"), coordination, Role.PLATFORM_ADMIN
        ),
        nora=make_membership(
            make_user("nora@test.example", "Nora"), ngo_fi, Role.ORGANISATION_ADMIN
        ),
        zed=make_user("zed@test.example", "Zed", mfa=False),
    )


def login_as(client, membership: Membership):
    """Log in with a completed second factor, acting as ``membership``."""
    client.force_login(membership.user)
    session = client.session
    session[MEMBERSHIP] = str(membership.uuid)
    session.save()
    return client


@pytest.fixture
def login():
    return login_as


def totp_code(user: User) -> str:
    return current_totp_code(user)


@pytest.fixture
def run_tasks(monkeypatch):
    """Run the queued background tasks with the real database worker.

    The worker drops "obsolete" connections between tasks; inside a test's
    transaction that would be the test's own connection, so it keeps it here.
    """
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    return run
