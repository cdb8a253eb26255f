"""Standardisation of identity values before they are encoded.

The same person is written differently by a police officer, an NGO and a
shelter: in Cyrillic or in Latin letters, with or without Latvian and
Lithuanian diacritics, transliterated the English, German or French way, day
and month swapped. Encodings can only agree where the values agree, so every
value is brought to one canonical form first (linkage.md: this moves quality
more than the choice of matcher).

Names go through three steps: Cyrillic and Greek letters are transliterated
to Latin (ICAO 9303, the passport standard most agencies copy from);
diacritics and special letters are folded (š→s, ł→l, ø→o, æ→ae, ß→ss); and a
*skeleton* folds the spelling variants that transliteration systems disagree
on (sh/sz/š→s, ch/cz/tch/č→c, zh/ž→z, kh/h, w→v, j/y→i, ks→x, doubled
letters), so that Юрий, Jurij, Yuriy and Iouri all become ``iuri``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from samverkan.linkage.errors import InvalidValue

# ICAO Doc 9303 transliteration of Cyrillic (Russian, Ukrainian, Belarusian,
# Bulgarian, Serbian and Macedonian letters), lower case.
CYRILLIC_ICAO = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "ђ": "d", "ѓ": "g",
    "е": "e", "ё": "e", "є": "ie", "ж": "zh", "з": "z", "ѕ": "dz", "и": "i", "і": "i",
    "ї": "i", "й": "i", "ј": "j", "к": "k", "ќ": "k", "л": "l", "љ": "lj", "м": "m",
    "н": "n", "њ": "nj", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "c",
    "у": "u", "ў": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "џ": "dz", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip
# Letters that Unicode decomposition does not reduce to a base letter.
_SPECIAL = {
    "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ð": "d",
    "þ": "th", "ı": "i", "ħ": "h", "ŋ": "n",
}  # fmt: skip
_GREEK = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
    "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps",
    "ω": "o",
}  # fmt: skip
_LETTERS = {**CYRILLIC_ICAO, **_SPECIAL, **_GREEK}

# Spelling variants folded by the skeleton, longest first (order matters).
_SKELETON = [
    ("shch", "sc"), ("sch", "s"), ("tch", "c"), ("tsch", "c"), ("dzh", "z"),
    ("sh", "s"), ("sz", "s"), ("ch", "c"), ("cz", "c"), ("ts", "c"), ("tz", "c"),
    ("zh", "z"), ("kh", "h"), ("ph", "f"), ("th", "t"), ("ck", "k"),
    ("ks", "x"), ("qu", "kv"), ("ou", "u"), ("w", "v"), ("y", "i"), ("j", "i"),
    ("q", "k"),
]  # fmt: skip
_SKELETON_RE = re.compile("|".join(re.escape(source) for source, _ in _SKELETON))
_SKELETON_MAP = dict(_SKELETON)
_DOUBLED = re.compile(r"([a-z])\1+")
_NOT_LETTER = re.compile(r"[^a-z]+")
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def _latin(value: str) -> str:
    """Lower case, transliterated to Latin, without diacritics."""
    value = unicodedata.normalize("NFKC", value).casefold()
    value = "".join(_LETTERS.get(character, character) for character in value)
    value = unicodedata.normalize("NFKD", value)
    return "".join(character for character in value if not unicodedata.combining(character))


def fold_letters(value: str) -> str:
    """Lower case Latin letters and spaces: transliterated, without diacritics."""
    return _NOT_LETTER.sub(" ", _latin(value)).strip()


def name_skeleton(word: str) -> str:
    word = _SKELETON_RE.sub(lambda match: _SKELETON_MAP[match.group(0)], word)
    return _DOUBLED.sub(r"\1", word)


def standardise_name(value: str | None) -> str:
    """The canonical form of a name: words of folded letters, one space apart."""
    if not value:
        return ""
    return " ".join(name_skeleton(word) for word in fold_letters(value).split())


def standardise_text(value: str | None) -> str:
    """Other text (an address, a number): folded letters and digits, one space apart."""
    if not value:
        return ""
    return " ".join(_NOT_ALPHANUMERIC.sub(" ", _latin(value)).split())


_SEXES = {
    "f": "f", "female": "f", "woman": "f", "w": "f", "k": "f", "kvinna": "f",
    "m": "m", "male": "m", "man": "m",
    "x": "x", "other": "x", "annat": "x",
    "": "", "u": "", "unknown": "", "okänt": "", "okand": "",
}  # fmt: skip


def standardise_sex(value: str | None) -> str:
    """``f``, ``m``, ``x`` or empty (unknown); raises ``ValueError`` otherwise."""
    key = (value or "").strip().casefold()
    if key not in _SEXES:
        raise InvalidValue("not_a_sex")
    return _SEXES[key]


_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def standardise_citizenships(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """ISO 3166-1 alpha-2 codes, upper case, sorted; several separated by ``;`` or ``,``."""
    if not value:
        return []
    parts = re.split(r"[;,\s]+", value) if isinstance(value, str) else list(value)
    codes = sorted({part.strip().upper() for part in parts if part and part.strip()})
    for code in codes:
        if not _COUNTRY.match(code):
            raise InvalidValue("not_a_country_code")
    return codes


@dataclass(frozen=True)
class BirthDate:
    """A date of birth; ``estimated`` when only the year is known (or 1 January was recorded)."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def estimated(self) -> bool:
        return self.month is None


_DATE_FORMATS = [
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
    re.compile(r"^(?P<y>\d{4})$"),
]


def standardise_birth_date(value: str | date | None) -> BirthDate | None:
    """Parse ``YYYY-MM-DD``, ``DD.MM.YYYY``, ``DD/MM/YYYY``, ``YYYYMMDD`` or ``YYYY``.

    1 January is what agencies write when only the year is known, so it is
    kept as an estimated date (the year alone), as is a bare year. Raises
    ``ValueError`` for anything that is not a real date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, date):
        year, month, day = value.year, value.month, value.day
    else:
        text = value.strip()
        for pattern in _DATE_FORMATS:
            match = pattern.match(text)
            if match:
                break
        else:
            raise InvalidValue("birth_date_format")
        parts = match.groupdict()
        year = int(parts["y"])
        if "m" not in parts:
            return _plausible(BirthDate(year))
        month, day = int(parts["m"]), int(parts["d"])
        try:
            date(year, month, day)
        except ValueError:
            raise InvalidValue("impossible_date") from None
    if (month, day) == (1, 1):
        return _plausible(BirthDate(year))
    return _plausible(BirthDate(year, month, day))


def _plausible(born: BirthDate) -> BirthDate:
    if not 1900 <= born.year <= 2100:
        raise InvalidValue("implausible_birth_year")
    return born
