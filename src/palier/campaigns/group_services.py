"""Writes of groups of learners (classes, promotions): create, rename, delete, and who is
in which group. Every function is one transaction; names are unique in an organisation
whatever their case. Imports add members through `add_members` (campaigns.imports)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from palier.campaigns.models import GROUP_NAME_MAX_LENGTH, LearnerGroup, LearnerGroupMember
from palier.campaigns.services import CampaignError
from palier.organisations.models import Organisation


def clean_group_name(name: str) -> str:
    """The name without surrounding or repeated spaces; refused if empty or too long."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise CampaignError(422, "invalid_group", _("Donnez un nom au groupe."))
    if len(cleaned) > GROUP_NAME_MAX_LENGTH:
        raise CampaignError(
            422,
            "invalid_group",
            _("Le nom d'un groupe a au plus %(max)d caractères.") % {"max": GROUP_NAME_MAX_LENGTH},
        )
    return cleaned


def _name_taken(name: str) -> CampaignError:
    return CampaignError(
        409, "group_exists", _("Un groupe s'appelle déjà « %(name)s ».") % {"name": name}
    )


@transaction.atomic
def create_group(organisation: Organisation, name: str) -> LearnerGroup:
    name = clean_group_name(name)
    try:
        with transaction.atomic():
            return LearnerGroup.objects.create(organisation=organisation, name=name)
    except IntegrityError as error:
        raise _name_taken(name) from error


@transaction.atomic
def rename_group(group: LearnerGroup, name: str) -> LearnerGroup:
    name = clean_group_name(name)
    group.name = name
    try:
        with transaction.atomic():
            group.save(update_fields=["name"])
    except IntegrityError as error:
        raise _name_taken(name) from error
    return group


@transaction.atomic
def delete_group(group: LearnerGroup) -> None:
    """The group and its memberships go; the learners, their participations and results
    stay."""
    group.delete()


@transaction.atomic
def set_learner_groups(
    organisation: Organisation, email: str, groups: Iterable[LearnerGroup]
) -> None:
    """Make the address a member of exactly `groups` among the organisation's groups."""
    email = email.lower()
    wanted = {group.pk for group in groups if group.organisation_id == organisation.pk}
    members = LearnerGroupMember.objects.filter(group__organisation=organisation, email=email)
    members.exclude(group_id__in=wanted).delete()
    LearnerGroupMember.objects.bulk_create(
        [LearnerGroupMember(group_id=pk, email=email) for pk in wanted], ignore_conflicts=True
    )


def add_members(organisation: Organisation, pairs: Iterable[tuple[str, str]]) -> int:
    """Put each (address, group name) pair's learner in that group, creating the groups that
    do not exist yet (names matched whatever their case). Never removes anyone. Runs inside
    the caller's transaction (the import's). Returns the number of groups created."""
    pairs = [(email.lower(), clean_group_name(name)) for email, name in pairs]
    existing = {
        group.name.lower(): group
        for group in LearnerGroup.objects.filter(organisation=organisation)
    }
    new_names: dict[str, str] = {}
    for _email, name in pairs:
        if name.lower() not in existing:
            new_names.setdefault(name.lower(), name)
    for folded, name in new_names.items():
        existing[folded] = LearnerGroup.objects.create(organisation=organisation, name=name)
    LearnerGroupMember.objects.bulk_create(
        [LearnerGroupMember(group=existing[name.lower()], email=email) for email, name in pairs],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return len(new_names)
