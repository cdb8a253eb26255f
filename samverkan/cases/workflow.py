"""The national referral mechanism as data: its nine steps, the milestones that
mark them, and who may record each milestone after which others.

One table, ``RULES``, is the whole workflow. Services ask it before recording
a milestone and pages ask it which milestones to offer; nothing else encodes
an allowed transition.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from samverkan.accounts.models import Organisation, Role
from samverkan.policy.access import CASE_WORKERS


class Step(models.TextChoices):
    """The referral procedure's nine steps, detection to inclusion or return."""

    DETECTION = "detection", _("Detection")
    CENTRAL_COORDINATION = "central_coordination", _("Central coordination")
    NEEDS_ASSESSMENT = "needs_assessment", _("Assessment of needs")
    REFERRAL = "referral", _("Referral to assistance")
    PROTECTION = "protection", _("Coordination of protection and assistance")
    RESIDENCE = "residence", _("Regularisation of residence")
    LEGAL_PROCEEDINGS = "legal_proceedings", _("Legal proceedings")
    MONITORING = "monitoring", _("Monitoring")
    CLOSURE = "closure", _("Social inclusion or return and reintegration")


class Track(models.TextChoices):
    """Residence, assistance and legal proceedings run side by side."""

    IDENTIFICATION = "identification", _("Identification")
    ASSISTANCE = "assistance", _("Assistance")
    RESIDENCE = "residence", _("Residence")
    LEGAL = "legal", _("Legal proceedings")


class MilestoneKind(models.TextChoices):
    DETECTED = "detected", _("Detected")
    COORDINATION_NOTIFIED = "coordination_notified", _("Coordination agency notified")
    IDENTIFICATION_CONFIRMED = "identification_confirmed", _("Identification confirmed")
    IDENTIFICATION_NOT_CONFIRMED = "identification_not_confirmed", _("Not identified")
    NEEDS_ASSESSED = "needs_assessed", _("Needs assessed")
    REFERRED_TO_ASSISTANCE = "referred_to_assistance", _("Referred to assistance")
    PROTECTION_COORDINATED = "protection_coordinated", _("Protection and assistance coordinated")
    REFLECTION_PERIOD_GRANTED = "reflection_period_granted", _("Reflection period granted")
    RESIDENCE_PERMIT_GRANTED = "residence_permit_granted", _("Residence permit granted")
    RESIDENCE_PERMIT_RENEWED = "residence_permit_renewed", _("Residence permit renewed")
    RESIDENCE_PERMIT_REFUSED = "residence_permit_refused", _("Residence permit refused")
    PROCEEDINGS_INITIATED = "proceedings_initiated", _("Legal proceedings initiated")
    PROCEEDINGS_CONCLUDED = "proceedings_concluded", _("Legal proceedings concluded")
    MONITORING_STARTED = "monitoring_started", _("Monitoring started")
    CLOSED = "closed", _("Case closed")


class IdentificationStatus(models.TextChoices):
    PRESUMED = "presumed", _("Presumed victim")
    IDENTIFIED = "identified", _("Identified by the competent authority")
    NOT_IDENTIFIED = "not_identified", _("Not identified")


class DeadlineKind(models.TextChoices):
    REFLECTION_PERIOD_ENDS = "reflection_period_ends", _("Reflection and recovery period ends")
    RESIDENCE_PERMIT_RENEWAL = "residence_permit_renewal", _("Residence permit to be renewed")
    RETENTION_ENDS = "retention_ends", _("Retention period ends")


# Performer tokens beside organisation kinds: the country's competent
# authority (from its configuration) and the case's lead organisation.
COMPETENT_AUTHORITY = "competent_authority"
LEAD = "lead"

Kind = Organisation.Kind
ASSISTING = frozenset(
    {
        Kind.NGO,
        Kind.SHELTER,
        Kind.SOCIAL_SERVICES,
        Kind.HEALTH,
        Kind.INTERGOVERNMENTAL,
        Kind.COORDINATION_AGENCY,
    }
)
ANY_CASE_KIND = frozenset(Kind.values) - {Kind.RAPPORTEUR, Kind.NETWORK_SECRETARIAT}


@dataclass(frozen=True)
class MilestoneRule:
    kind: str
    step: str
    track: str
    requires: frozenset[str]
    performers: frozenset[str]
    roles: frozenset[str] = CASE_WORKERS
    once: bool = True
    identification: str | None = None
    starts: str | None = None
    completes: frozenset[str] = frozenset()
    # The category the milestone's evidence belongs to, and so who reads it.
    evidence_category: str = "exploitation"
    # Recorded by a service of its own (opening, closing), not the milestone form.
    automatic: bool = False


