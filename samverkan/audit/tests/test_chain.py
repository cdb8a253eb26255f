"""The audit chain: verification names the first tampered entry; checkpoints catch rewrites."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from samverkan.audit.models import AuditChainHead, AuditEntry
from samverkan.audit.services import audit_record
from samverkan.audit.verification import chain_verify, checkpoint_path, checkpoint_write


@pytest.fixture
def checkpoint_dir(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    return settings.AUDIT_CHECKPOINT_DIR


@pytest.fixture
def chain(db, checkpoint_dir):
    """Ten entries, nothing else in the log."""
    return [
        audit_record(action=f"test.event{n}", object_type="test", object_id=str(n))
        for n in range(1, 11)
    ]


def tamper(sql: str, params=()) -> None:
    """Bypass the append-only triggers, as a DBA with full access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
            cursor.execute(sql, params)


def test_a_clean_chain_verifies(chain):
    result = chain_verify()
    assert result.ok
    assert result.entries_checked == 10


def test_each_entry_links_to_the_previous_one(chain):
    assert [e.sequence for e in chain] == list(range(1, 11))
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.previous_hash == before.entry_hash


def test_a_changed_entry_is_named(chain):
    tamper("UPDATE audit_auditentry SET reason = %s WHERE sequence = 4", ["covered up"])
    result = chain_verify()
    assert (result.problem.sequence, result.problem.kind) == (4, "changed")


def test_a_deleted_entry_is_named(chain):
    tamper("DELETE FROM audit_auditentry WHERE sequence = 6")
    result = chain_verify()
    assert (result.problem.sequence, result.problem.kind) == (6, "removed")


def test_a_deleted_entry_with_renumbering_is_caught(chain):
    tamper("DELETE FROM audit_auditentry WHERE sequence = 6")
    for sequence in range(7, 11):
        tamper(
            "UPDATE audit_auditentry SET sequence = %s WHERE sequence = %s",
            [sequence - 1, sequence],
        )
    result = chain_verify()
    assert (result.problem.sequence, result.problem.kind) == (6, "removed")


def insert_raw(entry: AuditEntry) -> None:
    tamper(
        "INSERT INTO audit_auditentry (sequence, previous_hash, entry_hash, created_at, action,"
        " object_type, object_id, categories, reason, flags, request_id)"
        " VALUES (%s, %s, %s, %s, %s, '', '', '[]', '', '[]', '')",
        [entry.sequence, entry.previous_hash, entry.entry_hash, entry.created_at, entry.action],
    )


def test_an_inserted_entry_is_named(chain):
    # A forged, self-consistent entry slotted in after entry 5, the rest renumbered.
    for sequence in range(10, 5, -1):
        tamper(
            "UPDATE audit_auditentry SET sequence = %s WHERE sequence = %s",
            [sequence + 1, sequence],
        )
    forged = AuditEntry(
        sequence=6, previous_hash="f" * 64, created_at=chain[4].created_at, action="test.forged"
    )
    forged.entry_hash = forged.compute_hash()
    insert_raw(forged)
    result = chain_verify()
    assert (result.problem.sequence, result.problem.kind) == (6, "inserted")


def test_an_entry_appended_behind_the_logs_back_is_named(chain):
    forged = AuditEntry(
        sequence=11,
        previous_hash=chain[9].entry_hash,
        created_at=chain[9].created_at,
        action="test.forged",
    )
    forged.entry_hash = forged.compute_hash()
    insert_raw(forged)
    result = chain_verify()
    assert (result.problem.sequence, result.problem.kind) == (11, "inserted")


def test_reordered_entries_are_named(chain):
    tamper("UPDATE audit_auditentry SET sequence = 1000 WHERE sequence = 3")
    tamper("UPDATE audit_auditentry SET sequence = 3 WHERE sequence = 4")
    tamper("UPDATE audit_auditentry SET sequence = 4 WHERE sequence = 1000")
    result = chain_verify()
    assert (result.problem.sequence, result.problem.kind) == (3, "reordered")


def test_a_truncated_tail_is_caught_by_the_head(chain):
    tamper("DELETE FROM audit_auditentry WHERE sequence >= 9")
    result = chain_verify()
    assert (result.problem.sequence, result.problem.kind) == (9, "truncated")


