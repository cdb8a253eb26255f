"""The statistics API: the same services as the pages, the one error format."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from samverkan.statistics.models import ExternalSource, StatisticsRun
from samverkan.statistics.tests.encodings import encodings_file, population


def test_a_build_is_requested_and_its_figures_read(
    client, login, statistics_world, registrations, django_capture_on_commit_callbacks, run_tasks
):
    w = statistics_world
    login(client, w.rapporteur)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/statistics/runs/",
            {"period_start": w.start.isoformat(), "period_end": w.end.isoformat()},
            content_type="application/json",
        )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert body["minimum_cell"] == 5
    assert body["match_threshold"] == 0.5
    run_tasks()
    figures = client.get(f"/api/v1/statistics/runs/{body['uuid']}/").json()
    assert figures["status"] == "published"
    assert figures["persons"] == 19
    status_table = next(t for t in figures["tables"] if t["key"] == "status")
    assert status_table["title"] == "Identified or presumed"
    assert status_table["labels"] == ["Identified", "Presumed"]
    assert status_table["column_totals"] == [0, 19]
    listing = client.get("/api/v1/statistics/runs/").json()
    assert [run["uuid"] for run in listing["results"]] == [body["uuid"]]


def test_bad_input_gets_the_error_format_and_nothing_is_queued(
    client, login, statistics_world, registrations
):
    w = statistics_world
    login(client, w.rapporteur)
    response = client.post(
        "/api/v1/statistics/runs/",
        {
            "period_start": w.start.isoformat(),
            "period_end": w.end.isoformat(),
            "match_threshold": 0,
            "minimum_cell": 0,
            "country": "FI",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"country": ["This field is not accepted here."]}
    response = client.post(
        "/api/v1/statistics/runs/",
        {"period_start": w.start.isoformat(), "period_end": w.end.isoformat(),
         "match_threshold": 0, "minimum_cell": 0},
        content_type="application/json",
    )  # fmt: skip
    error = response.json()["error"]
    assert response.status_code == 400
    assert error["code"] == "invalid"
    assert error["fields"] == {
        "match_threshold": ["The match threshold must be above 0 and at most 1."],
        "minimum_cell": ["The smallest published count must be between 1 and 100."],
    }
    assert not StatisticsRun.objects.exists()


def test_a_source_is_uploaded_through_the_api(client, login, statistics_world, tmp_path):
    login(client, statistics_world.rapporteur)
    data = encodings_file(tmp_path, population(20).records["police"], agency_kind="police")
    response = client.post(
        "/api/v1/statistics/sources/",
        {"name": "County police list", "file": SimpleUploadedFile("p.json", data)},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["agency_kind"] == "police"
    assert "records" not in body
    bad = client.post(
        "/api/v1/statistics/sources/",
        {"name": "Broken", "file": SimpleUploadedFile("b.json", b"[1, 2]")},
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {"file": ["This is not a Samverkan encodings file."]}
    assert ExternalSource.objects.count() == 1
