"""The compiled report of a survey: one section per answering place, as in the
city union's follow-up for its executive board, with a summary table; as a
printable page, a Word document (python-docx) and a slide deck (python-pptx).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from docx import Document
from pptx import Presentation
from pptx.util import Pt

from samverkan.audit.services import audit_record
from samverkan.network.models import Question, Response, Survey
from samverkan.network.text import xml_safe
from samverkan.policy import access
from samverkan.policy.network import surveys_visible_to


@dataclass
class Answer:
    question: str
    text: str = ""
    bullets: list[str] = field(default_factory=list)


@dataclass
class PlaceSection:
    place: str
    country: str
    respondent: str
    answers: list[Answer]
    has_action_plan: bool
    themes: list[str]
    files: list = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.place}, {self.country}"


@dataclass
class Report:
    survey: Survey
    sections: list[PlaceSection]
    missing: list[str]
    invited: int

    @property
    def response_rate(self) -> int:
        return round(100 * len(self.sections) / self.invited) if self.invited else 0


def _readable(question: dict, value) -> Answer:
    # Answers are cleaned when saved; older ones are cleaned here, so that one
    # answer cannot break the document for the whole survey.
    if isinstance(value, str):
        value = xml_safe(value)
    elif isinstance(value, list):
        value = [xml_safe(str(item)) for item in value]
    labels = {choice["value"]: choice["label"] for choice in question.get("choices", [])}
    kind = question["kind"]
    if value in (None, "", []):
        return Answer(question["text"], _("(no answer)"))
    if kind == Question.Kind.MULTIPLE_CHOICE:
        return Answer(question["text"], bullets=[labels.get(v, v) for v in value])
    if kind == Question.Kind.SINGLE_CHOICE:
        return Answer(question["text"], labels.get(value, value))
    if kind == Question.Kind.YES_NO:
        return Answer(question["text"], _("Yes") if value == "yes" else _("No"))
    if kind == Question.Kind.LONG_TEXT:
        # A long answer written as a list ("- ...") stays a list.
        lines = [line.strip() for line in str(value).splitlines() if line.strip()]
        if len(lines) > 1 and all(line[:1] in "-*•" for line in lines):
            return Answer(question["text"], bullets=[line[1:].strip() for line in lines])
        return Answer(question["text"], str(value))
    return Answer(question["text"], str(value))


def report_compile(*, actor, survey: Survey) -> Report:
    """The report, read from the submitted responses; the reading is audited."""
    access.require(actor, "survey.report", survey)
    survey = surveys_visible_to(actor).get(pk=survey.pk)
    responses = list(
        survey.responses.select_related("place", "version").prefetch_related(
            "place__action_plans__measures__action_points"
        )
    )
    sections, missing = [], []
    for response in responses:
        if response.status != Response.Status.SUBMITTED:
            missing.append(str(response.place))
            continue
        plans = list(response.place.action_plans.all())
        themes = sorted(
            {
                point.theme
                for plan in plans
                for measure in plan.measures.all()
                for point in measure.action_points.all()
            }
        )
        sections.append(
            PlaceSection(
                place=response.place.name,
                country=str(response.place.country.name),
                respondent=xml_safe(response.submitted_by_name),
                answers=[
                    _readable(question, response.answers.get(question["name"]))
                    for question in response.version.definition["questions"]
                    if question["kind"] != Question.Kind.FILE
                    or response.answers.get(question["name"])
                ],
                has_action_plan=bool(plans),
                themes=themes,
            )
        )
    with transaction.atomic():
        audit_record(action="survey.report_compiled", actor=actor, target=survey)
    return Report(survey=survey, sections=sections, missing=missing, invited=len(responses))


@transaction.atomic
def response_file_open(*, actor, uuid):
    """A file a place uploaded, for the coordinator; the download is audited."""
    from samverkan.network.selectors import response_file_get

    upload = response_file_get(actor=actor, uuid=uuid)
    audit_record(action="survey.file_downloaded", actor=actor, target=upload)
    return upload


def report_docx(report: Report) -> bytes:
    """A Word document: the summary table, then one section (heading) per place."""
    document = Document()
    document.add_heading(report.survey.title, level=0)
    if report.survey.introduction:
        document.add_paragraph(report.survey.introduction)
    document.add_heading(_("Summary"), level=1)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, title in zip(
        table.rows[0].cells, [_("Place"), _("Action plan"), _("Themes")], strict=True
    ):
        cell.text = title
    for section in report.sections:
        cells = table.add_row().cells
        cells[0].text = section.heading
        cells[1].text = _("Yes") if section.has_action_plan else _("No")
        cells[2].text = ", ".join(section.themes)
    if report.missing:
        document.add_paragraph(
            _("Not answered: %(places)s") % {"places": ", ".join(report.missing)}
        )
    heading = document.styles["Heading 1"].style_id
    bullet_style = document.styles["List Bullet"].style_id

    def add(text: str, style_id: str | None = None):
        paragraph = document.add_paragraph(text)
        if style_id:
            # Set on the XML element: python-docx's style setter scans every style
            # of the document on each call, which made a 300-city report take 19 s.
            paragraph._p.style = style_id
        return paragraph

    for section in report.sections:
        add(section.heading, heading)
        for answer in section.answers:
            add("").add_run(answer.question).bold = True
            if answer.text:
                add(answer.text)
            for bullet in answer.bullets:
                add(bullet, bullet_style)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def report_pptx(report: Report) -> bytes:
    """A deck for the board: a title slide, then one slide per place."""
    deck = Presentation()
    title_slide = deck.slides.add_slide(deck.slide_layouts[0])
    title_slide.shapes.title.text = report.survey.title
    title_slide.placeholders[1].text = _("%(answered)d of %(invited)d places answered") % {
        "answered": len(report.sections),
        "invited": report.invited,
    }
    for section in report.sections:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = section.heading
        frame = slide.placeholders[1].text_frame
        frame.clear()
        first = True
        for answer in section.answers:
            for level, text in [(0, answer.question)] + [
                (1, line) for line in ([answer.text] if answer.text else []) + answer.bullets
            ]:
                paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
                first = False
                paragraph.text = text
                paragraph.level = level
                paragraph.font.size = Pt(16 if level == 0 else 14)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
