"""Files that cross the agency's border: a people CSV in, an encodings file out.

An agency outside the platform runs ``samverkan linkage encode people.csv``;
the rapporteur uploads the encodings file it writes. The file holds only
encodings and non-identifying breakdown fields, derived at the agency (the
age group, not the date of birth; the year, not the date of registration).

Encodings file, JSON (``format_version`` 1)::

    {
      "format": "samverkan-linkage-encodings",
      "format_version": 1,
      "schema": {...the schema document, clkhash v3 format...},
      "schema_id": "person", "schema_version": 1,
      "encoding_bits": 1024,
      "key_check": "9f2c…",            # tells files of different secrets apart
      "agency_kind": "ngo",            # accounts.Organisation.Kind values
      "period": {"start": "2026-01-01", "end": "2026-12-31"},
      "breakdown_fields": ["year", "sex", "age_group", "citizenship",
                           "exploitation_form", "identification"],
      "records": [{"encoding": "<base64 of 128 bytes>",
                   "breakdown": {"year": 2026, "sex": "female", ...}}, ...]
    }

The schema may be a clkhash v3 schema (HKDF): the encodings are then
whole-record CLKs, bit for bit clkhash's, of ``l / 8`` bytes each.
clkhash's and anonlink-client's own output, ``{"clks": ["<base64>", ...]}``,
is read and written by ``read_clks_file`` and ``write_clks_file``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from samverkan.linkage import normalise
from samverkan.linkage.encoding import EncodingSet, encode_standardised, standardise_fields
from samverkan.linkage.errors import EncodingError, InputError, Problem, SchemaError
from samverkan.linkage.schema import Schema, parse_schema

FORMAT = "samverkan-linkage-encodings"
FORMAT_VERSION = 1
BREAKDOWN_FIELDS = (
    "year",
    "sex",
    "age_group",
    "citizenship",
    "exploitation_form",
    "identification",
)
# The values of accounts.Organisation.Kind (a test keeps them in step).
AGENCY_KINDS = (
    "police", "prosecution", "social_services", "ngo", "shelter", "health", "migration",
    "labour_inspection", "consulate", "hotline", "coordination_agency",
    "intergovernmental",
)  # fmt: skip
# The European data collection's bands (cases.models.AgeGroup).
AGE_BANDS = (
    (11, "0-11"), (17, "12-17"), (24, "18-24"), (34, "25-34"), (44, "35-44"), (54, "45-54"),
)  # fmt: skip
SEX_NAMES = {"f": "female", "m": "male", "x": "other", "": "unknown"}
EXPLOITATION_FORMS = (
    "sexual", "labour", "forced_begging", "forced_criminality", "domestic_servitude",
    "forced_marriage", "benefit_fraud", "organ_removal", "other",
)  # fmt: skip
IDENTIFICATION = ("presumed", "identified", "not_identified")
OPTIONAL_COLUMNS = ("exploitation_form", "identification", "registered_on")


def age_group(born: normalise.BirthDate | None, on: date) -> str:
    if born is None:
        return "unknown"
    age = on.year - born.year
    if born.month is not None and (on.month, on.day) < (born.month, born.day):
        age -= 1
    for upper, band in AGE_BANDS:
        if age <= upper:
            return band
    return "55+"


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __post_init__(self):
        if self.end < self.start:
            raise InputError([Problem(0, "period", "period_reversed")])


@dataclass(frozen=True)
class EncodingFile:
    """A validated encodings file: the encodings and what may be counted with them."""

    encodings: EncodingSet
    agency_kind: str
    period: Period
    breakdowns: list[dict]


def read_people_csv(
    path: str | Path, schema: Schema, period: Period
) -> tuple[list[dict], list[dict]]:
    """Standardised records and their breakdowns; ``InputError`` lists bad lines and columns.

    Required columns are the schema's fields; ``exploitation_form``,
    ``identification`` and ``registered_on`` are optional. Values are never
    repeated in an error, only where they are. Under a clkhash schema the
    breakdowns' sex, citizenship and age group come from the columns
    ``sex``, ``citizenship`` and ``date_of_birth`` where the file has them,
    and are unknown where it has not or they cannot be read.
    """
    required = list(schema.columns)
    try:
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    except OSError as error:
        raise InputError(
            [Problem(0, "file", "csv_unreadable", {"reason": error.strerror})]
        ) from error
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [column for column in required if column not in header]
            if missing:
                raise InputError([Problem(1, column, "column_missing") for column in missing])
            records, breakdowns, problems = [], [], []
            for row in reader:
                line = reader.line_num
                breakdown: dict = {}
                values, bad = standardise_fields(row, schema, line)
                problems += bad
                known = values if schema.segmented else _clkhash_breakdown_values(row)
                breakdown_problems = _breakdown(row, known, period, breakdown)
                problems += [problem._replace(line=line) for problem in breakdown_problems]
                records.append(values)
                breakdowns.append(breakdown)
        except UnicodeDecodeError as error:
            raise InputError([Problem(0, "file", "csv_not_utf8")]) from error
        except csv.Error as error:
            raise InputError(
                [Problem(reader.line_num, "file", "csv_invalid", {"reason": str(error)})]
            ) from error
    if problems:
        raise InputError(problems)
    if not records:
        raise InputError([Problem(2, "file", "csv_without_records")])
    return records, breakdowns


def _clkhash_breakdown_values(row: dict) -> dict:
    """Sex, citizenship and date of birth as Samverkan reads them, for the breakdowns only."""
    readers = {
        "sex": normalise.standardise_sex,
        "citizenship": normalise.standardise_citizenships,
        "date_of_birth": normalise.standardise_birth_date,
    }
    known = {}
    for column, read in readers.items():
        try:
            known[column] = read(row.get(column) or None)
        except ValueError:
            continue
    return known


def _breakdown(row: dict, values: dict, period: Period, out: dict) -> list[Problem]:
    problems = []
    registered = (row.get("registered_on") or "").strip()
    on = period.end
    if registered:
        try:
            on = date.fromisoformat(registered)
        except ValueError:
            problems.append(Problem(0, "registered_on", "iso_date_format"))
        else:
            if not period.start <= on <= period.end:
                problems.append(Problem(0, "registered_on", "outside_period"))
    form = (row.get("exploitation_form") or "").strip()
    if form and form not in EXPLOITATION_FORMS:
        problems.append(_not_one_of("exploitation_form", EXPLOITATION_FORMS))
    identification = (row.get("identification") or "presumed").strip()
    if identification not in IDENTIFICATION:
        problems.append(_not_one_of("identification", IDENTIFICATION))
    citizenships = values.get("citizenship") or []
    out.update(
        year=on.year,
        sex=SEX_NAMES.get(values.get("sex") or "", "unknown"),
        age_group=age_group(values.get("date_of_birth"), on),
        citizenship=citizenships[0] if citizenships else "",
        exploitation_form=form,
        identification=identification,
    )
    return problems


def _not_one_of(column: str, choices: tuple[str, ...]) -> Problem:
    return Problem(0, column, "not_one_of", {"choices": ", ".join(choices)})


def _number(value) -> int | str:
    """A number the file states, for an error; anything else it holds is not repeated."""
    return value if isinstance(value, int) and not isinstance(value, bool) else "?"


def write_encodings_file(
    path: str | Path,
    encodings: EncodingSet,
    *,
    agency_kind: str,
    period: Period,
    breakdowns: list[dict],
) -> None:
    if agency_kind not in AGENCY_KINDS:
        raise InputError([_not_one_of("agency kind", AGENCY_KINDS)])
    if len(breakdowns) != len(encodings):
        raise EncodingError("breakdown_count")
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema": encodings.schema.document,
        "schema_id": encodings.schema.id,
        "schema_version": encodings.schema.version,
        "encoding_bits": encodings.schema.length,
        "key_check": encodings.key_check,
        "agency_kind": agency_kind,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "breakdown_fields": list(BREAKDOWN_FIELDS),
        "records": [
            {"encoding": encoding, "breakdown": {key: breakdown[key] for key in BREAKDOWN_FIELDS}}
            for encoding, breakdown in zip(encodings.to_base64(), breakdowns, strict=True)
        ],
    }
    Path(path).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def parse_encodings_document(document) -> EncodingFile:
    """Validate an encodings file's JSON; raises ``EncodingError`` or ``SchemaError``."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise EncodingError("not_encodings_file")
    if document.get("format_version") != FORMAT_VERSION:
        raise EncodingError(
            "file_version",
            {"found": _number(document.get("format_version")), "supported": FORMAT_VERSION},
        )
    schema = parse_schema(document.get("schema"))
    if (document.get("schema_id"), document.get("schema_version")) != (schema.id, schema.version):
        raise SchemaError("schema_mismatch")
    if document.get("encoding_bits") != schema.length:
        raise EncodingError(
            "file_bits",
            {"found": _number(document.get("encoding_bits")), "expected": schema.length},
        )
    if document.get("agency_kind") not in AGENCY_KINDS:
        raise EncodingError("file_agency_kind", {"choices": ", ".join(AGENCY_KINDS)})
    try:
        period = Period(
            date.fromisoformat(document["period"]["start"]),
            date.fromisoformat(document["period"]["end"]),
        )
    except InputError as error:
        raise EncodingError("file_period_reversed") from error
    except (KeyError, TypeError, ValueError) as error:
        raise EncodingError("file_period_missing") from error
    records = document.get("records")
    if not isinstance(records, list) or not records:
        raise EncodingError("file_without_records")
    if not all(isinstance(record, dict) for record in records):
        raise EncodingError("record_not_object")
    breakdowns = []
    for number, record in enumerate(records, start=1):
        breakdown = record.get("breakdown") or {}
        if not isinstance(breakdown, dict) or set(breakdown) - set(BREAKDOWN_FIELDS):
            raise EncodingError(
                "breakdown_fields", {"record": number, "fields": ", ".join(BREAKDOWN_FIELDS)}
            )
        breakdowns.append(breakdown)
    key = document.get("key_check")
    encodings = EncodingSet.from_base64(
        [record.get("encoding") for record in records],
        schema,
        key_check=key if isinstance(key, str) else None,
    )
    return EncodingFile(encodings, document["agency_kind"], period, breakdowns)


