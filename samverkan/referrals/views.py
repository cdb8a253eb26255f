"""Pages for referrals and for the person's current sharing. Thin: the forms
check shapes, the services decide and write, the selectors read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samverkan.cases import selectors as case_selectors
from samverkan.policy.views import policy_required
from samverkan.referrals import selectors, services
from samverkan.referrals.forms import (
    AnswerForm,
    DeclineForm,
    QuestionForm,
    ReferralForm,
    WithdrawForm,
)
from samverkan.web.forms import add_service_errors
from samverkan.web.languages import LANGUAGE_NAMES, PRINTOUT_ONLY_LANGUAGE_NAMES

# The person reads the printout: the region's languages, and more. A language
# is offered only when samverkan/locale/<code>/ translates every string it shows
# (referrals/tests/test_printout_translations.py).
PRINTOUT_LANGUAGES = LANGUAGE_NAMES | PRINTOUT_ONLY_LANGUAGE_NAMES


def _forms_for(actor, case, data=None):
    """One referral form per consent or legal basis in force, as the share panel has."""
    recipients = case_selectors.share_recipients(actor, case)
    consents = case_selectors.consents_in_force(case)
    services_ = selectors.referral_services(case)
    if data is not None:
        return [ReferralForm(data, recipients=recipients, consents=consents, services=services_)]
    return [
        ReferralForm(recipients=recipients, consents=consents, services=services_, basis=basis)
        for basis in consents
    ]


def send_from_case(request, case_uuid, *, forms_for, send, done, template):
    """A page of one form per consent or legal basis in force that sends from a
    case its actor may refer: ``send(actor, case, arguments)`` writes and returns
    where to go, with ``done(result)`` said; a refusal shows on the form."""
    actor = request.membership
    case = case_selectors.case_for_action(actor, case_uuid, "case.refer")
    if request.method == "POST":
        forms_ = forms_for(actor, case, request.POST)
        form = forms_[0]
        if form.is_valid():
            try:
                result, next_url = send(actor, case, form.service_arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, done(result))
                return redirect(next_url)
    else:
        forms_ = forms_for(actor, case)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"case": case, "forms": forms_}, status=status)


def _send_referral(actor, case, arguments):
    referral = services.referral_send(actor=actor, case=case, **arguments)
    return referral, reverse("referral-detail", args=[referral.uuid])


@policy_required("case.list")
@require_http_methods(["GET", "POST"])
def referral_new(request, case_uuid):
    return send_from_case(
        request,
        case_uuid,
        forms_for=_forms_for,
        send=_send_referral,
        done=lambda referral: (
            _("Referral sent to %(organisation)s.") % {"organisation": referral.receiver}
        ),
        template="referrals/referral_new.html",
    )


@policy_required("referral.inbox")
@require_GET
def referral_inbox(request):
    received, sent = selectors.referral_inbox(request.membership)
    return render(request, "referrals/inbox.html", {"received": received, "sent": sent})


def _detail_page(request, referral_uuid, *, forms_=None, status=200):
    detail = selectors.referral_detail(request.membership, referral_uuid)
    forms_ = forms_ or {}
    context = {
        "detail": detail,
        "decline_form": forms_.get("decline") or DeclineForm(),
        "question_form": forms_.get("question") or QuestionForm(),
        "answer_form": forms_.get("answer") or AnswerForm(),
        "withdraw_form": forms_.get("withdraw") or WithdrawForm(),
    }
    return render(request, "referrals/referral_detail.html", context, status=status)


@policy_required("referral.inbox")
@require_GET
def referral_detail(request, referral_uuid):
    return _detail_page(request, referral_uuid)


@dataclass(frozen=True)
class _Response:
    form_class: type[forms.Form] | None
    change: Callable
    done: str


# The receiver's and the sender's answers, by the form they post (its name on the page).
RESPONSES = {
    "accept": _Response(
        None,
        services.referral_accept,
        gettext_lazy("Accepted. Your organisation now takes part in the case."),
    ),
    "decline": _Response(
        DeclineForm,
        services.referral_decline,
        gettext_lazy("Declined. The sender sees your reason."),
    ),
    "question": _Response(
        QuestionForm, services.referral_request_information, gettext_lazy("Your question was sent.")
    ),
    "answer": _Response(
        AnswerForm, services.referral_answer, gettext_lazy("Your answer was sent.")
    ),
    "withdraw": _Response(
        WithdrawForm, services.referral_withdraw, gettext_lazy("The referral is withdrawn.")
    ),
}


@policy_required("referral.inbox")
@require_POST
def referral_respond(request, referral_uuid, response):
    """Accept, decline, ask, answer or withdraw; the service decides who may."""
    actor = request.membership
    referral = selectors.referral_for_change(actor, referral_uuid)
    kind = RESPONSES[response]
    form = kind.form_class(request.POST) if kind.form_class else None
    if form is None or form.is_valid():
        try:
            kind.change(actor=actor, referral=referral, **(form.cleaned_data if form else {}))
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return _detail_page(request, referral_uuid, status=400)
            add_service_errors(form, error)
        else:
            messages.success(request, kind.done)
            return redirect(reverse("referral-detail", args=[referral.uuid]))
    return _detail_page(request, referral_uuid, forms_={response: form}, status=400)


@policy_required("case.list")
@require_GET
def case_sharing(request, case_uuid):
    """The person's current sharing, printable in a language they read.

    Only the printout (its own template, under ``{% language %}``) takes that
    language; the page around it stays in the professional's own.
    """
    sharing = selectors.case_sharing(request.membership, case_uuid)
    language = request.GET.get("language", "")
    if language not in PRINTOUT_LANGUAGES:
        language = translation.get_language()
    return render(
        request,
        "referrals/case_sharing.html",
        {
            "sharing": sharing,
            "print_languages": PRINTOUT_LANGUAGES.items(),
            "language": language,
        },
    )
