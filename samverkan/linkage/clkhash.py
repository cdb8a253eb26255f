"""Whole-record encodings bit for bit as clkhash makes them, for clkhash v3 schemas.

Data61's clkhash (and anonlink-client, which calls it) encodes a record into
one Bloom filter (a CLK) that all its features share. It cannot be a
dependency (it pins an old cryptography), so its documented algorithm is
implemented here, as of clkhash 0.18.3; the test vectors in
``tests/clkhash_vectors/`` were made by clkhash itself and keep this in step:

- Keys: HKDF (RFC 5869, SHA256 or SHA512, the schema's ``salt`` and
  ``info``) stretches the secret into two keys of ``keySize`` bytes (64) per
  feature, ignored features included, in the schema's order.
- Values: a date is parsed with its ``format`` and written ``YYYYMMDD``, an
  integer without sign or spaces; a value equal to ``missingValue.sentinel``
  is replaced by ``replaceWith`` and not checked. Nothing else is changed:
  clkhash does not transliterate or fold case.
- Tokens: n-grams of the value padded with n − 1 spaces each side
  (``"1 a"``-style when positional), the whole value (``exact``), or a
  number's neighbourhood (``numeric``).
- Bits: ``bitsPerToken`` k per token, or ``bitsPerFeature`` spread over the
  tokens (the first ones one more); ``doubleHash`` sets
  ``(HMAC-SHA1 + i·HMAC-MD5) mod l`` (``prevent_singularity`` rehashes an
  HMAC-MD5 of 0), ``blakeHash`` (the default) takes k 16-bit words of keyed
  BLAKE2b (salt ``"0"``, ``"1"``… for each 32), mod l.
- The filter is ``l · 2^xor_folds`` bits, folded by XOR of its halves.

The secret given to clkhash is text; Samverkan's secret is base64 text, so
clkhash must be given that same base64 text (its UTF-8 bytes are the HKDF
input).
"""

from __future__ import annotations

import array
import base64
import binascii
import hashlib
import hmac
import math
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import chain

import numpy as np

from samverkan.linkage.bits import bit_matrix
from samverkan.linkage.errors import InvalidValue, SchemaError

DEFAULT_KEY_SIZE = 64
KEYS_PER_FEATURE = 2
HKDF_HASHES = {"SHA256": "sha256", "SHA512": "sha512"}
FORMATS = {"string", "integer", "date", "enum"}
ENCODINGS = {"ascii", "utf-8", "utf-16", "utf-32"}
CASES = {"upper", "lower", "mixed"}
HASHES = {"doubleHash", "blakeHash"}
STRATEGIES = {"bitsPerToken", "bitsPerFeature"}
MAX_XOR_FOLDS = 8
# Bounds a schema from an uploaded file must keep: 10**precision is computed.
MAX_FRACTIONAL_PRECISION = 15
MAX_NUMERIC = 10**15
DATE_OUTPUT = "%Y%m%d"


@dataclass(frozen=True)
class ClkField:
    """One feature of a clkhash schema (``ignored`` ones only take their keys)."""

    identifier: str
    ignored: bool = False
    kind: str = "string"
    encoding: str = "utf-8"
    case: str = "mixed"
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    date_format: str | None = None
    values: frozenset[str] = frozenset()
    minimum: int | None = None
    maximum: int | None = None
    comparison: str = "ngram"
    n: int = 2
    positional: bool = False
    threshold_distance: int = 0
    resolution: int = 0
    fractional_precision: int = 0
    hash: str = "blakeHash"
    prevent_singularity: bool = False
    bits_per_token: int | None = None
    bits_per_feature: int | None = None
    sentinel: str | None = None
    replace_with: str | None = None


@dataclass(frozen=True)
class ClkConfig:
    """A clkhash v3 schema's ``clkConfig`` and features."""

    length: int
    xor_folds: int
    kdf_hash: str
    salt: bytes | None
    info: bytes | None
    key_size: int
    fields: tuple[ClkField, ...]

    @property
    def hashed_length(self) -> int:
        return self.length << self.xor_folds


