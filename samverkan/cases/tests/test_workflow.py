"""The referral mechanism's workflow table, as the services enforce it."""

import inspect
from dataclasses import fields
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from samverkan.accounts.models import Organisation, Role
from samverkan.audit.models import AuditEntry
from samverkan.cases import services
from samverkan.cases.models import (
    AgeGroup,
    AnonymousNotification,
    Case,
    Category,
    Consent,
    Deadline,
    ExploitationForm,
    LegalBasis,
    Milestone,
    Participation,
)
from samverkan.cases.tests import factories
from samverkan.cases.workflow import (
    RULES,
    IdentificationStatus,
    MilestoneKind,
    Outcome,
    Step,
)
from samverkan.policy.access import PolicyDenied

Kind = Organisation.Kind
M = MilestoneKind
TODAY = timezone.localdate


def record(actor, case, kind, occurred_on=None, **extra):
    return services.record_milestone(
        actor=actor, case=case, kind=kind, occurred_on=occurred_on or TODAY(), **extra
    )


def rows():
    """What a refused call must not change."""
    return (
        Milestone.objects.count(),
        Deadline.objects.count(),
        AuditEntry.objects.count(),
        Participation.objects.count(),
        Consent.objects.count(),
    )


def refused(call, *args, message: str = "", **kwargs) -> str:
    """Call, expect a refusal, check that nothing was written; the message is returned."""
    before = rows()
    with pytest.raises((ValidationError, PolicyDenied)) as raised:
        call(*args, **kwargs)
    assert rows() == before
    text = " ".join(raised.value.messages) if isinstance(raised.value, ValidationError) else ""
    assert message in text
    return text


def notified_case(world):
    """An NGO case whose person agreed to go to the coordination agency, now notified."""
    case = factories.open_case(world.cecilia, coordination_consent=[Category.IDENTITY])
    record(world.cecilia, case, M.COORDINATION_NOTIFIED, competent_authority=world.coordination)
    return case


def fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- who confirms identification ---


def test_the_coordinator_of_the_competent_authority_confirms_identification(world):
    case = notified_case(world)
    assert Participation.objects.get(case=case).organisation == world.coordination
    agency_frontline = factories.member(world.coordination, Role.FRONTLINE)
    refused(record, agency_frontline, case, M.IDENTIFICATION_CONFIRMED, message="does not record")
    refused(record, world.cecilia, case, M.IDENTIFICATION_CONFIRMED, message="does not record")

    record(world.karl, case, M.IDENTIFICATION_CONFIRMED)
    case = fresh(case)
    assert case.identification_status == IdentificationStatus.IDENTIFIED
    assert case.stage == Step.CENTRAL_COORDINATION


def test_a_country_can_name_another_kind_as_competent_authority(world):
    services.update_country_configuration(
        actor=world.per, country="SE", competent_authority_kind=Kind.SOCIAL_SERVICES
    )
    social = factories.organisation(Kind.SOCIAL_SERVICES)
    social_coordinator = factories.member(social, Role.COORDINATOR)
    case = factories.open_case(world.cecilia, coordination_consent=[Category.IDENTITY])
    # The coordination agency is no longer the authority to notify.
    refused(
        record,
        world.cecilia,
        case,
        M.COORDINATION_NOTIFIED,
        competent_authority=world.coordination,
        message="competent authority",
    )
    record(world.cecilia, case, M.COORDINATION_NOTIFIED, competent_authority=social)
    # Karl takes part in the case, but his agency is not the authority here.
    basis = factories.consent(world.cecilia, case, kinds=[Kind.COORDINATION_AGENCY])
    factories.share(world.cecilia, case, world.coordination, basis)
    refused(record, world.karl, case, M.IDENTIFICATION_CONFIRMED, message="does not record")

    record(social_coordinator, case, M.IDENTIFICATION_NOT_CONFIRMED)
    assert fresh(case).identification_status == IdentificationStatus.NOT_IDENTIFIED


def test_the_competent_authority_is_notified_only_with_a_basis(world):
    case = factories.open_case(world.cecilia)
    refused(
        record,
        world.cecilia,
        case,
        M.COORDINATION_NOTIFIED,
        competent_authority=world.coordination,
        message="consent",
    )
    assert fresh(case).stage == Step.DETECTION


