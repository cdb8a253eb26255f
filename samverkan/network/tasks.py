"""Background work of the network: the personal links by e-mail, and reminders.

A token is made in the task that mails it and stored only as its SHA-256, so
it never passes through the task table or a log. A reminder therefore
carries a fresh link; the earlier one keeps working until the deadline.
Each place is invited and reminded at most once, however often a task runs
(a conditional update claims it).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

REMINDER_HOUR = time(8, 0)


def link_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("survey-link", args=[token])


def mail_link(*, link, token: str, language: str, kind: str) -> None:
    """One e-mail with one personal link; ``kind`` is invitation, reminder or forward."""
    response = link.response
    context = {
        "survey": response.survey,
        "place": response.place,
        "link": link_url(token),
        "deadline": response.survey.deadline,
        "kind": kind,
    }
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        subject = render_to_string("network/email/link_subject.txt", context).strip()
        body = render_to_string("network/email/link_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [link.email])


def _claim(response_id: int, field: str) -> bool:
    from samverkan.network.models import Response

    return bool(
        Response.objects.filter(pk=response_id, **{f"{field}__isnull": True}).update(
            **{field: timezone.now()}
        )
    )


def _mail_contacts(response, kind: str) -> int:
    from samverkan.network.responses import link_issue

    sent = 0
    for contact in response.place.contacts.filter(is_active=True):
        link, token = link_issue(response=response, email=contact.email, contact=contact)
        mail_link(link=link, token=token, language=contact.language, kind=kind)
        sent += 1
    return sent


@task()
def send_survey_links(survey_id: int) -> int:
    """Mail a personal link to each contact person of each place not yet invited."""
    from samverkan.network.models import Response

    sent = 0
    responses = Response.objects.filter(survey_id=survey_id, invited_at__isnull=True)
    for response in responses.select_related("survey", "place"):
        with transaction.atomic():
            if _claim(response.pk, "invited_at"):
                sent += _mail_contacts(response, "invitation")
    return sent


def schedule_reminder(survey) -> None:
    """Queue the reminder for ``reminder_days_before`` the deadline, at 08:00."""
    day = survey.deadline - timedelta(days=survey.reminder_days_before)
    run_after = max(timezone.make_aware(datetime.combine(day, REMINDER_HOUR)), timezone.now())
    transaction.on_commit(lambda: remind_survey.using(run_after=run_after).enqueue(survey.pk))


@task()
def remind_survey(survey_id: int) -> int:
    """Remind the places that have not submitted, once each, before the deadline."""
    from samverkan.network.models import Response, Survey

    survey = Survey.objects.filter(pk=survey_id, status=Survey.Status.SENT).first()
    if survey is None or timezone.localdate() > survey.deadline:
        return 0
    sent = 0
    waiting = (
        Response.objects.filter(survey=survey, reminded_at__isnull=True)
        .exclude(status=Response.Status.SUBMITTED)
        .select_related("survey", "place")
    )
    for response in waiting:
        with transaction.atomic():
            if _claim(response.pk, "reminded_at"):
                sent += _mail_contacts(response, "reminder")
    return sent


@task()
def send_report_requests(activity_id: int) -> int:
    """Mail each participant without a report a personal link to write it."""
    from samverkan.network.activities import report_link_issue
    from samverkan.network.models import Participant

    sent = 0
    waiting = Participant.objects.filter(
        activity_id=activity_id, report_submitted_at__isnull=True
    ).select_related("activity")
    for participant in waiting:
        with transaction.atomic():
            token = report_link_issue(participant)
            context = {
                "activity": participant.activity,
                "link": settings.SITE_URL.rstrip("/")
                + reverse("activity-report-link", args=[token]),
            }
            subject = render_to_string("network/email/report_subject.txt", context).strip()
            body = render_to_string("network/email/report_body.txt", context)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [participant.email])
            sent += 1
    return sent
