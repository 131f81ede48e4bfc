"""Verification codes of results: printed on the PDF with a QR code, they open a public page
that confirms the result (a positioning result, not a certification).

A code is 12 characters drawn with `secrets` from 31 letters and digits without the
ambiguous ones (0/O, 1/I/L): about 59 bits, unguessable, shown in groups of four
("K7QM-X3TD-9RWA"). Lookups ignore case, spaces and dashes, and are limited per client
address (`LOOKUPS_PER_HOUR`, the accounts' throttle), so codes cannot be enumerated. A code
is created once per result and never edited; when the learner's account is erased it no
longer answers (the page says "unknown code", as for a code that never existed).
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction

from palier.accounts.throttle import allow, throttle_key
from palier.assessments.models import Attempt, ResultVerification

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
GROUP = 4
LOOKUPS_PER_HOUR = 30
_ATTEMPTS_ON_COLLISION = 5


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def grouped(code: str) -> str:
    """The code as printed: groups of four joined by dashes."""
    return "-".join(code[start : start + GROUP] for start in range(0, len(code), GROUP))


def normalised(typed: str) -> str:
    """A typed or scanned code in its stored form (upper case, no spaces nor dashes)."""
    return "".join(typed.split()).replace("-", "").upper()


def verification_for(attempt: Attempt) -> ResultVerification:
    """The result's verification, created the first time (idempotent, race-safe)."""
    existing = ResultVerification.objects.filter(attempt=attempt).first()
    if existing is not None:
        return existing
    for _ in range(_ATTEMPTS_ON_COLLISION):
        try:
            with transaction.atomic():
                return ResultVerification.objects.create(attempt=attempt, code=new_code())
        except IntegrityError:
            # Another request created it, or (vanishingly rare) the code was taken.
            existing = ResultVerification.objects.filter(attempt=attempt).first()
            if existing is not None:
                return existing
    raise RuntimeError("no free verification code")


def lookup_allowed(client: str | None) -> bool:
    """Count one lookup from `client` (an address); False once it reached the limit."""
    return allow([(throttle_key("verify", client or "unknown"), LOOKUPS_PER_HOUR)])


def verified_result(typed: str) -> ResultVerification | None:
    """The verification of a code, None when unknown or revoked (account erased)."""
    code = normalised(typed)
    if len(code) != CODE_LENGTH or any(char not in ALPHABET for char in code):
        return None
    return (
        ResultVerification.objects.select_related("attempt__user", "attempt__framework")
        .filter(
            code=code,
            attempt__status=Attempt.Status.FINISHED,
            attempt__user__erased_at__isnull=True,
            attempt__user__is_active=True,
        )
        .first()
    )


def shown_name(attempt: Attempt) -> str:
    """First name and the initial of the family name ("Camille D."): enough to match the
    person holding the document, without publishing a full name."""
    user = attempt.user
    initial = f" {user.last_name.strip()[:1].upper()}." if user.last_name.strip() else ""
    return f"{user.first_name.strip()}{initial}".strip()
