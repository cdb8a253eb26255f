"""The demo region's cases: every step of the referral mechanism, made by the rules."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from samverkan.accounts.models import Membership
from samverkan.audit.models import AuditEntry
from samverkan.audit.verification import chain_verify
from samverkan.cases import selectors
from samverkan.cases.models import (
    AnonymousNotification,
    Case,
    Deadline,
    LegalBasis,
    SecretLocationAccess,
)
from samverkan.cases.workflow import Outcome, Step
from samverkan.policy import cases as case_policy
from samverkan.statistics.demo import DEMO_NOTIFICATIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("demo", stdout=StringIO())


def member(email: str) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user__email=email)


def listed(actor: Membership) -> set[Case]:
    return set(selectors.case_list(actor, selectors.CaseFilters()).object_list)


def test_the_demo_has_cases_in_every_step_and_every_outcome(demo):
    assert set(Case.objects.values_list("stage", flat=True)) == set(Step.values)
    assert set(Case.objects.exclude(outcome="").values_list("outcome", flat=True)) == {
        Outcome.SOCIAL_INCLUSION,
        Outcome.RETURN,
        Outcome.CONTACT_LOST,
    }
    assert set(Case.objects.values_list("country", flat=True)) == {"SE", "FI", "EE"}
    # Ten of the cases' demo, and the rapporteur's demo adds its own.
    assert AnonymousNotification.objects.count() == 10 + DEMO_NOTIFICATIONS


def test_the_demo_was_made_through_the_services_and_audited(demo):
    assert AuditEntry.objects.filter(action="case.opened").count() == Case.objects.count()
    assert AuditEntry.objects.filter(action="case.shared").exists()
    recorded = AuditEntry.objects.filter(action="anonymous_notification.recorded")
    assert recorded.count() == 10 + DEMO_NOTIFICATIONS
    assert chain_verify().ok


def test_loading_the_demo_again_adds_nothing(demo):
    cases, entries = Case.objects.count(), AuditEntry.objects.count()

    call_command("demo", stdout=StringIO())

    assert Case.objects.count() == cases
    # Ten of the cases' demo, and the rapporteur's demo adds its own.
    assert AnonymousNotification.objects.count() == 10 + DEMO_NOTIFICATIONS
    # Only the command's own "demo.created" entry is new.
    assert AuditEntry.objects.count() == entries + 1


def test_the_confidential_case_is_invisible_to_the_police(demo):
    police = member("frontline@demo.samverkan.example")
    confidential = Case.objects.get(confidential_from_law_enforcement=True)
    shared_with_police = Case.objects.get(
        participations__organisation=police.organisation,
        participations__revoked_at__isnull=True,
    )

    # The police took part in it before it was kept from law enforcement.
    assert confidential.participations.filter(organisation=police.organisation).exists()
    assert not case_policy.case_access(police, confidential).visible
    assert confidential not in listed(police)
    assert shared_with_police in listed(police)
    assert case_policy.case_access(member("casemanager@demo.samverkan.example"), confidential).lead


def test_one_deadline_is_overdue_and_others_come_up_soon(demo):
    today = timezone.localdate()
    case_manager = member("casemanager@demo.samverkan.example")
    open_deadlines = list(selectors.deadline_list(case_manager))

    overdue = [deadline for deadline in open_deadlines if deadline.due_on < today]
    soon = [deadline for deadline in open_deadlines if 0 <= (deadline.due_on - today).days <= 14]
    assert len(overdue) == 1
    assert {deadline.kind for deadline in soon} == {
        "reflection_period_ends",
        "residence_permit_renewal",
    }
    assert Deadline.objects.filter(completed_at__isnull=True, due_on__lt=today).count() == 1


def test_a_child_is_on_the_child_protection_duty(demo):
    child = Case.objects.get(person__age_group__in=["0-11", "12-17"])

    assert child.legal_basis == LegalBasis.CHILD_PROTECTION


def test_the_secret_location_is_named_for_the_ngo_case_manager_only(demo):
    case_manager = member("casemanager@demo.samverkan.example")
    named = SecretLocationAccess.objects.get()

    assert named.membership == case_manager
    detail = selectors.case_detail(case_manager, named.case.uuid)
    assert detail.values["secret_location"]
    shelter = member("shelter@demo.samverkan.example")
    assert "secret_location" in selectors.case_detail(shelter, named.case.uuid).withheld


@pytest.mark.parametrize(
    "email",
    [
        "frontline@demo.samverkan.example",
        "casemanager@demo.samverkan.example",
        "coordinator@demo.samverkan.example",
        "shelter@demo.samverkan.example",
    ],
)
def test_every_demo_case_worker_sees_some_cases_and_not_all(demo, email):
    seen = listed(member(email))

    assert seen
    assert len(seen) < Case.objects.count()


def test_the_coordinator_sees_the_cases_notified_for_identification(demo):
    coordinator = member("coordinator@demo.samverkan.example")
    identified = Case.objects.filter(identification_status="identified")

    assert identified.count() >= 3
    assert set(identified) <= listed(coordinator)
