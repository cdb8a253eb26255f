"""Surveys to and from XLSForm, checked by pyxform as ODK tools would."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from pyxform.xls2xform import convert

from samverkan.network import services, xlsform
from samverkan.network.models import Question
from samverkan.network.tests.conftest import make_survey


def test_an_exported_survey_is_a_valid_xlsform_that_imports_back(union):
    survey = make_survey(union)
    services.question_add(
        actor=union.noora,
        survey=survey,
        kind=Question.Kind.MULTIPLE_CHOICE,
        text="Which themes does your work cover?",
        choices=services.parse_choices("Prevention\nIdentification\nReferral"),
    )
    content = xlsform.survey_export(survey)
    form = convert(content, file_type=".xlsx")
    assert "<h:title>Follow-up of the statement against trafficking</h:title>" in form.xform

    copy = services.survey_create(
        actor=union.noora, network=union.network, title="Copy", deadline=survey.deadline
    )
    assert xlsform.survey_import(actor=union.noora, survey=copy, content=content) == 3
    fields = ["name", "section", "kind", "text", "translations", "required", "choices"]
    assert list(copy.questions.values(*fields)) == list(survey.questions.values(*fields))


def test_an_xlsform_with_unsupported_types_is_refused_with_the_question_named(client, union, login):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    sheet.append(["text", "city", "Your city"])
    sheet.append(["geopoint", "where", "Where are you?"])
    out = io.BytesIO()
    workbook.save(out)
    survey = make_survey(union)
    login(client, union.noora)
    response = client.post(
        f"/network/surveys/{survey.uuid}/xlsform/",
        {"file": SimpleUploadedFile("form.xlsx", out.getvalue())},
    )
    assert response.status_code == 400
    assert "“where” has the type “geopoint”, which Samverkan does not support." in (
        response.content.decode()
    )
    assert survey.questions.count() == 2


def test_a_file_that_is_not_an_xlsform_gets_a_clear_message(union):
    with pytest.raises(ValidationError, match="This is not a valid XLSForm"):
        xlsform.parse(b"PK\x03\x04 broken zip")
