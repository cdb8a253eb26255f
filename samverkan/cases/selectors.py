"""Reads on cases: only the rows and categories the policy permits, each read
audited in the transaction that makes it.

Redaction happens here and nowhere else: a selector opens (decrypts) a
sealed value only for a category the actor may see; everything withheld is
named as withheld, never shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _

from samverkan import crypto
from samverkan.accounts.models import Membership, Organisation
from samverkan.audit.services import audit_record
from samverkan.cases import workflow
from samverkan.cases.models import (
    AnonymousNotification,
    Case,
    CaseNote,
    Category,
    Consent,
    CountryConfiguration,
    Deadline,
    Milestone,
    Notification,
    Participation,
    PersonIndex,
    SecretLocationAccess,
)
from samverkan.policy import access as policy
from samverkan.policy import cases as case_policy
from samverkan.policy.access import CASE_ROLES

PAGE_SIZE = 50
MIN_PURPOSE_LENGTH = 5


class PurposeRequired(Exception):
    """A police or prosecution membership must state why it consults a case."""


@dataclass(frozen=True)
class CaseFilters:
    number: str = ""
    stage: str = ""
    exploitation_form: str = ""
    municipality: str = ""
    opened_from: date | None = None
    opened_to: date | None = None
    status: str = ""  # "open", "closed" or "" for both


def require_purpose(actor: Membership, purpose: str) -> str:
    purpose = (purpose or "").strip()
    if case_policy.purpose_required(actor) and len(purpose) < MIN_PURPOSE_LENGTH:
        raise PurposeRequired
    return purpose


def _filtered(actor: Membership, filters: CaseFilters) -> QuerySet[Case]:
    cases = case_policy.cases_visible_to(actor)
    if filters.number:
        cases = cases.filter(number=filters.number.strip().upper())
    if filters.stage:
        cases = cases.filter(stage=filters.stage)
    if filters.exploitation_form:
        cases = cases.filter(exploitation_forms__form=filters.exploitation_form)
    if filters.municipality:
        cases = cases.filter(municipality__iexact=filters.municipality.strip())
    if filters.opened_from:
        cases = cases.filter(opened_at__date__gte=filters.opened_from)
    if filters.opened_to:
        cases = cases.filter(opened_at__date__lte=filters.opened_to)
    if filters.status == "open":
        cases = cases.filter(closed_at__isnull=True)
    elif filters.status == "closed":
        cases = cases.filter(closed_at__isnull=False)
    return cases


def _page(cases: QuerySet[Case], page_number) -> Page:
    cases = cases.select_related("person", "lead_organisation").prefetch_related(
        "exploitation_forms"
    )
    return Paginator(cases.order_by("-opened_at", "-id"), PAGE_SIZE).get_page(page_number)


@transaction.atomic
def case_list(actor: Membership, filters: CaseFilters, page_number=1) -> Page:
    """A page of the cases the actor may see, metadata only."""
    policy.require(actor, "case.list")
    page = _page(_filtered(actor, filters), page_number)
    list(page.object_list)
    audit_record(
        action="case.listed",
        actor=actor,
        object_type="cases.case",
        categories=[Category.METADATA],
        flags=[f"results:{len(page.object_list)}"],
    )
    return page


@transaction.atomic
def case_search(
    actor: Membership,
    *,
    name: str = "",
    date_of_birth: date | None = None,
    purpose: str = "",
    page_number=1,
) -> Page:
    """Exact search by name and/or date of birth through the blind indexes.

    The terms never reach the database or the log in clear: only their keyed
    digests are compared. The result is metadata only, within what the actor
    may see at all.
    """
    policy.require(actor, "case.list")
    if not name.strip() and date_of_birth is None:
        raise ValidationError(_("Give a name or a date of birth."))
    purpose = require_purpose(actor, purpose)
    cases = case_policy.cases_visible_to(actor)
    if name.strip():
        digest = crypto.blind_index(name, kind=PersonIndex.Kind.NAME)
        cases = cases.filter(
            person__index_entries__kind=PersonIndex.Kind.NAME,
            person__index_entries__digest=digest,
        )
    if date_of_birth is not None:
        digest = crypto.blind_index(date_of_birth.isoformat(), kind=PersonIndex.Kind.DATE_OF_BIRTH)
        matching = PersonIndex.objects.filter(kind=PersonIndex.Kind.DATE_OF_BIRTH, digest=digest)
        cases = cases.filter(person__in=matching.values("person_id"))
    page = _page(cases.distinct(), page_number)
    list(page.object_list)
    audit_record(
        action="case.searched",
        actor=actor,
        object_type="cases.case",
        categories=[Category.METADATA, Category.IDENTITY],
        reason=purpose,
        flags=[f"results:{len(page.object_list)}"],
    )
    return page


@dataclass
class MilestoneView:
    milestone: Milestone
    evidence: str | None
    evidence_withheld: bool


@dataclass
class CaseDetail:
    case: Case
    access: case_policy.CaseAccess
    # category -> the opened value, for each category the actor may see
    values: dict[str, object]
    withheld: list[str]
    milestones: list[MilestoneView]
    notes: list[tuple[CaseNote, str]]
    deadlines: list[Deadline]
    recordable_milestones: list[str] = field(default_factory=list)
    allowed_actions: frozenset[str] = frozenset()
    exploitation_forms: list[str] = field(default_factory=list)

    # The sharing panel's lists hold no sealed value; they are read only by
    # the pages that show them (the API's case detail does not).
    @cached_property
    def events(self) -> list:
        return list(self.case.events.select_related("organisation", "counterpart"))

    @cached_property
    def participations(self) -> list[Participation]:
        if not self.access.lead:
            return []
        return list(
            self.case.participations.filter(revoked_at__isnull=True).select_related(
                "organisation", "basis"
            )
        )

    @cached_property
    def consents(self) -> list[Consent]:
        if not self.access.lead:
            return []
        return list(
            Consent.objects.filter(person_id=self.case.person_id).prefetch_related("organisations")
        )

    @cached_property
    def named_for_secret_location(self) -> list[SecretLocationAccess]:
        if "case.secret_location.manage" not in self.allowed_actions:
            return []
        return list(
            self.case.secret_location_access.filter(revoked_at__isnull=True).select_related(
                "membership__user", "membership__organisation"
            )
        )


# The category each sealed value belongs to, and where it lives.
SEALED_VALUES = {
    Category.IDENTITY: ("person", "identity"),
    Category.CONTACT: ("person", "contact"),
    Category.SECRET_LOCATION: ("person", "secret_location"),
    Category.HEALTH: ("person", "health"),
    Category.IMMIGRATION: ("person", "immigration"),
    Category.EXPLOITATION: ("case", "exploitation_details"),
    Category.SOCIAL: ("case", "social_needs"),
    Category.LEGAL: ("case", "legal_details"),
}


def visible_case(actor: Membership, case_uuid) -> tuple[Case | None, case_policy.CaseAccess]:
    """The case and the actor's access, or (None, NO_ACCESS) with the refusal audited.

    Absent and forbidden take the same path, so neither the answer nor the
    audit trail tells them apart. Call inside a transaction that commits the
    refusal's entry before the caller raises the 404.
    """
    case = (
        Case.objects.select_related("person", "lead_organisation", "opened_by__organisation")
        .filter(uuid=case_uuid)
        .first()
    )
    access = case_policy.case_access(actor, case) if case is not None else case_policy.NO_ACCESS
    if access.visible:
        return case, access
    case_policy.record_refusal(actor, case_uuid)
    return None, case_policy.NO_ACCESS


def case_for_change(actor: Membership, case_uuid) -> Case:
    """The case for a write; the service asks the policy again under its lock."""
    with transaction.atomic():
        case, _access = visible_case(actor, case_uuid)
    if case is None:
        raise policy.PolicyDenied
    return case


def _recordable(actor: Membership, case: Case, recorded: set[str]) -> list[str]:
    config = CountryConfiguration.for_country(case.country)
    return [
        rule.kind
        for rule in workflow.RULES.values()
        if not rule.automatic
        and workflow.performer_allowed(
            rule,
            organisation=actor.organisation,
            role=actor.role,
            lead_organisation_id=case.lead_organisation_id,
            competent_kind=config.competent_authority_kind,
        )
        and workflow.refusal(rule, recorded, closed=case.is_closed) is None
    ]


def case_detail(actor: Membership, case_uuid, *, purpose: str = "") -> CaseDetail:
    """One case as ``actor`` may see it; the read is audited with the categories shown.

    A refusal is audited and committed before the 404.
    """
    with transaction.atomic():
        case, access = visible_case(actor, case_uuid)
        if case is not None:
            return _detail(actor, case, access, require_purpose(actor, purpose))
    raise policy.PolicyDenied


def _detail(
    actor: Membership, case: Case, access: case_policy.CaseAccess, purpose: str
) -> CaseDetail:
    # Fetched once, for this view and for the API's serializer of the case.
    prefetch_related_objects([case], "exploitation_forms")
    values: dict[str, object] = {}
    withheld: list[str] = []
    for category, (owner, field_name) in SEALED_VALUES.items():
        if access.shows(category):
            record = case.person if owner == "person" else case
            values[category] = record.unseal(field_name)
        else:
            withheld.append(category)
    for category in (Category.NOTES,):
        if not access.shows(category):
            withheld.append(category)
    milestones = [
        MilestoneView(
            milestone,
            milestone.unseal("evidence") if access.shows(milestone.evidence_category) else None,
            bool(milestone.evidence) and not access.shows(milestone.evidence_category),
        )
        for milestone in case.milestones.select_related("organisation", "recorded_by__user")
    ]
    notes = [
        (note, note.unseal("body"))
        for note in (
            case.notes.select_related("organisation", "author__user")
            if access.shows(Category.NOTES)
            else []
        )
        if case_policy.note_visible(actor, access, note)
    ]
    detail = CaseDetail(
        case=case,
        access=access,
        values=values,
        withheld=withheld,
        milestones=milestones,
        notes=notes,
        deadlines=list(case.deadlines.all()),
        exploitation_forms=[row.form for row in case.exploitation_forms.all()],
    )
    detail.allowed_actions = frozenset(
        action
        for action in case_policy.CASE_ACTIONS
        if case_policy.can_on_case(actor, action, case, access)
    )
    if "case.milestone.record" in detail.allowed_actions:
        recorded = {view.milestone.kind for view in milestones}
        detail.recordable_milestones = _recordable(actor, case, recorded)
    flags = ["break_glass"] if access.break_glass else []
    audit_record(
        action="case.viewed",
        actor=actor,
        target=case,
        categories=sorted(access.categories),
        reason=purpose,
        flags=flags,
    )
    return detail


def deadline_list(actor: Membership) -> QuerySet[Deadline]:
    """Open deadlines of the actor's organisation, due first."""
    policy.require(actor, "deadline.view")
    return (
        case_policy.deadlines_visible_to(actor)
        .filter(completed_at__isnull=True)
        .select_related("case")
        .order_by("due_on", "id")
    )


