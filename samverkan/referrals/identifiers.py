"""Likely identifiers in free text that should carry none (anonymous consultations).

A warning, not a filter: names cannot be recognised reliably, so the form
always reminds the author of them; dates of birth, personal identity
numbers, phone numbers and e-mail addresses are recognised by their shape.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

PATTERNS = {
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    # A personal identity number: 6 or 8 digits of a date, then 4 digits.
    "identity_number": re.compile(r"\b(?:\d{2})?\d{6}[-+ ]?\d{4}\b"),
    "date": re.compile(r"\b(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2}))\b"),
    # Seven or more digits, with spaces, dashes or brackets, perhaps after a "+".
    "phone": re.compile(r"(?<![\w-])\+?\(?\d[\d ()-]{5,}\d\b"),
}
LABELS = {
    "email": _("an e-mail address"),
    "identity_number": _("a personal identity number"),
    "date": _("a date (perhaps a date of birth)"),
    "phone": _("a phone number"),
}


def likely_identifiers(text: str) -> list[str]:
    """The kinds of identifier ``text`` seems to hold, in a fixed order."""
    found = []
    rest = text
    for kind, pattern in PATTERNS.items():
        if pattern.search(rest):
            found.append(kind)
            # What one pattern matched must not count again as another kind.
            rest = pattern.sub(" ", rest)
    return found
