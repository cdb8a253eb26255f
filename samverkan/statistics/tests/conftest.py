"""The statistics world: a rapporteur in Sweden and the cases and anonymous
notifications of three Swedish agencies, made through the real services."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import make_membership, make_user
from samverkan.accounts.models import Membership, Organisation, Role
from samverkan.cases import services as case_services
from samverkan.cases.models import AgeGroup, Case, ExploitationForm, Sex
from samverkan.cases.tests import factories


@pytest.fixture(autouse=True)
def fixed_linkage_secret(settings):
    """script/test draws a new secret every run; linkage figures asserted here
    must not depend on which one."""
    settings.LINKAGE_SECRET = base64.b64encode(
        b"statistics-tests-linkage-secret-0123456789"
    ).decode()


@dataclass
class StatisticsWorld:
    rapporteur: Membership
    rapporteur_fi: Membership
    police: Membership
    ngo: Membership
    shelter: Membership
    start: date
    end: date


def notify(actor, day, *, sex=Sex.FEMALE, age_group=AgeGroup.ADULT_25_34, citizenship="RO",
           forms=(ExploitationForm.SEXUAL,)):  # fmt: skip
    return case_services.record_anonymous_notification(
        actor=actor,
        notified_on=day,
        municipality="Malmö",
        sex=sex,
        age_group=age_group,
        citizenship=citizenship,
        exploitation_forms=list(forms),
        indicators=[],
    )


@pytest.fixture
def statistics_world(world) -> StatisticsWorld:
    Kind = Organisation.Kind
    office = Organisation.objects.create(name="Rapporteur SE", kind=Kind.RAPPORTEUR, country="SE")
    office_fi = Organisation.objects.create(
        name="Rapporteur FI", kind=Kind.RAPPORTEUR, country="FI"
    )
    shelter = factories.organisation(Kind.SHELTER)
    today = timezone.localdate()
    return StatisticsWorld(
        rapporteur=make_membership(
            make_user("rasmus@test.example", "Rasmus"), office, Role.RAPPORTEUR
        ),
        rapporteur_fi=make_membership(
            make_user("raili@test.example", "Raili"), office_fi, Role.RAPPORTEUR
        ),
        police=factories.member(world.police, Role.FRONTLINE),
        ngo=world.cecilia,
        shelter=factories.member(shelter, Role.CASE_MANAGER),
        start=today - timedelta(days=20),
        end=today,
    )


GIVEN_NAMES = ["Bronius", "Dainius", "Egidijus", "Mindaugas", "Rasa", "Vilma", "Jurgita"]
# Canaries too: the identity test looks for them everywhere the rapporteur goes.
FAMILY_NAMES = [
    f"Canary{name}"
    for name in ("kazlauskas", "petrauskas", "jankauskas", "butkus", "zukaite", "simkute", "paulas")
]


def police_identity(n: int):
    return factories.identity(
        given_names=GIVEN_NAMES[n],
        family_name=FAMILY_NAMES[n],
        date_of_birth=date(1980 + 3 * n, 1 + n, 10 + n),
        citizenships=["LT"],
    )


@pytest.fixture
def registrations(statistics_world):
    """Twenty registrations in the last three weeks, nineteen persons:

    - the police open 7 cases (Lithuanians, 4 men, labour exploitation);
    - the NGO opens 5: one for the man of police case 1, ten days before
      the police met him (so the NGO registered him first); one for the man
      of police case 0, kept from law enforcement (so never matched with
      police records, and counted twice); three Swedish women;
    - the shelter makes 8 anonymous notifications without identity.
    """
    w = statistics_world
    today = timezone.localdate()
    for n in range(7):
        factories.open_case(
            w.police,
            detected_on=today - timedelta(days=n),
            sex=Sex.MALE if n < 4 else Sex.FEMALE,
            identity=police_identity(n),
            exploitation_forms=[ExploitationForm.LABOUR],
        )
    kept = factories.open_case(
        w.ngo, detected_on=today, sex=Sex.MALE, identity=police_identity(0),
        exploitation_forms=[ExploitationForm.SEXUAL],
    )  # fmt: skip
    case_services.set_confidential_from_law_enforcement(actor=w.ngo, case=kept, confidential=True)
    factories.open_case(
        w.ngo, detected_on=today - timedelta(days=11), sex=Sex.MALE, identity=police_identity(1),
        exploitation_forms=[ExploitationForm.SEXUAL],
    )  # fmt: skip
    for n, given in enumerate(["Sanna", "Elin", "Maja"]):
        factories.open_case(
            w.ngo,
            detected_on=today - timedelta(days=n),
            identity=factories.identity(
                given_names=given, date_of_birth=date(1995 + n, 3, 3), citizenships=["SE"]
            ),
            exploitation_forms=[ExploitationForm.SEXUAL],
        )
    for n in range(8):
        notify(w.shelter, today - timedelta(days=n))
    return list(Case.objects.order_by("id"))


@pytest.fixture
def build(django_capture_on_commit_callbacks, run_tasks):
    """Request a build as a page would, and let the real worker run it."""
    from samverkan.statistics.models import StatisticsRun
    from samverkan.statistics.services import statistics_run_request

    def run(w, **overrides):
        values = {
            "actor": w.rapporteur,
            "period_start": w.start,
            "period_end": w.end,
            "minimum_cell": 1,
            "match_threshold": 0.5,
        }
        values.update(overrides)
        with django_capture_on_commit_callbacks(execute=True):
            requested = statistics_run_request(**values)
        assert requested.status == StatisticsRun.Status.QUEUED
        run_tasks()
        requested.refresh_from_db()
        return requested

    return run


@pytest.fixture
def published(statistics_world, registrations, build):
    """A published build of the world's registrations, small counts suppressed (minimum 5)."""
    return build(statistics_world, minimum_cell=5)
