"""Login throttling on top of django-axes: three counters, each with its own limit.

Failures are stored by axes (one row per account, client address and user agent, in the
database, so every server process sees them) and counted over AXES_COOLOFF_TIME:

- per account and client address: AXES_FAILURE_LIMIT (5) locks that pair. A student's typos
  lock that student on that machine, nobody else behind the same NAT.
- per client address, whatever the account: PALIER_LOGIN_FAILURES_PER_CLIENT (high, for a
  classroom behind one address) stops password spraying over many accounts from one place.
- per account, whatever the address: PALIER_LOGIN_FAILURES_PER_ACCOUNT stops a guessing
  attack spread over many addresses, but only for clients the owner has never signed in
  from. A browser that signed in to the account carries a signed "known client" cookie
  (OWASP's device cookies) and stays allowed, so an attacker cannot lock the owner out.

Axes compares one number to one limit; `get_failures` therefore returns the pair's count,
raised to the pair limit when another counter is over its own limit.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.core import signing
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

KNOWN_CLIENT_COOKIE = "palier_known_client"
KNOWN_CLIENT_SALT = "palier.accounts.lockout.known-client"
KNOWN_CLIENT_MAX_ACCOUNTS = 5
KNOWN_CLIENT_MAX_AGE_SECONDS = 365 * 24 * 3600


def _account_tag(username: str) -> str:
    # A keyed digest: the cookie names no address.
    return salted_hmac(KNOWN_CLIENT_SALT, username.strip().lower()).hexdigest()[:24]


def _known_tags(request: HttpRequest) -> list[str]:
    raw = request.COOKIES.get(KNOWN_CLIENT_COOKIE)
    if not raw:
        return []
    try:
        tags = signing.loads(raw, salt=KNOWN_CLIENT_SALT, max_age=KNOWN_CLIENT_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return []
    return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []


def is_known_client(request: HttpRequest, username: str | None) -> bool:
    """True when this browser has signed in to `username` before (signed cookie)."""
    return bool(username) and _account_tag(username) in _known_tags(request)


def remember_client(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """Mark this browser as one the owner of `username` signs in from (after a success)."""
    tag = _account_tag(username)
    tags = [tag, *(known for known in _known_tags(request) if known != tag)]
    response.set_cookie(
        KNOWN_CLIENT_COOKIE,
        signing.dumps(tags[:KNOWN_CLIENT_MAX_ACCOUNTS], salt=KNOWN_CLIENT_SALT),
        max_age=KNOWN_CLIENT_MAX_AGE_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _failures(request: HttpRequest, **match: Any) -> int:
    attempts = AccessAttempt.objects.filter(
        attempt_time__gte=get_cool_off_threshold(request), **match
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LoginLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with the per-client and per-account limits described above."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        address = request.axes_ip_address  # type: ignore[attr-defined]
        pair_limit = settings.AXES_FAILURE_LIMIT
        failures = _failures(request, username=username, ip_address=address) if username else 0
        if failures >= pair_limit:
            return failures
        if address and _failures(request, ip_address=address) >= (
            settings.PALIER_LOGIN_FAILURES_PER_CLIENT
        ):
            return pair_limit
        if (
            username
            and not is_known_client(request, username)
            and _failures(request, username=username) >= settings.PALIER_LOGIN_FAILURES_PER_ACCOUNT
        ):
            return pair_limit
        return failures