# --- the order of milestones ---


@pytest.mark.parametrize(
    ("kind", "missing"),
    [
        (M.PROTECTION_COORDINATED, "Referred to assistance"),
        (M.REFERRED_TO_ASSISTANCE, "Needs assessed"),
        (M.MONITORING_STARTED, "Needs assessed"),
    ],
)
def test_a_milestone_out_of_order_is_refused_naming_what_is_missing(world, kind, missing):
    case = factories.open_case(world.cecilia)
    text = refused(record, world.cecilia, case, kind)
    assert missing in text


def test_the_legal_and_residence_tracks_have_their_own_order(world):
    migration = factories.member(factories.organisation(Kind.MIGRATION), Role.CASE_MANAGER)
    case = factories.open_case(migration)
    assert "Residence permit granted" in refused(
        record, migration, case, M.RESIDENCE_PERMIT_RENEWED
    )
    police_case = factories.open_case(world.alice)
    assert "Legal proceedings initiated" in refused(
        record, world.alice, police_case, M.PROCEEDINGS_CONCLUDED
    )
    record(world.alice, police_case, M.PROCEEDINGS_INITIATED)
    record(world.alice, police_case, M.PROCEEDINGS_CONCLUDED)
    assert fresh(police_case).stage == Step.LEGAL_PROCEEDINGS


def test_a_once_milestone_cannot_repeat_but_a_referral_can(world):
    case = factories.open_case(world.cecilia)
    record(world.cecilia, case, M.NEEDS_ASSESSED)
    refused(record, world.cecilia, case, M.NEEDS_ASSESSED, message="already been recorded")
    record(world.cecilia, case, M.REFERRED_TO_ASSISTANCE)
    record(world.cecilia, case, M.REFERRED_TO_ASSISTANCE)
    assert case.milestones.filter(kind=M.REFERRED_TO_ASSISTANCE).count() == 2


@pytest.mark.parametrize("kind", [M.DETECTED, M.CLOSED, "made_up"])
def test_automatic_and_unknown_milestones_are_not_recorded_by_hand(world, kind):
    case = factories.open_case(world.cecilia)
    refused(record, world.cecilia, case, kind, message="Choose a milestone")


def test_the_organisation_kind_limits_who_records(world):
    case = factories.open_case(world.cecilia)
    # An NGO neither grants residence permits nor initiates proceedings.
    for kind in (M.RESIDENCE_PERMIT_GRANTED, M.PROCEEDINGS_INITIATED):
        refused(record, world.cecilia, case, kind, message="does not record")
    # An organisation admin of the lead records nothing; outsiders cannot even find the case.
    refused(record, world.olle, case, M.NEEDS_ASSESSED)
    refused(record, world.alice, case, M.NEEDS_ASSESSED)


def test_the_stage_follows_the_milestones_and_never_goes_back(world):
    case = factories.open_case(world.cecilia)
    assert case.stage == Step.DETECTION
    assert case.identification_status == IdentificationStatus.PRESUMED
    record(world.cecilia, case, M.NEEDS_ASSESSED)
    assert fresh(case).stage == Step.NEEDS_ASSESSMENT
    record(world.cecilia, case, M.REFERRED_TO_ASSISTANCE)
    record(world.cecilia, case, M.PROTECTION_COORDINATED)
    assert fresh(case).stage == Step.PROTECTION
    # A second referral is an earlier step: the case stays where it is.
    record(world.cecilia, case, M.REFERRED_TO_ASSISTANCE)
    assert fresh(case).stage == Step.PROTECTION
    assert fresh(case).identification_status == IdentificationStatus.PRESUMED
    recorded = list(case.milestones.all())
    assert [m.step for m in recorded] == [RULES[m.kind].step for m in recorded]
    assert [m.organisation for m in recorded] == [world.ngo] * 5


def test_identification_follows_the_competent_authority(world):
    case = notified_case(world)
    assert fresh(case).stage == Step.CENTRAL_COORDINATION
    assert fresh(case).identification_status == IdentificationStatus.PRESUMED
    record(world.karl, case, M.IDENTIFICATION_CONFIRMED)
    assert fresh(case).identification_status == IdentificationStatus.IDENTIFIED