def _get(mapping, key: str, where: str, kind: type, default=None):
    if not isinstance(mapping, dict):
        raise SchemaError("schema_key_type", {"where": where, "key": key, "kind": "dict"})
    if key not in mapping:
        if default is None:
            raise SchemaError("schema_key_missing", {"where": where, "key": key})
        return default
    value = mapping[key]
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise SchemaError("schema_key_type", {"where": where, "key": key, "kind": kind.__name__})
    return value


def _optional(mapping: dict, key: str, where: str, kind: type):
    """``mapping[key]`` if it is there and of ``kind``, None if it is absent or null."""
    value = mapping.get(key)
    if value is None:
        return None
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise SchemaError("schema_key_type", {"where": where, "key": key, "kind": kind.__name__})
    return value


def _choice(where: str, key: str, choices) -> SchemaError:
    return SchemaError(
        "clkhash_choice", {"where": where, "key": key, "choices": ", ".join(sorted(choices))}
    )


def _minimum(where: str, key: str, minimum) -> SchemaError:
    return SchemaError("clkhash_minimum", {"where": where, "key": key, "minimum": minimum})


def _base64(value, where: str, key: str) -> bytes | None:
    if value is None:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError) as error:
        raise SchemaError("clkhash_not_base64", {"where": where, "key": key}) from error


def _parse_field(raw, where: str) -> ClkField:
    identifier = _get(raw, "identifier", where, str)
    if raw.get("ignored") is True:
        return ClkField(identifier, ignored=True)
    form = _get(raw, "format", where, dict)
    kind = _get(form, "type", f"{where}.format", str)
    if kind not in FORMATS:
        raise _choice(f"{where}.format", "type", FORMATS)
    hashing = _get(raw, "hashing", where, dict)
    samverkan_only = {"bits", "keyGroup", "swapsWith", "blocking"} & set(hashing)
    if samverkan_only or "normalisation" in form:
        raise SchemaError("clkhash_segments", {"where": where})
    fields: dict = {"identifier": identifier, "kind": kind}
    if kind == "string":
        fields["encoding"] = _get(form, "encoding", where, str, "utf-8")
        if fields["encoding"] not in ENCODINGS:
            raise _choice(f"{where}.format", "encoding", ENCODINGS)
        if "pattern" in form:
            fields["pattern"] = _get(form, "pattern", where, str)
            try:
                re.compile(fields["pattern"])
            except re.error as error:
                raise SchemaError("clkhash_pattern", {"where": where}) from error
        else:
            fields["case"] = _get(form, "case", where, str, "mixed")
            if fields["case"] not in CASES:
                raise _choice(f"{where}.format", "case", CASES)
            fields["min_length"] = _optional(form, "minLength", where, int)
            fields["max_length"] = _optional(form, "maxLength", where, int)
    elif kind == "date":
        fields["date_format"] = _get(form, "format", where, str)
    elif kind == "enum":
        values = _get(form, "values", where, list)
        if not all(isinstance(value, str) for value in values):
            raise SchemaError("schema_key_type", {"where": where, "key": "values", "kind": "str"})
        fields["values"] = frozenset(values)
    else:
        fields["minimum"] = _optional(form, "minimum", where, int)
        fields["maximum"] = _optional(form, "maximum", where, int)

    comparison = _get(hashing, "comparison", where, dict)
    fields["comparison"] = _get(comparison, "type", f"{where}.comparison", str)
    if fields["comparison"] == "ngram":
        fields["n"] = _get(comparison, "n", f"{where}.comparison", int)
        fields["positional"] = bool(comparison.get("positional", False))
        if fields["n"] < 1:
            raise _minimum(f"{where}.comparison", "n", 1)
    elif fields["comparison"] == "numeric":
        if kind != "integer":
            # Only numbers have a numeric neighbourhood; anything else would fail on a value.
            raise _choice(f"{where}.comparison", "type", {"ngram", "exact"})
        distance = comparison.get("thresholdDistance")
        resolution = comparison.get("resolution")
        precision = comparison.get("fractional_precision", 0)
        if not isinstance(distance, int | float) or not 0 < distance < MAX_NUMERIC:
            raise SchemaError(
                "clkhash_positive", {"where": f"{where}.comparison", "key": "thresholdDistance"}
            )
        if not isinstance(resolution, int) or resolution < 1:
            raise _minimum(f"{where}.comparison", "resolution", 1)
        if not isinstance(precision, int) or not 0 <= precision <= MAX_FRACTIONAL_PRECISION:
            raise SchemaError(
                "clkhash_range",
                {
                    "where": f"{where}.comparison",
                    "key": "fractional_precision",
                    "minimum": 0,
                    "maximum": MAX_FRACTIONAL_PRECISION,
                },
            )
        fields["threshold_distance"] = int(round(distance * 10**precision))
        if fields["threshold_distance"] == 0:
            raise SchemaError("clkhash_precision", {"where": where})
        fields["resolution"], fields["fractional_precision"] = resolution, precision
    elif fields["comparison"] != "exact":
        raise SchemaError(
            "unknown_comparison", {"where": where, "comparison": fields["comparison"]}
        )

    hash_spec = _get(hashing, "hash", where, dict, {"type": "blakeHash"})
    fields["hash"] = _get(hash_spec, "type", f"{where}.hash", str)
    if fields["hash"] not in HASHES:
        raise _choice(f"{where}.hash", "type", HASHES)
    fields["prevent_singularity"] = bool(hash_spec.get("prevent_singularity", False))
    strategy = _get(hashing, "strategy", where, dict)
    if "bitsPerToken" in strategy:
        fields["bits_per_token"] = _get(strategy, "bitsPerToken", where, int)
    elif "bitsPerFeature" in strategy:
        fields["bits_per_feature"] = _get(strategy, "bitsPerFeature", where, int)
    else:
        raise _choice(where, "strategy", STRATEGIES)
    if (fields.get("bits_per_token") or fields.get("bits_per_feature") or 0) < 1:
        raise _minimum(f"{where}.strategy", next(iter(strategy)), 1)
    if "missingValue" in hashing:
        missing = _get(hashing, "missingValue", where, dict)
        fields["sentinel"] = _get(missing, "sentinel", f"{where}.missingValue", str)
        fields["replace_with"] = _optional(missing, "replaceWith", where, str)
        if fields["replace_with"] is None:
            fields["replace_with"] = fields["sentinel"]
    return ClkField(**fields)


