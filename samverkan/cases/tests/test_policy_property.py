"""The case access policy against an independent reference, on random worlds (Z12).

Hypothesis builds worlds through the services: organisations of several
kinds, memberships in random roles, cases (some kept from law enforcement),
consents and legal bases (some withdrawn, some expired), shares, people named
for the secret location and emergency access (some of it expired). For every
membership and case, ``case_access``, ``cases_visible_to`` and the case
detail must agree with ``reference_categories``: a plain re-reading of the
rules in the docstring of ``samverkan.policy.cases`` that shares no code with
the implementation. Each example runs in a transaction that is rolled back.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from samverkan.accounts.models import Membership, Organisation, Role
from samverkan.audit.models import AuditEntry
from samverkan.cases import selectors, services
from samverkan.cases.models import (
    BreakGlassAccess,
    Case,
    Category,
    Consent,
    LegalBasis,
    Participation,
    Purpose,
    SecretLocationAccess,
)
from samverkan.cases.tests import factories
from samverkan.cases.tests.factories import CANARIES
from samverkan.policy import cases as case_policy
from samverkan.policy.access import PolicyDenied

Kind = Organisation.Kind
KINDS = [
    Kind.POLICE,
    Kind.PROSECUTION,
    Kind.NGO,
    Kind.SHELTER,
    Kind.MIGRATION,
    Kind.SOCIAL_SERVICES,
    Kind.COORDINATION_AGENCY,
]
SHAREABLE = sorted(set(Category.values) - {Category.SECRET_LOCATION})
PURPOSE = "Preliminary investigation 2025:117"
REASON = "The person is missing from the shelter since last night"
# Time passes between building a world and asking about it: what expired is gone.
BUILT_DAYS_AGO = 2
REFUSED = (ValidationError, PolicyDenied)

PROPERTY_SETTINGS = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)


# --- the reference: the docstring's rules, written out again -------------------------

EVERY_CATEGORY = frozenset(Category.values)
SECRET = "secret_location"
WORKING_ROLES = {"frontline", "case_manager", "coordinator", "service_provider"}
LAW_ENFORCEMENT = {"police", "prosecution"}


@dataclass(frozen=True)
class Facts:
    """A world as plain rows, read once after it was built."""

    now: datetime
    today: date
    members: dict  # id -> row
    cases: dict  # id -> row
    consents: dict  # id -> row, with "named": the named organisations' ids
    participations: list
    secret: list
    glass: list


def in_force(consent: dict, today: date) -> bool:
    return consent["withdrawn_at"] is None and (
        consent["expires_on"] is None or consent["expires_on"] >= today
    )


def reference_categories(member: dict, case: dict, facts: Facts) -> set[str]:
    """What ``member`` may see of ``case``, from the rules alone."""
    org, kind = member["organisation_id"], member["organisation__kind"]
    # Roles never grant access by themselves; only case work does.
    if not member["is_active"] or member["role"] not in WORKING_ROLES:
        return set()
    # Kept from law enforcement: the case does not exist for it.
    if case["confidential_from_law_enforcement"] and kind in LAW_ENFORCEMENT:
        return set()
    seen: set[str] = set()
    if case["lead_organisation_id"] == org:
        seen |= EVERY_CATEGORY - {SECRET}
        # Immigration status for a migration authority needs a basis naming it.
        if kind == "migration" and not any(
            c["person_id"] == case["person_id"]
            and in_force(c, facts.today)
            and "immigration" in c["categories"]
            and ("migration" in c["organisation_kinds"] or org in c["named"])
            for c in facts.consents.values()
        ):
            seen.discard("immigration")
    for p in facts.participations:
        basis = facts.consents[p["basis_id"]]
        if (
            p["case_id"] == case["id"]
            and p["organisation_id"] == org
            and p["revoked_at"] is None
            and in_force(basis, facts.today)
        ):
            seen |= {"metadata"} | (set(p["categories"]) & set(basis["categories"]))
    # Emergency access: coordinators of the coordination agency, while it lasts.
    if (
        member["role"] == "coordinator"
        and kind == "coordination_agency"
        and any(
            g["case_id"] == case["id"]
            and g["membership_id"] == member["id"]
            and g["started_at"] <= facts.now < g["expires_at"]
            for g in facts.glass
        )
    ):
        seen |= EVERY_CATEGORY - {SECRET}
    # The secret location: named people who can see the case at all.
    if seen and any(
        s["case_id"] == case["id"]
        and s["membership_id"] == member["id"]
        and s["revoked_at"] is None
        for s in facts.secret
    ):
        seen.add(SECRET)
    return seen


def read_facts() -> Facts:
    named: dict[int, set[int]] = {}
    for consent_id, organisation_id in Consent.organisations.through.objects.values_list(
        "consent_id", "organisation_id"
    ):
        named.setdefault(consent_id, set()).add(organisation_id)
    consents = {
        row["id"]: dict(row, named=named.get(row["id"], set()))
        for row in Consent.objects.values(
            "id", "person_id", "categories", "organisation_kinds", "withdrawn_at", "expires_on"
        )
    }
    now = timezone.now()
    return Facts(
        now=now,
        today=timezone.localdate(now),
        members={
            row["id"]: row
            for row in Membership.objects.values(
                "id", "organisation_id", "organisation__kind", "role", "is_active"
            )
        },
        cases={
            row["id"]: row
            for row in Case.objects.values(
                "id",
                "uuid",
                "lead_organisation_id",
                "person_id",
                "confidential_from_law_enforcement",
            )
        },
        consents=consents,
        participations=list(
            Participation.objects.values(
                "case_id", "organisation_id", "categories", "basis_id", "revoked_at"
            )
        ),
        secret=list(SecretLocationAccess.objects.values("case_id", "membership_id", "revoked_at")),
        glass=list(
            BreakGlassAccess.objects.values("case_id", "membership_id", "started_at", "expires_at")
        ),
    )


# --- random worlds ----------------------------------------------------------------------

index = st.integers(min_value=0, max_value=63)


@st.composite
def worlds(draw):
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=2, max_size=4))
    n = len(kinds)
    cases = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "lead": st.integers(0, n - 1),
                    "secret_location": st.booleans(),
                    "confidential": st.sampled_from(["never", "before sharing", "after sharing"]),
                }
            ),
            min_size=1,
            max_size=2,
        )
    )
    consent = st.fixed_dictionaries(
        {
            "case": st.integers(0, len(cases) - 1),
            "basis": st.sampled_from(LegalBasis.values),
            "categories": st.sets(st.sampled_from(SHAREABLE), min_size=1),
            "kinds": st.sets(st.sampled_from(KINDS), max_size=3),
            "named": st.sets(st.integers(0, n - 1), max_size=2),
            "purposes": st.sets(st.sampled_from(Purpose.values), min_size=1, max_size=3),
            "fate": st.sampled_from(["in force", "in force", "withdrawn", "expired"]),
        }
    )
    share = st.fixed_dictionaries(
        {
            "consent": index,
            "organisation": index,
            "purpose": index,
            "categories": st.sets(st.sampled_from(SHAREABLE)),
            "revoked": st.booleans(),
        }
    )
    return {
        "kinds": kinds,
        "members": draw(
            st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(Role.values)), max_size=3)
        ),
        "cases": cases,
        "consents": draw(st.lists(consent, max_size=3)),
        "shares": draw(st.lists(share, max_size=4)),
        "named": draw(st.lists(st.tuples(index, index, st.booleans()), max_size=2)),
        "glass": draw(st.lists(st.tuples(index, index, st.booleans()), max_size=2)),
        "deactivated": draw(st.lists(index, max_size=1)),
        # Which (membership, case) pair to read in full: a visible one or a hidden one.
        "detail_check": draw(st.tuples(st.booleans(), index)),
    }


def attempt(call, *args, **kwargs):
    """Make the world as asked; a request the services refuse is just not part of it."""
    try:
        return call(*args, **kwargs)
    except REFUSED:
        return None


def pick(items: list, i: int):
    return items[i % len(items)] if items else None


def build(plan) -> tuple[list[Membership], list[Case]]:
    organisations = [factories.organisation(kind) for kind in plan["kinds"]]
    # Every organisation has a case manager to act for it; the agency a coordinator too.
    staff = [factories.member(org, Role.CASE_MANAGER) for org in organisations]
    members = list(staff)
    members += [
        factories.member(org, Role.COORDINATOR)
        for org in organisations
        if org.kind == Kind.COORDINATION_AGENCY
    ]
    members += [factories.member(organisations[i], role) for i, role in plan["members"]]

    cases, leads = [], []
    for spec in plan["cases"]:
        lead = staff[spec["lead"]]
        secret = CANARIES[SECRET] if spec["secret_location"] else ""
        cases.append(factories.open_case(lead, secret_location=secret))
        leads.append(lead)

    def confidential(when):
        for case, lead, spec in zip(cases, leads, plan["cases"], strict=True):
            if spec["confidential"] == when:
                attempt(
                    services.set_confidential_from_law_enforcement,
                    actor=lead,
                    case=case,
                    confidential=True,
                )

    confidential("before sharing")
    today = timezone.localdate()
    consents = []
    for spec in plan["consents"]:
        case, lead = cases[spec["case"]], leads[spec["case"]]
        consent = attempt(
            factories.consent,
            lead,
            case,
            basis=spec["basis"],
            categories=spec["categories"],
            kinds=spec["kinds"],
            organisations=[organisations[i] for i in spec["named"]],
            purposes=spec["purposes"],
            expires_on=today if spec["fate"] == "expired" else None,
        )
        if consent is not None:
            consents.append((consent, case, lead, spec))

    participations = []
    for spec in plan["shares"]:
        chosen = pick(consents, spec["consent"])
        if chosen is None:
            break
        consent, case, lead, consent_spec = chosen
        # Aim at organisations the basis covers, so that most shares happen.
        covered = [
            org
            for i, org in enumerate(organisations)
            if (org.kind in consent_spec["kinds"] or i in consent_spec["named"])
            and org.pk != case.lead_organisation_id
        ]
        participation = attempt(
            factories.share,
            lead,
            case,
            pick(covered, spec["organisation"]) or organisations[0],
            consent,
            sorted(spec["categories"] & set(consent.categories)),
            pick(sorted(consent_spec["purposes"]), spec["purpose"]),
        )
        if participation is not None:
            participations.append((participation, lead, spec))

    for case_index, member_index, removed in plan["named"]:
        i = case_index % len(cases)
        for change, wanted in (
            (services.name_for_secret_location, True),
            (services.remove_from_secret_location, removed),
        ):
            if wanted:
                attempt(
                    change, actor=leads[i], case=cases[i], membership=pick(members, member_index)
                )
    for participation, lead, spec in participations:
        if spec["revoked"]:
            attempt(
                services.revoke_share,
                actor=lead,
                case=participation.case,
                participation=participation,
            )
    for consent, case, lead, spec in consents:
        if spec["fate"] == "withdrawn":
            services.withdraw_consent(actor=lead, case=case, consent=consent)
    confidential("after sharing")
    return members, cases


def break_glass(plan, members, cases, live: bool) -> None:
    coordinators = [m for m in members if m.role == Role.COORDINATOR]
    for case_index, member_index, wanted_live in plan["glass"]:
        if wanted_live == live and coordinators:
            attempt(
                services.break_glass,
                actor=pick(coordinators, member_index),
                case_number=pick(cases, case_index).number,
                reason=REASON,
                minutes=60 if live else 5,
            )


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def check_detail(member: Membership, case: Case, expected: set[str]) -> None:
    """The detail page's data: exactly the expected categories, and no canary of the rest."""
    purpose = PURPOSE if case_policy.purpose_required(member) else ""
    if not expected:
        with pytest.raises(PolicyDenied):
            selectors.case_detail(member, case.uuid, purpose=purpose)
        return
    detail = selectors.case_detail(member, case.uuid, purpose=purpose)
    sealed = set(selectors.SEALED_VALUES)
    assert set(detail.values) == sealed & expected
    assert set(detail.withheld) == (sealed | {Category.NOTES}) - expected
    written = {SECRET} if case.person.secret_location else set()
    shown = repr(detail.values)
    for category, canary in CANARIES.items():
        assert (canary in shown) == (
            category in expected and category in (sealed - {SECRET}) | written
        )
    viewed = AuditEntry.objects.filter(action="case.viewed").order_by("sequence").last()
    assert viewed.categories == sorted(expected)
    assert viewed.reason == purpose


