"""Persons, cases, milestones, deadlines, consent and participation.

Identifying and special-category values live in ``EncryptedField`` columns:
a JSON value sealed with AES-256-GCM whose associated data names the model,
the field and the record (``cases.person.identity:<uuid>``), so a ciphertext
copied to another field or row fails to open. Only ``seal`` and ``unseal``
touch them, and only selectors that asked the policy call ``unseal``.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from samverkan import crypto
from samverkan.accounts.models import Country, Membership, Organisation
from samverkan.cases.workflow import (
    DeadlineKind,
    IdentificationStatus,
    MilestoneKind,
    Outcome,
    Step,
    Track,
)


class Category(models.TextChoices):
    """The data categories of a case: what the policy grants, one by one."""

    METADATA = "metadata", _("Case metadata")
    IDENTITY = "identity", _("Identity")
    CONTACT = "contact", _("Contact")
    SECRET_LOCATION = "secret_location", _("Secret location")
    HEALTH = "health", _("Health")
    EXPLOITATION = "exploitation", _("Exploitation details")
    IMMIGRATION = "immigration", _("Immigration")
    LEGAL = "legal", _("Legal proceedings")
    SOCIAL = "social", _("Social needs")
    NOTES = "notes", _("Notes")


class Purpose(models.TextChoices):
    ASSISTANCE = "assistance", _("Assistance")
    PROTECTION = "protection", _("Protection")
    IDENTIFICATION = "identification", _("Identification by the competent authority")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    RETURN = "return", _("Safe return")
    RESEARCH = "research", _("Research")


class ExploitationForm(models.TextChoices):
    SEXUAL = "sexual", _("Sexual exploitation")
    LABOUR = "labour", _("Labour exploitation")
    FORCED_BEGGING = "forced_begging", _("Forced begging")
    FORCED_CRIMINALITY = "forced_criminality", _("Forced criminality")
    DOMESTIC_SERVITUDE = "domestic_servitude", _("Domestic servitude")
    FORCED_MARRIAGE = "forced_marriage", _("Forced or sham marriage")
    BENEFIT_FRAUD = "benefit_fraud", _("Benefit fraud")
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class AgeGroup(models.TextChoices):
    """The bands of the European data collection on trafficking."""

    CHILD_0_11 = "0-11", _("Child, 0–11")
    CHILD_12_17 = "12-17", _("Child, 12–17")
    ADULT_18_24 = "18-24", _("Adult, 18–24")
    ADULT_25_34 = "25-34", _("Adult, 25–34")
    ADULT_35_44 = "35-44", _("Adult, 35–44")
    ADULT_45_54 = "45-54", _("Adult, 45–54")
    ADULT_55_PLUS = "55+", _("Adult, 55 or older")
    ADULT_UNKNOWN = "adult", _("Adult, age unknown")
    UNKNOWN = "unknown", _("Unknown")

    @classmethod
    def for_age(cls, age: int | None) -> AgeGroup:
        if age is None:
            return cls.UNKNOWN
        for upper, group in (
            (11, cls.CHILD_0_11),
            (17, cls.CHILD_12_17),
            (24, cls.ADULT_18_24),
            (34, cls.ADULT_25_34),
            (44, cls.ADULT_35_44),
            (54, cls.ADULT_45_54),
        ):
            if age <= upper:
                return group
        return cls.ADULT_55_PLUS


CHILD_AGE_GROUPS = frozenset({AgeGroup.CHILD_0_11, AgeGroup.CHILD_12_17})


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("The person's consent")
    COURT_ORDER = "court_order", _("Court order")
    CHILD_PROTECTION = "child_protection", _("Child-protection duty")


class EncryptedField(models.TextField):
    """A sealed JSON value of one data category; empty when there is none.

    ``category`` is None where each row names its own category.
    """

    def __init__(self, *args, category: str | None, **kwargs):
        self.category = category
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["category"] = self.category
        kwargs.pop("editable", None)
        return name, path, args, kwargs


class Sealed(models.Model):
    """A record with encrypted fields, addressed by its uuid."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True

    @classmethod
    def encrypted_fields(cls) -> list[EncryptedField]:
        return [field for field in cls._meta.fields if isinstance(field, EncryptedField)]

    def encryption_context(self, field_name: str) -> str:
        return f"{self._meta.label_lower}.{field_name}:{self.uuid}"

    def seal(self, field_name: str, value) -> None:
        empty = value is None or value == "" or value == [] or value == {}
        token = (
            ""
            if empty
            else crypto.encrypt(json.dumps(value), context=self.encryption_context(field_name))
        )
        setattr(self, field_name, token)

    def unseal(self, field_name: str):
        """The plaintext value; raises ``DecryptionError`` rather than guessing."""
        token = getattr(self, field_name)
        if not token:
            return None
        return json.loads(crypto.decrypt(token, context=self.encryption_context(field_name)))