def parse_config(document: dict, word_bits: int) -> ClkConfig:
    """The clkhash part of a v3 schema with HKDF; raises ``SchemaError``."""
    config = _get(document, "clkConfig", "schema", dict)
    length = _get(config, "l", "clkConfig", int)
    if length <= 0 or length % word_bits:
        raise SchemaError("schema_length", {"word_bits": word_bits})
    if config.get("xorFolds"):
        # clkhash 0.18 reads 'xor_folds' and ignores 'xorFolds': encodings would differ.
        raise SchemaError("clkhash_xor_folds")
    xor_folds = _get(config, "xor_folds", "clkConfig", int, 0)
    if not 0 <= xor_folds <= MAX_XOR_FOLDS:
        raise SchemaError(
            "clkhash_range",
            {"where": "clkConfig", "key": "xor_folds", "minimum": 0, "maximum": MAX_XOR_FOLDS},
        )
    kdf = _get(config, "kdf", "clkConfig", dict)
    kdf_hash = _get(kdf, "hash", "clkConfig.kdf", str, "SHA256")
    if kdf_hash not in HKDF_HASHES:
        raise _choice("clkConfig.kdf", "hash", HKDF_HASHES)
    key_size = _get(kdf, "keySize", "clkConfig.kdf", int, DEFAULT_KEY_SIZE)
    if key_size < 1:
        raise _minimum("clkConfig.kdf", "keySize", 1)
    fields = tuple(
        _parse_field(raw, f"features[{position}]")
        for position, raw in enumerate(_get(document, "features", "schema", list))
    )
    if not any(not field.ignored for field in fields):
        raise SchemaError("clkhash_nothing_hashed")
    identifiers = [field.identifier for field in fields]
    if len(set(identifiers)) != len(identifiers):
        raise SchemaError("duplicate_feature")
    digest_size = hashlib.new(HKDF_HASHES[kdf_hash]).digest_size
    if len(fields) * KEYS_PER_FEATURE * key_size > 255 * digest_size:
        raise SchemaError("clkhash_too_many_keys")
    blake = any(field.hash == "blakeHash" for field in fields if not field.ignored)
    if blake and key_size > hashlib.blake2b.MAX_KEY_SIZE:
        raise SchemaError("clkhash_blake_key", {"maximum": hashlib.blake2b.MAX_KEY_SIZE})
    hashed = length << xor_folds
    if blake and hashed & (hashed - 1):
        raise SchemaError("clkhash_blake_length")
    return ClkConfig(
        length=length,
        xor_folds=xor_folds,
        kdf_hash=kdf_hash,
        salt=_base64(kdf.get("salt"), "clkConfig.kdf", "salt"),
        info=_base64(kdf.get("info"), "clkConfig.kdf", "info"),
        key_size=key_size,
        fields=fields,
    )


