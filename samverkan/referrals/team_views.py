"""Pages for teams and anonymous consultations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from samverkan.accounts.models import Organisation
from samverkan.policy import access
from samverkan.policy.views import policy_required
from samverkan.referrals import selectors, team_services
from samverkan.referrals.forms import ConsultationForm, ReplyForm, TeamForm
from samverkan.referrals.identifiers import LABELS
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
    return render(
        request,
        "referrals/team_list.html",
        {
            "teams": selectors.team_list(actor),
            "consultations": selectors.consultation_list(actor),
            "may_create": access.can(actor, "team.create"),
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
            return redirect(reverse("team-list"))
    return render(
        request, "referrals/team_new.html", {"form": form}, status=400 if form.errors else 200
    )


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