def competent_authorities(case: Case) -> QuerySet[Organisation]:
    config = CountryConfiguration.for_country(case.country)
    return Organisation.objects.filter(
        kind=config.competent_authority_kind, country=case.country, is_active=True
    )


def share_recipients(actor: Membership, case: Case) -> QuerySet[Organisation]:
    """Organisations of the case's country the lead may share with."""
    recipients = Organisation.objects.filter(country=case.country, is_active=True).exclude(
        pk=case.lead_organisation_id
    )
    return recipients.exclude(kind__in=case_policy.kinds_kept_out(case))


def case_for_action(actor: Membership, case_uuid, action: str) -> Case:
    """The case for ``action`` (one of ``CASE_ACTIONS``), or the one 404.

    For forms whose choices (recipients, consents, colleagues) must not reach
    someone who sees the case but may not act on it; the service asks again
    under its lock.
    """
    with transaction.atomic():
        case, access = visible_case(actor, case_uuid)
    if case is None or not case_policy.can_on_case(actor, action, case, access):
        raise policy.PolicyDenied
    return case


def consents_in_force(case: Case) -> QuerySet[Consent]:
    """The consents and legal bases of the case's person a share may rest on."""
    return (
        Consent.objects.in_force()
        .filter(person_id=case.person_id)
        .prefetch_related("organisations")
    )


