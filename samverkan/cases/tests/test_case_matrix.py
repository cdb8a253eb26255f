"""The case authorization matrix (security bars Z1–Z3 and L2).

Every role, in each kind of organisation that matters (police, an NGO, the
coordination agency, a migration authority, a shelter), against every case
page and endpoint, for every relation of the actor's organisation to a case:
own (lead), participating, foreign, kept from law enforcement, consent
withdrawn and emergency access, plus a uuid that is no case at all.

The expected answers come from the tables below, written from the rules in
docs/permissions.md and samverkan/policy/cases.py's docstring, never from the
policy code. Each cell checks:

- the status, and that a refusal is the same 404 as a random uuid (pages and
  case objects) or 403 (an API endpoint the role cannot use at all);
- that no body holds a canary of a category the actor may not see, nor the
  number or uuid of a case it may not see;
- that the lists and searches hold exactly the expected cases;
- that a refused write wrote nothing but its audit entry;
- for the case itself (page and endpoint), exactly one audit entry about the
  case: ``case.viewed`` with the categories granted, or ``case.access_denied``.

The world is built once for the module; every test runs in a savepoint that
is rolled back, and so does every write the matrix sends.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection, transaction
from django.urls import resolve, reverse
from django.utils import timezone

from conftest import login_as
from samverkan.accounts.models import Membership, Organisation, Role, User
from samverkan.audit.models import AuditEntry
from samverkan.cases import services
from samverkan.cases.models import (
    AnonymousNotification,
    BreakGlassAccess,
    Case,
    CaseEvent,
    CaseNote,
    Category,
    Consent,
    Deadline,
    LegalBasis,
    Milestone,
    Notification,
    Participation,
    Person,
    Purpose,
    SecretLocationAccess,
)
from samverkan.cases.tests.routes import API_ROUTES, WEB_ROUTES
from samverkan.cases.workflow import MilestoneKind
from samverkan.screening.models import Screening

Kind = Organisation.Kind
C = Category
Audience = CaseNote.Audience

# --- Who is who -------------------------------------------------------------------

ORGANISATIONS = {
    "police": Kind.POLICE,
    "ngo": Kind.NGO,
    "coord": Kind.COORDINATION_AGENCY,
    "migration": Kind.MIGRATION,
    "shelter": Kind.SHELTER,
}
# Leads the foreign and the emergency-access cases; nobody in it is an actor.
OTHER = "other"
ACTORS = [(org, role) for org in ORGANISATIONS for role in Role.values]

# The roles that open each kind of page, whatever the case.
CASE_READERS = frozenset(
    {Role.FRONTLINE, Role.CASE_MANAGER, Role.COORDINATOR, Role.SERVICE_PROVIDER}
)
CASE_WORKERS = CASE_READERS - {Role.SERVICE_PROVIDER}
DECIDERS = frozenset({Role.CASE_MANAGER, Role.COORDINATOR})  # close, keep from law enforcement
EVERYONE = frozenset(Role.values)
# Police and prosecution state why they consult a case.
PURPOSE_REQUIRED = frozenset({"police"})
# Organisations that may keep a case they lead from law enforcement.
CONFIDENTIALITY_ORGANISATIONS = frozenset({"ngo", "shelter"})
# Who records "referred to assistance" (after "needs assessed").
ASSISTING = frozenset({"ngo", "shelter", "coord"})

# --- The cases and what each organisation may see of them ---------------------------

LEADS = {
    "own_police": "police",
    "own_coord": "coord",
    "own_migration": "migration",
    "own_shelter": "shelter",
    "shared": "ngo",
    "confidential": "ngo",
    "withdrawn": "ngo",
    "foreign": OTHER,
    "breakglass": OTHER,
}
CASE_KEYS = list(LEADS)
MISSING = "missing"  # a uuid that is no case

LEAD = frozenset(Category.values) - {C.SECRET_LOCATION}
# (organisation, case) -> the categories a case role of it sees.
GRANTS: dict[tuple[str, str], frozenset[str]] = {
    ("police", "own_police"): LEAD,
    ("coord", "own_coord"): LEAD,
    # A migration authority sees immigration status only with consent, even as lead.
    ("migration", "own_migration"): LEAD - {C.IMMIGRATION},
    ("shelter", "own_shelter"): LEAD,
    ("ngo", "own_shelter"): frozenset({C.METADATA, C.SOCIAL, C.NOTES}),
    ("ngo", "shared"): LEAD,
    ("police", "shared"): frozenset({C.METADATA, C.IDENTITY, C.EXPLOITATION, C.LEGAL}),
    ("coord", "shared"): frozenset(
        {C.METADATA, C.IDENTITY, C.HEALTH, C.IMMIGRATION, C.EXPLOITATION}
    ),
    ("migration", "shared"): frozenset({C.METADATA, C.IDENTITY, C.IMMIGRATION}),
    ("shelter", "shared"): frozenset({C.METADATA, C.CONTACT, C.HEALTH, C.SOCIAL, C.NOTES}),
    ("ngo", "confidential"): LEAD,
    # Not the police: their share is back in force in the database, and the
    # flag alone must keep the case from them.
    ("shelter", "confidential"): frozenset({C.METADATA, C.SOCIAL}),
    ("ngo", "withdrawn"): LEAD,
}
# Emergency access: read-only, everything but the secret location.
BREAK_GLASS = frozenset({("coord", Role.COORDINATOR, "breakglass")})
# Named for the secret location: whoever wrote it down (the opener), and one participant.
NAMED = frozenset(
    {("police", Role.CASE_MANAGER, "own_police")}
    | {("coord", Role.CASE_MANAGER, "own_coord")}
    | {("migration", Role.CASE_MANAGER, "own_migration")}
    | {("shelter", Role.CASE_MANAGER, "own_shelter")}
    | {("ngo", Role.CASE_MANAGER, case) for case in ("shared", "confidential", "withdrawn")}
    | {("shelter", Role.CASE_MANAGER, "shared")}
)

# --- How the world is built (what was recorded, not what anyone may see) ------------

# case -> (kinds the consent names, [(recipient, categories, purpose)])
SHARE_SEEDS = {
    "own_shelter": ([Kind.NGO], [("ngo", [C.SOCIAL, C.NOTES], Purpose.ASSISTANCE)]),
    "shared": (
        [Kind.POLICE, Kind.COORDINATION_AGENCY, Kind.MIGRATION, Kind.SHELTER],
        [
            ("police", [C.IDENTITY, C.EXPLOITATION, C.LEGAL], Purpose.LAW_ENFORCEMENT),
            (
                "coord",
                [C.IDENTITY, C.HEALTH, C.IMMIGRATION, C.EXPLOITATION],
                Purpose.IDENTIFICATION,
            ),
            ("migration", [C.IDENTITY, C.IMMIGRATION], Purpose.IDENTIFICATION),
            ("shelter", [C.CONTACT, C.HEALTH, C.SOCIAL, C.NOTES], Purpose.ASSISTANCE),
        ],
    ),
    "confidential": (
        [Kind.POLICE, Kind.SHELTER],
        [
            ("police", [C.EXPLOITATION, C.LEGAL], Purpose.LAW_ENFORCEMENT),
            ("shelter", [C.SOCIAL], Purpose.ASSISTANCE),
        ],
    ),
    "withdrawn": (
        [Kind.POLICE, Kind.COORDINATION_AGENCY, Kind.MIGRATION, Kind.SHELTER],
        [
            (org, [C.IDENTITY, C.HEALTH, C.NOTES], Purpose.ASSISTANCE)
            for org in ("police", "coord", "migration", "shelter")
        ],
    ),
}
NEEDS = MilestoneKind.NEEDS_ASSESSED
REFLECTION = MilestoneKind.REFLECTION_PERIOD_GRANTED
PROCEEDINGS = MilestoneKind.PROCEEDINGS_INITIATED
# case -> [(recorder, milestone, the category its evidence belongs to)]; None: no evidence,
# as the recorder does not see that category itself and so may not write it.
MILESTONE_SEEDS = {
    "own_police": [("police", REFLECTION, C.IMMIGRATION)],
    "own_coord": [("coord", NEEDS, C.SOCIAL)],
    # Without consent a migration authority does not see immigration details, even as lead.
    "own_migration": [("migration", REFLECTION, None)],
    "own_shelter": [("shelter", NEEDS, C.SOCIAL)],
    "shared": [
        ("ngo", NEEDS, C.SOCIAL),
        ("police", PROCEEDINGS, C.LEGAL),
        ("migration", REFLECTION, C.IMMIGRATION),
    ],
    "confidential": [("ngo", NEEDS, C.SOCIAL), ("police", PROCEEDINGS, C.LEGAL)],
    "withdrawn": [("ngo", NEEDS, C.SOCIAL)],
    "foreign": [("other", NEEDS, C.SOCIAL)],
    "breakglass": [("other", NEEDS, C.SOCIAL)],
}
# case -> [(author, audience)]
NOTE_SEEDS = {
    "own_police": [("police", Audience.OWN_ORGANISATION)],
    "own_shelter": [
        ("shelter", Audience.EVERYONE),
        ("shelter", Audience.LEAD),
        ("shelter", Audience.OWN_ORGANISATION),
    ],
    "shared": [
        ("ngo", Audience.EVERYONE),
        ("ngo", Audience.OWN_ORGANISATION),
        ("ngo", Audience.LEAD),
        ("shelter", Audience.LEAD),
        ("shelter", Audience.OWN_ORGANISATION),
    ],
    "confidential": [("ngo", Audience.EVERYONE)],
    "withdrawn": [("ngo", Audience.EVERYONE)],
    "breakglass": [
        ("other", Audience.EVERYONE),
        ("other", Audience.LEAD),
        ("other", Audience.OWN_ORGANISATION),
    ],
}
# Open deadlines (the reflection period) by responsible organisation: the lead.
DEADLINES = {"police": {"own_police"}, "migration": {"own_migration"}, "ngo": {"shared"}}
# Cases with a consent in force that covers the share the matrix posts.
SHAREABLE_NOW = frozenset({"shared", "own_shelter", "confidential"})
# Cases with a share not revoked (the consent-withdrawn case's shares are not revoked).
REVOCABLE = frozenset({"shared", "own_shelter", "confidential", "withdrawn"})
WITHDRAWABLE = frozenset({"shared", "own_shelter", "confidential"})
HAS_NEEDS_ASSESSED = frozenset(
    case for case, seeds in MILESTONE_SEEDS.items() if any(kind == NEEDS for _o, kind, _c in seeds)
)

# --- Canaries: a distinctive value in every sealed field of every case -------------

DATE_OF_BIRTH = date(1990, 5, 17)
PURPOSE = "Preliminary investigation 5000-K4711-25"
SEALED_WORDS = {
    C.IDENTITY: ("given", "family"),
    C.CONTACT: ("contact",),
    C.SECRET_LOCATION: ("secretlocation",),
    C.HEALTH: ("health",),
    C.IMMIGRATION: ("immigration",),
    C.EXPLOITATION: ("exploitation",),
    C.SOCIAL: ("social",),
    C.LEGAL: ("legal",),
}
CANARY = re.compile(r"QxCanary[A-Za-z0-9]+")
CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*"')


def canary(case: str, word: str) -> str:
    return f"QxCanary{case.replace('_', '').capitalize()}Z{word}"


def note_canary(case: str, author: str, audience: str) -> str:
    return canary(case, f"note{author}{audience}")


def evidence_canary(case: str, recorder: str) -> str:
    return canary(case, f"evidence{recorder}")


# --- The oracle ------------------------------------------------------------------


def categories(org: str, role: str, case: str) -> frozenset[str]:
    if role not in CASE_READERS or case == MISSING:
        return frozenset()
    granted = GRANTS.get((org, case), frozenset())
    if (org, role, case) in BREAK_GLASS:
        granted = LEAD
    if granted and (org, role, case) in NAMED:
        granted |= {C.SECRET_LOCATION}
    return granted


def relation(org: str, role: str, case: str) -> str:
    if case == MISSING:
        return "missing"
    if LEADS[case] == org:
        return "own"
    if (org, role, case) in BREAK_GLASS:
        return "break-glass"
    if (org, case) in GRANTS:
        return "participating"
    if case == "confidential" and org == "police":
        return "confidential-from-law-enforcement"
    if case == "withdrawn":
        return "consent-withdrawn"
    return "foreign"


def visible_canaries(org: str, role: str, case: str) -> set[str]:
    shown = categories(org, role, case)
    if not shown:
        return set()
    lead = LEADS[case] == org
    found = {
        canary(case, word)
        for category, words in SEALED_WORDS.items()
        if category in shown
        for word in words
    }
    if C.NOTES in shown:
        found |= {
            note_canary(case, author, audience)
            for author, audience in NOTE_SEEDS.get(case, [])
            if author == org
            or audience == Audience.EVERYONE
            or (audience == Audience.LEAD and lead)
        }
    found |= {
        evidence_canary(case, recorder)
        for recorder, _kind, category in MILESTONE_SEEDS.get(case, [])
        if category is not None and category in shown
    }
    return found


def may(org: str, role: str, case: str, action: str) -> bool:
    """The per-case rules for writes, as the design states them."""
    shown = categories(org, role, case)
    if not shown:
        return False
    lead = LEADS[case] == org
    member = lead or (org, case) in GRANTS  # emergency access is read-only
    own = GRANTS.get((org, case), frozenset())  # ... and lends no category to writes
    rules = {
        "note": role in CASE_READERS and member and C.NOTES in own,
        "milestone": role in CASE_READERS and member,
        "share": role in CASE_WORKERS and lead,
        "consent": role in CASE_WORKERS and lead,
        "confidential": role in DECIDERS and lead and org in CONFIDENTIALITY_ORGANISATIONS,
        "close": role in DECIDERS and lead,
        "secret_location.manage": role == Role.CASE_MANAGER and lead,
        "secret_location.write": member and C.SECRET_LOCATION in shown,
        "screening": role in CASE_READERS and member and C.EXPLOITATION in own,
    }
    return rules[action]


# --- The world --------------------------------------------------------------------


@dataclass
class World:
    organisations: dict[str, Organisation]
    members: dict[tuple[str, str], Membership]
    cases: dict[str, Case]
    missing: uuid.UUID
    # What the writes name beside the case, by case: the consent in force a share
    # rests on, a consent to withdraw and a share to end. Where a case has none,
    # another case's (which must be out of reach through this one).
    share_basis: dict[str, uuid.UUID]
    consent: dict[str, uuid.UUID]
    share: dict[str, uuid.UUID]

    def case_uuid(self, case: str) -> uuid.UUID:
        return self.missing if case == MISSING else self.cases[case].uuid


def _member(organisation: Organisation, key: str, role: str) -> Membership:
    user = User.objects.create_user(
        f"{key}-{role}@matrix.example", None, full_name=f"Matrix {key} {role}"
    )
    TOTP.activate(user, generate_totp_secret())
    return Membership.objects.create(user=user, organisation=organisation, role=role)


def _open(actor: Membership, case: str) -> Case:
    opened = services.open_case(
        actor=actor,
        identity=services.Identity(
            given_names=canary(case, "given"),
            family_name=canary(case, "family"),
            date_of_birth=DATE_OF_BIRTH,
        ),
        sex="female",
        municipality="Malmö",
        exploitation_forms=["labour"],
        contact=canary(case, "contact"),
        secret_location=canary(case, "secretlocation"),
        health=canary(case, "health"),
        immigration=canary(case, "immigration"),
        exploitation_details=canary(case, "exploitation"),
        social_needs=canary(case, "social"),
    )
    # No service writes the legal details yet; seal them as a service would.
    opened.seal("legal_details", canary(case, "legal"))
    opened.save(update_fields=["legal_details"])
    return opened


def build_world() -> World:
    organisations = {
        key: Organisation.objects.create(name=f"Matrix {key}", kind=kind, country="SE")
        for key, kind in {**ORGANISATIONS, OTHER: Kind.NGO}.items()
    }
    members = {(org, role): _member(organisations[org], org, role) for org, role in ACTORS}
    members[OTHER, Role.CASE_MANAGER] = _member(organisations[OTHER], OTHER, Role.CASE_MANAGER)

    def manager(org: str) -> Membership:
        return members[org, Role.CASE_MANAGER]

    cases = {key: _open(manager(lead), key) for key, lead in LEADS.items()}
    today = timezone.localdate()
    consents = {}
    for key, (kinds, shares) in SHARE_SEEDS.items():
        case, lead = cases[key], manager(LEADS[key])
        consents[key] = services.record_consent(
            actor=lead,
            case=case,
            basis=LegalBasis.CONSENT,
            categories=sorted(set(Category.values) - {C.SECRET_LOCATION}),
            purposes=list(Purpose.values),
            organisation_kinds=kinds,
        )
        for org, shared, purpose in shares:
            services.share_case(
                actor=lead,
                case=case,
                organisation=organisations[org],
                purpose=purpose,
                categories=shared,
                basis=consents[key],
            )
    for key, seeds in MILESTONE_SEEDS.items():
        for recorder, kind, category in seeds:
            services.record_milestone(
                actor=manager(recorder),
                case=cases[key],
                kind=kind,
                occurred_on=today,
                evidence=evidence_canary(key, recorder) if category else "",
            )
    for key, seeds in NOTE_SEEDS.items():
        for author, audience in seeds:
            services.add_note(
                actor=manager(author),
                case=cases[key],
                body=note_canary(key, author, audience),
                audience=audience,
            )
    services.name_for_secret_location(
        actor=manager("ngo"), case=cases["shared"], membership=manager("shelter")
    )
    # The police took part, then the NGO kept the case from law enforcement. The
    # share is put back in force directly, so that the flag alone must hide the case.
    services.set_confidential_from_law_enforcement(
        actor=manager("ngo"), case=cases["confidential"], confidential=True
    )
    Participation.objects.filter(
        case=cases["confidential"], organisation=organisations["police"]
    ).update(revoked_at=None, revoked_by=None)
    services.withdraw_consent(
        actor=manager("ngo"), case=cases["withdrawn"], consent=consents["withdrawn"]
    )
    services.break_glass(
        actor=members["coord", Role.COORDINATOR],
        case_number=cases["breakglass"].number,
        reason="A child is reported missing from the shelter tonight.",
        minutes=BreakGlassAccess.MAX_MINUTES,
    )
    # Grants nobody may hold (wrong role or organisation) and one that expired.
    now = timezone.now()
    for org, role in [(org, Role.COORDINATOR) for org in ORGANISATIONS if org != "coord"] + [
        ("coord", Role.FRONTLINE),
        ("coord", Role.CASE_MANAGER),
    ]:
        BreakGlassAccess.objects.create(
            case=cases["breakglass"],
            membership=members[org, role],
            reason="Not a coordinator of the coordination agency.",
            expires_at=now + timedelta(minutes=30),
        )
    BreakGlassAccess.objects.create(
        case=cases["foreign"],
        membership=members["coord", Role.COORDINATOR],
        reason="Expired a while ago.",
        started_at=now - timedelta(hours=2),
        expires_at=now - timedelta(hours=1),
    )
    services.record_anonymous_notification(
        actor=members["ngo", Role.FRONTLINE],
        notified_on=today,
        municipality="Lund",
        sex="female",
        age_group="25-34",
        citizenship="RO",
        exploitation_forms=["labour"],
        indicators=[],
    )
    share_basis, consent, share = {}, {}, {}
    for key, case in cases.items():
        of_person = Consent.objects.filter(person=case.person)
        in_force = of_person.in_force().first()
        share_basis[key] = in_force.uuid if in_force else uuid.uuid4()
        consent[key] = (of_person.first() or Consent.objects.in_force().first()).uuid
        shares = Participation.objects.filter(case=case, revoked_at__isnull=True)
        chosen = shares.filter(organisation=organisations["shelter"]).first() or shares.first()
        share[key] = (chosen or Participation.objects.filter(case=cases["shared"]).first()).uuid
    missing = uuid.uuid4()
    for lookup in (share_basis, consent, share):
        lookup[MISSING] = lookup["shared"]
    return World(organisations, members, cases, missing, share_basis, consent, share)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once; rolled back when the module is done. Each test runs in a savepoint."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- Reading answers ----------------------------------------------------------------

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
CASE_LINK = re.compile(rf"/cases/({UUID})/")
NOT_FOUND = {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}
WITHHELD = {"withheld": True}
API_CATEGORIES = [C.IDENTITY, C.CONTACT, C.SECRET_LOCATION, C.HEALTH]
API_CATEGORIES += [C.IMMIGRATION, C.EXPLOITATION, C.SOCIAL, C.LEGAL]


# What a case write could change: every row count, plus the columns changed in place.
WRITTEN_MODELS = [
    Case,
    Person,
    Milestone,
    CaseNote,
    CaseEvent,
    Participation,
    Consent,
    SecretLocationAccess,
    BreakGlassAccess,
    Deadline,
    Notification,
    AnonymousNotification,
    Screening,
]
CHANGED_IN_PLACE = [
    (Case, "count(*) FILTER (WHERE closed_at IS NOT NULL)"),
    (Case, "count(*) FILTER (WHERE confidential_from_law_enforcement)"),
    (Case, "string_agg(stage || identification_status, ',' ORDER BY id)"),
    (Person, "md5(string_agg(secret_location, ',' ORDER BY id))"),
    (Participation, "count(*) FILTER (WHERE revoked_at IS NULL)"),
    (Consent, "count(*) FILTER (WHERE withdrawn_at IS NULL)"),
    (SecretLocationAccess, "count(*) FILTER (WHERE revoked_at IS NULL)"),
    (Deadline, "count(*) FILTER (WHERE completed_at IS NULL)"),
    (Notification, "count(*) FILTER (WHERE read_at IS NULL)"),
]


def _scalar(expression: str, model, where: str = "") -> str:
    # Names from the models' own metadata, never from input.
    return " ".join(["(SELECT", expression, "FROM", model._meta.db_table, where]) + ")"


FINGERPRINT_SQL = "SELECT " + ", ".join(
    [_scalar("string_agg(action, ',' ORDER BY sequence)", AuditEntry, "WHERE request_id = %s")]
    + [_scalar("count(*)", model) for model in WRITTEN_MODELS]
    + [_scalar(expression, model) for model, expression in CHANGED_IN_PLACE]
)


def fingerprint(request_id: str = "") -> tuple[tuple, list[str]]:
    """The state of everything a case write could change, and the audit actions
    of one request, in one round trip (it costs more than the counting)."""
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT_SQL, [request_id])
        actions, *state = cursor.fetchone()
    return tuple(state), actions.split(",") if actions else []


def audit_of(response) -> list[tuple[str, str, list[str]]]:
    """The audit entries the request wrote: (action, object, categories)."""
    entries = AuditEntry.objects.filter(request_id=response["X-Request-ID"]).order_by("sequence")
    return list(entries.values_list("action", "object_id", "categories"))


def normalised(body: str, path: str) -> str:
    """A page without what differs between two identical answers: the CSRF mask and the path."""
    return CSRF_VALUE.sub(r"\1-", body).replace(path, "<path>")


class Run:
    """One actor's walk through the matrix; every mismatch is collected, not raised."""

    def __init__(self, world: World, client, org: str, role: str):
        self.world, self.client, self.org, self.role = world, client, org, role
        self.failures: list[str] = []
        self.exercised: set[str] = set()
        self.pristine, _actions = fingerprint()
        # "Not yours" must look exactly like "not there".
        response = client.get("/cases/no-such-page/")
        assert response.status_code == 404
        self.not_found = normalised(response.content.decode(), "/cases/no-such-page/")
        self.visible = {case for case in CASE_KEYS if categories(org, role, case)}
        self.today = timezone.localdate().isoformat()

    # --- expectations

    def cats(self, case: str) -> frozenset[str]:
        return categories(self.org, self.role, case)

    def may(self, case: str, action: str) -> bool:
        return case != MISSING and may(self.org, self.role, case, action)

    def gated(self, roles, ok, *, api: bool):
        """The status when the role-level gate is ``roles``; ``ok`` past it."""
        if self.role not in roles:
            return 403 if api else 404
        return ok

    # --- requests

    def send(self, name: str, method: str, path: str, *, data=None, api=False, headers=None):
        assert resolve(path).url_name == name, (path, name)
        self.exercised.add(name)
        headers = dict(headers or {})
        if api and method == "POST":
            response = self.client.post(
                path, json.dumps(data or {}), content_type="application/json", headers=headers
            )
        elif method == "POST":
            response = self.client.post(path, data or {}, headers=headers)
        else:
            response = self.client.get(path, headers=headers)
        # A success message would show on the next page and make two 404s differ.
        self.client.cookies.pop("messages", None)
        return response

    def write(self, name: str, path: str, *, data=None, api=False, headers=None):
        """Send a change and undo it; returns the response, what it wrote and the audit."""
        with transaction.atomic():
            response = self.send(name, "POST", path, data=data, api=api, headers=headers)
            wrote, actions = False, []
            if response.status_code >= 400:
                # Every write is undone, so the world is always the pristine one.
                state, actions = fingerprint(response["X-Request-ID"])
                wrote = state != self.pristine
            transaction.set_rollback(True)
        return response, wrote, actions

    # --- checks

    def fail(self, name: str, case: str | None, message: str) -> None:
        where = f" on {case} ({relation(self.org, self.role, case)})" if case else ""
        self.failures.append(f"{name}{where}: {message}")

    def check(self, name, case, response, expected, *, path, shows=frozenset(), exact=False):
        """Status, canaries, other cases' numbers and uuids, and the one 404."""
        expected = expected if isinstance(expected, set | frozenset) else {expected}
        if response.status_code not in expected:
            self.fail(name, case, f"status {response.status_code}, expected {sorted(expected)}")
        body = response.content.decode()
        found = set(CANARY.findall(body))
        if found - set(shows):
            self.fail(name, case, f"reveals {sorted(found - set(shows))}")
        if exact and response.status_code == 200 and set(shows) - found:
            self.fail(name, case, f"does not show {sorted(set(shows) - found)}")
        unrelated = body.replace(path, "")
        for key in set(CASE_KEYS) - self.visible:
            other = self.world.cases[key]
            if other.number in body or str(other.uuid) in unrelated:
                self.fail(name, case, f"names the case {key} it may not see")
        if response.status_code == 404:
            self.check_not_found(name, case, response, path)

    def check_not_found(self, name, case, response, path) -> None:
        if name.startswith("api-"):
            if response.json() != NOT_FOUND:
                self.fail(name, case, f"404 body {response.json()}")
            return
        if normalised(response.content.decode(), path) != self.not_found:
            self.fail(name, case, "404 differs from the one for a page that does not exist")

    def check_wrote_nothing(self, name, case, response, wrote, actions) -> None:
        if response.status_code < 400:
            return
        if wrote:
            self.fail(name, case, f"refused ({response.status_code}) but wrote")
        allowed = {"case.access_denied"} | (
            {"case.viewed"} if response.status_code == 400 else set()
        )
        if set(actions) - allowed:
            self.fail(name, case, f"refused but audited {actions}")

    def check_case_set(self, name, got: set[str], expected: set[str]) -> None:
        keys = {str(case.uuid): key for key, case in self.world.cases.items()}
        got_keys = {keys.get(value, value) for value in got}
        if got_keys != expected:
            self.fail(name, None, f"lists {sorted(got_keys)}, expected {sorted(expected)}")

    def check_one_audit_entry(self, name, case, response) -> None:
        """L2: the request wrote exactly one entry, about the case, with the categories shown."""
        case_uuid = str(self.world.case_uuid(case))
        entries = audit_of(response)
        if response.status_code == 200:
            expected = [("case.viewed", case_uuid, sorted(self.cats(case)))]
        else:
            # Refused for the case or, before any case is looked up, for the role.
            expected = [("case.access_denied", case_uuid, [])]
        if entries != expected:
            self.fail(name, case, f"audit {entries}, expected {expected}")

    # --- the pages and endpoints without a case

    def lists(self) -> None:
        visible = self.visible
        readers, workers = CASE_READERS, CASE_WORKERS
        purpose = {"X-Purpose": PURPOSE}

        response = self.send("case-list", "GET", "/cases/")
        self.check("case-list", None, response, self.gated(readers, 200, api=False), path="/cases/")
        if response.status_code == 200:
            self.check_case_set("case-list", set(CASE_LINK.findall(response.text)), visible)

        path = reverse("case-search")
        data = {"date_of_birth": DATE_OF_BIRTH.isoformat(), "purpose": PURPOSE}
        response = self.send("case-search", "POST", path, data=data)
        self.check("case-search", None, response, self.gated(readers, 200, api=False), path=path)
        if response.status_code == 200:
            self.check_case_set("case-search", set(CASE_LINK.findall(response.text)), visible)

        for name, roles in [
            ("case-open", workers),
            ("anonymous-notification-list", workers),
            ("anonymous-notification-new", workers),
            ("notification-list", EVERYONE),
            ("country-configuration", {Role.PLATFORM_ADMIN}),
        ]:
            path = reverse(name)
            response = self.send(name, "GET", path)
            self.check(name, None, response, self.gated(roles, 200, api=False), path=path)

        # Emergency access: coordinators of the coordination agency only.
        path = reverse("break-glass")
        response = self.send("break-glass", "GET", path)
        ok = 200 if self.org == "coord" else 404
        self.check(
            "break-glass", None, response, self.gated({Role.COORDINATOR}, ok, api=False), path=path
        )

        path = reverse("deadline-list")
        response = self.send("deadline-list", "GET", path)
        self.check("deadline-list", None, response, self.gated(readers, 200, api=False), path=path)
        if response.status_code == 200:
            expected = DEADLINES.get(self.org, set())
            self.check_case_set("deadline-list", set(CASE_LINK.findall(response.text)), expected)

        path = reverse("notifications-read")
        response, _wrote, _actions = self.write("notifications-read", path)
        self.check("notifications-read", None, response, 302, path=path)

        path = reverse("api-cases")
        response = self.send("api-cases", "GET", path, api=True, headers=purpose)
        self.check("api-cases", None, response, self.gated(readers, 200, api=True), path=path)
        if response.status_code == 200:
            got = {row["uuid"] for row in response.json()["results"]}
            self.check_case_set("api-cases", got, visible)
        body = {
            "identity": {"given_names": "Matrix Person"},
            "sex": "female",
            "exploitation_forms": ["labour"],
        }
        response, wrote, actions = self.write(
            "api-cases", path, data=body, api=True, headers=purpose
        )
        self.check("api-cases", None, response, self.gated(workers, 201, api=True), path=path)
        self.check_wrote_nothing("api-cases", None, response, wrote, actions)

        path = reverse("api-case-search")
        body = {"date_of_birth": DATE_OF_BIRTH.isoformat()}
        response = self.send("api-case-search", "POST", path, data=body, api=True, headers=purpose)
        self.check("api-case-search", None, response, self.gated(readers, 200, api=True), path=path)
        if response.status_code == 200:
            got = {row["uuid"] for row in response.json()["results"]}
            self.check_case_set("api-case-search", got, visible)

        path = reverse("api-deadlines")
        response = self.send("api-deadlines", "GET", path, api=True)
        self.check("api-deadlines", None, response, self.gated(readers, 200, api=True), path=path)
        if response.status_code == 200:
            got = {row["case"]["uuid"] for row in response.json()["results"]}
            self.check_case_set("api-deadlines", got, DEADLINES.get(self.org, set()))

        path = reverse("api-anonymous-notifications")
        response = self.send("api-anonymous-notifications", "GET", path, api=True)
        expected = self.gated(workers, 200, api=True)
        self.check("api-anonymous-notifications", None, response, expected, path=path)
        body = {
            "notified_on": self.today,
            "municipality": "Lund",
            "sex": "female",
            "age_group": "25-34",
            "exploitation_forms": ["labour"],
        }
        response, wrote, actions = self.write(
            "api-anonymous-notifications", path, data=body, api=True
        )
        expected = self.gated(workers, 201, api=True)
        self.check("api-anonymous-notifications", None, response, expected, path=path)
        self.check_wrote_nothing("api-anonymous-notifications", None, response, wrote, actions)

    # --- one case

    def case(self, case: str) -> None:
        w = self.world
        case_uuid = w.case_uuid(case)
        visible = bool(self.cats(case))
        shows = visible_canaries(self.org, self.role, case) if case != MISSING else set()
        readers = CASE_READERS
        purpose = {"X-Purpose": PURPOSE}
        detail = reverse("case-detail", args=[case_uuid])
        api_detail = reverse("api-case-detail", args=[case_uuid])

        if self.org in PURPOSE_REQUIRED:
            # Without a stated purpose the police get the purpose form, and nothing of the case.
            response = self.send("case-detail", "GET", detail)
            entries = audit_of(response)
            self.check(
                "case-detail",
                case,
                response,
                self.gated(readers, 200 if visible else 404, api=False),
                path=detail,
            )
            if response.status_code == 200 and 'name="purpose"' not in response.text:
                self.fail("case-detail", case, "shows the case before a purpose is stated")
            response = self.send("api-case-detail", "GET", api_detail, api=True)
            entries += audit_of(response)
            self.check(
                "api-case-detail",
                case,
                response,
                self.gated(readers, 400 if visible else 404, api=True),
                path=api_detail,
            )
            if any(action == "case.viewed" for action, _object, _categories in entries):
                self.fail("case-detail", case, "a read without purpose was logged as viewed")

        # The purpose is stated on its form and kept in the session (not rolled back).
        path = reverse("case-purpose", args=[case_uuid])
        response = self.send("case-purpose", "POST", path, data={"purpose": PURPOSE})
        self.check(
            "case-purpose",
            case,
            response,
            self.gated(readers, 302 if visible else 404, api=False),
            path=path,
        )
        if fingerprint()[0] != self.pristine:
            self.fail("case-purpose", case, "stating a purpose wrote to the case")

        response = self.send("case-detail", "GET", detail)
        expected = self.gated(readers, 200 if visible else 404, api=False)
        self.check("case-detail", case, response, expected, path=detail, shows=shows, exact=True)
        self.check_one_audit_entry("case-detail", case, response)

        response = self.send("api-case-detail", "GET", api_detail, api=True, headers=purpose)
        expected = self.gated(readers, 200 if visible else 404, api=True)
        self.check(
            "api-case-detail", case, response, expected, path=api_detail, shows=shows, exact=True
        )
        self.check_one_audit_entry("api-case-detail", case, response)
        if response.status_code == 200:
            body = response.json()
            shown = {C.METADATA} | {
                category for category in API_CATEGORIES if body["categories"][category] != WITHHELD
            }
            if body["notes"] != WITHHELD:
                shown.add(C.NOTES)
            if shown != self.cats(case):
                self.fail(
                    "api-case-detail",
                    case,
                    f"shows {sorted(shown)}, expected {sorted(self.cats(case))}",
                )

        path = reverse("api-case-screenings", args=[case_uuid])
        response = self.send("api-case-screenings", "GET", path, api=True, headers=purpose)
        expected = self.gated(readers, 200 if visible else 404, api=True)
        self.check("api-case-screenings", case, response, expected, path=path, shows=set())
        if response.status_code == 200:
            withheld = C.EXPLOITATION not in self.cats(case)
            if response.json().get("withheld") is not withheld:
                self.fail("api-case-screenings", case, f"withheld is not {withheld}")
            read = [C.EXPLOITATION] if not withheld else []
            if audit_of(response) != [("case.screenings_viewed", str(case_uuid), read)]:
                self.fail("api-case-screenings", case, f"audit {audit_of(response)}")

        self.case_writes(case, case_uuid, shows)

    def case_writes(self, case: str, case_uuid, shows) -> None:
        w = self.world
        readers = CASE_READERS
        purpose = {"X-Purpose": PURPOSE}
        lead = LEADS.get(case)
        # "Referred to assistance" follows "needs assessed" and is for assisting organisations.
        # Its evidence is social needs: written only by those who see them on their own standing.
        sees_evidence = lead == self.org or C.SOCIAL in GRANTS.get((self.org, case), frozenset())
        records = (
            self.role in CASE_WORKERS
            and self.org in ASSISTING
            and case in HAS_NEEDS_ASSESSED
            and sees_evidence
        )

        def expect(action: str, ok: int, *, api=False):
            if self.role not in readers:
                return 403 if api else 404
            return ok if self.may(case, action) else 404

        def cell(name, path, data, expected, *, api=False):
            response, wrote, actions = self.write(
                name, path, data=data, api=api, headers=purpose if api else None
            )
            self.check(name, case, response, expected, path=path, shows=shows)
            self.check_wrote_nothing(name, case, response, wrote, actions)

        milestone = {"kind": MilestoneKind.REFERRED_TO_ASSISTANCE, "occurred_on": self.today}
        milestone["evidence"] = "Matrix evidence"
        page_milestone = {f"milestone-{key}": value for key, value in milestone.items()}
        cell(
            "case-milestone",
            reverse("case-milestone", args=[case_uuid]),
            page_milestone,
            expect("milestone", 302 if records else 400),
        )
        cell(
            "api-case-milestones",
            reverse("api-case-milestones", args=[case_uuid]),
            milestone,
            expect("milestone", 201 if records else 400, api=True),
            api=True,
        )

        note = {"body": "Matrix note", "audience": Audience.EVERYONE}
        cell(
            "case-note",
            reverse("case-note", args=[case_uuid]),
            {f"note-{key}": value for key, value in note.items()},
            expect("note", 302),
        )
        cell(
            "api-case-notes",
            reverse("api-case-notes", args=[case_uuid]),
            note,
            expect("note", 201, api=True),
            api=True,
        )
        screening = {
            "catalogue": "ilo-forced-labour",
            "version": "2012.1",
            "set": "forced_labour",
            "language": "en",
        }
        cell(
            "case-screening",
            reverse("case-screening", args=[case_uuid]),
            {**screening, "step": "answer", "audience": "adult", "FL-07": "yes"},
            expect("screening", 302),
        )
        cell(
            "api-case-screenings",
            reverse("api-case-screenings", args=[case_uuid]),
            {**screening, "answers": {"FL-07": "yes", "FL-08": "unknown"}},
            expect("screening", 201, api=True),
            api=True,
        )
        cell(
            "case-close",
            reverse("case-close", args=[case_uuid]),
            {"close-outcome": "other", "close-closed_on": self.today},
            expect("close", 302),
        )

        recipient = w.organisations["ngo" if lead == "shelter" else "shelter"]
        share = {
            "basis": str(w.share_basis[case]),
            "organisation": str(recipient.uuid),
            "purpose": Purpose.ASSISTANCE,
            "categories": [C.SOCIAL],
        }
        for name, ok, api in (("case-share", 302, False), ("api-case-shares", 201, True)):
            cell(
                name,
                reverse(name, args=[case_uuid]),
                share,
                expect("share", ok if case in SHAREABLE_NOW else 400, api=api),
                api=api,
            )
        for name, ok, api in (
            ("case-share-revoke", 302, False),
            ("api-case-share-revoke", 204, True),
        ):
            cell(
                name,
                reverse(name, args=[case_uuid, w.share[case]]),
                {},
                expect("share", ok if case in REVOCABLE else 404, api=api),
                api=api,
            )
        consent = {
            "basis": LegalBasis.CONSENT,
            "categories": [C.SOCIAL],
            "organisation_kinds": [Kind.SHELTER],
            "purposes": [Purpose.ASSISTANCE],
            "manner": Consent.Manner.SIGNED_FORM,
            "given_on": self.today,
        }
        for name, ok, api in (("case-consent", 302, False), ("api-case-consents", 201, True)):
            cell(
                name,
                reverse(name, args=[case_uuid]),
                consent,
                expect("consent", ok, api=api),
                api=api,
            )
        for name, ok, api in (
            ("case-consent-withdraw", 302, False),
            ("api-case-consent-withdraw", 200, True),
        ):
            cell(
                name,
                reverse(name, args=[case_uuid, w.consent[case]]),
                {},
                expect("consent", ok if case in WITHDRAWABLE else 404, api=api),
                api=api,
            )
        cell(
            "case-confidential",
            reverse("case-confidential", args=[case_uuid]),
            {"confidential": "on"},
            expect("confidential", 302),
        )
        cell(
            "case-secret-location",
            reverse("case-secret-location", args=[case_uuid]),
            {"secret_location": "Matrix address"},
            expect("secret_location.write", 302),
        )
        # A colleague of the lead who may be named; the opener, who is named already.
        colleague = w.members.get((lead, Role.FRONTLINE))
        cell(
            "case-secret-location-name",
            reverse("case-secret-location-name", args=[case_uuid]),
            {"membership": str(colleague.uuid if colleague else uuid.uuid4())},
            expect("secret_location.manage", 302),
        )
        opener = w.members.get((lead, Role.CASE_MANAGER)) or w.members["ngo", Role.CASE_MANAGER]
        cell(
            "case-secret-location-remove",
            reverse("case-secret-location-remove", args=[case_uuid, opener.uuid]),
            {},
            expect("secret_location.manage", 302),
        )


