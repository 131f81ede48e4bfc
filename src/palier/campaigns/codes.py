"""Campaign codes: short, typed by hand, not guessable.

The alphabet has no 0/O, 1/I/L (nor U, often misread as V): 30 symbols, so a 9-character
code is one of 30**9 ≈ 2·10^13; with the rate limit on code attempts (services.join) an
enumeration would take centuries.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 9
_SEPARATORS = re.compile(r"[\s\-.]+")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str) -> str | None:
    """The code as stored, from what a person typed (any case, spaces or dashes); None when
    it cannot be a code."""
    code = _SEPARATORS.sub("", typed or "").upper()
    if not 8 <= len(code) <= LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


def display(code: str) -> str:
    """Grouped by three for reading aloud: ABC-DEF-GHJ."""
    return "-".join(code[i : i + 3] for i in range(0, len(code), 3))
