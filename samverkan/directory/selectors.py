"""Reads on the service directory: search by need, place, language, group and availability."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from samverkan.accounts.models import Membership
from samverkan.directory.models import UNLISTED_KINDS, Service
from samverkan.policy import access as policy
from samverkan.policy import referrals as referral_policy


@dataclass(frozen=True)
class ServiceFilters:
    kind: str = ""
    municipality: str = ""
    language: str = ""
    serves: str = ""
    available_only: bool = False


def service_search(actor: Membership, filters: ServiceFilters) -> list[Service]:
    """Active services matching every filter given; the directory holds no personal data.

    Languages and groups are matched in Python: SQLite, the embedded default,
    cannot search inside JSON lists, and a directory is a few thousand rows.
    """
    policy.require(actor, "directory.view")
    services = referral_policy.services_visible_to(actor).select_related("provider")
    if filters.kind:
        services = services.filter(kind=filters.kind)
    if filters.municipality:
        services = services.filter(municipality__iexact=filters.municipality.strip())
    if filters.available_only:
        services = services.filter(Q(free_places__isnull=True) | Q(free_places__gt=0))
    language = filters.language.strip().lower()
    return [
        service
        for service in services
        if (not language or language in service.languages)
        and (not filters.serves or filters.serves in service.serves)
    ]


def municipalities(actor: Membership) -> list[str]:
    return sorted(
        set(referral_policy.services_visible_to(actor).values_list("municipality", flat=True))
    )


def own_services(actor: Membership) -> QuerySet[Service]:
    if not referral_policy.can_manage_service(actor):
        return Service.objects.none()
    return Service.objects.filter(provider_id=actor.organisation_id)


def service_for_change(actor: Membership, service_uuid) -> Service:
    service = own_services(actor).filter(uuid=service_uuid).first()
    if service is None:
        raise policy.PolicyDenied
    return service


def _public():
    # A shelter or safe house marked public before that was refused stays off.
    return Service.objects.active().filter(is_public=True).exclude(kind__in=UNLISTED_KINDS)


def public_services(country: str, municipality: str = "") -> list[Service]:
    """What the public help pages show: services their providers marked public."""
    services = _public().filter(country=country)
    if municipality:
        services = services.filter(municipality=municipality)
    return list(services)


def public_countries() -> list[str]:
    return sorted(set(_public().values_list("country", flat=True)))


def public_municipalities(country: str) -> list[str]:
    return sorted(set(_public().filter(country=country).values_list("municipality", flat=True)))
