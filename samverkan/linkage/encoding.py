"""Keyed Bloom-filter encodings (cryptographic linkage keys) of persons.

Each field's standardised value is cut into tokens (character bigrams of
each name padded with ``_``; year, month, day and the day–month pair of a
date of birth; the code of a sex or citizenship). Each token sets
``bitsPerToken`` bits in the field's segment by double hashing: HMAC-SHA256
of the token under a key derived from the linkage secret for the field's key
group gives two 64-bit numbers ``h1``, ``h2``, and bits
``(h1 + i·h2) mod bits`` for ``i < bitsPerToken`` are set. Without the secret
nobody can compute which bits a name sets, so encodings cannot be made from a
list of names to look people up.

A schema with clkhash's HKDF key derivation is encoded as clkhash encodes
it instead, into one whole-record filter (``clkhash``).

Encodings are kept as NumPy arrays of packed 64-bit words (one row per
record); serialised, a row is the base64 of its bytes, the first bit being
the most significant bit of the first byte (as clkhash and anonlink do).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np

from samverkan.linkage import clkhash, normalise
from samverkan.linkage.bits import bit_matrix
from samverkan.linkage.errors import EncodingError, InputError, InvalidValue, Problem, SecretError
from samverkan.linkage.schema import Feature, Schema, default_schema

MIN_SECRET_BYTES = 32
_KEY_LABEL = b"samverkan-linkage/v1/key/"
_CHECK_LABEL = b"samverkan-linkage/v1/key-check"


def parse_secret(value: str | bytes | None) -> bytes:
    """The linkage secret: base64 of at least 32 random bytes (or those bytes themselves)."""
    if not value:
        raise SecretError("secret_missing", {"variable": "SAMVERKAN_LINKAGE_SECRET"})
    if isinstance(value, bytes):
        secret = value
    else:
        try:
            secret = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError) as error:
            raise SecretError("secret_not_base64") from error
    if len(secret) < MIN_SECRET_BYTES:
        raise SecretError("secret_too_short", {"minimum": MIN_SECRET_BYTES})
    return secret


def key_check(secret: bytes) -> str:
    """A short public digest of the secret, so that files made under different secrets
    are told apart before they are compared. It reveals nothing about the secret."""
    return hmac.digest(secret, _CHECK_LABEL, "sha256")[:8].hex()


def standardise_value(feature: Feature, value) -> object:
    """A field's canonical value; raises ``InvalidValue`` (a ``ValueError``) naming the fault."""
    if feature.normalisation == "name":
        if value is not None and not isinstance(value, str):
            raise InvalidValue("not_text")
        return normalise.standardise_name(value)
    if feature.normalisation == "text":
        if value is not None and not isinstance(value, str):
            raise InvalidValue("not_text")
        return normalise.standardise_text(value)
    if feature.normalisation == "birth_date":
        if value is not None and not isinstance(value, str | date):
            raise InvalidValue("not_a_date")
        return normalise.standardise_birth_date(value)
    if feature.normalisation == "sex":
        return normalise.standardise_sex(value)
    return normalise.standardise_citizenships(value)


def standardise_fields(
    record: Mapping, schema: Schema, line: int = 0
) -> tuple[dict[str, object], list[Problem]]:
    """Every field's canonical value (for a clkhash schema, the text clkhash hashes), and
    the problem of each bad one (on ``line``)."""
    values: dict[str, object] = {}
    problems = []
    if schema.clkhash is not None:
        fields = [field for field in schema.clkhash.fields if not field.ignored]
        standardise = clkhash.format_value
    else:
        fields, standardise = schema.features, standardise_value
    for field in fields:
        try:
            values[field.identifier] = standardise(field, record.get(field.identifier))
        except InvalidValue as error:
            problems.append(Problem(line, field.identifier, error.code, error.params))
    return values, problems


def standardise_record(record: Mapping, schema: Schema) -> dict[str, object]:
    """Every field's canonical value; raises ``InputError`` listing the bad fields."""
    values, problems = standardise_fields(record, schema)
    if problems:
        raise InputError(problems)
    return values


def tokens(feature: Feature, value) -> set[str]:
    """The tokens a standardised value sets bits for."""
    if not value:
        return set()
    if feature.comparison == "ngram":
        n = feature.ngram
        grams: set[str] = set()
        for word in str(value).split():
            padded = f"_{word}_"
            grams.update(padded[i : i + n] for i in range(len(padded) - n + 1))
        return grams
    if feature.comparison == "dateParts":
        born: normalise.BirthDate = value
        parts = {f"y{born.year}"}
        if not born.estimated:
            low, high = sorted((born.month, born.day))
            parts |= {f"m{born.month}", f"d{born.day}", f"p{low}-{high}"}
        return parts
    return {str(item) for item in (value if isinstance(value, list) else [value])}


