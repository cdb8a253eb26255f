"""Reads on referrals, each starting from ``policy.referrals.referrals_visible_to``
and audited in the transaction that makes it.

The receiver of a referral it has not accepted reads the masked preview
only; the message opens for it once it takes part in the case, and only
while it does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet

from samverkan.accounts.models import Membership, Organisation
from samverkan.audit.services import audit_record
from samverkan.cases.models import Case, Category, Consent
from samverkan.cases.selectors import share_recipients
from samverkan.directory.models import Service
from samverkan.policy import access as policy
from samverkan.policy import cases as case_policy
from samverkan.policy import referrals as referral_policy
from samverkan.policy.access import CASE_ROLES
from samverkan.referrals.models import Referral, ReferralEvent, Team, TeamShare
from samverkan.referrals.services import LEFT_OUT_REASONS


@dataclass
class ReferralDetail:
    referral: Referral
    relation: str
    events: list[tuple[ReferralEvent, str]]
    # Shown only to the sender and to a receiver that takes part in the case.
    message: str | None
    case_visible: bool
    basis_in_force: bool
    allowed_actions: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_receiver(self) -> bool:
        return self.relation == referral_policy.RECEIVER


def _audited_list(actor: Membership, referrals: QuerySet[Referral], action: str) -> list[Referral]:
    rows = list(referrals.select_related("sender_organisation", "receiver", "service", "case"))
    audit_record(
        action=action,
        actor=actor,
        object_type="referrals.referral",
        categories=[Category.METADATA],
        flags=[f"results:{len(rows)}"],
    )
    return rows


@transaction.atomic
def referral_inbox(actor: Membership) -> tuple[list[Referral], list[Referral]]:
    """What the actor's organisation received, and what it sent: newest first."""
    policy.require(actor, "referral.inbox")
    visible = referral_policy.referrals_visible_to(actor)
    received = visible.filter(receiver_id=actor.organisation_id)
    sent = visible.filter(sender_organisation_id=actor.organisation_id).exclude(
        receiver_id=actor.organisation_id
    )
    return (
        _audited_list(actor, received, "referral.inbox_listed"),
        _audited_list(actor, sent, "referral.sent_listed"),
    )


@transaction.atomic
def referral_detail(actor: Membership, referral_uuid) -> ReferralDetail:
    policy.require(actor, "referral.inbox")
    referral = referral_policy.access_referral(actor, referral_uuid)
    relation = referral_policy.relation(actor, referral)
    case_access = case_policy.case_access(actor, referral.case)
    message_open = referral_policy.may_read_message(actor, referral)
    events = list(referral.events.select_related("organisation"))
    detail = ReferralDetail(
        referral=referral,
        relation=relation,
        events=[
            (
                event,
                (event.unseal("text") or "")
                if referral_policy.may_read_event_text(relation, event)
                else "",
            )
            for event in events
        ],
        message=(referral.unseal("message") or "") if message_open else None,
        case_visible=case_access.visible,
        basis_in_force=Consent.objects.in_force().filter(pk=referral.basis_id).exists(),
        allowed_actions=frozenset(
            action
            for action in referral_policy.REFERRAL_ACTIONS
            if referral_policy.can_on_referral(actor, action, referral)
        ),
    )
    audit_record(
        action="referral.viewed",
        actor=actor,
        target=referral,
        categories=[Category.METADATA] + ([Category.NOTES] if message_open else []),
        # The case too, so that "who looked at case X" finds this read.
        flags=[f"as:{relation}", f"case:{referral.case.uuid}"],
    )
    return detail


def referral_for_change(actor: Membership, referral_uuid) -> Referral:
    """The referral for a write; the service asks the policy again under its lock."""
    return referral_policy.access_referral(actor, referral_uuid)


def referrals_of_case(actor: Membership, case: Case) -> list[Referral]:
    """The case's referrals to one organisation or service, for its lead
    organisation's case page; those of a share with a team are in ``team_shares_of_case``."""
    return list(
        referral_policy.referrals_visible_to(actor)
        .filter(case=case, sender_organisation_id=actor.organisation_id, team_share=None)
        .select_related("receiver", "service")
    )


