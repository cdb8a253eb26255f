"""Services and referrals through the services, on top of the case factories."""

from __future__ import annotations

from samverkan.accounts.models import Membership, Organisation, Role
from samverkan.cases.models import Case, Category, Consent, Purpose
from samverkan.cases.tests import factories as case_factories
from samverkan.directory import services as directory_services
from samverkan.directory.models import Service, ServiceKind
from samverkan.referrals import services

MESSAGE = "canary-message: she is called Canaryname"


def shelter_service(provider_member: Membership, *, capacity: int | None = 4, **extra) -> Service:
    values = {
        "name": f"Shelter of {provider_member.organisation.name}",
        "kind": ServiceKind.SHELTER,
        "municipality": "Malmö",
        "serves": ["women"],
        "languages": ["sv", "en", "ro"],
        "capacity": capacity,
    }
    values.update(extra)
    return directory_services.service_create(actor=provider_member, **values)


def refer(
    sender: Membership,
    case: Case,
    basis: Consent,
    *,
    service: Service | None = None,
    receiver: Organisation | None = None,
    categories=(Category.CONTACT, Category.SOCIAL),
    purpose: str = Purpose.ASSISTANCE,
):
    return services.referral_send(
        actor=sender,
        case=case,
        basis=basis,
        service=service,
        receiver=receiver,
        purpose=purpose,
        categories=list(categories),
        needs=[ServiceKind.SHELTER],
        urgency="urgent",
        message=MESSAGE,
    )


def shelter_world():
    """An NGO case manager with a case, a shelter with a service and a worker, and
    the person's consent to share contact, health and social needs with shelters."""
    ngo = case_factories.organisation(Organisation.Kind.NGO)
    shelter = case_factories.organisation(Organisation.Kind.SHELTER)
    lead = case_factories.member(ngo)
    worker = case_factories.member(shelter, Role.SERVICE_PROVIDER)
    case = case_factories.open_case(lead)
    basis = case_factories.consent(
        lead,
        case,
        categories=[Category.METADATA, Category.CONTACT, Category.HEALTH, Category.SOCIAL],
        kinds=[Organisation.Kind.SHELTER],
        purposes=[Purpose.ASSISTANCE],
    )
    service = shelter_service(worker)
    return lead, worker, case, basis, service
