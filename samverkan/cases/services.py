"""Writes on cases: one function per verb of the referral mechanism.

Each asks the policy, changes the models and writes its audit entry in one
transaction; a refusal is ``PolicyDenied`` (404), a bad request is a
``ValidationError`` with a message for the person, and either leaves nothing
behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samverkan import crypto, linkage
from samverkan.accounts.models import Membership, Organisation
from samverkan.audit.services import audit_record
from samverkan.cases import workflow
from samverkan.cases.models import (
    CHILD_AGE_GROUPS,
    AgeGroup,
    AnonymousNotification,
    BreakGlassAccess,
    Case,
    CaseEvent,
    CaseExploitation,
    CaseNote,
    Category,
    Consent,
    CountryConfiguration,
    Deadline,
    LegalBasis,
    Milestone,
    Notification,
    Participation,
    Person,
    PersonIndex,
    Purpose,
    SecretLocationAccess,
    new_case_number,
)
from samverkan.cases.workflow import DeadlineKind, MilestoneKind
from samverkan.policy import access as policy
from samverkan.policy import cases as case_policy

Kind = Organisation.Kind
# Whom a child-protection duty lets the lead organisation involve, and why.
CHILD_PROTECTION_KINDS = [Kind.SOCIAL_SERVICES, Kind.COORDINATION_AGENCY, Kind.SHELTER, Kind.HEALTH]
CHILD_PROTECTION_PURPOSES = [Purpose.PROTECTION, Purpose.ASSISTANCE, Purpose.IDENTIFICATION]
EARLIEST_DATE = date(1900, 1, 1)


@dataclass
class Identity:
    given_names: str
    family_name: str = ""
    aliases: list[str] = field(default_factory=list)
    date_of_birth: date | None = None
    estimated_age: int | None = None
    gender: str = ""
    citizenships: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    identity_documents: str = ""

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is not None:
            born = self.date_of_birth
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        return self.estimated_age

    def as_json(self) -> dict:
        return {
            "given_names": self.given_names,
            "family_name": self.family_name,
            "aliases": self.aliases,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else None,
            "estimated_age": self.estimated_age,
            "gender": self.gender,
            "citizenships": self.citizenships,
            "languages": self.languages,
            "identity_documents": self.identity_documents,
        }

    @classmethod
    def from_json(cls, value: dict) -> Identity:
        """The identity as ``as_json`` stored it (sealed in ``Person.identity``)."""
        value = dict(value)
        born = value.get("date_of_birth")
        value["date_of_birth"] = date.fromisoformat(born) if born else None
        value.setdefault("given_names", "")
        return cls(**{name: value[name] for name in cls.__dataclass_fields__ if name in value})

    def names(self) -> list[str]:
        full = " ".join(part for part in (self.given_names, self.family_name) if part)
        return [name for name in [full, self.family_name, *self.aliases] if name]


def _check_date(value: date, label: str) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("%(label)s cannot be in the future.") % {"label": label})
    if value < EARLIEST_DATE:
        raise ValidationError(_("%(label)s is not a plausible date.") % {"label": label})


def _lock(case: Case) -> Case:
    """Serialise changes to one case's sharing (Z13): the row lock is held to commit."""
    return Case.objects.select_for_update().get(pk=case.pk)


def _access_for_change(actor: Membership, case: Case, action: str) -> case_policy.CaseAccess:
    access = case_policy.case_access(actor, case)
    case_policy.require_on_case(actor, action, case, access)
    return access


def _event(case: Case, actor: Membership, kind: str, counterpart=None) -> None:
    CaseEvent.objects.create(
        case=case,
        kind=kind,
        membership=actor,
        organisation_id=actor.organisation_id,
        counterpart=counterpart,
    )


