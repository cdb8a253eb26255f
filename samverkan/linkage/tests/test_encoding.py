"""Encodings: standardised, deterministic per secret, different across secrets."""

import base64
import json

import numpy as np
import pytest

from samverkan import linkage
from samverkan.linkage.normalise import standardise_birth_date, standardise_name
from samverkan.linkage.schema import parse_schema
from samverkan.linkage.similarity import dice_pairs

SECRET = base64.b64encode(b"s" * 32).decode()
OTHER_SECRET = base64.b64encode(b"t" * 32).decode()
OLENA = {
    "given_names": "Олена",
    "family_name": "Шевченко",
    "date_of_birth": "1994-03-17",
    "sex": "female",
    "citizenship": "UA",
}


def _dice(first, second):
    a = linkage.EncodingSet.from_base64([first])
    b = linkage.EncodingSet.from_base64([second])
    return float(dice_pairs(a.words, b.words, np.array([0]), np.array([0]))[0])


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Юрий", "iuri"),
        ("Jurij", "iuri"),
        ("Yuriy", "iuri"),
        ("Šarūnas", "sarunas"),
        ("Sharunas", "sarunas"),
        ("Jānis  BĒRZIŅŠ", "ianis berzins"),
        ("Małgorzata Wiśniewska", "malgorzata visnievska"),
        ("Björn Åkesson", "biorn akeson"),
        ("Søren Ærø", "soren aero"),
        ("Oleksandr", "olexandr"),
        ("Олександр", "olexandr"),
    ],
)
def test_names_are_standardised_across_scripts_and_transliterations(written, canonical):
    assert standardise_name(written) == canonical


def test_dates_of_birth_in_several_formats_and_estimated_dates():
    assert standardise_birth_date("17.03.1994") == standardise_birth_date("1994-03-17")
    assert standardise_birth_date("01/01/1990").estimated
    assert standardise_birth_date("1990").estimated
    assert not standardise_birth_date("1990-02-03").estimated
    for bad in ("1994-02-30", "17th March", "1800-01-02"):
        with pytest.raises(ValueError):
            standardise_birth_date(bad)


def test_encoding_is_deterministic_per_secret_and_differs_across_secrets():
    first = linkage.encode_record(OLENA, secret=SECRET)
    assert first == linkage.encode_record(OLENA, secret=SECRET)
    other = linkage.encode_record(OLENA, secret=OTHER_SECRET)
    assert other != first
    # Under another secret the same person is no more similar than a stranger.
    assert _dice(first, other) < 0.5
    assert len(base64.b64decode(first)) * 8 == 1024


def test_the_same_person_written_by_two_agencies_encodes_alike():
    police = linkage.encode_record(OLENA, secret=SECRET)
    ngo = linkage.encode_record(
        {**OLENA, "given_names": "Olena", "family_name": "Shevchenko", "sex": "f"}, secret=SECRET
    )
    stranger = linkage.encode_record(
        {**OLENA, "given_names": "Inese", "family_name": "Ozola", "date_of_birth": "1971-11-02"},
        secret=SECRET,
    )
    assert _dice(police, ngo) == 1.0
    assert _dice(police, stranger) < 0.6


def test_the_secret_must_be_long_random_base64():
    for bad in ("", None, "not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(linkage.SecretError):
            linkage.encode_records([OLENA], secret=bad)


def test_bad_values_are_reported_by_record_and_field_without_the_value():
    with pytest.raises(linkage.InputError) as error:
        linkage.encode_records(
            [OLENA, {**OLENA, "date_of_birth": "1994-13-45", "sex": "Olena?"}], secret=SECRET
        )
    assert error.value.problems == [
        (2, "date_of_birth", "impossible_date", {}),
        (2, "sex", "not_a_sex", {}),
    ]
    assert [problem.message for problem in error.value.problems] == [
        "not a real date (such as 30 February)",
        "not a sex (female, male, other or unknown)",
    ]
    assert (error.value.code, error.value.params) == ("invalid_input", {"count": 2})
    assert "1994-13-45" not in str(error.value)


def test_encodings_round_trip_and_wrong_lengths_are_refused():
    encodings = linkage.encode_records([OLENA, OLENA], secret=SECRET)
    again = linkage.EncodingSet.from_base64(encodings.to_base64())
    assert np.array_equal(again.words, encodings.words)
    short = base64.b64encode(b"\0" * 64).decode()
    with pytest.raises(linkage.EncodingError, match="512 bits long") as error:
        linkage.EncodingSet.from_base64([encodings.to_base64()[0], short])
    assert error.value.code == "wrong_length"
    assert error.value.params == {
        "record": 2,
        "found": 512,
        "expected": 1024,
        "schema": "person-v1",
    }
    with pytest.raises(linkage.EncodingError, match="not valid base64"):
        linkage.EncodingSet.from_base64(["***"])


def test_schema_versions_and_malformed_schemas_are_refused():
    document = json.loads(json.dumps(linkage.default_schema().document))
    document["samverkan"]["version"] = 7
    with pytest.raises(linkage.SchemaError, match="version 7 is not supported"):
        parse_schema(document)
    document = json.loads(json.dumps(linkage.default_schema().document))
    document["features"][0]["hashing"]["bits"] = 100
    with pytest.raises(linkage.SchemaError, match="multiple of 64"):
        parse_schema(document)
    document["features"][0]["hashing"]["bits"] = 384
    with pytest.raises(linkage.SchemaError, match="add up to 1088"):
        parse_schema(document)
    with pytest.raises(linkage.SchemaError, match="version 2 is not supported"):
        parse_schema({**linkage.default_schema().document, "version": 2})


def test_other_schemas_are_read_but_the_person_schema_only_in_known_versions():
    document = json.loads(json.dumps(linkage.default_schema().document))
    document["samverkan"] = {"id": "febrl", "version": 3}
    document["features"][0]["format"]["normalisation"] = "text"
    schema = parse_schema(document)
    assert schema.label == "febrl-v3"
    encodings = linkage.encode_records([{**OLENA, "given_names": "12 Main St."}], schema, SECRET)
    assert len(encodings) == 1
    assert standardise_birth_date("19940317") == standardise_birth_date("1994-03-17")
