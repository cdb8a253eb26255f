"""The records a build counts: cases, anonymous notifications and uploaded
sources, each reduced to the breakdowns of the European data collection and
its linkage encoding (when it has one). Nothing else leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Min, Q

from samverkan.cases.models import Milestone
from samverkan.cases.workflow import IdentificationStatus, MilestoneKind
from samverkan.linkage import default_schema
from samverkan.policy import statistics as statistics_policy
from samverkan.statistics.models import ExternalSource

CASE = "case"
NOTIFICATION = "notification"
EXTERNAL = "external"


@dataclass(frozen=True)
class VictimRecord:
    """One registration of a presumed or identified victim, without identity."""

    source: str  # CASE, NOTIFICATION or EXTERNAL
    # Records of one source never merge into one person: one organisation or upload.
    source_key: str
    registered_on: date
    sex: str
    age_group: str
    citizenship: str  # ISO 3166 code, or "" when unknown
    exploitation_forms: tuple[str, ...]
    identified: bool
    agency_kind: str
    # The linkage encoding (base64) and the schema and key check it was made
    # under; records of one source_key share them.
    encoding: str | None = None
    schema: dict | None = None
    key_check: str | None = None
    kept_from_law_enforcement: bool = False


@dataclass(frozen=True)
class Event:
    """A step of the referral mechanism that the figures count (a referral, a permit...)."""

    kind: str
    occurred_on: date


# Milestones counted as events, and closures by outcome (see ``events``).
EVENT_MILESTONES = frozenset(
    {
        MilestoneKind.REFERRED_TO_ASSISTANCE,
        MilestoneKind.REFLECTION_PERIOD_GRANTED,
        MilestoneKind.RESIDENCE_PERMIT_GRANTED,
        MilestoneKind.RESIDENCE_PERMIT_RENEWED,
        MilestoneKind.RESIDENCE_PERMIT_REFUSED,
        MilestoneKind.PROCEEDINGS_INITIATED,
        MilestoneKind.PROCEEDINGS_CONCLUDED,
    }
)


def _encoding(row) -> dict:
    """The linkage encoding the platform made at intake (default schema), if any."""
    if not row.linkage_encoding:
        return {}
    return {
        "encoding": row.linkage_encoding,
        "schema": default_schema().document,
        "key_check": row.linkage_key_check or None,
    }


def _citizenship(case) -> str:
    identity = case.person.unseal("identity") or {}
    citizenships = identity.get("citizenships") or []
    return citizenships[0] if citizenships else ""


def _cases_detected(country: str, start: date, end: date):
    """The counted cases whose person was detected in the period (registration = detection)."""
    detected = Min("milestones__occurred_on", filter=Q(milestones__kind=MilestoneKind.DETECTED))
    return (
        statistics_policy.cases_counted(country)
        .annotate(detected_on=detected)
        .filter(detected_on__gte=start, detected_on__lte=end)
    )


def case_records(country: str, start: date, end: date) -> list[VictimRecord]:
    cases = (
        _cases_detected(country, start, end)
        .select_related("person", "opened_by__organisation")
        .prefetch_related("exploitation_forms")
        .order_by("id")
    )
    return [
        VictimRecord(
            source=CASE,
            source_key=f"organisation:{case.opened_by.organisation_id}",
            registered_on=case.detected_on,
            sex=case.person.sex,
            age_group=case.person.age_group,
            citizenship=_citizenship(case),
            exploitation_forms=tuple(sorted(row.form for row in case.exploitation_forms.all())),
            identified=case.identification_status == IdentificationStatus.IDENTIFIED,
            agency_kind=case.opened_by.organisation.kind,
            **_encoding(case.person),
            kept_from_law_enforcement=statistics_policy.is_kept_from_law_enforcement(case),
        )
        for case in cases
    ]


def notification_records(country: str, start: date, end: date) -> list[VictimRecord]:
    notifications = (
        statistics_policy.anonymous_notifications_counted(country)
        .filter(notified_on__gte=start, notified_on__lte=end)
        .select_related("notifying_organisation")
        .order_by("id")
    )
    return [
        VictimRecord(
            source=NOTIFICATION,
            source_key=f"organisation:{notification.notifying_organisation_id}",
            registered_on=notification.notified_on,
            sex=notification.sex,
            age_group=notification.age_group,
            citizenship=notification.citizenship.code or "",
            exploitation_forms=tuple(notification.exploitation_forms),
            identified=False,
            agency_kind=notification.notifying_organisation.kind,
            **_encoding(notification),
        )
        for notification in notifications
    ]


def external_records(country: str, start: date, end: date) -> list[VictimRecord]:
    """The records of every source whose period lies within the build's period.

    A source gives the year of registration only; a record is placed on the
    earlier of 31 December and the source's last day, so that for the order
    of a person's registrations a record with a known day comes first.
    """
    records = []
    sources = ExternalSource.objects.filter(
        country=country, period_start__gte=start, period_end__lte=end
    ).order_by("id")
    for source in sources:
        for row in source.records:
            breakdown = row["breakdown"]
            if breakdown.get("identification") == IdentificationStatus.NOT_IDENTIFIED:
                continue
            year_end = date(int(breakdown.get("year", source.period_end.year)), 12, 31)
            form = breakdown.get("exploitation_form") or ""
            records.append(
                VictimRecord(
                    source=EXTERNAL,
                    source_key=f"upload:{source.pk}",
                    registered_on=min(year_end, source.period_end),
                    sex=breakdown.get("sex") or "unknown",
                    age_group=breakdown.get("age_group") or "unknown",
                    citizenship=breakdown.get("citizenship") or "",
                    exploitation_forms=(form,) if form else (),
                    identified=breakdown.get("identification") == IdentificationStatus.IDENTIFIED,
                    agency_kind=source.agency_kind,
                    encoding=row["encoding"],
                    schema=source.schema,
                    key_check=source.key_check or None,
                )
            )
    return records


def victim_records(country: str, start: date, end: date) -> list[VictimRecord]:
    return [
        *case_records(country, start, end),
        *notification_records(country, start, end),
        *external_records(country, start, end),
    ]


def events(country: str, start: date, end: date) -> list[Event]:
    """Referrals, reflection periods, residence permits, proceedings and closures."""
    cases = statistics_policy.cases_counted(country)
    milestones = Milestone.objects.filter(
        case__in=cases,
        kind__in=EVENT_MILESTONES,
        occurred_on__gte=start,
        occurred_on__lte=end,
    ).values_list("kind", "occurred_on")
    closures = (
        cases.filter(closed_at__date__gte=start, closed_at__date__lte=end)
        .exclude(outcome="")
        .values_list("outcome", "closed_at")
    )
    return [
        *(Event(kind, day) for kind, day in milestones),
        *(Event(f"outcome:{outcome}", closed_at.date()) for outcome, closed_at in closures),
    ]


def has_records(country: str, start: date, end: date) -> bool:
    """Is there anything to count in the period? (An empty period is refused.)"""
    cases = _cases_detected(country, start, end)
    notifications = statistics_policy.anonymous_notifications_counted(country).filter(
        notified_on__gte=start, notified_on__lte=end
    )
    return cases.exists() or notifications.exists() or bool(external_records(country, start, end))
