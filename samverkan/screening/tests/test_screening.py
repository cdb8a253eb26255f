"""Screening through its pages and API: what a professional sees, and what is kept."""

import json

import pytest

from samverkan.audit.models import AuditEntry
from samverkan.cases.models import Category
from samverkan.cases.tests import factories
from samverkan.screening.models import Screening

EVALUATE = "/api/v1/screening/evaluate"
# An adult in labour exploitation meeting all three elements (see test_rule.py).
TRAFFICKED = ["AL-DR-01", "AL-DR-08", "AL-EX-01", "AL-EX-04", "AL-CD-01", "AL-CD-02"]
NOTE = "Canarynote: met at the car wash"


def post_json(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def case(world):
    return factories.open_case(world.cecilia)


def record(world, case, **values):
    """A screening of ``case`` by its lead, through the service."""
    from samverkan.screening import services

    values = {
        "catalogue_id": "ilo-ec-delphi",
        "version": "2009.1",
        "set_id": "adults_labour",
        **values,
    }
    return services.record_screening(actor=world.cecilia, case=case, **values)


def start(client, url, **fields):
    data = {"step": "start", "catalogue": "ilo-ec-delphi", "form": "labour", "language": "en"}
    return client.post(url, {**data, **fields})


def answer(client, url, set_id, yes, *, audience="adult", language="en", **extra):
    data = {
        "step": "answer",
        "catalogue": "ilo-ec-delphi",
        "version": "2009.1",
        "set": set_id,
        "audience": audience,
        "language": language,
        **dict.fromkeys(yes, "yes"),
        **extra,
    }
    return client.post(url, data)


def test_a_quick_screening_explains_and_stores_nothing(client, world, login):
    login(client, world.alice)
    before = AuditEntry.objects.count()
    page = start(client, "/screening/", age="34")
    assert page.status_code == 200
    assert "Adults: trafficking for labour exploitation" in page.text
    assert "Not verified against the published list." in page.text
    result = answer(client, "/screening/", "adults_labour", TRAFFICKED, **{"AL-AR-01": "no"})
    assert result.status_code == 200
    text = result.text
    assert "meet every element the ILO/EC rule requires for trafficking of an adult" in text
    assert "supports, and never replaces, a professional’s judgement" in text
    assert "Met with 2 strong." in text  # coercion at destination: two strong
    assert "Deceived about the nature of the job, location or employer (strong)" in text
    assert "6 yes, 1 no, 60 unknown" in text
    # The anonymous notification is offered with the dimensions met ticked.
    assert 'value="coercion_at_destination" id="id_indicators_4" checked' in text
    assert Screening.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_a_child_is_screened_with_the_childrens_set_and_never_notified(client, world, login):
    login(client, world.cecilia)
    page = start(client, "/screening/", age_estimate="child", form="sexual")
    assert "Children: trafficking for sexual exploitation" in page.text
    result = answer(
        client,
        "/screening/",
        "children_sexual",
        ["CS-EX-01", "CS-EX-02", "CS-EX-03"],
        audience="child",
    )
    assert "trafficking of a child" in result.text
    assert "A child is never notified anonymously" in result.text
    assert 'name="municipality"' not in result.text


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"age": "15", "age_estimate": "adult"}, "The age and the estimate contradict each other"),
        ({"age": "-3"}, "Ensure this value is greater than or equal to 0."),
        ({"catalogue": "nonsense"}, "Select a valid choice."),
        ({"language": "xx"}, "Select a valid choice."),
    ],
)
def test_contradictory_or_bad_facts_are_refused(client, world, login, fields, message):
    login(client, world.alice)
    response = start(client, "/screening/", **fields)
    assert response.status_code == 400
    assert message in response.text


