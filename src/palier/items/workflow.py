"""Who may move an item from one status to another. The one table of the review workflow.

draft -> review -> pretest -> operational -> retired, with "changes requested" sending a
reviewed item back to draft. Authors write and submit; a reviewer (another author or a
psychometrician, never the author of the version) approves into pretest; only a
psychometrician makes an item operational, retires it, or changes statuses in bulk.
"""

from __future__ import annotations

from palier.accounts.roles import Role
from palier.items.models import Item

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
