"""The one gate to an award (a funded programme) and the list of awards a user may see.

- steering and platform administrators see every award and manage what is attached to it;
- funders see every award, read-only;
- the staff of the awardee organisation (admins and members) see their own award; its
  admins manage what is attached to it;
- anyone else gets 404, never 403: an award's existence is not revealed to outsiders.

Only the awardee organisation's own campaigns, modules and certification sessions may be
attached to an award (`attachable`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from palier.accounts.roles import Role, has_role
from palier.campaigns.models import Campaign
from palier.certification.models import Session
from palier.organisations.choices import MembershipRole
from palier.steering.models import Award
from palier.training.models import Module

# Roles that see every award; the first two also manage them.
MANAGING_ROLES = (Role.STEERING, Role.ADMINISTRATOR)
READING_ROLES = (*MANAGING_ROLES, Role.FUNDER)


@dataclass(frozen=True)
class AwardAccess:
    """An award as the user reaches it: `can_manage` when they may attach and detach."""

    award: Award
    can_manage: bool


def visible_awards(user: Any) -> QuerySet[Award]:
    """The awards `user` may see (every award for steering, administrators and funders;
    their organisations' awards for the awardees' staff), call and awardee loaded."""
    awards = Award.objects.select_related("call", "organisation")
    if not getattr(user, "is_authenticated", False):
        return awards.none()
    if has_role(user, *READING_ROLES):
        return awards
    return awards.filter(organisation__memberships__user=user)


def access_award(user: Any, code: str, manage: bool = False) -> AwardAccess:
    """The award `code` for `user`, who may read it; Http404 when they may not (or it does
    not exist). With `manage`, PermissionDenied (403) for a reader who may not change what
    is attached to it (a funder, a member of the awardee's staff who is not an admin)."""
    award = visible_awards(user).filter(code=code).first()
    if award is None:
        raise Http404
    can_manage = (
        has_role(user, *MANAGING_ROLES)
        or award.organisation.memberships.filter(user=user, role=MembershipRole.ADMIN).exists()
    )
    if manage and not can_manage:
        raise PermissionDenied
    return AwardAccess(award=award, can_manage=can_manage)


# Kinds of objects attached to an award, by their name in addresses.
CAMPAIGN, MODULE, SESSION = "campagne", "module", "session"
KINDS = (CAMPAIGN, MODULE, SESSION)


def attachable(award: Award, kind: str) -> QuerySet:
    """The awardee organisation's campaigns, the modules it provides or its centre's
    sessions (by `kind`) that no award has yet: the only objects that may be attached."""
    organisation = award.organisation_id
    if kind == CAMPAIGN:
        return Campaign.objects.filter(organisation=organisation, award_link__isnull=True)
    if kind == MODULE:
        return Module.objects.filter(provider=organisation, award_link__isnull=True)
    if kind == SESSION:
        return Session.objects.filter(
            centre__organisation=organisation, award_link__isnull=True
        ).order_by("-date")
    raise ValueError(kind)
