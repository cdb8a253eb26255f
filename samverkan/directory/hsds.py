"""The directory in the Open Referral Human Services Data Specification (HSDS 3).

Export: each service as an HSDS ``service`` object with its organization,
phones, languages, schedule, capacity (``capacities``, HSDS 3.1's
service_capacity with a "place" unit), a location named by its municipality
(never a street address: a shelter's address is a secret) and attributes
carrying our kind and target groups as taxonomy terms. The list is wrapped
as the HSDS API's paginated ``/services`` answer, in one page. The tests
check the exported fields against the rules HSDS 3.1 gives them (every
object's required fields, UUID ids, strings where HSDS types strings).

Import: the same shape (or a bare list of services). A record that is not an
object, has no name, has no UUID id (HSDS requires one, and it is our key)
or holds a value of the wrong type in a field we read is skipped, and the
report names the field (its path, never its value). Providers are matched
by name to organisations already on the platform, in the importing country;
a service of an unknown organisation, or without a kind we know, is skipped
and reported. Re-importing updates the services it made before (their HSDS
id is our uuid), but never a service of another provider or another country
that the file happens to name. A value beyond a field's limits skips its
entry with the reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.accounts.models import Organisation
from samverkan.audit.services import audit_record
from samverkan.directory.models import CAPACITY_MAX, Service, ServiceKind, TargetGroup

KIND_VOCABULARY = "samverkan:service-kind"
GROUP_VOCABULARY = "samverkan:serves"
PLACE_UNIT = {"id": "5a0d7ba7-3c1e-4d51-9a33-7c6f2b7c0f01", "name": "place", "scheme": "samverkan"}


def _term(service: Service, vocabulary: str, code: str, label: str) -> dict:
    return {
        "id": str(uuid.uuid5(service.uuid, f"attribute/{vocabulary}/{code}")),
        "label": label,
        "taxonomy_term": {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{vocabulary}/{code}")),
            "code": code,
            "name": label,
            "description": label,
            "taxonomy": vocabulary,
        },
    }


def service_to_hsds(service: Service) -> dict:
    organisation = service.provider
    data = {
        "id": str(service.uuid),
        "name": service.name,
        "description": service.description,
        "status": "active" if service.is_active else "inactive",
        "organization": {
            "id": str(organisation.uuid),
            "name": organisation.name,
            "description": organisation.get_kind_display(),
        },
        "phones": [{"id": str(uuid.uuid5(service.uuid, "phone")), "number": service.phone}]
        if service.phone
        else [],
        "languages": [
            {"id": str(uuid.uuid5(service.uuid, f"language/{code}")), "code": code}
            for code in service.languages
        ],
        "schedules": [
            {"id": str(uuid.uuid5(service.uuid, "schedule")), "description": service.hours}
        ]
        if service.hours
        else [],
        "service_areas": [
            {"id": str(uuid.uuid5(service.uuid, "area")), "name": service.municipality}
        ],
        "service_at_locations": [
            {
                "id": str(uuid.uuid5(service.uuid, "service_at_location")),
                "location": {
                    "id": str(uuid.uuid5(service.uuid, "location")),
                    "location_type": "virtual",
                    "name": service.municipality,
                    "addresses": [
                        {
                            "id": str(uuid.uuid5(service.uuid, "address")),
                            "address_1": "",
                            "city": service.municipality,
                            "state_province": "",
                            "postal_code": "",
                            "country": service.country,
                            "address_type": "postal",
                        }
                    ],
                    "accessibility": [
                        {
                            "id": str(uuid.uuid5(service.uuid, "accessibility")),
                            "description": service.accessibility,
                        }
                    ]
                    if service.accessibility
                    else [],
                },
            }
        ],
        "attributes": [
            _term(service, KIND_VOCABULARY, service.kind, str(ServiceKind(service.kind).label)),
            *[
                _term(service, GROUP_VOCABULARY, group, str(TargetGroup(group).label))
                for group in service.serves
                if group in TargetGroup.values
            ],
        ],
    }
    # HSDS's url and email are strings: absent, not null, when we have none.
    if service.website:
        data["url"] = service.website
    if service.email:
        data["email"] = service.email
    # HSDS requires the number available with a capacity.
    if service.capacity is not None and service.free_places is not None:
        data["capacities"] = [
            {
                "id": str(uuid.uuid5(service.uuid, "capacity")),
                "unit": PLACE_UNIT,
                "available": service.free_places,
                "maximum": service.capacity,
                "updated": (service.availability_updated_at or service.created_at).isoformat(),
            }
        ]
    return data


def export_services(services) -> dict:
    """The HSDS API's paginated list of services, all in one page."""
    contents = [service_to_hsds(service) for service in services]
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: list[str] = field(default_factory=list)


