"""The network coordinator's pages: networks, places and contacts, surveys and
their report, action plans and the side-by-side comparison. Thin: forms in,
services and selectors out."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samverkan.network import activities, plans, practices, reports, selectors, services, xlsform
from samverkan.network import library as library_services
from samverkan.network.forms import (
    ActionPlanForm,
    ActivityForm,
    AssessmentForm,
    ContactForm,
    DocumentForm,
    DocumentSearchForm,
    MeasureForm,
    MembersImportForm,
    NetworkForm,
    ParticipantForm,
    PlaceForm,
    PracticeSearchForm,
    QuestionForm,
    SendForm,
    SurveyForm,
    XlsFormImportForm,
)
from samverkan.network.models import ActionPoint
from samverkan.network.responses import AnswerForm
from samverkan.network.uploads import upload_refusal
from samverkan.policy.views import policy_required
from samverkan.web.forms import add_service_errors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def _download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _submit(request, form, action, success: str):
    """Run a service on a valid form; show its refusal on the form (400) instead."""
    if not form.is_valid():
        return False
    refusal = upload_refusal(request)
    if refusal:
        # The file was not read beyond the limit: the form saw no file, or part of one.
        form.add_error(None, refusal)
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    messages.success(request, success)
    return True


@policy_required("network.view")
@require_http_methods(["GET", "POST"])
def network_list(request):
    actor = request.membership
    form = NetworkForm(request.POST or None)
    if request.method == "POST":

        def create(data):
            return services.network_create(actor=actor, **data)

        if _submit(request, form, create, _("The network was created.")):
            return redirect("network-list")
    return render(
        request,
        "network/network_list.html",
        {"networks": selectors.network_list(actor=actor), "form": form},
        status=400 if form.errors else 200,
    )


@policy_required("network.view")
@require_http_methods(["GET", "POST"])
def network_detail(request, network_uuid):
    actor = request.membership
    network = selectors.network_get(actor=actor, uuid=network_uuid)
    place_form = PlaceForm(request.POST if "add_place" in request.POST else None)
    survey_form = SurveyForm(request.POST if "add_survey" in request.POST else None)
    activity_form = ActivityForm(request.POST if "add_activity" in request.POST else None)
    if "add_activity" in request.POST:
        made = {}

        def add_activity(data):
            made["activity"] = activities.activity_create(actor=actor, network=network, **data)

        if _submit(request, activity_form, add_activity, _("The activity was added.")):
            return redirect("activity-detail", made["activity"].uuid)
    if "add_place" in request.POST:

        def add_place(data):
            services.place_create(actor=actor, network=network, **data)

        if _submit(request, place_form, add_place, _("The place was added.")):
            return redirect("network-detail", network.uuid)
    if "add_survey" in request.POST:
        created = {}

        def add_survey(data):
            created["survey"] = services.survey_create(actor=actor, network=network, **data)

        if _submit(request, survey_form, add_survey, _("The survey was created.")):
            return redirect("survey-detail", created["survey"].uuid)
    if "load_framework" in request.POST:
        plans.framework_load(
            actor=actor, network=network, definition=plans.CBSS_MUNICIPAL_GUIDELINES
        )
        return redirect("network-detail", network.uuid)
    return render(
        request,
        "network/network_detail.html",
        {
            "network": network,
            "places": network.places.prefetch_related("contacts", "action_plans"),
            "surveys": network.surveys.all(),
            "frameworks": network.frameworks.all(),
            "activities": network.activities.all(),
            "activity_form": activity_form,
            "place_form": place_form,
            "survey_form": survey_form,
            "import_form": MembersImportForm(),
        },
        status=400 if place_form.errors or survey_form.errors or activity_form.errors else 200,
    )


@policy_required("network.manage")
@require_POST
def members_import(request, network_uuid):
    actor = request.membership
    network = selectors.network_get(actor=actor, uuid=network_uuid)
    form = MembersImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            count = services.members_import(
                actor=actor, network=network, text=form.cleaned_data["file"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(count)d lines were imported.") % {"count": count})
            return redirect("network-detail", network.uuid)
    return render(
        request, "network/members_import.html", {"network": network, "form": form}, status=400
    )


@policy_required("network.view")
@require_GET
def members_export(request, network_uuid):
    actor = request.membership
    network = selectors.network_get(actor=actor, uuid=network_uuid)
    return _download(
        services.members_export(actor=actor, network=network), "text/csv", "members.csv"
    )


@policy_required("network.view")
@require_http_methods(["GET", "POST"])
def place_detail(request, place_uuid):
    actor = request.membership
    place = selectors.place_get(actor=actor, uuid=place_uuid)
    contact_form = ContactForm(request.POST if "add_contact" in request.POST else None)
    plan_form = ActionPlanForm(request.POST if "add_plan" in request.POST else None)
    if "add_contact" in request.POST:

        def add_contact(data):
            services.contact_create(actor=actor, place=place, **data)

        if _submit(request, contact_form, add_contact, _("The contact person was added.")):
            return redirect("place-detail", place.uuid)
    if "add_plan" in request.POST:

        def add_plan(data):
            plans.action_plan_create(actor=actor, place=place, **data)

        if _submit(request, plan_form, add_plan, _("The action plan was added.")):
            return redirect("place-detail", place.uuid)
    return render(
        request,
        "network/place_detail.html",
        {
            "place": place,
            "contacts": selectors.place_contacts_read(actor=actor, place=place),
            "plans": place.action_plans.prefetch_related("measures"),
            "contact_form": contact_form,
            "plan_form": plan_form,
        },
        status=400 if contact_form.errors or plan_form.errors else 200,
    )


@policy_required("network.manage")
@require_POST
def contact_remove(request, contact_uuid):
    actor = request.membership
    contact = selectors.contact_get(actor=actor, uuid=contact_uuid)
    services.contact_remove(actor=actor, contact=contact)
    messages.success(request, _("The contact person was removed."))
    return redirect("place-detail", contact.place.uuid)


# --- Surveys ---


@policy_required("survey.manage")
@require_http_methods(["GET", "POST"])
def survey_detail(request, survey_uuid):
    actor = request.membership
    survey = selectors.survey_get(actor=actor, uuid=survey_uuid)
    question_form = QuestionForm(request.POST if "add_question" in request.POST else None)
    send_form = SendForm(
        request.POST if "send" in request.POST else None, places=survey.network.places.all()
    )
    if "add_question" in request.POST:

        def add_question(data):
            services.question_add(
                actor=actor,
                survey=survey,
                kind=data["kind"],
                text=data["text"],
                section=data["section"],
                required=data["required"],
                help_text=data["help_text"],
                choices=services.parse_choices(data["choices"]),
                translations={"sv": data["text_sv"]} if data["text_sv"] else {},
            )

        if _submit(request, question_form, add_question, _("The question was added.")):
            return redirect("survey-detail", survey.uuid)
    if "send" in request.POST:

        def send(data):
            services.survey_send(actor=actor, survey=survey, places=list(data["places"]))

        if _submit(request, send_form, send, _("The survey is being sent.")):
            return redirect("survey-detail", survey.uuid)
    if "close" in request.POST:
        services.survey_close(actor=actor, survey=survey)
        return redirect("survey-detail", survey.uuid)
    responses = list(selectors.survey_responses(actor=actor, survey=survey))
    submitted = [r for r in responses if r.status == r.Status.SUBMITTED]
    return render(
        request,
        "network/survey_detail.html",
        {
            "survey": survey,
            "questions": survey.questions.all(),
            "question_form": question_form,
            "send_form": send_form,
            "import_form": XlsFormImportForm(),
            "responses": responses,
            "submitted_count": len(submitted),
            "missing": [r for r in responses if r.status != r.Status.SUBMITTED],
            "rate": round(100 * len(submitted) / len(responses)) if responses else 0,
            "version": survey.current_version,
        },
        status=400 if question_form.errors or send_form.errors else 200,
    )


@policy_required("survey.manage")
@require_POST
def question_remove(request, survey_uuid, question_name):
    actor = request.membership
    survey = selectors.survey_get(actor=actor, uuid=survey_uuid)
    question = survey.questions.filter(name=question_name).first()
    if question is not None:
        try:
            services.question_remove(actor=actor, question=question)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("survey-detail", survey.uuid)


@policy_required("survey.manage")
@require_GET
def survey_preview(request, survey_uuid):
    actor = request.membership
    survey = selectors.survey_get(actor=actor, uuid=survey_uuid)
    language = request.GET.get("language", request.LANGUAGE_CODE)
    form = AnswerForm(definition=services.survey_definition(survey), language=language)
    return render(
        request, "network/respond.html", {"survey": survey, "form": form, "preview": True}
    )


@policy_required("survey.manage")
@require_GET
def survey_xlsform_export(request, survey_uuid):
    survey = selectors.survey_get(actor=request.membership, uuid=survey_uuid)
    return _download(xlsform.survey_export(survey), XLSX, "survey.xlsx")


@policy_required("survey.manage")
@require_POST
def survey_xlsform_import(request, survey_uuid):
    actor = request.membership
    survey = selectors.survey_get(actor=actor, uuid=survey_uuid)
    form = XlsFormImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            count = xlsform.survey_import(
                actor=actor, survey=survey, content=form.cleaned_data["file"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(count)d questions were imported.") % {"count": count})
            return redirect("survey-detail", survey.uuid)
    return render(
        request, "network/xlsform_import.html", {"survey": survey, "form": form}, status=400
    )


@policy_required("survey.report")
@require_GET
def survey_report(request, survey_uuid, format="html"):  # noqa: A002  (the URL's word)
    actor = request.membership
    survey = selectors.survey_get(actor=actor, uuid=survey_uuid)
    report = reports.report_compile(actor=actor, survey=survey)
    if format == "docx":
        return _download(reports.report_docx(report), DOCX, "report.docx")
    if format == "pptx":
        return _download(reports.report_pptx(report), PPTX, "report.pptx")
    files: dict[str, list] = {}
    for upload in selectors.survey_files(actor=actor, survey=survey):
        files.setdefault(upload.response.place.name, []).append(upload)
    for section in report.sections:
        section.files = files.get(section.place, [])
    return render(request, "network/report.html", {"report": report})


@policy_required("survey.report")
@require_GET
def response_file(request, file_uuid):
    upload = reports.response_file_open(actor=request.membership, uuid=file_uuid)
    return FileResponse(upload.file.open("rb"), as_attachment=True, filename=upload.original_name)


# --- Action plans and the comparison ---


@policy_required("action_plan.manage")
@require_http_methods(["GET", "POST"])
def action_plan_detail(request, plan_uuid):
    actor = request.membership
    plan = selectors.action_plan_get(actor=actor, uuid=plan_uuid)
    points = ActionPoint.objects.filter(framework__network=plan.place.network).select_related(
        "framework"
    )
    form = MeasureForm(request.POST or None, action_points=points)
    if request.method == "POST":

        def add_measure(data):
            plans.measure_create(
                actor=actor, plan=plan, **(data | {"action_points": list(data["action_points"])})
            )

        if _submit(request, form, add_measure, _("The measure was added.")):
            return redirect("action-plan-detail", plan.uuid)
    return render(
        request,
        "network/action_plan_detail.html",
        {
            "plan": plan,
            "measures": plan.measures.prefetch_related("action_points").select_related(
                "assessment"
            ),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@policy_required("action_plan.manage")
@require_GET
def framework_comparison(request, framework_uuid, format="html"):  # noqa: A002
    actor = request.membership
    framework = selectors.framework_get(actor=actor, uuid=framework_uuid)
    comparison = plans.comparison_build(actor=actor, framework=framework)
    if format == "xlsx":
        return _download(plans.comparison_xlsx(comparison), XLSX, "side-by-side.xlsx")
    return render(request, "network/comparison.html", {"comparison": comparison})


# --- The document library ---


@policy_required("library.view")
@require_http_methods(["GET", "POST"])
def library(request):
    """The documents, a search (by POST, so that the words stay out of URLs and logs)
    and the upload form."""
    actor = request.membership
    networks = selectors.network_list(actor=actor)
    search_form = DocumentSearchForm(request.POST if "search" in request.POST else None)
    upload_form = DocumentForm(
        request.POST if "upload" in request.POST else None,
        request.FILES or None,
        networks=networks,
    )
    hits = None
    if search_form.is_bound and search_form.is_valid():
        hits = library_services.document_search(
            actor=actor, words=search_form.cleaned_data["words"]
        )
    if "upload" in request.POST:

        def add(data):
            library_services.document_add(
                actor=actor,
                network=data["network"],
                upload=data["file"],
                title=data["title"],
                kind=data["kind"],
                language=data["language"],
                published_on=data["published_on"],
                themes=data["themes"],
            )

        if _submit(request, upload_form, add, _("The document was added to the library.")):
            return redirect("library")
    return render(
        request,
        "network/library.html",
        {
            "documents": library_services.documents_visible_to(actor).select_related("network"),
            "indexed_characters": library_services.INDEXED_CHARACTERS,
            "search_form": search_form,
            "upload_form": upload_form,
            "hits": hits,
        },
        status=400 if upload_form.errors or search_form.errors else 200,
    )


@policy_required("library.view")
@require_GET
def library_document(request, document_uuid):
    document = selectors.document_get(actor=request.membership, uuid=document_uuid)
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.original_name
    )


# --- Activities ---


@policy_required("activity.manage")
@require_http_methods(["GET", "POST"])
def activity_detail(request, activity_uuid):
    actor = request.membership
    activity = selectors.activity_get(actor=actor, uuid=activity_uuid)
    form = ParticipantForm(request.POST if "add_participant" in request.POST else None)
    if "add_participant" in request.POST:

        def add(data):
            activities.participant_add(actor=actor, activity=activity, **data)

        if _submit(request, form, add, _("The participant was added.")):
            return redirect("activity-detail", activity.uuid)
    if "request_reports" in request.POST:
        try:
            count = activities.reports_request(actor=actor, activity=activity)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("%(count)d participants were asked for a report.") % {"count": count}
            )
        return redirect("activity-detail", activity.uuid)
    participants = selectors.activity_participants_read(actor=actor, activity=activity)
    return render(
        request,
        "network/activity_detail.html",
        {
            "activity": activity,
            "participants": participants,
            "reports": [p for p in participants if p.report_submitted_at],
            "participant_form": form,
        },
        status=400 if form.errors else 200,
    )


# --- Good practices and impact assessments ---


@policy_required("good_practice.review")
@require_http_methods(["GET", "POST"])
def practice_list(request):
    actor = request.membership
    form = PracticeSearchForm(request.POST or None)
    words = theme = ""
    if form.is_bound and form.is_valid():
        words, theme = form.cleaned_data["words"], form.cleaned_data["theme"]
    return render(
        request,
        "network/practice_list.html",
        {
            "form": form,
            "published": practices.practice_search(actor=actor, words=words, theme=theme),
            "waiting": practices.practices_visible_to(actor)
            .filter(status="submitted")
            .select_related("place"),
        },
    )


@policy_required("good_practice.review")
@require_POST
def practice_review(request, practice_uuid):
    actor = request.membership
    practice = selectors.practice_get(actor=actor, uuid=practice_uuid)
    try:
        practices.practice_review(actor=actor, practice=practice, publish="publish" in request.POST)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("practice-list")


@policy_required("action_plan.manage")
@require_http_methods(["GET", "POST"])
def measure_assessment(request, measure_uuid):
    actor = request.membership
    measure = selectors.measure_get(actor=actor, uuid=measure_uuid)
    existing = getattr(measure, "assessment", None)
    initial = {}
    if existing is not None:
        for key, answer in existing.answers.items():
            initial[f"{key}_finding"] = answer["finding"]
            initial[f"{key}_mitigation"] = answer["mitigation"]
    form = AssessmentForm(request.POST or None, initial=initial, questions=practices.HRIA_QUESTIONS)
    if request.method == "POST":

        def record(_data):
            practices.assessment_record(actor=actor, measure=measure, answers=form.answers())

        if _submit(request, form, record, _("The assessment was recorded.")):
            return redirect("action-plan-detail", measure.plan.uuid)
    return render(
        request,
        "network/assessment.html",
        {"measure": measure, "form": form},
        status=400 if form.errors else 200,
    )
