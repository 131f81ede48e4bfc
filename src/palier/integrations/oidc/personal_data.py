"""The linked identities in a user's personal-data export and erasure."""

from __future__ import annotations

from typing import Any

from palier.accounts import personal_data
from palier.accounts.models import User
from palier.accounts.personal_data import isoformat
from palier.integrations.oidc.models import LinkedIdentity
from palier.integrations.oidc.services import erase_identities


def export_identities(user: User) -> list[dict[str, Any]]:
    return [
        {
            "provider": link.provider_key,
            "issuer": link.issuer,
            "subject": link.subject,
            "linked_at": isoformat(link.linked_at),
            "last_login_at": isoformat(link.last_login_at),
        }
        for link in LinkedIdentity.objects.filter(user=user).order_by("linked_at")
    ]


def register() -> None:
    """Called once by the app's ready()."""
    personal_data.register(
        "linked_identities",
        export=export_identities,
        erase=erase_identities,
        models=("integrations_oidc.LinkedIdentity",),
    )
