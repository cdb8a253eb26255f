"""Benchmark: the cost of the audit chain against a plain insert, and of verifying it.

Runs in a throwaway test database (created and dropped here) on whatever
DATABASE_URL names; run it on PostgreSQL:

    DATABASE_URL=postgres://... .venv/bin/python bench/audit_chain.py [entries]

Figures are ratios against a reference measured in the same run, because
these machines are shared and noisy:

- append: one audit entry per transaction (lock head, hash, insert, update
  head) vs one plain row insert per transaction (the floor of any write);
- concurrent append: 4 writers at once vs 1 writer, total entries per second
  (the head lock serialises writers; this shows what that costs);
- verify: entries checked per second by ``chain_verify``.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
os.environ.setdefault("SAMVERKAN_ENV", "test")

import django  # noqa: E402

django.setup()

from django.db import connection, connections, transaction  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from samverkan.audit.services import audit_record  # noqa: E402
from samverkan.audit.verification import chain_verify  # noqa: E402


def per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def plain_inserts(count: int) -> float:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_plain (id serial primary key, v text)")
    start = time.perf_counter()
    for n in range(count):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_plain (v) VALUES (%s)", [f"row {n}"])
    return per_second(count, time.perf_counter() - start)


def audit_appends(count: int, writers: int = 1) -> float:
    each = count // writers

    def write() -> None:
        for n in range(each):
            with transaction.atomic():
                audit_record(action="bench.append", object_type="bench", object_id=str(n))
        connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return per_second(each * writers, time.perf_counter() - start)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        print(f"database: {connection.vendor}, entries per run: {count}")
        plain = plain_inserts(count)
        single = audit_appends(count)
        concurrent = audit_appends(count, writers=4)
        start = time.perf_counter()
        result = chain_verify()
        verify_rate = per_second(result.entries_checked, time.perf_counter() - start)
        assert result.ok, result.problem
        print(f"plain insert, 1 writer:  {plain:10.0f} rows/s (reference)")
        print(f"audit append, 1 writer:  {single:10.0f} entries/s  ratio {single / plain:.2f}")
        print(
            f"audit append, 4 writers: {concurrent:10.0f} entries/s  "
            f"ratio {concurrent / single:.2f} of 1 writer"
        )
        print(
            f"chain verify:            {verify_rate:10.0f} entries/s  "
            f"({result.entries_checked} entries; ratio {verify_rate / plain:.1f} of plain insert)"
        )
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
