"""The cooperation network: member places and their contact persons, follow-up
surveys answered through personal links, action plans measured against a
framework of action points, and the network's document library.

A network belongs to the organisation that runs it (a city union's
secretariat, a task force): its network coordinators manage everything in it.
Contact persons have no account; they reach one survey response, of one
place, through a personal link whose token is stored only as its SHA-256.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from samverkan.accounts.models import Membership, Organisation


class NetworkOwned(models.Model):
    """A row of one network; the policy scopes it by the network's organisation."""

    class Meta:
        abstract = True

    @property
    def network_organisation_id(self) -> int:
        return self.network.organisation_id


class Network(models.Model):
    class Kind(models.TextChoices):
        CITY_UNION = "city_union", _("Union of cities")
        TASK_FORCE = "task_force", _("Regional task force")
        PARTNERSHIP = "partnership", _("Partnership")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="networks"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="network_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def network_organisation_id(self) -> int:
        return self.organisation_id


class Place(NetworkOwned):
    """A member of the network: a city, a municipality, a region or a country."""

    class Kind(models.TextChoices):
        CITY = "city", _("City")
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region")
        COUNTRY = "country", _("Country")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="places")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CITY)
    country = CountryField(_("country"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "name"], name="place_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.country.name}"


class ContactPerson(models.Model):
    """Who answers for a place: a name, an organisation and an e-mail address."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="contacts")
    full_name = models.CharField(_("name"), max_length=200)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=10, default="en")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "email"], name="contact_unique_email")
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def network_organisation_id(self) -> int:
        return self.place.network.organisation_id


# A survey runs for at most this many days.
SURVEY_MAX_DAYS = 730


class Survey(NetworkOwned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        CLOSED = "closed", _("Closed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    deadline = models.DateField(_("deadline"))
    reminder_days_before = models.PositiveSmallIntegerField(_("reminder days before"), default=3)
    created_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # Links expire at the end of the deadline day: a date near the end of the
        # calendar would overflow that, and no survey runs for years.
        limit = timezone.localdate() + timedelta(days=SURVEY_MAX_DAYS)
        if self.deadline and self.deadline > limit:
            raise ValidationError(
                {
                    "deadline": _("The deadline can be at most %(days)d days from today.")
                    % {"days": SURVEY_MAX_DAYS}
                }
            )

    @property
    def current_version(self) -> SurveyVersion | None:
        return self.versions.order_by("-number").first()


class Question(models.Model):
    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        SINGLE_CHOICE = "single_choice", _("Single choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
        YES_NO = "yes_no", _("Yes or no")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        FILE = "file", _("File upload")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    name = models.SlugField(_("name"), max_length=60)
    section = models.CharField(_("section"), max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("question"))
    # Other languages' texts of the question, {"sv": "..."}.
    translations = models.JSONField(default=dict, blank=True)
    help_text = models.TextField(_("help text"), blank=True)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "name"], name="question_unique_name")
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def network_organisation_id(self) -> int:
        return self.survey.network.organisation_id


class SurveyVersion(models.Model):
    """The questions as they were sent, or as they became after a change once sent.

    A response keeps the version it was submitted under, so a later change
    never alters what a place answered.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="survey_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.survey} v{self.number}"


class Response(models.Model):
    """One place's answer to one survey: pending, a draft, or submitted."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not started")
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="responses")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    answers = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["place__name"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "place"], name="response_one_per_place")
        ]

    def __str__(self) -> str:
        return f"{self.survey}: {self.place.name}"

    @property
    def network_organisation_id(self) -> int:
        return self.survey.network.organisation_id


class ResponseFile(models.Model):
    """A file a place uploaded as an answer."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="files")
    question_name = models.SlugField(max_length=60)
    file = models.FileField(upload_to="network/answers/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.original_name

    @property
    def network_organisation_id(self) -> int:
        return self.response.survey.network.organisation_id


class SurveyLink(models.Model):
    """A personal link: reaches one place's response to one survey, until it expires."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="links")
    contact = models.ForeignKey(
        ContactPerson, on_delete=models.SET_NULL, null=True, blank=True, related_name="links"
    )
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    forwarded_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="forwards"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        # Never the token: it is not stored.
        return f"link {self.uuid}"

    def is_valid(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and now < self.expires_at


class Framework(models.Model):
    """A versioned list of action points that action plans are measured against."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="frameworks")
    name = models.CharField(_("name"), max_length=200)
    version = models.CharField(_("version"), max_length=40)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["name", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "name", "version"], name="framework_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    @property
    def network_organisation_id(self) -> int:
        return self.network.organisation_id


class ActionPoint(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="points")
    code = models.CharField(_("code"), max_length=20)
    theme = models.CharField(_("theme"), max_length=100)
    text = models.TextField(_("action point"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="action_point_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.theme}"


class ActionPlan(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="action_plans")
    title = models.CharField(_("title"), max_length=200)
    period_start = models.PositiveSmallIntegerField(_("from year"))
    period_end = models.PositiveSmallIntegerField(_("to year"))
    adopted_by = models.CharField(_("adopted by"), max_length=200, blank=True)
    link = models.URLField(_("link"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["place__name", "-period_start"]

    def __str__(self) -> str:
        return self.title

    @property
    def network_organisation_id(self) -> int:
        return self.place.network.organisation_id


class Measure(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="measures")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    responsible = models.CharField(_("responsible actors"), max_length=300, blank=True)
    target_groups = models.CharField(_("target groups"), max_length=300, blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    budget = models.CharField(_("budget"), max_length=100, blank=True)
    indicator = models.CharField(_("indicator of success"), max_length=300, blank=True)
    action_points = models.ManyToManyField(ActionPoint, related_name="measures", blank=True)

    class Meta:
        ordering = ["plan", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def network_organisation_id(self) -> int:
        return self.plan.place.network.organisation_id


class Document(models.Model):
    """A document of the network's library, its text extracted for full-text search."""

    class Kind(models.TextChoices):
        STATEMENT = "statement", _("Statement")
        GUIDELINE = "guideline", _("Guideline")
        REPORT = "report", _("Report")
        SPEECH = "speech", _("Speech")
        ACTION_PLAN = "action_plan", _("Action plan")
        TRAINING = "training", _("Training material")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    published_on = models.DateField(_("date"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10)
    place = models.ForeignKey(
        Place, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    themes = models.CharField(_("themes"), max_length=300, blank=True)
    file = models.FileField(upload_to="network/documents/")
    original_name = models.CharField(max_length=255)
    text = models.TextField(blank=True)
    # PostgreSQL's tsvector in the document's language (samverkan.network.library);
    # unused on SQLite, which searches the text itself.
    search_vector = SearchVectorField(null=True, editable=False)
    added_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_on", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def network_organisation_id(self) -> int:
        return self.network.organisation_id


class Activity(NetworkOwned):
    """A training, seminar, conference, field visit, campaign or mobility programme."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        SEMINAR = "seminar", _("Seminar")
        CONFERENCE = "conference", _("Conference")
        FIELD_VISIT = "field_visit", _("Field visit")
        CAMPAIGN = "campaign", _("Campaign")
        MOBILITY = "mobility", _("Mobility programme")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    location = models.CharField(_("where"), max_length=200, blank=True)
    organisers = models.CharField(_("organisers"), max_length=300, blank=True)
    target_group = models.CharField(_("target group"), max_length=300, blank=True)
    capacity_min = models.PositiveSmallIntegerField(
        _("participants at least"), null=True, blank=True
    )
    capacity_max = models.PositiveSmallIntegerField(
        _("participants at most"), null=True, blank=True
    )
    agenda = models.TextField(_("agenda"), blank=True)
    materials = models.TextField(_("materials"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    """Someone taking part in an activity; reports back through a personal link."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participants")
    full_name = models.CharField(_("name"), max_length=200)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    role = models.CharField(_("role"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"))
    # Unique when set; NULL until a report is asked for (several NULLs are allowed).
    report_token_hash = models.CharField(  # noqa: DJ001  (NULL, not "", keeps it unique)
        max_length=64, unique=True, null=True, editable=False
    )
    report_expires_at = models.DateTimeField(null=True, blank=True)
    report = models.TextField(blank=True)
    report_submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "email"], name="participant_unique_email")
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def network_organisation_id(self) -> int:
        return self.activity.network.organisation_id


class GoodPractice(NetworkOwned):
    """A practice a member shares; published to the network once the coordinator reviews it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        PUBLISHED = "published", _("Published")
        DECLINED = "declined", _("Declined")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="practices")
    place = models.ForeignKey(
        Place, on_delete=models.SET_NULL, null=True, blank=True, related_name="practices"
    )
    title = models.CharField(_("title"), max_length=200)
    what = models.TextField(_("what was done"))
    where = models.CharField(_("where"), max_length=200, blank=True)
    who = models.CharField(_("who took part"), max_length=300, blank=True)
    results = models.TextField(_("results"), blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    themes = models.CharField(_("themes"), max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return self.title


class ImpactAssessment(models.Model):
    """A human rights impact assessment of one measure: findings and mitigations per question."""

    measure = models.OneToOneField(Measure, on_delete=models.CASCADE, related_name="assessment")
    # {question key: {"finding": ..., "mitigation": ...}}, keys of HRIA_QUESTIONS.
    answers = models.JSONField(default=dict)
    assessed_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"HRIA of {self.measure}"

    @property
    def network_organisation_id(self) -> int:
        return self.measure.plan.place.network.organisation_id
