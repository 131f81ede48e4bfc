"""Reads about groups of learners (classes, promotions): the organisation's groups, a
learner's groups, and the filter that restricts any participation or expected-learner query
to a group's members. Writes are in campaigns.group_services and campaigns.imports."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import Lower
from django.http import Http404

from palier.accounts.models import User
from palier.campaigns.models import LearnerGroup, LearnerGroupMember
from palier.organisations.access import access_organisation
from palier.organisations.models import Membership, Organisation


def in_group(group: LearnerGroup, email_path: str = "user__email") -> Exists:
    """A filter: the row's learner (the address at `email_path`, case ignored) is a member
    of `group`. One subquery, whatever the number of members."""
    return Exists(LearnerGroupMember.objects.filter(group=group, email=Lower(OuterRef(email_path))))


def scoped(queryset: QuerySet, group: LearnerGroup | None, email_path: str = "user__email"):
    """`queryset` restricted to the members of `group` (unchanged without a group)."""
    return queryset if group is None else queryset.filter(in_group(group, email_path))


def organisation_groups(organisation: Organisation) -> list[LearnerGroup]:
    """The organisation's groups by name, each with `member_count` (one query)."""
    return list(
        LearnerGroup.objects.filter(organisation=organisation)
        .annotate(member_count=Count("members"))
        .order_by(Lower("name"), "pk")
    )


def access_group(
    user: User, slug: str, group_id: object, *, admin: bool = False
) -> tuple[LearnerGroup, Membership]:
    """A group of the organisation `slug`, for its staff: 404 for anyone else and for
    another organisation's group (the organisation gate answers first), 403 for a member
    when `admin`."""
    organisation, membership = access_organisation(user, slug)
    try:
        pk = int(str(group_id))
    except ValueError as error:
        raise Http404 from error
    group = LearnerGroup.objects.filter(pk=pk, organisation=organisation).first()
    if group is None:
        raise Http404
    if admin and not membership.is_admin:
        raise PermissionDenied
    return group, membership


def learner_groups(organisation: Organisation, email: str) -> list[LearnerGroup]:
    """The organisation's groups that the address belongs to."""
    return list(
        LearnerGroup.objects.filter(organisation=organisation, members__email=email.lower())
        .order_by(Lower("name"))
        .distinct()
    )


def group_choices(organisation: Organisation) -> list[tuple[str, str]]:
    """(id as text, name) of the organisation's groups, for a filter's options."""
    return [(str(group.pk), group.name) for group in organisation_groups(organisation)]
