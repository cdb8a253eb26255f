"""Who may see and do what with referrals and the service directory.

Part of the one policy (``samverkan.policy``):

- A referral is seen by the case workers of the organisation that sent it
  (the case's lead) and of the organisation it is sent to; nobody else
  learns it exists. Police and prosecution never see a referral of a case
  kept from law enforcement.
- Before accepting, the receiver sees only the masked preview: never the
  case, its number or the message. Accepting makes it a participant for
  exactly the referral's categories, which the consent or legal basis must
  still allow (``samverkan.cases.services.check_share`` says so, for shares
  and referrals alike); the case's own policy (``policy.cases``) then
  decides every read, so withdrawn consent ends access on the next request.
- The receiver accepts, declines or asks for information while the
  referral is open; the sender answers, or withdraws it.
- An open referral ends (``Referral.Status.ENDED``) once its receiver may no
  longer get it: the case is closed, kept from the receiver's kind, or the
  basis is no longer in force (``lapsed_referrals``). Nothing is sent to a
  receiver about such a referral (``may_reach_receiver``).
- The directory holds no personal data: everyone logged in reads it; a
  provider organisation keeps its own services and their free places.
- Teams are known to the case workers and organisation admins of the
  country; a coordinator or an
  organisation admin convenes one for its own organisation, and the
  convener's coordinators and organisation admins add and remove its member
  organisations and people (the convener stays). An anonymous consultation
  is read and answered by the professional who asked it and the team's
  named members at the time of reading, nobody else.
- A case is shared with a team as one referral to each member organisation
  the basis allows (never the sender's own); each answers for itself. The
  sender sees every member's answer; a member sees its own referral only.
  A member that leaves the team no longer gets the share: its open referrals
  of the team's shares end (``left_team_referrals``); what it accepted
  before stays until the sender revokes that share.
"""

from __future__ import annotations

import logging

from django.db.models import Q, QuerySet

from samverkan.accounts.models import Membership
from samverkan.cases.models import Case, Consent, Participation
from samverkan.directory.models import Service
from samverkan.policy import cases as case_policy
from samverkan.policy.access import CASE_ROLES, CASE_WORKERS, PolicyDenied, can
from samverkan.policy.cases import LAW_ENFORCEMENT_KINDS, kinds_kept_out
from samverkan.referrals.models import Consultation, Referral, ReferralEvent, Team, TeamShare

logger = logging.getLogger(__name__)

SENDER = "sender"
RECEIVER = "receiver"
# action -> (roles, relation to the referral, statuses it is allowed in)
REFERRAL_ACTIONS: dict[str, tuple[frozenset[str], str, tuple[str, ...]]] = {
    "referral.accept": (CASE_ROLES, RECEIVER, (Referral.Status.SENT,)),
    "referral.decline": (CASE_ROLES, RECEIVER, Referral.OPEN_STATUSES),
    "referral.request_information": (CASE_ROLES, RECEIVER, (Referral.Status.SENT,)),
    "referral.answer": (CASE_WORKERS, SENDER, (Referral.Status.INFORMATION_REQUESTED,)),
    "referral.withdraw": (CASE_WORKERS, SENDER, Referral.OPEN_STATUSES),
}


def _is_case_worker(actor: Membership | None) -> bool:
    return actor is not None and actor.is_active and actor.role in CASE_ROLES


def referrals_visible_to(actor: Membership | None) -> QuerySet[Referral]:
    """The referrals the actor's organisation sent or received; ``.none()`` otherwise."""
    if not _is_case_worker(actor):
        return Referral.objects.none()
    organisation = actor.organisation
    referrals = Referral.objects.filter(
        Q(sender_organisation=organisation, case__lead_organisation=organisation)
        | Q(receiver=organisation)
    )
    if organisation.kind in LAW_ENFORCEMENT_KINDS:
        referrals = referrals.filter(case__confidential_from_law_enforcement=False)
    return referrals


def lapsed_referrals(case: Case) -> QuerySet[Referral]:
    """The open referrals of ``case`` whose receiver may no longer get them."""
    referrals = Referral.objects.open().filter(case=case)
    if case.is_closed:
        return referrals
    return referrals.filter(
        Q(receiver__kind__in=kinds_kept_out(case)) | ~Q(basis__in=Consent.objects.in_force())
    )


