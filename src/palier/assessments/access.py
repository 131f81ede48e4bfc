"""Fetch-and-authorise: an attempt is visible to its learner only (404 for anyone else); an
item version only to a learner who was shown it in one of their attempts."""

from __future__ import annotations

import uuid

from django.db.models import Exists
from django.http import Http404

from palier.accounts.models import User
from palier.assessments.models import Attempt, Purpose, Response
from palier.items.models import ItemVersion


def access_attempt(user: User, attempt_id: uuid.UUID | str, *, for_update: bool = False) -> Attempt:
    try:
        key = uuid.UUID(str(attempt_id))
    except ValueError as error:
        raise Http404 from error
    attempts = Attempt.objects.select_related(
        "current_version__stimulus_version", "current_version__item", "engine_settings", "framework"
    )
    # A certification attempt is reached only through its session (certification.access).
    attempts = attempts.filter(purpose=Purpose.POSITIONING)
    attempt = attempts.filter(pk=key, user=user).first() if user.is_authenticated else None
    if attempt is None:
        raise Http404
    return attempt


def access_shown_version(user: User, version_id: int) -> ItemVersion:
    """The item version `version_id` if `user` was shown it: answered in one of their
    attempts, or the question in progress of one. Otherwise 404, the same answer as for a
    version that does not exist (a learner must not learn which items the bank holds)."""
    if not user.is_authenticated:
        raise Http404
    answered = Response.objects.filter(attempt__user=user, item_version_id=version_id)
    in_progress = Attempt.objects.filter(user=user, current_version_id=version_id)
    version = (
        ItemVersion.objects.filter(pk=version_id)
        .filter(Exists(answered) | Exists(in_progress))
        .first()
    )
    if version is None:
        raise Http404
    return version
