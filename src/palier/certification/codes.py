"""Codes of certification: the session access code typed by candidates in the room, and the
certificate's verification code printed on the PDF.

Both use letters and digits people cannot confuse (no 0/O, 1/I/L, nor U/V): a session access
code is 4 letters and 2 digits ("KXPD47"), easy to read aloud and to write on the board; it
only opens a session the candidate is enrolled in, while the session is open. A certificate
code is "P-" and 8 characters of 30 (about 39 bits), drawn with `secrets`; lookups are
rate-limited per client address, so codes cannot be enumerated. Lookups ignore case, spaces
and dashes.
"""

from __future__ import annotations

import re
import secrets

LETTERS = "ABCDEFGHJKMNPQRSTWXYZ"
DIGITS = "23456789"
ACCESS_LETTERS = 4
ACCESS_DIGITS = 2
CERTIFICATE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
CERTIFICATE_PREFIX = "P-"
CERTIFICATE_LENGTH = 8
_SEPARATORS = re.compile(r"[\s\-.]+")
_ACCESS = re.compile(rf"^[{LETTERS}]{{{ACCESS_LETTERS}}}[{DIGITS}]{{{ACCESS_DIGITS}}}$")


def new_access_code() -> str:
    letters = "".join(secrets.choice(LETTERS) for _ in range(ACCESS_LETTERS))
    return letters + "".join(secrets.choice(DIGITS) for _ in range(ACCESS_DIGITS))


def normalise_access_code(typed: str) -> str | None:
    """The access code as stored, from what a candidate typed; None when it cannot be one."""
    code = _SEPARATORS.sub("", typed or "").upper()
    return code if _ACCESS.match(code) else None


def new_certificate_code() -> str:
    body = "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(CERTIFICATE_LENGTH))
    return CERTIFICATE_PREFIX + body


def normalise_certificate_code(typed: str) -> str | None:
    """The certificate code as stored ("P-XXXXXXXX"), from a typed or scanned one."""
    code = _SEPARATORS.sub("", typed or "").upper()
    if code.startswith("P"):
        code = code[1:]
    if len(code) != CERTIFICATE_LENGTH or any(c not in CERTIFICATE_ALPHABET for c in code):
        return None
    return CERTIFICATE_PREFIX + code
