"""Personal data stripped from free text before steering reads it (feedback comments,
framework proposals): each match becomes "[…]".

What is removed, in this order (a URL may hold an e-mail address, a number a phone):
- web addresses with a query string (``?…``: they often carry identifiers or tokens);
- e-mail addresses;
- a number written after a word that names an identifier (NIR, INS, RPPS, ADELI, "sécurité
  sociale", "matricule" ...), spaces allowed inside the number;
- social security numbers (NIR, and the INS built on it or on the NIA): 13 digits and an
  optional 2-digit key, spaced or not, with the structure sex, year, month, department;
- French phone numbers: 0X XX XX XX XX with spaces, dots or hyphens, or +33 / 0033;
- any run of 9 digits or more (ADELI has 9, RPPS 11, NIR 13 or 15, SIRET 14, the old
  calculated INS 22): no ordinary word, year or amount written in figures is that long;
- the names given (the author's first and last names), whole words, whatever the case and
  accents.

Years, amounts, percentages and version numbers stay: the rules above need a long run of
digits or the shape of a phone number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "[…]"
# Names shorter than this are not removed on their own ("Le" of "Le Goff"): they are
# ordinary words.
MIN_NAME_LENGTH = 3

_URL_WITH_QUERY = re.compile(r"(?:https?://|www\.)[^\s<>\"']*\?[^\s<>\"']*", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_NAMED_NUMBER = re.compile(
    r"(?P<label>\b(?:NIR|INS|RPPS|ADELI|matricule|num[ée]ro\s+de\s+s[ée]curit[ée]\s+sociale"
    r"|s[ée]curit[ée]\s+sociale|carte\s+vitale)\b\s*(?:n°|no\.?|num[ée]ro)?\s*:?\s*)"
    r"(?P<number>\d[\d\s.-]{3,}\d)",
    re.IGNORECASE,
)
_NIR = re.compile(
    r"(?<!\d)[1-478][\s.]?\d{2}[\s.]?(?:0[1-9]|1[0-2]|[2-9]\d)[\s.]?(?:\d{2}|2[AB])"
    r"[\s.]?\d{3}[\s.]?\d{3}(?:[\s.]?\d{2})?(?!\d)",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)33[\s.-]?(?:\(0\)[\s.-]?)?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)"
)
_LONG_NUMBER = re.compile(r"(?<!\d)\d{9,}(?!\d)")

_ACCENTS = {
    "a": "aàâäáã",
    "c": "cç",
    "e": "eéèêë",
    "i": "iîïí",
    "n": "nñ",
    "o": "oôöó",
    "u": "uùûüú",
    "y": "yÿ",
}
# Separators inside a name: space, hyphen, apostrophe (straight or typographic).
_SEPARATORS = " -'\u2019"
_SEPARATOR_RUN = r"[\s'\u2019-]+"
_BASE = {variant: base for base, variants in _ACCENTS.items() for variant in variants}


def _name_pattern(name: str) -> str:
    """A pattern matching `name` with or without its accents (case is ignored)."""
    parts = []
    for character in name.lower():
        base = _BASE.get(character)
        if base:
            parts.append(f"[{_ACCENTS[base]}]")
        elif character in _SEPARATORS:
            parts.append(_SEPARATOR_RUN)
        else:
            parts.append(re.escape(character))
    return "".join(parts)


def _names_regex(names: Iterable[str]) -> re.Pattern[str] | None:
    """Whole names and their parts (Jean-Pierre, Jean, Pierre), longest first."""
    candidates: set[str] = set()
    for name in names:
        name = " ".join((name or "").split())
        if not name:
            continue
        candidates.add(name)
        candidates.update(re.split(_SEPARATOR_RUN, name))
    kept = sorted((c for c in candidates if len(c) >= MIN_NAME_LENGTH), key=len, reverse=True)
    if not kept:
        return None
    alternatives = "|".join(_name_pattern(name) for name in kept)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def redact(text: str, names: Iterable[str] = ()) -> str:
    """`text` with the personal data listed in the module's docstring replaced by "[…]"."""
    text = _URL_WITH_QUERY.sub(MASK, text)
    text = _EMAIL.sub(MASK, text)
    text = _NAMED_NUMBER.sub(lambda match: match.group("label") + MASK, text)
    for pattern in (_NIR, _PHONE, _LONG_NUMBER):
        text = pattern.sub(MASK, text)
    names_regex = _names_regex(names)
    if names_regex is not None:
        text = names_regex.sub(MASK, text)
    return text
