"""Checking the audit chain, and signed checkpoints kept outside the database.

A checkpoint is the head's sequence and hash, signed with HMAC-SHA256 under
``AUDIT_CHECKPOINT_KEY`` and appended to a file the database cannot reach.
Someone who rewrites the whole table can make a chain that verifies on its
own; they cannot make it agree with the checkpoints.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry

CHECKPOINT_FILE = "checkpoints.jsonl"


@dataclass(frozen=True)
class Problem:
    sequence: int
    kind: str  # changed | removed | inserted | reordered | truncated | checkpoint
    message: str


@dataclass(frozen=True)
class VerificationResult:
    entries_checked: int
    checkpoints_checked: int
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _sequence_of_hash(entry_hash: str) -> int | None:
    return (
        AuditEntry.objects.filter(entry_hash=entry_hash).values_list("sequence", flat=True).first()
    )


def _broken_link(
    entry: AuditEntry, expected_previous: str, following: AuditEntry | None
) -> Problem:
    """Name what happened when an intact entry does not point at the one before it."""
    seq = entry.sequence
    target = _sequence_of_hash(entry.previous_hash)
    if target is not None and target > seq:
        return Problem(seq, "reordered", _("Entry %(n)s is out of order.") % {"n": seq})
    if following is not None and following.previous_hash == expected_previous:
        return Problem(seq, "inserted", _("Entry %(n)s was inserted into the chain.") % {"n": seq})
    if target is not None and target < seq - 1:
        first_inserted = target + 1
        return Problem(
            first_inserted,
            "inserted",
            _("Entry %(n)s was inserted into the chain.") % {"n": first_inserted},
        )
    return Problem(
        seq,
        "removed",
        _("The entry before entry %(n)s was removed or rewritten.") % {"n": seq},
    )


def _walk_chain() -> tuple[int, Problem | None]:
    expected_sequence = 1
    expected_previous = GENESIS_HASH
    checked = 0
    entries = AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000)
    current = next(entries, None)
    while current is not None:
        following = next(entries, None)
        seq = current.sequence
        if seq != expected_sequence:
            missing = expected_sequence
            return checked, Problem(
                missing, "removed", _("Entry %(n)s was removed.") % {"n": missing}
            )
        if current.compute_hash() != current.entry_hash:
            return checked, Problem(seq, "changed", _("Entry %(n)s was changed.") % {"n": seq})
        if current.previous_hash != expected_previous:
            return checked, _broken_link(current, expected_previous, following)
        checked += 1
        expected_sequence = seq + 1
        expected_previous = current.entry_hash
        current = following
    head = AuditChainHead.objects.get(pk=1)
    if head.sequence < checked:
        n = head.sequence + 1
        return checked, Problem(
            n, "inserted", _("Entry %(n)s was added behind the log's back.") % {"n": n}
        )
    if head.sequence != checked or head.entry_hash != expected_previous:
        n = checked + 1
        return checked, Problem(
            n, "truncated", _("The log ends before entry %(n)s that was written.") % {"n": n}
        )
    return checked, None


def _checkpoint_key() -> bytes:
    return settings.AUDIT_CHECKPOINT_KEY.encode()


def _signature(record: dict) -> str:
    message = json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
    return base64.b64encode(hmac.new(_checkpoint_key(), message, hashlib.sha256).digest()).decode()


def checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / CHECKPOINT_FILE


def checkpoint_write() -> dict:
    """Append the current head, signed, to the checkpoint file."""
    with transaction.atomic():
        head = AuditChainHead.objects.get(pk=1)
        record = {
            "sequence": head.sequence,
            "entry_hash": head.entry_hash,
            "written_at": timezone.now().isoformat(),
        }
    line = dict(record, signature=_signature(record))
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, sort_keys=True) + "\n")
    return line


def _checkpoints() -> list[dict]:
    """The checkpoint file's records; an unreadable line stays as an empty, unsigned record."""
    path = checkpoint_path()
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            record = {}
        records.append(record if isinstance(record, dict) else {})
    return records


def _check_checkpoints(checked_entries: int) -> tuple[int, Problem | None]:
    hashes_by_sequence: dict[int, str] = {}
    checkpoints = _checkpoints()
    wanted = {c.get("sequence") for c in checkpoints if isinstance(c.get("sequence"), int)}
    for sequence, entry_hash in AuditEntry.objects.filter(sequence__in=wanted).values_list(
        "sequence", "entry_hash"
    ):
        hashes_by_sequence[sequence] = entry_hash
    for count, checkpoint in enumerate(checkpoints, start=1):
        record = {key: checkpoint.get(key) for key in ("sequence", "entry_hash", "written_at")}
        signature = str(checkpoint.get("signature", ""))
        seq = record["sequence"] if isinstance(record["sequence"], int) else 0
        if not hmac.compare_digest(signature, _signature(record)):
            return count - 1, Problem(
                seq, "checkpoint", _("Checkpoint %(c)s has a bad signature.") % {"c": count}
            )
        if seq == 0:
            continue
        if seq > checked_entries:
            return count - 1, Problem(
                checked_entries + 1,
                "truncated",
                _("The log ends at entry %(last)s but checkpoint %(c)s saw entry %(n)s.")
                % {"last": checked_entries, "c": count, "n": seq},
            )
        if hashes_by_sequence.get(seq) != record["entry_hash"]:
            return count - 1, Problem(
                seq,
                "checkpoint",
                _("Entry %(n)s differs from checkpoint %(c)s: the log was rewritten.")
                % {"n": seq, "c": count},
            )
    return len(checkpoints), None


def chain_verify() -> VerificationResult:
    """Check every entry and every checkpoint; name the first problem found."""
    checked, problem = _walk_chain()
    checkpoints_checked = 0
    if problem is None or problem.kind == "truncated":
        checkpoints_checked, checkpoint_problem = _check_checkpoints(checked)
        problem = checkpoint_problem or problem
    return VerificationResult(checked, checkpoints_checked, problem)