ALL_ROUTES = set(WEB_ROUTES) | set(API_ROUTES)
CASE_ROUTES = {
    "case-detail",
    "case-purpose",
    "case-milestone",
    "case-note",
    "case-close",
    "case-share",
    "case-share-revoke",
    "case-consent",
    "case-consent-withdraw",
    "case-confidential",
    "case-secret-location",
    "case-secret-location-name",
    "case-secret-location-remove",
    "api-case-detail",
    "api-case-milestones",
    "api-case-notes",
    "api-case-shares",
    "api-case-share-revoke",
    "api-case-consents",
    "api-case-consent-withdraw",
    "case-screening",
    "api-case-screenings",
}
GLOBAL_ROUTES = {
    "case-list",
    "case-search",
    "case-open",
    "deadline-list",
    "notification-list",
    "notifications-read",
    "anonymous-notification-list",
    "anonymous-notification-new",
    "country-configuration",
    "break-glass",
    "api-cases",
    "api-case-search",
    "api-deadlines",
    "api-anonymous-notifications",
}


def test_every_case_url_is_in_the_matrix():
    from samverkan.cases import access_urls, api_urls, urls
    from samverkan.screening import api_urls as screening_api_urls
    from samverkan.screening import urls as screening_urls

    defined = {
        pattern.name for module in (urls, access_urls, api_urls) for pattern in module.urlpatterns
    } | {
        pattern.name
        for module in (screening_urls, screening_api_urls)
        for pattern in module.urlpatterns
        if pattern.name.startswith(("case-", "api-case-"))
    }
    assert defined == ALL_ROUTES
    assert CASE_ROUTES | GLOBAL_ROUTES == ALL_ROUTES
    assert not CASE_ROUTES & GLOBAL_ROUTES