def index_person(person: Person, identity: Identity) -> None:
    PersonIndex.objects.filter(person=person).delete()
    digests = {
        (PersonIndex.Kind.NAME, crypto.blind_index(name, kind=PersonIndex.Kind.NAME))
        for name in identity.names()
    }
    if identity.date_of_birth:
        digests.add(
            (
                PersonIndex.Kind.DATE_OF_BIRTH,
                crypto.blind_index(
                    identity.date_of_birth.isoformat(), kind=PersonIndex.Kind.DATE_OF_BIRTH
                ),
            )
        )
    PersonIndex.objects.bulk_create(
        PersonIndex(person=person, kind=kind, digest=digest) for kind, digest in digests if digest
    )


def linkage_encoding(identity: Identity, *, sex: str, citizenships: list[str]) -> tuple[str, str]:
    """The identity's linkage encoding and the secret's key check ("" without a secret).

    Computed where the identity is entered, so that the rapporteur's linkage
    runs compare encodings and never need an identity.
    """
    if not settings.LINKAGE_SECRET:
        return "", ""
    record = {
        "given_names": identity.given_names,
        "family_name": identity.family_name,
        "date_of_birth": identity.date_of_birth,
        "sex": sex,
        "citizenship": citizenships,
    }
    try:
        encodings = linkage.encode_records([record], secret=settings.LINKAGE_SECRET)
    except linkage.InputError as error:
        raise ValidationError(_("The identity cannot be encoded for counting.")) from error
    return encodings.to_base64()[0], encodings.key_check or ""


@transaction.atomic
def open_case(
    *,
    actor: Membership,
    identity: Identity,
    sex: str,
    municipality: str,
    exploitation_forms: list[str],
    countries_of_origin: list[str] = (),
    countries_of_transit: list[str] = (),
    countries_of_exploitation: list[str] = (),
    contact: str = "",
    secret_location: str = "",
    health: str = "",
    immigration: str = "",
    exploitation_details: str = "",
    social_needs: str = "",
    detected_on: date | None = None,
    child_protection_reference: str = "",
    coordination_consent: list[str] = (),
    consent_manner: str = Consent.Manner.SIGNED_FORM,
) -> Case:
    """Open a case for a newly met person: detection is its first milestone.

    A child (by date of birth or estimated age) is always opened on the
    child-protection duty, recorded as the case's legal basis. For an adult,
    ``coordination_consent`` names the categories the person agreed may go to
    the country's competent authority for identification.
    """
    policy.require(actor, "case.open")
    detected_on = detected_on or timezone.localdate()
    _check_date(detected_on, _("The date of detection"))
    if identity.date_of_birth is not None:
        _check_date(identity.date_of_birth, _("The date of birth"))
    if not exploitation_forms:
        raise ValidationError(_("Name at least one form of exploitation."))
    age_group = AgeGroup.for_age(identity.age_on(detected_on))
    is_child = age_group in CHILD_AGE_GROUPS
    organisation = actor.organisation
    config = CountryConfiguration.for_country(organisation.country)

    person = Person(sex=sex, age_group=age_group)
    person.linkage_encoding, person.linkage_key_check = linkage_encoding(
        identity, sex=sex, citizenships=identity.citizenships
    )
    for name, value in (
        ("identity", identity.as_json()),
        ("contact", contact),
        ("secret_location", secret_location),
        ("health", health),
        ("immigration", immigration),
    ):
        person.seal(name, value)
    person.save()
    index_person(person, identity)

    case = Case(
        number=new_case_number(organisation.country),
        person=person,
        lead_organisation=organisation,
        country=organisation.country,
        municipality=municipality or organisation.municipality,
        legal_basis=LegalBasis.CHILD_PROTECTION if is_child else LegalBasis.CONSENT,
        countries_of_origin=list(countries_of_origin),
        countries_of_transit=list(countries_of_transit),
        countries_of_exploitation=list(countries_of_exploitation),
        opened_by=actor,
    )
    case.seal("exploitation_details", exploitation_details)
    case.seal("social_needs", social_needs)
    case.save()
    CaseExploitation.objects.bulk_create(
        CaseExploitation(case=case, form=form) for form in sorted(set(exploitation_forms))
    )
    if secret_location:
        # Whoever writes the shelter address down is named for it.
        SecretLocationAccess.objects.create(case=case, membership=actor, granted_by=actor)
    if is_child:
        Consent.objects.create(
            person=person,
            basis=LegalBasis.CHILD_PROTECTION,
            categories=sorted(case_policy.LEAD_CATEGORIES),
            organisation_kinds=CHILD_PROTECTION_KINDS,
            purposes=CHILD_PROTECTION_PURPOSES,
            reference=child_protection_reference,
            manner=Consent.Manner.NOT_APPLICABLE,
            given_on=detected_on,
            recorded_by=actor,
        )
    elif coordination_consent:
        Consent.objects.create(
            person=person,
            basis=LegalBasis.CONSENT,
            categories=sorted({Category.METADATA, *coordination_consent}),
            organisation_kinds=[config.competent_authority_kind],
            purposes=[Purpose.IDENTIFICATION, Purpose.ASSISTANCE],
            manner=consent_manner,
            given_on=detected_on,
            recorded_by=actor,
        )
    _record(case, actor, workflow.RULES[MilestoneKind.DETECTED], detected_on, "", config)
    _event(case, actor, CaseEvent.Kind.OPENED)
    written = [Category.METADATA, Category.IDENTITY, Category.EXPLOITATION]
    written += [
        category
        for category, value in (
            (Category.CONTACT, contact),
            (Category.SECRET_LOCATION, secret_location),
            (Category.HEALTH, health),
            (Category.IMMIGRATION, immigration),
            (Category.SOCIAL, social_needs),
        )
        if value
    ]
    audit_record(action="case.opened", actor=actor, target=case, categories=written)
    return case


