"""Activities of the network and their participants' reports.

After an activity the coordinator asks its participants for their reports:
each gets a personal link by e-mail (the token stored as its SHA-256 only,
open for ``REPORT_DAYS``), writes the report without an account, and the
activity's page sums them up.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.accounts.models import Membership, hash_secret
from samverkan.audit.services import audit_record
from samverkan.network.models import Activity, Network, Participant
from samverkan.policy import access

REPORT_DAYS = 30


@transaction.atomic
def activity_create(
    *,
    actor: Membership,
    network: Network,
    kind: str,
    title: str,
    starts_on: date,
    ends_on: date,
    location: str = "",
    organisers: str = "",
    target_group: str = "",
    capacity_min: int | None = None,
    capacity_max: int | None = None,
    agenda: str = "",
    materials: str = "",
) -> Activity:
    access.require(actor, "activity.manage", network)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("An activity cannot end before it starts.")})
    if capacity_min and capacity_max and capacity_max < capacity_min:
        raise ValidationError({"capacity_max": _("The most cannot be fewer than the least.")})
    activity = Activity(
        network=network,
        kind=kind,
        title=title.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        location=location,
        organisers=organisers,
        target_group=target_group,
        capacity_min=capacity_min,
        capacity_max=capacity_max,
        agenda=agenda,
        materials=materials,
    )
    activity.full_clean()
    activity.save()
    audit_record(action="network.activity_created", actor=actor, target=activity)
    return activity


@transaction.atomic
def participant_add(
    *,
    actor: Membership,
    activity: Activity,
    full_name: str,
    email: str,
    organisation_name: str = "",
    country: str = "",
    role: str = "",
) -> Participant:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    access.require(actor, "activity.manage", activity)
    if activity.capacity_max and activity.participants.count() >= activity.capacity_max:
        raise ValidationError(
            _("The activity is full: at most %(count)d participants.")
            % {"count": activity.capacity_max}
        )
    participant = Participant(
        activity=activity,
        full_name=full_name.strip(),
        email=email.strip().lower(),
        organisation_name=organisation_name,
        country=country,
        role=role,
    )
    participant.full_clean()
    participant.save()
    audit_record(action="network.participant_added", actor=actor, target=activity)
    return participant


@transaction.atomic
def reports_request(*, actor: Membership, activity: Activity) -> int:
    """Ask every participant without a report for one, once the activity has ended."""
    from samverkan.network.tasks import send_report_requests

    access.require(actor, "activity.manage", activity)
    if activity.ends_on > timezone.localdate():
        raise ValidationError(_("Reports can be asked for once the activity has ended."))
    waiting = activity.participants.filter(report_submitted_at__isnull=True)
    audit_record(action="network.reports_requested", actor=actor, target=activity)
    transaction.on_commit(lambda: send_report_requests.enqueue(activity.pk))
    return waiting.count()


def report_link_issue(participant: Participant) -> str:
    """A fresh report link for the participant (an earlier one stops working)."""
    token = secrets.token_urlsafe(32)
    participant.report_token_hash = hash_secret(token)
    participant.report_expires_at = timezone.now() + timedelta(days=REPORT_DAYS)
    participant.save(update_fields=["report_token_hash", "report_expires_at"])
    return token


@transaction.atomic
def report_submit(*, participant: Participant, report: str) -> Participant:
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if not report.strip():
        raise ValidationError({"report": _("Write your report before sending it.")})
    participant.report = report.strip()
    participant.report_submitted_at = timezone.now()
    participant.save(update_fields=["report", "report_submitted_at"])
    audit_record(action="network.participant_reported", target=participant.activity)
    return participant
