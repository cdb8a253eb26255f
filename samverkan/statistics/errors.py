"""What the rapporteur reads when an upload or a build is refused, in the rapporteur's language.

The linkage library (``samverkan.linkage``) has no Django inside: its errors
carry a stable code and parameters, and English only for its command line
and for logs. Here every one of its codes, and each way a build fails, has
its message, written once; the upload page, the API and a failed build's
page all say it through this module. A failed build keeps the code and the
parameters, not the words, so that its page is read in the reader's language.

Parameters are numbers, line numbers, field names and allowed choices, never
a value of a record (the library's rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import chain
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from samverkan.linkage.errors import InputError, LinkageError, Problem

BUILD_FAILED = "build_failed"

MESSAGES = {
    # A build's own failures.
    BUILD_FAILED: _("The build failed. The published figures are unchanged."),
    "nothing_registered": _("Nothing was registered in this period: there is nothing to count."),
    "budget_spent": _(
        "The privacy budget of %(year)s is spent: %(left)s of %(budget)s is left, and this "
        "build asks for %(epsilon)s."
    ),
    # samverkan.linkage.errors.LinkageError
    "threshold_out_of_range": _("The match threshold must be above 0 and at most 1."),
    "no_sources": _("There are no sources to link."),
    "unknown_scoring": _("The scoring method is “fellegi_sunter” or “dice”."),
    "scoring_needs_segments": _(
        "Schema %(schema)s encodes whole records (clkhash), without per-field segments: "
        "Fellegi–Sunter scoring needs segments; link with the scoring “dice”."
    ),
    # SecretError
    "secret_missing": _("The linkage secret is not set (%(variable)s)."),
    "secret_not_base64": _("The linkage secret must be base64."),
    "secret_too_short": _("The linkage secret must hold at least %(minimum)s random bytes."),
    # SchemaError
    "schema_not_object": _("The schema is not a JSON object."),
    "schema_key_missing": _("The schema lacks “%(key)s” in %(where)s."),
    "schema_key_type": _("In the schema's %(where)s, “%(key)s” must be of type %(kind)s."),
    "clkhash_version": _(
        "Schema format version %(version)s is not supported (clkhash schema version "
        "%(supported)s is)."
    ),
    "schema_version": _(
        "Schema “%(schema)s” version %(version)s is not supported by this version of Samverkan."
    ),
    "schema_length": _(
        "In the schema's clkConfig, “l” must be a positive multiple of %(word_bits)s."
    ),
    "schema_kdf": _(
        "In the schema's clkConfig.kdf, HMAC with SHA256 (Samverkan's segments) or HKDF "
        "(clkhash's whole-record encoding) is supported."
    ),
    "unknown_normalisation": _(
        "In the schema's %(where)s, the normalisation “%(normalisation)s” is unknown."
    ),
    "unknown_comparison": _(
        "In the schema's %(where)s, the comparison “%(comparison)s” is unknown."
    ),
    "ngram_size": _("In the schema's %(where)s: n-grams of 1, 2 or 3 characters are supported."),
    "hash_type": _("In the schema's %(where)s: only the doubleHash hash is supported."),
    "feature_bits": _(
        "In the schema's %(where)s, “bits” must be a positive multiple of %(word_bits)s."
    ),
    "bits_per_token": _("In the schema's %(where)s, “bitsPerToken” must be between 1 and “bits”."),
    "blocking_value": _("In the schema's %(where)s, “blocking” is true, false or “exact”."),
    "no_features": _("The schema has no features."),
    "bits_total": _("The schema's features add up to %(total)s bits, not to l = %(length)s."),
    "duplicate_feature": _("Two features of the schema have the same identifier."),
    "swap_partner": _(
        "In the schema, “%(feature)s” swaps with “%(partner)s”, which must swap back, share "
        "its key group and have as many bits."
    ),
    "schema_file_unreadable": _("The schema file cannot be read: %(reason)s."),
    "schema_file_not_json": _("The schema file is not JSON (line %(line)s)."),
    "schema_mismatch": _("The file's schema id or version does not match its schema."),
    # SchemaError, clkhash schemas
    "clkhash_choice": _("In the schema's %(where)s, “%(key)s” is one of %(choices)s."),
    "clkhash_minimum": _("In the schema's %(where)s, “%(key)s” must be at least %(minimum)s."),
    "clkhash_positive": _("In the schema's %(where)s, “%(key)s” must be above 0."),
    "clkhash_range": _(
        "In the schema's %(where)s, “%(key)s” must be between %(minimum)s and %(maximum)s."
    ),
    "clkhash_not_base64": _("In the schema's %(where)s, “%(key)s” must be base64."),
    "clkhash_pattern": _("In the schema's %(where)s, “pattern” is not a regular expression."),
    "clkhash_segments": _(
        "In the schema's %(where)s: Samverkan's segments (“bits”, “keyGroup”, "
        "“normalisation”…) need the HMAC key derivation; a schema with HKDF is read as "
        "clkhash's, whole-record."
    ),
    "clkhash_xor_folds": _(
        "In the schema's clkConfig, clkhash ignores “xorFolds”: write “xor_folds”."
    ),
    "clkhash_precision": _(
        "In the schema's %(where)s, the fractional precision is too small for the distance."
    ),
    "clkhash_nothing_hashed": _("The schema hashes no feature."),
    "clkhash_too_many_keys": _("The schema has too many features for HKDF to derive keys for."),
    "clkhash_blake_key": _(
        "In the schema's clkConfig.kdf, blakeHash keys are at most %(maximum)s bytes."
    ),
    "clkhash_blake_length": _(
        "In the schema's clkConfig, blakeHash needs l · 2^xor_folds to be a power of two."
    ),
    "clkhash_reserved_id": _(
        "Schema “%(schema)s” is Samverkan's own, with segments (HMAC key derivation)."
    ),
    # EncodingError
    "wrong_width": _("Encodings must be %(expected)s bits long for schema %(schema)s."),
    "not_packed_words": _("Encodings must be packed 64-bit words."),
    "not_base64": _("Encoding %(record)s is not valid base64."),
    "wrong_length": _(
        "Encoding %(record)s is %(found)s bits long; schema %(schema)s makes "
        "%(expected)s-bit encodings."
    ),
    "nothing_to_join": _("There are no encodings to join."),
    "join_different_schemas": _("Encodings of different schemas cannot be joined."),
    "breakdown_count": _("There must be one breakdown per encoding."),
    "not_encodings_file": _("This is not a Samverkan encodings file."),
    "file_version": _(
        "Encodings file version %(found)s is not supported (version %(supported)s is)."
    ),
    "file_bits": _(
        "The file says its encodings are %(found)s bits long; its schema makes "
        "%(expected)s-bit encodings."
    ),
    "file_agency_kind": _("The agency kind must be one of %(choices)s."),
    "file_period_reversed": _("The file's period ends before it starts."),
    "file_period_missing": _("The file's period must have a start and an end (YYYY-MM-DD)."),
    "file_without_records": _("The file holds no records."),
    "record_not_object": _("Each record must be an object with an encoding."),
    "breakdown_fields": _("Record %(record)s has breakdown fields other than %(fields)s."),
    "file_unreadable": _("The encodings file cannot be read (%(reason)s)."),
    "file_not_json": _("The encodings file is not JSON."),
    "sources_different_schemas": _("The sources were encoded with different schemas."),
    "clks_file_unreadable": _("The CLK file cannot be read (%(reason)s)."),
    "clks_file_not_json": _("The CLK file is not JSON."),
    "clks_file_format": _("A CLK file is an object with a list of “clks”."),
    # MixedSecretsError
    "key_checks_differ": _(
        "The sources were encoded under different linkage secrets; encode them all under the "
        "same secret."
    ),
    "encodings_never_agree": _(
        "Sources “%(first)s” and “%(second)s” look encoded under different linkage secrets: "
        "their encodings never agree, not even on sex or citizenship."
    ),
    # InputError, and its problems (samverkan.linkage.errors.PROBLEMS)
    "invalid_input": ngettext_lazy(
        "The input has %(count)s problem.", "The input has %(count)s problems.", "count"
    ),
    "not_text": _("not text"),
    "not_a_date": _("not a date"),
    "birth_date_format": _("not a date (YYYY-MM-DD, DD.MM.YYYY or YYYY)"),
    "impossible_date": _("not a real date (such as 30 February)"),
    "implausible_birth_year": _("not a plausible year of birth"),
    "not_a_sex": _("not a sex (female, male, other or unknown)"),
    "not_a_country_code": _("not a country code (ISO 3166-1 alpha-2, such as UA or LT)"),
    "iso_date_format": _("not a date (YYYY-MM-DD)"),
    "outside_period": _("outside the period"),
    "not_one_of": _("not one of %(choices)s"),
    "column_missing": _("this required column is missing"),
    "csv_unreadable": _("cannot be read (%(reason)s)"),
    "csv_not_utf8": _("is not UTF-8 text"),
    "csv_invalid": _("is not valid CSV (%(reason)s)"),
    "csv_without_records": _("has no records"),
    "period_reversed": _("the period ends before it starts"),
    "period_not_a_year": _("not a year"),
    "period_options": _("give --period YEAR, or --start and --end as YYYY-MM-DD"),
    "agency_kind_required": _("required for an encodings file"),
    "cannot_encode": _("has characters that %(encoding)s cannot encode"),
    "pattern_mismatch": _("does not match the schema's pattern"),
    "too_short": _("shorter than %(minimum)s characters"),
    "too_long": _("longer than %(maximum)s characters"),
    "not_upper_case": _("not in upper case"),
    "not_lower_case": _("not in lower case"),
    "not_a_schema_value": _("not one of the schema's values"),
    "date_format_mismatch": _("not a date in the format %(format)s"),
    "not_an_integer": _("not an integer"),
    "integer_below": _("less than %(minimum)s"),
    "integer_above": _("more than %(maximum)s"),
}

PROBLEM_ON_LINE = _("Line %(line)s, %(column)s: %(problem)s")
PROBLEM = _("%(column)s: %(problem)s")
MORE_PROBLEMS = ngettext_lazy(
    "… and %(count)s more problem.", "… and %(count)s more problems.", "count"
)


def message(code: str, params: Mapping[str, Any] | None = None) -> str:
    """The message of a code in the active language; for a code unknown here, that the
    build failed (a test keeps every code of the library known)."""
    template = MESSAGES.get(code, MESSAGES[BUILD_FAILED])
    try:
        return template % dict(params or {})
    except (KeyError, TypeError, ValueError):
        # A stored code without the parameters it needs: say no more than the truth.
        return str(MESSAGES[BUILD_FAILED])


def problem_message(problem: Problem) -> str:
    text = message(problem.code, problem.params)
    where = {"line": problem.line, "column": problem.column, "problem": text}
    return (PROBLEM_ON_LINE if problem.line else PROBLEM) % where


def refusal(code: str, params: Mapping[str, Any] | None = None) -> ValidationError:
    """A refusal said in the reader's language when shown, with its code and parameters."""
    return ValidationError(MESSAGES[code], code=code, params=dict(params or {}))


def linkage_refusal(error: LinkageError) -> ValidationError:
    """The linkage library's error as a refusal; the problems of bad input one by one."""
    if not isinstance(error, InputError):
        return refusal(error.code, error.params)
    shown = error.problems[: InputError.SHOWN]
    refusals = [ValidationError(problem_message(problem), code=problem.code) for problem in shown]
    hidden = len(error.problems) - len(shown)
    if hidden > 0:
        refusals.append(ValidationError(MORE_PROBLEMS, code=error.code, params={"count": hidden}))
    return ValidationError(refusals)


def failure(error: ValidationError) -> tuple[str, dict[str, Any]]:
    """The code and parameters a failed build keeps of a refusal (its first message)."""
    if hasattr(error, "error_dict"):
        leaves = list(chain.from_iterable(error.error_dict.values()))
    else:
        leaves = error.error_list
    first = leaves[0]
    if first.code in MESSAGES:
        return first.code, dict(first.params or {})
    return BUILD_FAILED, {}
