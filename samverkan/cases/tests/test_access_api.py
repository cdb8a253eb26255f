"""Consent and sharing through the API: the lead records the person's consent,
shares within it, and withdrawal takes the case away at once; bad input is
refused with its reason and nothing written. The role × relation matrix is
in test_case_matrix.py."""

from __future__ import annotations

import json
import uuid

import pytest

from conftest import make_membership, make_user
from samverkan.accounts.models import Organisation, Role
from samverkan.audit.models import AuditEntry
from samverkan.cases import selectors
from samverkan.cases.models import Category, Consent, LegalBasis, Participation, Purpose
from samverkan.cases.tests import factories
from samverkan.cases.tests.factories import CANARIES
from samverkan.policy.access import PolicyDenied

pytestmark = pytest.mark.django_db

NOT_FOUND = {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}


def post(client, url: str, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def consent_body(**overrides) -> dict:
    body = {
        "basis": LegalBasis.CONSENT,
        "categories": [Category.SOCIAL, Category.HEALTH],
        "organisation_kinds": [Organisation.Kind.SHELTER],
        "purposes": [Purpose.ASSISTANCE],
        "manner": Consent.Manner.ORAL_WITH_WITNESS,
    }
    body.update(overrides)
    return body


@pytest.fixture
def case(world):
    return factories.open_case(world.cecilia)


@pytest.fixture
def shelter():
    organisation = factories.organisation(Organisation.Kind.SHELTER, name="Shelter SE")
    worker = make_membership(
        make_user("sara@test.example", "Sara"), organisation, Role.CASE_MANAGER
    )
    return organisation, worker


def urls(case) -> dict[str, str]:
    base = f"/api/v1/cases/{case.uuid}/"
    return {"consents": f"{base}consents/", "shares": f"{base}shares/"}


def test_consent_share_and_withdrawal_end_to_end(client, login, world, case, shelter):
    organisation, shelter_worker = shelter
    login(client, world.cecilia)

    response = post(client, urls(case)["consents"], consent_body())
    assert response.status_code == 201, response.json()
    consent = response.json()
    assert consent["categories"] == sorted([Category.HEALTH, Category.SOCIAL])
    assert consent["organisation_kinds"] == [Organisation.Kind.SHELTER]
    assert consent["withdrawn_at"] is None

    share = {
        "basis": consent["uuid"],
        "organisation": str(organisation.uuid),
        "purpose": Purpose.ASSISTANCE,
        "categories": [Category.SOCIAL],
    }
    response = post(client, urls(case)["shares"], share)
    assert response.status_code == 201, response.json()
    assert response.json()["organisation"]["uuid"] == str(organisation.uuid)
    assert response.json()["categories"] == [Category.METADATA, Category.SOCIAL]
    detail = selectors.case_detail(shelter_worker, case.uuid)
    assert detail.access.categories == {Category.METADATA, Category.SOCIAL}
    # The sharing view names the share, so that a client can revoke it.
    sharing = client.get(f"/api/v1/cases/{case.uuid}/sharing/").json()
    assert [p["uuid"] for p in sharing["participations"]] == [response.json()["uuid"]]

    response = post(client, f"{urls(case)['consents']}{consent['uuid']}/withdraw/")
    assert response.status_code == 200
    assert response.json()["withdrawn_at"] is not None
    with pytest.raises(PolicyDenied):
        selectors.case_detail(shelter_worker, case.uuid)
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    for action in ("case.consent_recorded", "case.shared", "case.consent_withdrawn"):
        assert action in actions
    # Withdrawn once is withdrawn: the second asks for a consent no longer there.
    again = post(client, f"{urls(case)['consents']}{consent['uuid']}/withdraw/")
    assert (again.status_code, again.json()) == (404, NOT_FOUND)


def test_a_share_is_revoked_and_then_gone(client, login, world, case, shelter):
    organisation, shelter_worker = shelter
    basis = factories.consent(world.cecilia, case, kinds=[Organisation.Kind.SHELTER])
    participation = factories.share(world.cecilia, case, organisation, basis)
    login(client, world.cecilia)
    revoke = f"{urls(case)['shares']}{participation.uuid}/revoke/"

    response = post(client, revoke)

    assert response.status_code == 204
    with pytest.raises(PolicyDenied):
        selectors.case_detail(shelter_worker, case.uuid)
    assert post(client, revoke).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (consent_body(purposes=[]), "purposes"),
        (consent_body(categories=["secret_location"]), "categories.0"),
        (consent_body(basis=LegalBasis.COURT_ORDER), "non_field_errors"),
        (consent_body(organisations=[str(uuid.uuid4())]), "organisations"),
        (consent_body(organisation_kinds=[]), "non_field_errors"),
        (consent_body(given_on="2026-02-30"), "given_on"),
        (consent_body(given_on="2026-03-01", expires_on="2026-02-01"), "non_field_errors"),
        (consent_body(lead_organisation="me"), "lead_organisation"),
    ],
)
def test_a_bad_consent_is_refused_and_nothing_recorded(client, login, world, case, body, field):
    login(client, world.cecilia)

    response = post(client, urls(case)["consents"], body)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Consent.objects.exists()
    assert not AuditEntry.objects.filter(action="case.consent_recorded").exists()


def test_a_share_outside_the_consent_is_refused_by_the_service(client, login, world, case, shelter):
    organisation, _worker = shelter
    basis = factories.consent(
        world.cecilia,
        case,
        categories=[Category.SOCIAL],
        kinds=[Organisation.Kind.SHELTER],
        purposes=[Purpose.ASSISTANCE],
    )
    login(client, world.cecilia)
    share = {
        "basis": str(basis.uuid),
        "organisation": str(organisation.uuid),
        "purpose": Purpose.ASSISTANCE,
        "categories": [Category.SOCIAL],
    }
    refused = [
        ({**share, "categories": [Category.HEALTH]}, "non_field_errors"),
        ({**share, "purpose": Purpose.LAW_ENFORCEMENT}, "non_field_errors"),
        ({**share, "organisation": str(world.police.uuid)}, "non_field_errors"),
        ({**share, "basis": str(uuid.uuid4())}, "basis"),
        ({**share, "organisation": str(world.ngo_fi.uuid)}, "organisation"),
        ({**share, "categories": [Category.SECRET_LOCATION]}, "categories.0"),
    ]
    for body, field in refused:
        response = post(client, urls(case)["shares"], body)
        assert response.status_code == 400, body
        assert field in response.json()["error"]["fields"], (body, response.json())
        # The reason names no one and nothing of the person.
        assert not any(canary in response.content.decode() for canary in CANARIES.values())
    assert not Participation.objects.exists()


def test_only_the_lead_manages_consent_and_shares(client, login, world, case, shelter):
    organisation, shelter_worker = shelter
    basis = factories.consent(world.cecilia, case, kinds=[Organisation.Kind.SHELTER])
    factories.share(world.cecilia, case, organisation, basis, categories=[Category.SOCIAL])
    login(client, shelter_worker)

    for url in (urls(case)["consents"], f"{urls(case)['consents']}{basis.uuid}/withdraw/"):
        response = post(client, url, consent_body())
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert Consent.objects.count() == 1
    assert Consent.objects.get().withdrawn_at is None
