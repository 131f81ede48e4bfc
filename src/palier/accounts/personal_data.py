"""Registry of personal-data providers: how apps above accounts add their part to a user's
data export and erasure (GDPR art. 15, 17 and 20).

Accounts owns the account, profile and roles, and must not import the apps built on it
(organisations, campaigns ...). Each of those registers a provider from its AppConfig.ready():
a key in the export, a function that returns its JSON-ready part, and one that erases the
user's data in it. `export_personal_data` and `erase_user` call them in registration order
(INSTALLED_APPS order), inside their transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from palier.accounts.models import User


@dataclass(frozen=True)
class PersonalDataProvider:
    key: str
    export: Callable[[User], Any]
    erase: Callable[[User], None] | None


_providers: dict[str, PersonalDataProvider] = {}


def register(
    key: str,
    *,
    export: Callable[[User], Any],
    erase: Callable[[User], None] | None = None,
) -> None:
    """Add (or replace, when an app is loaded again) the provider of the export's `key`."""
    _providers[key] = PersonalDataProvider(key, export, erase)


def providers() -> list[PersonalDataProvider]:
    """The registered providers, in registration order."""
    return list(_providers.values())


def export_sections(user: User) -> dict[str, Any]:
    """Each provider's part of the export, under its key."""
    return {provider.key: provider.export(user) for provider in providers()}


def erase_sections(user: User) -> None:
    """Let each provider erase the user's data in its app."""
    for provider in providers():
        if provider.erase is not None:
            provider.erase(user)
