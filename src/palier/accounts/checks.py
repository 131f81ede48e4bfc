"""System checks of the accounts app (run by `palier check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from palier.accounts.demo import DEMO_DOMAIN

DEMO_ACCOUNTS_ERROR = "palier.E001"


@checks.register(checks.Tags.security, deploy=True)
def check_no_demo_accounts(**kwargs: Any) -> list[checks.CheckMessage]:
    """Error when demo accounts exist and debug is off.

    The backend already refuses them outside debug; the check makes the leftover visible
    before going live, with the command that removes them. A database that is not migrated
    yet has no accounts to report."""
    if settings.DEBUG:
        return []
    from palier.accounts.models import User

    try:
        count = User.objects.filter(email__iendswith="@" + DEMO_DOMAIN).count()
    except DatabaseError:
        return []
    if not count:
        return []
    return [
        checks.Error(
            f"{count} demo account(s) (@{DEMO_DOMAIN}, published password) exist in the "
            "database. They cannot sign in while PALIER_DEBUG is off, but they must not stay "
            "in production.",
            hint="Remove them with: palier remove_demo_accounts",
            id=DEMO_ACCOUNTS_ERROR,
        )
    ]
