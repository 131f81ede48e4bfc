"""The organisations part of a user's personal data: export and erasure, registered into
accounts' registry of personal-data providers (accounts cannot import this app)."""

from __future__ import annotations

from typing import Any

from palier.accounts import personal_data
from palier.accounts.models import User
from palier.organisations.services import erase_memberships


def export_memberships(user: User) -> list[dict[str, Any]]:
    """The user's memberships: organisation name, role, since when."""
    return [
        {"organisation": m.organisation.name, "role": m.role, "since": m.created_at.isoformat()}
        for m in user.memberships.select_related("organisation")
    ]


def register() -> None:
    """Called once by the app's ready()."""
    personal_data.register("organisations", export=export_memberships, erase=erase_memberships)