def write_clks_file(path: str | Path, encodings: EncodingSet) -> None:
    """The encodings as clkhash and anonlink-client write them: ``{"clks": [...]}``."""
    Path(path).write_text(json.dumps({"clks": encodings.to_base64()}), encoding="utf-8")


def read_clks_file(path: str | Path, schema: Schema) -> EncodingSet:
    """CLKs written by clkhash or anonlink-client (``{"clks": [...]}``) under ``schema``."""
    document = _read_json(path, "clks_file_unreadable", "clks_file_not_json")
    clks = document.get("clks") if isinstance(document, dict) else None
    if not isinstance(clks, list) or not clks:
        raise EncodingError("clks_file_format")
    return EncodingSet.from_base64(clks, schema)


def _read_json(path: str | Path, unreadable: str, not_json: str):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise EncodingError(unreadable, {"reason": error.strerror}) from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise EncodingError(not_json) from error


def read_encodings_file(path: str | Path) -> EncodingFile:
    return parse_encodings_document(_read_json(path, "file_unreadable", "file_not_json"))


def encode_people_csv(
    path: str | Path,
    schema: Schema,
    secret: bytes,
    period: Period,
    *,
    progress: Callable[[int], None] | None = None,
) -> tuple[EncodingSet, list[dict]]:
    records, breakdowns = read_people_csv(path, schema, period)
    return encode_standardised(records, schema, secret, progress=progress), breakdowns
