"""Reading the audit log, within what the policy lets an auditor see."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from samverkan.accounts.models import Membership
from samverkan.audit.models import AuditEntry
from samverkan.audit.services import audit_record
from samverkan.policy import access


def audit_entry_list(
    *,
    actor: Membership | None,
    action: str = "",
    object_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    """The entries this auditor may see, filtered; the consultation itself is audited."""
    entries = access.audit_entries_visible_to(actor)
    if action:
        entries = entries.filter(action__startswith=action)
    if object_id:
        # Entries about a case's referrals name the case in a flag: they count too.
        entries = entries.filter(Q(object_id=object_id) | Q(flags__contains=[f"case:{object_id}"]))
    if date_from:
        entries = entries.filter(
            created_at__gte=timezone.make_aware(datetime.combine(date_from, time.min))
        )
    if date_to:
        entries = entries.filter(
            created_at__lte=timezone.make_aware(datetime.combine(date_to, time.max))
        )
    if access.can(actor, "audit.view"):
        audit_record(action="audit.consulted", actor=actor, reason=action or "")
    return entries.order_by("-sequence")
