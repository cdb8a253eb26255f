"""The rapporteur's pages: builds and their progress, figures with charts,
exports, the printable annual report, and uploads of external sources.

Thin: forms in, services and selectors out. Everything shown comes from a
build's stored figures, which passed disclosure control when stored.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samverkan.policy.access import PolicyDenied
from samverkan.policy.views import policy_required
from samverkan.statistics import charts, exports, selectors, services
from samverkan.statistics.forms import BuildForm, SourceUploadForm
from samverkan.statistics.models import StatisticsRun
from samverkan.web.forms import add_service_errors

# Persons' tables drawn as breakdown charts on the page and in the report.
CHARTED = ("status", "sex", "age", "citizenship_group", "exploitation", "agency_kind")


def _charts(tables: list[dict]) -> list:
    drawn = []
    for table in tables:
        if table["key"] == "status":
            drawn.append(
                charts.time_series(
                    _("Persons by year of first registration"), table["rows"], table["row_totals"]
                )
            )
        if table["key"] in CHARTED:
            drawn.append(charts.bar_chart(table["title"], table["labels"], table["column_totals"]))
    return drawn


def _overview_context(request, form: BuildForm) -> dict:
    actor = request.membership
    return {
        "form": form,
        "runs": selectors.run_list(actor)[:20],
        "latest": selectors.latest_published(actor),
    }


@policy_required("statistics.view")
@require_GET
def statistics_overview(request):
    return render(request, "statistics/overview.html", _overview_context(request, BuildForm()))


@policy_required("statistics.build")
@require_POST
def statistics_build(request):
    form = BuildForm(request.POST)
    if form.is_valid():
        try:
            run = services.statistics_run_request(actor=request.membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The build is queued; this page follows its progress."))
            return redirect("statistics-run", run_uuid=run.uuid)
    return render(request, "statistics/overview.html", _overview_context(request, form), status=400)


@policy_required("statistics.view")
@require_GET
def statistics_run(request, run_uuid):
    run = selectors.run_get(request.membership, run_uuid)
    tables = selectors.labelled_tables(run)
    context = {"run": run, "tables": tables, "charts": _charts(tables), "figures": run.figures}
    return render(request, "statistics/run.html", context)


def _published(request, run_uuid) -> StatisticsRun:
    run = selectors.run_get(request.membership, run_uuid)
    if run.status != StatisticsRun.Status.PUBLISHED:
        raise PolicyDenied
    return run


@policy_required("statistics.view")
@require_GET
def statistics_report(request, run_uuid):
    run = _published(request, run_uuid)
    tables = selectors.labelled_tables(run)
    context = {"run": run, "tables": tables, "charts": _charts(tables), "figures": run.figures}
    return render(request, "statistics/report.html", context)


@policy_required("statistics.export")
@require_GET
def statistics_export(request, run_uuid, export_format):
    run = _published(request, run_uuid)
    if export_format not in exports.FORMATS:
        raise PolicyDenied
    services.statistics_export_record(
        actor=request.membership, run=run, export_format=export_format
    )
    response = HttpResponse(
        exports.WRITERS[export_format](run), content_type=exports.FORMATS[export_format]
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(run, export_format)}"'
    )
    return response


@policy_required("statistics.source.upload")
@require_http_methods(["GET", "POST"])
def statistics_sources(request):
    actor = request.membership
    form = SourceUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                source = services.external_source_upload(
                    actor=actor,
                    name=form.cleaned_data["name"],
                    data=form.cleaned_data["file"].read(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(count)s encodings added as a source.") % {"count": source.record_count},
                )
                return redirect("statistics-sources")
    context = {"form": form, "sources": selectors.source_list(actor)}
    return render(request, "statistics/sources.html", context, status=status)
