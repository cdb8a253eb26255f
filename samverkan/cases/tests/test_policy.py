"""Need-to-know on cases, by example: who sees which categories of which case."""

import logging
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from samverkan.accounts.models import Organisation, Role
from samverkan.audit.models import AuditEntry
from samverkan.cases import selectors, services
from samverkan.cases.models import (
    BreakGlassAccess,
    Category,
    LegalBasis,
    Notification,
    Participation,
    Purpose,
    SecretLocationAccess,
)
from samverkan.cases.tests import factories
from samverkan.cases.tests.factories import CANARIES
from samverkan.cases.workflow import MilestoneKind
from samverkan.policy import cases as case_policy
from samverkan.policy.access import PolicyDenied

Kind = Organisation.Kind
C = Category
ALL = frozenset(Category.values)
ALL_BUT_SECRET = ALL - {C.SECRET_LOCATION}
REASON = "Acute danger reported by the shelter tonight"


def categories(membership, case):
    return case_policy.case_access(membership, case).categories


def visible(membership):
    return set(case_policy.cases_visible_to(membership))


def entries(action):
    return AuditEntry.objects.filter(action=action)


@pytest.fixture
def case(world):
    return factories.open_case(world.cecilia)


@pytest.fixture
def colleague(world):
    """A second case worker of the lead NGO, not named for the secret location."""
    return factories.member(world.ngo, Role.FRONTLINE)


@pytest.fixture
def shelter(world):
    organisation = factories.organisation(Kind.SHELTER)
    return organisation, factories.member(organisation, Role.FRONTLINE)


# --- the lead and the secret location ---


def test_the_lead_organisation_sees_everything_but_the_secret_location(world, case, colleague):
    assert categories(colleague, case) == ALL_BUT_SECRET
    assert case_policy.case_access(colleague, case).lead
    detail = selectors.case_detail(colleague, case.uuid)
    assert C.SECRET_LOCATION not in detail.values
    assert C.SECRET_LOCATION in detail.withheld
    assert CANARIES[C.SECRET_LOCATION] not in repr(detail.values)
    assert detail.values[C.HEALTH] == CANARIES[C.HEALTH]


def test_a_named_person_sees_the_secret_location_and_loses_it_when_removed(world, case, colleague):
    # Whoever wrote the shelter address down is named for it.
    assert categories(world.cecilia, case) == ALL
    services.name_for_secret_location(actor=world.cecilia, case=case, membership=colleague)
    assert categories(colleague, case) == ALL
    detail = selectors.case_detail(colleague, case.uuid)
    assert detail.values[C.SECRET_LOCATION] == CANARIES[C.SECRET_LOCATION]

    services.remove_from_secret_location(actor=world.cecilia, case=case, membership=colleague)
    assert categories(colleague, case) == ALL_BUT_SECRET


def test_nobody_outside_the_case_can_be_named_for_the_secret_location(world, case, shelter):
    _organisation, worker = shelter
    with pytest.raises(ValidationError):
        services.name_for_secret_location(actor=world.cecilia, case=case, membership=worker)
    assert categories(worker, case) == frozenset()


def test_a_named_participant_loses_the_secret_location_with_the_case(world, case, shelter):
    organisation, worker = shelter
    basis = factories.consent(world.cecilia, case, kinds=[Kind.SHELTER])
    factories.share(world.cecilia, case, organisation, basis, [C.CONTACT])
    services.name_for_secret_location(actor=world.cecilia, case=case, membership=worker)
    assert categories(worker, case) == {C.METADATA, C.CONTACT, C.SECRET_LOCATION}

    services.withdraw_consent(actor=world.cecilia, case=case, consent=basis)
    assert categories(worker, case) == frozenset()


# --- participants ---


def test_a_participant_sees_exactly_what_the_share_and_its_basis_allow(world, case, shelter):
    organisation, worker = shelter
    basis = factories.consent(
        world.cecilia, case, categories=[C.IDENTITY, C.HEALTH, C.SOCIAL], kinds=[Kind.SHELTER]
    )
    participation = factories.share(
        world.cecilia, case, organisation, basis, [C.IDENTITY, C.HEALTH]
    )
    assert set(participation.categories) == {C.METADATA, C.IDENTITY, C.HEALTH}

    access = case_policy.case_access(worker, case)
    assert access.categories == {C.METADATA, C.IDENTITY, C.HEALTH}
    assert access.participant and not access.lead
    assert visible(worker) == {case}
    detail = selectors.case_detail(worker, case.uuid)
    assert set(detail.values) == {C.IDENTITY, C.HEALTH}
    for category in (C.CONTACT, C.SOCIAL, C.IMMIGRATION, C.EXPLOITATION, C.SECRET_LOCATION):
        assert CANARIES[category] not in repr(detail.values)
        assert category in detail.withheld


