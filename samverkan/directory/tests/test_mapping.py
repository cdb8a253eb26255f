"""Local situation mapping: kept over time, compared, and its gaps found in the directory."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from conftest import login_as
from samverkan.accounts.models import Organisation, Role
from samverkan.cases.tests import factories as case_factories
from samverkan.directory import mapping, services
from samverkan.directory.models import ServiceKind
from samverkan.policy.access import PolicyDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator():
    return case_factories.member(
        case_factories.organisation(Organisation.Kind.SOCIAL_SERVICES), Role.COORDINATOR
    )


def test_the_latest_mapping_is_compared_and_unmet_needs_are_gaps(coordinator):
    provider = case_factories.member(
        case_factories.organisation(Organisation.Kind.SHELTER), Role.SERVICE_PROVIDER
    )
    services.service_create(
        actor=provider, name="Shelter", kind=ServiceKind.SHELTER, municipality="Växjö", capacity=2
    )
    mapping.mapping_record(
        actor=coordinator,
        municipality="Växjö",
        mapped_on=date(2024, 3, 1),
        needed_services=[ServiceKind.INTERPRETER],
        vulnerable_groups="Seasonal workers",
    )
    mapping.mapping_record(
        actor=coordinator,
        municipality="Växjö",
        mapped_on=date(2025, 3, 1),
        needed_services=[ServiceKind.SHELTER, ServiceKind.LEGAL_AID],
        vulnerable_groups="Seasonal berry pickers; young people in care",
    )
    mapping.mapping_record(
        actor=coordinator,
        municipality="Kalmar",
        mapped_on=date(2025, 1, 1),
        needed_services=[ServiceKind.SHELTER],
    )
    latest = mapping.latest_mappings(coordinator)
    assert [(each.municipality, each.mapped_on.year) for each in latest] == [
        ("Kalmar", 2025),
        ("Växjö", 2025),
    ]
    assert [(gap.municipality, gap.need) for gap in mapping.gaps(coordinator)] == [
        ("Kalmar", ServiceKind.SHELTER),
        ("Växjö", ServiceKind.LEGAL_AID),
    ]
    current, earlier = mapping.mapping_history(coordinator, latest[1].uuid)
    assert [each.mapped_on.year for each in earlier] == [2024]


def test_who_records_and_bad_input(coordinator):
    provider = case_factories.member(coordinator.organisation, Role.SERVICE_PROVIDER)
    with pytest.raises(PolicyDenied):
        mapping.mapping_record(actor=provider, municipality="Växjö", mapped_on=date(2025, 1, 1))
    with pytest.raises(ValidationError):
        mapping.mapping_record(actor=coordinator, municipality="Växjö", mapped_on=date(2999, 1, 1))
    with pytest.raises(ValidationError):
        mapping.mapping_record(
            actor=coordinator,
            municipality="Växjö",
            mapped_on=date(2025, 1, 1),
            needed_services=["spaceship"],
        )


def test_another_country_does_not_see_the_mapping(coordinator):
    recorded = mapping.mapping_record(
        actor=coordinator, municipality="Växjö", mapped_on=date(2025, 1, 1)
    )
    finn = case_factories.member(case_factories.organisation(Organisation.Kind.NGO, "FI"))
    assert mapping.latest_mappings(finn) == []
    with pytest.raises(PolicyDenied):
        mapping.mapping_history(finn, recorded.uuid)


def test_the_comparison_page_and_the_form(client, coordinator):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(coordinator.user, generate_totp_secret())
    login_as(client, coordinator)
    bad = client.post("/mapping/new/", {"municipality": "", "mapped_on": "yesterday"})
    assert bad.status_code == 400
    response = client.post(
        "/mapping/new/",
        {
            "municipality": "Gdynia",
            "mapped_on": "2025-02-01",
            "sectors": "Shipyards",
            "needed_services": ["housing"],
        },
    )
    assert response.status_code == 302
    page = client.get("/mapping/").content.decode()
    assert "Gdynia" in page and "Shipyards" in page and "Housing" in page