@dataclass
class TeamShareView:
    """A share with a team as one row, with the member organisations' answers the
    actor may see: all of them for the sender, its own one for a member."""

    share: TeamShare
    referrals: list[Referral]
    # For the sender only: [{"organisation": its name, "reason": why}].
    left_out: list[dict[str, str]]


def _team_share_views(actor: Membership, referrals: QuerySet[Referral]) -> list[TeamShareView]:
    rows = list(
        referrals.exclude(team_share=None)
        .select_related("team_share__team", "receiver")
        .order_by("-team_share__sent_at", "receiver__name")
    )
    by_share: dict[int, TeamShareView] = {}
    for referral in rows:
        share = referral.team_share
        if share.pk not in by_share:
            by_share[share.pk] = TeamShareView(share, [], _left_out(actor, share))
        by_share[share.pk].referrals.append(referral)
    return list(by_share.values())


def _left_out(actor: Membership, share: TeamShare) -> list[dict[str, str]]:
    if not referral_policy.is_team_share_sender(actor, share):
        return []
    names = dict(
        Organisation.objects.filter(
            uuid__in=[entry["organisation"] for entry in share.left_out]
        ).values_list("uuid", "name")
    )
    return [
        {
            "organisation": names.get(uuid.UUID(entry["organisation"]), ""),
            "reason": str(LEFT_OUT_REASONS[entry["reason"]]),
        }
        for entry in share.left_out
    ]


def team_shares_of_case(actor: Membership, case: Case) -> list[TeamShareView]:
    """The case's shares with teams, for its lead organisation's case page."""
    visible = referral_policy.referrals_visible_to(actor).filter(
        case=case, sender_organisation_id=actor.organisation_id
    )
    return _team_share_views(actor, visible)


def team_share_for_change(actor: Membership, share_uuid) -> TeamShare:
    """A share the actor's organisation sent; the service asks the policy again under lock."""
    share = (
        TeamShare.objects.filter(
            uuid=share_uuid,
            sender_organisation_id=actor.organisation_id,
            referrals__in=referral_policy.referrals_visible_to(actor),
        )
        .select_related("case", "team")
        .distinct()
        .first()
    )
    if share is None:
        raise policy.PolicyDenied
    return share


@transaction.atomic
def team_share_detail(actor: Membership, share_uuid) -> TeamShareView:
    """One share with a team as the actor may see it; reading it is audited."""
    policy.require(actor, "referral.inbox")
    visible = referral_policy.referrals_visible_to(actor).filter(team_share__uuid=share_uuid)
    views = _team_share_views(actor, visible)
    if not views:
        raise policy.PolicyDenied
    view = views[0]
    audit_record(
        action="team_share.viewed",
        actor=actor,
        target=view.share,
        categories=[Category.METADATA],
        flags=[f"results:{len(view.referrals)}"],
    )
    return view


def referral_services(case: Case) -> QuerySet[Service]:
    """Services a case can be referred to: active, in its country, not its lead's own."""
    recipients = share_recipients(None, case)
    return (
        Service.objects.active()
        .filter(country=case.country, provider__in=recipients)
        .select_related("provider")
    )


@dataclass
class CaseSharing:
    """The person's current sharing, in plain words: who sees what, and why."""

    case: Case
    participations: list
    consents: list[Consent]
    consents_in_force: set[int]
    named_for_secret_location: int