def test_a_share_cannot_reach_beyond_its_basis(world, case, shelter):
    organisation, _worker = shelter
    basis = factories.consent(world.cecilia, case, categories=[C.IDENTITY], kinds=[Kind.SHELTER])
    with pytest.raises(ValidationError):
        factories.share(world.cecilia, case, organisation, basis, [C.IDENTITY, C.HEALTH])
    with pytest.raises(ValidationError):  # the purpose is not covered
        factories.share(world.cecilia, case, organisation, basis, purpose=Purpose.RESEARCH)
    with pytest.raises(ValidationError):  # the police are not covered
        factories.share(world.cecilia, case, world.police, basis)
    assert not Participation.objects.exists()


def test_withdrawing_the_basis_ends_access_at_once(world, case, shelter):
    organisation, worker = shelter
    basis = factories.consent(world.cecilia, case, kinds=[Kind.SHELTER])
    factories.share(world.cecilia, case, organisation, basis, [C.HEALTH])
    assert selectors.case_detail(worker, case.uuid).values[C.HEALTH] == CANARIES[C.HEALTH]

    services.withdraw_consent(actor=world.cecilia, case=case, consent=basis)
    assert categories(worker, case) == frozenset()
    assert visible(worker) == set()
    with pytest.raises(PolicyDenied):
        selectors.case_detail(worker, case.uuid)


def test_an_expired_basis_ends_access_the_day_after(world, case, shelter):
    organisation, worker = shelter
    today = timezone.localdate()
    basis = factories.consent(world.cecilia, case, kinds=[Kind.SHELTER], expires_on=today)
    factories.share(world.cecilia, case, organisation, basis, [C.HEALTH])
    assert categories(worker, case) == {C.METADATA, C.HEALTH}

    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert categories(worker, case) == frozenset()
        assert visible(worker) == set()
        with pytest.raises(PolicyDenied):
            selectors.case_detail(worker, case.uuid)


def test_a_revoked_share_ends_access(world, case, shelter):
    organisation, worker = shelter
    basis = factories.consent(world.cecilia, case, kinds=[Kind.SHELTER])
    participation = factories.share(world.cecilia, case, organisation, basis)
    services.revoke_share(actor=world.cecilia, case=case, participation=participation)
    assert categories(worker, case) == frozenset()
    assert visible(worker) == set()


# --- confidential from law enforcement ---


def test_a_confidential_case_disappears_for_police_who_took_part(world, case):
    basis = factories.consent(world.cecilia, case, kinds=[Kind.POLICE])
    factories.share(world.cecilia, case, world.police, basis, [C.IDENTITY], Purpose.LAW_ENFORCEMENT)
    assert categories(world.alice, case) == {C.METADATA, C.IDENTITY}

    services.set_confidential_from_law_enforcement(
        actor=world.cecilia, case=case, confidential=True
    )
    case.refresh_from_db()
    assert categories(world.alice, case) == frozenset()
    assert visible(world.alice) == set()
    with pytest.raises(PolicyDenied):
        selectors.case_detail(world.alice, case.uuid, purpose="Preliminary investigation 4711")
    participation = Participation.objects.get(organisation=world.police)
    assert participation.revoked_at is not None
    assert participation.revoked_by == world.cecilia

    # Even a participation still in force (say, restored from a backup) shows nothing.
    Participation.objects.update(revoked_at=None)
    assert categories(world.alice, case) == frozenset()
    assert visible(world.alice) == set()


def test_lifting_confidentiality_does_not_revive_police_participation(world, case):
    basis = factories.consent(world.cecilia, case, kinds=[Kind.POLICE])
    factories.share(world.cecilia, case, world.police, basis, [C.IDENTITY], Purpose.LAW_ENFORCEMENT)
    for confidential in (True, False):
        services.set_confidential_from_law_enforcement(
            actor=world.cecilia, case=case, confidential=confidential
        )
    case.refresh_from_db()
    assert not case.confidential_from_law_enforcement
    assert categories(world.alice, case) == frozenset()


