"""Sharing racing against withdrawal or confidentiality on PostgreSQL (Z13).

Two threads, each with its own connection, change the same case at the same
moment. Whichever commits first, the recipient must end up without access,
and no participation may rest on a basis it could not have seen in force.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from samverkan.accounts.models import Organisation, Role
from samverkan.audit.models import AuditEntry
from samverkan.audit.verification import chain_verify
from samverkan.cases import services
from samverkan.cases.models import Case, Category, Participation, Purpose
from samverkan.cases.tests import factories
from samverkan.policy import cases as case_policy

Kind = Organisation.Kind
ROUNDS = 10

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writers; the race is PostgreSQL's")


def race(*calls) -> list[BaseException | None]:
    """Run the calls in threads released together; each call's exception (or None)."""
    start = threading.Barrier(len(calls))
    outcomes: list[BaseException | None] = [None] * len(calls)

    def run(index, call):
        try:
            start.wait()
            call()
        except BaseException as error:  # reported to the test below
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def refusals_only(outcomes) -> None:
    """Either side may lose the race with a refusal; nothing else is acceptable."""
    for outcome in outcomes:
        assert outcome is None or isinstance(outcome, ValidationError), repr(outcome)


def test_sharing_racing_a_withdrawal_never_leaves_access():
    lead = factories.member(factories.organisation(Kind.NGO))
    shelter = factories.organisation(Kind.SHELTER)
    worker = factories.member(shelter, Role.FRONTLINE)
    case = factories.open_case(lead)
    shared_first = 0
    for _round in range(ROUNDS):
        basis = factories.consent(lead, case, kinds=[Kind.SHELTER])
        outcomes = race(
            lambda basis=basis: factories.share(lead, case, shelter, basis, [Category.HEALTH]),
            lambda basis=basis: services.withdraw_consent(actor=lead, case=case, consent=basis),
        )
        refusals_only(outcomes)
        assert outcomes[1] is None  # the withdrawal always succeeds
        assert case_policy.case_access(worker, case).categories == frozenset()
        assert not case_policy.cases_visible_to(worker).exists()
        for participation in Participation.objects.filter(basis=basis).select_related("basis"):
            # Granted under the lock before the withdrawal, never after it.
            assert participation.granted_at < participation.basis.withdrawn_at
            shared_first += 1
    assert chain_verify().ok
    # Both orders are legitimate; the point is that neither leaves access behind.
    assert 0 <= shared_first <= ROUNDS


def test_sharing_with_the_police_racing_confidentiality_leaves_nothing_dormant():
    lead = factories.member(factories.organisation(Kind.NGO))
    police = factories.organisation(Kind.POLICE)
    officer = factories.member(police, Role.FRONTLINE)
    for _round in range(ROUNDS):
        case = factories.open_case(lead)
        basis = factories.consent(lead, case, kinds=[Kind.POLICE])
        outcomes = race(
            lambda case=case, basis=basis: factories.share(
                lead, case, police, basis, [Category.IDENTITY], Purpose.LAW_ENFORCEMENT
            ),
            lambda case=case: services.set_confidential_from_law_enforcement(
                actor=lead, case=case, confidential=True
            ),
        )
        refusals_only(outcomes)
        assert outcomes[1] is None
        case = Case.objects.get(pk=case.pk)
        assert case.confidential_from_law_enforcement
        assert case_policy.case_access(officer, case).categories == frozenset()
        # No police participation survives to come back if confidentiality is lifted.
        assert not Participation.objects.filter(case=case, revoked_at=None).exists()
    assert chain_verify().ok


def test_two_revocations_of_one_share_end_it_once():
    lead = factories.member(factories.organisation(Kind.NGO))
    shelter = factories.organisation(Kind.SHELTER)
    case = factories.open_case(lead)
    basis = factories.consent(lead, case, kinds=[Kind.SHELTER])
    for _round in range(ROUNDS):
        participation = factories.share(lead, case, shelter, basis)
        # Two requests, each with its own copy of the share.
        copies = [Participation.objects.get(pk=participation.pk) for _side in range(2)]
        outcomes = race(
            *[
                lambda copy=copy: services.revoke_share(actor=lead, case=case, participation=copy)
                for copy in copies
            ]
        )
        assert sorted(type(outcome).__name__ for outcome in outcomes) == [
            "NoneType",
            "PolicyDenied",
        ]
    revocations = AuditEntry.objects.filter(action="case.share_revoked")
    assert revocations.count() == ROUNDS
    assert chain_verify().ok
