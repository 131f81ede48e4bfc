"""The organisations part of a user's personal data: export and erasure, registered into
accounts' registry of personal-data providers (accounts cannot import this app)."""

from __future__ import annotations

from typing import Any

from palier.accounts import personal_data
from palier.accounts.models import User
from palier.accounts.personal_data import isoformat
from palier.organisations.models import Invitation, OrganisationToken
from palier.organisations.services import erase_memberships


def export_memberships(user: User) -> list[dict[str, Any]]:
    """The user's memberships: organisation name, role, since when."""
    return [
        {"organisation": m.organisation.name, "role": m.role, "since": m.created_at.isoformat()}
        for m in user.memberships.select_related("organisation")
    ]


def _invitation(invitation: Invitation) -> dict[str, Any]:
    return {
        "organisation": invitation.organisation.name,
        "email": invitation.email,
        "role": invitation.role,
        "created_at": isoformat(invitation.created_at),
        "accepted_at": isoformat(invitation.accepted_at),
    }


def export_organisations(user: User) -> dict[str, Any]:
    """Memberships, invitations received (at the user's address) and sent, and the API
    tokens the user created (name and visible prefix; the secret is never stored)."""
    received = Invitation.objects.filter(email__iexact=user.email).select_related("organisation")
    sent = Invitation.objects.filter(invited_by=user).select_related("organisation")
    tokens = OrganisationToken.objects.filter(created_by=user).select_related("organisation")
    return {
        "memberships": export_memberships(user),
        "invitations_received": [_invitation(invitation) for invitation in received],
        "invitations_sent": [_invitation(invitation) for invitation in sent],
        "api_tokens_created": [
            {
                "organisation": token.organisation.name,
                "name": token.name,
                "prefix": token.prefix,
                "created_at": isoformat(token.created_at),
                "last_used_at": isoformat(token.last_used_at),
                "revoked_at": isoformat(token.revoked_at),
            }
            for token in tokens
        ],
    }


def register() -> None:
    """Called once by the app's ready()."""
    personal_data.register(
        "organisations",
        export=export_organisations,
        erase=erase_memberships,
        models=(
            "organisations.Membership",
            "organisations.Organisation",  # its members, through Membership
            "organisations.Invitation",
            "organisations.OrganisationToken",
        ),
    )