def left_team_referrals(team: Team, organisation) -> QuerySet[Referral]:
    """The open referrals of ``team``'s shares to ``organisation``, which end
    when it leaves the team."""
    return Referral.objects.open().filter(team_share__team=team, receiver=organisation)


def may_reach_receiver(referral: Referral) -> bool:
    """May the receiver still be told of this referral? Read fresh, never from a cache."""
    case = Case.objects.get(pk=referral.case_id)
    return referral.is_open and not lapsed_referrals(case).filter(pk=referral.pk).exists()


def relation(actor: Membership | None, referral: Referral) -> str | None:
    """Sender, receiver or nothing; the same for every membership of one organisation."""
    if not referrals_visible_to(actor).filter(pk=referral.pk).exists():
        return None
    if referral.receiver_id == actor.organisation_id:
        return RECEIVER
    return SENDER


def may_read_message(actor: Membership | None, referral: Referral) -> bool:
    """The sender reads the message; the receiver only while the participation
    this referral made is in force (not another way it takes part in the case)."""
    side = relation(actor, referral)
    if side == SENDER:
        return True
    if side != RECEIVER or referral.status != Referral.Status.ACCEPTED:
        return False
    in_force = Participation.objects.filter(
        pk=referral.participation_id,
        revoked_at__isnull=True,
        basis__in=Consent.objects.in_force(),
    ).exists()
    return in_force and case_policy.case_access(actor, referral.case).visible


def may_read_event_text(side: str, event: ReferralEvent) -> bool:
    """Why the sender withdrew is its own business: the receiver reads no reason."""
    return side == SENDER or event.kind != ReferralEvent.Kind.WITHDRAWN


def can_on_referral(actor: Membership | None, action: str, referral: Referral) -> bool:
    """May ``actor`` perform ``action`` on ``referral`` now? Fails closed."""
    try:
        roles, needed, statuses = REFERRAL_ACTIONS[action]
        if actor is None or actor.role not in roles:
            return False
        if relation(actor, referral) != needed:
            return False
        return referral.status in statuses
    except Exception:
        logger.exception("referral policy decision failed; denying", extra={"action": action})
        return False


def access_referral(actor: Membership | None, referral_uuid) -> Referral:
    """The referral, or the same 404 for "missing" and "not yours"."""
    referral = (
        referrals_visible_to(actor)
        .select_related("case", "sender_organisation", "receiver", "service", "basis")
        .filter(uuid=referral_uuid)
        .first()
    )
    if referral is None:
        raise PolicyDenied
    return referral


def services_visible_to(actor: Membership | None) -> QuerySet[Service]:
    if not can(actor, "directory.view"):
        return Service.objects.none()
    return Service.objects.active()


def can_manage_service(actor: Membership | None, service: Service | None = None) -> bool:
    """A provider keeps its own services; ``service`` None asks about adding one."""
    if not can(actor, "directory.manage"):
        return False
    return service is None or service.provider_id == actor.organisation_id


def teams_visible_to(actor: Membership | None) -> QuerySet[Team]:
    """The teams of the actor's country: any professional may ask one for advice."""
    if not can(actor, "team.list"):
        return Team.objects.none()
    return Team.objects.filter(country=actor.organisation.country)


def can_manage_team(actor: Membership | None, team: Team) -> bool:
    """The convener's coordinators and organisation admins keep its members."""
    return can(actor, "team.manage") and team.convener_id == actor.organisation_id


def is_team_share_sender(actor: Membership | None, share: TeamShare) -> bool:
    """Only the sending organisation withdraws a share with a team and learns
    which members were left out of it and why."""
    return actor is not None and share.sender_organisation_id == actor.organisation_id


def consultations_visible_to(actor: Membership | None) -> QuerySet[Consultation]:
    """The consultations the actor asked, and those put to a team naming the actor."""
    if not can(actor, "consultation.ask"):
        return Consultation.objects.none()
    return Consultation.objects.filter(Q(asked_by=actor) | Q(team__members=actor)).distinct()


def access_consultation(actor: Membership | None, consultation_uuid) -> Consultation:
    consultation = (
        consultations_visible_to(actor)
        .select_related("team", "organisation")
        .filter(uuid=consultation_uuid)
        .first()
    )
    if consultation is None:
        raise PolicyDenied
    return consultation