def hkdf(secret: bytes, length: int, algorithm: str, salt: bytes | None, info: bytes | None):
    """RFC 5869: extract with the salt (zeros when absent), expand with the info."""
    size = hashlib.new(algorithm).digest_size
    pseudorandom = hmac.digest(salt or bytes(size), secret, algorithm)
    output, block = b"", b""
    for counter in range(1, math.ceil(length / size) + 1):
        block = hmac.digest(pseudorandom, block + (info or b"") + bytes([counter]), algorithm)
        output += block
    return output[:length]


def field_keys(secret_text: bytes, config: ClkConfig) -> list[tuple[bytes, bytes]]:
    """Two keys per feature, as clkhash's ``generate_key_lists`` derives them."""
    size = config.key_size
    material = hkdf(
        secret_text,
        len(config.fields) * KEYS_PER_FEATURE * size,
        HKDF_HASHES[config.kdf_hash],
        config.salt,
        config.info,
    )
    keys = [material[at : at + size] for at in range(0, len(material), size)]
    return list(zip(keys[0::2], keys[1::2], strict=True))


def format_value(field: ClkField, value) -> str:
    """The text clkhash hashes for a value; ``ValueError`` (with no value in it) when the
    value does not conform to the feature's format, as clkhash's validation refuses it."""
    if value is None:
        value = ""
    if isinstance(value, date) and field.kind == "date":
        return value.strftime(DATE_OUTPUT)
    if not isinstance(value, str):
        raise InvalidValue("not_text")
    if field.sentinel is not None and value == field.sentinel:
        return field.replace_with
    try:
        value.encode(field.encoding)
    except UnicodeEncodeError:
        raise InvalidValue("cannot_encode", {"encoding": field.encoding}) from None
    if field.kind == "string":
        if field.pattern is not None:
            if not re.fullmatch(field.pattern, value):
                raise InvalidValue("pattern_mismatch")
        elif field.min_length is not None and len(value) < field.min_length:
            raise InvalidValue("too_short", {"minimum": field.min_length})
        elif field.max_length is not None and len(value) > field.max_length:
            raise InvalidValue("too_long", {"maximum": field.max_length})
        elif field.case == "upper" and value.upper() != value:
            raise InvalidValue("not_upper_case")
        elif field.case == "lower" and value.lower() != value:
            raise InvalidValue("not_lower_case")
        return value
    if field.kind == "enum":
        if value not in field.values:
            raise InvalidValue("not_a_schema_value")
        return value
    if field.kind == "date":
        try:
            return datetime.strptime(value, field.date_format).strftime(DATE_OUTPUT)  # noqa: DTZ007
        except ValueError:
            raise InvalidValue("date_format_mismatch", {"format": field.date_format}) from None
    try:
        number = int(value, base=10)
    except ValueError:
        raise InvalidValue("not_an_integer") from None
    if field.minimum is not None and number < field.minimum:
        raise InvalidValue("integer_below", {"minimum": field.minimum})
    if field.maximum is not None and number > field.maximum:
        raise InvalidValue("integer_above", {"maximum": field.maximum})
    return str(number)