def test_tampered_steps_are_refused_with_a_message(client, world, login):
    login(client, world.alice)
    response = answer(client, "/screening/", "children_labour", TRAFFICKED, audience="adult")
    assert response.status_code == 400
    assert "Start the screening again" in response.text
    response = answer(client, "/screening/", "adults_labour", [], **{"AL-DR-01": "perhaps"})
    assert response.status_code == 400
    assert "Select a valid choice." in response.text
    response = client.post("/screening/", {"step": "answer"})
    assert response.status_code == 400


def test_a_screening_on_a_case_is_sealed_and_shown_to_who_sees_exploitation(
    client, world, login, case
):
    login(client, world.cecilia)
    url = f"/cases/{case.uuid}/screening/"
    page = start(client, url)
    assert "Adults: trafficking for labour exploitation" in page.text
    response = answer(client, url, "adults_labour", TRAFFICKED, note=NOTE)
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert (screening.catalogue, screening.catalogue_version) == ("ilo-ec-delphi", "2009.1")
    assert "Canarynote" not in screening.answers  # sealed
    assert screening.unseal("answers")["note"] == NOTE
    entry = AuditEntry.objects.filter(action="case.screening_recorded").get()
    assert entry.categories == [Category.EXPLOITATION]
    detail = client.get(f"/cases/{case.uuid}/")
    assert "trafficking of an adult" in detail.text
    assert NOTE in detail.text


def test_a_participant_without_exploitation_details_sees_no_screening(client, world, login, case):

    record(world, case, language="sv", answers={"AL-EX-01": "yes"}, note=NOTE)
    consent = factories.consent(world.cecilia, case, kinds=["police"])
    factories.share(world.cecilia, case, world.police, consent, categories=[Category.METADATA])
    login(client, world.alice)
    client.post(f"/cases/{case.uuid}/purpose/", {"purpose": "Preliminary investigation 4711"})
    detail = client.get(f"/cases/{case.uuid}/")
    assert detail.status_code == 200
    assert "Withheld: you do not have access to Exploitation details." in detail.text
    assert NOTE not in detail.text
    api = client.get(
        f"/api/v1/cases/{case.uuid}/screenings/", headers={"X-Purpose": "Investigation 4711"}
    )
    assert api.json() == {"withheld": True}
    refused = answer(client, f"/cases/{case.uuid}/screening/", "adults_labour", TRAFFICKED)
    assert refused.status_code == 404
    assert Screening.objects.count() == 1


def test_a_child_case_refuses_an_adult_set(world, case):
    from django.core.exceptions import ValidationError

    case.person.age_group = "12-17"
    case.person.save(update_fields=["age_group"])
    with pytest.raises(ValidationError) as error:
        record(world, case, language="en", answers={})
    assert error.value.messages == ["The person is a child: use a set of indicators for children."]
    assert Screening.objects.count() == 0


def test_the_api_evaluates_without_storing(client, world, login):
    login(client, world.alice)
    before = AuditEntry.objects.count()
    body = {
        "catalogue": "ilo-ec-delphi",
        "version": "2009.1",
        "form": "labour",
        "age": 40,
        "language": "sv",
        "answers": dict.fromkeys(TRAFFICKED, "yes"),
    }
    response = post_json(client, EVALUATE, body)
    assert response.status_code == 200
    result = response.json()
    assert (result["set"], result["assessment"]) == ("adults_labour", "met")
    destination = next(d for d in result["dimensions"] if d["id"] == "coercion_at_destination")
    assert destination["carried_by"] == ["AL-CD-01", "AL-CD-02"]
    assert result["verified"] is False and result["notes"]
    assert AuditEntry.objects.count() == before
    assert Screening.objects.count() == 0


