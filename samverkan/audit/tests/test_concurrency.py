"""Concurrent writers on PostgreSQL keep one chain: no fork, no gap."""

import threading

import pytest
from django.db import connection, connections, transaction

from samverkan.audit.models import AuditEntry
from samverkan.audit.services import audit_record
from samverkan.audit.verification import chain_verify

WRITERS = 8
ENTRIES_EACH = 25


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writers; the race is PostgreSQL's")
    start = threading.Barrier(WRITERS)
    errors = []

    def write(worker: int) -> None:
        try:
            start.wait()
            for n in range(ENTRIES_EACH):
                with transaction.atomic():
                    audit_record(action="test.concurrent", object_id=f"{worker}-{n}")
        except Exception as error:  # reported below; a thread cannot fail the test itself
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    entries = AuditEntry.objects.filter(action="test.concurrent")
    assert entries.count() == WRITERS * ENTRIES_EACH
    assert len(set(entries.values_list("previous_hash", flat=True))) == WRITERS * ENTRIES_EACH
    result = chain_verify()
    assert result.ok, result.problem
    assert result.entries_checked == AuditEntry.objects.count()
