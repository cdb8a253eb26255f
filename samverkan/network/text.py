"""Text as Word and PowerPoint can hold it."""

from __future__ import annotations

import re

# Characters XML 1.0 cannot contain (C0 controls other than tab and line breaks,
# surrogates, U+FFFE and U+FFFF): python-docx and python-pptx refuse them.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return XML_INVALID.sub("", text)