M = MilestoneKind
RULES: dict[str, MilestoneRule] = {
    rule.kind: rule
    for rule in [
        MilestoneRule(
            M.DETECTED, Step.DETECTION, Track.IDENTIFICATION, frozenset(), ANY_CASE_KIND,
            automatic=True,
        ),
        MilestoneRule(
            M.COORDINATION_NOTIFIED, Step.CENTRAL_COORDINATION, Track.IDENTIFICATION,
            frozenset({M.DETECTED}), frozenset({LEAD}),
        ),
        MilestoneRule(
            M.IDENTIFICATION_CONFIRMED, Step.CENTRAL_COORDINATION, Track.IDENTIFICATION,
            frozenset({M.COORDINATION_NOTIFIED}), frozenset({COMPETENT_AUTHORITY}),
            roles=frozenset({Role.COORDINATOR}), identification=IdentificationStatus.IDENTIFIED,
            starts=DeadlineKind.REFLECTION_PERIOD_ENDS,
        ),
        MilestoneRule(
            M.IDENTIFICATION_NOT_CONFIRMED, Step.CENTRAL_COORDINATION, Track.IDENTIFICATION,
            frozenset({M.COORDINATION_NOTIFIED}), frozenset({COMPETENT_AUTHORITY}),
            roles=frozenset({Role.COORDINATOR}),
            identification=IdentificationStatus.NOT_IDENTIFIED,
        ),
        MilestoneRule(
            M.NEEDS_ASSESSED, Step.NEEDS_ASSESSMENT, Track.ASSISTANCE,
            frozenset({M.DETECTED}), ASSISTING, evidence_category="social",
        ),
        MilestoneRule(
            M.REFERRED_TO_ASSISTANCE, Step.REFERRAL, Track.ASSISTANCE,
            frozenset({M.NEEDS_ASSESSED}), ASSISTING, once=False, evidence_category="social",
        ),
        MilestoneRule(
            M.PROTECTION_COORDINATED, Step.PROTECTION, Track.ASSISTANCE,
            frozenset({M.REFERRED_TO_ASSISTANCE}), ASSISTING, evidence_category="social",
        ),
        MilestoneRule(
            M.REFLECTION_PERIOD_GRANTED, Step.RESIDENCE, Track.RESIDENCE,
            frozenset({M.DETECTED}),
            frozenset({Kind.MIGRATION, Kind.POLICE, COMPETENT_AUTHORITY}),
            starts=DeadlineKind.REFLECTION_PERIOD_ENDS, evidence_category="immigration",
        ),
        MilestoneRule(
            M.RESIDENCE_PERMIT_GRANTED, Step.RESIDENCE, Track.RESIDENCE,
            frozenset({M.DETECTED}), frozenset({Kind.MIGRATION, COMPETENT_AUTHORITY}),
            starts=DeadlineKind.RESIDENCE_PERMIT_RENEWAL,
            completes=frozenset({DeadlineKind.REFLECTION_PERIOD_ENDS}),
            evidence_category="immigration",
        ),
        MilestoneRule(
            M.RESIDENCE_PERMIT_RENEWED, Step.RESIDENCE, Track.RESIDENCE,
            frozenset({M.RESIDENCE_PERMIT_GRANTED}),
            frozenset({Kind.MIGRATION, COMPETENT_AUTHORITY}), once=False,
            starts=DeadlineKind.RESIDENCE_PERMIT_RENEWAL,
            completes=frozenset({DeadlineKind.RESIDENCE_PERMIT_RENEWAL}),
            evidence_category="immigration",
        ),
        MilestoneRule(
            M.RESIDENCE_PERMIT_REFUSED, Step.RESIDENCE, Track.RESIDENCE,
            frozenset({M.DETECTED}), frozenset({Kind.MIGRATION, COMPETENT_AUTHORITY}),
            once=False, completes=frozenset({DeadlineKind.RESIDENCE_PERMIT_RENEWAL}),
            evidence_category="immigration",
        ),
        MilestoneRule(
            M.PROCEEDINGS_INITIATED, Step.LEGAL_PROCEEDINGS, Track.LEGAL,
            frozenset({M.DETECTED}), frozenset({Kind.POLICE, Kind.PROSECUTION}),
            evidence_category="legal",
        ),
        MilestoneRule(
            M.PROCEEDINGS_CONCLUDED, Step.LEGAL_PROCEEDINGS, Track.LEGAL,
            frozenset({M.PROCEEDINGS_INITIATED}),
            frozenset({Kind.POLICE, Kind.PROSECUTION, COMPETENT_AUTHORITY}),
            evidence_category="legal",
        ),
        MilestoneRule(
            M.MONITORING_STARTED, Step.MONITORING, Track.ASSISTANCE,
            frozenset({M.NEEDS_ASSESSED}), ASSISTING, evidence_category="social",
        ),
        MilestoneRule(
            M.CLOSED, Step.CLOSURE, Track.IDENTIFICATION, frozenset({M.DETECTED}),
            frozenset({LEAD}), roles=frozenset({Role.CASE_MANAGER, Role.COORDINATOR}),
            completes=frozenset(
                {DeadlineKind.REFLECTION_PERIOD_ENDS, DeadlineKind.RESIDENCE_PERMIT_RENEWAL}
            ),
            starts=DeadlineKind.RETENTION_ENDS, evidence_category="social", automatic=True,
        ),
    ]
}  # fmt: skip


# What a person may choose to record (opening and closing have services of their own).
RECORDABLE_CHOICES = [
    (rule.kind, MilestoneKind(rule.kind).label) for rule in RULES.values() if not rule.automatic
]


class Outcome(models.TextChoices):
    SOCIAL_INCLUSION = "social_inclusion", _("Social inclusion")
    RETURN = "return", _("Return and reintegration")
    CONTACT_LOST = "contact_lost", _("Contact lost")
    OTHER = "other", _("Other")


def performer_allowed(
    rule: MilestoneRule, *, organisation, role: str, lead_organisation_id: int, competent_kind: str
) -> bool:
    """Is this organisation and role among the rule's performers?"""
    if role not in rule.roles:
        return False
    if LEAD in rule.performers and organisation.pk == lead_organisation_id:
        return True
    if COMPETENT_AUTHORITY in rule.performers and organisation.kind == competent_kind:
        return True
    return organisation.kind in rule.performers


def refusal(rule: MilestoneRule, recorded: set[str], *, closed: bool) -> str | None:
    """Why the milestone cannot follow the ones already recorded, or None."""
    if closed:
        return str(_("The case is closed."))
    missing = rule.requires - recorded
    if missing:
        names = ", ".join(str(MilestoneKind(kind).label) for kind in sorted(missing))
        return str(_("This milestone needs these first: %(names)s.") % {"names": names})
    if rule.once and rule.kind in recorded:
        return str(_("This milestone has already been recorded."))
    return None