def consent_of_case(case: Case, consent_uuid) -> Consent:
    consent = Consent.objects.filter(person_id=case.person_id, uuid=consent_uuid).first()
    if consent is None:
        raise policy.PolicyDenied
    return consent


def participation_of_case(case: Case, participation_uuid) -> Participation:
    participation = (
        case.participations.select_related("organisation").filter(uuid=participation_uuid).first()
    )
    if participation is None:
        raise policy.PolicyDenied
    return participation


def secret_location_candidates(case: Case) -> QuerySet[Membership]:
    """Who may be named for the secret location and is not yet: the case workers
    of the lead organisation and of the organisations taking part.

    Emergency access does not count; the service asks the policy for each one.
    """
    participating = Participation.objects.in_force().filter(case=case).values("organisation_id")
    members = (
        Membership.objects.active()
        .filter(role__in=CASE_ROLES)
        .filter(Q(organisation_id=case.lead_organisation_id) | Q(organisation_id__in=participating))
        .exclude(
            pk__in=case.secret_location_access.filter(revoked_at__isnull=True).values(
                "membership_id"
            )
        )
    )
    members = members.exclude(organisation__kind__in=case_policy.kinds_kept_out(case))
    return members.select_related("user", "organisation").order_by(
        "organisation__name", "user__full_name"
    )


def named_for_secret_location(case: Case, membership_uuid) -> Membership:
    """A membership currently named for the case's secret location, or the 404."""
    named = (
        case.secret_location_access.filter(revoked_at__isnull=True)
        .filter(membership__uuid=membership_uuid)
        .select_related("membership__organisation")
        .first()
    )
    if named is None:
        raise policy.PolicyDenied
    return named.membership


def anonymous_notification_list(actor: Membership) -> QuerySet[AnonymousNotification]:
    """The notifications the actor's organisation made."""
    policy.require(actor, "anonymous_notification.list")
    return AnonymousNotification.objects.filter(notifying_organisation_id=actor.organisation_id)


def notification_list(actor: Membership) -> QuerySet[Notification]:
    policy.require(actor, "notification.view")
    return Notification.objects.filter(recipient=actor).select_related("case", "deadline")


def unread_notification_count(actor: Membership | None) -> int:
    if actor is None:
        return 0
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).count()


def country_configurations(actor: Membership) -> list[CountryConfiguration]:
    from samverkan.accounts.models import Country

    policy.require(actor, "country_configuration.manage")
    stored = {config.country: config for config in CountryConfiguration.objects.all()}
    return [stored.get(code) or CountryConfiguration(country=code) for code in Country.values]
