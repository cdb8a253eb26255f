"""The statistics world: a rapporteur in Sweden and the cases and anonymous
notifications of three Swedish agencies, made through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import make_membership, make_user
from samverkan.accounts.models import Membership, Organisation, Role
from samverkan.cases import services as case_services
from samverkan.cases.models import AgeGroup, ExploitationForm, Sex
from samverkan.cases.tests import factories


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


@pytest.fixture
def registrations(statistics_world):
    """Twelve cases (police 7, NGO 5, one of them kept from law enforcement) and
    eight anonymous notifications of the shelter, all in the last three weeks."""
    w = statistics_world
    today = timezone.localdate()
    for n in range(7):
        factories.open_case(
            w.police,
            detected_on=today - timedelta(days=n),
            sex=Sex.MALE if n < 4 else Sex.FEMALE,
            identity=factories.identity(citizenships=["LT"]),
            exploitation_forms=[ExploitationForm.LABOUR],
        )
    ngo_cases = [
        factories.open_case(
            w.ngo,
            detected_on=today - timedelta(days=n),
            identity=factories.identity(citizenships=["SE"]),
            exploitation_forms=[ExploitationForm.SEXUAL],
        )
        for n in range(5)
    ]
    case_services.set_confidential_from_law_enforcement(
        actor=w.ngo, case=ngo_cases[0], confidential=True
    )
    for n in range(8):
        notify(w.shelter, today - timedelta(days=n))
    return ngo_cases


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
