"""Fetch-and-authorise gates of the item bank: one call finds an object and checks that the
user may see (or change) it; a missing object and a forbidden one both give the same answer
to people outside the authoring roles (404), authors without the role to change get 403."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from palier.accounts.roles import has_role
from palier.items.models import Item, ItemVersion, Media, ProblemReport, Stimulus
from palier.items.workflow import AUTHORING_ROLES, DELIVERABLE


def _authoring(user: Any) -> None:
    if not has_role(user, *AUTHORING_ROLES):
        raise PermissionDenied


def access_item(user: Any, code: str | None = None, *, pk: int | None = None) -> Item:
    """An item of the bank by code (API) or id (authoring pages), for authoring roles."""
    _authoring(user)
    lookup = {"code": code} if code is not None else {"pk": pk}
    item = Item.objects.select_related("capacity").filter(**lookup).first()
    if item is None:
        raise Http404
    return item


def access_stimulus(user: Any, code: str | None = None, *, pk: int | None = None) -> Stimulus:
    """A stimulus by code or id, for authoring roles."""
    _authoring(user)
    lookup = {"code": code} if code is not None else {"pk": pk}
    stimulus = Stimulus.objects.filter(**lookup).first()
    if stimulus is None:
        raise Http404
    return stimulus


def access_media(user: Any, pk: int) -> Media:
    _authoring(user)
    media = Media.objects.filter(pk=pk).first()
    if media is None:
        raise Http404
    return media


def access_problem_reports(user: Any, ids: list[int]) -> list[int]:
    """The ids among `ids` of reports the user may handle (authoring roles)."""
    _authoring(user)
    return list(ProblemReport.objects.filter(pk__in=ids).values_list("pk", flat=True))


def access_deliverable_version(user: Any, version_id: int) -> ItemVersion:
    """An item version a learner can meet (to report a problem on it); 404 otherwise."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    version = (
        ItemVersion.objects.select_related("item")
        .filter(pk=version_id, item__status__in=DELIVERABLE)
        .first()
    )
    if version is None:
        raise Http404
    return version
