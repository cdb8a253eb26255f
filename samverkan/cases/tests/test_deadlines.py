"""Deadlines derive from the country's configuration and remind the responsible organisation."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from samverkan.accounts.models import Organisation, Role
from samverkan.cases import selectors, services, tasks
from samverkan.cases.models import Category, Deadline, Notification, Purpose
from samverkan.cases.tests import factories
from samverkan.cases.tests.factories import CANARIES
from samverkan.cases.workflow import DeadlineKind, MilestoneKind, Outcome
from samverkan.policy.access import PolicyDenied

Kind = Organisation.Kind
M = MilestoneKind
REFLECTION = DeadlineKind.REFLECTION_PERIOD_ENDS
RENEWAL = DeadlineKind.RESIDENCE_PERMIT_RENEWAL


def today():
    return timezone.localdate()


def record(actor, case, kind, occurred_on=None, **extra):
    return services.record_milestone(
        actor=actor, case=case, kind=kind, occurred_on=occurred_on or today(), **extra
    )


def configure(world, country, **values):
    return services.update_country_configuration(actor=world.per, country=country, **values)


@pytest.fixture
def migration():
    organisation = factories.organisation(Kind.MIGRATION)
    return factories.member(organisation, Role.CASE_MANAGER)


def reflection_deadline(actor, occurred_on=None) -> Deadline:
    case = factories.open_case(actor)
    milestone = record(actor, case, M.REFLECTION_PERIOD_GRANTED, occurred_on)
    return Deadline.objects.get(milestone=milestone)


# --- computed from the configuration ---


def test_the_reflection_period_lasts_30_days_by_default(world):
    started = today() - timedelta(days=3)
    deadline = reflection_deadline(world.alice, started)
    assert deadline.kind == REFLECTION
    assert deadline.due_on == started + timedelta(days=30)
    assert deadline.responsible_organisation == world.police
    assert deadline.completed_at is None


def test_each_country_sets_its_own_reflection_period(world):
    configure(world, "SE", reflection_period_days=45)
    configure(world, "NO", reflection_period_days=180)
    norwegian = factories.member(factories.organisation(Kind.POLICE, country="NO"))
    assert reflection_deadline(world.alice).due_on == today() + timedelta(days=45)
    assert reflection_deadline(norwegian).due_on == today() + timedelta(days=180)


def test_a_reflection_period_shorter_than_the_convention_is_refused(world):
    with pytest.raises(ValidationError, match="at least 30 days"):
        configure(world, "SE", reflection_period_days=29)
    assert reflection_deadline(world.alice).due_on == today() + timedelta(days=30)


def test_a_residence_permit_completes_the_reflection_period_and_is_renewed(world, migration):
    configure(world, "SE", residence_permit_renewal_days=365)
    case = factories.open_case(migration)
    record(migration, case, M.REFLECTION_PERIOD_GRANTED, today() - timedelta(days=10))
    granted = today() - timedelta(days=5)
    record(migration, case, M.RESIDENCE_PERMIT_GRANTED, granted)
    reflection = case.deadlines.get(kind=REFLECTION)
    assert reflection.completed_at is not None
    first = case.deadlines.get(kind=RENEWAL)
    assert (first.due_on, first.completed_at) == (granted + timedelta(days=365), None)

    record(migration, case, M.RESIDENCE_PERMIT_RENEWED)
    first.refresh_from_db()
    assert first.completed_at is not None
    second = case.deadlines.get(kind=RENEWAL, completed_at=None)
    assert second.due_on == today() + timedelta(days=365)


def test_identification_after_an_early_reflection_period_starts_no_second_one(world):
    case = factories.open_case(world.cecilia, coordination_consent=[Category.IDENTITY])
    record(world.cecilia, case, M.COORDINATION_NOTIFIED, competent_authority=world.coordination)
    record(world.karl, case, M.REFLECTION_PERIOD_GRANTED, today() - timedelta(days=2))
    record(world.karl, case, M.IDENTIFICATION_CONFIRMED)
    (deadline,) = case.deadlines.all()
    assert deadline.due_on == today() - timedelta(days=2) + timedelta(days=30)
    # The lead organisation answers for it, whoever recorded the milestone.
    assert deadline.responsible_organisation == world.ngo


def test_identification_alone_starts_the_reflection_period(world):
    case = factories.open_case(world.cecilia, coordination_consent=[Category.IDENTITY])
    record(world.cecilia, case, M.COORDINATION_NOTIFIED, competent_authority=world.coordination)
    record(world.karl, case, M.IDENTIFICATION_CONFIRMED)
    (deadline,) = case.deadlines.all()
    assert (deadline.kind, deadline.due_on) == (REFLECTION, today() + timedelta(days=30))


def test_closing_starts_retention_and_ends_the_open_deadlines(world):
    configure(world, "SE", retention_days=3 * 365)
    deadline = reflection_deadline(world.alice)
    police_manager = factories.member(world.police, Role.CASE_MANAGER)
    closed_on = today() - timedelta(days=1)
    services.close_case(
        actor=police_manager,
        case=deadline.case,
        outcome=Outcome.SOCIAL_INCLUSION,
        closed_on=closed_on,
    )
    deadline.refresh_from_db()
    assert deadline.completed_at is not None
    retention = deadline.case.deadlines.get(kind=DeadlineKind.RETENTION_ENDS)
    assert retention.due_on == closed_on + timedelta(days=3 * 365)
    assert retention.completed_at is None


# --- reminders ---


def remind(deadline, day, callbacks) -> int:
    with callbacks(execute=True):
        return tasks.send_due_reminders(deadline.pk, today=day)


def notified(kind):
    return {n.recipient for n in Notification.objects.filter(kind=kind)}


def test_reminders_come_once_before_and_once_on_the_day(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    police_manager = factories.member(world.police, Role.CASE_MANAGER)
    factories.member(world.police, Role.ORGANISATION_ADMIN)  # not a case worker: not told
    deadline = reflection_deadline(world.alice)
    due = deadline.due_on
    callbacks = django_capture_on_commit_callbacks

    assert remind(deadline, due - timedelta(days=8), callbacks) == 0
    assert not Notification.objects.exists()
    assert mailoutbox == []

    assert remind(deadline, due - timedelta(days=7), callbacks) == 1
    assert notified(Notification.Kind.DEADLINE_APPROACHING) == {
        world.alice,
        world.bob,
        police_manager,
    }
    (approaching,) = mailoutbox
    assert set(approaching.to) == {m.user.email for m in (world.alice, world.bob, police_manager)}
    assert deadline.case.number in approaching.subject
    assert "approaching" in approaching.subject
    assert remind(deadline, due - timedelta(days=3), callbacks) == 0
    assert len(mailoutbox) == 1

    assert remind(deadline, due, callbacks) == 1
    assert remind(deadline, due, callbacks) == 0
    assert remind(deadline, due + timedelta(days=2), callbacks) == 0
    assert len(notified(Notification.Kind.DEADLINE_DUE)) == 3
    assert Notification.objects.count() == 6
    assert len(mailoutbox) == 2
    assert "today" in mailoutbox[1].subject


def test_a_reminder_names_the_case_by_number_only(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    deadline = reflection_deadline(world.alice)
    remind(deadline, deadline.due_on, django_capture_on_commit_callbacks)
    (message,) = mailoutbox
    identity = deadline.case.person.unseal("identity")
    assert deadline.case.number in message.body
    text = message.subject + message.body
    for secret in [*CANARIES.values(), identity["family_name"], "Malmö", "1990"]:
        assert secret not in text


def test_a_completed_deadline_reminds_nobody(
    world, migration, mailoutbox, django_capture_on_commit_callbacks
):
    case = factories.open_case(migration)
    record(migration, case, M.REFLECTION_PERIOD_GRANTED)
    record(migration, case, M.RESIDENCE_PERMIT_GRANTED)
    deadline = case.deadlines.get(kind=REFLECTION)
    assert remind(deadline, deadline.due_on, django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []


def test_reminders_are_queued_when_the_deadline_commits(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        deadline = reflection_deadline(world.alice)
    due, week = deadline.due_on, timedelta(days=7)
    queued = DBTaskResult.objects.filter(task_path__endswith="remind_deadline")
    # At eight in the morning, seven days before and on the day.
    assert sorted(queued.values_list("run_after", flat=True)) == [
        timezone.make_aware(datetime.combine(day, time(8))) for day in (due - week, due)
    ]
    assert {tuple(task.args_kwargs["args"]) for task in queued} == {(deadline.pk,)}


def test_nothing_is_queued_when_the_milestone_is_refused(world, django_capture_on_commit_callbacks):
    case = factories.open_case(world.cecilia)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        record(world.cecilia, case, M.REFLECTION_PERIOD_GRANTED)
    assert not DBTaskResult.objects.exists()


def test_the_worker_sends_an_overdue_reminder_exactly_once(
    world, mailoutbox, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deadline = reflection_deadline(world.alice, today() - timedelta(days=31))
    assert deadline.due_on < today()
    assert DBTaskResult.objects.count() == 2
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            run_tasks()
    assert len(mailoutbox) == 1
    assert notified(Notification.Kind.DEADLINE_DUE) == {world.alice, world.bob}
    assert not notified(Notification.Kind.DEADLINE_APPROACHING)
    deadline.refresh_from_db()
    assert deadline.reminded_due_at is not None


# --- who sees which deadlines ---


def test_an_organisation_sees_only_its_own_open_deadlines(world):
    police_deadline = reflection_deadline(world.alice)
    ngo_case = factories.open_case(world.cecilia)
    basis = factories.consent(world.cecilia, ngo_case, kinds=[Kind.POLICE])
    factories.share(world.cecilia, ngo_case, world.police, basis, purpose=Purpose.LAW_ENFORCEMENT)
    services.close_case(actor=world.cecilia, case=ngo_case, outcome=Outcome.CONTACT_LOST)
    retention = ngo_case.deadlines.get()

    # The police take part in the NGO's case but do not answer for its deadlines.
    assert list(selectors.deadline_list(world.alice)) == [police_deadline]
    assert list(selectors.deadline_list(world.cecilia)) == [retention]
    assert list(selectors.deadline_list(world.karl)) == []
    with pytest.raises(PolicyDenied):
        selectors.deadline_list(world.olle)

    police_manager = factories.member(world.police, Role.CASE_MANAGER)
    services.close_case(
        actor=police_manager, case=police_deadline.case, outcome=Outcome.SOCIAL_INCLUSION
    )
    assert [d.kind for d in selectors.deadline_list(world.alice)] == [DeadlineKind.RETENTION_ENDS]
