"""The directory in and out as Open Referral HSDS."""

import json

import pytest
from django.core.management import call_command

from conftest import login_as
from samverkan.accounts.models import Organisation, Role
from samverkan.cases.tests import factories as case_factories
from samverkan.directory import hsds, services
from samverkan.directory.models import Service, ServiceKind

pytestmark = pytest.mark.django_db
FIELDS = [
    "uuid",
    "provider_id",
    "name",
    "kind",
    "description",
    "country",
    "municipality",
    "serves",
    "languages",
    "hours",
    "accessibility",
    "capacity",
    "free_places",
    "phone",
    "email",
    "website",
    "is_active",
]


def snapshot():
    return sorted(
        tuple(getattr(service, name) for name in FIELDS) for service in Service.objects.all()
    )


@pytest.fixture
def directory():
    provider = case_factories.member(
        case_factories.organisation(Organisation.Kind.SHELTER, name="Kvinnojouren Växjö"),
        Role.SERVICE_PROVIDER,
    )
    services.service_create(
        actor=provider,
        name="Skyddat boende",
        kind=ServiceKind.SHELTER,
        municipality="Växjö",
        serves=["women", "children"],
        languages=["sv", "en", "ar"],
        hours="Dygnet runt",
        accessibility="Step-free entrance",
        capacity=6,
        phone="0470-123 45",
        email="intake@example.org",
        website="https://example.org/",
        description="Protected housing for women and their children.",
    )
    services.service_create(
        actor=provider, name="Stödsamtal", kind=ServiceKind.PSYCHOLOGICAL, municipality="Växjö"
    )
    return provider


def test_export_then_import_gives_back_the_same_directory(directory):
    before = snapshot()
    exported = hsds.export_services(Service.objects.all())
    assert exported["total_items"] == 2
    shelter = next(item for item in exported["contents"] if item["name"] == "Skyddat boende")
    assert shelter["organization"]["name"] == "Kvinnojouren Växjö"
    assert shelter["capacities"][0]["available"] == 6
    assert shelter["capacities"][0]["maximum"] == 6
    assert [language["code"] for language in shelter["languages"]] == ["ar", "en", "sv"]
    address = shelter["service_at_locations"][0]["location"]["addresses"][0]
    assert address["address_1"] == "" and address["city"] == "Växjö"

    Service.objects.all().delete()
    report = hsds.import_services(json.loads(json.dumps(exported)), country="SE")
    assert (report.created, report.updated, report.skipped) == (2, 0, [])
    assert snapshot() == before
    again = hsds.import_services(exported, country="SE")
    assert (again.created, again.updated) == (0, 2)


def test_services_of_unknown_organisations_or_kinds_are_skipped_and_reported(directory, tmp_path):
    exported = hsds.export_services(Service.objects.all())
    foreign = dict(exported["contents"][0], id="not-a-uuid", organization={"name": "Unknown"})
    kindless = dict(exported["contents"][1], attributes=[])
    path = tmp_path / "hsds.json"
    path.write_text(json.dumps([foreign, kindless, {"id": "x"}]), encoding="utf-8")
    Service.objects.all().delete()
    from io import StringIO

    out = StringIO()
    call_command("import_hsds", str(path), "--country", "SE", stdout=out)
    assert out.getvalue().splitlines() == [
        "0 created, 0 updated, 3 skipped",
        "  skipped #1: organisation not on the platform",
        "  skipped #2: no known kind or no municipality",
        "  skipped #3: no name",
    ]
    assert not Service.objects.exists()


def test_the_export_page_downloads_the_directory(client, directory):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(directory.user, generate_totp_secret())
    login_as(client, directory)
    response = client.get("/directory/hsds.json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="directory-hsds.json"'
    assert {item["name"] for item in response.json()["contents"]} == {
        "Skyddat boende",
        "Stödsamtal",
    }