@pytest.mark.django_db
@settings(PROPERTY_SETTINGS, max_examples=450)
@given(plan=worlds())
def test_case_access_agrees_with_the_reference(plan):
    with rolled_back():
        built_at = timezone.now() - timedelta(days=BUILT_DAYS_AGO)
        with time_machine.travel(built_at):
            members, cases = build(plan)
            break_glass(plan, members, cases, live=False)
        break_glass(plan, members, cases, live=True)
        for i in plan["deactivated"]:
            member = pick(members, i)
            member.is_active = False
            member.save(update_fields=["is_active"])

        facts = read_facts()
        visible_pairs, hidden_pairs = [], []
        for member in members:
            expected_cases = set()
            for case in cases:
                expected = reference_categories(
                    facts.members[member.pk], facts.cases[case.pk], facts
                )
                assert case_policy.case_access(member, case).categories == expected, (
                    member.organisation.kind,
                    member.role,
                )
                if expected:
                    expected_cases.add(case.pk)
                (visible_pairs if expected else hidden_pairs).append((member, case, expected))
            visible = set(case_policy.cases_visible_to(member).values_list("pk", flat=True))
            assert visible == expected_cases
        want_visible, i = plan["detail_check"]
        check_detail(
            *pick(
                (visible_pairs if want_visible else hidden_pairs) or visible_pairs + hidden_pairs, i
            )
        )


