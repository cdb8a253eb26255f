"""Pages for who may see a case: sharing, consent, confidentiality from law
enforcement, the secret location's named people and emergency access.

Thin: every form posts here, the services decide and write, and the answer is
the case page. A request the service refuses comes back with its message
(400) and nothing written; one the policy refuses is the usual 404.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from samverkan.cases import selectors, services
from samverkan.cases.access_forms import (
    BreakGlassForm,
    ConfidentialForm,
    ConsentForm,
    NameForSecretLocationForm,
    SecretLocationForm,
    ShareForm,
)
from samverkan.policy import access
from samverkan.policy import cases as case_policy
from samverkan.policy.views import policy_required
from samverkan.web.forms import add_service_errors


def _to_case(case):
    return redirect(reverse("case-detail", args=[case.uuid]))


def _submit(request, case, form, *, title: str, change: Callable[[dict], str]):
    """Validate ``form``, let ``change`` write, and go back to the case.

    ``change`` returns the success message. A refusal re-renders the form
    with the reason.
    """
    if form.is_valid():
        try:
            done = change(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return _to_case(case)
    return render(
        request,
        "cases/access_form.html",
        {"case": case, "form": form, "title": title, "action": request.path},
        status=400,
    )


@policy_required("case.list")
@require_POST
def case_share(request, case_uuid):
    actor = request.membership
    case = selectors.case_for_action(actor, case_uuid, "case.share")
    form = ShareForm(
        request.POST,
        recipients=selectors.share_recipients(actor, case),
        consents=selectors.consents_in_force(case),
    )

    def change(data):
        participation = services.share_case(actor=actor, case=case, **data)
        return _("Shared with %(organisation)s.") % {"organisation": participation.organisation}

    return _submit(request, case, form, title=_("Share the case"), change=change)


@policy_required("case.list")
@require_POST
def case_share_revoke(request, case_uuid, participation_uuid):
    actor = request.membership
    case = selectors.case_for_action(actor, case_uuid, "case.share")
    participation = selectors.participation_of_case(case, participation_uuid)
    services.revoke_share(actor=actor, case=case, participation=participation)
    messages.success(
        request,
        _("%(organisation)s no longer takes part in the case.")
        % {"organisation": participation.organisation},
    )
    return _to_case(case)


@policy_required("case.list")
@require_POST
def case_consent(request, case_uuid):
    actor = request.membership
    case = selectors.case_for_action(actor, case_uuid, "case.consent.manage")
    form = ConsentForm(request.POST, organisations=selectors.share_recipients(actor, case))

    def change(data):
        services.record_consent(actor=actor, case=case, **data)
        return _("Consent or legal basis recorded.")

    return _submit(request, case, form, title=_("Record consent or a legal basis"), change=change)


@policy_required("case.list")
@require_POST
def case_consent_withdraw(request, case_uuid, consent_uuid):
    actor = request.membership
    case = selectors.case_for_action(actor, case_uuid, "case.consent.manage")
    consent = selectors.consent_of_case(case, consent_uuid)
    services.withdraw_consent(actor=actor, case=case, consent=consent)
    messages.success(
        request, _("Withdrawn. Organisations sharing on this basis no longer see the case.")
    )
    return _to_case(case)


@policy_required("case.list")
@require_POST
def case_confidential(request, case_uuid):
    actor = request.membership
    case = selectors.case_for_action(actor, case_uuid, "case.confidential.set")
    form = ConfidentialForm(request.POST)

    def change(data):
        services.set_confidential_from_law_enforcement(
            actor=actor, case=case, confidential=data["confidential"]
        )
        if data["confidential"]:
            return _("The case is kept from law enforcement.")
        return _("The case is no longer kept from law enforcement.")

    return _submit(
        request, case, form, title=_("Confidentiality from law enforcement"), change=change
    )


@policy_required("case.list")
@require_POST
def case_secret_location(request, case_uuid):
    actor = request.membership
    # Only a named person writes the address; the service asks the policy.
    case = selectors.case_for_change(actor, case_uuid)
    form = SecretLocationForm(request.POST)

    def change(data):
        services.update_secret_location(
            actor=actor, case=case, secret_location=data["secret_location"]
        )
        return _("Secret location updated.")

    return _submit(request, case, form, title=_("Secret location"), change=change)


@policy_required("case.list")
@require_POST
def case_secret_location_name(request, case_uuid):
    actor = request.membership
    case = selectors.case_for_action(actor, case_uuid, "case.secret_location.manage")
    form = NameForSecretLocationForm(
        request.POST, candidates=selectors.secret_location_candidates(case)
    )

    def change(data):
        services.name_for_secret_location(actor=actor, case=case, membership=data["membership"])
        return _("%(name)s may now see the secret location.") % {
            "name": data["membership"].user.full_name
        }

    return _submit(
        request, case, form, title=_("Name a person for the secret location"), change=change
    )


@policy_required("case.list")
@require_POST
def case_secret_location_remove(request, case_uuid, membership_uuid):
    actor = request.membership
    case = selectors.case_for_action(actor, case_uuid, "case.secret_location.manage")
    membership = selectors.named_for_secret_location(case, membership_uuid)
    services.remove_from_secret_location(actor=actor, case=case, membership=membership)
    messages.success(
        request,
        _("%(name)s can no longer see the secret location.") % {"name": membership.user.full_name},
    )
    return _to_case(case)


@policy_required("case.break_glass")
@require_http_methods(["GET", "POST"])
def break_glass(request):
    actor = request.membership
    if not case_policy.may_break_glass(actor):
        raise access.PolicyDenied
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.break_glass(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            minutes = form.cleaned_data["minutes"]
            messages.warning(
                request,
                ngettext(
                    "Emergency access for %(minutes)d minute. The lead organisation is told.",
                    "Emergency access for %(minutes)d minutes. The lead organisation is told.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            return _to_case(case)
    return render(
        request,
        "cases/access_break_glass.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