@transaction.atomic
def case_sharing(actor: Membership, case_uuid) -> CaseSharing:
    """For the lead, who may show and print it for the person."""
    from samverkan.cases.selectors import case_for_action

    case = case_for_action(actor, case_uuid, "case.consent.manage")
    in_force = set(
        Consent.objects.in_force().filter(person_id=case.person_id).values_list("pk", flat=True)
    )
    participations = [
        participation
        for participation in case.participations.filter(revoked_at__isnull=True).select_related(
            "organisation", "basis"
        )
        if participation.basis_id in in_force
    ]
    sharing = CaseSharing(
        case=case,
        participations=participations,
        consents=list(
            Consent.objects.filter(person_id=case.person_id).prefetch_related("organisations")
        ),
        consents_in_force=in_force,
        named_for_secret_location=case.secret_location_access.filter(
            revoked_at__isnull=True
        ).count(),
    )
    audit_record(
        action="case.sharing_viewed", actor=actor, target=case, categories=[Category.METADATA]
    )
    return sharing


def team_list(actor: Membership) -> list:
    policy.require(actor, "team.list")
    return list(
        referral_policy.teams_visible_to(actor)
        .select_related("convener")
        .prefetch_related("organisations")
    )


def team_detail(actor: Membership, team_uuid):
    team = referral_policy.teams_visible_to(actor).filter(uuid=team_uuid).first()
    if team is None:
        raise policy.PolicyDenied
    return team


def team_list_for_case(actor: Membership, case: Case) -> QuerySet[Team]:
    """The teams a case can be shared with: those of its country the actor knows."""
    return (
        referral_policy.teams_visible_to(actor)
        .filter(country=case.country)
        .prefetch_related("organisations")
    )


def team_for_change(actor: Membership, team_uuid) -> Team:
    """A team the actor's organisation convenes; the service asks again under lock."""
    team = team_detail(actor, team_uuid)
    if not referral_policy.can_manage_team(actor, team):
        raise policy.PolicyDenied
    return team


@dataclass
class TeamPage:
    team: Team
    organisations: list[Organisation]
    members: list[Membership]
    may_manage: bool
    # What the convener may add: organisations of the country, people of member organisations.
    candidate_organisations: QuerySet[Organisation]
    candidate_members: QuerySet[Membership]
    shares: list[TeamShareView]


def team_candidate_organisations(team: Team) -> QuerySet[Organisation]:
    return Organisation.objects.filter(country=team.country, is_active=True).exclude(
        pk__in=team.organisations.values("pk")
    )


def team_candidate_members(team: Team) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(
            organisation__in=team.organisations.all(),
            is_active=True,
            user__is_active=True,
            role__in=CASE_ROLES,
        )
        .exclude(pk__in=team.members.values("pk"))
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__full_name")
    )


@transaction.atomic
def team_page(actor: Membership, team_uuid) -> TeamPage:
    """A team: its members, and the shares with it the actor's organisation sent
    or received. Reading who is in it is audited, as the people are named."""
    team = team_detail(actor, team_uuid)
    visible = referral_policy.referrals_visible_to(actor).filter(team_share__team=team)
    page = TeamPage(
        team=team,
        organisations=list(team.organisations.order_by("name")),
        members=list(
            team.members.select_related("user", "organisation").order_by(
                "organisation__name", "user__full_name"
            )
        ),
        may_manage=referral_policy.can_manage_team(actor, team),
        candidate_organisations=team_candidate_organisations(team),
        candidate_members=team_candidate_members(team),
        shares=_team_share_views(actor, visible),
    )
    audit_record(
        action="team.viewed",
        actor=actor,
        target=team,
        flags=[f"shares:{len(page.shares)}"],
    )
    return page


@transaction.atomic
def consultation_list(actor: Membership) -> list:
    rows = list(
        referral_policy.consultations_visible_to(actor).select_related("team", "organisation")
    )
    audit_record(
        action="consultation.listed",
        actor=actor,
        object_type="referrals.consultation",
        flags=[f"results:{len(rows)}"],
    )
    return rows


@transaction.atomic
def consultation_detail(actor: Membership, consultation_uuid):
    """The thread, each message opened; reading it is audited."""
    consultation = referral_policy.access_consultation(actor, consultation_uuid)
    messages = [
        (message, message.unseal("body") or "")
        for message in consultation.messages.select_related("organisation", "author__user")
    ]
    audit_record(action="consultation.viewed", actor=actor, target=consultation)
    return consultation, messages
