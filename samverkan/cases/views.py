"""The case pages: lists, the case itself and its forms, deadlines, in-app
notifications, anonymous notifications and the countries' configuration.

Thin: forms in, services and selectors out. Who sees what is the policy's
and the selectors' business; a refusal is the same 404 as a missing case.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_countries import countries

from samverkan.accounts.models import Country
from samverkan.cases import selectors, services, workflow
from samverkan.cases.forms import (
    CHILD_PROTECTION,
    CONFIGURATION_FIELDS,
    AnonymousNotificationForm,
    CaseFilterForm,
    CaseOpenForm,
    CaseSearchForm,
    CloseForm,
    CountryConfigurationForm,
    MilestoneForm,
    NoteForm,
    PurposeForm,
)
from samverkan.cases.models import AnonymousNotification, Category, ExploitationForm
from samverkan.policy import cases as case_policy
from samverkan.policy.views import policy_required
from samverkan.screening import selectors as screening_selectors
from samverkan.screening.presentation import summarise
from samverkan.web.forms import add_service_errors

# case uuid -> {"purpose": ..., "until": epoch seconds}, in the server-side session.
PURPOSES = "samverkan_case_purposes"
PURPOSE_SECONDS = 30 * 60
Indicator = AnonymousNotification.Indicator


# --- Lists and search ---


@policy_required("case.list")
@require_GET
def case_list(request):
    actor = request.membership
    form = CaseFilterForm(request.GET or None)
    page = None
    if not form.is_bound or form.is_valid():
        filters = selectors.CaseFilters(**form.cleaned_data) if form.is_bound else None
        page = selectors.case_list(
            actor, filters or selectors.CaseFilters(), request.GET.get("page")
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": form,
        "page": page,
        "query": query.urlencode(),
        "search_form": CaseSearchForm(purpose_required=case_policy.purpose_required(actor)),
    }
    return render(request, "cases/case_list.html", context)


@policy_required("case.list")
@require_POST
def case_search(request):
    """Answers the search on the list page itself: the terms never reach an address."""
    actor = request.membership
    form = CaseSearchForm(request.POST, purpose_required=case_policy.purpose_required(actor))
    results = None
    if form.is_valid():
        try:
            results = selectors.case_search(
                actor,
                name=form.cleaned_data["name"],
                date_of_birth=form.cleaned_data["date_of_birth"],
                purpose=form.cleaned_data.get("purpose", ""),
            )
        except selectors.PurposeRequired:
            form.add_error(
                "purpose",
                _("State the purpose of the search in at least %(count)d characters.")
                % {"count": selectors.MIN_PURPOSE_LENGTH},
            )
        except ValidationError as error:
            add_service_errors(form, error)
    context = {
        "filter_form": CaseFilterForm(),
        "page": None,
        "search_form": form,
        "results": results,
    }
    return render(request, "cases/case_list.html", context, status=400 if form.errors else 200)


# --- Opening a case ---


@policy_required("case.open")
@require_http_methods(["GET", "POST"])
def case_open(request):
    child_protection = (request.POST or request.GET).get("basis") == CHILD_PROTECTION
    form = CaseOpenForm(
        request.POST or None, initial={"basis": CHILD_PROTECTION if child_protection else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.open_case(actor=request.membership, **form.service_arguments())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
            return redirect("case-detail", case_uuid=case.uuid)
    return render(
        request,
        "cases/case_open.html",
        {"form": form, "child_protection": child_protection},
        status=400 if form.errors else 200,
    )


# --- One case ---


def _stated_purpose(request, case_uuid) -> str:
    stated = request.session.get(PURPOSES, {}).get(str(case_uuid))
    if not stated or stated["until"] < time.time():
        return ""
    return stated["purpose"]


def _remember_purpose(request, case_uuid, purpose: str) -> None:
    now = time.time()
    purposes = {
        key: value
        for key, value in request.session.get(PURPOSES, {}).items()
        if value["until"] >= now
    }
    purposes[str(case_uuid)] = {"purpose": purpose, "until": now + PURPOSE_SECONDS}
    request.session[PURPOSES] = purposes


@dataclass
class Section:
    category: str
    label: str
    withheld: bool
    text: str = ""
    rows: list[tuple[str, str]] | None = None


def _identity_rows(identity: dict) -> list[tuple[str, str]]:
    def names(codes):
        return ", ".join(str(countries.name(code) or code) for code in codes)

    rows = [
        (_("Given names"), identity.get("given_names") or ""),
        (_("Family name"), identity.get("family_name") or ""),
        (_("Other names and aliases"), ", ".join(identity.get("aliases") or [])),
        (_("Date of birth"), identity.get("date_of_birth") or ""),
        (_("Estimated age"), str(identity.get("estimated_age") or "")),
        (_("Gender"), identity.get("gender") or ""),
        (_("Citizenships"), names(identity.get("citizenships") or [])),
        (_("Languages"), ", ".join(identity.get("languages") or [])),
        (_("Identity documents"), identity.get("identity_documents") or ""),
    ]
    return [(label, value) for label, value in rows if value]


def _sections(detail: selectors.CaseDetail) -> list[Section]:
    sections = []
    for category in [*selectors.SEALED_VALUES, Category.NOTES]:
        label = str(Category(category).label)
        if category in detail.withheld:
            sections.append(Section(category, label, withheld=True))
        elif category == Category.IDENTITY:
            identity = detail.values.get(category) or {}
            sections.append(Section(category, label, False, rows=_identity_rows(identity)))
        elif category != Category.NOTES:
            value = detail.values.get(category)
            sections.append(Section(category, label, False, text=str(value or "")))
    return sections


@dataclass
class TimelineEntry:
    on: date
    at: datetime
    kind: str
    title: str
    organisation: str
    text: str = ""
    withheld: str = ""


def _timeline(detail: selectors.CaseDetail) -> list[TimelineEntry]:
    entries = []
    for view in detail.milestones:
        milestone = view.milestone
        entries.append(
            TimelineEntry(
                milestone.occurred_on,
                milestone.recorded_at,
                "milestone",
                milestone.get_kind_display(),
                milestone.organisation.name,
                text=view.evidence or "",
                withheld=str(Category(milestone.evidence_category).label)
                if view.evidence_withheld
                else "",
            )
        )
    for note, body in detail.notes:
        entries.append(
            TimelineEntry(
                timezone.localdate(note.created_at),
                note.created_at,
                "note",
                _("Note (%(audience)s)") % {"audience": note.get_audience_display()},
                note.organisation.name,
                text=body or "",
            )
        )
    for event in detail.events:
        title = event.get_kind_display()
        if event.counterpart is not None:
            title = f"{title}: {event.counterpart.name}"
        entries.append(
            TimelineEntry(
                timezone.localdate(event.at), event.at, "event", title, event.organisation.name
            )
        )
    return sorted(entries, key=lambda entry: (entry.on, entry.at))


def _tracks(detail: selectors.CaseDetail) -> list[tuple[str, list]]:
    return [
        (label, [view for view in detail.milestones if view.milestone.track == track])
        for track, label in workflow.Track.choices
    ]


def case_page(request, case_uuid, *, forms: dict | None = None, status: int = 200):
    """The case as the actor may see it, with the forms its policy allows.

    Write views re-render it with their bound form (and status 400) when a
    change is refused, so the person sees the message beside the form.
    """
    actor = request.membership
    try:
        detail = selectors.case_detail(
            actor, case_uuid, purpose=_stated_purpose(request, case_uuid)
        )
    except selectors.PurposeRequired:
        return render(
            request,
            "cases/case_purpose.html",
            {"case_uuid": case_uuid, "form": PurposeForm()},
            status=status,
        )
    case = detail.case
    forms = forms or {}
    allowed = detail.allowed_actions
    # A refused form comes back with its message even when it is no longer offered
    # (the case was closed meanwhile, say).
    milestone_form = forms.get("milestone_form")
    note_form = forms.get("note_form")
    close_form = forms.get("close_form")
    recordable = detail.recordable_milestones
    if milestone_form is None and "case.milestone.record" in allowed and recordable:
        milestone_form = MilestoneForm(authorities=selectors.competent_authorities(case))
    if milestone_form is not None:
        milestone_form.offer(recordable)
    if note_form is None and "case.note.add" in allowed:
        note_form = NoteForm()
    if close_form is None and "case.close" in allowed and not case.is_closed:
        close_form = CloseForm()
    today = timezone.localdate()
    context = {
        **forms,
        "detail": detail,
        "case": case,
        "exploitation_forms": [
            label for value, label in ExploitationForm.choices if value in detail.exploitation_forms
        ],
        "sections": _sections(detail),
        "tracks": _tracks(detail),
        "timeline": _timeline(detail),
        "deadlines": [
            (deadline, deadline.completed_at is None and deadline.due_on < today)
            for deadline in detail.deadlines
        ],
        "milestone_form": milestone_form,
        "offers_coordination": workflow.MilestoneKind.COORDINATION_NOTIFIED in recordable,
        "note_form": note_form,
        "close_form": close_form,
        "screenings": _screenings(detail),
    }
    return render(request, "cases/case_detail.html", context, status=status)


def _screenings(detail) -> list | None:
    """The case's screenings in words, or None when its exploitation details are withheld."""
    views = screening_selectors.screenings_shown(detail.case, detail.access)
    if views is None:
        return None
    return [
        (
            view,
            summarise(view.catalogue, view.result, view.screening.language)
            if view.result
            else None,
        )
        for view in views
    ]


