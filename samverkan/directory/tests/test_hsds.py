"""The directory in and out as Open Referral HSDS."""

import json
import uuid

import pytest
from django.core.exceptions import ValidationError
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


def test_wrong_typed_values_and_limits_skip_their_entry_with_the_reason(directory):
    exported = hsds.export_services(Service.objects.all())
    shelter = next(item for item in exported["contents"] if item.get("capacities"))
    good = next(item for item in exported["contents"] if not item.get("capacities"))
    wrong_capacity = dict(shelter, capacities=[dict(shelter["capacities"][0], maximum="many")])
    listed_organisation = dict(good, id=str(uuid.uuid4()), organization=["a", "list"])
    huge = dict(
        shelter, id=str(uuid.uuid4()), capacities=[dict(shelter["capacities"][0], maximum=10**10)]
    )
    Service.objects.all().delete()
    report = hsds.import_services([wrong_capacity, listed_organisation, huge, good], country="SE")
    assert report.skipped == [
        "#1: a value of the wrong type",
        "#2: a value of the wrong type",
        "#3: not valid (capacity)",
    ]
    assert report.created == 1 and list(Service.objects.values_list("name", flat=True)) == [
        good["name"]
    ]


def test_an_import_never_overwrites_a_service_of_another_provider(directory):
    other = case_factories.member(
        case_factories.organisation(Organisation.Kind.SHELTER, name="Another shelter"),
        Role.SERVICE_PROVIDER,
    )
    theirs = services.service_create(
        actor=other, name="Their service", kind=ServiceKind.MEDICAL, municipality="Lund"
    )
    exported = hsds.export_services(Service.objects.filter(provider=directory.organisation))
    hijack = dict(exported["contents"][0], id=str(theirs.uuid))
    report = hsds.import_services([hijack], country="SE")
    assert report.skipped == ["#1: its id names a service of another provider"]
    theirs.refresh_from_db()
    assert (theirs.name, theirs.provider_id) == ("Their service", other.organisation_id)


@pytest.mark.parametrize(
    ("field", "value"),
    [("capacity", 10**10), ("website", "https://example.org/" + "a" * 200)],
)
def test_values_beyond_a_fields_limits_get_a_message_not_a_500(client, field, value):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    provider = case_factories.member(
        case_factories.organisation(Organisation.Kind.NGO), Role.SERVICE_PROVIDER
    )
    TOTP.activate(provider.user, generate_totp_secret())
    login_as(client, provider)
    data = {"name": "Legal desk", "kind": ServiceKind.LEGAL_AID, "municipality": "Lund"}
    page = client.post("/directory/new/", {**data, field: value})
    assert page.status_code == 400
    api = client.post("/api/v1/services/", {**data, field: value}, content_type="application/json")
    assert api.status_code == 400
    assert list(api.json()["error"]["fields"]) == [field]
    with pytest.raises(ValidationError):
        services.service_create(actor=provider, **data, **{field: value})
    public = client.post(
        "/directory/new/", {**data, "kind": ServiceKind.SAFE_HOUSE, "is_public": "on"}
    )
    assert public.status_code == 400 and "intake helpline" in public.content.decode()
    assert not Service.objects.exists()
