"""Privacy-preserving record linkage: count people, not records. No Django inside.

The same woman met by the police, an NGO and a shelter is three records and
one victim. Agencies do not hand each other names, so each encodes its
records under a shared linkage secret, and only the encodings are compared.

Public API (stable; everything else is internal)::

    from samverkan import linkage

    schema = linkage.default_schema()                 # or linkage.load_schema(path)
    police = linkage.encode_records(records, schema, secret)   # -> EncodingSet
    result = linkage.link_sources({"police": police, "ngo": ngo}, threshold=0.5)
    result.person_count, result.interval              # 1996, (1857, 2019)
    result.assignments["police"][i]                   # the person of police record i
    result.clusters, result.review_queue, result.records_per_person

    linkage.match(a, b, threshold=0.8)                # two sources, whole-record Dice
    linkage.write_encodings_file(path, encodings, agency_kind=..., period=..., breakdowns=...)
    linkage.read_encodings_file(path)                 # -> EncodingFile (validated)
    linkage.read_clks_file(path, schema)              # clkhash's {"clks": [...]} -> EncodingSet

- A *record* is a mapping with the schema's fields: ``given_names``,
  ``family_name``, ``date_of_birth`` (a ``date`` or ``YYYY-MM-DD``,
  ``DD.MM.YYYY``, ``YYYY``), ``sex`` (female/male/other/unknown or f/m/x),
  ``citizenship`` (ISO alpha-2 codes). Values are standardised first
  (``normalise``): transliteration of Cyrillic, Baltic and Polish letters
  folded, spelling variants folded, 1 January taken as an estimated date.
- An *encoding* is a keyed Bloom filter of 1024 bits (``encoding``), one
  segment per field, HMAC-SHA256 double hashing under the secret; an
  ``EncodingSet`` holds one source's encodings as packed 64-bit words.
- A clkhash v3 schema (``HKDF`` key derivation, no segments) is encoded bit
  for bit as clkhash 0.18 encodes it (``clkhash``), values as given, into one
  whole-record filter: such encodings link by Dice only
  (``scoring_method="dice"``), and compare with clkhash's and
  anonlink-client's when both sides use the same schema and base64 secret.
- ``link_sources`` blocks (MinHash LSH on the encodings, ``blocking``),
  scores each candidate pair per field with Fellegi–Sunter weights
  (``scoring``) or by whole-record Dice, and clusters best pair first with at
  most one record per source per person (``linking``).
- The secret never reaches the matcher: ``link_sources`` and ``match`` take
  encodings only. Only counts should leave a linkage run, never encodings,
  pairs or scores.

Errors are ``LinkageError`` subclasses (``errors``): ``SecretError``,
``SchemaError``, ``EncodingError``, ``MixedSecretsError``, ``InputError``
(bad records by line and column, never by value). Each has a stable ``code``
and ``params`` for an application to translate, and an English message.
"""

from samverkan.linkage.encoding import (
    EncodingSet,
    encode_record,
    encode_records,
    key_check,
    parse_secret,
)
from samverkan.linkage.errors import (
    EncodingError,
    InputError,
    LinkageError,
    MixedSecretsError,
    SchemaError,
    SecretError,
)
from samverkan.linkage.files import (
    BREAKDOWN_FIELDS,
    EncodingFile,
    read_clks_file,
    read_encodings_file,
    write_clks_file,
    write_encodings_file,
)
from samverkan.linkage.linking import (
    LinkageResult,
    Matches,
    RecordRef,
    ReviewItem,
    link_sources,
    match,
)
from samverkan.linkage.schema import Schema, default_schema, load_schema

__all__ = [
    "BREAKDOWN_FIELDS",
    "EncodingError",
    "EncodingFile",
    "EncodingSet",
    "InputError",
    "LinkageError",
    "LinkageResult",
    "Matches",
    "MixedSecretsError",
    "RecordRef",
    "ReviewItem",
    "Schema",
    "SchemaError",
    "SecretError",
    "default_schema",
    "encode_record",
    "encode_records",
    "key_check",
    "link_sources",
    "load_schema",
    "match",
    "parse_secret",
    "read_clks_file",
    "read_encodings_file",
    "write_clks_file",
    "write_encodings_file",
]
