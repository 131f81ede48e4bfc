"""What administrators see of every integration: configured or not, last success, last error.

Each integration app registers one provider in its `AppConfig.ready()`; the status page lists
what the providers return, in the order they registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class IntegrationStatus:
    """One integration, or one configured peer of it (a platform, a provider, an LRS)."""

    name: str
    configured: bool
    last_success: datetime | None = None
    last_error: datetime | None = None
    last_error_message: str = ""
    # Where an administrator manages it (a management-site URL), if anywhere.
    manage_url: str = ""


StatusProvider = Callable[[], list[IntegrationStatus]]
_providers: list[StatusProvider] = []


def register(provider: StatusProvider) -> None:
    """Add an integration's status provider (called once, from its app's `ready()`)."""
    if provider not in _providers:
        _providers.append(provider)


def statuses() -> list[IntegrationStatus]:
    """Every registered integration's status lines."""
    return [line for provider in _providers for line in provider()]
