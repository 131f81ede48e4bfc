"""Fetch-and-authorise helpers: the one permission gate per user-facing object."""

from __future__ import annotations

from django.http import Http404

from palier.accounts.models import Membership, Organisation, User


def access_organisation(user: User, slug: str) -> tuple[Organisation, Membership]:
    """The organisation `slug` and the user's membership in it.

    Anyone who is not a member gets Http404, so the existence of an organisation does not
    leak to outsiders."""
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation__slug=slug)
        .first()
        if user.is_authenticated
        else None
    )
    if membership is None:
        raise Http404
    return membership.organisation, membership
