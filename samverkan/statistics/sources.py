"""Reading an uploaded file of encodings from an agency outside the platform.

The file is what the agency's encoder wrote (JSON, UTF-8)::

    {"format": "samverkan-encodings",
     "schema": {"id": "...", "version": "..."},
     "bits": 1024,
     "key_check": "<hex: HMAC of a fixed text under the linkage secret>",
     "records": [{"encoding": "<base64, bits/8 bytes>",
                  "registered_on": "2025-03-01", "sex": "female",
                  "age_group": "25-34", "citizenship": "LV",
                  "exploitation_forms": ["labour"], "status": "presumed"}]}

Only encodings and non-identifying breakdowns are accepted: a record with
any other field is refused, so a name cannot ride along by mistake. Sources
that are to be compared must share the schema, the length and the secret
(their key checks), or their similarities mean nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_countries.data import COUNTRIES

from samverkan.cases.models import AgeGroup, ExploitationForm, Sex
from samverkan.cases.workflow import IdentificationStatus

FORMAT = "samverkan-encodings"
RECORD_FIELDS = frozenset(
    {"encoding", "registered_on", "sex", "age_group", "citizenship", "exploitation_forms", "status"}
)
STATUSES = frozenset({IdentificationStatus.PRESUMED, IdentificationStatus.IDENTIFIED})
BIT_LENGTHS = range(128, 8193)
MAX_RECORDS = 500_000
MAX_ERRORS = 10
KEY_CHECK = re.compile(r"^[0-9a-f]{16,128}$")


@dataclass(frozen=True)
class EncodingFile:
    schema_id: str
    schema_version: str
    bits: int
    key_check: str
    records: list[dict]

    @property
    def schema(self) -> str:
        return f"{self.schema_id}/{self.schema_version}"


def _fail(message: str):
    raise ValidationError({"file": [message]})


def _header(document) -> tuple[str, str, int, str, list]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        _fail(
            _("This is not a file of encodings: its format is not %(format)s.") % {"format": FORMAT}
        )
    schema = document.get("schema")
    if (
        not isinstance(schema, dict)
        or not isinstance(schema.get("id"), str)
        or not isinstance(schema.get("version"), str)
        or not schema["id"]
        or not schema["version"]
    ):
        _fail(_("The file does not name its schema (an id and a version)."))
    bits = document.get("bits")
    if isinstance(bits, bool) or not isinstance(bits, int) or bits not in BIT_LENGTHS or bits % 8:
        _fail(_("The encoding length must be a whole number of bytes, 128 to 8192 bits."))
    key_check = document.get("key_check")
    if not isinstance(key_check, str) or not KEY_CHECK.match(key_check):
        _fail(_("The file has no key check of its linkage secret."))
    records = document.get("records")
    if not isinstance(records, list) or not records:
        _fail(_("The file holds no records."))
    if len(records) > MAX_RECORDS:
        _fail(_("The file holds more than %(max)s records.") % {"max": MAX_RECORDS})
    return schema["id"], schema["version"], bits, key_check, records


def _record_error(row, bits: int, start: date, end: date) -> str | None:
    if not isinstance(row, dict):
        return _("it is not an object")
    unexpected = sorted(set(row) - RECORD_FIELDS)
    if unexpected:
        return _("it has fields that may not leave the agency: %(fields)s") % {
            "fields": ", ".join(str(name)[:40] for name in unexpected)
        }
    missing = sorted(RECORD_FIELDS - set(row))
    if missing:
        return _("it lacks %(fields)s") % {"fields": ", ".join(missing)}
    try:
        encoding = base64.b64decode(row["encoding"], validate=True)
    except (binascii.Error, TypeError, ValueError):
        return _("the encoding is not base64")
    if len(encoding) * 8 != bits:
        return _("the encoding has %(found)s bits, not %(bits)s") % {
            "found": len(encoding) * 8,
            "bits": bits,
        }
    if encoding.count(0) == len(encoding) or encoding.count(255) == len(encoding):
        return _("the encoding has every bit the same, which no encoder writes")
    try:
        registered_on = date.fromisoformat(row["registered_on"])
    except (TypeError, ValueError):
        return _("the date of registration is not a date (YYYY-MM-DD)")
    if not start <= registered_on <= end:
        return _("the date of registration is outside the period of the source")
    if row["sex"] not in Sex.values:
        return _("the sex is not one of %(values)s") % {"values": ", ".join(Sex.values)}
    if row["age_group"] not in AgeGroup.values:
        return _("the age group is not one of %(values)s") % {"values": ", ".join(AgeGroup.values)}
    if row["citizenship"] != "" and row["citizenship"] not in COUNTRIES:
        return _("the citizenship is not an ISO 3166 country code")
    forms = row["exploitation_forms"]
    if not isinstance(forms, list) or any(form not in ExploitationForm.values for form in forms):
        return _("the forms of exploitation are not a list of %(values)s") % {
            "values": ", ".join(ExploitationForm.values)
        }
    if row["status"] not in STATUSES:
        return _("the status is not presumed or identified")
    return None


def parse(data: bytes, *, period_start: date, period_end: date) -> EncodingFile:
    """The file's records, checked one by one; every problem found is reported by record."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        _fail(_("The file is not JSON in UTF-8."))
    schema_id, version, bits, key_check, records = _header(document)
    errors = []
    for number, row in enumerate(records, start=1):
        problem = _record_error(row, bits, period_start, period_end)
        if problem is not None:
            errors.append(
                _("Record %(number)s: %(problem)s.") % {"number": number, "problem": problem}
            )
            if len(errors) == MAX_ERRORS:
                errors.append(_("Checking stopped after %(max)s errors.") % {"max": MAX_ERRORS})
                break
    if errors:
        raise ValidationError({"file": errors})
    return EncodingFile(schema_id, version, bits, key_check, records)


def check_comparable(parsed: EncodingFile, others) -> None:
    """Refuse a file that cannot be compared with the sources already uploaded."""
    for other in others:
        if other.schema_version != parsed.schema or other.bits != parsed.bits:
            _fail(
                _(
                    "The file uses schema %(schema)s with %(bits)s bits; the sources already "
                    "uploaded use %(other)s with %(other_bits)s bits. Encode it again with the "
                    "same schema."
                )
                % {
                    "schema": parsed.schema,
                    "bits": parsed.bits,
                    "other": other.schema_version,
                    "other_bits": other.bits,
                }
            )
        if other.key_check != parsed.key_check:
            _fail(
                _(
                    "The file was encoded with another linkage secret than the sources already "
                    "uploaded: its encodings cannot be compared with theirs."
                )
            )
