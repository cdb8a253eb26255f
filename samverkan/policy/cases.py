"""Who may see and do what on a case: the need-to-know rules.

Part of the one policy (``samverkan.policy``); every case page, endpoint,
search, export and count asks these functions and nothing else.

- An organisation sees a case only when it leads it or takes part in it, or,
  for a coordinator, through time-limited emergency access. Everyone else
  learns nothing, not even that it exists: refusal is the same 404 as absence.
- Taking part (a participation) covers the categories it names *and* that the
  consent or legal basis it rests on still allows; withdrawal or expiry of
  that basis ends it on the next request.
- A case kept from law enforcement does not exist for police or prosecution
  memberships, whatever else holds.
- The secret location (shelter address, witness protection) is shown only to
  named memberships that can see the case at all.
- A migration authority sees immigration status only with consent or a legal
  basis, even on a case it leads.
- Roles never grant access to a case by themselves; they limit what a
  membership of a participating organisation may do with it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from samverkan.accounts.models import Membership, Organisation, Role
from samverkan.cases.models import (
    BreakGlassAccess,
    Case,
    CaseNote,
    Category,
    Consent,
    Deadline,
    Participation,
    SecretLocationAccess,
)
from samverkan.policy.access import CASE_ROLES, CASE_WORKERS, PolicyDenied

logger = logging.getLogger(__name__)

Kind = Organisation.Kind
LAW_ENFORCEMENT_KINDS = frozenset({Kind.POLICE, Kind.PROSECUTION})
# Organisations that may keep a case they lead from law enforcement.
CONFIDENTIALITY_KINDS = frozenset({Kind.NGO, Kind.SHELTER, Kind.HOTLINE})
ALL_CATEGORIES = frozenset(Category.values)
LEAD_CATEGORIES = ALL_CATEGORIES - {Category.SECRET_LOCATION}

LEAD = "lead"
MEMBER = "member"  # lead or participating; emergency access alone is read-only
# action -> (roles that may perform it, the relation to the case it needs)
CASE_ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "case.note.add": (CASE_ROLES, MEMBER),
    "case.milestone.record": (CASE_ROLES, MEMBER),
    "case.share": (CASE_WORKERS, LEAD),
    "case.refer": (CASE_WORKERS, LEAD),
    "case.consent.manage": (CASE_WORKERS, LEAD),
    "case.confidential.set": (frozenset({Role.CASE_MANAGER, Role.COORDINATOR}), LEAD),
    "case.close": (frozenset({Role.CASE_MANAGER, Role.COORDINATOR}), LEAD),
    "case.secret_location.manage": (frozenset({Role.CASE_MANAGER}), LEAD),
    "case.screening.record": (CASE_ROLES, MEMBER),
}


@dataclass(frozen=True)
class CaseAccess:
    """What one membership may see of one case, decided once per request."""

    categories: frozenset[str] = frozenset()
    lead: bool = False
    participant: bool = False
    break_glass: bool = False
    # What leading or taking part grants, without emergency access: emergency
    # access is read-only, so writes are checked against these.
    own_categories: frozenset[str] = frozenset()

    @property
    def visible(self) -> bool:
        return Category.METADATA in self.categories

    def shows(self, category: str) -> bool:
        return category in self.categories


NO_ACCESS = CaseAccess()


def _is_case_worker(actor: Membership | None) -> bool:
    return actor is not None and actor.is_active and actor.role in CASE_ROLES


def kinds_kept_out(case: Case) -> frozenset[str]:
    """The organisation kinds that may not learn the case exists."""
    return LAW_ENFORCEMENT_KINDS if case.confidential_from_law_enforcement else frozenset()


def _hidden_from(actor: Membership, case: Case) -> bool:
    return actor.organisation.kind in kinds_kept_out(case)


def may_break_glass(actor: Membership | None) -> bool:
    """Only coordinators of the coordination agency have emergency access."""
    return (
        actor is not None
        and actor.is_active
        and actor.role == Role.COORDINATOR
        and actor.organisation.kind == Kind.COORDINATION_AGENCY
    )


def _basis_allows(case: Case, organisation: Organisation, category: str, today) -> bool:
    for consent in Consent.objects.in_force(today).filter(person_id=case.person_id):
        named = set(consent.organisations.values_list("pk", flat=True))
        if category in consent.categories and consent.names(organisation, named):
            return True
    return False


def _case_access(actor: Membership | None, case: Case, now: datetime) -> CaseAccess:
    if not _is_case_worker(actor) or _hidden_from(actor, case):
        return NO_ACCESS
    organisation = actor.organisation
    today = timezone.localdate(now)
    categories: set[str] = set()
    lead = case.lead_organisation_id == organisation.pk
    if lead:
        categories |= LEAD_CATEGORIES
        if organisation.kind == Kind.MIGRATION and not _basis_allows(
            case, organisation, Category.IMMIGRATION, today
        ):
            categories.discard(Category.IMMIGRATION)
    participations = Participation.objects.in_force(today).filter(
        case=case, organisation=organisation
    )
    participant = False
    for participation in participations.select_related("basis"):
        participant = True
        categories |= {Category.METADATA}
        categories |= set(participation.categories) & set(participation.basis.categories)
    own = set(categories)
    break_glass = (
        may_break_glass(actor)
        and BreakGlassAccess.objects.filter(
            case=case, membership=actor, started_at__lte=now, expires_at__gt=now
        ).exists()
    )
    if break_glass:
        categories |= LEAD_CATEGORIES
    if (
        categories
        and SecretLocationAccess.objects.filter(
            case=case, membership=actor, revoked_at__isnull=True
        ).exists()
    ):
        categories.add(Category.SECRET_LOCATION)
        if own:
            own.add(Category.SECRET_LOCATION)
    return CaseAccess(
        frozenset(categories), lead, participant, break_glass and not lead, frozenset(own)
    )


def case_access(actor: Membership | None, case: Case, *, now: datetime | None = None) -> CaseAccess:
    """The categories of ``case`` that ``actor`` may see. Fails closed."""
    try:
        return _case_access(actor, case, now or timezone.now())
    except Exception:
        logger.exception("case policy decision failed; denying")
        return NO_ACCESS


def cases_visible_to(actor: Membership | None, *, now: datetime | None = None) -> QuerySet[Case]:
    """Exactly the cases for which ``case_access(actor, case).visible`` holds."""
    if not _is_case_worker(actor):
        return Case.objects.none()
    now = now or timezone.now()
    organisation = actor.organisation
    participating = Participation.objects.in_force(timezone.localdate(now)).filter(
        organisation=organisation
    )
    # One set of ids from each source, united: an OR across the subqueries
    # would make PostgreSQL scan every case in the country.
    scope = (
        Case.objects.filter(lead_organisation=organisation)
        .order_by()
        .values("pk")
        .union(participating.values("case_id"))
    )
    if may_break_glass(actor):
        emergency = BreakGlassAccess.objects.filter(
            membership=actor, started_at__lte=now, expires_at__gt=now
        )
        scope = scope.union(emergency.values("case_id"))
    cases = Case.objects.filter(pk__in=scope)
    if organisation.kind in LAW_ENFORCEMENT_KINDS:
        cases = cases.filter(confidential_from_law_enforcement=False)
    return cases


def can_on_case(actor: Membership | None, action: str, case: Case, access: CaseAccess) -> bool:
    """May ``actor``, whose access to ``case`` is ``access``, perform ``action`` on it?"""
    try:
        roles, relation = CASE_ACTIONS[action]
        if actor is None or actor.role not in roles or not access.visible:
            return False
        if relation == LEAD and not access.lead:
            return False
        if relation == MEMBER and not (access.lead or access.participant):
            return False
        if action == "case.note.add":
            return Category.NOTES in access.own_categories
        if action == "case.screening.record":
            # The answers are exploitation details: written only by those who read them.
            return Category.EXPLOITATION in access.own_categories
        if action == "case.confidential.set":
            return actor.organisation.kind in CONFIDENTIALITY_KINDS
        return True
    except Exception:
        logger.exception("case policy decision failed; denying", extra={"action": action})
        return False


def require_on_case(actor, action: str, case: Case, access: CaseAccess) -> None:
    if not can_on_case(actor, action, case, access):
        raise PolicyDenied


def note_visible(actor: Membership, access: CaseAccess, note: CaseNote) -> bool:
    if not access.shows(Category.NOTES):
        return False
    if note.organisation_id == actor.organisation_id:
        return True
    if note.audience == CaseNote.Audience.EVERYONE:
        return True
    return note.audience == CaseNote.Audience.LEAD and access.lead


def record_refusal(actor: Membership | None, case_uuid) -> None:
    """A refused look at a case is an access decision too (L2): audited alike
    whether the case is missing, not the actor's, or closed to the role."""
    from samverkan.audit.services import audit_record

    audit_record(
        action="case.access_denied",
        actor=actor,
        object_type="cases.case",
        object_id=str(case_uuid),
    )


def purpose_required(actor: Membership | None) -> bool:
    """Police and prosecution state the purpose of each consultation (LED Art. 25)."""
    return actor is not None and actor.organisation.kind in LAW_ENFORCEMENT_KINDS


def may_share_with(case: Case, organisation: Organisation) -> bool:
    """A case kept from law enforcement cannot be shared with it."""
    return organisation.kind not in kinds_kept_out(case)


def deadlines_visible_to(actor: Membership | None) -> QuerySet[Deadline]:
    """The organisation's deadlines, on cases it can still see."""
    if not _is_case_worker(actor):
        return Deadline.objects.none()
    return Deadline.objects.filter(
        responsible_organisation_id=actor.organisation_id,
        case__in=cases_visible_to(actor).values("pk"),
    )
