"""Reading an uploaded encodings file from an agency outside the platform.

The file is what ``samverkan linkage encode`` writes (its format is the
linkage library's, ``samverkan.linkage.files``): encodings, the schema, the
key check of the linkage secret, the agency kind, the period, and per
record only the non-identifying breakdowns. The library validates it (wrong
length, wrong schema or version, fields that may not leave the agency); here
a file is also refused when it cannot be compared with the sources already
uploaded (another schema, another secret) or when its period is in the future.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan import linkage
from samverkan.linkage.files import parse_encodings_document
from samverkan.statistics.errors import linkage_refusal


def _fail(message: str):
    raise ValidationError({"file": [message]})


def parse(data: bytes) -> linkage.EncodingFile:
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        _fail(_("The file is not JSON in UTF-8."))
    try:
        parsed = parse_encodings_document(document)
    except linkage.LinkageError as error:
        raise ValidationError({"file": linkage_refusal(error)}) from error
    if parsed.period.end > timezone.localdate():
        _fail(_("The file's period ends in the future."))
    if not parsed.encodings.schema.segmented:
        # The build scores each field on its own (Fellegi–Sunter), which a
        # clkhash encoding, one filter for the whole record, cannot offer.
        _fail(
            _(
                "The file holds whole-record (clkhash) encodings: the rapporteur's tables link "
                "persons field by field and need Samverkan's person schema. Encode the list "
                "again with samverkan linkage encode, without --schema."
            )
        )
    return parsed


def rows(parsed: linkage.EncodingFile) -> list[dict]:
    """The records as stored: each encoding with its breakdown, nothing else."""
    return [
        {"encoding": encoding, "breakdown": breakdown}
        for encoding, breakdown in zip(parsed.encodings.to_base64(), parsed.breakdowns, strict=True)
    ]


def check_comparable(parsed: linkage.EncodingFile, others) -> None:
    """Refuse a file that cannot be compared with the platform's encodings or other sources."""
    schema = parsed.encodings.schema
    if settings.LINKAGE_SECRET and parsed.encodings.key_check != linkage.key_check(
        linkage.parse_secret(settings.LINKAGE_SECRET)
    ):
        _fail(
            _(
                "The file was not encoded with this platform's linkage secret: its encodings "
                "cannot be compared with the persons of the cases. Ask the agency to encode "
                "its list again with the secret the rapporteur gave it."
            )
        )
    for other in others:
        if other.schema_version != schema.label or other.bits != schema.length:
            _fail(
                _(
                    "The file uses schema %(schema)s with %(bits)s bits; the sources already "
                    "uploaded use %(other)s with %(other_bits)s bits. Encode it again with the "
                    "same schema."
                )
                % {
                    "schema": schema.label,
                    "bits": schema.length,
                    "other": other.schema_version,
                    "other_bits": other.bits,
                }
            )
        if other.key_check != (parsed.encodings.key_check or ""):
            _fail(
                _(
                    "The file was encoded with another linkage secret than the sources already "
                    "uploaded: its encodings cannot be compared with theirs."
                )
            )
