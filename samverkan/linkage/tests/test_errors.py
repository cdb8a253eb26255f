"""Errors carry a stable code and parameters, and an English message made of them."""

from __future__ import annotations

import string

import pytest

from samverkan import linkage
from samverkan.linkage import errors, files


def _placeholders(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def test_every_error_class_registers_its_codes_once():
    classes = [
        linkage.LinkageError,
        linkage.SecretError,
        linkage.SchemaError,
        linkage.EncodingError,
        linkage.MixedSecretsError,
        linkage.InputError,
    ]
    codes = [code for cls in classes for code in cls.messages] + list(errors.PROBLEMS)
    assert sorted(codes) == sorted(errors.MESSAGES)
    assert len(set(codes)) == len(codes)


def test_the_english_message_is_made_of_the_code_and_its_params():
    error = linkage.EncodingError("breakdown_fields", {"record": 5, "fields": "year, sex"})
    assert str(error) == "Record 5 has breakdown fields other than year, sex."
    assert (error.code, error.params) == ("breakdown_fields", {"record": 5, "fields": "year, sex"})
    assert _placeholders(errors.MESSAGES["wrong_length"]) == {
        "record",
        "found",
        "expected",
        "schema",
    }


def test_an_input_error_counts_its_problems_and_shows_the_first_ten_in_english():
    problems = [errors.Problem(line, "sex", "not_a_sex") for line in range(2, 14)]
    error = linkage.InputError(problems)
    assert error.params == {"count": 12}
    assert str(error).startswith("line 2, column sex: not a sex (female, male, other or unknown);")
    assert str(error).endswith("(and 2 more)")


@pytest.mark.parametrize(
    ("key", "code"), [("format_version", "file_version"), ("encoding_bits", "file_bits")]
)
def test_a_files_own_words_are_not_repeated_in_an_error(key, code):
    schema = linkage.default_schema()
    document = {
        "format": files.FORMAT,
        "format_version": 1,
        "schema": schema.document,
        "schema_id": schema.id,
        "schema_version": schema.version,
        key: "Olena Petrenko",
    }
    with pytest.raises(linkage.EncodingError) as error:
        files.parse_encodings_document(document)
    assert error.value.code == code
    assert "Olena" not in str(error.value)
    assert "Olena" not in str(error.value.params)
