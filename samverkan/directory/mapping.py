"""Local situation mapping (CBSS guidelines): record, compare, and find the gaps.

Writes and reads in one module: mapping holds no personal data, and its
rules are few. The mappings of the actor's country are read by everyone
logged in; coordinators, case managers, network coordinators and
organisation admins record them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.accounts.models import Membership
from samverkan.audit.services import audit_record
from samverkan.cases.models import ExploitationForm
from samverkan.directory.models import Service, ServiceKind, SituationMapping
from samverkan.policy import access as policy

QUESTIONS = (
    "vulnerable_groups",
    "locations",
    "sectors",
    "identifying_actors",
    "existing_services",
    "gaps",
    "priorities",
)


@transaction.atomic
def mapping_record(
    *,
    actor: Membership,
    municipality: str,
    mapped_on: date,
    exploitation_forms: list[str] = (),
    needed_services: list[str] = (),
    **answers: str,
) -> SituationMapping:
    policy.require(actor, "mapping.record")
    if not municipality.strip():
        raise ValidationError({"municipality": _("Name the municipality.")})
    if mapped_on > timezone.localdate():
        raise ValidationError({"mapped_on": _("The date cannot be in the future.")})
    if set(exploitation_forms) - set(ExploitationForm.values):
        raise ValidationError({"exploitation_forms": _("Choose from the list.")})
    if set(needed_services) - set(ServiceKind.values):
        raise ValidationError({"needed_services": _("Choose from the list.")})
    unknown = set(answers) - set(QUESTIONS)
    if unknown:
        raise ValidationError(_("Unknown questions: %(names)s") % {"names": ", ".join(unknown)})
    mapping = SituationMapping.objects.create(
        country=actor.organisation.country,
        municipality=municipality.strip(),
        mapped_on=mapped_on,
        exploitation_forms=sorted(set(exploitation_forms)),
        needed_services=sorted(set(needed_services)),
        organisation=actor.organisation,
        recorded_by=actor,
        **{name: (answers.get(name) or "").strip() for name in QUESTIONS},
    )
    audit_record(action="mapping.recorded", actor=actor, target=mapping)
    return mapping


def mappings_visible_to(actor: Membership | None):
    if not policy.can(actor, "mapping.view"):
        return SituationMapping.objects.none()
    return SituationMapping.objects.filter(country=actor.organisation.country)


def latest_mappings(actor: Membership) -> list[SituationMapping]:
    """The latest mapping of each municipality of the actor's country."""
    policy.require(actor, "mapping.view")
    latest: dict[str, SituationMapping] = {}
    for mapping in mappings_visible_to(actor).order_by("municipality", "-mapped_on", "-id"):
        latest.setdefault(mapping.municipality, mapping)
    return list(latest.values())


def mapping_history(actor: Membership, mapping_uuid) -> tuple[SituationMapping, list]:
    mapping = mappings_visible_to(actor).filter(uuid=mapping_uuid).first()
    if mapping is None:
        raise policy.PolicyDenied
    earlier = mappings_visible_to(actor).filter(municipality=mapping.municipality)
    return mapping, list(earlier.exclude(pk=mapping.pk))


@dataclass(frozen=True)
class Gap:
    municipality: str
    need: str
    mapped_on: date

    @property
    def need_label(self) -> str:
        return str(ServiceKind(self.need).label)


def gaps(actor: Membership) -> list[Gap]:
    """Needs of a municipality's latest mapping that no active service there meets."""
    found = []
    for mapping in latest_mappings(actor):
        offered = set(
            Service.objects.active()
            .filter(country=mapping.country, municipality__iexact=mapping.municipality)
            .values_list("kind", flat=True)
        )
        found += [
            Gap(mapping.municipality, need, mapping.mapped_on)
            for need in mapping.needed_services
            if need not in offered
        ]
    return found
