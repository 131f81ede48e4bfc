"""Fetch-and-authorise: the one gate to an organisation, and to its staff's objects.

Every staff page and operation of an organisation (campaigns, team, API tokens, training
provider pages) goes through `access_organisation`. Anyone who is not a member gets 404, so
the existence of an organisation does not leak to outsiders; a member gets 403 on what only
admins may do. An API token reaches its own organisation only (`access_token_organisation`).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from palier.accounts.models import User
from palier.organisations.models import Invitation, Membership, Organisation, OrganisationToken


def access_organisation(
    user: User, slug: str, admin_required: bool = False
) -> tuple[Organisation, Membership]:
    """The organisation `slug` and the user's membership in it.

    Http404 for anyone who is not a member (the organisation may exist or not);
    PermissionDenied (403) for a member who is not an admin when `admin_required`."""
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation__slug=slug)
        .first()
        if user.is_authenticated
        else None
    )
    if membership is None:
        raise Http404
    if admin_required and not membership.is_admin:
        raise PermissionDenied
    return membership.organisation, membership


def access_token_organisation(token: OrganisationToken, slug: str) -> Organisation:
    """An organisation token reaches its own organisation only (404 for any other)."""
    if token.organisation.slug != slug:
        raise Http404
    return token.organisation


def request_token(request: HttpRequest) -> OrganisationToken | None:
    """The organisation token the API request authenticated with (None for a session)."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, OrganisationToken) else None


def access_api_organisation(
    request: HttpRequest, slug: str, admin_required: bool = False
) -> Organisation:
    """The organisation `slug` for an API caller: its own token (which acts with an admin's
    rights), or a signed-in member (403 for a member when `admin_required`); 404 otherwise."""
    token = request_token(request)
    if token is not None:
        return access_token_organisation(token, slug)
    organisation, _membership = access_organisation(request.user, slug, admin_required)
    return organisation


def access_membership(organisation: Organisation, membership_id: int) -> Membership:
    """A membership of `organisation` (404 for any other id)."""
    return get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, organisation=organisation
    )


def access_pending_invitation(organisation: Organisation, invitation_id: int) -> Invitation:
    """A pending invitation of `organisation` (404 for any other id)."""
    return get_object_or_404(
        Invitation, pk=invitation_id, organisation=organisation, accepted_at__isnull=True
    )


def access_organisation_token(organisation: Organisation, token_id: int) -> OrganisationToken:
    """A token of `organisation` (404 for any other id)."""
    return get_object_or_404(OrganisationToken, pk=token_id, organisation=organisation)
