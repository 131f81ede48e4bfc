"""Writes on organisations' staff outside invitations: direct membership (demo data,
tests, the management site) and the erasure of a user's memberships.

The team's own changes (invite, accept, change role, remove) are in invitations.py; API
tokens in tokens.py.
"""

from __future__ import annotations

from django.db import transaction

from palier.accounts.models import User
from palier.organisations.choices import MembershipRole
from palier.organisations.models import Membership, Organisation


@transaction.atomic
def add_member(
    organisation: Organisation, user: User, role: str = MembershipRole.MEMBER
) -> Membership:
    """Put `user` in `organisation`'s staff with `role` (updates the role of a member)."""
    membership, _ = Membership.objects.update_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )
    return membership


@transaction.atomic
def erase_memberships(user: User) -> None:
    """Remove the user from every organisation's staff (right to erasure)."""
    Membership.objects.filter(user=user).delete()