def _record(
    case: Case,
    actor: Membership,
    rule: workflow.MilestoneRule,
    occurred_on: date,
    evidence: str,
    config: CountryConfiguration,
) -> Milestone:
    milestone = Milestone(
        case=case,
        kind=rule.kind,
        step=rule.step,
        track=rule.track,
        occurred_on=occurred_on,
        recorded_by=actor,
        organisation_id=actor.organisation_id,
        evidence_category=rule.evidence_category,
    )
    milestone.seal("evidence", evidence)
    milestone.save()
    steps = list(workflow.Step.values)
    if steps.index(rule.step) > steps.index(case.stage):
        case.stage = rule.step
    if rule.identification:
        case.identification_status = rule.identification
    case.save(update_fields=["stage", "identification_status"])
    now = timezone.now()
    if rule.completes:
        Deadline.objects.filter(
            case=case, kind__in=rule.completes, completed_at__isnull=True
        ).update(completed_at=now)
    if rule.starts:
        _start_deadline(case, rule.starts, occurred_on, milestone, config)
    return milestone


DEADLINE_DAYS = {
    DeadlineKind.REFLECTION_PERIOD_ENDS: "reflection_period_days",
    DeadlineKind.RESIDENCE_PERMIT_RENEWAL: "residence_permit_renewal_days",
    DeadlineKind.RETENTION_ENDS: "retention_days",
}


def _start_deadline(
    case: Case, kind: str, start: date, milestone: Milestone, config: CountryConfiguration
) -> Deadline | None:
    # One reflection period per case: granting it early and confirming
    # identification later do not start a second one.
    if kind == DeadlineKind.REFLECTION_PERIOD_ENDS and case.deadlines.filter(kind=kind).exists():
        return None
    days = getattr(config, DEADLINE_DAYS[kind])
    deadline = Deadline.objects.create(
        case=case,
        kind=kind,
        due_on=start + timedelta(days=days),
        responsible_organisation_id=case.lead_organisation_id,
        milestone=milestone,
    )
    from samverkan.cases.tasks import schedule_reminders

    schedule_reminders(deadline, config)
    return deadline


