"""Writes of professionals' feedback: one opinion per person and subject (a result, a
certification, a completed module), a second answer replacing the first.

The subject is checked by the views' gate (`feedback_queries.access_subject`) before any
write; the population and status are copied from the profile at answer time, so the
breakdowns do not move when a profile changes later.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import LearnerProfile, User
from palier.accounts.throttle import allow, throttle_key
from palier.steering.models import COMMENT_MAX_LENGTH, Feedback

# Opinions one person may send in an hour: far above a real use (three forms after a
# result, a certification and a module), low enough to stop a script filling the table.
FEEDBACK_PER_HOUR = 20
RATING_RANGE = range(1, 6)


class FeedbackError(Exception):
    """A refused write, with a stable code, an HTTP status and a message for the person."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def throttled(kind: str, user: User, per_hour: int) -> None:
    """Count one write of `kind` by `user`; refuse it (429) past `per_hour` in an hour."""
    if not allow([(throttle_key(kind, str(user.pk)), per_hour)]):
        raise FeedbackError(
            "too_many",
            _("Vous avez envoyé beaucoup de réponses en peu de temps : réessayez dans une heure."),
            status=429,
        )


@transaction.atomic
def give_feedback(
    user: User,
    subject: str,
    subject_ref: str,
    *,
    usefulness: int,
    difficulty: int,
    clarity: int,
    comment: str = "",
) -> Feedback:
    """Record (or replace) the user's opinion on one subject they own."""
    if any(rating not in RATING_RANGE for rating in (usefulness, difficulty, clarity)):
        raise FeedbackError("bad_rating", _("Chaque note va de 1 à 5."))
    comment = comment.strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise FeedbackError(
            "comment_too_long",
            _("Le commentaire dépasse %(limit)s caractères.") % {"limit": COMMENT_MAX_LENGTH},
        )
    throttled("steering-feedback", user, FEEDBACK_PER_HOUR)
    profile = LearnerProfile.objects.filter(user=user).first()
    feedback, _created = Feedback.objects.update_or_create(
        user=user,
        subject=subject,
        subject_ref=subject_ref,
        defaults={
            "usefulness": usefulness,
            "difficulty": difficulty,
            "clarity": clarity,
            "comment": comment,
            "population_id": profile.population_id if profile else None,
            "status": profile.status if profile else "",
            # A replaced opinion counts in the month it was last given.
            "created_at": timezone.now(),
        },
    )
    return feedback
