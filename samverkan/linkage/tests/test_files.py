"""The agency's side: people CSV in, encodings file out, with the command line."""

import base64
import json
import os
import subprocess
import sys
from datetime import date

import pytest

from samverkan import linkage
from samverkan.accounts.models import Organisation
from samverkan.cases.models import AgeGroup, ExploitationForm
from samverkan.linkage import files

SECRET = base64.b64encode(b"c" * 32).decode()
HEADER = "given_names,family_name,date_of_birth,sex,citizenship,exploitation_form,registered_on"
ROWS = [
    "Олена,Шевченко,1994-03-17,female,UA,sexual,2026-02-01",
    "Jānis,Bērziņš,17.03.2010,m,LV,labour,2026-05-01",
    "Blessing,Okafor,,f,NG,,",
]


def _run(tmp_path, *args, secret=SECRET, rows=ROWS, header=HEADER):
    people = tmp_path / "people.csv"
    people.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("SAMVERKAN_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if secret:
        env["SAMVERKAN_LINKAGE_SECRET"] = secret
    return subprocess.run(  # noqa: S603 (our own command)
        [sys.executable, "-c", "from samverkan.cli import main; main()", "linkage", "encode",
         str(people), "--out", str(tmp_path / "encodings.json"), *args],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip


def test_encode_runs_without_django_settings_and_writes_only_encodings_and_breakdowns(
    tmp_path,
):
    done = _run(tmp_path, "--agency-kind", "ngo", "--period", "2026")
    assert done.returncode == 0, done.stderr
    assert "3 records encoded" in done.stderr
    written = (tmp_path / "encodings.json").read_text(encoding="utf-8")
    for identifying in ("Олена", "Shevchenko", "Шевченко", "Okafor", "1994", "17.03.2010"):
        assert identifying not in written
    document = json.loads(written)
    assert document["encoding_bits"] == 1024
    assert (document["schema_id"], document["schema_version"]) == ("person", 1)
    assert [record["breakdown"] for record in document["records"]] == [
        {"year": 2026, "sex": "female", "age_group": "25-34", "citizenship": "UA",
         "exploitation_form": "sexual", "identification": "presumed"},
        {"year": 2026, "sex": "male", "age_group": "12-17", "citizenship": "LV",
         "exploitation_form": "labour", "identification": "presumed"},
        {"year": 2026, "sex": "female", "age_group": "unknown", "citizenship": "NG",
         "exploitation_form": "", "identification": "presumed"},
    ]  # fmt: skip
    loaded = linkage.read_encodings_file(tmp_path / "encodings.json")
    assert loaded.agency_kind == "ngo"
    assert loaded.encodings.key_check == linkage.key_check(linkage.parse_secret(SECRET))
    expected = linkage.encode_record(
        {"given_names": "Olena", "family_name": "Shevchenko", "date_of_birth": "1994-03-17",
         "sex": "f", "citizenship": "UA"},
        secret=SECRET,
    )  # fmt: skip
    assert loaded.encodings.to_base64()[0] == expected


def test_missing_columns_and_bad_values_are_reported_by_line(tmp_path):
    done = _run(tmp_path, "--agency-kind", "ngo", "--period", "2026", header="given_names,sex")
    assert done.returncode == 2
    assert "line 1, family_name: this required column is missing" in done.stderr
    rows = [ROWS[0], "Anna,Ozola,1994-02-30,female,LV,,", "Anna,Ozola,1990-01-05,woman?,LVA,,"]
    done = _run(tmp_path, "--agency-kind", "ngo", "--period", "2026", rows=rows)
    assert done.returncode == 2
    assert "line 3, date_of_birth: not a real date (such as 30 February)" in done.stderr
    assert "line 4, sex: not a sex" in done.stderr
    assert "line 4, citizenship: not a country code" in done.stderr
    assert "1994-02-30" not in done.stderr and "Ozola" not in done.stderr
    assert not (tmp_path / "encodings.json").exists()


def test_a_missing_secret_and_dates_outside_the_period_are_refused(tmp_path):
    done = _run(tmp_path, "--agency-kind", "ngo", "--period", "2026", secret="")
    assert done.returncode == 2
    assert "SAMVERKAN_LINKAGE_SECRET" in done.stderr
    done = _run(tmp_path, "--agency-kind", "ngo", "--period", "2025")
    assert "line 2, registered_on: outside the period" in done.stderr


def _document(tmp_path):
    encodings = linkage.encode_records(
        [{"given_names": "Anna", "family_name": "Ozola", "sex": "f"}], secret=SECRET
    )
    path = tmp_path / "e.json"
    files.write_encodings_file(
        path, encodings, agency_kind="shelter",
        period=files.Period(date(2026, 1, 1), date(2026, 12, 31)),
        breakdowns=[{key: "" for key in files.BREAKDOWN_FIELDS}],
    )  # fmt: skip
    return json.loads(path.read_text())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format_version": 2}, "version 2 is not supported"),
        ({"encoding_bits": 512}, "512 bits long"),
        ({"agency_kind": "rapporteur"}, "agency kind"),
        ({"records": []}, "no records"),
        ({"records": [{"encoding": base64.b64encode(b"\1" * 64).decode()}]}, "512 bits long"),
        ({"records": [{"encoding": "AA==", "breakdown": {"name": "x"}}]}, "breakdown fields"),
        ({"period": {"start": "2026-12-31", "end": "2026-01-01"}}, "ends before it starts"),
        ({"schema_version": 2}, "does not match its schema"),
    ],
)
def test_malformed_encodings_files_are_refused(tmp_path, change, message):
    document = {**_document(tmp_path), **change}
    with pytest.raises(linkage.LinkageError, match=message):
        files.parse_encodings_document(document)


def test_the_library_knows_the_platforms_agency_kinds_age_groups_and_forms():
    platform_kinds = set(Organisation.Kind.values) - {"rapporteur", "network_secretariat"}
    assert set(files.AGENCY_KINDS) == platform_kinds
    assert {band for _, band in files.AGE_BANDS} | {"55+", "unknown"} <= set(AgeGroup.values)
    assert set(files.EXPLOITATION_FORMS) == set(ExploitationForm.values)