@transaction.atomic
def record_milestone(
    *,
    actor: Membership,
    case: Case,
    kind: str,
    occurred_on: date,
    evidence: str = "",
    competent_authority: Organisation | None = None,
) -> Milestone:
    """Record one step of the referral procedure, if the workflow table allows it."""
    case = _lock(case)
    access = _access_for_change(actor, case, "case.milestone.record")
    rule = workflow.RULES.get(kind)
    if rule is None or rule.automatic:
        raise ValidationError(_("Choose a milestone from the list."))
    # Evidence is written only by those who may read it on their own standing:
    # emergency access is read-only and lends no category to a write.
    if evidence.strip() and rule.evidence_category not in access.own_categories:
        raise ValidationError(
            {
                "evidence": _(
                    "Your organisation does not see this milestone's evidence on the case; "
                    "record the milestone without it."
                )
            }
        )
    _check_date(occurred_on, _("The date"))
    if occurred_on < timezone.localdate(case.opened_at) - timedelta(days=366):
        raise ValidationError(_("The date is long before the case was opened."))
    config = CountryConfiguration.for_country(case.country)
    if not workflow.performer_allowed(
        rule,
        organisation=actor.organisation,
        role=actor.role,
        lead_organisation_id=case.lead_organisation_id,
        competent_kind=config.competent_authority_kind,
    ):
        raise ValidationError(_("Your organisation or role does not record this milestone."))
    recorded = set(case.milestones.values_list("kind", flat=True))
    reason = workflow.refusal(rule, recorded, closed=case.is_closed)
    if reason:
        raise ValidationError(reason)
    if kind == MilestoneKind.COORDINATION_NOTIFIED:
        _notify_competent_authority(actor, case, competent_authority, config)
    milestone = _record(case, actor, rule, occurred_on, evidence, config)
    categories = [Category.METADATA] + ([rule.evidence_category] if evidence else [])
    audit_record(
        action="case.milestone_recorded",
        actor=actor,
        target=case,
        categories=categories,
        reason=kind,
    )
    return milestone


def _notify_competent_authority(
    actor: Membership,
    case: Case,
    authority: Organisation | None,
    config: CountryConfiguration,
) -> Participation:
    if (
        authority is None
        or authority.kind != config.competent_authority_kind
        or authority.country != case.country
        or not authority.is_active
    ):
        raise ValidationError(_("Choose the competent authority to notify."))
    basis = _basis_for(case, authority, Purpose.IDENTIFICATION)
    if basis is None:
        raise ValidationError(
            _(
                "Record the person's consent (or a legal basis) for notifying the competent "
                "authority first."
            )
        )
    return _participate(actor, case, authority, Purpose.IDENTIFICATION, basis.categories, basis)


def _basis_for(case: Case, organisation: Organisation, purpose: str) -> Consent | None:
    for consent in Consent.objects.in_force().filter(person_id=case.person_id):
        named = set(consent.organisations.values_list("pk", flat=True))
        if consent.covers(organisation, purpose, named):
            return consent
    return None


def _participate(
    actor: Membership,
    case: Case,
    organisation: Organisation,
    purpose: str,
    categories,
    basis: Consent,
    source: str = Participation.Source.SHARE,
) -> Participation:
    if not case_policy.may_share_with(case, organisation):
        raise ValidationError(_("This case is kept from law enforcement."))
    participation = Participation.objects.create(
        case=case,
        organisation=organisation,
        purpose=purpose,
        categories=sorted(set(categories) | {Category.METADATA}),
        basis=basis,
        source=source,
        granted_by=actor,
    )
    _event(case, actor, CaseEvent.Kind.SHARED, counterpart=organisation)
    audit_record(
        action="case.shared",
        actor=actor,
        target=case,
        categories=participation.categories,
        reason=purpose,
        flags=[f"recipient:{organisation.uuid}"],
    )
    return participation


@transaction.atomic
def share_case(
    *,
    actor: Membership,
    case: Case,
    organisation: Organisation,
    purpose: str,
    categories: list[str],
    basis: Consent,
) -> Participation:
    """Let another organisation take part, for what the consent or legal basis allows."""
    case = _lock(case)
    _access_for_change(actor, case, "case.share")
    if case.is_closed:
        raise ValidationError(_("The case is closed."))
    check_share(
        case=case, organisation=organisation, purpose=purpose, categories=categories, basis=basis
    )
    return _participate(actor, case, organisation, purpose, categories, basis)


