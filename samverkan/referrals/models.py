"""Referrals from a case to a service or organisation, and their history.

A referral carries a masked preview (needs, urgency, age group, sex,
languages, municipality) that the receiver reads before deciding; the case
itself stays out of its reach until it accepts, and then only for the
categories the referral names and its consent or legal basis allows.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.accounts.models import Country, Membership, Organisation
from samverkan.cases.models import (
    AgeGroup,
    Case,
    Consent,
    EncryptedField,
    Participation,
    Purpose,
    Sealed,
    Sex,
)
from samverkan.directory.models import Service, ServiceKind


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate (today)")
    URGENT = "urgent", _("Urgent (within days)")
    ROUTINE = "routine", _("Routine")


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", _("No free place")
    NOT_OUR_GROUP = "not_our_group", _("We do not serve this group")
    NEEDS_NOT_MET = "needs_not_met", _("We do not offer what is needed")
    SAFETY = "safety", _("Safety reasons")
    OTHER = "other", _("Other")


class ReferralQuerySet(models.QuerySet["Referral"]):
    def open(self):
        return self.filter(status__in=Referral.OPEN_STATUSES)


class Referral(Sealed):
    class Status(models.TextChoices):
        SENT = "sent", _("Sent, awaiting an answer")
        INFORMATION_REQUESTED = "information_requested", _("More information asked for")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        # Closed by the platform: the case closed, or the receiver may no longer have it.
        ENDED = "ended", _("Ended: it may no longer reach the receiver")

    OPEN_STATUSES = (Status.SENT, Status.INFORMATION_REQUESTED)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    sender_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    sent_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    receiver = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="received_referrals"
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    basis = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="referrals")
    categories = models.JSONField(_("data categories"), default=list)
    needs = models.JSONField(_("needs addressed"), default=list)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    # The masked preview, fixed when sent: nothing that identifies the person.
    age_group = models.CharField(max_length=10, choices=AgeGroup.choices)
    sex = models.CharField(max_length=10, choices=Sex.choices)
    languages = models.JSONField(default=list, blank=True)
    municipality = models.CharField(max_length=100, blank=True)
    # Read by the receiver only after accepting, as it may say who the person is.
    message = EncryptedField(category=None)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField(default=timezone.now, editable=False)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.CharField(
        _("reason"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    participation = models.OneToOneField(
        Participation, on_delete=models.PROTECT, null=True, blank=True, related_name="referral"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    # Set when the referral is one member organisation's part of a share with a team.
    team_share = models.ForeignKey(
        "TeamShare", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["receiver", "status"]),
            models.Index(fields=["sender_organisation", "status"]),
        ]

    def __str__(self) -> str:
        return f"referral {self.uuid}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def need_labels(self) -> list[str]:
        return [str(ServiceKind(need).label) for need in self.needs if need in ServiceKind.values]


class ReferralEvent(Sealed):
    """One step of a referral's history; a question or an answer carries its text."""

    class Kind(models.TextChoices):
        SENT = "sent", _("Sent")
        INFORMATION_REQUESTED = "information_requested", _("More information asked for")
        INFORMATION_GIVEN = "information_given", _("Information given")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REMINDED = "reminded", _("Reminder sent")
        ENDED = "ended", _("Ended: the case was closed, kept from the receiver or its basis lapsed")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now, editable=False)
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A question, an answer or a reason given in words; both sides read it.
    text = EncryptedField(category=None)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.kind


class Team(models.Model):
    """A multi-agency team: a municipality's operational team, a county resource team."""

    class Kind(models.TextChoices):
        OPERATIONAL = "operational", _("Operational team of a municipality")
        RESOURCE = "resource", _("Regional resource team")
        OTHER = "other", _("Other multi-agency team")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    area = models.CharField(_("municipality or county"), max_length=100)
    convener = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    organisations = models.ManyToManyField(
        Organisation, related_name="teams", verbose_name=_("member organisations")
    )
    members = models.ManyToManyField(
        Membership, related_name="teams", verbose_name=_("members"), blank=True
    )
    created_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["country", "area", "name"]

    def __str__(self) -> str:
        return self.name


class TeamShare(models.Model):
    """A case shared with a team: one referral per member organisation the basis
    allows, each answered by that organisation for itself."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team_shares")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="shares")
    sender_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    sent_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now, editable=False)
    # The member organisations the basis left out, and why: [{"organisation": uuid, "reason"}].
    left_out = models.JSONField(default=list, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"team share {self.uuid}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Consultation(models.Model):
    """An anonymous question to a team: a thread that carries no personal data."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="consultations")
    asked_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("subject"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"consultation {self.uuid}"


class ConsultationMessage(Sealed):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # Sealed although it should hold no personal data: a slip must not sit in clear.
    body = EncryptedField(category=None)
    # Kinds of likely identifiers the author was warned about and sent anyway.
    flagged = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"consultation message {self.uuid}"
