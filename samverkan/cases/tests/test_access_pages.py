"""The pages for who may see a case, through the HTTP client with the test world.

Cecilia (NGO case manager) leads a case with a canary in every sealed
category; whatever a page must not reveal is looked for as its canary.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from conftest import make_membership, make_user
from samverkan.accounts.models import Organisation, Role
from samverkan.audit.models import AuditEntry
from samverkan.cases import selectors
from samverkan.cases.models import (
    BreakGlassAccess,
    CaseEvent,
    Category,
    Consent,
    LegalBasis,
    Notification,
    Participation,
    Purpose,
    SecretLocationAccess,
)
from samverkan.cases.tests import factories
from samverkan.cases.tests.factories import CANARIES

REASON = "A child from this case is missing and the police ask for the shelter contact."


@pytest.fixture
def case(world):
    return factories.open_case(world.cecilia)


def page(case) -> str:
    return f"/cases/{case.uuid}/"


def canaries_in(body: str) -> set[str]:
    return {category for category, canary in CANARIES.items() if canary in body}


def consent_for(world, case, kind, categories, purposes=(Purpose.IDENTIFICATION,)) -> Consent:
    return factories.consent(
        world.cecilia, case, categories=categories, kinds=[kind], purposes=purposes
    )


def as_member(client, login, membership):
    login(client, membership)
    return client


def shared_with_coordination(world, case, categories=(Category.IDENTITY,)):
    basis = consent_for(
        world, case, Organisation.Kind.COORDINATION_AGENCY, [Category.IDENTITY, Category.HEALTH]
    )
    return factories.share(
        world.cecilia,
        case,
        world.coordination,
        basis,
        categories=categories,
        purpose=Purpose.IDENTIFICATION,
    )


# --- Sharing ---


def test_a_share_shows_the_recipient_exactly_the_shared_categories(client, world, login, case):
    basis = consent_for(
        world, case, Organisation.Kind.COORDINATION_AGENCY, [Category.IDENTITY, Category.HEALTH]
    )
    as_member(client, login, world.karl)
    assert client.get(page(case)).status_code == 404

    as_member(client, login, world.cecilia)
    response = client.post(
        f"/cases/{case.uuid}/share/",
        {
            "basis": basis.uuid,
            "organisation": world.coordination.uuid,
            "purpose": Purpose.IDENTIFICATION,
            "categories": [Category.IDENTITY],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == page(case)

    as_member(client, login, world.karl)
    response = client.get(page(case))
    assert response.status_code == 200
    # Health is allowed by the consent but was not shared; the rest not even consented to.
    assert canaries_in(response.content.decode()) == {Category.IDENTITY}
    detail = selectors.case_detail(world.karl, case.uuid)
    assert detail.access.categories == {Category.METADATA, Category.IDENTITY}
    assert not detail.access.lead


def test_the_share_form_greys_out_what_the_basis_does_not_cover(client, world, login, case):
    consent_for(world, case, Organisation.Kind.COORDINATION_AGENCY, [Category.IDENTITY])
    body = as_member(client, login, world.cecilia).get(page(case)).content.decode()

    def option(value):
        match = re.search(rf'<(?:input|option)[^>]*value="{value}"[^>]*>', body)
        assert match, value
        return match.group(0)

    assert "disabled" not in option(Category.IDENTITY)
    assert "disabled" in option(Category.HEALTH)
    assert "disabled" not in option(world.coordination.uuid)
    assert "disabled" in option(world.police.uuid)
    assert "disabled" not in option(Purpose.IDENTIFICATION)
    assert "disabled" in option(Purpose.LAW_ENFORCEMENT)
    # Never offered: the secret location goes to named people only.
    assert f'value="{Category.SECRET_LOCATION}"' not in body.split('id="access-heading"')[1]


def test_the_share_form_refuses_categories_outside_the_basis(client, world, login, case):
    basis = consent_for(world, case, Organisation.Kind.COORDINATION_AGENCY, [Category.IDENTITY])
    response = as_member(client, login, world.cecilia).post(
        f"/cases/{case.uuid}/share/",
        {
            "basis": basis.uuid,
            "organisation": world.coordination.uuid,
            "purpose": Purpose.IDENTIFICATION,
            "categories": [Category.IDENTITY, Category.HEALTH],
        },
    )
    assert response.status_code == 400
    assert "does not cover all these categories" in response.content.decode()
    assert not Participation.objects.exists()
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.SHARED).exists()
    assert not AuditEntry.objects.filter(action="case.shared").exists()
    assert as_member(client, login, world.karl).get(page(case)).status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"purpose": Purpose.RESEARCH},  # a purpose the consent does not name
        {"organisation": "police"},  # a kind of organisation it does not name
        {"basis": "withdrawn"},
        {"basis": "not-a-uuid"},
    ],
)
def test_a_share_the_basis_does_not_allow_is_refused(client, world, login, case, change):
    basis = consent_for(world, case, Organisation.Kind.COORDINATION_AGENCY, [Category.IDENTITY])
    data = {
        "basis": basis.uuid,
        "organisation": world.coordination.uuid,
        "purpose": Purpose.IDENTIFICATION,
        "categories": [Category.IDENTITY],
        **change,
    }
    if data["organisation"] == "police":
        data["organisation"] = world.police.uuid
    if data["basis"] == "withdrawn":
        Consent.objects.filter(pk=basis.pk).update(withdrawn_at=timezone.now())
    response = as_member(client, login, world.cecilia).post(f"/cases/{case.uuid}/share/", data)
    assert response.status_code == 400
    assert not Participation.objects.exists()


def test_a_participant_cannot_share_further_or_manage_consent(client, world, login, case):
    shared_with_coordination(world, case)
    basis = Consent.objects.get()
    as_member(client, login, world.karl)
    response = client.post(
        f"/cases/{case.uuid}/share/",
        {
            "basis": basis.uuid,
            "organisation": world.police.uuid,
            "purpose": Purpose.IDENTIFICATION,
            "categories": [Category.IDENTITY],
        },
    )
    assert response.status_code == 404
    response = client.post(f"/cases/{case.uuid}/consents/{basis.uuid}/withdraw/")
    assert response.status_code == 404
    assert Participation.objects.count() == 1
    assert Consent.objects.in_force().count() == 1
    # The participant's case page offers none of the lead's forms.
    body = client.get(page(case)).content.decode()
    assert f"/cases/{case.uuid}/share/" not in body
    assert f"/cases/{case.uuid}/consents/" not in body


def test_withdrawing_the_consent_ends_the_share_at_the_next_request(client, world, login, case):
    participation = shared_with_coordination(world, case)
    karl = Client()
    login(karl, world.karl)
    assert karl.get(page(case)).status_code == 200

    as_member(client, login, world.cecilia)
    response = client.post(f"/cases/{case.uuid}/consents/{participation.basis.uuid}/withdraw/")
    assert response.status_code == 302
    assert response["Location"] == page(case)

    assert karl.get(page(case)).status_code == 404
    body = client.get(page(case)).content.decode()
    assert "Withdrawn on" in body
    # Withdrawn once: a second withdrawal finds nothing to withdraw.
    response = client.post(f"/cases/{case.uuid}/consents/{participation.basis.uuid}/withdraw/")
    assert response.status_code == 404


def test_revoking_a_share_ends_it_at_the_next_request(client, world, login, case):
    participation = shared_with_coordination(world, case)
    karl = Client()
    login(karl, world.karl)
    assert karl.get(page(case)).status_code == 200

    response = as_member(client, login, world.cecilia).post(
        f"/cases/{case.uuid}/shares/{participation.uuid}/revoke/"
    )
    assert response.status_code == 302
    assert karl.get(page(case)).status_code == 404
    assert Participation.objects.get().revoked_by == world.cecilia


def test_a_share_of_another_case_cannot_be_revoked_through_this_one(client, world, login, case):
    other = factories.open_case(world.cecilia)
    participation = shared_with_coordination(world, other)
    response = as_member(client, login, world.cecilia).post(
        f"/cases/{case.uuid}/shares/{participation.uuid}/revoke/"
    )
    assert response.status_code == 404
    assert Participation.objects.in_force().count() == 1


# --- Consent ---


def consent_data(world, **overrides):
    data = {
        "basis": LegalBasis.CONSENT,
        "reference": "",
        "categories": [Category.METADATA, Category.IDENTITY],
        "organisation_kinds": [Organisation.Kind.COORDINATION_AGENCY],
        "organisations": [],
        "purposes": [Purpose.IDENTIFICATION],
        "manner": Consent.Manner.SIGNED_FORM,
        "given_on": timezone.localdate().isoformat(),
        "expires_on": "",
    }
    data.update(overrides)
    return data


def test_recording_a_consent(client, world, login, case):
    response = as_member(client, login, world.cecilia).post(
        f"/cases/{case.uuid}/consents/",
        consent_data(world, organisations=[world.ngo_fi.uuid], organisation_kinds=[]),
    )
    # Named organisations come from the case's country only.
    assert response.status_code == 400
    assert not Consent.objects.exists()

    response = client.post(
        f"/cases/{case.uuid}/consents/",
        consent_data(world, organisations=[world.police.uuid], purposes=[Purpose.LAW_ENFORCEMENT]),
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.categories == [Category.IDENTITY, Category.METADATA]
    assert consent.organisation_kinds == [Organisation.Kind.COORDINATION_AGENCY]
    assert list(consent.organisations.all()) == [world.police]
    assert consent.recorded_by == world.cecilia
    body = client.get(page(case)).content.decode()
    assert "In force" in body
    assert "Police SE" in body


def test_a_legal_basis_needs_its_reference(client, world, login, case):
    response = as_member(client, login, world.cecilia).post(
        f"/cases/{case.uuid}/consents/", consent_data(world, basis=LegalBasis.COURT_ORDER)
    )
    assert response.status_code == 400
    assert "needs its reference" in response.content.decode()
    assert not Consent.objects.exists()

    response = client.post(
        f"/cases/{case.uuid}/consents/",
        consent_data(world, basis=LegalBasis.COURT_ORDER, reference="T 1234-25"),
    )
    assert response.status_code == 302
    assert Consent.objects.get().reference == "T 1234-25"


def test_a_consent_cannot_expire_before_it_was_given(client, world, login, case):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = as_member(client, login, world.cecilia).post(
        f"/cases/{case.uuid}/consents/", consent_data(world, expires_on=yesterday.isoformat())
    )
    assert response.status_code == 400
    assert "cannot expire before" in response.content.decode()
    assert not Consent.objects.exists()


# --- Confidentiality from law enforcement ---


def shape(response, case_uuid) -> str:
    """The page without what differs between any two requests: the token and the address."""
    body = response.content.decode().replace(str(case_uuid), "<uuid>")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


def test_a_confidential_case_does_not_exist_for_the_police(client, world, login, case):
    basis = consent_for(
        world,
        case,
        Organisation.Kind.POLICE,
        [Category.IDENTITY],
        purposes=[Purpose.LAW_ENFORCEMENT],
    )
    factories.share(
        world.cecilia,
        case,
        world.police,
        basis,
        categories=[Category.IDENTITY],
        purpose=Purpose.LAW_ENFORCEMENT,
    )
    alice = Client()
    login(alice, world.alice)
    alice.post(f"/cases/{case.uuid}/purpose/", {"purpose": "Investigation 5000-K123-25"})
    assert canaries_in(alice.get(page(case)).content.decode()) == {Category.IDENTITY}
    assert case.number in alice.get("/cases/").content.decode()
    family_name = case.person.unseal("identity")["family_name"]
    search = {"name": family_name, "purpose": "Investigation 5000-K123-25"}
    assert case.number in alice.post("/cases/search/", search).content.decode()

    response = as_member(client, login, world.cecilia).post(
        f"/cases/{case.uuid}/confidential/", {"confidential": "on"}
    )
    assert response.status_code == 302
    assert "cannot learn that this case exists" in client.get(page(case)).content.decode()

    confidential = alice.get(page(case))
    random_uuid = uuid.uuid4()
    missing = alice.get(f"/cases/{random_uuid}/")
    assert confidential.status_code == missing.status_code == 404
    assert shape(confidential, case.uuid) == shape(missing, random_uuid)
    assert case.number not in alice.get("/cases/").content.decode()
    response = alice.post("/cases/search/", search)
    assert response.status_code == 200
    assert case.number not in response.content.decode()
    # The police's share ended, and none can be made while the case is confidential.
    assert not Participation.objects.in_force().exists()
    response = client.post(
        f"/cases/{case.uuid}/share/",
        {
            "basis": basis.uuid,
            "organisation": world.police.uuid,
            "purpose": Purpose.LAW_ENFORCEMENT,
            "categories": [Category.IDENTITY],
        },
    )
    assert response.status_code == 400
    assert not Participation.objects.in_force().exists()


def test_lifting_confidentiality_needs_an_explicit_choice(client, world, login, case):
    as_member(client, login, world.cecilia)
    client.post(f"/cases/{case.uuid}/confidential/", {"confidential": "on"})
    assert client.post(f"/cases/{case.uuid}/confidential/", {}).status_code == 400
    case.refresh_from_db()
    assert case.confidential_from_law_enforcement

    assert (
        client.post(f"/cases/{case.uuid}/confidential/", {"confidential": "off"}).status_code == 302
    )
    case.refresh_from_db()
    assert not case.confidential_from_law_enforcement


def test_only_a_case_manager_of_the_lead_keeps_a_case_from_law_enforcement(
    client, world, login, case
):
    frontline = make_membership(make_user("dora@test.example", "Dora"), world.ngo, Role.FRONTLINE)
    response = as_member(client, login, frontline).post(
        f"/cases/{case.uuid}/confidential/", {"confidential": "on"}
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert not case.confidential_from_law_enforcement


# --- The secret location ---


def test_the_secret_location_is_shown_to_named_people_only(client, world, login, case):
    dora = make_membership(make_user("dora@test.example", "Dora"), world.ngo, Role.FRONTLINE)
    canary = CANARIES[Category.SECRET_LOCATION]
    # Whoever wrote the address is named for it.
    assert canary in as_member(client, login, world.cecilia).get(page(case)).content.decode()
    assert canary not in as_member(client, login, dora).get(page(case)).content.decode()
    # Not named, Dora can neither read nor overwrite it.
    response = client.post(f"/cases/{case.uuid}/secret-location/", {"secret_location": "X"})
    assert response.status_code == 404

    as_member(client, login, world.cecilia)
    response = client.post(f"/cases/{case.uuid}/secret-location/people/", {"membership": dora.uuid})
    assert response.status_code == 302
    assert canary in as_member(client, login, dora).get(page(case)).content.decode()

    as_member(client, login, world.cecilia)
    response = client.post(f"/cases/{case.uuid}/secret-location/people/{dora.uuid}/remove/")
    assert response.status_code == 302
    assert canary not in as_member(client, login, dora).get(page(case)).content.decode()


def test_a_named_person_updates_the_secret_location(client, world, login, case):
    as_member(client, login, world.cecilia)
    response = client.post(
        f"/cases/{case.uuid}/secret-location/", {"secret_location": "Canary two, Nyvägen 2"}
    )
    assert response.status_code == 302
    body = client.get(page(case)).content.decode()
    assert "Canary two, Nyvägen 2" in body
    assert CANARIES[Category.SECRET_LOCATION] not in body


def test_only_people_who_see_the_case_can_be_named(client, world, login, case):
    stranger = make_membership(
        make_user("sven@test.example", "Sven Stranger"), world.coordination, Role.COORDINATOR
    )
    as_member(client, login, world.cecilia)
    assert "Sven Stranger" not in client.get(page(case)).content.decode()
    response = client.post(
        f"/cases/{case.uuid}/secret-location/people/", {"membership": stranger.uuid}
    )
    assert response.status_code == 400
    assert not SecretLocationAccess.objects.filter(membership=stranger).exists()

    # Once the coordination agency takes part, its case workers can be named.
    shared_with_coordination(world, case)
    assert "Sven Stranger" in client.get(page(case)).content.decode()
    response = client.post(
        f"/cases/{case.uuid}/secret-location/people/", {"membership": stranger.uuid}
    )
    assert response.status_code == 302
    assert SecretLocationAccess.objects.filter(membership=stranger).exists()


# --- Emergency access ---


def break_glass(client, case, **overrides):
    data = {"case_number": case.number, "reason": REASON, "minutes": 30, **overrides}
    return client.post("/cases/emergency-access/", data)


def test_breaking_the_glass(
    client, world, login, case, run_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    as_member(client, login, world.karl)
    assert client.get(page(case)).status_code == 404
    assert client.get("/cases/emergency-access/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = break_glass(client, case)
    assert response.status_code == 302
    assert response["Location"] == page(case)
    run_tasks()

    response = client.get(page(case))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="emergency-access"' in body
    assert CANARIES[Category.HEALTH] in body
    assert CANARIES[Category.SECRET_LOCATION] not in body
    grant = BreakGlassAccess.objects.get()
    assert grant.membership == world.karl
    assert grant.expires_at - grant.started_at == timedelta(minutes=30)

    # The lead organisation's case workers are told, in the application and by e-mail.
    assert list(Notification.objects.values_list("recipient", "kind", "case")) == [
        (world.cecilia.pk, Notification.Kind.BREAK_GLASS, case.pk)
    ]
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [world.cecilia.user.email]
    text = message.subject + message.body
    assert case.number in text
    assert not canaries_in(text)
    assert case.person.unseal("identity")["family_name"] not in text
    assert REASON not in text

    entry = AuditEntry.objects.get(action="case.break_glass")
    assert "break_glass" in entry.flags
    assert entry.reason == REASON
    assert entry.actor_membership_id == world.karl.pk
    viewed = AuditEntry.objects.filter(action="case.viewed", actor_membership_id=world.karl.pk)
    assert viewed.exists()
    assert all("break_glass" in entry.flags for entry in viewed)


def test_emergency_access_ends_at_its_time_limit(client, world, login, case):
    as_member(client, login, world.karl)
    break_glass(client, case, minutes=5)
    assert client.get(page(case)).status_code == 200
    BreakGlassAccess.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(page(case)).status_code == 404
    assert case.number not in client.get("/cases/").content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reason": "Urgent."}, "at least 20 characters"),
        ({"minutes": 61}, "60"),
        ({"minutes": 0}, ""),
        ({"case_number": "SE-2025-NOSUCHNO"}, "no case with that number"),
    ],
)
def test_emergency_access_needs_a_reason_a_limit_and_a_case(
    client, world, login, case, change, message
):
    response = break_glass(as_member(client, login, world.karl), case, **change)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BreakGlassAccess.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("who", ["alice", "cecilia", "ngo_coordinator"])
def test_only_a_coordinator_of_the_coordination_agency_breaks_the_glass(
    client, world, login, case, who
):
    if who == "ngo_coordinator":
        membership = make_membership(
            make_user("nils@test.example", "Nils"), world.ngo, Role.COORDINATOR
        )
    else:
        membership = getattr(world, who)
    as_member(client, login, membership)
    assert client.get("/cases/emergency-access/").status_code == 404
    assert break_glass(client, case).status_code == 404
    assert not BreakGlassAccess.objects.exists()


# --- Forms and methods ---


def test_changes_need_the_csrf_token(world, login, case):
    basis = consent_for(world, case, Organisation.Kind.COORDINATION_AGENCY, [Category.IDENTITY])
    client = Client(enforce_csrf_checks=True)
    login(client, world.cecilia)
    posts = {
        f"/cases/{case.uuid}/share/": {
            "basis": basis.uuid,
            "organisation": world.coordination.uuid,
            "purpose": Purpose.IDENTIFICATION,
            "categories": [Category.IDENTITY],
        },
        f"/cases/{case.uuid}/consents/{basis.uuid}/withdraw/": {},
        f"/cases/{case.uuid}/confidential/": {"confidential": "on"},
        f"/cases/{case.uuid}/secret-location/": {"secret_location": "Elsewhere"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    assert not Participation.objects.exists()
    assert Consent.objects.in_force().count() == 1
    case.refresh_from_db()
    assert not case.confidential_from_law_enforcement
    assert case.person.unseal("secret_location") == CANARIES[Category.SECRET_LOCATION]

    karl = Client(enforce_csrf_checks=True)
    login(karl, world.karl)
    assert break_glass(karl, case).status_code == 403
    assert not BreakGlassAccess.objects.exists()


def test_the_change_endpoints_answer_post_only(client, world, login, case):
    as_member(client, login, world.cecilia)
    for url in [
        f"/cases/{case.uuid}/share/",
        f"/cases/{case.uuid}/consents/",
        f"/cases/{case.uuid}/confidential/",
        f"/cases/{case.uuid}/secret-location/",
        f"/cases/{case.uuid}/secret-location/people/",
    ]:
        assert client.get(url).status_code == 405, url


def test_the_access_pages_of_a_missing_case_are_404(client, world, login):
    as_member(client, login, world.cecilia)
    missing = uuid.uuid4()
    for url in [
        f"/cases/{missing}/share/",
        f"/cases/{missing}/consents/",
        f"/cases/{missing}/confidential/",
        f"/cases/{missing}/secret-location/",
        f"/cases/{missing}/secret-location/people/",
    ]:
        assert client.post(url, {}).status_code == 404, url