# Why one organisation may not receive a share the basis otherwise allows.
SHARE_REFUSALS = {
    "lead": gettext_lazy("The lead organisation already sees the case."),
    "not_covered": gettext_lazy(
        "The consent or legal basis does not cover this organisation and purpose."
    ),
    "kept_from_law_enforcement": gettext_lazy("This case is kept from law enforcement."),
}


def share_refusal(
    *, case: Case, organisation: Organisation, purpose: str | None, basis: Consent
) -> str | None:
    """The code in ``SHARE_REFUSALS`` that keeps ``organisation`` from a share of
    ``case`` under ``basis`` for ``purpose``, or None when it may receive one.
    Without a purpose, whether the basis names the organisation at all (a form
    asks before the purpose is chosen)."""
    if organisation.pk == case.lead_organisation_id:
        return "lead"
    named = set(basis.organisations.values_list("pk", flat=True))
    covered = (
        basis.names(organisation, named)
        if purpose is None
        else basis.covers(organisation, purpose, named)
    )
    if not covered:
        return "not_covered"
    if not case_policy.may_share_with(case, organisation):
        return "kept_from_law_enforcement"
    return None


def check_basis(*, case: Case, categories, basis: Consent) -> None:
    """What a share must meet whoever receives it: the basis is the person's, in
    force, and covers every category; the secret location never goes this way."""
    if basis.person_id != case.person_id or not Consent.objects.in_force().filter(pk=basis.pk):
        raise ValidationError(_("That consent or legal basis is not in force."))
    outside = set(categories) - set(basis.categories) - {Category.METADATA}
    if outside:
        raise ValidationError(_("The consent or legal basis does not cover all these categories."))
    if Category.SECRET_LOCATION in categories:
        raise ValidationError(_("The secret location is shared with named people only."))


def check_share(
    *, case: Case, organisation: Organisation, purpose: str, categories, basis: Consent
) -> None:
    """What any sharing of a case must meet, a share or a referral: the basis
    allows it (``check_basis``) and covers the organisation and the purpose."""
    if organisation.pk == case.lead_organisation_id:
        raise ValidationError(str(SHARE_REFUSALS["lead"]))
    check_basis(case=case, categories=categories, basis=basis)
    refusal = share_refusal(case=case, organisation=organisation, purpose=purpose, basis=basis)
    if refusal is not None:
        raise ValidationError(str(SHARE_REFUSALS[refusal]))


def join_by_referral(
    *, actor: Membership, case: Case, purpose: str, categories, basis: Consent
) -> Participation:
    """The receiver of an accepted referral takes part, for exactly what it was
    sent with, if the basis still allows it. The caller holds the referral's lock."""
    case = _lock(case)
    if case.is_closed:
        raise ValidationError(_("The case is closed."))
    check_share(
        case=case,
        organisation=actor.organisation,
        purpose=purpose,
        categories=categories,
        basis=basis,
    )
    return _participate(
        actor,
        case,
        actor.organisation,
        purpose,
        categories,
        basis,
        source=Participation.Source.REFERRAL,
    )


@transaction.atomic
def revoke_share(*, actor: Membership, case: Case, participation: Participation) -> None:
    case = _lock(case)
    _access_for_change(actor, case, "case.share")
    # Read again under the lock: the caller's copy may predate another revocation.
    participation = Participation.objects.filter(
        pk=participation.pk, case=case, revoked_at__isnull=True
    ).first()
    if participation is None:
        raise policy.PolicyDenied
    participation.revoked_at = timezone.now()
    participation.revoked_by = actor
    participation.save(update_fields=["revoked_at", "revoked_by"])
    _event(case, actor, CaseEvent.Kind.SHARE_REVOKED, counterpart=participation.organisation)
    audit_record(
        action="case.share_revoked",
        actor=actor,
        target=case,
        flags=[f"recipient:{participation.organisation.uuid}"],
    )