def test_a_rewritten_table_is_caught_by_the_checkpoint(chain, checkpoint_dir):
    checkpoint_write()
    # Rewrite the whole log from entry 3 on, recomputing every hash: the chain
    # verifies by itself, but not against the signed checkpoint.
    tamper("DELETE FROM audit_auditentry WHERE sequence >= 3")
    AuditChainHead.objects.filter(pk=1).update(sequence=2, entry_hash=chain[1].entry_hash)
    for n in range(3, 11):
        audit_record(action=f"test.rewritten{n}")
    result = chain_verify()
    assert result.problem.kind == "checkpoint"
    assert result.problem.sequence == 10


def test_a_truncated_log_and_head_are_caught_by_the_checkpoint(chain, checkpoint_dir):
    checkpoint_write()
    tamper("DELETE FROM audit_auditentry WHERE sequence >= 8")
    AuditChainHead.objects.filter(pk=1).update(sequence=7, entry_hash=chain[6].entry_hash)
    result = chain_verify()
    assert (result.problem.sequence, result.problem.kind) == (8, "truncated")


def test_a_forged_checkpoint_is_refused(chain, checkpoint_dir):
    checkpoint_write()
    path = checkpoint_path()
    line = json.loads(path.read_text())
    line["sequence"] = 5
    path.write_text(json.dumps(line) + "\n")
    result = chain_verify()
    assert result.problem.kind == "checkpoint"


def test_a_garbled_checkpoint_line_is_reported_not_crashed_on(chain, checkpoint_dir):
    checkpoint_write()
    with checkpoint_path().open("a") as handle:
        handle.write("{not json\n")
    result = chain_verify()
    assert result.problem.kind == "checkpoint"
    assert "Checkpoint 2 has a bad signature." in result.problem.message


def test_the_command_reports_ok_and_failure(chain, capsys):
    call_command("audit_checkpoint")
    call_command("audit_verify")
    assert "OK: 10 entries and 1 checkpoints verified." in capsys.readouterr().out
    tamper("UPDATE audit_auditentry SET action = 'x' WHERE sequence = 2")
    with pytest.raises(CommandError, match="FAILED at entry 2 \\(changed\\)"):
        call_command("audit_verify")


def test_the_samverkan_command_runs_audit_verify(chain, capsys):
    from samverkan.cli import main

    main(["samverkan", "audit", "verify"])
    assert "OK: 10 entries" in capsys.readouterr().out


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET reason = 'x'",
        "DELETE FROM audit_auditentry",
    ],
)
def test_the_database_refuses_update_and_delete(chain, statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEntry.objects.count() == 10


def test_postgresql_refuses_changes_by_the_application_role(chain):
    if connection.vendor != "postgresql":
        pytest.skip("roles and TRUNCATE are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE samverkan_app_test NOSUPERUSER")
        cursor.execute("GRANT ALL ON audit_auditentry TO samverkan_app_test")
    for statement in [
        "TRUNCATE audit_auditentry",
        "DELETE FROM audit_auditentry",
        "UPDATE audit_auditentry SET reason = 'x'",
    ]:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL ROLE samverkan_app_test")
                cursor.execute(statement)
    assert AuditEntry.objects.count() == 10


def test_an_entry_rolls_back_with_the_change_it_records(db):
    from samverkan.accounts.models import Organisation

    with pytest.raises(RuntimeError), transaction.atomic():
        organisation = Organisation.objects.create(name="Gone", kind="ngo", country="SE")
        audit_record(action="organisation.created", target=organisation)
        raise RuntimeError("the change fails after its audit entry")
    assert not Organisation.objects.filter(name="Gone").exists()
    assert not AuditEntry.objects.filter(action="organisation.created").exists()
    assert chain_verify().ok


def test_a_failing_audit_write_leaves_the_change_undone(world, monkeypatch):
    from samverkan.accounts import services

    def broken(**kwargs):
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(DatabaseError):
        services.membership_change(
            actor=world.olle, membership=world.cecilia, role="frontline", is_active=True
        )
    world.cecilia.refresh_from_db()
    assert world.cecilia.role == "case_manager"
