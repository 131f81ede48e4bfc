"""Registry of personal-data providers: how apps above accounts add their part to a user's
data export and erasure (GDPR art. 15, 17 and 20).

Accounts owns the account, profile and roles, and must not import the apps built on it
(organisations, campaigns ...). Each of those registers a provider from its AppConfig.ready():
a key in the export, a function that returns its JSON-ready part, one that erases the
user's data in it, and the models (app_label.ModelName) whose rows about the user its part
covers. `export_personal_data` and `erase_user` call them in registration order
(INSTALLED_APPS order), inside their transaction.

A test walks every model that points to the user model and fails when no provider covers it
(tests/accounts/test_personal_data_export.py): a new model holding personal data must be
added to an export, or to that test's commented allow-list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from palier.accounts.models import User


# The models accounts' own part of the export covers (account, profile, roles).
ACCOUNT_MODELS = ("accounts.User", "accounts.LearnerProfile", "accounts.RoleAssignment")


@dataclass(frozen=True)
class PersonalDataProvider:
    key: str
    export: Callable[[User], Any]
    erase: Callable[[User], None] | None
    models: tuple[str, ...] = ()


_providers: dict[str, PersonalDataProvider] = {}


def register(
    key: str,
    *,
    export: Callable[[User], Any],
    erase: Callable[[User], None] | None = None,
    models: tuple[str, ...] = (),
) -> None:
    """Add (or replace, when an app is loaded again) the provider of the export's `key`;
    `models` names the models (app_label.ModelName) whose rows about the user it exports."""
    _providers[key] = PersonalDataProvider(key, export, erase, tuple(models))


def providers() -> list[PersonalDataProvider]:
    """The registered providers, in registration order."""
    return list(_providers.values())


def covered_models() -> frozenset[str]:
    """The models whose rows about a user the export covers, accounts' own included."""
    return frozenset(ACCOUNT_MODELS).union(*(provider.models for provider in providers()))


def isoformat(moment: Any) -> str | None:
    """A date or datetime as ISO 8601 text for the export, None when empty."""
    return moment.isoformat() if moment is not None else None


def export_sections(user: User) -> dict[str, Any]:
    """Each provider's part of the export, under its key."""
    return {provider.key: provider.export(user) for provider in providers()}


def erase_sections(user: User) -> None:
    """Let each provider erase the user's data in its app."""
    for provider in providers():
        if provider.erase is not None:
            provider.erase(user)
