"""Writes on the service directory: a provider keeps its services and free places."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.accounts.models import Membership
from samverkan.audit.services import audit_record
from samverkan.directory.models import (
    CAPACITY_MAX,
    UNLISTED_KINDS,
    Service,
    ServiceKind,
    TargetGroup,
)
from samverkan.policy.access import PolicyDenied
from samverkan.policy.referrals import can_manage_service

SERVICE_FIELDS = (
    "name",
    "kind",
    "description",
    "municipality",
    "serves",
    "languages",
    "hours",
    "accessibility",
    "capacity",
    "phone",
    "email",
    "website",
    "is_public",
)


def _clean(values: dict) -> dict:
    if values.get("kind") not in ServiceKind.values:
        raise ValidationError({"kind": _("Choose a kind of service.")})
    if not (values.get("name") or "").strip():
        raise ValidationError({"name": _("Name the service.")})
    if not (values.get("municipality") or "").strip():
        raise ValidationError({"municipality": _("Name the municipality.")})
    if set(values.get("serves") or []) - set(TargetGroup.values):
        raise ValidationError({"serves": _("Choose from the listed groups.")})
    capacity = values.get("capacity")
    if capacity is not None and capacity < 0:
        raise ValidationError({"capacity": _("The number of places cannot be below zero.")})
    if capacity is not None and capacity > CAPACITY_MAX:
        message = _("A service has at most %(most)d places.")
        raise ValidationError({"capacity": message % {"most": CAPACITY_MAX}})
    if values.get("is_public") and values["kind"] in UNLISTED_KINDS:
        raise ValidationError(
            {
                "is_public": _(
                    "A shelter or safe house is never shown on the public help pages: "
                    "publish its intake helpline instead."
                )
            }
        )
    values["serves"] = sorted(set(values.get("serves") or []))
    values["languages"] = sorted({code.strip().lower() for code in values.get("languages") or []})
    return values


@transaction.atomic
def service_create(*, actor: Membership, **values) -> Service:
    """A new service of the actor's organisation; its free places start at its capacity."""
    if not can_manage_service(actor):
        raise PolicyDenied
    values = _clean({name: values.get(name) for name in SERVICE_FIELDS if name in values})
    service = Service(
        provider=actor.organisation,
        country=actor.organisation.country,
        free_places=values.get("capacity"),
        availability_updated_at=timezone.now(),
        **values,
    )
    # The model's own limits (lengths, the database's integer range) as a message, not a 500.
    service.full_clean()
    service.save()
    audit_record(action="service.created", actor=actor, target=service)
    return service


@transaction.atomic
def service_set_free_places(*, actor: Membership, service: Service, free_places: int) -> Service:
    """The provider says how many places are free now."""
    service = Service.objects.select_for_update().get(pk=service.pk)
    if not can_manage_service(actor, service):
        raise PolicyDenied
    if service.capacity is None:
        raise ValidationError({"free_places": _("This service has no places to count.")})
    if free_places < 0:
        raise ValidationError({"free_places": _("Free places cannot be below zero.")})
    if free_places > service.capacity:
        message = _("Free places cannot exceed the %(capacity)d places in all.")
        raise ValidationError({"free_places": message % {"capacity": service.capacity}})
    service.free_places = free_places
    service.availability_updated_at = timezone.now()
    service.save(update_fields=["free_places", "availability_updated_at"])
    audit_record(
        action="service.availability_changed",
        actor=actor,
        target=service,
        flags=[f"free:{free_places}"],
    )
    return service


def service_take_place(service: Service) -> None:
    """Take one free place, or refuse: a conditional update, so that two
    accepts racing for the last place cannot both win (nor go below zero)."""
    if service.capacity is None:
        return
    taken = Service.objects.filter(pk=service.pk, free_places__gt=0).update(
        free_places=F("free_places") - 1, availability_updated_at=timezone.now()
    )
    if not taken:
        raise ValidationError(_("The service has no free place left."))
