"""Accepts racing for the last free place on PostgreSQL: never overbooked.

One shelter, several referrals of different cases, all accepted at the same
moment by its workers, in threads with their own connections.
Exactly as many win as there were free places; the others are told there is
no place left, and leave no participation behind.
"""

import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from samverkan.accounts.models import Organisation, Role
from samverkan.audit.verification import chain_verify
from samverkan.cases import services as case_services
from samverkan.cases.models import Participation, Purpose
from samverkan.cases.tests import factories as case_factories
from samverkan.cases.tests.test_concurrency import race, refusals_only
from samverkan.directory import services as directory_services
from samverkan.directory.models import Service
from samverkan.referrals import services
from samverkan.referrals.models import Referral
from samverkan.referrals.tests.factories import refer, shelter_service

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 5
RACERS = 3


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writers; the race is PostgreSQL's")


def test_concurrent_accepts_of_the_last_free_place_do_not_overbook():
    ngo = case_factories.organisation(Organisation.Kind.NGO)
    lead = case_factories.member(ngo)
    shelter = case_factories.organisation(Organisation.Kind.SHELTER)
    workers = [case_factories.member(shelter, Role.SERVICE_PROVIDER) for _ in range(RACERS)]
    service = shelter_service(workers[0], capacity=RACERS)
    for _round in range(ROUNDS):
        directory_services.service_set_free_places(actor=workers[0], service=service, free_places=1)
        referrals = []
        for _racer in range(RACERS):
            case = case_factories.open_case(lead)
            basis = case_factories.consent(
                lead, case, kinds=[Organisation.Kind.SHELTER], purposes=[Purpose.ASSISTANCE]
            )
            referrals.append(refer(lead, case, basis, service=service))
        outcomes = race(
            *[
                lambda worker=worker, referral=referral: services.referral_accept(
                    actor=worker, referral=referral
                )
                for worker, referral in zip(workers, referrals, strict=True)
            ]
        )
        winners = [outcome for outcome in outcomes if outcome is None]
        losers = [outcome for outcome in outcomes if outcome is not None]
        assert len(winners) == 1
        assert all(
            isinstance(loser, ValidationError) and "no free place" in str(loser) for loser in losers
        )
        assert Service.objects.get(pk=service.pk).free_places == 0
        accepted = Referral.objects.filter(pk__in=[r.pk for r in referrals], status="accepted")
        assert accepted.count() == 1
        assert Participation.objects.filter(case__in=[r.case_id for r in referrals]).count() == 1
    assert chain_verify().ok


def test_two_accepts_of_one_referral_make_one_participation():
    lead = case_factories.member(case_factories.organisation(Organisation.Kind.NGO))
    shelter = case_factories.organisation(Organisation.Kind.SHELTER)
    worker_a = case_factories.member(shelter, Role.SERVICE_PROVIDER)
    worker_b = case_factories.member(shelter, Role.CASE_MANAGER)
    service = shelter_service(worker_a, capacity=10)
    for _round in range(ROUNDS):
        case = case_factories.open_case(lead)
        basis = case_factories.consent(
            lead, case, kinds=[Organisation.Kind.SHELTER], purposes=[Purpose.ASSISTANCE]
        )
        referral = refer(lead, case, basis, service=service)
        outcomes = race(
            lambda referral=referral: services.referral_accept(actor=worker_a, referral=referral),
            lambda referral=referral: services.referral_accept(actor=worker_b, referral=referral),
        )
        assert sorted(type(outcome).__name__ for outcome in outcomes) == [
            "NoneType",
            "ValidationError",
        ]
        assert Participation.objects.filter(case=case).count() == 1
    assert Service.objects.get(pk=service.pk).free_places == 10 - ROUNDS


def test_accepting_while_the_provider_changes_its_free_places_never_deadlocks():
    lead = case_factories.member(case_factories.organisation(Organisation.Kind.NGO))
    shelter = case_factories.organisation(Organisation.Kind.SHELTER)
    worker = case_factories.member(shelter, Role.SERVICE_PROVIDER)
    keeper = case_factories.member(shelter, Role.SERVICE_PROVIDER)
    service = shelter_service(worker, capacity=10)

    def change_free_places(delay):
        # Spread over the accept's run, so some round hits it mid-way.
        time.sleep(delay)
        directory_services.service_set_free_places(actor=keeper, service=service, free_places=5)

    for delay in range(0, 60, 3):
        case = case_factories.open_case(lead)
        basis = case_factories.consent(
            lead, case, kinds=[Organisation.Kind.SHELTER], purposes=[Purpose.ASSISTANCE]
        )
        referral = refer(lead, case, basis, service=service)
        outcomes = race(
            lambda referral=referral: services.referral_accept(actor=worker, referral=referral),
            lambda delay=delay: change_free_places(delay / 1000),
        )
        assert outcomes == [None, None], outcomes
    assert chain_verify().ok


def test_accepting_while_the_consent_is_withdrawn_never_deadlocks_nor_leaves_access():
    lead = case_factories.member(case_factories.organisation(Organisation.Kind.NGO))
    shelter = case_factories.organisation(Organisation.Kind.SHELTER)
    worker = case_factories.member(shelter, Role.SERVICE_PROVIDER)
    service = shelter_service(worker, capacity=None)
    for _round in range(ROUNDS * 2):
        case = case_factories.open_case(lead)
        basis = case_factories.consent(
            lead, case, kinds=[Organisation.Kind.SHELTER], purposes=[Purpose.ASSISTANCE]
        )
        referral = refer(lead, case, basis, service=service)
        outcomes = race(
            lambda referral=referral: services.referral_accept(actor=worker, referral=referral),
            lambda case=case, basis=basis: case_services.withdraw_consent(
                actor=lead, case=case, consent=basis
            ),
        )
        refusals_only(outcomes)
        status = Referral.objects.get(pk=referral.pk).status
        assert status in (Referral.Status.ACCEPTED, Referral.Status.ENDED)
    assert chain_verify().ok
