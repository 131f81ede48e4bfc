"""Background sending of scores to platforms (django.tasks API, run by `palier db_worker`).

A failed send is retried with growing delays (BACKOFF_MINUTES); after the last try the grade
is marked failed and shows on the campaign's LTI page and in the management site. Tasks take
ids, never personal data.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import default_task_backend, task

from palier.integrations.lti import advantage, services
from palier.integrations.lti.models import GradePassback

logger = logging.getLogger(__name__)

# Delay before each retry; the number of entries is the number of retries.
BACKOFF_MINUTES = (1, 5, 30, 120, 720)


@task()
def send_grade(grade_id: int) -> str:
    grade = (
        GradePassback.objects.select_related("participation__attempt", "account__platform")
        .filter(pk=grade_id, status=GradePassback.Status.PENDING)
        .first()
    )
    if grade is None:
        return "nothing to send"
    try:
        score, maximum = advantage.post_score(grade)
    except Exception as error:  # any network, protocol or data failure: retry later
        reason = f"{type(error).__name__}: {str(error)[:150]}"
        final = grade.tries + 1 > len(BACKOFF_MINUTES)
        services.grade_failed(grade, reason, final=final)
        services.record_error(grade.account.platform, f"score not sent: {reason}")
        logger.warning("LTI score %s not sent (try %s): %s", grade.pk, grade.tries + 1, reason)
        if not final:
            queue_grade(grade.pk, delay=timedelta(minutes=BACKOFF_MINUTES[grade.tries]))
        return "failed"
    services.grade_sent(grade, score, maximum)
    services.record_success(grade.account.platform)
    return "sent"


def queue_grade(grade_id: int, delay: timedelta | None = None) -> None:
    """Queue a send, later by `delay` where the task backend can defer (the database one)."""
    if delay and default_task_backend.supports_defer:
        send_grade.using(run_after=timezone.now() + delay).enqueue(grade_id)
    elif not delay:
        send_grade.enqueue(grade_id)
