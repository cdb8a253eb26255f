"""Writing to the audit log: one function, called inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction
from django.utils import timezone

from samverkan.audit import context
from samverkan.audit.models import AuditChainHead, AuditEntry


def audit_record(
    *,
    action: str,
    actor=None,
    user=None,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    categories: Iterable[str] = (),
    reason: str = "",
    flags: Iterable[str] = (),
) -> AuditEntry:
    """Append one entry to the chain, in the current transaction.

    ``actor`` is the membership acting; ``user`` names the person when no
    membership is involved (a login). The chain head is locked until the
    surrounding transaction commits, so concurrent writers queue up behind it
    and the entry commits or rolls back together with the change it records.
    """
    if actor is not None:
        user = actor.user
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(getattr(target, "uuid", target.pk))
    request = context.current.get()
    # No savepoint: if the entry fails, the change it records must fail too.
    with transaction.atomic(savepoint=False):
        # An empty database starts the chain; with entries present a missing head
        # cannot be recreated silently: entry 1 already exists and the insert fails.
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            sequence=head.sequence + 1,
            previous_hash=head.entry_hash,
            created_at=timezone.now(),
            actor_user_id=user.pk if user is not None else None,
            actor_membership_id=actor.pk if actor is not None else None,
            organisation_id=actor.organisation_id if actor is not None else None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            categories=sorted(set(categories)),
            reason=reason,
            flags=sorted(set(flags)),
            client_address=request.client_address,
            request_id=request.request_id,
        )
        entry.entry_hash = entry.compute_hash()
        entry.save(force_insert=True)
        head.sequence = entry.sequence
        head.entry_hash = entry.entry_hash
        head.save(update_fields=["sequence", "entry_hash"])
    return entry
