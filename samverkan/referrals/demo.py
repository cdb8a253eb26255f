"""Demo data for referrals, the directory, teams, consultations and mapping.

Made through the services, on top of the demo command's organisations,
users and cases, so that ``script/server`` shows each feature in use.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from samverkan.accounts.models import Membership, Organisation, Role
from samverkan.cases import services as case_services
from samverkan.cases.demo import _colleague
from samverkan.cases.models import Case, Category, Consent, Purpose
from samverkan.directory import mapping
from samverkan.directory import services as directory_services
from samverkan.directory.models import Service, ServiceKind
from samverkan.referrals import services, team_services

SHELTER = "Lighthouse Shelter (demo)"

# (provider, who keeps it, values)
SERVICES = [
    (SHELTER, "shelter", {
        "name": "Lighthouse protected housing", "kind": ServiceKind.SHELTER,
        "municipality": "Malmö", "serves": ["women", "children"],
        "languages": ["sv", "en", "ro", "ru"], "hours": "Intake around the clock",
        "accessibility": "Step-free entrance, one adapted room", "capacity": 8,
        "phone": "040-000 00 01", "email": "intake@lighthouse.example",
    }),
    (SHELTER, "shelter", {
        "name": "Lighthouse counselling", "kind": ServiceKind.PSYCHOLOGICAL,
        "municipality": "Malmö", "serves": ["women"], "languages": ["sv", "en"],
        "hours": "Weekdays 9–17",
    }),
    ("Safe Harbour Association (demo)", "ngo", {
        "name": "Safe Harbour legal advice", "kind": ServiceKind.LEGAL_AID,
        "municipality": "Stockholm", "serves": ["women", "men", "lgbti"],
        "languages": ["sv", "en", "es"], "hours": "Tuesdays and Thursdays 13–18",
        "phone": "08-000 00 02", "is_public": True,
    }),
    ("Trafficking Helpline (demo)", "hotline", {
        "name": "National trafficking helpline", "kind": ServiceKind.HELPLINE,
        "municipality": "Stockholm", "languages": ["sv", "en", "ro", "uk", "ar"],
        "hours": "Around the clock", "phone": "020-000 000", "is_public": True,
        "description": "Anonymous advice for victims, relatives and professionals.",
    }),
]  # fmt: skip

# (municipality, days ago, needed services, answers)
MAPPINGS = [
    ("Växjö", 400, [ServiceKind.SHELTER, ServiceKind.INTERPRETER], {
        "vulnerable_groups": "Seasonal berry pickers; young people in care",
        "locations": "Forests and camps in the berry season",
        "sectors": "Agriculture, cleaning", "identifying_actors": "Social services, police",
    }),
    ("Växjö", 30, [ServiceKind.SHELTER, ServiceKind.INTERPRETER, ServiceKind.LEGAL_AID], {
        "vulnerable_groups": "Seasonal berry pickers; unaccompanied minors",
        "locations": "Forests and camps; bus station",
        "sectors": "Agriculture, cleaning, car washes",
        "identifying_actors": "Social services, police, health centres, schools",
        "gaps": "No shelter in the municipality; interpreters for Thai and Romanian",
        "priorities": "Train health staff; agree a referral route with Malmö",
    }),
    ("Malmö", 60, [ServiceKind.SHELTER, ServiceKind.PSYCHOLOGICAL, ServiceKind.HOUSING], {
        "vulnerable_groups": "Undocumented migrants; women in prostitution",
        "locations": "Harbour, massage parlours, construction sites",
        "sectors": "Construction, restaurants, sex trade",
        "existing_services": "Lighthouse Shelter, health centre for undocumented people",
        "gaps": "Long-term housing after the shelter", "priorities": "Housing; outreach",
    }),
]  # fmt: skip


def _member(organisation_name: str, email: str, full_name: str, role: str) -> Membership:
    return _colleague(email, full_name, Organisation.objects.get(name=organisation_name), role)


def create_demo_referrals() -> int:
    """Once: services, referrals, a team with a consultation, and mappings. Services made."""
    if Service.objects.filter(provider__name=SHELTER).exists():
        return 0
    sara = Membership.objects.get(user__email="shelter@demo.samverkan.example")
    cecilia = Membership.objects.get(user__email="casemanager@demo.samverkan.example")
    karl = Membership.objects.get(user__email="coordinator@demo.samverkan.example")
    frida = Membership.objects.get(user__email="frontline@demo.samverkan.example")
    keepers = {
        "shelter": sara,
        "ngo": cecilia,
        "hotline": _member(
            "Trafficking Helpline (demo)",
            "helpline@demo.samverkan.example",
            "Hanna Vik",
            Role.SERVICE_PROVIDER,
        ),
    }
    made = {}
    for _provider, keeper, values in SERVICES:
        service = directory_services.service_create(actor=keepers[keeper], **values)
        made[service.name] = service
    shelter = made["Lighthouse protected housing"]
    directory_services.service_set_free_places(actor=sara, service=shelter, free_places=3)

    # Two of the NGO's open cases go to the shelter with the person's consent:
    # one accepted, one waiting for an answer.
    cases = Case.objects.open().filter(lead_organisation=cecilia.organisation)
    cases = cases.exclude(confidential_from_law_enforcement=True).order_by("opened_at")[:2]
    for index, case in enumerate(cases):
        basis = case_services.record_consent(
            actor=cecilia,
            case=case,
            basis="consent",
            categories=[Category.METADATA, Category.CONTACT, Category.HEALTH, Category.SOCIAL],
            purposes=[Purpose.ASSISTANCE],
            organisation_kinds=[Organisation.Kind.SHELTER],
            manner=Consent.Manner.VIA_INTERPRETER,
        )
        referral = services.referral_send(
            actor=cecilia,
            case=case,
            basis=basis,
            service=shelter,
            purpose=Purpose.ASSISTANCE,
            categories=[Category.CONTACT, Category.SOCIAL],
            needs=[ServiceKind.SHELTER, ServiceKind.PSYCHOLOGICAL],
            urgency="urgent" if index else "immediate",
            message="Arrives with an interpreter; prefers a room near the staff office.",
        )
        if index == 0:
            services.referral_accept(actor=sara, referral=referral)

    team = team_services.team_create(
        actor=karl,
        name="Stockholm county resource team (demo)",
        kind="resource",
        area="Stockholm county",
        organisations=list(
            Organisation.objects.filter(
                name__in=[
                    "Stockholm Police Region (demo)",
                    "Safe Harbour Association (demo)",
                    SHELTER,
                    "Migration Agency, South Region (demo)",
                ]
            )
        ),
        members=[karl, cecilia],
    )
    consultation = team_services.consultation_ask(
        actor=frida,
        team=team,
        subject="Car wash workers sleeping on site",
        body=(
            "We met four men working at a car wash who seem to sleep there and hand over "
            "their wages. None wants to talk to the police. What can we offer them first?"
        ),
    )
    team_services.consultation_reply(
        actor=cecilia,
        consultation=consultation,
        body="We can meet them with an interpreter, away from the site, and explain the "
        "reflection period. Call our office to agree a time.",
    )

    today = timezone.localdate()
    for municipality, days_ago, needed, answers in MAPPINGS:
        mapping.mapping_record(
            actor=karl,
            municipality=municipality,
            mapped_on=today - timedelta(days=days_ago),
            needed_services=needed,
            exploitation_forms=["labour", "sexual"],
            **answers,
        )
    return len(made)
