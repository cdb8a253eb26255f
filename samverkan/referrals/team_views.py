"""Pages for teams, their members, shares of a case with a team, and anonymous consultations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samverkan.accounts.models import Membership, Organisation
from samverkan.cases import selectors as case_selectors
from samverkan.cases.views import case_page
from samverkan.policy import access
from samverkan.policy.views import policy_required
from samverkan.referrals import selectors, services, team_services
from samverkan.referrals.forms import (
    ConsultationForm,
    ReplyForm,
    TeamForm,
    TeamMemberForm,
    TeamShareForm,
    WithdrawForm,
)
from samverkan.referrals.identifiers import LABELS
from samverkan.referrals.views import send_from_case
from samverkan.web.forms import add_service_errors


def _identifier_warning(form, error: ValidationError) -> None:
    """Say what looked like an identifier; the author removes it or confirms."""
    add_service_errors(form, error)
    if isinstance(error, team_services.IdentifiersFound):
        form.flagged = [LABELS[kind] for kind in error.kinds]


@policy_required("team.list")
@require_GET
def team_list(request):
    actor = request.membership
    may_ask = access.can(actor, "consultation.ask")
    return render(
        request,
        "referrals/team_list.html",
        {
            "teams": selectors.team_list(actor),
            "consultations": selectors.consultation_list(actor) if may_ask else [],
            "may_create": access.can(actor, "team.create"),
            "may_ask": may_ask,
        },
    )


@policy_required("team.create")
@require_http_methods(["GET", "POST"])
def team_new(request):
    actor = request.membership
    organisations = Organisation.objects.filter(
        country=actor.organisation.country, is_active=True
    ).exclude(pk=actor.organisation_id)
    form = TeamForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            team = team_services.team_create(
                actor=actor,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                area=form.cleaned_data["area"],
                organisations=list(form.cleaned_data["organisations"]),
                members=[actor],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Team %(name)s created.") % {"name": team.name})
            return redirect(reverse("team-detail", args=[team.uuid]))
    return render(
        request, "referrals/team_new.html", {"form": form}, status=400 if form.errors else 200
    )


def _team_page(request, team_uuid, *, form=None, status=200):
    page = selectors.team_page(request.membership, team_uuid)
    return render(
        request,
        "referrals/team_detail.html",
        {
            "page": page,
            "form": form,
            "may_ask": access.can(request.membership, "consultation.ask"),
        },
        status=status,
    )


@policy_required("team.list")
@require_GET
def team_detail(request, team_uuid):
    return _team_page(request, team_uuid)


def _change_members(request, team_uuid, *, adding: bool):
    actor = request.membership
    team = selectors.team_for_change(actor, team_uuid)
    if adding:
        organisations = Organisation.objects.filter(is_active=True)
        members = Membership.objects.filter(is_active=True)
    else:
        organisations, members = team.organisations.all(), team.members.all()
    form = TeamMemberForm(request.POST, organisations=organisations, members=members)
    if form.is_valid():
        field = "organisation" if form.cleaned_data["organisation"] else "member"
        try:
            team_services.MEMBER_CHANGES[adding, field](
                actor=actor, team=team, **{field: form.cleaned_data[field]}
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The team's members are changed."))
            return redirect(reverse("team-detail", args=[team.uuid]))
    return _team_page(request, team_uuid, form=form, status=400)


@policy_required("team.manage")
@require_POST
def team_member_add(request, team_uuid):
    return _change_members(request, team_uuid, adding=True)


@policy_required("team.manage")
@require_POST
def team_member_remove(request, team_uuid):
    return _change_members(request, team_uuid, adding=False)


def _team_share_forms(actor, case, data=None):
    """One form per consent or legal basis in force, as the referral page has."""
    teams = selectors.team_list_for_case(actor, case)
    arguments = {
        "recipients": Organisation.objects.none(),
        "consents": case_selectors.consents_in_force(case),
        "teams": teams,
        "plan": lambda team, basis: services.team_share_plan(case=case, team=team, basis=basis),
    }
    if data is not None:
        return [TeamShareForm(data, **arguments)]
    return [TeamShareForm(basis=basis, **arguments) for basis in arguments["consents"]]


def _send_team_share(actor, case, arguments):
    share = services.team_share_send(actor=actor, case=case, **arguments)
    return share, reverse("case-detail", args=[case.uuid])


@policy_required("case.list")
@require_http_methods(["GET", "POST"])
def team_share_new(request, case_uuid):
    return send_from_case(
        request,
        case_uuid,
        forms_for=_team_share_forms,
        send=_send_team_share,
        done=lambda share: (
            _("Shared with %(team)s. Referrals sent: %(count)s.")
            % {"team": share.team.name, "count": share.referrals.count()}
        ),
        template="referrals/team_share_new.html",
    )


@policy_required("case.list")
@require_POST
def team_share_withdraw(request, share_uuid):
    actor = request.membership
    share = selectors.team_share_for_change(actor, share_uuid)
    form = WithdrawForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["text"])
        services.team_share_withdraw(actor=actor, share=share, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return case_page(request, share.case.uuid, status=400)
    messages.success(request, _("The share with the team is withdrawn."))
    return redirect(reverse("case-detail", args=[share.case.uuid]))


@policy_required("consultation.ask")
@require_http_methods(["GET", "POST"])
def consultation_new(request, team_uuid):
    actor = request.membership
    team = selectors.team_detail(actor, team_uuid)
    form = ConsultationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consultation = team_services.consultation_ask(
                actor=actor, team=team, **form.cleaned_data
            )
        except ValidationError as error:
            _identifier_warning(form, error)
        else:
            messages.success(request, _("Your question was sent to the team."))
            return redirect(reverse("consultation-detail", args=[consultation.uuid]))
    return render(
        request,
        "referrals/consultation_new.html",
        {"form": form, "team": team},
        status=400 if form.errors else 200,
    )


@policy_required("consultation.ask")
@require_http_methods(["GET", "POST"])
def consultation_detail(request, consultation_uuid):
    actor = request.membership
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        consultation, _thread = selectors.consultation_detail(actor, consultation_uuid)
        try:
            team_services.consultation_reply(
                actor=actor, consultation=consultation, **form.cleaned_data
            )
        except ValidationError as error:
            _identifier_warning(form, error)
        else:
            messages.success(request, _("Reply sent."))
            return redirect(reverse("consultation-detail", args=[consultation.uuid]))
    consultation, thread = selectors.consultation_detail(actor, consultation_uuid)
    return render(
        request,
        "referrals/consultation_detail.html",
        {"consultation": consultation, "thread": thread, "form": form},
        status=400 if form.errors else 200,
    )