@policy_required("case.list")
@require_GET
def case_detail(request, case_uuid):
    return case_page(request, case_uuid)


@policy_required("case.list")
@require_POST
def case_purpose(request, case_uuid):
    """Police and prosecution state why they consult the case; it holds for 30 minutes."""
    case = selectors.case_for_change(request.membership, case_uuid)
    form = PurposeForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "cases/case_purpose.html",
            {"case_uuid": case.uuid, "form": form},
            status=400,
        )
    _remember_purpose(request, case.uuid, form.cleaned_data["purpose"].strip())
    return redirect("case-detail", case_uuid=case.uuid)


def _change(request, case_uuid, form_name: str, form, change, success: str):
    """Run ``change`` on a valid form; otherwise show the case page with the form's errors."""
    if form.is_valid():
        try:
            change(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("case-detail", case_uuid=case_uuid)
    return case_page(request, case_uuid, forms={form_name: form}, status=400)


@policy_required("case.list")
@require_POST
def case_milestone(request, case_uuid):
    actor = request.membership
    case = selectors.case_for_action(actor, case_uuid, "case.milestone.record")
    form = MilestoneForm(request.POST, authorities=selectors.competent_authorities(case))

    def record(data):
        services.record_milestone(
            actor=actor,
            case=case,
            kind=data["kind"],
            occurred_on=data["occurred_on"],
            evidence=data["evidence"].strip(),
            competent_authority=data["competent_authority"],
        )

    return _change(request, case.uuid, "milestone_form", form, record, _("Milestone recorded."))


@policy_required("case.list")
@require_POST
def case_note(request, case_uuid):
    actor = request.membership
    case = selectors.case_for_action(actor, case_uuid, "case.note.add")
    form = NoteForm(request.POST)

    def add(data):
        services.add_note(actor=actor, case=case, body=data["body"], audience=data["audience"])

    return _change(request, case.uuid, "note_form", form, add, _("Note added."))


@policy_required("case.list")
@require_POST
def case_close(request, case_uuid):
    actor = request.membership
    case = selectors.case_for_action(actor, case_uuid, "case.close")
    form = CloseForm(request.POST)

    def close(data):
        services.close_case(
            actor=actor,
            case=case,
            outcome=data["outcome"],
            closed_on=data["closed_on"],
            outcome_country=data["outcome_country"],
            evidence=data["evidence"].strip(),
        )

    return _change(request, case.uuid, "close_form", form, close, _("Case closed."))


# --- Deadlines and notifications ---


@policy_required("deadline.view")
@require_GET
def deadline_list(request):
    today = timezone.localdate()
    deadlines = list(selectors.deadline_list(request.membership))
    context = {
        "overdue": [deadline for deadline in deadlines if deadline.due_on < today],
        "upcoming": [deadline for deadline in deadlines if deadline.due_on >= today],
    }
    return render(request, "cases/deadline_list.html", context)


@policy_required("notification.view")
@require_GET
def notification_list(request):
    notifications = selectors.notification_list(request.membership)
    page = Paginator(notifications, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/notification_list.html", {"page": page})


@policy_required("notification.view")
@require_POST
def notifications_read(request):
    services.mark_notifications_read(actor=request.membership)
    messages.success(request, _("All notifications marked as read."))
    return redirect("notification-list")


# --- Anonymous notifications ---


def _counts_by_year_and_form(notifications) -> dict:
    """A year × form-of-exploitation table; a notification counts once per form it names."""
    counts: Counter = Counter()
    for notified_on, forms in notifications.values_list("notified_on", "exploitation_forms"):
        for form in forms:
            counts[notified_on.year, form] += 1
    named = {form for _year, form in counts}
    columns = [(value, label) for value, label in ExploitationForm.choices if value in named]
    years = sorted({year for year, _form in counts}, reverse=True)
    rows = [(year, [counts[year, value] for value, _label in columns]) for year in years]
    return {"columns": [label for _value, label in columns], "rows": rows}


@policy_required("anonymous_notification.list")
@require_GET
def anonymous_notification_list(request):
    notifications = selectors.anonymous_notification_list(request.membership)
    page = Paginator(notifications, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (
            notification,
            [ExploitationForm(form).label for form in notification.exploitation_forms],
            [Indicator(indicator).label for indicator in notification.indicators],
        )
        for notification in page.object_list
    ]
    context = {"page": page, "rows": rows, "counts": _counts_by_year_and_form(notifications)}
    return render(request, "cases/anonymous_notification_list.html", context)


@policy_required("anonymous_notification.record")
@require_http_methods(["GET", "POST"])
def anonymous_notification_new(request):
    form = AnonymousNotificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_anonymous_notification(actor=request.membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Anonymous notification recorded."))
            return redirect("anonymous-notification-list")
    context = {"form": form, "child_refused": bool(form.errors) and form.is_child}
    return render(
        request,
        "cases/anonymous_notification_new.html",
        context,
        status=400 if form.errors else 200,
    )


# --- Countries ---


@policy_required("country_configuration.manage")
@require_http_methods(["GET", "POST"])
def country_configuration(request):
    actor = request.membership
    posted = request.POST.get("country") if request.method == "POST" else None
    rows = []
    status = 200
    if posted is not None and posted not in Country.values:
        messages.error(request, _("Choose a country from the list."))
        status = 400
    for config in selectors.country_configurations(actor):
        initial = {name: getattr(config, name) for name in CONFIGURATION_FIELDS}
        if config.country != posted:
            rows.append((config, CountryConfigurationForm(country=config.country, initial=initial)))
            continue
        form = CountryConfigurationForm(request.POST, country=config.country, initial=initial)
        if form.is_valid():
            try:
                services.update_country_configuration(
                    actor=actor, country=config.country, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The configuration of %(country)s is saved.")
                    % {"country": config.get_country_display()},
                )
                return redirect("country-configuration")
        status = 400
        rows.append((config, form))
    return render(request, "cases/country_configuration.html", {"rows": rows}, status=status)
