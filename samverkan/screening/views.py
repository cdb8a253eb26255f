"""Screening pages: stand-alone, on a case, and the printable checklists.

A stand-alone screening stores nothing: its answers travel between the
steps in the form's body (never the URL) and its result can only feed an
anonymous notification, which holds no identity.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from samverkan.cases import selectors as case_selectors
from samverkan.cases.forms import AnonymousNotificationForm
from samverkan.cases.models import AnonymousNotification
from samverkan.policy import access
from samverkan.policy.views import policy_required
from samverkan.screening import registry, rule, services
from samverkan.screening.forms import AnswersForm, ScreeningKeyForm, StartForm
from samverkan.screening.presentation import doubts, summarise
from samverkan.web.forms import add_service_errors

TEMPLATE = "screening/screening.html"
# The dimensions an anonymous notification records as "indicators seen".
NOTIFIABLE = frozenset(AnonymousNotification.Indicator.values)


def _answers_page(
    request, key, catalogue, indicator_set, language, *, case=None, form=None, status=200
):
    form = form or AnswersForm(
        catalogue=catalogue, indicator_set=indicator_set, language=language, with_note=bool(case)
    )
    texts = catalogue.texts_for(language)
    notes, verified = doubts(catalogue, indicator_set, texts)
    context = {
        "step": "answer",
        "case": case,
        "key": key,
        "form": form,
        "catalogue": catalogue,
        "set_name": texts.sets[indicator_set.id],
        "notes": notes,
        "verified": verified,
        "language": language,
    }
    return render(request, TEMPLATE, context, status=status)


def _start_page(request, form, *, case=None, status=200, error=""):
    context = {"step": "start", "form": form, "case": case, "error": error}
    return render(request, TEMPLATE, context, status=status)


def _steps(request, *, case=None, audience=None):
    """The start and answer steps shared by both kinds of screening. Returns a response,
    or the validated (key data, answers form) of a complete answer step."""
    step = request.POST.get("step") if request.method == "POST" else None
    if case is not None and case.is_closed:
        error = _("The case is closed: it takes no new screening.")
        return _start_page(request, None, case=case, status=400, error=error), None
    if step is None:
        return _start_page(request, StartForm(audience=audience), case=case), None
    if step == "start":
        start = StartForm(request.POST, audience=audience)
        if not start.is_valid():
            return _start_page(request, start, case=case, status=400), None
        data = start.cleaned_data
        key = ScreeningKeyForm.for_screening(
            data["catalogue"], data["set"], data["audience"], data["language"]
        )
        return _answers_page(
            request, key, data["catalogue"], data["set"], data["language"], case=case
        ), None
    key = ScreeningKeyForm(request.POST)
    if step != "answer" or not key.is_valid():
        error = _("Start the screening again: what was sent is incomplete.")
        return _start_page(
            request, StartForm(audience=audience), case=case, status=400, error=error
        ), None
    data = key.cleaned_data
    answers = AnswersForm(
        request.POST,
        catalogue=data["catalogue"],
        indicator_set=data["set"],
        language=data["language"],
        with_note=case is not None,
    )
    if not answers.is_valid():
        return _answers_refused(request, key, answers, case), None
    return None, (key, answers)


def _answers_refused(request, key, answers, case):
    """The answers page again, with the messages beside what was refused."""
    data = key.cleaned_data
    return _answers_page(
        request,
        key,
        data["catalogue"],
        data["set"],
        data["language"],
        case=case,
        form=answers,
        status=400,
    )


@policy_required("screening.use")
@require_http_methods(["GET", "POST"])
def screening_quick(request):
    """A stand-alone quick screening: the result, and an optional anonymous notification."""
    response, complete = _steps(request)
    if response is not None:
        return response
    key, answers = complete
    data = key.cleaned_data
    result = rule.evaluate(
        data["catalogue"], data["set"], answers.answers(), audience=data["audience"]
    )
    notification = None
    if access.can(request.membership, "anonymous_notification.record") and (
        data["audience"] == "adult"
    ):
        notification = AnonymousNotificationForm(
            initial={
                "notified_on": timezone.localdate(),
                "indicators": [d for d in result.dimensions_met if d in NOTIFIABLE],
                "exploitation_forms": [data["set"].form],
                "age_group": "adult",
            }
        )
    context = {
        "step": "result",
        "summary": summarise(data["catalogue"], result, data["language"]),
        "notification_form": notification,
        "child": data["audience"] == "child",
    }
    return render(request, TEMPLATE, context)


@policy_required("case.list")
@require_http_methods(["GET", "POST"])
def case_screening(request, case_uuid):
    """A screening recorded on a case, shown afterwards on the case page."""
    actor = request.membership
    case = case_selectors.case_for_action(actor, case_uuid, "case.screening.record")
    audience = services.audience_of(case)
    response, complete = _steps(request, case=case, audience=audience)
    if response is not None:
        return response
    key, answers = complete
    data = key.cleaned_data
    try:
        services.record_screening(
            actor=actor,
            case=case,
            catalogue_id=data["catalogue"].id,
            version=data["catalogue"].version,
            set_id=data["set"].id,
            language=data["language"],
            answers=answers.answers(),
            note=answers.cleaned_data["note"],
            audience=data["audience"],
        )
    except ValidationError as error:
        add_service_errors(answers, error)
        return _answers_refused(request, key, answers, case)
    messages.success(request, _("Screening recorded."))
    return redirect("case-detail", case_uuid=case.uuid)


@policy_required("screening.use")
@require_GET
def checklist_index(request):
    rows = [
        (catalogue, catalogue.texts_for(language).sets[set_id], set_id, language)
        for catalogue in registry.current()
        for set_id in catalogue.sets
        for language in catalogue.languages
    ]
    return render(request, "screening/checklist_index.html", {"rows": rows})


@policy_required("screening.use")
@require_GET
def checklist(request, catalogue_id, version, set_id, language):
    """A printable checklist of one set in one language, for work away from a computer."""
    catalogue = registry.get(catalogue_id, version)
    if catalogue is None or set_id not in catalogue.sets or language not in catalogue.texts:
        raise Http404
    indicator_set = catalogue.sets[set_id]
    texts = catalogue.texts[language]
    dimensions = [
        (
            texts.dimensions[dimension],
            [
                (indicator, texts.indicator(indicator), texts.strengths[indicator.strength])
                for indicator in indicator_set.indicators
                if indicator.dimension == dimension
            ],
        )
        for dimension in catalogue.dimensions
    ]
    notes, verified = doubts(catalogue, indicator_set, texts)
    context = {
        "catalogue": catalogue,
        "texts": texts,
        "set_name": texts.sets[set_id],
        "dimensions": dimensions,
        "notes": notes,
        "uncertain": texts.uncertain,
        "verified": verified,
        "language": language,
    }
    # The sheet is handed to people in its language: its headings are too, where
    # the interface has that language.
    interface = {code for code, _name in settings.LANGUAGES}
    with translation.override(language if language in interface else None):
        return render(request, "screening/checklist.html", context)
