"""The pages a contact person reaches through a personal link, without an account.

The token is in the link's path once: opening it puts the link's id in the
server-side session and redirects to a page without the token, so it does
not stay in the address bar, the history or a Referer header. Every request
checks the link again (expired, revoked, survey closed). Failed openings are
rate-limited per address.
"""

from __future__ import annotations

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samverkan.network.activities import report_submit
from samverkan.network.forms import ForwardForm, PracticeForm, ReportForm
from samverkan.network.models import Response, SurveyLink
from samverkan.network.practices import practice_submit
from samverkan.network.responses import (
    AnswerForm,
    ResponseClosed,
    link_forward,
    response_for_link,
    response_save,
)
from samverkan.network.selectors import response_read_by_link
from samverkan.network.uploads import upload_refusal
from samverkan.policy.network import (
    LinkInvalid,
    access_participant_report,
    access_session_link,
    access_session_participant,
    access_survey_link,
)

SESSION_LINK = "network.survey_link"
REASONS = {
    "unknown": gettext_lazy("This link is not valid. Check that you copied the whole address."),
    "revoked": gettext_lazy(
        "This link no longer works. Ask the network's secretariat for a new one."
    ),
    "expired": gettext_lazy(
        "The deadline of this survey has passed, and its links no longer work."
    ),
    "closed": gettext_lazy("This survey is closed and takes no more answers."),
    "session_ended": gettext_lazy(
        "Your session ended after a while without activity, and answers sent since the "
        "last saved draft were not kept. Open the link from your e-mail again: it works "
        "until the deadline, and your saved draft is there."
    ),
    "report_expired": gettext_lazy(
        "This report link no longer works. Ask the organisers for a new one."
    ),
}


def _invalid(request, reason: str, status: int = 404):
    return render(request, "network/link_invalid.html", {"message": REASONS[reason]}, status=status)


def _too_many(request):
    return render(
        request,
        "network/link_invalid.html",
        {"message": _("Too many attempts. Wait a few minutes and try again.")},
        status=429,
    )


def _count_failed_opening(request, *, dry_run: bool):
    """Counts a failed opening (or, dry, asks whether another is allowed)."""
    return ratelimit.consume(
        request,
        app="samverkan.network",
        action="survey_link",
        config={"survey_link": settings.NETWORK_LINK_RATE_LIMIT},
        dry_run=dry_run,
        limit_get=True,
    )


@require_GET
def survey_link(request, token):
    """Open a personal link: check it, keep it in the session, drop the token from the URL."""
    if not _count_failed_opening(request, dry_run=True):
        return _too_many(request)
    try:
        link = access_survey_link(token)
    except LinkInvalid as error:
        _count_failed_opening(request, dry_run=False)
        return _invalid(request, error.reason)
    response_read_by_link(link=link, opened=True)
    request.session.cycle_key()
    request.session[SESSION_LINK] = str(link.uuid)
    return redirect("survey-respond")


def _session_link(request) -> SurveyLink:
    link_uuid = request.session.get(SESSION_LINK)
    if link_uuid is None:
        # The session, not the link, is gone (idle timeout or a new browser).
        raise LinkInvalid("session_ended")
    return access_session_link(link_uuid)


def _language(request, response: Response) -> str:
    chosen = request.POST.get("answer_language") or request.GET.get("language")
    if chosen in dict(settings.LANGUAGES):
        return chosen
    return response.language or translation.get_language() or settings.LANGUAGE_CODE


@require_http_methods(["GET", "POST"])
def survey_respond(request):
    try:
        link = _session_link(request)
    except LinkInvalid as error:
        return _invalid(request, error.reason)
    if request.method == "GET":
        response = response_read_by_link(link=link)
    else:
        response = response_for_link(link)  # the save is audited
    language = _language(request, response)
    definition = response.version.definition
    uploaded = frozenset(response.files.values_list("question_name", flat=True))
    if response.status == Response.Status.SUBMITTED:
        return render(
            request,
            "network/respond_done.html",
            {"response": response, "survey": response.survey},
            status=409 if request.method == "POST" else 200,
        )
    initial = dict(response.answers) | {"respondent_name": response.submitted_by_name}
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        initial=initial,
        definition=definition,
        language=language,
        uploaded=uploaded,
    )
    status = 200
    if request.method == "POST":
        refusal = upload_refusal(request)
        if refusal:
            form.full_clean()
            form.add_error(None, refusal)
        if form.is_valid():
            submit = "submit" in request.POST
            try:
                response_save(link=link, form=form, submit=submit, language=language)
            except ResponseClosed:
                return redirect("survey-respond")
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                if not submit:
                    messages.success(request, _("Your draft was saved. You can come back to it."))
                return redirect("survey-respond")
        status = 400
    return render(
        request,
        "network/respond.html",
        {
            "survey": response.survey,
            "place": response.place,
            "form": form,
            "forward_form": ForwardForm(),
            "practice_form": PracticeForm(),
            "language": language,
            "answer_languages": settings.LANGUAGES,
            "draft": response.status == Response.Status.DRAFT,
        },
        status=status,
    )


@require_POST
def survey_forward(request):
    try:
        link = _session_link(request)
    except LinkInvalid as error:
        return _invalid(request, error.reason)
    form = ForwardForm(request.POST)
    if form.is_valid():
        try:
            link_forward(link=link, email=form.cleaned_data["email"])
        except ResponseClosed:
            return redirect("survey-respond")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your colleague was sent a link of their own."))
    else:
        messages.error(request, _("Enter a valid e-mail address."))
    return redirect("survey-respond")


SESSION_PARTICIPANT = "network.participant"


@require_GET
def activity_report_link(request, token):
    """Open a report link: the same steps as a survey link."""
    if not _count_failed_opening(request, dry_run=True):
        return _too_many(request)
    try:
        participant = access_participant_report(token)
    except LinkInvalid as error:
        _count_failed_opening(request, dry_run=False)
        return _invalid(request, error.reason)
    request.session.cycle_key()
    request.session[SESSION_PARTICIPANT] = str(participant.uuid)
    return redirect("activity-report")


@require_http_methods(["GET", "POST"])
def activity_report(request):
    try:
        participant = access_session_participant(request.session.get(SESSION_PARTICIPANT))
    except LinkInvalid as error:
        return _invalid(request, error.reason)
    form = ReportForm(request.POST or None, initial={"report": participant.report})
    if request.method == "POST" and form.is_valid():
        report_submit(participant=participant, report=form.cleaned_data["report"])
        messages.success(request, _("Thank you: your report was received."))
        return redirect("activity-report")
    return render(
        request,
        "network/participant_report.html",
        {"participant": participant, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def practice_share(request):
    """A contact person shares a good practice of their place; the coordinator reviews it."""
    try:
        link = _session_link(request)
    except LinkInvalid as error:
        return _invalid(request, error.reason)
    form = PracticeForm(request.POST)
    if form.is_valid():
        practice_submit(link=link, **form.cleaned_data)
        messages.success(request, _("Thank you: the secretariat will review the practice."))
    else:
        messages.error(request, _("Give the practice a title and say what was done."))
    return redirect("survey-respond")