def test_a_confidential_case_cannot_be_shared_with_law_enforcement(world, case):
    prosecution = factories.organisation(Kind.PROSECUTION)
    basis = factories.consent(world.cecilia, case, kinds=[Kind.POLICE, Kind.PROSECUTION])
    services.set_confidential_from_law_enforcement(
        actor=world.cecilia, case=case, confidential=True
    )
    for organisation in (world.police, prosecution):
        with pytest.raises(ValidationError):
            factories.share(
                world.cecilia, case, organisation, basis, purpose=Purpose.LAW_ENFORCEMENT
            )
    assert not Participation.objects.exists()
    case.refresh_from_db()
    assert not {world.police, prosecution} & set(selectors.share_recipients(world.cecilia, case))


def test_only_ngos_shelters_and_hotlines_keep_a_case_from_law_enforcement(world):
    for kind, allowed in ((Kind.POLICE, False), (Kind.MIGRATION, False), (Kind.SHELTER, True)):
        manager = factories.member(factories.organisation(kind), Role.CASE_MANAGER)
        case = factories.open_case(manager)
        if allowed:
            services.set_confidential_from_law_enforcement(
                actor=manager, case=case, confidential=True
            )
        else:
            with pytest.raises(PolicyDenied):
                services.set_confidential_from_law_enforcement(
                    actor=manager, case=case, confidential=True
                )
        case.refresh_from_db()
        assert case.confidential_from_law_enforcement is allowed


def test_a_share_ended_by_confidentiality_cannot_be_revoked_again(world, case):
    basis = factories.consent(world.cecilia, case, kinds=[Kind.POLICE])
    participation = factories.share(
        world.cecilia, case, world.police, basis, purpose=Purpose.LAW_ENFORCEMENT
    )
    services.set_confidential_from_law_enforcement(
        actor=world.cecilia, case=case, confidential=True
    )
    before = AuditEntry.objects.count()
    # ``participation`` is the copy from before confidentiality ended it.
    with pytest.raises(PolicyDenied):
        services.revoke_share(actor=world.cecilia, case=case, participation=participation)
    assert AuditEntry.objects.count() == before


# --- the migration authority ---


def test_a_migration_authority_leading_a_case_needs_a_basis_for_immigration(world):
    migration = factories.organisation(Kind.MIGRATION)
    officer = factories.member(migration, Role.CASE_MANAGER)
    colleague = factories.member(migration, Role.FRONTLINE)
    case = factories.open_case(officer)
    assert categories(colleague, case) == ALL_BUT_SECRET - {C.IMMIGRATION}
    assert C.IMMIGRATION not in selectors.case_detail(colleague, case.uuid).values

    # Neither a basis for another kind nor one without immigration is enough.
    factories.consent(officer, case, categories=[C.IMMIGRATION], kinds=[Kind.NGO])
    factories.consent(officer, case, categories=[C.HEALTH], kinds=[Kind.MIGRATION])
    assert C.IMMIGRATION not in categories(colleague, case)

    basis = factories.consent(
        officer,
        case,
        categories=[C.IMMIGRATION],
        organisations=[migration],
        basis=LegalBasis.COURT_ORDER,
    )
    assert categories(colleague, case) == ALL_BUT_SECRET
    detail = selectors.case_detail(colleague, case.uuid)
    assert detail.values[C.IMMIGRATION] == CANARIES[C.IMMIGRATION]

    services.withdraw_consent(actor=officer, case=case, consent=basis)
    assert C.IMMIGRATION not in categories(colleague, case)


# --- roles alone ---


def test_roles_alone_never_open_a_case(world, case):
    rapporteur = factories.member(world.ngo, Role.RAPPORTEUR)
    network = factories.member(world.ngo, Role.NETWORK_COORDINATOR)
    for membership in (world.per, world.agnes, world.olle, rapporteur, network, world.nora):
        assert categories(membership, case) == frozenset(), membership.role
        assert visible(membership) == set(), membership.role
        with pytest.raises(PolicyDenied):
            selectors.case_detail(membership, case.uuid)