def tokens(field: ClkField, text: str) -> list[str]:
    """The tokens of a formatted value, in clkhash's order, repeats kept."""
    if not text:
        return []
    if field.comparison == "exact":
        return [text]
    if field.comparison == "numeric":
        return _numeric_tokens(field, text)
    n = field.n
    if n > 1:
        text = " " * (n - 1) + text + " " * (n - 1)
    if field.positional:
        return [f"{i + 1} {text[i : i + n]}" for i in range(len(text) - n + 1)]
    return [text[i : i + n] for i in range(len(text) - n + 1)]


def _numeric_tokens(field: ClkField, text: str) -> list[str]:
    precision = field.fractional_precision
    try:
        value = int(text, base=10) * 10**precision
    except ValueError:
        # The integer format checked the value before; never repeat it in an error.
        raise InvalidValue("not_an_integer") from None
    interval = field.threshold_distance
    value *= 2 * field.resolution
    residue = value % interval
    if residue and residue < interval / 2:
        value -= residue
    elif residue:
        value += interval - residue
    return [str(value + i * interval) for i in range(-field.resolution, field.resolution + 1)]


def bits_per_token(field: ClkField, count: int) -> list[int]:
    if field.bits_per_token is not None:
        return [field.bits_per_token] * count
    k, residue = divmod(field.bits_per_feature, count)
    return [k + 1] * residue + [k] * (count - residue)


@lru_cache(maxsize=200_000)
def _double_hash(token: bytes, l: int, key_sha1: bytes, key_md5: bytes, non_singular: bool):  # noqa: E741
    first = int.from_bytes(hmac.digest(key_sha1, token, "sha1"), "big") % l
    second = int.from_bytes(hmac.digest(key_md5, token, "md5"), "big") % l
    attempt = 0
    while non_singular and second == 0:
        rehashed = hmac.digest(key_md5, token + chr(attempt).encode(), "md5")
        second = int.from_bytes(rehashed, "big") % l
        attempt += 1
    return first, second


@lru_cache(maxsize=200_000)
def _blake_hash(token: bytes, k: int, key: bytes, l: int) -> tuple[int, ...]:  # noqa: E741
    shorts: list[int] = []
    for i in range((k + 31) // 32):
        digest = hashlib.blake2b(token, key=key, salt=str(i).encode()).digest()
        # clkhash unpacks in the machine's order: little-endian, on every machine it runs on.
        shorts.extend(struct.unpack("<32H", digest))
    return tuple(value % l for value in shorts[:k])


@lru_cache(maxsize=200_000)
def positions(field: ClkField, keys: tuple[bytes, bytes], text: str, l: int) -> array.array:  # noqa: E741
    """The bits of the (unfolded) filter that a formatted value sets (an array, which
    the encoder copies at once: not to be changed)."""
    found = array.array("q")
    grams = tokens(field, text)
    if not grams:
        return found
    for gram, k in zip(grams, bits_per_token(field, len(grams)), strict=True):
        data = gram.encode(field.encoding)
        if field.hash == "doubleHash":
            first, second = _double_hash(data, l, keys[0], keys[1], field.prevent_singularity)
            found.extend((first + i * second) % l for i in range(k))
        else:
            found.extend(_blake_hash(data, k, keys[0], l))
    return found


def encode(
    rows: Sequence[dict[str, str]], config: ClkConfig, secret_text: bytes, progress=None
) -> np.ndarray:
    """Packed filters (bytes, the first bit the most significant) of formatted rows."""
    hashed = config.hashed_length
    hashing = [
        (field, key)
        for field, key in zip(config.fields, field_keys(secret_text, config), strict=True)
        if not field.ignored
    ]
    bits = bit_matrix(
        rows,
        hashed,
        lambda row: chain.from_iterable(
            positions(field, key, row[field.identifier], hashed) for field, key in hashing
        ),
        progress,
    )
    for _ in range(config.xor_folds):
        half = bits.shape[1] // 2
        bits = bits[:, :half] ^ bits[:, half:]
    return np.packbits(bits, axis=1)