class Person(Sealed):
    """The person a case is about. Everything identifying is sealed."""

    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    age_group = models.CharField(
        _("age group"), max_length=10, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN
    )
    # names, aliases, date of birth or estimated age, gender, citizenships,
    # languages, identity documents
    identity = EncryptedField(category=Category.IDENTITY)
    contact = EncryptedField(category=Category.CONTACT)
    # shelter address and witness-protection details
    secret_location = EncryptedField(category=Category.SECRET_LOCATION)
    health = EncryptedField(category=Category.HEALTH)
    immigration = EncryptedField(category=Category.IMMIGRATION)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The privacy-preserving linkage encoding of the identity (samverkan.linkage),
    # for counting persons across agencies; empty when no linkage secret is set.
    linkage_encoding = models.TextField(blank=True, default="", editable=False)
    linkage_key_check = models.CharField(max_length=16, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return f"person {self.uuid}"

    @property
    def is_child(self) -> bool:
        return self.age_group in CHILD_AGE_GROUPS


class PersonIndex(models.Model):
    """Keyed blind indexes of a person's names and date of birth (never plaintext)."""

    class Kind(models.TextChoices):
        NAME = "name", _("name")
        DATE_OF_BIRTH = "date_of_birth", _("date of birth")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="index_entries")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["kind", "digest"])]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "digest"], name="unique_person_index")
        ]

    def __str__(self) -> str:
        return f"{self.kind} index"


def new_case_number(country: str) -> str:
    """A pseudonymous number: the country, the year and random letters, nothing personal."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    suffix = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{country}-{timezone.localdate().year}-{suffix}"


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self):
        return self.filter(closed_at__isnull=True)


class Case(Sealed):
    number = models.CharField(_("case number"), max_length=32, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    lead_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="led_cases"
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    legal_basis = models.CharField(
        _("legal basis"), max_length=20, choices=LegalBasis.choices, default=LegalBasis.CONSENT
    )
    stage = models.CharField(
        _("stage"), max_length=30, choices=Step.choices, default=Step.DETECTION
    )
    identification_status = models.CharField(
        _("identification"),
        max_length=20,
        choices=IdentificationStatus.choices,
        default=IdentificationStatus.PRESUMED,
    )
    countries_of_origin = CountryField(_("countries of origin"), multiple=True, blank=True)
    countries_of_transit = CountryField(_("countries of transit"), multiple=True, blank=True)
    countries_of_exploitation = CountryField(
        _("countries of exploitation"), multiple=True, blank=True
    )
    confidential_from_law_enforcement = models.BooleanField(
        _("confidential from law enforcement"), default=False
    )
    exploitation_details = EncryptedField(category=Category.EXPLOITATION)
    social_needs = EncryptedField(category=Category.SOCIAL)
    legal_details = EncryptedField(category=Category.LEGAL)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now, editable=False)
    opened_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_country = CountryField(_("country of return"), blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["lead_organisation", "-opened_at"]),
            models.Index(fields=["stage"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class CaseExploitation(models.Model):
    """A form of exploitation of a case (a row each, so that any database filters on it)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exploitation_forms")
    form = models.CharField(max_length=30, choices=ExploitationForm.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "form"], name="unique_case_exploitation")
        ]
        indexes = [models.Index(fields=["form", "case"])]

    def __str__(self) -> str:
        return self.form


