"""Build cases, consents and shares quickly, through the services.

Everything goes through ``samverkan.cases.services`` so that a test's world
is one the application itself could have made (audit entries included).
Personal values are canaries: a test can search any output for them.
"""

from __future__ import annotations

import itertools
from datetime import date

from samverkan.accounts.models import Membership, Organisation, Role, User
from samverkan.cases import services
from samverkan.cases.models import Case, Category, Consent, ExploitationForm, LegalBasis, Purpose

_serial = itertools.count(1)

# A canary per sealed category: if it shows up, that category was revealed.
CANARIES = {
    Category.IDENTITY: "Canaryname",
    Category.CONTACT: "canary-contact +46 70 000 00 00",
    Category.SECRET_LOCATION: "Canary shelter, Hemligvägen 1",
    Category.HEALTH: "canary-health: fractured wrist",
    Category.IMMIGRATION: "canary-immigration: visa expired",
    Category.EXPLOITATION: "canary-exploitation: cleaning company",
    Category.SOCIAL: "canary-social: needs housing",
}
SHAREABLE = sorted(set(Category.values) - {Category.SECRET_LOCATION})


def organisation(kind: str, country: str = "SE", name: str = "") -> Organisation:
    return Organisation.objects.create(
        name=name or f"{kind} {country} {next(_serial)}", kind=kind, country=country
    )


def member(organisation: Organisation, role: str = Role.CASE_MANAGER) -> Membership:
    """A membership of a fresh user (no second factor: these tests do not log in)."""
    n = next(_serial)
    user = User.objects.create_user(f"person{n}@test.example", None, full_name=f"Person {n}")
    return Membership.objects.create(user=user, organisation=organisation, role=role)


def identity(**overrides) -> services.Identity:
    values = {
        "given_names": CANARIES[Category.IDENTITY],
        "family_name": f"Canarysson{next(_serial)}",
        "date_of_birth": date(1990, 5, 17),
    }
    values.update(overrides)
    return services.Identity(**values)


def open_case(actor: Membership, *, with_values: bool = True, **overrides) -> Case:
    """A case opened by ``actor`` with a canary value in every sealed category."""
    values = {
        "actor": actor,
        "identity": identity(),
        "sex": "female",
        "municipality": "Malmö",
        "exploitation_forms": [ExploitationForm.LABOUR],
    }
    if with_values:
        values.update(
            contact=CANARIES[Category.CONTACT],
            secret_location=CANARIES[Category.SECRET_LOCATION],
            health=CANARIES[Category.HEALTH],
            immigration=CANARIES[Category.IMMIGRATION],
            exploitation_details=CANARIES[Category.EXPLOITATION],
            social_needs=CANARIES[Category.SOCIAL],
        )
    values.update(overrides)
    return services.open_case(**values)


def consent(
    actor: Membership,
    case: Case,
    *,
    categories=SHAREABLE,
    kinds=(),
    organisations=(),
    purposes=(Purpose.ASSISTANCE, Purpose.PROTECTION, Purpose.LAW_ENFORCEMENT),
    basis: str = LegalBasis.CONSENT,
    **extra,
) -> Consent:
    """The person's consent (or a legal basis, with a reference) recorded by the lead."""
    if basis != LegalBasis.CONSENT:
        extra.setdefault("reference", "Decision 2025/17")
    return services.record_consent(
        actor=actor,
        case=case,
        basis=basis,
        categories=list(categories),
        purposes=list(purposes),
        organisation_kinds=list(kinds),
        organisations=list(organisations),
        **extra,
    )


def share(
    actor: Membership,
    case: Case,
    organisation: Organisation,
    basis: Consent,
    categories=(Category.METADATA,),
    purpose: str = Purpose.ASSISTANCE,
):
    return services.share_case(
        actor=actor,
        case=case,
        organisation=organisation,
        purpose=purpose,
        categories=list(categories),
        basis=basis,
    )
