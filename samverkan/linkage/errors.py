"""The errors of the linkage library: each says what is wrong in words a user can act on.

Every error has a stable ``code`` and ``params`` (numbers, line numbers,
field names, the choices allowed), so that an application can say it in the
user's language; its English message, made from the same parameters, is for
the command line and for logs. None of them carries a personal value: a bad
date is reported by line and column, never by what was written there.

``MESSAGES`` holds every code with its English message, the problems of an
``InputError`` included; an application that translates the errors checks
itself against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar, NamedTuple

MESSAGES: dict[str, str] = {}


def _register(messages: Mapping[str, str]) -> None:
    for code, message in messages.items():
        if code in MESSAGES:
            raise RuntimeError(f"Two linkage errors have the code {code!r}.")
        MESSAGES[code] = message


class LinkageError(ValueError):
    """Base class: bad input to the linkage library."""

    messages: ClassVar[dict[str, str]] = {
        "threshold_out_of_range": "The threshold must be greater than 0 and at most 1.",
        "no_sources": "There are no sources to link.",
        "unknown_scoring": "Scoring is 'fellegi_sunter' or 'dice'.",
        "scoring_needs_segments": (
            "Schema {schema} encodes whole records (clkhash), without per-field segments: "
            "Fellegi–Sunter scoring needs segments; link with scoring 'dice'."
        ),
    }

    def __init__(self, code: str, params: Mapping[str, Any] | None = None):
        self.code = code
        self.params = dict(params or {})
        super().__init__(self.english())

    def english(self) -> str:
        """The message in English, for the command line and for logs."""
        return self.messages[self.code].format(**self.params)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _register(cls.messages)


_register(LinkageError.messages)


class SecretError(LinkageError):
    """The linkage secret is missing or too weak."""

    messages: ClassVar[dict[str, str]] = {
        "secret_missing": "The linkage secret is not set ({variable}).",
        "secret_not_base64": "The linkage secret must be base64.",
        "secret_too_short": (
            "The linkage secret must hold at least {minimum} random bytes "
            '(generate one with: python -c "import base64, secrets; '
            'print(base64.b64encode(secrets.token_bytes(32)).decode())").'
        ),
    }


class SchemaError(LinkageError):
    """A schema file that is malformed or of a version this library does not read.

    ``where`` names the part of the schema document (``schema``,
    ``clkConfig``, ``features[2]``…), ``key`` a key in it.
    """

    messages: ClassVar[dict[str, str]] = {
        "schema_not_object": "A schema is a JSON object.",
        "schema_key_missing": "{where}: '{key}' is missing.",
        "schema_key_type": "{where}: '{key}' must be a {kind}.",
        "clkhash_version": (
            "schema: version {version} is not supported (clkhash schema version {supported} is)."
        ),
        "schema_version": (
            "samverkan: schema '{schema}' version {version} is not supported "
            "by this version of Samverkan."
        ),
        "schema_length": "clkConfig: 'l' must be a positive multiple of {word_bits}.",
        "schema_kdf": (
            "clkConfig.kdf: HMAC with SHA256 (Samverkan's segments) or HKDF (clkhash's "
            "whole-record encoding) is supported."
        ),
        "unknown_normalisation": "{where}: normalisation '{normalisation}' is unknown.",
        "unknown_comparison": "{where}: comparison '{comparison}' is unknown.",
        "ngram_size": "{where}: n-grams of 1, 2 or 3 characters are supported.",
        "hash_type": "{where}: only the doubleHash hash is supported.",
        "feature_bits": "{where}: 'bits' must be a positive multiple of {word_bits}.",
        "bits_per_token": "{where}: 'bitsPerToken' must be between 1 and 'bits'.",
        "blocking_value": "{where}: 'blocking' is true, false or \"exact\".",
        "no_features": "schema: 'features' is empty.",
        "bits_total": "schema: the features' bits add up to {total}, not to l = {length}.",
        "duplicate_feature": "schema: two features have the same identifier.",
        "swap_partner": (
            "schema: '{feature}' swaps with '{partner}', which must swap back, "
            "share its key group and have as many bits."
        ),
        "schema_file_unreadable": "The schema file cannot be read: {reason}.",
        "schema_file_not_json": "The schema file is not JSON (line {line}).",
        "schema_mismatch": "The file's schema id or version does not match its schema.",
        # clkhash v3 schemas (HKDF), read by samverkan.linkage.clkhash.
        "clkhash_choice": "{where}: '{key}' is one of {choices}.",
        "clkhash_minimum": "{where}: '{key}' must be at least {minimum}.",
        "clkhash_positive": "{where}: '{key}' must be above 0.",
        "clkhash_range": "{where}: '{key}' must be between {minimum} and {maximum}.",
        "clkhash_not_base64": "{where}: '{key}' must be base64.",
        "clkhash_pattern": "{where}: 'pattern' is not a regular expression.",
        "clkhash_segments": (
            "{where}: Samverkan's segments ('bits', 'keyGroup', 'normalisation'…) need the "
            "HMAC key derivation; a schema with HKDF is read as clkhash's, whole-record."
        ),
        "clkhash_xor_folds": "clkConfig: 'xorFolds' is ignored by clkhash; write 'xor_folds'.",
        "clkhash_precision": "{where}: too little fractional precision for the distance.",
        "clkhash_nothing_hashed": "schema: no feature is hashed.",
        "clkhash_too_many_keys": "schema: too many features for HKDF to derive keys for.",
        "clkhash_blake_key": "clkConfig.kdf: blakeHash keys are at most {maximum} bytes.",
        "clkhash_blake_length": "clkConfig: blakeHash needs l · 2^xor_folds to be a power of two.",
        "clkhash_reserved_id": (
            "samverkan: schema '{schema}' is Samverkan's own, with segments (HMAC)."
        ),
    }


class EncodingError(LinkageError):
    """Encodings of the wrong length, of another schema, or not valid base64.

    ``record`` counts the records of a file or list from 1.
    """

    messages: ClassVar[dict[str, str]] = {
        "wrong_width": "Encodings must be {expected} bits long for schema {schema}.",
        "not_packed_words": "Encodings must be packed 64-bit words.",
        "not_base64": "Encoding {record} is not valid base64.",
        "wrong_length": (
            "Encoding {record} is {found} bits long; schema {schema} makes "
            "{expected}-bit encodings."
        ),
        "nothing_to_join": "No encodings to join.",
        "join_different_schemas": "Encodings of different schemas cannot be joined.",
        "breakdown_count": "There must be one breakdown per encoding.",
        "not_encodings_file": "This is not a Samverkan encodings file.",
        "file_version": (
            "Encodings file version {found} is not supported (version {supported} is)."
        ),
        "file_bits": (
            "The file says its encodings are {found} bits long; its schema makes "
            "{expected}-bit encodings."
        ),
        "file_agency_kind": "The agency kind must be one of {choices}.",
        "file_period_reversed": "The period ends before it starts.",
        "file_period_missing": "The period must have a start and an end (YYYY-MM-DD).",
        "file_without_records": "The file holds no records.",
        "record_not_object": "Each record must be an object with an encoding.",
        "breakdown_fields": "Record {record} has breakdown fields other than {fields}.",
        "file_unreadable": "The encodings file cannot be read ({reason}).",
        "file_not_json": "The encodings file is not JSON.",
        "sources_different_schemas": "The sources were encoded with different schemas.",
        "clks_file_unreadable": "The CLK file cannot be read ({reason}).",
        "clks_file_not_json": "The CLK file is not JSON.",
        "clks_file_format": 'A CLK file is an object with a list of "clks".',
    }


class MixedSecretsError(LinkageError):
    """Sources encoded under different secrets: their encodings cannot be compared."""

    messages: ClassVar[dict[str, str]] = {
        "key_checks_differ": (
            "The sources were encoded under different linkage secrets; encode them all "
            "under the same secret."
        ),
        "encodings_never_agree": (
            "Sources '{first}' and '{second}' look encoded under different linkage secrets: "
            "their encodings never agree, not even on sex or citizenship."
        ),
    }


# The problems of an InputError; a column with a line number of 0 is not on a line.
PROBLEMS: dict[str, str] = {
    "not_text": "not text",
    "not_a_date": "not a date",
    "birth_date_format": "not a date (YYYY-MM-DD, DD.MM.YYYY or YYYY)",
    "impossible_date": "not a real date (such as 30 February)",
    "implausible_birth_year": "not a plausible year of birth",
    "not_a_sex": "not a sex (female, male, other or unknown)",
    "not_a_country_code": "not a country code (ISO 3166-1 alpha-2, such as UA or LT)",
    "iso_date_format": "not a date (YYYY-MM-DD)",
    "outside_period": "outside the period",
    "not_one_of": "not one of {choices}",
    "column_missing": "this required column is missing",
    "csv_unreadable": "cannot be read ({reason})",
    "csv_not_utf8": "is not UTF-8 text",
    "csv_invalid": "is not valid CSV ({reason})",
    "csv_without_records": "has no records",
    "period_reversed": "the period ends before it starts",
    "period_not_a_year": "not a year",
    "period_options": "give --period YEAR, or --start and --end as YYYY-MM-DD",
    "agency_kind_required": "required for an encodings file",
    # Values under a clkhash schema, refused as clkhash refuses them.
    "cannot_encode": "has characters that {encoding} cannot encode",
    "pattern_mismatch": "does not match the schema's pattern",
    "too_short": "shorter than {minimum} characters",
    "too_long": "longer than {maximum} characters",
    "not_upper_case": "not in upper case",
    "not_lower_case": "not in lower case",
    "not_a_schema_value": "not one of the schema's values",
    "date_format_mismatch": "not a date in the format {format}",
    "not_an_integer": "not an integer",
    "integer_below": "less than {minimum}",
    "integer_above": "more than {maximum}",
}


class Problem(NamedTuple):
    """One bad value: where (line 0 when not on a line), and what is wrong."""

    line: int
    column: str
    code: str
    params: Mapping[str, Any] = MappingProxyType({})

    @property
    def message(self) -> str:
        return PROBLEMS[self.code].format(**self.params)


class InvalidValue(ValueError):
    """A value that cannot be standardised; whoever knows its line and column makes a Problem."""

    def __init__(self, code: str, params: Mapping[str, Any] | None = None):
        self.code = code
        self.params = dict(params or {})
        super().__init__(PROBLEMS[code].format(**self.params))


class InputError(LinkageError):
    """Bad records to encode; ``problems`` lists a ``Problem`` per bad line and column.

    Its own code says only how many there are; the problems say what and where.
    """

    messages: ClassVar[dict[str, str]] = {"invalid_input": "The input has {count} problems."}
    SHOWN = 10

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("invalid_input", {"count": len(problems)})

    def english(self) -> str:
        shown = "; ".join(
            f"line {problem.line}, column {problem.column}: {problem.message}"
            for problem in self.problems[: self.SHOWN]
        )
        hidden = len(self.problems) - self.SHOWN
        return f"{shown} (and {hidden} more)" if hidden > 0 else shown


_register(PROBLEMS)