@transaction.atomic
def record_consent(
    *,
    actor: Membership,
    case: Case,
    basis: str,
    categories: list[str],
    purposes: list[str],
    organisation_kinds: list[str] = (),
    organisations: list[Organisation] = (),
    manner: str = Consent.Manner.SIGNED_FORM,
    given_on: date | None = None,
    expires_on: date | None = None,
    reference: str = "",
) -> Consent:
    case = _lock(case)
    _access_for_change(actor, case, "case.consent.manage")
    # Withdrawal stays possible after closing; new sharing does not.
    if case.is_closed:
        raise ValidationError(_("The case is closed."))
    given_on = given_on or timezone.localdate()
    _check_date(given_on, _("The date given"))
    if expires_on is not None and expires_on < given_on:
        raise ValidationError(_("A consent cannot expire before it was given."))
    if not categories or not purposes or not (organisation_kinds or organisations):
        raise ValidationError(_("Name the categories, the purposes and who may receive them."))
    if basis != LegalBasis.CONSENT and not reference:
        raise ValidationError(
            _("A legal basis needs its reference (for example a decision number).")
        )
    consent = Consent.objects.create(
        person_id=case.person_id,
        basis=basis,
        categories=sorted(set(categories) - {Category.SECRET_LOCATION}),
        organisation_kinds=sorted(set(organisation_kinds)),
        purposes=sorted(set(purposes)),
        manner=manner,
        given_on=given_on,
        expires_on=expires_on,
        reference=reference,
        recorded_by=actor,
    )
    consent.organisations.set(organisations)
    _event(case, actor, CaseEvent.Kind.CONSENT_RECORDED)
    audit_record(
        action="case.consent_recorded",
        actor=actor,
        target=case,
        categories=consent.categories,
        reason=basis,
    )
    return consent


@transaction.atomic
def withdraw_consent(*, actor: Membership, case: Case, consent: Consent) -> None:
    """Withdrawal ends every participation resting on it, from the next request."""
    case = _lock(case)
    _access_for_change(actor, case, "case.consent.manage")
    consent = (
        Consent.objects.select_for_update().filter(pk=consent.pk, person_id=case.person_id).first()
    )
    if consent is None or consent.withdrawn_at is not None:
        raise policy.PolicyDenied
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    _end_lapsed_referrals(actor, case)
    _event(case, actor, CaseEvent.Kind.CONSENT_WITHDRAWN)
    audit_record(action="case.consent_withdrawn", actor=actor, target=case)


def _end_lapsed_referrals(actor: Membership, case: Case) -> None:
    # Before the caller's audit entry (the lock order of referrals.services).
    # Imported here: referrals build on cases, not the other way round.
    from samverkan.referrals.services import end_lapsed_referrals

    end_lapsed_referrals(actor=actor, case=case)


@transaction.atomic
def set_confidential_from_law_enforcement(
    *, actor: Membership, case: Case, confidential: bool
) -> None:
    case = _lock(case)
    _access_for_change(actor, case, "case.confidential.set")
    if case.confidential_from_law_enforcement == confidential:
        return
    case.confidential_from_law_enforcement = confidential
    case.save(update_fields=["confidential_from_law_enforcement"])
    if confidential:
        # Law-enforcement participation ends, rather than lying dormant.
        Participation.objects.filter(
            case=case,
            organisation__kind__in=case_policy.kinds_kept_out(case),
            revoked_at__isnull=True,
        ).update(revoked_at=timezone.now(), revoked_by=actor)
    _end_lapsed_referrals(actor, case)
    kind = CaseEvent.Kind.CONFIDENTIAL_SET if confidential else CaseEvent.Kind.CONFIDENTIAL_LIFTED
    _event(case, actor, kind)
    audit_record(action=f"case.{kind}", actor=actor, target=case)


