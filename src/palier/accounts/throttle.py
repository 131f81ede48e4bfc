"""A small limiter for account e-mails: at most N actions per key within a window.

Counters are rows of the database (ThrottleEvent), not a per-process cache, so the limit
holds across all server processes without any extra service. Keys are keyed digests of the
e-mail address or client address, so the table holds no personal data in clear.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from palier.accounts.models import ThrottleEvent

THROTTLE_SALT = "palier.accounts.throttle"
DEFAULT_WINDOW = timedelta(hours=1)


def throttle_key(kind: str, value: str) -> str:
    """The stored key for `value` (an e-mail or a client address) under `kind`."""
    digest = salted_hmac(THROTTLE_SALT, value.strip().lower()).hexdigest()[:40]
    return f"{kind}:{digest}"


@transaction.atomic
def allow(
    limits: Sequence[tuple[str, int]],
    window: timedelta = DEFAULT_WINDOW,
    now: datetime | None = None,
) -> bool:
    """Count one action under every key of `limits` ((key, limit) pairs) and return True,
    unless a key already reached its limit within `window`: then count nothing and return
    False. Rows older than the window are deleted as keys are seen."""
    now = now or timezone.now()
    since = now - window
    keys = [key for key, _limit in limits]
    ThrottleEvent.objects.filter(key__in=keys, at__lt=since).delete()
    for key, limit in limits:
        if ThrottleEvent.objects.filter(key=key, at__gte=since).count() >= limit:
            return False
    ThrottleEvent.objects.bulk_create([ThrottleEvent(key=key, at=now) for key in keys])
    return True