@lru_cache(maxsize=200_000)
def _positions(key: bytes, token: str, bits: int, count: int, start: int) -> tuple[int, ...]:
    """The bits a token sets, as positions in the whole encoding (its field starts at start)."""
    digest = hmac.digest(key, token.encode(), "sha256")
    h1 = int.from_bytes(digest[:8], "big")
    h2 = int.from_bytes(digest[8:16], "big")
    return tuple(start + (h1 + i * h2) % bits for i in range(count))


def _group_key(secret: bytes, group: str) -> bytes:
    return hmac.digest(secret, _KEY_LABEL + group.encode(), "sha256")


@dataclass(frozen=True, eq=False)
class EncodingSet:
    """Encodings of one source: ``words[i]`` is record ``i``'s encoding as 64-bit words."""

    schema: Schema
    words: np.ndarray
    key_check: str | None = None

    def __post_init__(self):
        if self.words.ndim != 2 or self.words.shape[1] != self.schema.words:
            raise EncodingError(
                "wrong_width", {"expected": self.schema.length, "schema": self.schema.label}
            )
        if self.words.dtype != np.uint64:
            raise EncodingError("not_packed_words")

    def __len__(self) -> int:
        return self.words.shape[0]

    def to_base64(self) -> list[str]:
        data = np.ascontiguousarray(self.words).view(np.uint8)
        return [base64.b64encode(row.tobytes()).decode("ascii") for row in data]

    @classmethod
    def from_base64(
        cls, values: Sequence[str], schema: Schema | None = None, key_check: str | None = None
    ) -> EncodingSet:
        """Encodings from base64 strings; each must be exactly the schema's length."""
        schema = schema or default_schema()
        size = schema.length // 8
        data = np.zeros((len(values), size), dtype=np.uint8)
        for index, value in enumerate(values):
            try:
                raw = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError, TypeError) as error:
                raise EncodingError("not_base64", {"record": index + 1}) from error
            if len(raw) != size:
                raise EncodingError(
                    "wrong_length",
                    {
                        "record": index + 1,
                        "found": len(raw) * 8,
                        "expected": schema.length,
                        "schema": schema.label,
                    },
                )
            data[index] = np.frombuffer(raw, dtype=np.uint8)
        return cls(schema=schema, words=data.view(np.uint64), key_check=key_check)

    @classmethod
    def concatenate(cls, parts: Sequence[EncodingSet]) -> EncodingSet:
        if not parts:
            raise EncodingError("nothing_to_join")
        schema = parts[0].schema
        if any(part.schema.fingerprint != schema.fingerprint for part in parts):
            raise EncodingError("join_different_schemas")
        checks = {part.key_check for part in parts}
        return cls(
            schema=schema,
            words=np.concatenate([part.words for part in parts]),
            key_check=checks.pop() if len(checks) == 1 else None,
        )


def encode_standardised(
    records: Sequence[Mapping[str, object]],
    schema: Schema,
    secret: bytes,
    *,
    progress: Callable[[int], None] | None = None,
) -> EncodingSet:
    """Encode records already passed through ``standardise_record``."""
    if schema.clkhash is not None:
        # clkhash takes the secret as text: Samverkan's is the base64 text of its bytes.
        packed = clkhash.encode(records, schema.clkhash, base64.b64encode(secret), progress)
        return EncodingSet(schema=schema, words=packed.view(np.uint64), key_check=key_check(secret))
    keys = {feature.key_group: _group_key(secret, feature.key_group) for feature in schema.features}

    def positions(record):
        for feature in schema.features:
            key = keys[feature.key_group]
            for token in tokens(feature, record[feature.identifier]):
                yield from _positions(
                    key, token, feature.bits, feature.bits_per_token, feature.start
                )

    bits = bit_matrix(records, schema.length, positions, progress)
    packed = np.packbits(bits, axis=1)
    return EncodingSet(schema=schema, words=packed.view(np.uint64), key_check=key_check(secret))


def encode_records(
    records: Iterable[Mapping],
    schema: Schema | None = None,
    secret: bytes | str | None = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> EncodingSet:
    """Standardise and encode records (mappings keyed by the schema's feature identifiers).

    Raises ``InputError`` naming every bad record and field (by number, never
    by value), ``SecretError`` for a missing or weak secret.
    """
    schema = schema or default_schema()
    secret = parse_secret(secret)
    standardised = []
    problems = []
    for number, record in enumerate(records, start=1):
        try:
            standardised.append(standardise_record(record, schema))
        except InputError as error:
            problems += [problem._replace(line=number) for problem in error.problems]
    if problems:
        raise InputError(problems)
    return encode_standardised(standardised, schema, secret, progress=progress)


def encode_record(record: Mapping, schema: Schema | None = None, secret=None) -> str:
    """One record's encoding as base64 (as stored with a person in the platform)."""
    return encode_records([record], schema, secret).to_base64()[0]
