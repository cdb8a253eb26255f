"""Benchmark: the rapporteur's tables from linked records, against plain counting.

Builds ``--records`` fictitious victim records (default 100,000) grouped into
persons (about 1.7 records each), then times

- the reference: counting the same persons' breakdowns with
  ``collections.Counter`` (no merging, no disclosure control);
- ``figures.tabulate``: merging each person's records, the fifteen tables,
  and disclosure control of the linked persons' tables (minimum 5);
- the same with differential privacy (epsilon 1, OpenDP);
- ``disclosure.suppress`` alone on a 10 × 40 table of small counts,

and prints seconds and the ratio to the reference. No database: linkage
and the database reads are measured elsewhere (bench/linkage.py and the
test suite). Run from the repository:

    .venv/bin/python bench/rapporteur_tables.py
    .venv/bin/python bench/rapporteur_tables.py --records 20000
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import time
from collections import Counter
from datetime import date, timedelta


def _environment() -> None:
    key = lambda: base64.b64encode(os.urandom(32)).decode()  # noqa: E731
    os.environ.setdefault("SAMVERKAN_ENV", "test")
    os.environ.setdefault("SAMVERKAN_SECRET_KEY", key())
    os.environ.setdefault("SAMVERKAN_FIELD_KEYS", f"k1:{key()}")
    os.environ.setdefault("SAMVERKAN_AUDIT_CHECKPOINT_KEY", key())
    os.environ.setdefault("SAMVERKAN_BLIND_INDEX_KEY", key())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
    import django

    django.setup()


def _records(count: int, rng: random.Random):
    from samverkan.statistics.collection import CASE, NOTIFICATION, VictimRecord
    from samverkan.statistics.linking import Persons

    records, labels, person = [], [], 0
    start = date(2024, 1, 1)
    while len(records) < count:
        sex = rng.choice(["female", "female", "male", "unknown"])
        age = rng.choice(["12-17", "18-24", "25-34", "35-44", "45-54", "55+"])
        citizenship = rng.choice(["RO", "BG", "LT", "NG", "VN", "UA", "SE", "TH", "ER", "AL"])
        for _copy in range(rng.choice([1, 1, 1, 2, 2, 3])):
            records.append(
                VictimRecord(
                    source=rng.choice([CASE, NOTIFICATION]),
                    source_key=f"organisation:{rng.randrange(40)}",
                    registered_on=start + timedelta(days=rng.randrange(730)),
                    sex=sex,
                    age_group=age,
                    citizenship=citizenship,
                    exploitation_forms=(rng.choice(["sexual", "labour", "forced_begging"]),),
                    identified=rng.random() < 0.4,
                    agency_kind=rng.choice(["police", "ngo", "shelter", "social_services"]),
                )
            )
            labels.append(person)
        person += 1
    records, labels = records[:count], labels[:count]
    return records, Persons(tuple(labels), len(set(labels)), len(set(labels)), linked=True)


def _timed(function, repeat: int = 3) -> float:
    best = float("inf")
    for _run in range(repeat):
        began = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    arguments = parser.parse_args()
    _environment()
    from samverkan.statistics import figures
    from samverkan.statistics.disclosure import Table, suppress

    rng = random.Random(1)
    records, persons = _records(arguments.records, rng)
    people = figures.persons_of(records, persons)

    def reference():
        for dimension in figures.dimensions("SE"):
            Counter((person.year, dimension.value(person)) for person in people)

    def tabulate(epsilon=None):
        figures.tabulate(
            country="SE",
            start=date(2024, 1, 1),
            end=date(2025, 12, 31),
            records=records,
            persons=persons,
            events=[],
            minimum=5,
            epsilon=epsilon,
        )

    small = Table.of(
        [str(i) for i in range(10)],
        [str(j) for j in range(40)],
        [[rng.choice([0, 0, 1, 2, 3, 4, 6, 9, 15]) for _j in range(40)] for _i in range(10)],
    )
    base = _timed(reference)
    rows = [
        ("reference: Counter over the persons", base),
        ("tabulate (merge, 15 tables, suppression)", _timed(tabulate)),
        ("tabulate with differential privacy", _timed(lambda: tabulate(1.0))),
        ("suppress a 10 x 40 table of small counts", _timed(lambda: suppress(small, 5))),
    ]
    print(f"{len(records):,} records, {persons.count:,} persons")
    for name, seconds in rows:
        print(f"{name:<45} {seconds:8.3f} s   {seconds / base:7.2f} x reference")


if __name__ == "__main__":
    main()