# --- closing ---


def test_nothing_is_recorded_after_closing(world):
    case = factories.open_case(world.cecilia)
    services.close_case(actor=world.cecilia, case=case, outcome=Outcome.SOCIAL_INCLUSION)
    case = fresh(case)
    assert case.is_closed
    assert case.stage == Step.CLOSURE
    assert case.milestones.filter(kind=M.CLOSED).count() == 1
    refused(record, world.cecilia, case, M.NEEDS_ASSESSED, message="closed")
    refused(
        services.close_case,
        actor=world.cecilia,
        case=case,
        outcome=Outcome.OTHER,
        message="closed",
    )


def test_a_return_names_its_country(world):
    case = factories.open_case(world.cecilia)
    refused(
        services.close_case,
        actor=world.cecilia,
        case=case,
        outcome=Outcome.RETURN,
        message="country of return",
    )
    refused(services.close_case, actor=world.cecilia, case=case, outcome="vanished")
    assert not fresh(case).is_closed
    services.close_case(
        actor=world.cecilia, case=case, outcome=Outcome.RETURN, outcome_country="RO"
    )
    case = fresh(case)
    assert (case.outcome, case.outcome_country) == (Outcome.RETURN, "RO")


def test_only_a_case_manager_or_coordinator_of_the_lead_closes(world):
    colleague = factories.member(world.ngo, Role.FRONTLINE)
    case = factories.open_case(world.cecilia)
    refused(services.close_case, actor=colleague, case=case, outcome=Outcome.OTHER)
    refused(services.close_case, actor=world.olle, case=case, outcome=Outcome.OTHER)
    assert not fresh(case).is_closed


# --- dates ---


@pytest.mark.parametrize(
    ("occurred_on", "message"),
    [
        (lambda: TODAY() + timedelta(days=1), "future"),
        (lambda: date(1899, 12, 31), "plausible"),
        (lambda: TODAY() - timedelta(days=400), "long before"),
    ],
)
def test_implausible_milestone_dates_are_refused(world, occurred_on, message):
    occurred_on = occurred_on()
    case = factories.open_case(world.cecilia)
    refused(record, world.cecilia, case, M.NEEDS_ASSESSED, occurred_on, message=message)


def test_implausible_dates_are_refused_when_opening_and_closing(world):
    tomorrow = TODAY() + timedelta(days=1)
    before = (Case.objects.count(), *rows())
    for identity, detected_on in (
        (factories.identity(), tomorrow),
        (factories.identity(date_of_birth=tomorrow), None),
        (factories.identity(date_of_birth=date(1850, 1, 1)), None),
    ):
        with pytest.raises(ValidationError):
            factories.open_case(world.cecilia, identity=identity, detected_on=detected_on)
    assert (Case.objects.count(), *rows()) == before
    case = factories.open_case(world.cecilia)
    refused(
        services.close_case,
        actor=world.cecilia,
        case=case,
        outcome=Outcome.OTHER,
        closed_on=tomorrow,
        message="future",
    )
    assert not fresh(case).is_closed


# --- children ---


def born(years_ago: int, days_later: int = 0) -> date:
    today = TODAY()
    try:
        birthday = today.replace(year=today.year - years_ago)
    except ValueError:  # 29 February
        birthday = today.replace(year=today.year - years_ago, day=28)
    return birthday + timedelta(days=days_later)


@pytest.mark.parametrize(
    "identity_values",
    [
        {"date_of_birth": lambda: born(18, days_later=1)},  # eighteen tomorrow
        {"date_of_birth": lambda: None, "estimated_age": 9},
    ],
)
def test_a_child_is_opened_on_the_child_protection_duty(world, identity_values):
    identity_values = dict(identity_values, date_of_birth=identity_values["date_of_birth"]())
    case = factories.open_case(
        world.cecilia,
        identity=factories.identity(**identity_values),
        child_protection_reference="Report to social services 2025-118",
    )
    assert case.legal_basis == LegalBasis.CHILD_PROTECTION
    assert case.person.is_child
    (basis,) = Consent.objects.filter(person=case.person)
    assert basis.basis == LegalBasis.CHILD_PROTECTION
    assert basis.manner == Consent.Manner.NOT_APPLICABLE
    assert Kind.SOCIAL_SERVICES in basis.organisation_kinds
    assert Category.SECRET_LOCATION not in basis.categories
    assert basis.reference == "Report to social services 2025-118"


