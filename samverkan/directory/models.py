"""The service directory: what help exists where, for whom, and whether it has room.

Nothing here is about a victim. A service names its provider organisation,
who it serves, its languages and hours, and an intake contact; never a
shelter's street address (that is a case's secret location).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.accounts.models import Country, Organisation


class ServiceKind(models.TextChoices):
    """The kinds of help a municipality maps; a referral's needs are named in them too."""

    SHELTER = "shelter", _("Shelter")
    SAFE_HOUSE = "safe_house", _("Safe house")
    MEDICAL = "medical", _("Medical care")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    LEGAL_AID = "legal_aid", _("Legal aid")
    INTERPRETER = "interpreter", _("Interpreting")
    FINANCIAL_SUPPORT = "financial_support", _("Financial support")
    EMPLOYMENT = "employment", _("Employment")
    EDUCATION = "education", _("Education")
    HOUSING = "housing", _("Housing")
    HELPLINE = "helpline", _("Helpline")
    RETURN = "return", _("Return and reintegration")


# Never on the public help pages: where people in danger stay. The public
# reaches them through an intake helpline instead.
UNLISTED_KINDS = frozenset({ServiceKind.SHELTER, ServiceKind.SAFE_HOUSE})
# More places than any one service has: a typing slip, not a number to store.
CAPACITY_MAX = 10_000


class TargetGroup(models.TextChoices):
    WOMEN = "women", _("Women")
    MEN = "men", _("Men")
    CHILDREN = "children", _("Children")
    FAMILIES = "families", _("Families")
    LGBTI = "lgbti", _("LGBTI people")
    DISABILITIES = "disabilities", _("People with disabilities")


class ServiceQuerySet(models.QuerySet["Service"]):
    def active(self):
        return self.filter(is_active=True, provider__is_active=True)


class Service(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=ServiceKind.choices)
    description = models.TextField(_("description"), blank=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    municipality = models.CharField(_("municipality"), max_length=100)
    serves = models.JSONField(_("serves"), default=list, blank=True)
    # ISO 639-1 codes ("en", "ro", "uk").
    languages = models.JSONField(_("languages"), default=list, blank=True)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    accessibility = models.CharField(_("accessibility"), max_length=300, blank=True)
    # Places in all, and free now; both empty for a service without places.
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    free_places = models.IntegerField(_("free places"), null=True, blank=True)
    availability_updated_at = models.DateTimeField(null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_public = models.BooleanField(
        _("shown on the public help pages"),
        default=False,
        help_text=_("Helplines and public services people may contact themselves."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["country", "municipality", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(free_places__isnull=True) | Q(free_places__gte=0),
                name="service_free_places_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(free_places__isnull=True)
                | Q(capacity__isnull=True)
                | Q(free_places__lte=F("capacity")),
                name="service_free_places_within_capacity",
            ),
        ]
        indexes = [models.Index(fields=["country", "municipality", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def has_places(self) -> bool:
        return self.free_places is not None

    @property
    def is_available(self) -> bool:
        """A service without places is available; one with places needs a free one."""
        return self.free_places is None or self.free_places > 0


class SituationMapping(models.Model):
    """One municipality's answers to the CBSS guidelines' mapping questions, at one date.

    Kept over time: a new mapping adds a row, the latest is compared.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    municipality = models.CharField(_("municipality"), max_length=100)
    mapped_on = models.DateField(_("mapped on"))
    vulnerable_groups = models.TextField(_("Who are the vulnerable groups?"), blank=True)
    locations = models.TextField(_("What are the relevant locations?"), blank=True)
    sectors = models.TextField(_("Which sectors of work are concerned?"), blank=True)
    identifying_actors = models.TextField(_("Who can identify victims?"), blank=True)
    exploitation_forms = models.JSONField(_("forms of exploitation seen"), default=list)
    existing_services = models.TextField(_("Which services exist?"), blank=True)
    gaps = models.TextField(_("What is missing?"), blank=True)
    priorities = models.TextField(_("What are the local priorities?"), blank=True)
    # The kinds of service the municipality needs: compared with the directory for gaps.
    needed_services = models.JSONField(_("services needed"), default=list)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["country", "municipality", "-mapped_on", "-id"]

    def __str__(self) -> str:
        return f"{self.municipality} {self.mapped_on}"
