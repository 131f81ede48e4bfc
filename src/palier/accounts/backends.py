"""The authentication backend: Django's model backend, minus demo accounts outside debug.

Demo accounts (`palier seed --demo`) have a published password. A database seeded in debug
and later served with PALIER_DEBUG=0 still holds them, so the refusal cannot live in the seed
command or in one login view: it lives here, where every path goes through. The login page,
the admin login and any future login call `authenticate()`, which asks
`user_can_authenticate`; every request of an existing session loads its user through
`get_user`, which asks it too, so a demo session opened in debug ends when debug is off.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def is_demo_email(email: str) -> bool:
    """True for an address of the demo domain (a reserved `.example` name: no real mailbox)."""
    # Imported here: the demo loader imports the services, which import this module.
    from palier.accounts.demo import DEMO_DOMAIN

    return email.strip().lower().endswith("@" + DEMO_DOMAIN)


def demo_accounts_allowed() -> bool:
    """Demo accounts may sign in only in debug (development and demonstrations)."""
    return bool(settings.DEBUG)


class AccountBackend(ModelBackend):
    """Model backend that refuses inactive users (as Django's does) and, outside debug,
    demo accounts."""

    def user_can_authenticate(self, user: Any) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return demo_accounts_allowed() or not is_demo_email(getattr(user, "email", "") or "")
