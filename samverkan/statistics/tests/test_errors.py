"""The linkage library's errors reach the rapporteur in the rapporteur's language:
every code has its message here, uploads are refused in it, and a failed build
keeps the code, not the words."""

from __future__ import annotations

import string

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from samverkan import linkage
from samverkan.linkage import errors as linkage_errors
from samverkan.statistics import errors
from samverkan.statistics.models import ExternalSource, StatisticsRun
from samverkan.statistics.services import external_source_upload
from samverkan.statistics.tests.encodings import edited, encodings_file, population

# The build's own failures, besides the library's codes.
BUILD_CODES = {"build_failed", "nothing_registered", "budget_spent"}


def _library_params(code: str) -> dict:
    message = linkage_errors.MESSAGES[code]
    return {name: 7 for _, name, _, _ in string.Formatter().parse(message) if name}


def test_every_code_of_the_linkage_library_has_its_message():
    missing = set(linkage_errors.MESSAGES) - set(errors.MESSAGES)
    assert missing == set(), f"Give these codes a message in statistics/errors.py: {missing}"
    assert set(errors.MESSAGES) - set(linkage_errors.MESSAGES) == BUILD_CODES


@pytest.mark.parametrize("language", ["en", "sv"])
@pytest.mark.parametrize("code", sorted(linkage_errors.MESSAGES))
def test_each_message_takes_the_librarys_params_and_is_translated(code, language):
    """A message names only parameters the library gives (or % fails), and Swedish has its
    own words."""
    params = _library_params(code)
    with translation.override(language):
        text = errors.message(code, params)
    assert "%(" not in text
    if language == "sv":
        with translation.override("en"):
            english = errors.message(code, params)
        assert text != english


def test_an_upload_refused_in_swedish_says_why_in_swedish(
    client, login, statistics_world, tmp_path
):
    login(client, statistics_world.rapporteur)
    data = encodings_file(tmp_path, population(20).records["ngo"], agency_kind="ngo")
    short = edited(data, lambda d: d["records"][2].update(encoding="AAAA"))
    response = client.post(
        "/statistics/sources/",
        {"name": "Röda korset", "file": SimpleUploadedFile("ngo.json", short)},
        HTTP_ACCEPT_LANGUAGE="sv",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Kodning 3 är 24 bitar lång; schemat person-v1 ger kodningar på 1024 bitar." in page
    assert "bits long" not in page
    assert not ExternalSource.objects.exists()


def test_the_service_refuses_in_the_active_language_with_the_librarys_code(
    statistics_world, tmp_path
):
    with translation.override("sv"), pytest.raises(ValidationError) as refused:
        external_source_upload(actor=statistics_world.rapporteur, name="Lista", data=b"{}")
    (leaf,) = refused.value.error_dict["file"]
    assert leaf.code == "not_encodings_file"
    with translation.override("sv"):
        assert refused.value.message_dict == {
            "file": ["Det här är ingen fil med kodningar från Samverkan."]
        }


def test_bad_input_is_said_problem_by_problem_by_line_and_column():
    problems = [linkage_errors.Problem(line, "sex", "not_a_sex") for line in range(2, 14)]
    problems.append(linkage_errors.Problem(0, "agency kind", "not_one_of", {"choices": "ngo"}))
    with translation.override("sv"):
        said = errors.linkage_refusal(linkage.InputError(problems)).messages
    assert said[0] == "Rad 2, sex: inte ett kön (kvinna, man, annat eller okänt)"
    assert len(said) == 11
    assert said[-1] == "… och 3 fel till."


def test_a_failed_build_keeps_the_code_and_is_shown_in_the_readers_language(
    client, login, statistics_world, registrations, build
):
    from samverkan.cases.models import Person

    # A sealed identity that no longer opens: the build fails.
    person = Person.objects.filter(cases=registrations[2]).get()
    Person.objects.filter(pk=person.pk).update(identity=registrations[3].person.identity)
    run = build(statistics_world)
    assert run.status == StatisticsRun.Status.FAILED
    assert (run.error_code, run.error_params) == ("build_failed", {})
    login(client, statistics_world.rapporteur)
    swedish = client.get(f"/statistics/runs/{run.uuid}/", HTTP_ACCEPT_LANGUAGE="sv")
    english = client.get(f"/statistics/runs/{run.uuid}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Sammanställningen misslyckades." in swedish.content.decode()
    assert "The build failed." in english.content.decode()
    api = client.get(f"/api/v1/statistics/runs/{run.uuid}/", HTTP_ACCEPT_LANGUAGE="sv").json()
    assert api["error_code"] == "build_failed"
    assert api["error"].startswith("Sammanställningen misslyckades.")


def test_a_refusal_keeps_its_code_and_params_for_a_failed_build():
    error = linkage.MixedSecretsError(
        "encodings_never_agree", {"first": "upload:1", "second": "organisation:2"}
    )
    code, params = errors.failure(errors.linkage_refusal(error))
    assert (code, params) == (
        "encodings_never_agree",
        {"first": "upload:1", "second": "organisation:2"},
    )
    with translation.override("sv"):
        assert errors.message(code, params).startswith("Källorna ”upload:1” och")
    assert errors.failure(ValidationError("Something else")) == ("build_failed", {})


def test_a_failed_build_of_bad_input_is_still_shown():
    """A problem's code is kept without its line, column and parameters; its page
    says the build failed rather than failing itself."""
    problem = linkage_errors.Problem(3, "given_names", "too_short", {"minimum": 2})
    code, params = errors.failure(errors.linkage_refusal(linkage.InputError([problem])))
    assert errors.message(code, params) in {
        str(errors.MESSAGES["build_failed"]),
        errors.message("too_short", {"minimum": 2}),
    }