class Milestone(Sealed):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("milestone"), max_length=40, choices=MilestoneKind.choices)
    step = models.CharField(max_length=30, choices=Step.choices)
    track = models.CharField(max_length=20, choices=Track.choices)
    occurred_on = models.DateField(_("date"))
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    evidence_category = models.CharField(max_length=20, choices=Category.choices)
    # Its category is the row's evidence_category (legal, immigration, social...).
    evidence = EncryptedField(category=None)

    class Meta:
        ordering = ["occurred_on", "recorded_at", "id"]

    def __str__(self) -> str:
        return self.kind


class CaseNote(Sealed):
    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone who may read the case's notes")
        LEAD = "lead", _("The lead organisation only")
        OWN_ORGANISATION = "own", _("My organisation only")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.EVERYONE
    )
    body = EncryptedField(category=Category.NOTES)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note {self.uuid}"


class CaseEvent(models.Model):
    """The timeline's other entries: sharing, consent, confidentiality, break-glass."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Case opened")
        SHARED = "shared", _("Shared with an organisation")
        SHARE_REVOKED = "share_revoked", _("Sharing ended")
        CONSENT_RECORDED = "consent_recorded", _("Consent or legal basis recorded")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        CONFIDENTIAL_SET = "confidential_set", _("Kept from law enforcement")
        CONFIDENTIAL_LIFTED = "confidential_lifted", _("No longer kept from law enforcement")
        SECRET_LOCATION_GRANTED = "secret_location_granted", _("Named for the secret location")
        SECRET_LOCATION_REVOKED = "secret_location_revoked", _("Removed from the secret location")
        BREAK_GLASS = "break_glass", _("Emergency access")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now, editable=False)
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # The other organisation concerned (shared with, named for), if any.
    counterpart = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.kind


class ConsentQuerySet(models.QuerySet["Consent"]):
    def in_force(self, today: date | None = None):
        today = today or timezone.localdate()
        return self.filter(withdrawn_at__isnull=True).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today)
        )


class Consent(models.Model):
    """What may be shared with whom and why: the person's consent or a legal basis."""

    class Manner(models.TextChoices):
        SIGNED_FORM = "signed_form", _("Signed form")
        ORAL_WITH_WITNESS = "oral_with_witness", _("Orally, with a witness")
        VIA_INTERPRETER = "via_interpreter", _("Through an interpreter")
        NOT_APPLICABLE = "not_applicable", _("Not applicable (legal basis)")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    basis = models.CharField(_("basis"), max_length=20, choices=LegalBasis.choices)
    categories = models.JSONField(_("data categories"), default=list)
    organisation_kinds = models.JSONField(_("kinds of organisation"), default=list, blank=True)
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("named organisations")
    )
    purposes = models.JSONField(_("purposes"), default=list)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    manner = models.CharField(_("given"), max_length=20, choices=Manner.choices)
    given_on = models.DateField(_("given on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    recorded_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.basis} {self.uuid}"

    def covers(self, organisation: Organisation, purpose: str, named_ids: set[int]) -> bool:
        """Does this record allow sharing with ``organisation`` for ``purpose``?"""
        return purpose in self.purposes and self.names(organisation, named_ids)

    def names(self, organisation: Organisation, named_ids: set[int]) -> bool:
        """Does this record name ``organisation``, by its kind or by name?"""
        return organisation.kind in self.organisation_kinds or organisation.pk in named_ids


class ParticipationQuerySet(models.QuerySet["Participation"]):
    def in_force(self, today: date | None = None):
        """Not revoked, and the consent or legal basis it rests on still holds."""
        today = today or timezone.localdate()
        return self.filter(
            revoked_at__isnull=True,
            basis__withdrawn_at__isnull=True,
        ).filter(Q(basis__expires_on__isnull=True) | Q(basis__expires_on__gte=today))


class Participation(models.Model):
    """An organisation taking part in a case, for named categories and a purpose."""

    class Source(models.TextChoices):
        SHARE = "share", _("Explicit share")
        REFERRAL = "referral", _("Accepted referral")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    categories = models.JSONField(_("data categories"), default=list)
    basis = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="participations")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SHARE)
    granted_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["organisation", "case"])]

    def __str__(self) -> str:
        return f"participation {self.uuid}"