def _object(parent: dict, name: str, path: str, wrong: list[str]) -> dict:
    """``parent[name]`` if it is an object; ``path`` joins ``wrong`` if it is something else."""
    value = parent.get(name)
    if isinstance(value, dict):
        return value
    if value is not None:
        wrong.append(path)
    return {}


def _objects(parent: dict, name: str, path: str, wrong: list[str]) -> list[tuple[str, dict]]:
    """The objects in the list ``parent[name]``, each with its path; the rest join ``wrong``."""
    value = parent.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        wrong.append(path)
        return []
    items = []
    for index, item in enumerate(value):
        if isinstance(item, dict):
            items.append((f"{path}[{index}]", item))
        else:
            wrong.append(f"{path}[{index}]")
    return items


def _strings(item: dict, names: list[str], path: str, wrong: list[str]) -> None:
    for name in names:
        if item.get(name) is not None and not isinstance(item[name], str):
            wrong.append(f"{path}.{name}" if path else name)


def _numbers(item: dict, names: list[str], path: str, wrong: list[str]) -> None:
    for name in names:
        value = item.get(name)
        # JSON's true and false are bools, which Python also counts as ints.
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            wrong.append(f"{path}.{name}")


def wrong_typed_fields(service: dict) -> list[str]:
    """The paths of the fields we read whose value is not of the type HSDS 3.1 gives it.

    Only what the import reads is checked. A null counts as absent: files from
    other systems, and ours before HSDS's string types were followed, write
    null for an empty url or email.
    """
    wrong: list[str] = []
    _strings(service, ["id", "name", "description", "status", "url", "email"], "", wrong)
    organization = _object(service, "organization", "organization", wrong)
    _strings(organization, ["name"], "organization", wrong)
    for path, attribute in _objects(service, "attributes", "attributes", wrong):
        term = _object(attribute, "taxonomy_term", f"{path}.taxonomy_term", wrong)
        _strings(term, ["code", "taxonomy", "vocabulary"], f"{path}.taxonomy_term", wrong)
    for path, capacity in _objects(service, "capacities", "capacities", wrong):
        _strings(_object(capacity, "unit", f"{path}.unit", wrong), ["name"], f"{path}.unit", wrong)
        _numbers(capacity, ["available", "maximum"], path, wrong)
    for path, at_location in _objects(
        service, "service_at_locations", "service_at_locations", wrong
    ):
        location = _object(at_location, "location", f"{path}.location", wrong)
        for inner, address in _objects(location, "addresses", f"{path}.location.addresses", wrong):
            _strings(address, ["city"], inner, wrong)
        for inner, item in _objects(
            location, "accessibility", f"{path}.location.accessibility", wrong
        ):
            _strings(item, ["description"], inner, wrong)
    for list_name, name in [
        ("service_areas", "name"),
        ("languages", "code"),
        ("schedules", "description"),
        ("phones", "number"),
    ]:
        for path, item in _objects(service, list_name, list_name, wrong):
            _strings(item, [name], path, wrong)
    return wrong


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return None


def _codes(service: dict, vocabulary: str) -> list[str]:
    terms = [attribute.get("taxonomy_term") or {} for attribute in service.get("attributes") or []]
    # "vocabulary" is where our files named the taxonomy before HSDS's "taxonomy" was followed.
    return [
        term.get("code", "")
        for term in terms
        if vocabulary in (term.get("taxonomy"), term.get("vocabulary"))
    ]


def _municipality(service: dict) -> str:
    for at_location in service.get("service_at_locations") or []:
        for address in (at_location.get("location") or {}).get("addresses") or []:
            if address.get("city"):
                return address["city"]
    for area in service.get("service_areas") or []:
        if area.get("name"):
            return area["name"]
    return ""