def test_an_inactive_membership_of_the_lead_sees_nothing(world, case, colleague):
    colleague.is_active = False
    colleague.save()
    assert categories(colleague, case) == frozenset()
    assert visible(colleague) == set()


def test_organisations_outside_the_case_learn_nothing(world, case):
    assert categories(world.alice, case) == frozenset()
    assert categories(world.karl, case) == frozenset()
    assert visible(world.alice) == visible(world.karl) == set()


def test_an_error_in_the_policy_denies_and_is_logged(world, case, colleague, monkeypatch, caplog):
    def broken(*args):
        raise RuntimeError("policy data unavailable")

    monkeypatch.setattr(case_policy, "_hidden_from", broken)
    with caplog.at_level(logging.ERROR, logger="samverkan.policy.cases"):
        assert case_policy.case_access(colleague, case) is case_policy.NO_ACCESS
        with pytest.raises(PolicyDenied):
            selectors.case_detail(colleague, case.uuid)
    assert "case policy decision failed; denying" in caplog.text
    assert caplog.records[0].levelno == logging.ERROR
    assert not entries("case.viewed").exists()


# --- break the glass ---


def test_a_coordinator_breaks_the_glass_with_a_reason_and_the_lead_is_told(
    world, case, colleague, mailoutbox, django_capture_on_commit_callbacks, run_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.break_glass(actor=world.karl, case_number=case.number, reason=REASON, minutes=30)
    access = case_policy.case_access(world.karl, case)
    assert access.categories == ALL_BUT_SECRET
    assert access.break_glass
    assert visible(world.karl) == {case}
    assert not case_policy.can_on_case(world.karl, "case.note.add", case, access)

    (entry,) = entries("case.break_glass")
    assert "break_glass" in entry.flags
    assert entry.reason == REASON
    grant = BreakGlassAccess.objects.get()
    assert grant.expires_at - grant.started_at <= timedelta(minutes=30)
    # The lead organisation's case workers are told, in the app and by e-mail.
    told = set(Notification.objects.filter(kind=Notification.Kind.BREAK_GLASS, case=case))
    assert {n.recipient for n in told} == {world.cecilia, colleague}
    run_tasks()
    (message,) = mailoutbox
    assert set(message.to) == {world.cecilia.user.email, colleague.user.email}
    assert case.number in message.subject
    assert REASON not in message.body
    assert not any(canary in message.body for canary in CANARIES.values())

    selectors.case_detail(world.karl, case.uuid)
    (viewed,) = entries("case.viewed")
    assert "break_glass" in viewed.flags


def test_emergency_access_lends_no_category_to_a_participants_writes(world, case):
    """A coordinator whose agency takes part for the metadata only, then breaks the glass,
    reads everything but may write only with what taking part grants."""
    basis = factories.consent(world.cecilia, case, kinds=[Organisation.Kind.COORDINATION_AGENCY])
    factories.share(world.cecilia, case, world.coordination, basis)
    services.break_glass(actor=world.karl, case_number=case.number, reason=REASON, minutes=30)
    access = case_policy.case_access(world.karl, case)
    assert access.participant and access.shows(Category.NOTES)
    assert access.own_categories == {Category.METADATA}
    assert not case_policy.can_on_case(world.karl, "case.note.add", case, access)
    assert not case_policy.can_on_case(world.karl, "case.screening.record", case, access)
    assert case_policy.can_on_case(world.karl, "case.milestone.record", case, access)
    # ... and a milestone's evidence is a write in its category too.
    needs = {
        "case": case,
        "kind": MilestoneKind.NEEDS_ASSESSED,
        "occurred_on": timezone.localdate(),
    }
    with pytest.raises(ValidationError) as refused:
        services.record_milestone(actor=world.karl, evidence="Needs a safe place", **needs)
    assert "evidence" in refused.value.message_dict
    assert not case.milestones.filter(kind=MilestoneKind.NEEDS_ASSESSED).exists()
    services.record_milestone(actor=world.karl, **needs)
    assert case.milestones.filter(
        kind=MilestoneKind.NEEDS_ASSESSED, recorded_by=world.karl
    ).exists()


def test_emergency_access_ends_when_its_time_is_up(world, case):
    services.break_glass(actor=world.karl, case_number=case.number, reason=REASON, minutes=60)
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert categories(world.karl, case) == frozenset()
        assert visible(world.karl) == set()
        with pytest.raises(PolicyDenied):
            selectors.case_detail(world.karl, case.uuid)


@pytest.mark.parametrize(
    ("reason", "minutes"),
    [(REASON, 61), (REASON, 0), ("Emergency", 30), (" " * 30, 30)],
)
def test_emergency_access_needs_a_full_reason_and_at_most_an_hour(world, case, reason, minutes):
    with pytest.raises(ValidationError):
        services.break_glass(
            actor=world.karl, case_number=case.number, reason=reason, minutes=minutes
        )
    assert not BreakGlassAccess.objects.exists()
    assert not Notification.objects.exists()
    assert not entries("case.break_glass").exists()
    assert categories(world.karl, case) == frozenset()


def test_only_coordinators_of_the_coordination_agency_break_the_glass(world, case):
    ngo_coordinator = factories.member(world.ngo_fi, Role.COORDINATOR)
    agency_frontline = factories.member(world.coordination, Role.FRONTLINE)
    for membership in (world.cecilia, world.alice, world.per, ngo_coordinator, agency_frontline):
        with pytest.raises(PolicyDenied):
            services.break_glass(
                actor=membership, case_number=case.number, reason=REASON, minutes=30
            )
    assert not BreakGlassAccess.objects.exists()


# --- every read is audited ---


def test_each_read_writes_one_entry_with_the_categories_shown(world, case, shelter):
    organisation, worker = shelter
    basis = factories.consent(world.cecilia, case, kinds=[Kind.SHELTER])
    factories.share(world.cecilia, case, organisation, basis, [C.HEALTH])
    before = AuditEntry.objects.count()

    selectors.case_detail(worker, case.uuid)
    assert AuditEntry.objects.count() == before + 1
    (entry,) = entries("case.viewed")
    assert entry.categories == [C.HEALTH, C.METADATA]
    assert entry.actor_membership_id == worker.pk
    assert entry.object_id == str(case.uuid)


def test_a_denied_read_writes_one_entry_and_looks_like_absence(world, case):
    before = AuditEntry.objects.count()
    with pytest.raises(PolicyDenied):
        selectors.case_detail(world.alice, case.uuid, purpose="Preliminary investigation 4711")
    with pytest.raises(PolicyDenied):
        selectors.case_detail(world.alice, uuid.uuid4(), purpose="Preliminary investigation 4711")
    assert AuditEntry.objects.count() == before + 2
    forbidden, absent = entries("case.access_denied").order_by("sequence")
    assert forbidden.object_id == str(case.uuid)
    for entry in (forbidden, absent):
        assert (entry.categories, entry.flags, entry.actor_membership_id) == (
            [],
            [],
            world.alice.pk,
        )
    assert not entries("case.viewed").exists()


def test_the_police_state_a_purpose_and_it_is_audited(world, case):
    basis = factories.consent(world.cecilia, case, kinds=[Kind.POLICE])
    factories.share(world.cecilia, case, world.police, basis, [C.IDENTITY], Purpose.LAW_ENFORCEMENT)
    for purpose in ("", "   ", "ok"):
        with pytest.raises(selectors.PurposeRequired):
            selectors.case_detail(world.alice, case.uuid, purpose=purpose)
    assert not entries("case.viewed").exists()

    selectors.case_detail(world.alice, case.uuid, purpose="Preliminary investigation 4711")
    (entry,) = entries("case.viewed")
    assert entry.reason == "Preliminary investigation 4711"
    assert entry.categories == [C.IDENTITY, C.METADATA]
    with pytest.raises(selectors.PurposeRequired):
        selectors.case_search(world.alice, name=CANARIES[C.IDENTITY])


def test_a_coordinator_with_emergency_access_cannot_be_named_for_the_secret_location(world):
    case = services.open_case(
        actor=world.cecilia,
        identity=services.Identity(given_names="Named", family_name="Nobody"),
        sex="female",
        municipality="Lund",
        exploitation_forms=["labour"],
        secret_location="Canary shelter 3",
    )
    services.break_glass(
        actor=world.karl,
        case_number=case.number,
        reason="A credible threat against the person was reported tonight.",
        minutes=30,
    )
    with pytest.raises(ValidationError):
        services.name_for_secret_location(actor=world.cecilia, case=case, membership=world.karl)
    assert not SecretLocationAccess.objects.filter(case=case, membership=world.karl).exists()
