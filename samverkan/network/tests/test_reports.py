"""The compiled report: one section per answering place, as a page, a Word
document and a slide deck, each opened again by its library."""

from __future__ import annotations

import io

from docx import Document
from pptx import Presentation

from samverkan.audit.models import AuditEntry
from samverkan.network import plans
from samverkan.network.models import Response
from samverkan.network.tests.conftest import answer, links_in_outbox, make_survey


def answered_survey(client, union, send):
    survey = make_survey(union)
    send(survey, [union.vaxjo, union.gdynia, union.umea])
    answer(
        client,
        links_in_outbox("anna@vaxjo.example")[0],
        {
            "q1": "- A survey of trafficking in the county\n- Training for all staff",
            "q2": "yes",
            "respondent_name": "Anna",
        },
        submit=True,
    )
    client.cookies.clear()
    answer(
        client,
        links_in_outbox("piotr@gdynia.example")[0],
        {"q1": "Training by the social welfare centre.", "q2": "no", "respondent_name": "Piotr"},
        submit=True,
    )
    client.cookies.clear()
    return survey


def test_the_report_page_has_one_section_per_answering_place(client, union, login, send):
    survey = answered_survey(client, union, send)
    framework = plans.framework_load(
        actor=union.noora, network=union.network, definition=plans.CBSS_MUNICIPAL_GUIDELINES
    )
    plan = plans.action_plan_create(
        actor=union.noora, place=union.vaxjo, title="Plan", period_start=2024, period_end=2027
    )
    plans.measure_create(
        actor=union.noora,
        plan=plan,
        title="Training",
        action_points=[framework.points.get(code="I2")],
    )
    login(client, union.noora)
    page = client.get(f"/network/surveys/{survey.uuid}/report/").content.decode()
    assert page.count('<section class="report-place">') == 2
    assert "<h2>Växjö, Sweden</h2>" in page
    assert "<h2>Gdynia, Poland</h2>" in page
    assert "<li>Training for all staff</li>" in page
    assert "2 of 3 places answered (67 %)." in page
    assert "Not answered: Umeå, Sweden" in page
    assert "<td>Växjö, Sweden</td><td>Anna</td><td>Yes</td><td>Identification</td>" in page
    assert AuditEntry.objects.filter(action="survey.report_compiled").count() == 1


def test_the_word_document_has_one_section_per_answering_place(client, union, login, send):
    survey = answered_survey(client, union, send)
    login(client, union.noora)
    response = client.get(f"/network/surveys/{survey.uuid}/report.docx")
    assert response["Content-Disposition"] == 'attachment; filename="report.docx"'
    document = Document(io.BytesIO(response.content))
    sections = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert sections == ["Summary", "Gdynia, Poland", "Växjö, Sweden"]
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["A survey of trafficking in the county", "Training for all staff"]
    summary = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert summary == [
        ["Place", "Action plan", "Themes"],
        ["Gdynia, Poland", "No", ""],
        ["Växjö, Sweden", "No", ""],
    ]


def test_the_slide_deck_has_one_slide_per_answering_place(client, union, login, send):
    survey = answered_survey(client, union, send)
    login(client, union.noora)
    response = client.get(f"/network/surveys/{survey.uuid}/report.pptx")
    deck = Presentation(io.BytesIO(response.content))
    titles = [slide.shapes.title.text for slide in deck.slides]
    assert titles == [survey.title, "Gdynia, Poland", "Växjö, Sweden"]
    gdynia = deck.slides[1].placeholders[1].text_frame.text
    assert "Training by the social welfare centre." in gdynia
    assert "Anna" not in gdynia


def test_only_the_networks_coordinator_compiles_the_report(client, union, login, send):
    survey = answered_survey(client, union, send)
    login(client, union.other)
    for suffix in ["report/", "report.docx", "report.pptx"]:
        assert client.get(f"/network/surveys/{survey.uuid}/{suffix}").status_code == 404
    assert not AuditEntry.objects.filter(action="survey.report_compiled").exists()


def test_control_characters_in_an_answer_do_not_break_the_documents(client, union, login, send):
    survey = make_survey(union)
    send(survey, [union.vaxjo])
    answer(
        client,
        links_in_outbox("anna@vaxjo.example")[0],
        {"q1": "Training\x0b for\x1b staff", "q2": "yes", "respondent_name": "Anna\x07"},
        submit=True,
    )
    stored = Response.objects.get(place=union.vaxjo)
    assert (stored.answers["q1"], stored.submitted_by_name) == ("Training for staff", "Anna")
    # An answer stored before the cleaning is cleaned again when the document is written.
    Response.objects.filter(pk=stored.pk).update(answers=stored.answers | {"q1": "Old\x01 answer"})
    client.cookies.clear()
    login(client, union.noora)
    document = Document(
        io.BytesIO(client.get(f"/network/surveys/{survey.uuid}/report.docx").content)
    )
    assert "Old answer" in [p.text for p in document.paragraphs]
    deck = client.get(f"/network/surveys/{survey.uuid}/report.pptx")
    assert deck.status_code == 200
