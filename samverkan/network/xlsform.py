"""Surveys to and from XLSForm, the spreadsheet form standard of KoBoToolbox
and ODK, so that networks reuse the forms they already have.

Import goes through pyxform, which checks the form as ODK tools would; export
writes the survey, choices and settings sheets with openpyxl and is read back
by pyxform in the tests.
"""

from __future__ import annotations

import io
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from samverkan.accounts.models import Membership
from samverkan.network import services
from samverkan.network.models import Question, Survey

# Our kinds as XLSForm types ("select_one <list>" for the choice kinds).
EXPORT_TYPES = {
    Question.Kind.SHORT_TEXT: "text",
    Question.Kind.LONG_TEXT: "text",
    Question.Kind.NUMBER: "decimal",
    Question.Kind.DATE: "date",
    Question.Kind.FILE: "file",
}
IMPORT_TYPES = {
    "text": Question.Kind.SHORT_TEXT,
    "integer": Question.Kind.NUMBER,
    "decimal": Question.Kind.NUMBER,
    "date": Question.Kind.DATE,
    "file": Question.Kind.FILE,
    "select one": Question.Kind.SINGLE_CHOICE,
    "select all that apply": Question.Kind.MULTIPLE_CHOICE,
}
LANGUAGE_COLUMN = re.compile(r"\((?P<code>[a-z]{2,3})\)\s*$")
TRANSLATED = {"sv": "Swedish (sv)"}


def survey_export(survey: Survey) -> bytes:
    """The survey as an XLSForm workbook (English labels, Swedish where given)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    languages = sorted(
        {code for question in survey.questions.all() for code in question.translations}
        & set(TRANSLATED)
    )
    sheet.append(
        ["type", "name", "label::English (en)"]
        + [f"label::{TRANSLATED[code]}" for code in languages]
        + ["hint::English (en)", "required", "appearance"]
    )
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)"])
    section = ""
    for question in survey.questions.all():
        if question.section != section:
            if section:
                sheet.append(["end_group"])
            if question.section:
                sheet.append(["begin_group", f"section_{question.position}", question.section])
            section = question.section
        kind = question.kind
        if kind == Question.Kind.YES_NO:
            xls_type = "select_one yes_no"
        elif kind in {Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE}:
            prefix = "select_one" if kind == Question.Kind.SINGLE_CHOICE else "select_multiple"
            xls_type = f"{prefix} {question.name}_choices"
            for choice in question.choices:
                choices.append([f"{question.name}_choices", choice["value"], choice["label"]])
        else:
            xls_type = EXPORT_TYPES[kind]
        sheet.append(
            [xls_type, question.name, question.text]
            + [question.translations.get(code, "") for code in languages]
            + [
                question.help_text,
                "yes" if question.required else "",
                "multiline" if kind == Question.Kind.LONG_TEXT else "",
            ]
        )
    if section:
        sheet.append(["end_group"])
    if survey.questions.filter(kind=Question.Kind.YES_NO).exists():
        choices.append(["yes_no", "yes", "Yes"])
        choices.append(["yes_no", "no", "No"])
    settings = workbook.create_sheet("settings")
    settings.append(["form_title", "form_id", "default_language"])
    settings.append([survey.title, f"samverkan_{survey.uuid.hex[:12]}", "English (en)"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _label(value, default_language: str) -> tuple[str, dict[str, str]]:
    if isinstance(value, dict):
        translations = {}
        text = value.get(default_language) or next(iter(value.values()), "")
        for column, label in value.items():
            match = LANGUAGE_COLUMN.search(column)
            if match and column != default_language and label:
                translations[match["code"]] = label
        return text, translations
    return value or "", {}


def _questions(children, section: str, default_language: str, out: list, problems: list):
    for child in children:
        xls_type = child.get("type", "")
        if xls_type == "group":
            title, _translations = _label(child.get("label"), default_language)
            _questions(child.get("children", []), title, default_language, out, problems)
            continue
        if xls_type in {"note", "calculate", "start", "end", "today", "deviceid"}:
            continue
        kind = IMPORT_TYPES.get(xls_type)
        if kind is None:
            problems.append(
                _("“%(name)s” has the type “%(type)s”, which Samverkan does not support.")
                % {"name": child.get("name"), "type": xls_type}
            )
            continue
        text, translations = _label(child.get("label"), default_language)
        choices = [
            {
                "value": str(choice["name"]),
                "label": _label(choice.get("label"), default_language)[0],
            }
            for choice in child.get("choices", [])
        ]
        if kind == Question.Kind.SINGLE_CHOICE and {c["value"] for c in choices} == {"yes", "no"}:
            kind, choices = Question.Kind.YES_NO, []
        if kind == Question.Kind.SHORT_TEXT and "multiline" in str(
            child.get("control", {}).get("appearance", "")
        ):
            kind = Question.Kind.LONG_TEXT
        hint, _hints = _label(child.get("hint"), default_language)
        out.append(
            {
                "name": child["name"][:60],
                "kind": kind,
                "text": text or child["name"],
                "translations": translations,
                "help_text": hint,
                "required": str(child.get("bind", {}).get("required", "")).lower()
                in {"yes", "true", "true()"},
                "choices": choices,
                "section": section,
            }
        )


def parse(content: bytes) -> tuple[str, list[dict]]:
    """The title and the questions of an XLSForm workbook, or a ValidationError."""
    try:
        result = convert(content, file_type=".xlsx")
    except (PyXFormError, ValueError, KeyError, OSError) as error:
        raise ValidationError(
            _("This is not a valid XLSForm: %(reason)s") % {"reason": str(error)[:300]}
        ) from error
    form = result._pyxform
    default_language = form.get("default_language", "default")
    questions, problems = [], []
    _questions(form.get("children", []), "", default_language, questions, problems)
    if problems:
        raise ValidationError(problems)
    if not questions:
        raise ValidationError(_("The form has no questions Samverkan can use."))
    return form.get("title") or form.get("name", ""), questions


@transaction.atomic
def survey_import(*, actor: Membership, survey: Survey, content: bytes) -> int:
    """Add an XLSForm's questions to a survey; all or nothing. Returns how many."""
    _title, questions = parse(content)
    for question in questions:
        services.question_add(actor=actor, survey=survey, **question)
    return len(questions)