@transaction.atomic
def name_for_secret_location(*, actor: Membership, case: Case, membership: Membership) -> None:
    case = _lock(case)
    _access_for_change(actor, case, "case.secret_location.manage")
    # Emergency access is read-only and never extends to the secret location.
    named = case_policy.case_access(membership, case)
    if not (named.lead or named.participant):
        raise ValidationError(_("That person cannot see this case."))
    if SecretLocationAccess.objects.filter(
        case=case, membership=membership, revoked_at__isnull=True
    ).exists():
        return
    SecretLocationAccess.objects.create(case=case, membership=membership, granted_by=actor)
    _event(case, actor, CaseEvent.Kind.SECRET_LOCATION_GRANTED, membership.organisation)
    audit_record(
        action="case.secret_location_granted",
        actor=actor,
        target=case,
        categories=[Category.SECRET_LOCATION],
        flags=[f"recipient:{membership.uuid}"],
    )


@transaction.atomic
def remove_from_secret_location(*, actor: Membership, case: Case, membership: Membership) -> None:
    case = _lock(case)
    _access_for_change(actor, case, "case.secret_location.manage")
    updated = SecretLocationAccess.objects.filter(
        case=case, membership=membership, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if not updated:
        raise policy.PolicyDenied
    _event(case, actor, CaseEvent.Kind.SECRET_LOCATION_REVOKED, membership.organisation)
    audit_record(
        action="case.secret_location_revoked",
        actor=actor,
        target=case,
        flags=[f"recipient:{membership.uuid}"],
    )


@transaction.atomic
def update_secret_location(*, actor: Membership, case: Case, secret_location: str) -> None:
    """Only a named person writes the shelter address, as only they read it."""
    case = _lock(case)
    access = case_policy.case_access(actor, case)
    if not (access.lead or access.participant) or not access.shows(Category.SECRET_LOCATION):
        raise policy.PolicyDenied
    person = case.person
    person.seal("secret_location", secret_location)
    person.save(update_fields=["secret_location"])
    audit_record(
        action="case.secret_location_changed",
        actor=actor,
        target=case,
        categories=[Category.SECRET_LOCATION],
    )


@transaction.atomic
def add_note(*, actor: Membership, case: Case, body: str, audience: str) -> CaseNote:
    _access_for_change(actor, case, "case.note.add")
    if not body.strip():
        raise ValidationError(_("A note needs some text."))
    if audience not in CaseNote.Audience.values:
        raise ValidationError(_("Choose who may read the note."))
    note = CaseNote(
        case=case, author=actor, organisation_id=actor.organisation_id, audience=audience
    )
    note.seal("body", body)
    note.save()
    audit_record(action="case.note_added", actor=actor, target=case, categories=[Category.NOTES])
    return note


@transaction.atomic
def close_case(
    *,
    actor: Membership,
    case: Case,
    outcome: str,
    closed_on: date | None = None,
    outcome_country: str = "",
    evidence: str = "",
) -> Case:
    """Close with the outcome; the retention period starts."""
    case = _lock(case)
    _access_for_change(actor, case, "case.close")
    if case.is_closed:
        raise ValidationError(_("The case is closed."))
    if outcome not in workflow.Outcome.values:
        raise ValidationError(_("Choose an outcome."))
    if outcome == workflow.Outcome.RETURN and not outcome_country:
        raise ValidationError(_("Name the country of return."))
    closed_on = closed_on or timezone.localdate()
    _check_date(closed_on, _("The date of closing"))
    config = CountryConfiguration.for_country(case.country)
    case.closed_at = timezone.now()
    case.outcome = outcome
    case.outcome_country = outcome_country if outcome == workflow.Outcome.RETURN else ""
    case.save(update_fields=["closed_at", "outcome", "outcome_country"])
    _end_lapsed_referrals(actor, case)
    _record(case, actor, workflow.RULES[MilestoneKind.CLOSED], closed_on, evidence, config)
    audit_record(action="case.closed", actor=actor, target=case, reason=outcome)
    return case


@transaction.atomic
def break_glass(*, actor: Membership, case_number: str, reason: str, minutes: int) -> Case:
    """Emergency access for a coordinator; the lead organisation is told at once."""
    policy.require(actor, "case.break_glass")
    if not case_policy.may_break_glass(actor):
        raise policy.PolicyDenied
    if len(reason.strip()) < 20:
        raise ValidationError(_("Write the reason in a full sentence (at least 20 characters)."))
    if not 1 <= minutes <= BreakGlassAccess.MAX_MINUTES:
        raise ValidationError(_("Emergency access lasts at most 60 minutes."))
    case = Case.objects.filter(number=case_number.strip().upper()).first()
    if case is None:
        raise ValidationError(_("There is no case with that number."))
    now = timezone.now()
    grant = BreakGlassAccess.objects.create(
        case=case,
        membership=actor,
        reason=reason.strip(),
        started_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
    _event(case, actor, CaseEvent.Kind.BREAK_GLASS)
    recipients = Membership.objects.active().filter(
        organisation_id=case.lead_organisation_id, role__in=policy.CASE_WORKERS
    )
    Notification.objects.bulk_create(
        Notification(recipient=member, kind=Notification.Kind.BREAK_GLASS, case=case)
        for member in recipients
    )
    audit_record(
        action="case.break_glass",
        actor=actor,
        target=case,
        reason=grant.reason,
        flags=["break_glass", f"until:{grant.expires_at.isoformat()}"],
    )
    from samverkan.cases.tasks import send_break_glass_email

    transaction.on_commit(lambda: send_break_glass_email.enqueue(grant.pk))
    return case


@transaction.atomic
def record_anonymous_notification(
    *,
    actor: Membership,
    notified_on: date,
    municipality: str,
    sex: str,
    age_group: str,
    citizenship: str,
    exploitation_forms: list[str],
    indicators: list[str],
    identity: Identity | None = None,
) -> AnonymousNotification:
    """Count a presumed victim who does not consent to a case. Never a child.

    An ``identity`` given at intake only makes the linkage encoding, so that
    the person is counted once across agencies; it is then dropped, never
    stored or logged.
    """
    policy.require(actor, "anonymous_notification.record")
    if age_group in CHILD_AGE_GROUPS:
        raise ValidationError(
            _(
                "A child cannot be notified anonymously: open a case under the "
                "child-protection duty instead."
            )
        )
    _check_date(notified_on, _("The date"))
    if not exploitation_forms:
        raise ValidationError(_("Name at least one form of exploitation."))
    encoding, key_check = "", ""
    if identity is not None:
        if identity.date_of_birth is not None:
            _check_date(identity.date_of_birth, _("The date of birth"))
        encoding, key_check = linkage_encoding(
            identity, sex=sex, citizenships=[citizenship] if citizenship else []
        )
    notification = AnonymousNotification.objects.create(
        linkage_encoding=encoding,
        linkage_key_check=key_check,
        notified_on=notified_on,
        municipality=municipality,
        sex=sex,
        age_group=age_group,
        citizenship=citizenship,
        exploitation_forms=sorted(set(exploitation_forms)),
        indicators=sorted(set(indicators)),
        notifying_organisation_id=actor.organisation_id,
        recorded_by=actor,
    )
    audit_record(action="anonymous_notification.recorded", actor=actor, target=notification)
    return notification


@transaction.atomic
def update_country_configuration(
    *, actor: Membership, country: str, **values
) -> CountryConfiguration:
    policy.require(actor, "country_configuration.manage")
    if values.get("reflection_period_days", 30) < 30:
        raise ValidationError(
            _("The Council of Europe Convention requires a reflection period of at least 30 days.")
        )
    config, _created = CountryConfiguration.objects.update_or_create(
        country=country, defaults=values
    )
    audit_record(
        action="country_configuration.changed", actor=actor, target=config, object_id=country
    )
    return config


@transaction.atomic
def mark_notifications_read(*, actor: Membership) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