@pytest.mark.parametrize(
    "identity_values",
    [
        {"date_of_birth": lambda: born(18)},  # eighteen today
        {"date_of_birth": lambda: None, "estimated_age": 30},
    ],
)
def test_an_adult_is_opened_on_consent(world, identity_values):
    identity_values = dict(identity_values, date_of_birth=identity_values["date_of_birth"]())
    case = factories.open_case(world.cecilia, identity=factories.identity(**identity_values))
    assert case.legal_basis == LegalBasis.CONSENT
    assert not case.person.is_child
    assert not Consent.objects.filter(person=case.person).exists()


# --- anonymous notifications ---


def notify(actor, age_group, **extra):
    values = {
        "actor": actor,
        "notified_on": TODAY(),
        "municipality": "Malmö",
        "sex": "female",
        "age_group": age_group,
        "citizenship": "NG",
        "exploitation_forms": [ExploitationForm.SEXUAL],
        "indicators": [AnonymousNotification.Indicator.DECEPTIVE_RECRUITMENT],
    }
    values.update(extra)
    return services.record_anonymous_notification(**values)


@pytest.mark.parametrize("age_group", [AgeGroup.CHILD_0_11, AgeGroup.CHILD_12_17])
def test_a_child_is_never_notified_anonymously(world, age_group):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match="child-protection"):
        notify(world.cecilia, age_group)
    assert not AnonymousNotification.objects.exists()
    assert AuditEntry.objects.count() == before


def test_an_anonymous_notification_stores_nothing_identifying(world):
    notification = notify(world.alice, AgeGroup.ADULT_25_34)
    stored = {field.name for field in AnonymousNotification._meta.concrete_fields}
    assert stored == {
        "id",
        "uuid",
        "notified_on",
        "municipality",
        "sex",
        "age_group",
        "citizenship",
        "exploitation_forms",
        "indicators",
        "notifying_organisation",
        "recorded_by",
        "recorded_at",
        # A keyed encoding, made only when an identity was given, never the identity.
        "linkage_encoding",
        "linkage_key_check",
    }
    assert notification.linkage_encoding == ""
    assert notification.notifying_organisation == world.police
    (entry,) = AuditEntry.objects.filter(action="anonymous_notification.recorded")
    assert entry.categories == []
    # The service has no way to take a name or a date of birth.
    identifying = {field.name for field in fields(services.Identity)}
    parameters = set(inspect.signature(services.record_anonymous_notification).parameters)
    assert not identifying & parameters


def test_an_anonymous_notification_needs_a_plausible_date_and_a_form(world):
    for extra in (
        {"notified_on": TODAY() + timedelta(days=1)},
        {"exploitation_forms": []},
    ):
        with pytest.raises(ValidationError):
            notify(world.cecilia, AgeGroup.ADULT_UNKNOWN, **extra)
    assert not AnonymousNotification.objects.exists()


def test_a_closed_case_takes_no_new_sharing_but_consent_can_still_be_withdrawn(world):
    from samverkan.cases.models import Consent

    case = services.open_case(
        actor=world.cecilia,
        identity=services.Identity(given_names="Closed", family_name="Case"),
        sex="female",
        municipality="Malmö",
        exploitation_forms=["labour"],
        coordination_consent=["identity"],
    )
    consent = Consent.objects.get(person=case.person)
    services.close_case(actor=world.cecilia, case=case, outcome="social_inclusion")
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        services.share_case(
            actor=world.cecilia,
            case=case,
            organisation=world.coordination,
            purpose="identification",
            categories=["identity"],
            basis=consent,
        )
    with pytest.raises(ValidationError, match="closed"):
        services.record_consent(
            actor=world.cecilia,
            case=case,
            basis="consent",
            categories=["identity"],
            purposes=["assistance"],
            organisation_kinds=["shelter"],
        )
    services.withdraw_consent(actor=world.cecilia, case=case, consent=consent)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