def _values(service: dict, provider: Organisation, country: str) -> dict:
    kinds = [code for code in _codes(service, KIND_VOCABULARY) if code in ServiceKind.values]
    capacities = [
        capacity
        for capacity in service.get("capacities") or []
        if (capacity.get("unit") or {}).get("name") == PLACE_UNIT["name"]
    ]
    accessibility = [
        item.get("description", "")
        for at_location in service.get("service_at_locations") or []
        for item in (at_location.get("location") or {}).get("accessibility") or []
    ]
    values = {
        "provider": provider,
        "name": str(service.get("name") or "")[:200],
        "kind": kinds[0] if kinds else "",
        "description": str(service.get("description") or ""),
        "country": country,
        "municipality": _municipality(service)[:100],
        "serves": sorted(
            {code for code in _codes(service, GROUP_VOCABULARY) if code in TargetGroup.values}
        ),
        "languages": sorted(
            {
                str(language.get("code")).lower()
                for language in service.get("languages") or []
                if language.get("code")
            }
        ),
        "hours": "; ".join(
            str(schedule.get("description"))
            for schedule in service.get("schedules") or []
            if schedule.get("description")
        )[:200],
        "accessibility": "; ".join(filter(None, accessibility))[:300],
        "phone": str(((service.get("phones") or [{}])[0]).get("number") or "")[:50],
        "email": str(service.get("email") or "")[:254],
        "website": str(service.get("url") or "")[:200],
        "is_active": service.get("status") == "active",
    }
    if capacities:
        maximum = int(capacities[0].get("maximum") or 0)
        available = int(capacities[0].get("available") or 0)
        values["capacity"] = max(maximum, 0)
        values["free_places"] = min(max(available, 0), values["capacity"])
        values["availability_updated_at"] = timezone.now()
    return values


@transaction.atomic
def import_services(data, *, country: str) -> ImportReport:
    """Load HSDS services into the directory of ``country``; see the module docstring."""
    rows = data.get("contents", []) if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise ValueError("Expected an HSDS list of services.")
    report = ImportReport()
    providers = {
        organisation.name.casefold(): organisation
        for organisation in Organisation.objects.filter(country=country, is_active=True)
    }
    for index, row in enumerate(rows, start=1):
        record = {"record": f"#{index}"}
        if not isinstance(row, dict):
            report.skipped.append(_("%(record)s: not an HSDS service object") % record)
            continue
        wrong = wrong_typed_fields(row)
        if wrong:
            message = _("%(record)s: a value of the wrong type in %(fields)s")
            report.skipped.append(message % {**record, "fields": ", ".join(wrong)})
            continue
        if not (row.get("name") or "").strip():
            report.skipped.append(_("%(record)s: no name") % record)
            continue
        service_uuid = _uuid(row.get("id"))
        if service_uuid is None:
            report.skipped.append(_("%(record)s: its id is missing or not a UUID") % record)
            continue
        organisation_name = (row.get("organization") or {}).get("name") or ""
        provider = providers.get(organisation_name.casefold())
        if provider is None:
            report.skipped.append(_("%(record)s: organisation not on the platform") % record)
            continue
        try:
            values = _values(row, provider, country)
        except (OverflowError, ValueError):
            # Python's json reads the literals Infinity and NaN as floats.
            report.skipped.append(_("%(record)s: a number that is not a count") % record)
            continue
        if not values["kind"] or not values["municipality"]:
            report.skipped.append(_("%(record)s: no known kind or no municipality") % record)
            continue
        service = Service.objects.filter(uuid=service_uuid).first()
        if service is not None and (
            service.provider_id != provider.pk or service.country != country
        ):
            message = _("%(record)s: its id names a service of another provider")
            report.skipped.append(message % record)
            continue
        created = service is None
        service = service or Service(uuid=service_uuid)
        for name, value in values.items():
            setattr(service, name, value)
        try:
            if (service.capacity or 0) > CAPACITY_MAX:
                raise ValidationError({"capacity": "too many places"})
            service.full_clean()
        except ValidationError as error:
            fields = ", ".join(sorted(getattr(error, "error_dict", {}))) or _("a value")
            message = _("%(record)s: not valid (%(fields)s)")
            report.skipped.append(message % {**record, "fields": fields})
            continue
        service.save()
        if created:
            report.created += 1
        else:
            report.updated += 1
    audit_record(
        action="directory.imported",
        object_type="directory.service",
        flags=[
            f"created:{report.created}",
            f"updated:{report.updated}",
            f"skipped:{len(report.skipped)}",
        ],
    )
    return report