# --- the consent lifecycle, step by step ------------------------------------------------

RECIPIENT_KINDS = [
    Kind.POLICE,
    Kind.PROSECUTION,
    Kind.SHELTER,
    Kind.MIGRATION,
    Kind.SOCIAL_SERVICES,
]


class ConsentLifecycle(RuleBasedStateMachine):
    """Record, share, withdraw, revoke, keep from law enforcement, close.

    A model of the case (which consents hold, which shares stand) predicts
    whether each request succeeds; after every step, nobody outside the lead
    and the organisations taking part sees anything, and those see exactly
    what their shares and bases allow.
    """

    consents = Bundle("consents")
    participations = Bundle("participations")

    def __init__(self):
        super().__init__()
        self._transaction = transaction.atomic()
        self._transaction.__enter__()
        self.lead = factories.member(factories.organisation(Kind.NGO), Role.CASE_MANAGER)
        lead_org = self.lead.organisation
        self.recipients = {
            kind: factories.member(factories.organisation(kind), Role.FRONTLINE)
            for kind in RECIPIENT_KINDS
        }
        self.outsiders = [
            factories.member(lead_org, Role.ORGANISATION_ADMIN),
            factories.member(lead_org, Role.AUDITOR),
            factories.member(lead_org, Role.RAPPORTEUR),
            factories.member(factories.organisation(Kind.NGO), Role.CASE_MANAGER),
            factories.member(factories.organisation(Kind.COORDINATION_AGENCY), Role.COORDINATOR),
        ]
        self.case = factories.open_case(self.lead, secret_location="")
        self.withdrawn: set[int] = set()  # consent pks
        self.stands: dict[int, tuple[str, frozenset[str], Consent]] = {}  # participation pk -> ...
        self.named: set[str] = set()  # recipient kinds named for the secret location
        self.confidential = False
        self.closed = False

    def teardown(self):
        transaction.set_rollback(True)
        self._transaction.__exit__(None, None, None)

    def expected(self, kind: str) -> set[str]:
        if self.confidential and kind in LAW_ENFORCEMENT:
            return set()
        seen: set[str] = set()
        for participant_kind, categories, basis in self.stands.values():
            if participant_kind == kind and basis.pk not in self.withdrawn:
                seen |= {"metadata"} | (categories & set(basis.categories))
        if seen and kind in self.named:
            seen.add(SECRET)
        return seen

    @initialize(target=consents)
    def record_broad_consent(self):
        return factories.consent(
            self.lead, self.case, kinds=RECIPIENT_KINDS, purposes=Purpose.values
        )

    @rule(
        target=consents,
        categories=st.sets(st.sampled_from(SHAREABLE), min_size=1, max_size=4),
        kinds=st.sets(st.sampled_from(RECIPIENT_KINDS), min_size=1, max_size=3),
        purposes=st.sets(st.sampled_from(Purpose.values), min_size=1, max_size=3),
    )
    def record_consent(self, categories, kinds, purposes):
        if self.closed:
            # A closed case takes no new consent (withdrawal stays possible).
            with pytest.raises(ValidationError):
                factories.consent(
                    self.lead, self.case, categories=categories, kinds=kinds, purposes=purposes
                )
            return multiple()
        return factories.consent(
            self.lead, self.case, categories=categories, kinds=kinds, purposes=purposes
        )

    @rule(
        target=participations,
        basis=consents,
        kind=index,
        purpose=index,
        picks=st.sets(index, max_size=3),
        # Mostly within the basis, sometimes one step outside it.
        stray=st.sampled_from([None, None, None, "kind", "purpose", "category"]),
    )
    def share(self, basis, kind, purpose, picks, stray):
        kind = pick(sorted(basis.organisation_kinds), kind)
        purpose = pick(sorted(basis.purposes), purpose)
        categories = {pick(sorted(basis.categories), i) for i in picks}
        outside = {
            "kind": [k for k in RECIPIENT_KINDS if k not in basis.organisation_kinds],
            "purpose": [p for p in Purpose.values if p not in basis.purposes],
            "category": [c for c in SHAREABLE if c not in basis.categories and c != "metadata"],
        }
        if stray and outside[stray]:
            stray_value = outside[stray][0]
            if stray == "kind":
                kind = stray_value
            elif stray == "purpose":
                purpose = stray_value
            else:
                categories.add(stray_value)
        allowed = (
            not self.closed
            and basis.pk not in self.withdrawn
            and kind in basis.organisation_kinds
            and purpose in basis.purposes
            and categories <= set(basis.categories) | {"metadata"}
            and not (self.confidential and kind in LAW_ENFORCEMENT)
        )
        organisation = self.recipients[kind].organisation
        if not allowed:
            with pytest.raises(ValidationError):
                factories.share(self.lead, self.case, organisation, basis, categories, purpose)
            return multiple()
        participation = factories.share(
            self.lead, self.case, organisation, basis, categories, purpose
        )
        self.stands[participation.pk] = (kind, frozenset(categories | {"metadata"}), basis)
        return participation

    @rule(basis=consents)
    def withdraw(self, basis):
        if basis.pk in self.withdrawn:
            with pytest.raises(PolicyDenied):
                services.withdraw_consent(actor=self.lead, case=self.case, consent=basis)
            return
        services.withdraw_consent(actor=self.lead, case=self.case, consent=basis)
        self.withdrawn.add(basis.pk)

    @rule(participation=participations)
    def revoke(self, participation):
        if participation.pk not in self.stands:
            with pytest.raises(PolicyDenied):
                services.revoke_share(actor=self.lead, case=self.case, participation=participation)
            return
        services.revoke_share(actor=self.lead, case=self.case, participation=participation)
        del self.stands[participation.pk]

    @rule(confidential=st.booleans())
    def keep_from_law_enforcement(self, confidential):
        services.set_confidential_from_law_enforcement(
            actor=self.lead, case=self.case, confidential=confidential
        )
        self.confidential = confidential
        if confidential:
            self.stands = {
                pk: stand for pk, stand in self.stands.items() if stand[0] not in LAW_ENFORCEMENT
            }

    @rule(i=index, anyone=st.booleans())
    def name_for_secret_location(self, i, anyone):
        kind = pick([k for k in RECIPIENT_KINDS if anyone or self.expected(k)], i)
        if kind is None:
            return
        member = self.recipients[kind]
        if not self.expected(kind):
            with pytest.raises(ValidationError):
                services.name_for_secret_location(
                    actor=self.lead, case=self.case, membership=member
                )
            return
        services.name_for_secret_location(actor=self.lead, case=self.case, membership=member)
        self.named.add(kind)

    @precondition(lambda self: not self.closed)
    @rule()
    def close(self):
        services.close_case(actor=self.lead, case=self.case, outcome="other")
        self.closed = True

    @invariant()
    def need_to_know(self):
        case = Case.objects.get(pk=self.case.pk)
        assert case_policy.case_access(self.lead, case).categories == EVERY_CATEGORY - {SECRET}
        for member in self.outsiders:
            assert case_policy.case_access(member, case).categories == frozenset()
            assert not case_policy.cases_visible_to(member).exists()
        for kind, member in self.recipients.items():
            expected = self.expected(kind)
            assert case_policy.case_access(member, case).categories == expected, kind
            assert case_policy.cases_visible_to(member).exists() == bool(expected), kind


@pytest.mark.django_db
def test_the_consent_lifecycle_keeps_need_to_know():
    run_state_machine_as_test(
        ConsentLifecycle,
        settings=settings(PROPERTY_SETTINGS, max_examples=50, stateful_step_count=10),
    )
