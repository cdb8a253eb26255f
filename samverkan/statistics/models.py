"""The rapporteur's statistics: uploaded sources of encodings and report builds.

A build (``StatisticsRun``) counts the persons of a period and stores only
its disclosure-controlled tables; raw counts never reach the database. Its
figures are published in the same transaction that stores them, so a build
that fails leaves the figures already published as they were.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.accounts.models import Country, Membership, Organisation
from samverkan.statistics.disclosure import DEFAULT_MINIMUM
from samverkan.statistics.errors import message as error_message

# The match probability a pair of records needs (samverkan.linkage's default).
DEFAULT_MATCH_THRESHOLD = 0.5


class ExternalSource(models.Model):
    """Encodings of the persons an agency outside the platform registered in a period."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    name = models.CharField(_("name of the source"), max_length=200)
    agency_kind = models.CharField(
        _("kind of agency"), max_length=40, choices=Organisation.Kind.choices
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    # The linkage schema document (clkhash format), its "<id> v<version>"
    # label, the encoding length and the key check of the linkage secret:
    # sources are compared only when they agree.
    schema = models.JSONField()
    schema_version = models.CharField(max_length=100)
    bits = models.PositiveIntegerField()
    key_check = models.CharField(max_length=128, blank=True)
    record_count = models.PositiveIntegerField()
    # As samverkan.linkage.files writes them: [{"encoding": base64,
    # "breakdown": {year, sex, age_group, citizenship, exploitation_form,
    # identification}}]: encodings and breakdowns, nothing else.
    records = models.JSONField(default=list)
    uploaded_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.name


class StatisticsRun(models.Model):
    """One build of the rapporteur's figures for a period: linkage, tables, disclosure control."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        FAILED = "failed", _("Failed")
        PUBLISHED = "published", _("Published")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    minimum_cell = models.PositiveIntegerField(
        _("smallest published count"), default=DEFAULT_MINIMUM
    )
    match_threshold = models.FloatField(_("match threshold"), default=DEFAULT_MATCH_THRESHOLD)
    # Differential privacy for the persons' tables, when set (statistics.privacy).
    epsilon = models.FloatField(_("epsilon"), null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=40, blank=True)
    # Why a build failed: a code of statistics.errors and its parameters (numbers,
    # field names), said in the reader's language when shown; never a record's value.
    error_code = models.CharField(max_length=60, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Headline figures and tables, after disclosure control (see statistics.figures).
    figures = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["country", "status", "-published_at"])]

    def __str__(self) -> str:
        return f"statistics {self.period_start}–{self.period_end}"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.FAILED, self.Status.PUBLISHED}

    @property
    def error(self) -> str:
        """Why the build failed, in the active language ("" if it did not)."""
        return error_message(self.error_code, self.error_params) if self.error_code else ""


class PrivacySpending(models.Model):
    """Epsilon a published build spent from one calendar year's privacy budget."""

    run = models.ForeignKey(StatisticsRun, on_delete=models.PROTECT, related_name="spending")
    country = models.CharField(max_length=2, choices=Country.choices)
    year = models.PositiveIntegerField()
    epsilon = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["country", "year"])]

    def __str__(self) -> str:
        return f"{self.country} {self.year}: {self.epsilon}"
