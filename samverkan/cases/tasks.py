"""Background work for cases: deadline reminders and break-glass alerts.

A deadline schedules its own reminders when it is created: one task to run
``reminder_days_before`` the due date and one on the day, both at 08:00. The
worker runs them when their time comes; each phase is sent at most once,
however often its task runs (a conditional update claims it). The messages
name the case by its pseudonymous number only.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from samverkan.policy.access import CASE_WORKERS

REMINDER_HOUR = time(8, 0)


def _at_morning(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, REMINDER_HOUR))


def schedule_reminders(deadline, config) -> None:
    """Queue the deadline's reminders once the transaction that made it commits."""
    before = deadline.due_on - timedelta(days=config.reminder_days_before)
    for day in sorted({before, deadline.due_on}):
        run_after = max(_at_morning(day), timezone.now())
        transaction.on_commit(
            lambda run_after=run_after: remind_deadline.using(run_after=run_after).enqueue(
                deadline.pk
            )
        )


def send_due_reminders(deadline_id: int, *, today: date | None = None) -> int:
    """Send whichever of the deadline's reminders are due and not yet sent.

    Returns how many reminders (phases) this call sent.
    """
    from samverkan.cases.models import CountryConfiguration, Deadline, Notification

    today = today or timezone.localdate()
    deadline = Deadline.objects.select_related("case").filter(pk=deadline_id).first()
    if deadline is None or deadline.completed_at is not None:
        return 0
    config = CountryConfiguration.for_country(deadline.case.country)
    phases = []
    if today >= deadline.due_on:
        phases.append(("reminded_due_at", Notification.Kind.DEADLINE_DUE))
    elif today >= deadline.due_on - timedelta(days=config.reminder_days_before):
        phases.append(("reminded_before_at", Notification.Kind.DEADLINE_APPROACHING))
    sent = 0
    for field, kind in phases:
        with transaction.atomic():
            claimed = Deadline.objects.filter(pk=deadline.pk, **{f"{field}__isnull": True}).update(
                **{field: timezone.now()}
            )
            if claimed:
                _notify(deadline, kind)
                sent += 1
    return sent


def _responsible(deadline):
    from samverkan.accounts.models import Membership

    return (
        Membership.objects.active()
        .filter(organisation_id=deadline.responsible_organisation_id, role__in=CASE_WORKERS)
        .select_related("user")
    )


def _notify(deadline, kind: str) -> None:
    from samverkan.cases.models import Notification

    recipients = list(_responsible(deadline))
    Notification.objects.bulk_create(
        Notification(recipient=member, kind=kind, case=deadline.case, deadline=deadline)
        for member in recipients
    )
    context = {
        "deadline": deadline,
        "number": deadline.case.number,
        "due": kind == Notification.Kind.DEADLINE_DUE,
        "link": settings.SITE_URL.rstrip("/") + "/deadlines/",
    }
    subject = render_to_string("cases/email/deadline_subject.txt", context).strip()
    body = render_to_string("cases/email/deadline_body.txt", context)
    addresses = sorted({member.user.email for member in recipients})
    if addresses:
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses)
        )


@task()
def remind_deadline(deadline_id: int) -> int:
    return send_due_reminders(deadline_id)


@task()
def send_break_glass_email(grant_id: int) -> None:
    """Tell the lead organisation's case workers that a coordinator broke the glass."""
    from samverkan.accounts.models import Membership
    from samverkan.cases.models import BreakGlassAccess

    grant = BreakGlassAccess.objects.select_related("case", "membership__organisation").get(
        pk=grant_id
    )
    addresses = sorted(
        Membership.objects.active()
        .filter(organisation_id=grant.case.lead_organisation_id, role__in=CASE_WORKERS)
        .values_list("user__email", flat=True)
    )
    if not addresses:
        return
    context = {
        "number": grant.case.number,
        "organisation": grant.membership.organisation.name,
        "until": grant.expires_at,
        "link": settings.SITE_URL.rstrip("/") + "/audit/",
    }
    subject = _("Emergency access to case %(number)s") % {"number": grant.case.number}
    body = render_to_string("cases/email/break_glass_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses)