@pytest.mark.parametrize(
    "change,field,message",
    [
        ({"answers": {"AL-XX-01": "yes"}}, "answers", "not indicators of the chosen set: AL-XX-01"),
        ({"answers": {"CL-EX-01": "yes"}}, "answers", "not indicators of the chosen set: CL-EX-01"),
        ({"answers": {"AL-EX-01": "maybe"}}, "answers", "Answer yes, no or unknown for: AL-EX-01"),
        (
            {"answers": [{"id": "AL-EX-01", "answer": "yes"}, {"id": "AL-EX-01", "answer": "no"}]},
            "answers",
            "AL-EX-01 is answered twice, differently.",
        ),
        ({"set": "children_labour", "age": 40}, "set", "needs the set adults_labour"),
        ({"age": 15, "age_estimate": "adult"}, "age", "contradict each other"),
        ({"language": "xx"}, "language", "Choose one of: en, sv."),
        ({"form": None}, "form", "Name a set, or the form of exploitation."),
        ({"colour": "red"}, "colour", "This field is not accepted here."),
        ({"answers": {"AL-EX-01": ["yes"]}}, "answers", "Answer yes, no or unknown for: AL-EX-01"),
        ({"answers": {"AL-EX-01": {}}}, "answers", "Answer yes, no or unknown for: AL-EX-01"),
        ({"answers": {"AL-EX-01": 1}}, "answers", "Answer yes, no or unknown for: AL-EX-01"),
        (
            {"answers": [{"id": "AL-EX-01", "answer": ["yes"]}]},
            "answers",
            "Answer yes, no or unknown for: AL-EX-01",
        ),
        ({"set": "adults_labour", "form": "sexual"}, "form", "for another form of exploitation"),
    ],
)
def test_the_api_refuses_bad_answers_clearly(client, world, login, change, field, message):
    login(client, world.alice)
    body = {"catalogue": "ilo-ec-delphi", "version": "2009.1", "form": "labour", "answers": {}}
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}
    response = post_json(client, EVALUATE, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert any(message in text for text in error["fields"][field]), error


def test_the_api_catalogues(client, world, login):
    login(client, world.cecilia)
    listing = client.get("/api/v1/screening/catalogues/").json()
    assert {(c["catalogue"], c["version"]) for c in listing} == {
        ("ilo-ec-delphi", "2009.1"),
        ("ilo-forced-labour", "2012.1"),
    }
    swedish = client.get("/api/v1/screening/catalogues/ilo-ec-delphi/2009.1/?language=sv").json()
    adults = next(s for s in swedish["sets"] if s["id"] == "adults_labour")
    assert (
        adults["indicators"][0]["text"] == "Vilseledd om arbetets art, platsen eller arbetsgivaren"
    )
    assert swedish["rule"]["dimension_met_when"][0] == {"strong": 2}
    assert client.get("/api/v1/screening/catalogues/ilo-ec-delphi/1999.1/").status_code == 404
    bad = client.get("/api/v1/screening/catalogues/ilo-ec-delphi/2009.1/?language=xx")
    assert bad.status_code == 400


def test_the_api_records_a_screening_on_a_case(client, world, login, case):
    login(client, world.cecilia)
    url = f"/api/v1/cases/{case.uuid}/screenings/"
    body = {
        "catalogue": "ilo-ec-delphi",
        "version": "2009.1",
        "form": "labour",
        "answers": dict.fromkeys(TRAFFICKED, "yes"),
        "note": NOTE,
    }
    created = post_json(client, url, body)
    assert created.status_code == 201
    assert created.json()["assessment"] == "met"
    listed = client.get(url).json()
    assert listed["withheld"] is False
    assert [s["note"] for s in listed["results"]] == [NOTE]
    refused = post_json(client, url, {**body, "set": "children_labour"})
    assert refused.status_code == 400
    assert Screening.objects.count() == 1


def test_printable_checklist(client, world, login):
    login(client, world.alice)
    page = client.get("/screening/checklists/ilo-ec-delphi/2009.1/adults_sexual/sv/")
    assert page.status_code == 200
    assert "Vuxna: människohandel för sexuella ändamål" in page.text
    assert "Tvingad till uppgifter eller kunder" in page.text
    assert "sekundärkälla" in page.text  # the uncertainty, stated on the page
    assert (
        client.get("/screening/checklists/ilo-ec-delphi/2009.1/adults_sexual/xx/").status_code
        == 404
    )
    index = client.get("/screening/checklists/")
    assert index.text.count("/screening/checklists/ilo-") == 10


def test_a_printed_checklist_speaks_its_own_language(client, world, login):
    login(client, world.alice)
    page = client.get("/screening/checklists/ilo-ec-delphi/2009.1/adults_labour/sv/")
    assert "Kryssa för ja, nej eller okänt. Skriv inga namn på bladet." in page.text
    assert "Tick yes, no or unknown." not in page.text


def test_a_key_given_twice_is_refused_not_overwritten(client, world, login):
    login(client, world.alice)
    body = (
        '{"catalogue": "ilo-ec-delphi", "version": "2009.1", "form": "labour", '
        '"answers": {"AL-EX-01": "yes", "AL-EX-01": "no"}}'
    )
    response = client.post(EVALUATE, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "These keys are given twice: AL-EX-01."
    broken = client.post(EVALUATE, '{"answers": ', content_type="application/json")
    assert broken.status_code == 400


def test_a_page_answer_sent_twice_is_refused(client, world, login):
    login(client, world.alice)
    data = {
        "step": "answer",
        "catalogue": "ilo-ec-delphi",
        "version": "2009.1",
        "set": "adults_labour",
        "audience": "adult",
        "language": "en",
        "AL-EX-01": ["yes", "no"],
    }
    response = client.post("/screening/", data)
    assert response.status_code == 400
    assert "these were answered twice: AL-EX-01" in response.text


def test_a_closed_case_takes_no_screening(client, world, login, case):
    from django.core.exceptions import ValidationError

    from samverkan.cases import services as case_services

    case_services.close_case(
        actor=world.cecilia,
        case=case,
        outcome="other",
        closed_on=case.opened_at.date(),
        outcome_country="",
        evidence="",
    )
    login(client, world.cecilia)
    page = client.get(f"/cases/{case.uuid}/screening/")
    assert page.status_code == 400
    assert "The case is closed: it takes no new screening." in page.text
    assert 'name="step"' not in page.text
    with pytest.raises(ValidationError):
        record(world, case, language="en", answers={})
    assert Screening.objects.count() == 0


def test_where_the_case_does_not_know_the_age_the_estimate_counts(client, world, login, case):
    case.person.age_group = "unknown"
    case.person.save(update_fields=["age_group"])
    login(client, world.cecilia)
    url = f"/cases/{case.uuid}/screening/"
    page = start(client, url, catalogue="ilo-forced-labour", age_estimate="child")
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "step": "answer",
            "catalogue": "ilo-forced-labour",
            "version": "2012.1",
            "set": "forced_labour",
            "audience": "child",
            "language": "en",
            "FL-09": "yes",
        },
    )
    assert response.status_code == 302
    assert Screening.objects.get().audience == "child"


def test_the_answers_are_sealed_in_the_database(world, case):
    from django.db import connection

    record(world, case, language="en", answers={"AL-EX-01": "yes"}, note=NOTE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM screening_screening")
        (stored,) = cursor.fetchone()
    assert "Canarynote" not in stored and "AL-EX-01" not in stored


def test_a_screening_whose_catalogue_is_gone_still_lists(client, world, login, case):

    record(world, case, language="en", answers={"AL-EX-01": "yes"}, note=NOTE)
    Screening.objects.update(catalogue_version="2008.9")
    login(client, world.cecilia)
    page = client.get(f"/cases/{case.uuid}/")
    assert page.status_code == 200
    assert "no longer installed" in page.text and NOTE in page.text
    listed = client.get(f"/api/v1/cases/{case.uuid}/screenings/").json()
    assert listed["results"][0]["assessment"] is None


def test_the_answer_page_marks_what_is_uncertain(client, world, login):
    login(client, world.alice)
    page = start(client, "/screening/", form="sexual", age="30")
    row = page.text.split('data-indicator="AS-CD-07"')[1].split("</div>")[0]
    assert "not checked against the publication" in row
    assert 'name="note"' not in page.text  # a quick screening keeps no note
