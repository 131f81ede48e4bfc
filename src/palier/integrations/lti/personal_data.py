"""The links with learning-platform users in a user's personal-data export and erasure."""

from __future__ import annotations

from typing import Any

from palier.accounts import personal_data
from palier.accounts.models import User
from palier.accounts.personal_data import isoformat
from palier.integrations.lti.models import PlatformAccount
from palier.integrations.lti.services import erase_platform_accounts


def export_platform_accounts(user: User) -> list[dict[str, Any]]:
    return [
        {
            "platform": account.platform.issuer,
            "subject": account.subject,
            "linked_at": isoformat(account.linked_at),
        }
        for account in PlatformAccount.objects.filter(user=user)
        .select_related("platform")
        .order_by("linked_at", "pk")
    ]


def register() -> None:
    """Called once by the app's ready()."""
    personal_data.register(
        "learning_platform_accounts",
        export=export_platform_accounts,
        erase=erase_platform_accounts,
        models=("integrations_lti.PlatformAccount",),
    )
