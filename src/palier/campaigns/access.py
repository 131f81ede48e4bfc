"""Fetch-and-authorise: the one permission gate for campaigns and participations.

Staff reach a campaign through their membership of its organisation (the organisation gate,
organisations.access.access_organisation); anyone else gets 404, so neither the organisation
nor the campaign leaks. Members read; only admins change.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from palier.accounts.models import User
from palier.campaigns.models import Campaign, Participation
from palier.organisations.access import access_organisation
from palier.organisations.models import Membership, Organisation, OrganisationToken


def _as_int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError as error:
        raise Http404 from error


def access_campaign(
    user: User, slug: str, campaign_id: object, *, admin: bool = False
) -> tuple[Campaign, Membership]:
    organisation, membership = access_organisation(user, slug)
    campaign = (
        Campaign.objects.select_related("organisation", "target_population", "framework")
        .filter(pk=_as_int(campaign_id), organisation=organisation)
        .first()
    )
    if campaign is None:
        raise Http404
    # After the campaign lookup: a member asking to change another organisation's campaign
    # id gets 404, not 403.
    if admin and not membership.is_admin:
        raise PermissionDenied
    return campaign, membership


def access_shared_participation(campaign: Campaign, participation_id: object) -> Participation:
    """A participant of `campaign` as staff may see them (404 otherwise)."""
    participation = (
        Participation.objects.select_related("user")
        .filter(pk=_as_int(participation_id), campaign=campaign)
        .first()
    )
    if participation is None:
        raise Http404
    return participation


def access_own_participation(user: User, participation_id: object) -> Participation:
    """A learner's own participation (404 for anyone else)."""
    participation = (
        Participation.objects.select_related("campaign__organisation", "attempt")
        .filter(pk=_as_int(participation_id), user=user)
        .first()
        if user.is_authenticated
        else None
    )
    if participation is None:
        raise Http404
    return participation


def access_participated_organisation(user: User, organisation_id: object) -> Organisation:
    """An organisation whose campaign the learner joined (404 otherwise): the learner's side
    of sharing."""
    organisation = (
        Organisation.objects.filter(
            pk=_as_int(organisation_id), campaigns__participations__user=user
        ).first()
        if user.is_authenticated
        else None
    )
    if organisation is None:
        raise Http404
    return organisation


def access_campaign_by_id(user: User, campaign_id: object) -> Campaign:
    """A campaign by id alone (the API's addresses), for staff of its organisation."""
    slug = (
        Campaign.objects.filter(pk=_as_int(campaign_id))
        .values_list("organisation__slug", flat=True)
        .first()
    )
    if slug is None:
        raise Http404
    campaign, _membership = access_campaign(user, slug, campaign_id)
    return campaign


def access_token_campaign(token: OrganisationToken, campaign_id: object) -> Campaign:
    """A campaign of the token's organisation (404 for any other id, existing or not)."""
    campaign = (
        Campaign.objects.select_related("organisation", "target_population", "framework")
        .filter(pk=_as_int(campaign_id), organisation=token.organisation)
        .first()
    )
    if campaign is None:
        raise Http404
    return campaign
