"""Linkage schemas: which fields are encoded, how, into which bits.

A schema file follows the clkhash v3 schema format (``version: 3``,
``clkConfig.l``, ``features`` with ``identifier``, ``format`` and ``hashing``
holding ``comparison``, ``strategy.bitsPerToken`` and ``hash``), so that
tools of that ecosystem read it, with Samverkan's additions:

- ``samverkan.id`` and ``samverkan.version``: the schema's name and version;
  encodings record them and only encodings of the same schema are compared.
- ``hashing.bits``: each field gets its own segment of the encoding
  (multiples of 64 bits, adding up to ``clkConfig.l``), so that fields can be
  scored separately (Fellegi–Sunter) while the whole encoding still compares
  as one CLK.
- ``hashing.keyGroup``: fields of one group hash under the same derived key,
  so that a given name can be compared with a family name (``swapsWith``:
  names written in the wrong order).
- ``hashing.blocking``: whether the field's bits take part in blocking
  (``true``), or ``"exact"``: records whose field is encoded exactly alike
  are candidates (an identity number, a postcode), nothing else.
- ``comparison.type`` ``dateParts``: a date of birth as year, month, day and
  the unordered day–month pair.

The difference from clkhash's own hashing (HMAC-SHA256 instead of
HMAC-SHA1/MD5, per-field segments) means such encodings are comparable among
Samverkan's tools, not bit for bit with clkhash's.

A schema whose ``clkConfig.kdf`` is clkhash's ``HKDF`` is read as clkhash
reads it (``clkhash``): one whole-record filter shared by all features, no
segments, encoded bit for bit as clkhash encodes it. Such a schema has no
``features`` here (``Schema.clkhash`` holds them): what needs segments (the
Fellegi–Sunter scoring, the exact blocking keys) does not apply to it. The
``samverkan`` block is optional there (id ``clkhash``, version 3 by default).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from samverkan.linkage import clkhash
from samverkan.linkage.errors import SchemaError

CLKHASH_VERSION = 3
SUPPORTED_VERSIONS = {"person": {1}}
COMPARISONS = {"ngram", "dateParts", "exact"}
NORMALISATIONS = {"name", "text", "birth_date", "sex", "citizenship"}
WORD_BITS = 64


@dataclass(frozen=True)
class Feature:
    identifier: str
    normalisation: str
    comparison: str
    ngram: int
    bits_per_token: int
    bits: int
    start: int
    key_group: str
    swaps_with: str | None
    blocking: bool
    exact_blocking: bool = False

    @property
    def words(self) -> slice:
        """The feature's 64-bit words within an encoding."""
        return slice(self.start // WORD_BITS, (self.start + self.bits) // WORD_BITS)


@dataclass(frozen=True)
class Schema:
    id: str
    version: int
    length: int
    features: tuple[Feature, ...]
    document: dict
    clkhash: clkhash.ClkConfig | None = None

    @property
    def segmented(self) -> bool:
        """Whether each field has its own segment (else one whole-record clkhash filter)."""
        return self.clkhash is None

    @property
    def columns(self) -> tuple[str, ...]:
        """The fields a record must have to be encoded."""
        if self.clkhash is not None:
            return tuple(f.identifier for f in self.clkhash.fields if not f.ignored)
        return tuple(feature.identifier for feature in self.features)

    @property
    def words(self) -> int:
        return self.length // WORD_BITS

    @property
    def label(self) -> str:
        return f"{self.id}-v{self.version}"

    @property
    def fingerprint(self) -> str:
        """A digest of the schema's canonical JSON: equal schemas, equal fingerprints."""
        canonical = json.dumps(self.document, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def feature(self, identifier: str) -> Feature:
        for feature in self.features:
            if feature.identifier == identifier:
                return feature
        raise KeyError(identifier)


def _get(mapping: dict, key: str, where: str, kind: type):
    if not isinstance(mapping, dict) or key not in mapping:
        raise SchemaError("schema_key_missing", {"where": where, "key": key})
    value = mapping[key]
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise SchemaError("schema_key_type", {"where": where, "key": key, "kind": kind.__name__})
    return value


def parse_schema(document: dict) -> Schema:
    """Validate a schema document; raises ``SchemaError`` naming what is wrong."""
    if not isinstance(document, dict):
        raise SchemaError("schema_not_object")
    version = _get(document, "version", "schema", int)
    if version != CLKHASH_VERSION:
        raise SchemaError("clkhash_version", {"version": version, "supported": CLKHASH_VERSION})
    kdf = _get(_get(document, "clkConfig", "schema", dict), "kdf", "clkConfig", dict)
    if kdf.get("type") == "HKDF":
        return _parse_clkhash(document)
    meta = _get(document, "samverkan", "schema", dict)
    schema_id = _get(meta, "id", "samverkan", str)
    schema_version = _get(meta, "version", "samverkan", int)
    # Samverkan's own schemas must be a version this code knows; other schemas
    # (a benchmark's, a project's own) are read as they are.
    known = SUPPORTED_VERSIONS.get(schema_id)
    if schema_version < 1 or (known is not None and schema_version not in known):
        raise SchemaError("schema_version", {"schema": schema_id, "version": schema_version})
    config = _get(document, "clkConfig", "schema", dict)
    length = _get(config, "l", "clkConfig", int)
    if length <= 0 or length % WORD_BITS:
        raise SchemaError("schema_length", {"word_bits": WORD_BITS})
    if kdf.get("type") != "HMAC" or kdf.get("hash") != "SHA256":
        raise SchemaError("schema_kdf")

    features: list[Feature] = []
    start = 0
    for position, raw in enumerate(_get(document, "features", "schema", list)):
        where = f"features[{position}]"
        identifier = _get(raw, "identifier", where, str)
        normalisation = _get(_get(raw, "format", where, dict), "normalisation", where, str)
        if normalisation not in NORMALISATIONS:
            raise SchemaError(
                "unknown_normalisation", {"where": where, "normalisation": normalisation}
            )
        hashing = _get(raw, "hashing", where, dict)
        comparison = _get(hashing, "comparison", where, dict)
        comparison_type = _get(comparison, "type", where, str)
        if comparison_type not in COMPARISONS:
            raise SchemaError("unknown_comparison", {"where": where, "comparison": comparison_type})
        ngram = comparison.get("n", 2)
        if comparison_type == "ngram" and ngram not in (1, 2, 3):
            raise SchemaError("ngram_size", {"where": where})
        hash_type = _get(hashing, "hash", where, dict).get("type")
        if hash_type != "doubleHash":
            raise SchemaError("hash_type", {"where": where})
        bits_per_token = _get(_get(hashing, "strategy", where, dict), "bitsPerToken", where, int)
        bits = _get(hashing, "bits", where, int)
        if bits <= 0 or bits % WORD_BITS:
            raise SchemaError("feature_bits", {"where": where, "word_bits": WORD_BITS})
        if not 1 <= bits_per_token <= bits:
            raise SchemaError("bits_per_token", {"where": where})
        blocking = hashing.get("blocking", True)
        if blocking not in (True, False, "exact"):
            raise SchemaError("blocking_value", {"where": where})
        features.append(
            Feature(
                identifier=identifier,
                normalisation=normalisation,
                comparison=comparison_type,
                ngram=ngram,
                bits_per_token=bits_per_token,
                bits=bits,
                start=start,
                key_group=hashing.get("keyGroup", identifier),
                swaps_with=hashing.get("swapsWith"),
                blocking=blocking is not False,
                exact_blocking=blocking == "exact",
            )
        )
        start += bits
    if not features:
        raise SchemaError("no_features")
    if start != length:
        raise SchemaError("bits_total", {"total": start, "length": length})
    identifiers = [feature.identifier for feature in features]
    if len(set(identifiers)) != len(identifiers):
        raise SchemaError("duplicate_feature")
    by_id = {feature.identifier: feature for feature in features}
    for feature in features:
        partner = by_id.get(feature.swaps_with) if feature.swaps_with else None
        if feature.swaps_with and (
            partner is None
            or partner.swaps_with != feature.identifier
            or partner.key_group != feature.key_group
            or partner.bits != feature.bits
        ):
            raise SchemaError(
                "swap_partner", {"feature": feature.identifier, "partner": feature.swaps_with}
            )
    return Schema(schema_id, schema_version, length, tuple(features), document)


def _parse_clkhash(document: dict) -> Schema:
    meta = document.get("samverkan", {})
    schema_id = _get(meta, "id", "samverkan", str) if "id" in meta else "clkhash"
    schema_version = _get(meta, "version", "samverkan", int) if "version" in meta else 3
    if schema_id in SUPPORTED_VERSIONS:
        raise SchemaError("clkhash_reserved_id", {"schema": schema_id})
    config = clkhash.parse_config(document, WORD_BITS)
    return Schema(schema_id, schema_version, config.length, (), document, config)


def load_schema(path: str | Path) -> Schema:
    """A schema from a JSON file."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise SchemaError("schema_file_unreadable", {"reason": error.strerror}) from error
    except json.JSONDecodeError as error:
        raise SchemaError("schema_file_not_json", {"line": error.lineno}) from error
    return parse_schema(document)


def default_schema() -> Schema:
    """The schema Samverkan encodes persons with (``schemas/person-v1.json``)."""
    text = resources.files("samverkan.linkage").joinpath("schemas/person-v1.json").read_text()
    return parse_schema(json.loads(text))
