"""Encodings files made as an agency makes them: synthetic people written to a
CSV, encoded by the linkage library under a secret, written as the file the
rapporteur uploads."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from django.conf import settings

from samverkan.linkage import Schema, default_schema, parse_secret
from samverkan.linkage.files import Period, encode_people_csv, write_encodings_file
from samverkan.linkage.synthetic import generate_population

# Two agencies' own secrets, for worlds where the platform has none.
SHARED_SECRET = b"the-agencies-shared-linkage-secret-0123456"
OTHER_SECRET = b"another-agency-s-own-linkage-secret-98765"
PERIOD = Period(date(2026, 1, 1), date(2026, 10, 31))
COLUMNS = ["given_names", "family_name", "date_of_birth", "sex", "citizenship",
           "exploitation_form", "registered_on"]  # fmt: skip


def population(people: int = 60, seed: int = 3):
    return generate_population(people, corruption=0.1, seed=seed)


def encodings_file(
    tmp_path: Path,
    records: list[dict],
    *,
    agency_kind: str,
    secret: bytes | None = None,
    schema: Schema | None = None,
) -> bytes:
    """Encoded under the platform's secret unless another is given."""
    secret = secret or parse_secret(settings.LINKAGE_SECRET)
    people = tmp_path / f"{agency_kind}-{len(records)}-people.csv"
    with people.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for record in records:
            row = dict(record)
            for key in ("date_of_birth", "registered_on"):
                if row.get(key) is not None:
                    row[key] = row[key].isoformat()
            writer.writerow(row)
    encodings, breakdowns = encode_people_csv(people, schema or default_schema(), secret, PERIOD)
    out = tmp_path / f"{agency_kind}-{len(records)}.json"
    write_encodings_file(
        out, encodings, agency_kind=agency_kind, period=PERIOD, breakdowns=breakdowns
    )
    return out.read_bytes()


def edited(data: bytes, change) -> bytes:
    document = json.loads(data)
    change(document)
    return json.dumps(document).encode()
