"""Uploaded sources: files made by the agencies' encoder, their refusals, and
de-duplication across them in a build."""

from __future__ import annotations

import base64
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from samverkan.linkage import load_schema
from samverkan.linkage import tests as linkage_tests
from samverkan.statistics.models import ExternalSource, StatisticsRun
from samverkan.statistics.services import external_source_upload, statistics_run_request
from samverkan.statistics.tests.encodings import (
    OTHER_SECRET,
    SHARED_SECRET,
    edited,
    encodings_file,
    population,
)

CLKHASH_VECTORS = Path(linkage_tests.__file__).parent / "clkhash_vectors"


def upload(w, data, name="Red Cross list"):
    return external_source_upload(actor=w.rapporteur, name=name, data=data)


def refused(w, data) -> str:
    with pytest.raises(ValidationError) as error:
        upload(w, data)
    assert not ExternalSource.objects.exists() or ExternalSource.objects.count() == 1
    return " ".join(error.value.message_dict["file"])


@pytest.fixture
def people():
    return population()


def test_an_upload_keeps_encodings_and_breakdowns_and_takes_kind_and_period_from_the_file(
    statistics_world, tmp_path, people
):
    data = encodings_file(tmp_path, people.records["ngo"], agency_kind="ngo")
    source = upload(statistics_world, data)
    assert source.agency_kind == "ngo"
    assert (source.period_start, source.period_end) == (date(2026, 1, 1), date(2026, 10, 31))
    assert source.record_count == len(people.records["ngo"])
    assert source.schema_version == "person-v1"
    assert set(source.records[0]) == {"encoding", "breakdown"}
    # Nothing identifying came along: besides the encoding, only breakdown
    # fields, and no name of the people file among their values.
    breakdowns = str([stored["breakdown"] for stored in source.records])
    for record in people.records["ngo"]:
        assert record["family_name"] not in breakdowns
    assert all(len(base64.b64decode(stored["encoding"])) == 128 for stored in source.records)


def test_two_agencies_lists_are_counted_as_persons_not_records(
    statistics_world, tmp_path, people, django_capture_on_commit_callbacks, run_tasks
):
    w = statistics_world
    for agency in ("police", "ngo", "shelter"):
        upload(w, encodings_file(tmp_path, people.records[agency], agency_kind=agency), agency)
    with django_capture_on_commit_callbacks(execute=True):
        run = statistics_run_request(
            actor=w.rapporteur,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 11, 30),
            minimum_cell=1,
            match_threshold=0.5,
        )
    run_tasks()
    run.refresh_from_db()
    assert run.status == StatisticsRun.Status.PUBLISHED, run.error
    records = sum(len(people.records[agency]) for agency in ("police", "ngo", "shelter"))
    assert run.figures["records"] == records
    assert run.figures["linked"] is True
    # 60 people behind the records; linkage finds them within a few.
    assert abs(run.figures["persons"] - len(people.people)) <= 3
    assert run.figures["persons_low"] <= run.figures["persons"] <= run.figures["persons_high"]
    assert run.figures["ratio"] == round(records / run.figures["persons"], 2)


def test_a_file_of_another_secret_is_refused(statistics_world, tmp_path, people):
    other = encodings_file(tmp_path, people.records["ngo"], agency_kind="ngo", secret=OTHER_SECRET)
    assert "not encoded with this platform's linkage secret" in refused(statistics_world, other)


def test_a_file_of_whole_record_clkhash_encodings_is_refused(statistics_world, tmp_path, people):
    schema = load_schema(CLKHASH_VECTORS / "schema-doublehash.json")
    whole = encodings_file(tmp_path, people.records["ngo"], agency_kind="ngo", schema=schema)
    assert "whole-record (clkhash) encodings" in refused(statistics_world, whole)


def test_without_a_platform_secret_sources_must_share_theirs(
    statistics_world, tmp_path, people, settings
):
    settings.LINKAGE_SECRET = ""
    w = statistics_world
    police = encodings_file(
        tmp_path, people.records["police"], agency_kind="police", secret=SHARED_SECRET
    )
    upload(w, police)
    other = encodings_file(tmp_path, people.records["ngo"], agency_kind="ngo", secret=OTHER_SECRET)
    assert "another linkage secret than the sources already uploaded" in refused(w, other)


def test_mixed_secrets_without_a_key_check_fail_the_build_and_publish_nothing(
    statistics_world, tmp_path, people, django_capture_on_commit_callbacks, run_tasks, settings
):
    """Files without key checks: the similarity distribution gives the secrets away."""
    settings.LINKAGE_SECRET = ""
    w = statistics_world
    drop_check = lambda document: document.pop("key_check")  # noqa: E731
    upload(
        w,
        edited(
            encodings_file(
                tmp_path, people.records["police"], agency_kind="police", secret=SHARED_SECRET
            ),
            drop_check,
        ),
    )
    upload(
        w,
        edited(
            encodings_file(tmp_path, people.records["ngo"], agency_kind="ngo", secret=OTHER_SECRET),
            drop_check,
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = statistics_run_request(
            actor=w.rapporteur,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 11, 30),
            minimum_cell=1,
            match_threshold=0.5,
        )
    run_tasks()
    run.refresh_from_db()
    assert run.status == StatisticsRun.Status.FAILED
    assert "different linkage secrets" in run.error
    assert run.figures is None


SHORT = base64.b64encode(b"x" * 64).decode()
FUTURE = {"start": "2027-01-01", "end": "2027-12-31"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="csv"), "not a Samverkan encodings file"),
        (lambda d: d.update(format_version=7), "version 7 is not supported"),
        (lambda d: d.update(encoding_bits=512), "512 bits long"),
        (lambda d: d["records"][2].update(encoding=SHORT), "Encoding 3 is 512 bits long"),
        (lambda d: d["records"][0].update(encoding="not base64!"), "Encoding 1 is not valid"),
        (lambda d: d["records"][4]["breakdown"].update(name="x"), "Record 5 has breakdown"),
        (lambda d: d.update(records=[]), "holds no records"),
        (lambda d: d["schema"].update(version=9), "schema"),
        (lambda d: d.update(period=FUTURE), "ends in the future"),
    ],
)
def test_malformed_files_are_refused_with_what_is_wrong(
    statistics_world, tmp_path, people, change, message
):
    data = edited(encodings_file(tmp_path, people.records["ngo"], agency_kind="ngo"), change)
    assert message in refused(statistics_world, data)
    assert not ExternalSource.objects.exists()


def test_a_file_that_is_not_json_is_refused(statistics_world):
    assert refused(statistics_world, b"\xff\xfe not json") == "The file is not JSON in UTF-8."
    assert not ExternalSource.objects.exists()