def test_the_canaries_are_in_the_world(world, db):
    """The matrix's canaries really are in the sealed fields (so their absence means something)."""
    shared = world.cases["shared"]
    assert shared.person.unseal("health") == canary("shared", "health")
    assert shared.unseal("legal_details") == canary("shared", "legal")
    bodies = {note.unseal("body") for note in CaseNote.objects.filter(case=shared)}
    assert bodies == {note_canary("shared", a, b) for a, b in NOTE_SEEDS["shared"]}
    police = world.organisations["police"]
    assert (
        Participation.objects.in_force()
        .filter(case=world.cases["confidential"], organisation=police)
        .exists()
    )


def cases_for(org: str, role: str) -> list[str]:
    """The cases an actor walks through; the lists always hold them all.

    Another organisation's own case that is merely foreign adds nothing to
    the foreign case (which carries an expired emergency grant besides), so
    a case role meets only that one. A role the gate refuses before any case
    is looked up meets the cases its organisation sees (own, participating):
    there the role alone must refuse. Elsewhere it is the missing case again.
    """
    if role in CASE_READERS:
        return [
            case
            for case in CASE_KEYS
            if not (case.startswith("own_") and relation(org, role, case) == "foreign")
        ]
    return [case for case in CASE_KEYS if relation(org, role, case) in {"own", "participating"}]


@pytest.mark.parametrize(("org", "role"), ACTORS, ids=[f"{o}-{r}" for o, r in ACTORS])
def test_case_matrix(world, db, client, org, role):
    login_as(client, world.members[org, role])
    run = Run(world, client, org, role)
    run.lists()
    for case in [MISSING, *cases_for(org, role)]:
        run.case(case)
    assert run.exercised == ALL_ROUTES
    assert not run.failures, "\n".join(run.failures)


def test_a_refusal_by_role_is_audited_as_a_decision_about_the_case(world, db, client):
    case = world.cases["shared"]
    login_as(client, world.members["ngo", Role.PLATFORM_ADMIN])
    page = client.get(reverse("case-detail", args=[case.uuid]))
    api = client.get(reverse("api-case-detail", args=[case.uuid]))

    assert (page.status_code, api.status_code) == (404, 403)
    denied = [("case.access_denied", str(case.uuid), [])]
    assert (audit_of(page), audit_of(api)) == (denied, denied)
