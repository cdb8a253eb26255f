"""The referral, sharing and directory authorization matrix (Z1–Z2, L2).

Every role, in the sending NGO, the receiving shelter, a police force and an
unrelated shelter, against every referral, sharing and directory page and
endpoint, for a referral that is open and one that is accepted. The expected
answers come from the rules in samverkan/policy/referrals.py's docstring and
docs/permissions.md, written out below, never from the policy code. Each cell
checks the status and that no body carries the case number, the case uuid or
the message to someone who may not see them. Writes run in a savepoint that
is rolled back.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from django.urls import reverse

from conftest import login_as
from samverkan.accounts.models import Organisation, Role
from samverkan.audit.models import AuditEntry
from samverkan.cases.models import Category, Purpose
from samverkan.cases.tests import factories as case_factories
from samverkan.directory import mapping
from samverkan.referrals import services, team_services
from samverkan.referrals.tests.factories import MESSAGE, refer, shelter_service
from samverkan.referrals.tests.routes import API_ROUTES, WEB_ROUTES

Kind = Organisation.Kind
ORGANISATIONS = {
    "ngo": Kind.NGO,
    "shelter": Kind.SHELTER,
    "police": Kind.POLICE,
    "other": Kind.SHELTER,
}
ACTORS = [(org, role) for org in ORGANISATIONS for role in Role.values]
CASE_READERS = frozenset(
    {Role.FRONTLINE, Role.CASE_MANAGER, Role.COORDINATOR, Role.SERVICE_PROVIDER}
)
CASE_WORKERS = CASE_READERS - {Role.SERVICE_PROVIDER}
MAPPERS = frozenset(
    {Role.COORDINATOR, Role.CASE_MANAGER, Role.NETWORK_COORDINATOR, Role.ORGANISATION_ADMIN}
)
MANAGERS = frozenset({Role.SERVICE_PROVIDER, Role.CASE_MANAGER, Role.ORGANISATION_ADMIN})
SIDE = {"ngo": "sender", "shelter": "receiver"}
TEAM_MANAGERS = frozenset({Role.COORDINATOR, Role.ORGANISATION_ADMIN})
# The consultation is read by who asked it and the team's named member only.
CONSULTATION_READERS = frozenset({("police", Role.FRONTLINE), ("ngo", Role.CASE_MANAGER)})
CONSULTATION_CANARY = "QxConsultationCanary how do we assess this?"


@pytest.fixture
def world(db):
    orgs = {
        key: case_factories.organisation(kind, name=f"Matrix {key}")
        for key, kind in ORGANISATIONS.items()
    }
    members = {(org, role): case_factories.member(orgs[org], role) for org, role in ACTORS}
    for membership in members.values():
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        TOTP.activate(membership.user, generate_totp_secret())
    lead = members["ngo", Role.CASE_MANAGER]
    service = shelter_service(members["shelter", Role.SERVICE_PROVIDER], capacity=5)
    referrals, cases, bases = {}, {}, {}
    for key in ("open", "accepted", "team"):
        case = case_factories.open_case(lead)
        basis = case_factories.consent(
            lead,
            case,
            categories=[Category.METADATA, Category.CONTACT, Category.SOCIAL],
            kinds=[Kind.SHELTER],
            purposes=[Purpose.ASSISTANCE],
        )
        cases[key], bases[key] = case, basis
        if key != "team":
            referrals[key] = refer(lead, case, basis, service=service)
    team = team_services.team_create(
        actor=members["ngo", Role.COORDINATOR],
        name="Matrix team",
        kind="operational",
        area="Malmö",
        organisations=[orgs["shelter"]],
        members=[members["ngo", Role.CASE_MANAGER]],
    )
    # Shared with the team: the shelter gets a referral, the NGO (the lead) none.
    team_share = services.team_share_send(
        actor=lead,
        case=cases["team"],
        team=team,
        basis=bases["team"],
        purpose=Purpose.ASSISTANCE,
        categories=[Category.CONTACT],
        needs=["shelter"],
        urgency="routine",
        message=MESSAGE,
    )
    consultation = team_services.consultation_ask(
        actor=members["police", Role.FRONTLINE],
        team=team,
        subject="Matrix question",
        body=CONSULTATION_CANARY,
    )
    situation = mapping.mapping_record(
        actor=members["ngo", Role.COORDINATOR],
        municipality="Malmö",
        mapped_on=date(2025, 1, 1),
        needed_services=["legal_aid"],
    )
    services.referral_accept(
        actor=members["shelter", Role.CASE_MANAGER], referral=referrals["accepted"]
    )
    return {
        "orgs": orgs,
        "members": members,
        "service": service,
        "referrals": referrals,
        "cases": cases,
        "bases": bases,
        "team": team,
        "team_share": team_share,
        "consultation": consultation,
        "mapping": situation,
    }


def sees(org: str, role: str) -> bool:
    return role in CASE_READERS and org in SIDE


def expected(org: str, role: str, route: str, key: str) -> int:
    """The status each cell must answer, from the rules as the design states them."""
    api = route.startswith("api-")
    side = SIDE.get(org)
    opened = key == "open"
    reader = role in CASE_READERS
    if route in {"referral-inbox", "api-referrals"}:
        return 200 if reader else (403 if api else 404)
    public_or_directory = {"help", "help-country", "service-list", "service-export-hsds"}
    if route in public_or_directory | {"api-services", "api-services-hsds"}:
        return 200
    if route in {"api-consultations", "consultation-new"}:
        return 200 if reader else (403 if api else 404)
    if route in {"team-list", "api-teams", "team-detail", "api-team-detail"}:
        # Organisation admins convene teams, so they see them too.
        return 200 if reader or role == Role.ORGANISATION_ADMIN else (403 if api else 404)
    if route in {"mapping-compare", "mapping-detail", "api-mappings"}:
        return 200
    if route == "mapping-new":
        return 200 if role in MAPPERS else 404
    if route == "team-new":
        return 200 if role in {Role.COORDINATOR, Role.ORGANISATION_ADMIN} else 404
    if route.startswith(("team-member-", "api-team-members")):
        # Only the convener's (the NGO's) coordinators and organisation admins.
        if role not in TEAM_MANAGERS:
            return 403 if api else 404
        if org != "ngo":
            return 404
        return 200 if api else 302
    if route in {"team-share-new", "team-share-withdraw"}:
        if org != "ngo" or role not in CASE_WORKERS:
            return 404
        return 200 if route == "team-share-new" else 302
    if route.startswith("api-team-share"):
        if not reader:
            return 403
        if route == "api-team-share-detail":
            return 200 if org in SIDE else 404
        # Sending and withdrawing are the lead's case workers' alone.
        return (
            (201 if route == "api-team-shares" else 200)
            if (org == "ngo" and role in CASE_WORKERS)
            else 404
        )
    if route in {"consultation-detail", "api-consultation-detail"}:
        if api and not reader:
            return 403
        return 200 if (org, role) in CONSULTATION_READERS else 404
    if route == "service-new":
        return 200 if role in MANAGERS else 404
    if route in {"service-availability", "api-service-availability"}:
        if role not in MANAGERS:
            return 403 if api else 404
        if org != "shelter":
            return 404
        return 200 if api else 302
    if route in {"referral-new", "case-sharing", "api-case-sharing"}:
        if api and not reader:
            return 403
        return 200 if org == "ngo" and role in CASE_WORKERS else 404
    if not reader:
        return 403 if api else 404
    if side is None:
        return 404
    if route in {"referral-detail", "api-referral-detail"}:
        return 200
    action = route.removeprefix("api-referral-action:").removeprefix("referral-")
    receiver_actions = {"accept", "decline", "request-information", "ask"}
    if action in receiver_actions:
        if side != "receiver":
            return 404
        return (200 if api else 302) if opened else 400
    # answer (needs a question first: always "too early" here) and withdraw
    if side != "sender" or role not in CASE_WORKERS:
        return 404
    if action == "withdraw" and opened:
        return 200 if api else 302
    return 400


def cells(world, key: str):
    referral = world["referrals"][key]
    case = world["cases"][key]
    service = world["service"]
    yield "referral-inbox", "get", reverse("referral-inbox"), {}
    yield "api-referrals", "get", reverse("api-referrals"), {}
    yield "referral-detail", "get", reverse("referral-detail", args=[referral.uuid]), {}
    yield "api-referral-detail", "get", reverse("api-referral-detail", args=[referral.uuid]), {}
    posts = {
        "accept": {},
        "decline": {"reason": "no_capacity"},
        "request-information": {"question": "Which floor?"},
        "answer": {"answer": "Ground floor."},
        "withdraw": {},
    }
    for action, data in posts.items():
        yield (
            f"referral-{action}",
            "post",
            reverse(f"referral-{action}", args=[referral.uuid]),
            data,
        )
    api_posts = {
        "accept": {},
        "decline": {"reason": "no_capacity"},
        "ask": {"text": "Which floor?"},
        "answer": {"text": "Ground floor."},
        "withdraw": {},
    }
    for action, data in api_posts.items():
        url = reverse("api-referral-action", args=[referral.uuid, action])
        yield f"api-referral-action:{action}", "post", url, data
    yield "referral-new", "get", reverse("referral-new", args=[case.uuid]), {}
    yield "case-sharing", "get", reverse("case-sharing", args=[case.uuid]), {}
    yield "api-case-sharing", "get", reverse("api-case-sharing", args=[case.uuid]), {}
    consultation = world["consultation"]
    yield "team-list", "get", reverse("team-list"), {}
    yield "api-teams", "get", reverse("api-teams"), {}
    yield "team-new", "get", reverse("team-new"), {}
    yield "consultation-new", "get", reverse("consultation-new", args=[world["team"].uuid]), {}
    team, share = world["team"], world["team_share"]
    yield "team-detail", "get", reverse("team-detail", args=[team.uuid]), {}
    yield "api-team-detail", "get", reverse("api-team-detail", args=[team.uuid]), {}
    newcomer = {"member": str(world["members"]["shelter", Role.CASE_MANAGER].uuid)}
    leaver = {"organisation": str(world["orgs"]["shelter"].uuid)}
    yield "team-member-add", "post", reverse("team-member-add", args=[team.uuid]), newcomer
    yield "team-member-remove", "post", reverse("team-member-remove", args=[team.uuid]), leaver
    url = reverse("api-team-members", args=[team.uuid])
    yield "api-team-members", "post", url, newcomer
    url = reverse("api-team-members-remove", args=[team.uuid])
    yield "api-team-members-remove", "post", url, leaver
    yield "team-share-new", "get", reverse("team-share-new", args=[world["cases"]["team"].uuid]), {}
    yield "team-share-withdraw", "post", reverse("team-share-withdraw", args=[share.uuid]), {}
    # The accepted case: the shelter has no open referral of it, so a share reaches it.
    sending = {
        "case": str(world["cases"]["accepted"].uuid),
        "team": str(team.uuid),
        "basis": str(world["bases"]["accepted"].uuid),
        "purpose": Purpose.ASSISTANCE,
        "categories": [Category.CONTACT],
        "needs": ["shelter"],
        "urgency": "routine",
    }
    yield "api-team-shares", "post", reverse("api-team-shares"), sending
    yield "api-team-share-detail", "get", reverse("api-team-share-detail", args=[share.uuid]), {}
    url = reverse("api-team-share-withdraw", args=[share.uuid])
    yield "api-team-share-withdraw", "post", url, {}
    yield "api-consultations", "get", reverse("api-consultations"), {}
    url = reverse("consultation-detail", args=[consultation.uuid])
    yield "consultation-detail", "get", url, {}
    url = reverse("api-consultation-detail", args=[consultation.uuid])
    yield "api-consultation-detail", "get", url, {}
    yield "mapping-compare", "get", reverse("mapping-compare"), {}
    yield "mapping-new", "get", reverse("mapping-new"), {}
    yield "mapping-detail", "get", reverse("mapping-detail", args=[world["mapping"].uuid]), {}
    yield "api-mappings", "get", reverse("api-mappings"), {}
    yield "help", "get", reverse("help"), {}
    yield "help-country", "get", reverse("help-country", args=["SE"]), {}
    yield "service-list", "get", reverse("service-list"), {}
    yield "api-services", "get", reverse("api-services"), {}
    yield "service-export-hsds", "get", reverse("service-export-hsds"), {}
    yield "api-services-hsds", "get", reverse("api-services-hsds"), {}
    yield "service-new", "get", reverse("service-new"), {}
    url = reverse("service-availability", args=[service.uuid])
    yield "service-availability", "post", url, {"free_places": "2"}
    url = reverse("api-service-availability", args=[service.uuid])
    yield "api-service-availability", "post", url, {"free_places": 2}


def request(client, method, route, url, data):
    if method == "get":
        return client.get(url)
    if route.startswith("api-"):
        return client.post(url, data, content_type="application/json")
    return client.post(url, data)


@pytest.mark.parametrize("org", list(ORGANISATIONS))
def test_referral_matrix(world, client, org):
    failures, exercised = [], set()
    for role in Role.values:
        login_as(client, world["members"][org, role])
        for key in ("open", "accepted"):
            referral = world["referrals"][key]
            case = world["cases"][key]
            for route, method, url, data in cells(world, key):
                exercised.add(route.split(":")[0])
                with transaction.atomic():
                    before = AuditEntry.objects.filter(object_id=str(referral.uuid)).count()
                    response = request(client, method, route, url, data)
                    want = expected(org, role, route, key)
                    body = response.content.decode().replace(url, "")
                    if response.status_code != want:
                        failures.append(
                            f"{org} {role} {key} {route}: {response.status_code} != {want}"
                        )
                    # The receiver learns the case and reads the message only once it takes part.
                    # (or once its accept in this very cell succeeded).
                    just_accepted = route.endswith("accept") and want in {200, 302}
                    may_see_case = (org == "ngo" and role in CASE_READERS) or (
                        org == "shelter"
                        and role in CASE_READERS
                        and (key == "accepted" or just_accepted)
                    )
                    for secret in (case.number, str(case.uuid), MESSAGE):
                        if secret in body and not may_see_case:
                            failures.append(f"{org} {role} {key} {route}: shows {secret[:12]}")
                    if CONSULTATION_CANARY in body and (org, role) not in CONSULTATION_READERS:
                        failures.append(f"{org} {role} {route}: shows the consultation")
                    if route in {"referral-detail", "api-referral-detail"} and want == 200:
                        added = list(
                            AuditEntry.objects.filter(object_id=str(referral.uuid))
                            .order_by("sequence")
                            .values_list("action", flat=True)[before:]
                        )
                        if added != ["referral.viewed"]:
                            failures.append(f"{org} {role} {key} {route}: audit {added}")
                    transaction.set_rollback(True)
    assert exercised == set(WEB_ROUTES) | set(API_ROUTES)
    assert not failures, "\n".join(failures)


def test_every_referral_and_directory_url_is_in_the_matrix():
    from samverkan.directory import urls as directory_urls
    from samverkan.referrals import api_urls, urls

    defined = {
        pattern.name
        for module in (urls, api_urls, directory_urls)
        for pattern in module.urlpatterns
    }
    assert defined == set(WEB_ROUTES) | set(API_ROUTES)
