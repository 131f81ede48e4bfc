"""Fetch-and-authorise: an attempt is visible to its learner only (404 for anyone else)."""

from __future__ import annotations

import uuid

from django.http import Http404

from palier.accounts.models import User
from palier.assessments.models import Attempt


def access_attempt(user: User, attempt_id: uuid.UUID | str, *, for_update: bool = False) -> Attempt:
    try:
        key = uuid.UUID(str(attempt_id))
    except ValueError as error:
        raise Http404 from error
    attempts = Attempt.objects.select_related(
        "current_version__stimulus_version", "current_version__item", "engine_settings", "framework"
    )
    attempt = attempts.filter(pk=key, user=user).first() if user.is_authenticated else None
    if attempt is None:
        raise Http404
    return attempt