class SecretLocationAccess(models.Model):
    """A named person who may read the secret location of one case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="secret_location_access")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    granted_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"secret location access {self.pk}"


class BreakGlassAccess(models.Model):
    """Emergency access by a coordinator: a written reason and a time limit."""

    MAX_MINUTES = 60

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="break_glass")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    started_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"emergency access {self.uuid}"


class CountryConfiguration(models.Model):
    """How the referral mechanism runs in one country; deadlines derive from it."""

    country = models.CharField(_("country"), max_length=2, choices=Country.choices, unique=True)
    competent_authority_kind = models.CharField(
        _("competent authority"),
        max_length=40,
        choices=Organisation.Kind.choices,
        default=Organisation.Kind.COORDINATION_AGENCY,
        help_text=_("The kind of organisation that confirms identification."),
    )
    reflection_period_days = models.PositiveIntegerField(
        _("reflection and recovery period (days)"), default=30
    )
    residence_permit_renewal_days = models.PositiveIntegerField(
        _("residence permit renewal interval (days)"), default=180
    )
    retention_days = models.PositiveIntegerField(
        _("retention after closing (days)"), default=5 * 365
    )
    reminder_days_before = models.PositiveIntegerField(
        _("first reminder (days before a deadline)"), default=7
    )

    class Meta:
        ordering = ["country"]

    def __str__(self) -> str:
        return self.country

    @classmethod
    def for_country(cls, country: str) -> CountryConfiguration:
        """The stored configuration, or the defaults (30 days, coordination agency)."""
        return cls.objects.filter(country=country).first() or cls(country=country)


class Deadline(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("deadline"), max_length=30, choices=DeadlineKind.choices)
    due_on = models.DateField(_("due"))
    responsible_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    reminded_before_at = models.DateTimeField(null=True, blank=True)
    reminded_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["responsible_organisation", "completed_at", "due_on"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.due_on}"


class Notification(models.Model):
    """An in-app message to one membership. It names the case by number only."""

    class Kind(models.TextChoices):
        DEADLINE_APPROACHING = "deadline_approaching", _("Deadline approaching")
        DEADLINE_DUE = "deadline_due", _("Deadline due")
        BREAK_GLASS = "break_glass", _("Emergency access to a case")

    recipient = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, related_name="+")
    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.kind


class AnonymousNotification(models.Model):
    """A presumed victim who did not consent to a case: counted, never identified."""

    class Indicator(models.TextChoices):
        """The six dimensions of the ILO/EC operational indicators."""

        DECEPTIVE_RECRUITMENT = "deceptive_recruitment", _("Deceptive recruitment")
        COERCIVE_RECRUITMENT = "coercive_recruitment", _("Coercive recruitment")
        ABUSE_OF_VULNERABILITY_RECRUITMENT = (
            "abuse_of_vulnerability_recruitment",
            _("Recruitment by abuse of vulnerability"),
        )
        EXPLOITATIVE_CONDITIONS = "exploitative_conditions", _("Exploitative conditions")
        COERCION_AT_DESTINATION = "coercion_at_destination", _("Coercion at destination")
        ABUSE_OF_VULNERABILITY_DESTINATION = (
            "abuse_of_vulnerability_destination",
            _("Abuse of vulnerability at destination"),
        )

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    notified_on = models.DateField(_("date"))
    municipality = models.CharField(_("municipality"), max_length=100)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    age_group = models.CharField(_("age group"), max_length=10, choices=AgeGroup.choices)
    citizenship = CountryField(_("citizenship"), blank=True)
    exploitation_forms = models.JSONField(_("forms of exploitation"), default=list)
    indicators = models.JSONField(_("indicators seen"), default=list, blank=True)
    notifying_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    # Made from an identity given at intake, which is then discarded (never stored).
    linkage_encoding = models.TextField(blank=True, default="", editable=False)
    linkage_key_check = models.CharField(max_length=16, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-notified_on", "-id"]

    def __str__(self) -> str:
        return f"anonymous notification {self.uuid}"
