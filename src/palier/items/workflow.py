"""Who may move an item from one status to another. The one table of the review workflow.

draft -> review -> pretest -> operational -> retired, with "changes requested" sending a
reviewed item back to draft. Authors write and submit; a reviewer (another author or a
psychometrician, never the author of the version) approves into pretest; only a
psychometrician makes an item operational, retires it, or changes statuses in bulk.
"""

from __future__ import annotations

from typing import Any

from palier.accounts.roles import Role, has_role
from palier.items.models import Item, ItemVersion

S = Item.Status
AUTHORING_ROLES = (Role.AUTHOR, Role.PSYCHOMETRICIAN, Role.ADMINISTRATOR)
REVIEW_ROLES = (Role.AUTHOR, Role.PSYCHOMETRICIAN)

TRANSITIONS: dict[tuple[str, str], tuple[str, ...]] = {
    (S.DRAFT, S.REVIEW): AUTHORING_ROLES,
    (S.REVIEW, S.DRAFT): REVIEW_ROLES,
    (S.REVIEW, S.PRETEST): REVIEW_ROLES,
    (S.PRETEST, S.OPERATIONAL): (Role.PSYCHOMETRICIAN,),
    (S.PRETEST, S.DRAFT): (Role.PSYCHOMETRICIAN,),
    (S.OPERATIONAL, S.RETIRED): (Role.PSYCHOMETRICIAN,),
    (S.PRETEST, S.RETIRED): (Role.PSYCHOMETRICIAN,),
    (S.DRAFT, S.RETIRED): (Role.PSYCHOMETRICIAN,),
    (S.RETIRED, S.DRAFT): (Role.PSYCHOMETRICIAN,),
}
# Statuses whose items learners can meet (pretest items are administered unscored).
DELIVERABLE = (S.PRETEST, S.OPERATIONAL)
# Statuses in which the latest version may be edited in place (when not yet frozen).
EDITABLE = (S.DRAFT, S.REVIEW)


def roles_for(current: str, target: str) -> tuple[str, ...]:
    return TRANSITIONS.get((current, target), ())


# Moves out of review that judge the version: never made by the person who wrote it.
REVIEW_DECISIONS = {(S.REVIEW, S.PRETEST), (S.REVIEW, S.DRAFT)}


def is_self_review(user: Any, current: str, target: str, version: ItemVersion | None) -> bool:
    """True when `user` would approve (or send back) a version they wrote themselves."""
    return (
        (current, target) in REVIEW_DECISIONS
        and version is not None
        and version.created_by_id is not None
        and version.created_by_id == getattr(user, "pk", None)
    )


def available_targets(user: Any, item: Item, version: ItemVersion | None) -> list[str]:
    """The statuses `user` may move `item` to now: the buttons the item page offers."""
    return [
        target
        for (current, target), roles in TRANSITIONS.items()
        if current == item.status
        and has_role(user, *roles)
        and not is_self_review(user, current, target, version)
    ]
