"""The rapporteur's pages: building, following progress, figures with charts,
exports, the annual report and uploads; and bad input answered clearly."""

from __future__ import annotations

import csv
import io
import json

from django.utils import timezone
from openpyxl import load_workbook

from samverkan.audit.models import AuditEntry
from samverkan.statistics.models import ExternalSource, StatisticsRun
from samverkan.statistics.tests.encodings import encodings_file, population


def test_building_from_the_page_queues_a_run_and_its_page_follows_it(
    client, login, statistics_world, registrations, django_capture_on_commit_callbacks, run_tasks
):
    w = statistics_world
    login(client, w.rapporteur)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/statistics/build/",
            {
                "period_start": w.start.isoformat(),
                "period_end": w.end.isoformat(),
                "minimum_cell": 5,
                "match_threshold": 0.5,
            },
        )
    run = StatisticsRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/statistics/runs/{run.uuid}/"
    waiting = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in waiting
    assert 'data-testid="run-progress"' in waiting
    run_tasks()
    done = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in done
    assert 'data-testid="persons">19<' in done
    assert '<svg class="chart series"' in done
    assert '<svg class="chart bars"' in done
    assert 'data-testid="table-agency_kind"' in done
    overview = client.get("/statistics/").content.decode()
    assert "Latest published figures" in overview


def test_bad_build_input_is_answered_on_the_form(client, login, statistics_world, registrations):
    w = statistics_world
    login(client, w.rapporteur)
    response = client.post(
        "/statistics/build/",
        {
            "period_start": w.end.isoformat(),
            "period_end": w.start.isoformat(),
            "minimum_cell": 5,
            "match_threshold": 1.5,
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "The period ends before it starts." in page
    assert "The match threshold must be above 0 and at most 1." in page
    response = client.post(
        "/statistics/build/",
        {"period_start": "2001-01-01", "period_end": "2001-12-31", "minimum_cell": 5,
         "match_threshold": 0.5},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Nothing was registered in this period" in response.content.decode()
    response = client.post("/statistics/build/", {"period_start": "soon"})
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    assert not StatisticsRun.objects.exists()


def test_exports_hold_the_suppressed_figures_and_are_audited(
    client, login, statistics_world, published
):
    login(client, statistics_world.rapporteur)
    base = f"/statistics/runs/{published.uuid}/export"
    response = client.get(f"{base}/csv/")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    groups = {(r["year"], r["category"]): r for r in rows if r["table"] == "citizenship_group"}
    assert groups[("total", "total")]["count"] == "19"
    assert groups[("total", "national")] == {
        **groups[("total", "national")],
        "count": "",
        "flag": "c",
    }
    for row in rows:
        assert row["count"] == "" or int(row["count"]) == 0 or int(row["count"]) >= 5

    figures = json.loads(client.get(f"{base}/json/").content)
    assert figures["persons"] == 19
    assert figures["minimum_cell"] == 5

    book = load_workbook(io.BytesIO(client.get(f"{base}/xlsx/").content))
    values = [cell.value for row in book["citizenship_group"].iter_rows() for cell in row]
    assert "c" in values and 19 in values

    htcds = json.loads(client.get(f"{base}/htcds/").content)
    assert htcds["standard_version"] == "2.0"
    fields = {entry["field"] for entry in htcds["aggregates"]}
    assert fields == {"vic_TraffickingStatus", "prs_Gender", "prs_Citizenship",
                      "vic_TypeOfExploitation", "org_Type"}  # fmt: skip
    shelter = [e for e in htcds["aggregates"] if e.get("samverkan_value") == "shelter"]
    assert shelter and shelter[0]["value"] == "Other"
    assert AuditEntry.objects.filter(action="statistics.exported").count() == 4


def test_the_annual_report_prints_the_figures(client, login, statistics_world, published):
    login(client, statistics_world.rapporteur)
    page = client.get(f"/statistics/runs/{published.uuid}/report/").content.decode()
    assert "Trafficking in human beings: victims registered from" in page
    assert "How the figures are made" in page
    assert page.count("<svg") >= 2
    assert page.count('data-testid="table-') == len(published.figures["tables"])


def test_a_source_is_uploaded_from_the_page_and_a_bad_one_explained(
    client, login, statistics_world, tmp_path
):
    login(client, statistics_world.rapporteur)
    data = encodings_file(tmp_path, population(20).records["ngo"], agency_kind="ngo")
    response = client.post(
        "/statistics/sources/",
        {"name": "Red Cross 2026", "file": _upload("ngo.json", data)},
    )
    assert response.status_code == 302
    listing = client.get("/statistics/sources/").content.decode()
    assert "Red Cross 2026" in listing and "NGO" in listing
    response = client.post(
        "/statistics/sources/", {"name": "Broken", "file": _upload("broken.json", b"{}")}
    )
    assert response.status_code == 400
    assert "This is not a Samverkan encodings file." in response.content.decode()
    assert ExternalSource.objects.count() == 1


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/json")


def test_the_page_says_when_nothing_could_be_de_duplicated(client, login, statistics_world, build):
    """Anonymous notifications made without identity carry no encoding."""
    from samverkan.statistics.tests.conftest import notify

    for days in range(3):
        notify(statistics_world.shelter, timezone.localdate() - timezone.timedelta(days=days))
    run = build(statistics_world)
    login(client, statistics_world.rapporteur)
    page = client.get(f"/statistics/runs/{run.uuid}/").content.decode()
    assert 'data-testid="not-linked"' in page
    assert run.figures["persons"] == run.figures["records"] == 3
