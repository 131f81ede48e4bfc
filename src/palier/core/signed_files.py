"""A checked file carried from a dry run to its confirmation inside a signed token.

The server keeps no copy: the token holds the file, the people and objects it is bound to,
and the time it was made. Anyone may read a token's content, so only files the user sent
go in it; nobody can alter it or use it for another object or user.
"""

from __future__ import annotations

import base64

from django.core import signing


def sign_file(data: bytes, *, salt: str, bound_to: dict[str, int]) -> str:
    """A token holding `data`, valid only with the same `salt` and `bound_to` values
    (e.g. {"organisation": 3, "user": 12})."""
    payload = {"bound_to": bound_to, "data": base64.b64encode(data).decode("ascii")}
    return signing.dumps(payload, salt=salt, compress=True)


def file_from_token(
    token: str, *, salt: str, bound_to: dict[str, int], max_age_minutes: int
) -> bytes | None:
    """The file of a token made by `sign_file`, or None when the token is altered, older
    than `max_age_minutes`, or bound to other objects or users."""
    try:
        payload = signing.loads(str(token), salt=salt, max_age=max_age_minutes * 60)
        if payload.get("bound_to") != bound_to:
            return None
        return base64.b64decode(payload["data"], validate=True)
    except (signing.BadSignature, AttributeError, KeyError, TypeError, ValueError):
        return None
