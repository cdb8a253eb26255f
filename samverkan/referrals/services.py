"""Writes on referrals: send (to one organisation, or to each member of a team), accept,
decline, ask for information, answer, withdraw.

Each asks the policy, changes the rows and writes its audit entry in one
transaction. What may be shared is checked here, by the same rule as a share
(``cases.services.check_share``), not only greyed out in the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samverkan.accounts.models import Membership, Organisation
from samverkan.audit.services import audit_record
from samverkan.cases import services as case_services
from samverkan.cases.models import Case, Category, Consent
from samverkan.directory.models import Service, ServiceKind
from samverkan.directory.services import service_take_place
from samverkan.policy import cases as case_policy
from samverkan.policy import referrals as referral_policy
from samverkan.policy.access import PolicyDenied
from samverkan.referrals.identifiers import LABELS, likely_identifiers
from samverkan.referrals.models import (
    DeclineReason,
    Referral,
    ReferralEvent,
    Team,
    TeamShare,
    Urgency,
)

TEXT_MAX = 5000


def _event(referral: Referral, kind: str, actor: Membership | None, text: str = "") -> None:
    event = ReferralEvent(
        referral=referral,
        kind=kind,
        membership=actor,
        organisation_id=actor.organisation_id if actor else None,
    )
    event.seal("text", text.strip())
    event.save()


def _languages(case: Case) -> list[str]:
    identity = case.person.unseal("identity") or {}
    return sorted({str(language) for language in identity.get("languages") or []})


def _check_request(*, needs: list[str], urgency: str, message: str) -> None:
    if not needs or set(needs) - set(ServiceKind.values):
        raise ValidationError({"needs": _("Name the needs the referral addresses.")})
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": _("Choose how urgent it is.")})
    if len(message) > TEXT_MAX:
        raise ValidationError({"message": _("The message is too long.")})


def _lock_case_to_refer(actor: Membership, case: Case) -> Case:
    """The case under lock (the first lock of every write here), if the actor may refer it."""
    case = Case.objects.select_for_update().select_related("person").get(pk=case.pk)
    access = case_policy.case_access(actor, case)
    case_policy.require_on_case(actor, "case.refer", case, access)
    if case.is_closed:
        raise ValidationError(_("The case is closed."))
    return case


def _create(
    *,
    actor: Membership,
    case: Case,
    receiver: Organisation,
    basis: Consent,
    purpose: str,
    categories: list[str],
    needs: list[str],
    urgency: str,
    message: str,
    service: Service | None = None,
    team_share: TeamShare | None = None,
) -> Referral:
    """Write a referral already checked against the basis, its event and audit entry."""
    referral = Referral(
        case=case,
        sender_organisation=actor.organisation,
        sent_by=actor,
        receiver=receiver,
        service=service,
        team_share=team_share,
        purpose=purpose,
        basis=basis,
        categories=sorted(set(categories) | {Category.METADATA}),
        needs=sorted(set(needs)),
        urgency=urgency,
        age_group=case.person.age_group,
        sex=case.person.sex,
        languages=_languages(case),
        municipality=case.municipality,
    )
    referral.seal("message", message.strip())
    referral.save()
    _event(referral, ReferralEvent.Kind.SENT, actor)
    flags = [f"case:{case.uuid}", f"recipient:{receiver.uuid}"]
    if team_share is not None:
        flags.append(f"team_share:{team_share.uuid}")
    audit_record(
        action="referral.sent",
        actor=actor,
        target=referral,
        categories=referral.categories,
        reason=purpose,
        flags=flags,
    )
    from samverkan.referrals import tasks

    run_after = timezone.now() + timedelta(hours=settings.REFERRAL_REMINDER_HOURS)
    transaction.on_commit(lambda: tasks.tell_receiver.enqueue(referral.pk, False))
    transaction.on_commit(
        lambda: tasks.remind_unanswered.using(run_after=run_after).enqueue(referral.pk)
    )
    return referral


@transaction.atomic
def referral_send(
    *,
    actor: Membership,
    case: Case,
    basis: Consent,
    purpose: str,
    categories: list[str],
    needs: list[str],
    urgency: str,
    receiver: Organisation | None = None,
    service: Service | None = None,
    message: str = "",
) -> Referral:
    """Refer the person of ``case`` to a service (its provider receives it) or to
    an organisation, for the categories the consent or legal basis allows."""
    case = _lock_case_to_refer(actor, case)
    if service is not None:
        if not service.is_active:
            raise ValidationError({"service": _("That service is no longer offered.")})
        receiver = service.provider
    if receiver is None or not receiver.is_active or receiver.country != case.country:
        raise ValidationError({"receiver": _("Choose a service or an organisation to refer to.")})
    _check_request(needs=needs, urgency=urgency, message=message)
    case_services.check_share(
        case=case, organisation=receiver, purpose=purpose, categories=categories, basis=basis
    )
    if Referral.objects.open().filter(case=case, receiver=receiver).exists():
        raise ValidationError(_("An open referral to this organisation already exists."))
    return _create(
        actor=actor,
        case=case,
        receiver=receiver,
        service=service,
        basis=basis,
        purpose=purpose,
        categories=categories,
        needs=needs,
        urgency=urgency,
        message=message,
    )


# Why a member organisation gets no referral when a case is shared with its team;
# beside the basis's own reasons (cases.services.SHARE_REFUSALS).
LEFT_OUT_REASONS = {
    **case_services.SHARE_REFUSALS,
    "open_referral": gettext_lazy("It already has an open referral of this case."),
    "inactive": gettext_lazy("The organisation is no longer active."),
}


@dataclass(frozen=True)
class TeamMemberPlan:
    """One member organisation of a team, and why it is left out of a share (or None)."""

    organisation: Organisation
    reason: str | None

    @property
    def reason_label(self) -> str:
        return str(LEFT_OUT_REASONS[self.reason]) if self.reason else ""


def team_share_plan(*, case: Case, team: Team, basis: Consent, purpose: str | None = None):
    """Every member organisation of ``team`` and whether a share of ``case`` under
    ``basis`` would reach it; without a purpose, as ``share_refusal`` says."""
    open_receivers = set(
        Referral.objects.open().filter(case=case).values_list("receiver_id", flat=True)
    )
    plan = []
    for organisation in team.organisations.order_by("name", "pk"):
        reason = case_services.share_refusal(
            case=case, organisation=organisation, purpose=purpose, basis=basis
        )
        if reason is None and not organisation.is_active:
            reason = "inactive"
        if reason is None and organisation.pk in open_receivers:
            reason = "open_referral"
        plan.append(TeamMemberPlan(organisation, reason))
    return plan


@transaction.atomic
def team_share_send(
    *,
    actor: Membership,
    case: Case,
    team: Team,
    basis: Consent,
    purpose: str,
    categories: list[str],
    needs: list[str],
    urgency: str,
    message: str = "",
) -> TeamShare:
    """Share ``case`` with a team of its country: one referral to each member
    organisation the basis allows, by the rule of an ordinary referral; the
    others are left out, and the share records which and why.

    Locks as ``referral_send`` does: the case first, the audit head last."""
    case = _lock_case_to_refer(actor, case)
    # Locked after the case: a member leaving meanwhile (``team_organisation_remove``
    # locks the team first) is either left out here or has this share's referral ended.
    team = Team.objects.select_for_update().get(pk=team.pk)
    if team.country != case.country:
        raise ValidationError({"team": _("Choose a team of the case's country.")})
    _check_request(needs=needs, urgency=urgency, message=message)
    case_services.check_basis(case=case, categories=categories, basis=basis)
    plan = team_share_plan(case=case, team=team, basis=basis, purpose=purpose)
    receivers = [member.organisation for member in plan if member.reason is None]
    if not receivers:
        raise ValidationError(
            {"team": _("No member organisation of this team may receive this case on this basis.")}
        )
    share = TeamShare.objects.create(
        case=case,
        team=team,
        sender_organisation=actor.organisation,
        sent_by=actor,
        left_out=[
            {"organisation": str(member.organisation.uuid), "reason": member.reason}
            for member in plan
            if member.reason is not None
        ],
    )
    for receiver in receivers:
        _create(
            actor=actor,
            case=case,
            receiver=receiver,
            basis=basis,
            purpose=purpose,
            categories=categories,
            needs=needs,
            urgency=urgency,
            message=message,
            team_share=share,
        )
    audit_record(
        action="team_share.sent",
        actor=actor,
        target=share,
        categories=sorted(set(categories) | {Category.METADATA}),
        reason=purpose,
        flags=[
            f"case:{case.uuid}",
            f"team:{team.uuid}",
            *(f"recipient:{receiver.uuid}" for receiver in receivers),
            *(f"left_out:{entry['organisation']}:{entry['reason']}" for entry in share.left_out),
        ],
    )
    return share


STATUS_REFUSALS = {
    Referral.Status.ACCEPTED: gettext_lazy("The referral has already been accepted."),
    Referral.Status.DECLINED: gettext_lazy("The referral has already been declined."),
    Referral.Status.WITHDRAWN: gettext_lazy("The referral has been withdrawn by its sender."),
    Referral.Status.INFORMATION_REQUESTED: gettext_lazy(
        "More information was asked for: wait for the sender's answer."
    ),
    Referral.Status.SENT: gettext_lazy("The referral is waiting for the receiver's answer."),
    Referral.Status.ENDED: gettext_lazy(
        "The referral has ended: the case was closed or may no longer be shared this way."
    ),
}


def _locked(actor: Membership, referral: Referral, action: str) -> Referral:
    """The referral under lock, if ``actor`` may ``action`` it in its current status.

    Someone on the right side who is merely too late gets a plain reason; anyone
    else the usual 404.
    """
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral_policy.can_on_referral(actor, action, referral):
        return referral
    roles, side, _statuses = referral_policy.REFERRAL_ACTIONS[action]
    if actor.role in roles and referral_policy.relation(actor, referral) == side:
        raise ValidationError(str(STATUS_REFUSALS[referral.status]))
    raise PolicyDenied


def _respond(referral: Referral, actor: Membership, status: str, **fields) -> None:
    referral.status = status
    referral.responded_at = timezone.now()
    referral.responded_by = actor
    for name, value in fields.items():
        setattr(referral, name, value)
    referral.save(update_fields=["status", "responded_at", "responded_by", *fields])


@transaction.atomic
def referral_accept(*, actor: Membership, referral: Referral) -> Referral:
    """The receiver accepts: it takes part in the case for exactly the referral's
    categories (if the basis still allows them) and takes one free place.

    Locks in the one order every write here keeps: case, referral, service,
    audit head (a provider changing its free places locks service, audit
    head), so that no two of them wait on each other."""
    list(
        Case.objects.select_for_update()
        .filter(pk__in=Referral.objects.filter(pk=referral.pk).values("case_id"))
        .values_list("pk", flat=True)
    )
    referral = _locked(actor, referral, "referral.accept")
    if referral.service_id is not None and not referral.service.is_active:
        raise ValidationError(_("That service is no longer offered."))
    if referral.service_id is not None:
        service_take_place(referral.service)
    participation = case_services.join_by_referral(
        actor=actor,
        case=referral.case,
        purpose=referral.purpose,
        categories=referral.categories,
        basis=referral.basis,
    )
    _respond(referral, actor, Referral.Status.ACCEPTED, participation=participation)
    _event(referral, ReferralEvent.Kind.ACCEPTED, actor)
    audit_record(
        action="referral.accepted",
        actor=actor,
        target=referral,
        categories=participation.categories,
    )
    return referral


def _text(text: str, *, required: bool, field: str) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: _("Write a few words.")})
    if len(text) > TEXT_MAX:
        raise ValidationError({field: _("The text is too long.")})
    return text


@transaction.atomic
def referral_decline(
    *, actor: Membership, referral: Referral, reason: str, text: str = ""
) -> Referral:
    referral = _locked(actor, referral, "referral.decline")
    if reason not in DeclineReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    text = _text(text, required=reason == DeclineReason.OTHER, field="text")
    _respond(referral, actor, Referral.Status.DECLINED, decline_reason=reason)
    _event(referral, ReferralEvent.Kind.DECLINED, actor, text)
    audit_record(action="referral.declined", actor=actor, target=referral, reason=reason)
    return referral


@transaction.atomic
def referral_request_information(
    *, actor: Membership, referral: Referral, question: str
) -> Referral:
    referral = _locked(actor, referral, "referral.request_information")
    question = _text(question, required=True, field="question")
    _respond(referral, actor, Referral.Status.INFORMATION_REQUESTED)
    _event(referral, ReferralEvent.Kind.INFORMATION_REQUESTED, actor, question)
    audit_record(action="referral.information_requested", actor=actor, target=referral)
    return referral


@transaction.atomic
def referral_answer(
    *, actor: Membership, referral: Referral, answer: str, confirmed: bool = False
) -> Referral:
    """The sender answers the receiver's question; the referral awaits a decision again.

    The receiver has not accepted yet, so the answer is checked for likely
    identifiers as an anonymous consultation is, and sent only once confirmed."""
    referral = _locked(actor, referral, "referral.answer")
    answer = _text(answer, required=True, field="answer")
    kinds = likely_identifiers(answer)
    if kinds and not confirmed:
        message = _(
            "This looks like personal data (%(kinds)s). Remove it, or confirm that it "
            "identifies nobody."
        )
        labels = ", ".join(str(LABELS[kind]) for kind in kinds)
        raise ValidationError({"answer": message % {"kinds": labels}})
    referral.status = Referral.Status.SENT
    referral.save(update_fields=["status"])
    _event(referral, ReferralEvent.Kind.INFORMATION_GIVEN, actor, answer)
    audit_record(
        action="referral.information_given",
        actor=actor,
        target=referral,
        flags=[f"flagged:{kind}" for kind in kinds],
    )
    return referral


@transaction.atomic
def referral_withdraw(*, actor: Membership, referral: Referral, text: str = "") -> Referral:
    """The sender takes back an open referral; an accepted one ends by ending the share."""
    referral = _locked(actor, referral, "referral.withdraw")
    text = _text(text, required=False, field="text")
    _respond(referral, actor, Referral.Status.WITHDRAWN)
    _event(referral, ReferralEvent.Kind.WITHDRAWN, actor, text)
    audit_record(action="referral.withdrawn", actor=actor, target=referral)
    return referral


@transaction.atomic
def team_share_withdraw(*, actor: Membership, share: TeamShare, text: str = "") -> TeamShare:
    """The sender takes back a share with a team: its open referrals are withdrawn;
    members that accepted keep taking part until the share with them is revoked."""
    _lock_case_to_refer(actor, share.case)
    share = TeamShare.objects.select_for_update().get(pk=share.pk)
    if not referral_policy.is_team_share_sender(actor, share):
        raise PolicyDenied
    if share.is_withdrawn:
        raise ValidationError(_("The share with the team has already been withdrawn."))
    text = _text(text, required=False, field="text")
    # Every referral locked before the first audit entry: the audit head is taken last.
    referrals = list(share.referrals.open().select_for_update())
    share.withdrawn_at = timezone.now()
    share.withdrawn_by = actor
    share.save(update_fields=["withdrawn_at", "withdrawn_by"])
    for referral in referrals:
        _respond(referral, actor, Referral.Status.WITHDRAWN)
        _event(referral, ReferralEvent.Kind.WITHDRAWN, actor, text)
        audit_record(
            action="referral.withdrawn",
            actor=actor,
            target=referral,
            flags=[f"team_share:{share.uuid}"],
        )
    audit_record(
        action="team_share.withdrawn",
        actor=actor,
        target=share,
        flags=[f"case:{share.case.uuid}", f"withdrawn:{len(referrals)}"],
    )
    return share


def referral_end(referral: Referral, actor: Membership) -> None:
    """End an open referral its receiver may no longer get. The caller holds its
    lock and audits."""
    referral.status = Referral.Status.ENDED
    referral.save(update_fields=["status"])
    _event(referral, ReferralEvent.Kind.ENDED, actor)


def end_lapsed_referrals(*, actor: Membership, case: Case) -> None:
    """End every open referral of ``case`` its receiver may no longer get (the
    policy's ``lapsed_referrals``). The caller holds the case's lock and has
    written no audit entry yet (see ``referral_accept`` for the lock order)."""
    # All locked before the first audit entry: the audit head is always taken last.
    for referral in list(referral_policy.lapsed_referrals(case).select_for_update()):
        referral_end(referral, actor)
        audit_record(
            action="referral.ended", actor=actor, target=referral, flags=[f"case:{case.uuid}"]
        )


def claim_reminder(referral_id: int) -> Referral | None:
    """Claim the one reminder of a referral still unanswered; None if there is nothing
    to send, also when the receiver may no longer get the referral."""
    referral = (
        Referral.objects.select_for_update()
        .filter(pk=referral_id, status=Referral.Status.SENT, reminded_at__isnull=True)
        .first()
    )
    if referral is None or not referral_policy.may_reach_receiver(referral):
        return None
    referral.reminded_at = timezone.now()
    referral.save(update_fields=["reminded_at"])
    _event(referral, ReferralEvent.Kind.REMINDED, None)
    audit_record(action="referral.reminded", target=referral)
    return referral
