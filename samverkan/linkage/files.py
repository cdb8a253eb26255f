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
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from samverkan.linkage import normalise
from samverkan.linkage.encoding import EncodingSet, encode_standardised, standardise_value
from samverkan.linkage.errors import EncodingError, InputError, SchemaError
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
            raise InputError([(0, "period", "the period ends before it starts")])


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
    repeated in an error, only where they are.
    """
    required = [feature.identifier for feature in schema.features]
    try:
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    except OSError as error:
        raise InputError([(0, "file", f"cannot be read ({error.strerror})")]) from error
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [column for column in required if column not in header]
            if missing:
                raise InputError(
                    [(1, column, "this required column is missing") for column in missing]
                )
            records, breakdowns, problems = [], [], []
            for row in reader:
                line = reader.line_num
                values, breakdown = {}, {}
                for feature in schema.features:
                    try:
                        values[feature.identifier] = standardise_value(
                            feature, row.get(feature.identifier) or None
                        )
                    except ValueError as error:
                        problems.append((line, feature.identifier, str(error)))
                breakdown_problems = _breakdown(row, values, period, breakdown)
                problems += [(line, column, message) for column, message in breakdown_problems]
                records.append(values)
                breakdowns.append(breakdown)
        except UnicodeDecodeError as error:
            raise InputError([(0, "file", "is not UTF-8 text")]) from error
        except csv.Error as error:
            raise InputError([(reader.line_num, "file", f"is not valid CSV ({error})")]) from error
    if problems:
        raise InputError(problems)
    if not records:
        raise InputError([(2, "file", "has no records")])
    return records, breakdowns


def _breakdown(row: dict, values: dict, period: Period, out: dict) -> list[tuple[str, str]]:
    problems = []
    registered = (row.get("registered_on") or "").strip()
    on = period.end
    if registered:
        try:
            on = date.fromisoformat(registered)
        except ValueError:
            problems.append(("registered_on", "not a date (YYYY-MM-DD)"))
        else:
            if not period.start <= on <= period.end:
                problems.append(("registered_on", "outside the period"))
    form = (row.get("exploitation_form") or "").strip()
    if form and form not in EXPLOITATION_FORMS:
        problems.append(("exploitation_form", f"not one of {', '.join(EXPLOITATION_FORMS)}"))
    identification = (row.get("identification") or "presumed").strip()
    if identification not in IDENTIFICATION:
        problems.append(("identification", f"not one of {', '.join(IDENTIFICATION)}"))
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


def write_encodings_file(
    path: str | Path,
    encodings: EncodingSet,
    *,
    agency_kind: str,
    period: Period,
    breakdowns: list[dict],
) -> None:
    if agency_kind not in AGENCY_KINDS:
        raise InputError([(0, "agency kind", f"not one of {', '.join(AGENCY_KINDS)}")])
    if len(breakdowns) != len(encodings):
        raise EncodingError("There must be one breakdown per encoding.")
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
        raise EncodingError("This is not a Samverkan encodings file.")
    if document.get("format_version") != FORMAT_VERSION:
        raise EncodingError(
            f"Encodings file version {document.get('format_version')!r} is not supported "
            f"(version {FORMAT_VERSION} is)."
        )
    schema = parse_schema(document.get("schema"))
    if (document.get("schema_id"), document.get("schema_version")) != (schema.id, schema.version):
        raise SchemaError("The file's schema id or version does not match its schema.")
    if document.get("encoding_bits") != schema.length:
        raise EncodingError(
            f"The file says its encodings are {document.get('encoding_bits')!r} bits long; "
            f"its schema makes {schema.length}-bit encodings."
        )
    if document.get("agency_kind") not in AGENCY_KINDS:
        raise EncodingError(f"The agency kind must be one of {', '.join(AGENCY_KINDS)}.")
    try:
        period = Period(
            date.fromisoformat(document["period"]["start"]),
            date.fromisoformat(document["period"]["end"]),
        )
    except InputError as error:
        raise EncodingError("The period ends before it starts.") from error
    except (KeyError, TypeError, ValueError) as error:
        raise EncodingError("The period must have a start and an end (YYYY-MM-DD).") from error
    records = document.get("records")
    if not isinstance(records, list) or not records:
        raise EncodingError("The file holds no records.")
    if not all(isinstance(record, dict) for record in records):
        raise EncodingError("Each record must be an object with an encoding.")
    breakdowns = []
    for number, record in enumerate(records, start=1):
        breakdown = record.get("breakdown") or {}
        if not isinstance(breakdown, dict) or set(breakdown) - set(BREAKDOWN_FIELDS):
            raise EncodingError(
                f"Record {number} has breakdown fields other than {', '.join(BREAKDOWN_FIELDS)}."
            )
        breakdowns.append(breakdown)
    key = document.get("key_check")
    encodings = EncodingSet.from_base64(
        [record.get("encoding") for record in records],
        schema,
        key_check=key if isinstance(key, str) else None,
    )
    return EncodingFile(encodings, document["agency_kind"], period, breakdowns)


def read_encodings_file(path: str | Path) -> EncodingFile:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise EncodingError(f"The encodings file cannot be read ({error.strerror}).") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise EncodingError("The encodings file is not JSON.") from error
    return parse_encodings_document(document)


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
