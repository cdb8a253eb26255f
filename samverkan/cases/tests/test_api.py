"""The case API as a client meets it: lists and search within what the policy
shows, a case with its withheld categories, writes through the services, the
police's stated purpose, and bad input refused with nothing written.

The full role × relation matrix is in test_case_matrix.py.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import make_membership, make_user
from samverkan.accounts.models import Organisation, Role
from samverkan.accounts.services import api_token_create
from samverkan.audit.models import AuditEntry
from samverkan.cases import selectors, services
from samverkan.cases.models import (
    AnonymousNotification,
    Case,
    CaseNote,
    Category,
    Milestone,
    Purpose,
)
from samverkan.cases.tests import factories
from samverkan.cases.tests.factories import CANARIES

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"
SEARCH = "/api/v1/cases/search/"
PURPOSE = "Preliminary investigation K-4711-26"
NOT_FOUND = {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}
SUMMARY_KEYS = {
    "uuid",
    "number",
    "stage",
    "identification_status",
    "age_group",
    "sex",
    "exploitation_forms",
    "municipality",
    "lead_organisation",
    "opened_at",
    "closed_at",
}


def detail_url(case) -> str:
    return f"{CASES}{case.uuid}/"


def post(client, url: str, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def invalid(fields: dict) -> dict:
    return {
        "error": {
            "code": "invalid",
            "message": "The request is not valid; see the field errors.",
            "fields": fields,
        }
    }


def numbers(response) -> set[str]:
    return {row["number"] for row in response.json()["results"]}


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("sequence"))


@pytest.fixture
def case(world):
    """Cecilia's case, a canary in every sealed category, shared with the
    police for its metadata only."""
    case = factories.open_case(world.cecilia)
    basis = factories.consent(world.cecilia, case, kinds=[Organisation.Kind.POLICE])
    factories.share(world.cecilia, case, world.police, basis, purpose=Purpose.LAW_ENFORCEMENT)
    return case


@pytest.fixture
def other_ngo_member(world):
    ngo = factories.organisation(Organisation.Kind.NGO, name="Other NGO SE")
    return make_membership(make_user("other@test.example", "Other"), ngo, Role.CASE_MANAGER)


def open_body(**overrides) -> dict:
    body = {
        "identity": {
            "given_names": "Ánna-Maria",
            "family_name": "Öberg",
            "date_of_birth": "1991-03-04",
            "citizenships": ["RO"],
        },
        "sex": "female",
        "municipality": "Lund",
        "exploitation_forms": ["labour"],
        "countries_of_origin": ["RO"],
        "health": "canary-health from the API",
    }
    body.update(overrides)
    return body


# --- Listing ----------------------------------------------------------------------


def test_the_list_holds_exactly_the_visible_cases_with_metadata_only(
    client, world, login, case, other_ngo_member
):
    own = factories.open_case(world.cecilia)
    factories.open_case(other_ngo_member)
    login(client, world.cecilia)

    response = client.get(CASES)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert (body["next"], body["previous"]) == (None, None)
    assert numbers(response) == {case.number, own.number}
    row = next(row for row in body["results"] if row["number"] == own.number)
    assert set(row) == SUMMARY_KEYS
    assert row["lead_organisation"] == {"uuid": str(world.ngo.uuid), "name": "NGO SE"}
    assert row["exploitation_forms"] == ["labour"]
    assert (row["stage"], row["identification_status"]) == ("detection", "presumed")
    assert (row["sex"], row["age_group"], row["closed_at"]) == (
        "female",
        own.person.age_group,
        None,
    )
    for canary in CANARIES.values():
        assert canary not in response.content.decode()


def test_the_police_list_their_shared_case_but_not_others(client, world, login, case):
    factories.open_case(world.cecilia)
    login(client, world.alice)

    response = client.get(CASES)

    assert numbers(response) == {case.number}


def test_filters_narrow_the_list(client, world, login, case):
    labour = case
    sexual = factories.open_case(world.cecilia, exploitation_forms=["sexual"], municipality="Umeå")
    closed = factories.open_case(world.cecilia)
    services.close_case(actor=world.cecilia, case=closed, outcome="contact_lost")
    services.record_milestone(
        actor=world.cecilia, case=sexual, kind="needs_assessed", occurred_on=timezone.localdate()
    )
    login(client, world.cecilia)
    today = timezone.localdate().isoformat()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    def listed(**params):
        return numbers(client.get(CASES, params))

    assert listed(exploitation_form="sexual") == {sexual.number}
    assert listed(stage="needs_assessment") == {sexual.number}
    assert listed(municipality="umeå") == {sexual.number}
    assert listed(number=labour.number.lower()) == {labour.number}
    assert listed(status="closed") == {closed.number}
    assert listed(status="open") == {labour.number, sexual.number}
    assert listed(opened_from=today, opened_to=today) == {
        labour.number,
        sexual.number,
        closed.number,
    }
    assert listed(opened_from=tomorrow) == set()
    assert listed(opened_from="", status="") == {labour.number, sexual.number, closed.number}


def test_invalid_filters_are_400_with_the_field_messages(client, world, login, case):
    login(client, world.cecilia)

    response = client.get(
        CASES,
        {"opened_from": "2026-02-30", "stage": "nowhere", "status": "sleeping", "page": "0"},
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {
            "opened_from": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
            "stage": ['"nowhere" is not a valid choice.'],
            "status": ['"sleeping" is not a valid choice.'],
            "page": ["Ensure this value is greater than or equal to 1."],
        }
    )


def test_a_reversed_date_range_is_400(client, world, login, case):
    login(client, world.cecilia)

    response = client.get(CASES, {"opened_from": "2026-02-02", "opened_to": "2026-02-01"})

    assert response.status_code == 400
    assert response.json() == invalid({"opened_to": ["The end date is before the start date."]})


def test_the_list_is_paginated_with_links_that_keep_the_filters_and_stops_at_the_end(
    client, world, login, monkeypatch
):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    opened = [factories.open_case(world.cecilia) for _ in range(3)]
    login(client, world.cecilia)

    first = client.get(CASES, {"status": "open"}).json()
    second = client.get(CASES, {"status": "open", "page": "2"}).json()
    beyond = client.get(CASES, {"status": "open", "page": "3"})

    assert first["count"] == second["count"] == 3
    assert first["next"] == "http://testserver/api/v1/cases/?page=2&status=open"
    assert first["previous"] is None
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/v1/cases/?status=open"
    shown = [row["number"] for row in first["results"] + second["results"]]
    assert sorted(shown) == sorted(case.number for case in opened)
    assert beyond.json()["results"] == second["results"]


# --- Search -----------------------------------------------------------------------


def test_search_finds_an_exact_name_whatever_its_case_and_accents(client, world, login):
    wanted = factories.open_case(
        world.cecilia, identity=factories.identity(given_names="Ánna-Maria", family_name="Öberg")
    )
    factories.open_case(world.cecilia)
    login(client, world.cecilia)

    exact = post(client, SEARCH, {"name": "anna maria OBERG"})
    partial = post(client, SEARCH, {"name": "Anna-Mari Öberg"})

    assert exact.status_code == 200
    assert exact.json()["count"] == 1
    assert numbers(exact) == {wanted.number}
    assert set(exact.json()["results"][0]) == SUMMARY_KEYS
    assert partial.status_code == 200
    assert partial.json() == {"count": 0, "next_page": None, "previous_page": None, "results": []}


def test_search_by_date_of_birth_stays_within_the_visible_cases(
    client, world, login, other_ngo_member
):
    born = date(1987, 11, 2)
    own = factories.open_case(world.cecilia, identity=factories.identity(date_of_birth=born))
    factories.open_case(other_ngo_member, identity=factories.identity(date_of_birth=born))
    login(client, world.cecilia)

    response = post(client, SEARCH, {"date_of_birth": "1987-11-02"})

    assert numbers(response) == {own.number}


def test_search_terms_never_travel_in_the_url_or_the_log(client, world, login):
    factories.open_case(world.cecilia)
    login(client, world.cecilia)

    by_get = client.get(SEARCH, {"name": CANARIES[Category.IDENTITY]})
    post(client, SEARCH, {"name": CANARIES[Category.IDENTITY]})

    assert by_get.status_code == 405
    [entry] = entries("case.searched")
    assert CANARIES[Category.IDENTITY] not in json.dumps(entry.content())


def test_search_needs_a_name_or_a_date_of_birth(client, world, login):
    login(client, world.cecilia)

    response = post(client, SEARCH, {"name": "   "})

    assert response.status_code == 400
    assert response.json() == invalid({"non_field_errors": ["Give a name or a date of birth."]})


def test_the_police_search_only_with_a_purpose(client, world, login, case):
    login(client, world.alice)
    name = f"{CANARIES[Category.IDENTITY]} {case.person.unseal('identity')['family_name']}"

    without = post(client, SEARCH, {"name": name})
    with_purpose = post(client, SEARCH, {"name": name}, HTTP_X_PURPOSE=PURPOSE)

    assert without.status_code == 400
    assert without.json()["error"]["code"] == "purpose_required"
    assert numbers(with_purpose) == {case.number}
    assert [entry.reason for entry in entries("case.searched")] == [PURPOSE]


# --- One case ---------------------------------------------------------------------


def test_the_lead_sees_every_category_and_the_notes(client, world, login, case):
    services.add_note(actor=world.cecilia, case=case, body="canary-note", audience="everyone")
    login(client, world.cecilia)

    response = client.get(detail_url(case))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "metadata",
        "categories",
        "notes",
        "milestones",
        "deadlines",
        "tracks",
        "allowed_actions",
        "recordable_milestones",
    }
    assert body["metadata"]["number"] == case.number
    categories = body["categories"]
    assert categories["identity"]["given_names"] == CANARIES[Category.IDENTITY]
    assert categories["identity"]["date_of_birth"] == "1990-05-17"
    for category in ("contact", "secret_location", "health", "immigration", "social"):
        assert categories[category] == CANARIES[category]
    assert categories["exploitation"] == CANARIES[Category.EXPLOITATION]
    assert categories["legal"] is None
    assert [note["body"] for note in body["notes"]] == ["canary-note"]
    assert [milestone["kind"] for milestone in body["milestones"]] == ["detected"]
    assert body["tracks"][0] == {
        "track": "identification",
        "latest_milestone": "detected",
        "occurred_on": timezone.localdate().isoformat(),
    }
    assert "case.close" in body["allowed_actions"]
    assert "needs_assessed" in body["recordable_milestones"]


def test_withheld_categories_are_named_and_their_content_never_sent(client, world, login, case):
    services.add_note(actor=world.cecilia, case=case, body="canary-note", audience="everyone")
    services.record_milestone(
        actor=world.cecilia,
        case=case,
        kind="needs_assessed",
        occurred_on=timezone.localdate(),
        evidence="canary-evidence",
    )
    login(client, world.alice)

    response = client.get(detail_url(case), HTTP_X_PURPOSE=PURPOSE)

    assert response.status_code == 200
    body = response.json()
    withheld = {"withheld": True}
    assert body["categories"] == {
        "identity": withheld,
        "contact": withheld,
        "secret_location": withheld,
        "health": withheld,
        "immigration": withheld,
        "exploitation": withheld,
        "social": withheld,
        "legal": withheld,
    }
    assert body["notes"] == withheld
    assert [milestone["evidence"] for milestone in body["milestones"]] == [None, withheld]
    page = response.content.decode()
    for canary in [*CANARIES.values(), "canary-note", "canary-evidence", "Canarysson"]:
        assert canary not in page


def test_the_police_state_their_purpose_in_a_header_and_it_is_audited(client, world, login, case):
    login(client, world.alice)

    without = client.get(detail_url(case))
    too_short = client.get(detail_url(case), HTTP_X_PURPOSE="  k ")
    with_purpose = client.get(detail_url(case), HTTP_X_PURPOSE=PURPOSE)

    assert without.status_code == too_short.status_code == 400
    assert without.json() == {
        "error": {
            "code": "purpose_required",
            "message": "State the purpose of this consultation in the X-Purpose header "
            "(a case reference or a short justification).",
            "fields": {},
        }
    }
    assert with_purpose.status_code == 200
    [viewed] = entries("case.viewed")
    assert viewed.reason == PURPOSE
    assert viewed.object_id == str(case.uuid)
    assert viewed.actor_membership_id == world.alice.pk


def test_a_purpose_written_in_utf8_is_kept(client, world, login, case):
    login(client, world.alice)
    purpose = "Förundersökning 5000-K123"

    response = client.get(
        detail_url(case), HTTP_X_PURPOSE=purpose.encode("utf-8").decode("latin-1")
    )

    assert response.status_code == 200
    assert [entry.reason for entry in entries("case.viewed")] == [purpose]


def test_an_invisible_case_is_the_same_404_as_no_case_purpose_or_not(client, world, login):
    hidden = factories.open_case(world.cecilia)
    login(client, world.alice)

    answers = [
        client.get(detail_url(hidden)),
        client.get(detail_url(hidden), HTTP_X_PURPOSE=PURPOSE),
        client.get(f"{CASES}{uuid.uuid4()}/", HTTP_X_PURPOSE=PURPOSE),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404]
    assert [answer.json() for answer in answers] == [NOT_FOUND] * 3
    assert len(entries("case.access_denied")) == 3
    assert entries("case.viewed") == []


def test_a_case_kept_from_law_enforcement_is_404_for_the_police(client, world, login, case):
    services.set_confidential_from_law_enforcement(
        actor=world.cecilia, case=case, confidential=True
    )
    login(client, world.alice)

    response = client.get(detail_url(case), HTTP_X_PURPOSE=PURPOSE)

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert numbers(client.get(CASES)) == set()


def test_a_malformed_case_id_is_404(client, world, login):
    login(client, world.cecilia)

    response = client.get(f"{CASES}not-a-uuid/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- Opening a case ---------------------------------------------------------------


def test_opening_a_case_answers_201_with_its_detail(client, world, login):
    login(client, world.cecilia)

    response = post(client, CASES, open_body())

    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get()
    assert response["Location"] == f"/api/v1/cases/{case.uuid}/"
    assert body["metadata"]["uuid"] == str(case.uuid)
    assert body["metadata"]["lead_organisation"]["uuid"] == str(world.ngo.uuid)
    assert body["metadata"]["countries_of_origin"] == ["RO"]
    assert body["categories"]["identity"]["given_names"] == "Ánna-Maria"
    assert body["categories"]["health"] == "canary-health from the API"
    assert body["categories"]["contact"] is None
    assert case.person.unseal("identity")["citizenships"] == ["RO"]
    assert numbers(post(client, SEARCH, {"name": "anna-maria oberg"})) == {case.number}


def test_fields_a_client_may_not_set_are_refused_and_nothing_is_written(client, world, login):
    login(client, world.cecilia)
    before = AuditEntry.objects.count()

    response = post(
        client,
        CASES,
        open_body(
            lead_organisation=str(world.police.uuid),
            confidential_from_law_enforcement=True,
            identification_status="identified",
            number="SE-2020-CHOSEN00",
        ),
    )

    assert response.status_code == 400
    refused = ["This field is not accepted here."]
    assert response.json() == invalid(
        {
            "confidential_from_law_enforcement": refused,
            "identification_status": refused,
            "lead_organisation": refused,
            "number": refused,
        }
    )
    assert Case.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_the_server_alone_decides_lead_number_and_status(client, world, login):
    login(client, world.cecilia)

    post(client, CASES, open_body())
    nested = post(client, CASES, open_body(identity={"given_names": "X", "number": "1"}))

    case = Case.objects.get()
    assert case.lead_organisation == world.ngo
    assert case.identification_status == "presumed"
    assert case.confidential_from_law_enforcement is False
    assert case.opened_by == world.cecilia
    assert nested.status_code == 400
    assert nested.json() == invalid({"identity.number": ["This field is not accepted here."]})


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        (
            {"detected_on": "2026-02-30"},
            {
                "detected_on": [
                    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
                ]
            },
        ),
        (
            {"countries_of_origin": ["SE", "XX"]},
            {"countries_of_origin.1": ['"XX" is not a valid choice.']},
        ),
        (
            {"health": "x" * 10_001},
            {"health": ["Ensure this field has no more than 10000 characters."]},
        ),
        ({"sex": "robot"}, {"sex": ['"robot" is not a valid choice.']}),
        ({"municipality": "Lund\x00"}, {"municipality": ["Null characters are not allowed."]}),
        (
            {"municipality": "\ud800"},
            {"municipality": ["Surrogate characters are not allowed: U+D800."]},
        ),
        (
            {"exploitation_forms": "labour"},
            {"exploitation_forms": ['Expected a list of items but got type "str".']},
        ),
        (
            {"coordination_consent": ["secret_location"]},
            {"coordination_consent.0": ['"secret_location" is not a valid choice.']},
        ),
    ],
)
def test_bad_input_on_opening_is_400_and_writes_nothing(client, world, login, overrides, fields):
    login(client, world.cecilia)
    before = AuditEntry.objects.count()

    response = post(client, CASES, open_body(**overrides))

    assert response.status_code == 400
    assert response.json() == invalid(fields)
    assert Case.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_bad_identity_fields_are_400(client, world, login):
    login(client, world.cecilia)

    response = post(
        client,
        CASES,
        open_body(
            identity={"given_names": "x" * 201, "citizenships": ["XX"], "estimated_age": 300}
        ),
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {
            "identity.given_names": ["Ensure this field has no more than 200 characters."],
            "identity.citizenships.0": ['"XX" is not a valid choice.'],
            "identity.estimated_age": ["Ensure this value is less than or equal to 120."],
        }
    )
    assert Case.objects.count() == 0


def test_a_future_date_of_detection_gets_the_services_message(client, world, login):
    login(client, world.cecilia)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = post(client, CASES, open_body(detected_on=tomorrow))

    assert response.status_code == 400
    assert response.json() == invalid(
        {"non_field_errors": ["The date of detection cannot be in the future."]}
    )
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ('{"sex": "female", ', "application/json", 400, "parse_error"),
        ('{"health": NaN}', "application/json", 400, "parse_error"),
        (b'{"sex": "\xff"}', "application/json", 400, "parse_error"),
        ("[1, 2, 3]", "application/json", 400, "invalid"),
        ("sex=female", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ],
)
def test_malformed_bodies_are_refused(client, world, login, body, content_type, status, code):
    login(client, world.cecilia)

    response = client.post(CASES, body, content_type=content_type)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert Case.objects.count() == 0


def test_an_oversize_body_is_400(client, world, login, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    login(client, world.cecilia)

    response = post(client, CASES, open_body(health="x" * 9_990))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert Case.objects.count() == 0


def test_police_opening_a_case_state_a_purpose_or_nothing_is_kept(client, world, login):
    login(client, world.alice)

    without = post(client, CASES, open_body())
    after_refusal = (Case.objects.count(), entries("case.opened"))
    with_purpose = post(client, CASES, open_body(), HTTP_X_PURPOSE=PURPOSE)

    assert without.status_code == 400
    assert without.json()["error"]["code"] == "purpose_required"
    assert after_refusal == (0, [])
    assert with_purpose.status_code == 201
    assert Case.objects.get().lead_organisation == world.police
    assert [entry.reason for entry in entries("case.viewed")] == [PURPOSE]


def test_a_service_provider_cannot_open_cases(client, world, login):
    provider = make_membership(make_user("sp@test.example", "SP"), world.ngo, "service_provider")
    login(client, provider)

    response = post(client, CASES, open_body())

    assert response.status_code == 403
    assert Case.objects.count() == 0


# --- Milestones and notes ---------------------------------------------------------


def milestones_url(case) -> str:
    return f"{detail_url(case)}milestones/"


def notes_url(case) -> str:
    return f"{detail_url(case)}notes/"


def test_recording_an_allowed_milestone_is_201(client, world, login, case):
    login(client, world.cecilia)
    today = timezone.localdate().isoformat()

    response = post(
        client,
        milestones_url(case),
        {"kind": "needs_assessed", "occurred_on": today, "evidence": "assessed at the shelter"},
    )

    assert response.status_code == 201
    milestone = Milestone.objects.get(case=case, kind="needs_assessed")
    assert response.json() == {
        "uuid": str(milestone.uuid),
        "kind": "needs_assessed",
        "step": "needs_assessment",
        "track": "assistance",
        "occurred_on": today,
        "recorded_at": response.json()["recorded_at"],
        "organisation": {"uuid": str(world.ngo.uuid), "name": "NGO SE"},
    }
    assert milestone.unseal("evidence") == "assessed at the shelter"
    case.refresh_from_db()
    assert case.stage == "needs_assessment"


def test_an_impossible_transition_is_400_with_the_workflows_message(client, world, login, case):
    login(client, world.cecilia)

    response = post(
        client,
        milestones_url(case),
        {"kind": "protection_coordinated", "occurred_on": timezone.localdate().isoformat()},
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        {"non_field_errors": ["This milestone needs these first: Referred to assistance."]}
    )
    assert list(case.milestones.values_list("kind", flat=True)) == ["detected"]


def test_automatic_milestones_are_not_offered(client, world, login, case):
    login(client, world.cecilia)

    response = post(
        client,
        milestones_url(case),
        {"kind": "detected", "occurred_on": timezone.localdate().isoformat()},
    )

    assert response.status_code == 400
    assert response.json() == invalid({"kind": ['"detected" is not a valid choice.']})


def test_another_organisation_cannot_record_milestones_or_notes(
    client, world, login, case, other_ngo_member
):
    login(client, other_ngo_member)
    before = AuditEntry.objects.exclude(action="case.access_denied").count()
    today = timezone.localdate().isoformat()

    milestone = post(client, milestones_url(case), {"kind": "needs_assessed", "occurred_on": today})
    note = post(client, notes_url(case), {"body": "hello", "audience": "everyone"})
    nonsense = post(client, milestones_url(case), {"kind": "x", "lead_organisation": "y"})

    assert [milestone.status_code, note.status_code, nonsense.status_code] == [404, 404, 404]
    assert milestone.json() == note.json() == nonsense.json() == NOT_FOUND
    assert Milestone.objects.filter(case=case).count() == 1
    assert CaseNote.objects.count() == 0
    assert AuditEntry.objects.exclude(action="case.access_denied").count() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "needs_assessed", "occurred_on": "17/05/2026"}, "occurred_on"),
        (
            {"kind": "needs_assessed", "occurred_on": "2026-01-01", "evidence": "x" * 10_001},
            "evidence",
        ),
        (
            {
                "kind": "coordination_notified",
                "occurred_on": "2026-01-01",
                "competent_authority": "nope",
            },
            "competent_authority",
        ),
        (
            {"kind": "needs_assessed", "occurred_on": "2026-01-01", "organisation": "x"},
            "organisation",
        ),
    ],
)
def test_bad_milestone_input_is_400_and_writes_nothing(client, world, login, case, body, field):
    login(client, world.cecilia)
    before = AuditEntry.objects.count()

    response = post(client, milestones_url(case), body)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert Milestone.objects.filter(case=case).count() == 1
    assert AuditEntry.objects.count() == before


def test_notifying_the_competent_authority_names_it_by_uuid(client, world, login):
    case = factories.open_case(world.cecilia, coordination_consent=[Category.IDENTITY])
    login(client, world.cecilia)
    today = timezone.localdate().isoformat()
    body = {"kind": "coordination_notified", "occurred_on": today}

    unknown = post(client, milestones_url(case), {**body, "competent_authority": str(uuid.uuid4())})
    wrong_kind = post(
        client, milestones_url(case), {**body, "competent_authority": str(world.police.uuid)}
    )
    right = post(
        client, milestones_url(case), {**body, "competent_authority": str(world.coordination.uuid)}
    )

    message = invalid({"non_field_errors": ["Choose the competent authority to notify."]})
    assert unknown.json() == wrong_kind.json() == message
    assert right.status_code == 201
    assert case.participations.get().organisation == world.coordination


def test_adding_a_note_is_201_and_the_note_shows_on_the_case(client, world, login, case):
    login(client, world.cecilia)

    response = post(client, notes_url(case), {"body": "Called the shelter.", "audience": "own"})

    assert response.status_code == 201
    note = CaseNote.objects.get()
    assert response.json()["uuid"] == str(note.uuid)
    assert response.json()["body"] == "Called the shelter."
    assert response.json()["audience"] == "own"
    assert response.json()["author"] == "Cecilia"
    shown = client.get(detail_url(case)).json()["notes"]
    assert [row["body"] for row in shown] == ["Called the shelter."]


@pytest.mark.parametrize(
    "body",
    [
        {"body": "x" * 10_001, "audience": "everyone"},
        {"body": "hello", "audience": "the world"},
        {"body": "", "audience": "everyone"},
        {"body": "hello", "audience": "everyone", "author": "someone else"},
    ],
)
def test_bad_notes_are_400_and_write_nothing(client, world, login, case, body):
    login(client, world.cecilia)

    response = post(client, notes_url(case), body)

    assert response.status_code == 400
    assert CaseNote.objects.count() == 0


def test_the_police_taking_part_without_notes_cannot_add_one(client, world, login, case):
    login(client, world.alice)

    response = post(client, notes_url(case), {"body": "hello", "audience": "everyone"})

    assert response.status_code == 404
    assert CaseNote.objects.count() == 0


# --- Deadlines and anonymous notifications ----------------------------------------


def test_deadlines_list_the_organisations_open_deadlines_with_overdue_flags(client, world, login):
    case = factories.open_case(world.alice)
    started = timezone.localdate() - timedelta(days=40)
    services.record_milestone(
        actor=world.alice, case=case, kind="reflection_period_granted", occurred_on=started
    )
    factories.open_case(world.cecilia)
    login(client, world.alice)

    response = client.get("/api/v1/deadlines/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [row] = body["results"]
    assert row["case"] == {"uuid": str(case.uuid), "number": case.number}
    assert row["kind"] == "reflection_period_ends"
    assert row["due_on"] == (started + timedelta(days=30)).isoformat()
    assert row["overdue"] is True


def anonymous_body(**overrides) -> dict:
    body = {
        "notified_on": timezone.localdate().isoformat(),
        "municipality": "Malmö",
        "sex": "male",
        "age_group": "25-34",
        "citizenship": "UA",
        "exploitation_forms": ["labour"],
        "indicators": ["exploitative_conditions"],
    }
    body.update(overrides)
    return body


def test_an_anonymous_notification_is_recorded_and_listed(client, world, login):
    login(client, world.cecilia)

    created = post(client, "/api/v1/anonymous-notifications/", anonymous_body())
    listed = client.get("/api/v1/anonymous-notifications/")

    assert created.status_code == 201
    notification = AnonymousNotification.objects.get()
    assert notification.notifying_organisation == world.ngo
    assert created.json()["citizenship"] == "UA"
    assert listed.json()["count"] == 1
    assert listed.json()["results"] == [created.json()]


def test_a_child_cannot_be_notified_anonymously(client, world, login):
    login(client, world.cecilia)

    response = post(client, "/api/v1/anonymous-notifications/", anonymous_body(age_group="12-17"))

    assert response.status_code == 400
    assert response.json() == invalid(
        {
            "non_field_errors": [
                "A child cannot be notified anonymously: open a case under the "
                "child-protection duty instead."
            ]
        }
    )
    assert AnonymousNotification.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"citizenship": "XX"}, "citizenship"),
        ({"notified_on": "yesterday"}, "notified_on"),
        ({"indicators": ["gut feeling"]}, "indicators.0"),
        ({"notifying_organisation": "someone"}, "notifying_organisation"),
        ({"municipality": "x" * 101}, "municipality"),
    ],
)
def test_bad_anonymous_notifications_are_400(client, world, login, overrides, field):
    login(client, world.cecilia)

    response = post(client, "/api/v1/anonymous-notifications/", anonymous_body(**overrides))

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert AnonymousNotification.objects.count() == 0


def test_other_organisations_notifications_are_not_listed(client, world, login, other_ngo_member):
    login(client, other_ngo_member)
    post(client, "/api/v1/anonymous-notifications/", anonymous_body())
    client.logout()
    login(client, world.cecilia)

    assert client.get("/api/v1/anonymous-notifications/").json()["count"] == 0


# --- Tokens and the schema --------------------------------------------------------


def test_a_token_reads_and_writes_as_its_membership(client, world, case):
    _token, secret = api_token_create(actor=world.cecilia, name="case system")
    auth = {"HTTP_AUTHORIZATION": f"Token {secret}"}

    listed = client.get(CASES, **auth)
    noted = post(
        client, notes_url(case), {"body": "From the case system.", "audience": "lead"}, **auth
    )
    anonymous = client.get(CASES)

    assert listed.status_code == 200
    assert numbers(listed) == {case.number}
    assert noted.status_code == 201
    assert CaseNote.objects.get().author == world.cecilia
    assert anonymous.status_code == 401


def test_the_schema_documents_the_case_endpoints_and_search_has_no_query_terms(
    client, world, login
):
    login(client, world.alice)

    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert {
        "/api/v1/cases/",
        "/api/v1/cases/search/",
        "/api/v1/cases/{case_uuid}/",
        "/api/v1/cases/{case_uuid}/milestones/",
        "/api/v1/cases/{case_uuid}/notes/",
        "/api/v1/deadlines/",
        "/api/v1/anonymous-notifications/",
    } <= set(schema["paths"])
    search = schema["paths"]["/api/v1/cases/search/"]
    assert set(search) == {"post"}
    assert [parameter["in"] for parameter in search["post"]["parameters"]] == ["header"]
    detail = schema["components"]["schemas"]["CaseDetail"]["properties"]
    assert "withheld" in json.dumps(detail["notes"])
