"""Writes on teams and anonymous consultations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samverkan.accounts.models import Membership, Organisation
from samverkan.audit.services import audit_record
from samverkan.policy import access as policy
from samverkan.policy import referrals as referral_policy
from samverkan.referrals.identifiers import likely_identifiers
from samverkan.referrals.models import Consultation, ConsultationMessage, Team
from samverkan.referrals.services import referral_end

TEXT_MAX = 5000


class IdentifiersFound(ValidationError):
    """The text seems to hold identifiers; send again with ``confirmed`` to keep it."""

    def __init__(self, kinds: list[str]):
        self.kinds = kinds
        super().__init__(
            _("This looks like personal data. Remove it, or confirm that it identifies nobody."),
            code="likely_identifiers",
        )


@transaction.atomic
def team_create(
    *,
    actor: Membership,
    name: str,
    kind: str,
    area: str,
    organisations: list[Organisation],
    members: list[Membership] = (),
) -> Team:
    """A team convened by the actor's organisation, which is always a member."""
    policy.require(actor, "team.create")
    if kind not in Team.Kind.values:
        raise ValidationError({"kind": _("Choose a kind of team.")})
    if not name.strip() or not area.strip():
        raise ValidationError(_("Name the team and its municipality or county."))
    country = actor.organisation.country
    if any(organisation.country != country for organisation in organisations):
        raise ValidationError({"organisations": _("A team's members are of one country.")})
    member_organisations = {*organisations, actor.organisation}
    if any(member.organisation not in member_organisations for member in members):
        raise ValidationError({"members": _("Members act for a member organisation.")})
    team = Team.objects.create(
        name=name.strip(),
        kind=kind,
        country=country,
        area=area.strip(),
        convener=actor.organisation,
        created_by=actor,
    )
    team.organisations.set(member_organisations)
    team.members.set(members)
    audit_record(action="team.created", actor=actor, target=team)
    return team


def _lock_team_to_manage(actor: Membership, team: Team) -> Team:
    team = Team.objects.select_for_update().filter(pk=team.pk).first()
    if team is None or not referral_policy.can_manage_team(actor, team):
        raise policy.PolicyDenied
    return team


@transaction.atomic
def team_organisation_add(*, actor: Membership, team: Team, organisation: Organisation) -> Team:
    """The convener adds a member organisation of the team's country."""
    team = _lock_team_to_manage(actor, team)
    if not organisation.is_active or organisation.country != team.country:
        raise ValidationError({"organisation": _("A team's members are of one country.")})
    if team.organisations.filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": _("That organisation is already a member.")})
    team.organisations.add(organisation)
    audit_record(
        action="team.organisation_added",
        actor=actor,
        target=team,
        flags=[f"organisation:{organisation.uuid}"],
    )
    return team


@transaction.atomic
def team_organisation_remove(*, actor: Membership, team: Team, organisation: Organisation) -> Team:
    """The convener removes a member organisation, and with it the organisation's
    people: they no longer read the team's consultations."""
    team = _lock_team_to_manage(actor, team)
    if organisation.pk == team.convener_id:
        raise ValidationError({"organisation": _("The convener cannot leave its own team.")})
    if not team.organisations.filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": _("That organisation is not a member.")})
    people = list(team.members.filter(organisation=organisation))
    # All locked before the first audit entry: the audit head is always taken last.
    # The referrals only: locking their shares too would take share after referral,
    # the reverse of ``team_share_withdraw``.
    ended = list(
        referral_policy.left_team_referrals(team, organisation).select_for_update(of=("self",))
    )
    team.members.remove(*people)
    team.organisations.remove(organisation)
    for referral in ended:
        referral_end(referral, actor)
        audit_record(
            action="referral.ended",
            actor=actor,
            target=referral,
            flags=[f"team:{team.uuid}"],
        )
    audit_record(
        action="team.organisation_removed",
        actor=actor,
        target=team,
        flags=[
            f"organisation:{organisation.uuid}",
            *(f"member:{member.uuid}" for member in people),
        ],
    )
    return team


@transaction.atomic
def team_member_add(*, actor: Membership, team: Team, member: Membership) -> Team:
    """The convener names a person, acting for a member organisation, who reads
    and answers the team's consultations."""
    team = _lock_team_to_manage(actor, team)
    if not member.is_active or not team.organisations.filter(pk=member.organisation_id).exists():
        raise ValidationError({"member": _("Members act for a member organisation.")})
    if team.members.filter(pk=member.pk).exists():
        raise ValidationError({"member": _("That person is already a member.")})
    team.members.add(member)
    audit_record(
        action="team.member_added", actor=actor, target=team, flags=[f"member:{member.uuid}"]
    )
    return team


@transaction.atomic
def team_member_remove(*, actor: Membership, team: Team, member: Membership) -> Team:
    team = _lock_team_to_manage(actor, team)
    if not team.members.filter(pk=member.pk).exists():
        raise ValidationError({"member": _("That person is not a member.")})
    team.members.remove(member)
    audit_record(
        action="team.member_removed", actor=actor, target=team, flags=[f"member:{member.uuid}"]
    )
    return team


# (adding?, what) -> the change, for pages and the API alike.
MEMBER_CHANGES = {
    (True, "organisation"): team_organisation_add,
    (False, "organisation"): team_organisation_remove,
    (True, "member"): team_member_add,
    (False, "member"): team_member_remove,
}


def _message(consultation, actor, body: str, confirmed: bool) -> ConsultationMessage:
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write your question or answer.")})
    if len(body) > TEXT_MAX:
        raise ValidationError({"body": _("The text is too long.")})
    kinds = likely_identifiers(body)
    if kinds and not confirmed:
        raise IdentifiersFound(kinds)
    message = ConsultationMessage(
        consultation=consultation,
        author=actor,
        organisation_id=actor.organisation_id,
        flagged=kinds,
    )
    message.seal("body", body)
    message.save()
    return message


@transaction.atomic
def consultation_ask(
    *, actor: Membership, team: Team, subject: str, body: str, confirmed: bool = False
) -> Consultation:
    """Ask a team for advice without naming the person; likely identifiers stop
    the question until the author removes them or confirms they identify nobody."""
    policy.require(actor, "consultation.ask")
    if not referral_policy.teams_visible_to(actor).filter(pk=team.pk).exists():
        raise policy.PolicyDenied
    subject = subject.strip()
    if not subject or len(subject) > 200:
        raise ValidationError({"subject": _("Give the question a short subject.")})
    if likely_identifiers(subject):
        raise IdentifiersFound(likely_identifiers(subject))
    consultation = Consultation.objects.create(
        team=team, asked_by=actor, organisation_id=actor.organisation_id, subject=subject
    )
    message = _message(consultation, actor, body, confirmed)
    audit_record(
        action="consultation.asked",
        actor=actor,
        target=consultation,
        flags=[f"identifiers:{kind}" for kind in message.flagged],
    )
    return consultation


@transaction.atomic
def consultation_reply(
    *, actor: Membership, consultation: Consultation, body: str, confirmed: bool = False
) -> ConsultationMessage:
    consultation = referral_policy.access_consultation(actor, consultation.uuid)
    message = _message(consultation, actor, body, confirmed)
    audit_record(
        action="consultation.replied",
        actor=actor,
        target=consultation,
        flags=[f"identifiers:{kind}" for kind in message.flagged],
    )
    return message
