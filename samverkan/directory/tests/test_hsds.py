"""The directory in and out as Open Referral HSDS."""

import json
import uuid
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

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


@pytest.fixture(autouse=True)
def english():
    """The import's reasons are translated; a page request in an earlier test may leave
    Swedish active in this thread."""
    with translation.override("en"):
        yield


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
    first = exported["contents"][0]
    foreign = dict(first, organization=dict(first["organization"], name="Unknown"))
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
    # What Python's json reads from the literal Infinity: a number to HSDS, not a count.
    endless = dict(
        shelter,
        id=str(uuid.uuid4()),
        capacities=[dict(shelter["capacities"][0], maximum=float("inf"))],
    )
    Service.objects.all().delete()
    report = hsds.import_services(
        [wrong_capacity, listed_organisation, huge, endless, good], country="SE"
    )
    assert report.skipped == [
        "#1: a value of the wrong type in capacities[0].maximum",
        "#2: a value of the wrong type in organization",
        "#3: not valid (capacity)",
        "#4: a number that is not a count",
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


def _demo_like_directory():
    """The demo's services (samverkan/referrals/demo.py), plus one inactive with a website."""
    from samverkan.referrals.demo import SERVICES

    kinds = {
        "shelter": Organisation.Kind.SHELTER,
        "ngo": Organisation.Kind.NGO,
        "hotline": Organisation.Kind.NGO,
    }
    keepers = {}
    for provider, keeper, values in SERVICES:
        if provider not in keepers:
            organisation = case_factories.organisation(kinds[keeper], name=provider)
            keepers[provider] = case_factories.member(organisation, Role.SERVICE_PROVIDER)
        services.service_create(actor=keepers[provider], **values)
    closed = services.service_create(
        actor=keepers[SERVICES[0][0]],
        name="Closed day centre",
        kind=ServiceKind.HOUSING,
        municipality="Lund",
        website="https://example.org/day-centre",
        email="day@example.org",
    )
    Service.objects.filter(pk=closed.pk).update(is_active=False)


PAGE_FIELDS = {
    # The HSDS 3.1 API reference's page of a list ("Lists": total_items ... contents).
    "total_items": int,
    "total_pages": int,
    "page_number": int,
    "size": int,
    "first_page": bool,
    "last_page": bool,
    "empty": bool,
    "contents": list,
}
SERVICE_STATUSES = {"active", "inactive", "defunct", "temporarily closed"}
LOCATION_TYPES = ADDRESS_TYPES = {"physical", "postal", "virtual"}


def _is_uuid(value) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except (TypeError, ValueError):
        return False


def _hsds_faults(service: dict) -> list[str]:
    """Where an exported service breaks a rule HSDS 3.1 gives the fields we write.

    The rules are those of the HSDS 3.1 Schema Reference
    (https://docs.openreferral.org/en/latest/hsds/schema_reference.html; the
    "required" lists of openreferral/specification schema/<object>.json):
    every object's id is a UUID; service requires id, name, status (one of
    four); url and email are strings; organization requires id, name,
    description; phone requires id and number; language, schedule,
    service_area, service_at_location and accessibility require id; location
    requires id and location_type; address requires id, address_1, city,
    state_province, postal_code, country, address_type; attribute requires id
    (label is a string); taxonomy_term requires id, name, description (code and
    taxonomy are strings); service_capacity requires id, unit, available,
    updated (a date-time), maximum is a number; unit requires id and name.
    """
    faults = []

    def strings(item, path, names, *, required=True):
        for name in names:
            if (required or name in item) and not isinstance(item.get(name), str):
                faults.append(f"{path}{name}")

    def identified(item, path):
        if not _is_uuid(item.get("id")):
            faults.append(f"{path}id")

    identified(service, "")
    strings(service, "", ["name", "status"])
    strings(service, "", ["description", "url", "email"], required=False)
    if service.get("status") not in SERVICE_STATUSES:
        faults.append("status")
    organization = service["organization"]
    identified(organization, "organization.")
    strings(organization, "organization.", ["name", "description"])
    for index, phone in enumerate(service.get("phones", [])):
        identified(phone, f"phones[{index}].")
        strings(phone, f"phones[{index}].", ["number"])
    for name in ["languages", "schedules", "service_areas"]:
        for index, item in enumerate(service.get(name, [])):
            identified(item, f"{name}[{index}].")
    for index, at_location in enumerate(service.get("service_at_locations", [])):
        identified(at_location, f"service_at_locations[{index}].")
        location = at_location["location"]
        path = f"service_at_locations[{index}].location."
        identified(location, path)
        if location.get("location_type") not in LOCATION_TYPES:
            faults.append(f"{path}location_type")
        for inner, address in enumerate(location.get("addresses", [])):
            address_path = f"{path}addresses[{inner}]."
            identified(address, address_path)
            required = ["address_1", "city", "state_province", "postal_code", "country"]
            strings(address, address_path, required)
            if address.get("address_type") not in ADDRESS_TYPES:
                faults.append(f"{address_path}address_type")
        for inner, item in enumerate(location.get("accessibility", [])):
            identified(item, f"{path}accessibility[{inner}].")
    for index, attribute in enumerate(service.get("attributes", [])):
        identified(attribute, f"attributes[{index}].")
        strings(attribute, f"attributes[{index}].", ["label"], required=False)
        term = attribute["taxonomy_term"]
        identified(term, f"attributes[{index}].taxonomy_term.")
        strings(term, f"attributes[{index}].taxonomy_term.", ["name", "description"])
        strings(term, f"attributes[{index}].taxonomy_term.", ["code", "taxonomy"], required=False)
    for index, capacity in enumerate(service.get("capacities", [])):
        path = f"capacities[{index}]."
        identified(capacity, path)
        for name in ["available", "maximum"]:
            value = capacity.get(name)
            if name in capacity and (isinstance(value, bool) or not isinstance(value, int | float)):
                faults.append(f"{path}{name}")
        if "available" not in capacity:
            faults.append(f"{path}available")
        updated = capacity.get("updated")
        if not isinstance(updated, str) or datetime.fromisoformat(updated).tzinfo is None:
            faults.append(f"{path}updated")
        identified(capacity.get("unit") or {}, f"{path}unit.")
        strings(capacity.get("unit") or {}, f"{path}unit.", ["name"])
    return faults


def test_the_exported_directory_keeps_the_rules_of_hsds(client, directory):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    _demo_like_directory()
    TOTP.activate(directory.user, generate_totp_secret())
    login_as(client, directory)
    page = client.get("/directory/hsds.json").json()
    assert {name: type(page[name]) for name in page} == PAGE_FIELDS
    # The page lists active services; the operator's export function takes any.
    assert page["total_items"] == page["size"] == len(page["contents"]) == 6
    inactive = json.loads(json.dumps(hsds.export_services(Service.objects.filter(is_active=False))))
    exported = [*page["contents"], *inactive["contents"]]
    assert {service["name"]: _hsds_faults(service) for service in exported} == {
        service["name"]: [] for service in exported
    }
    # Every kind of object the export writes was checked, not just some.
    assert all(
        any(service.get(name) for service in exported)
        for name in ["phones", "languages", "schedules", "capacities", "url", "email"]
    )
    # Our taxonomies are named in HSDS's "taxonomy", not in a field of our own.
    kind = exported[0]["attributes"][0]["taxonomy_term"]
    assert kind["taxonomy"] == hsds.KIND_VOCABULARY and "vocabulary" not in kind
    # Optional strings are left out, never null, when a service has none.
    closed = inactive["contents"][0]
    assert (closed["status"], closed["url"]) == ("inactive", "https://example.org/day-centre")
    counselling = next(item for item in page["contents"] if item["name"] == "Stödsamtal")
    assert "url" not in counselling and "email" not in counselling


def test_the_rules_catch_what_the_export_once_got_wrong(directory):
    """Before: url and email null, attributes without id, a capacity without free places."""
    service = json.loads(json.dumps(hsds.export_services(Service.objects.all())["contents"][0]))
    assert _hsds_faults(service) == []
    term = service["attributes"][0]["taxonomy_term"]
    old = dict(
        service,
        url=None,
        email=None,
        attributes=[{"taxonomy_term": dict(term, name=None)}],
        capacities=[{"id": str(uuid.uuid4()), "unit": hsds.PLACE_UNIT, "maximum": 6}],
    )
    assert _hsds_faults(old) == [
        "url",
        "email",
        "attributes[0].id",
        "attributes[0].taxonomy_term.name",
        "capacities[0].available",
        "capacities[0].updated",
    ]


def test_an_import_names_the_fields_of_the_wrong_type_never_their_values(directory):
    exported = hsds.export_services(Service.objects.all())
    shelter = next(item for item in exported["contents"] if item.get("capacities"))
    broken = dict(
        shelter,
        status=1,
        phones=[{"number": 47012345}],
        languages="sv",
        capacities=[dict(shelter["capacities"][0], available="seven")],
    )
    not_a_uuid = dict(shelter, id="shelter-7")
    # What our export wrote before it followed HSDS's string types still imports.
    older = dict(shelter, url=None, email=None)
    Service.objects.all().delete()
    report = hsds.import_services([broken, not_a_uuid, "a string", older], country="SE")
    assert report.skipped == [
        "#1: a value of the wrong type in status, capacities[0].available, languages, "
        "phones[0].number",
        "#2: its id is missing or not a UUID",
        "#3: not an HSDS service object",
    ]
    assert list(Service.objects.values_list("name", "website", "email")) == [
        ("Skyddat boende", "", "")
    ]
    with translation.override("sv"):
        swedish = hsds.import_services([broken, not_a_uuid, "a string"], country="SE")
    assert swedish.skipped == [
        "#1: ett värde av fel typ i status, capacities[0].available, languages, phones[0].number",
        "#2: dess id saknas eller är inte ett UUID",
        "#3: inte ett tjänsteobjekt i HSDS",
    ]
