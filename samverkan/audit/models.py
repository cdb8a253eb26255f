"""The append-only, hash-chained audit log.

Each entry holds the SHA-256 of the entry before it and of its own content, so
a changed, removed, inserted or reordered entry breaks the chain. Actors and
organisations are kept as plain ids, not foreign keys: the log must outlive
the rows it speaks of and must never be touched by a cascade.
"""

from __future__ import annotations

import hashlib
import json

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditEntry(models.Model):
    sequence = models.PositiveBigIntegerField(unique=True)
    previous_hash = models.CharField(max_length=64, unique=True)
    entry_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor_user_id = models.BigIntegerField(null=True, db_index=True)
    actor_membership_id = models.BigIntegerField(null=True)
    organisation_id = models.BigIntegerField(null=True, db_index=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    categories = models.JSONField(_("data categories"), default=list)
    reason = models.TextField(_("reason"), blank=True)
    flags = models.JSONField(default=list)
    client_address = models.GenericIPAddressField(null=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action}"

    def content(self) -> dict:
        """Everything the entry's hash covers, in a form that survives a round trip."""
        return {
            "previous_hash": self.previous_hash,
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "actor_user_id": self.actor_user_id,
            "actor_membership_id": self.actor_membership_id,
            "organisation_id": self.organisation_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "categories": list(self.categories),
            "reason": self.reason,
            "flags": list(self.flags),
            "client_address": self.client_address,
            "request_id": self.request_id,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(self.content(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


class AuditChainHead(models.Model):
    """One row: the last entry's sequence and hash. Writers lock it, so the chain never forks."""

    sequence = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"head #{self.sequence}"
