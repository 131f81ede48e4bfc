"""Writes of the xAPI integration: record a statement in the outbox (in the learner's
transaction), deliver the due ones to the LRS (from a background task), and let an
administrator try again.

Recording never fails the learner's action: a statement that cannot be built or stored is
logged (without personal data) and dropped, and delivery happens after the commit, in a task.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from palier.accounts.models import LearnerProfile, User
from palier.integrations.xapi import client
from palier.integrations.xapi.models import LrsLink, Statement
from palier.integrations.xapi.validation import statement_errors

logger = logging.getLogger(__name__)

# Retries: 30 s after the first failure, doubling, at most one hour apart; never given up
# (an LRS that is down for a day gets everything when it comes back).
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600
# Statements sent per task run; the task enqueues itself again while some are left.
BATCH_SIZE = 200


def retry_delay(tries: int) -> timedelta:
    """The wait after the `tries`-th failed attempt (1-based): exponential, capped."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(tries - 1, 0), MAX_RETRY_SECONDS))


def records_enabled(user_id: int) -> bool:
    """An LRS is configured and the learner has not opted out (erased accounts neither)."""
    if not client.configured():
        return False
    if not User.objects.filter(pk=user_id, is_active=True, erased_at__isnull=True).exists():
        return False
    return not LearnerProfile.objects.filter(
        user_id=user_id, learning_records_opt_out=True
    ).exists()


def record_statement(user_id: int, build: Callable[[], dict[str, Any]]) -> Statement | None:
    """Store the statement `build()` makes for the learner, to be sent after the commit;
    nothing when the integration is off or the learner opted out. An invalid statement is
    kept with its errors and never sent."""
    if not records_enabled(user_id):
        return None
    try:
        # A savepoint: a failure while building or storing leaves the caller's transaction
        # intact (on PostgreSQL a failed query would otherwise abort it).
        with transaction.atomic():
            payload = build()
            errors = statement_errors(payload)
            statement = Statement.objects.create(
                id=payload["id"],
                user_id=user_id,
                verb=str(payload.get("verb", {}).get("id", ""))[:200],
                payload=payload,
                status=Statement.Status.INVALID if errors else Statement.Status.PENDING,
                error="; ".join(errors)[:500],
                next_try_at=None if errors else timezone.now(),
            )
    except (DatabaseError, KeyError, AttributeError, TypeError, ValueError):
        logger.exception("xapi: a statement could not be recorded; the action goes on")
        return None
    if errors:
        logger.warning("xapi: statement %s is invalid and kept unsent", statement.pk)
    else:
        transaction.on_commit(schedule_delivery, robust=True)
    return statement


def schedule_delivery(run_after: datetime | None = None) -> None:
    """Queue the delivery task (now, or at `run_after` where the task backend can wait)."""
    from palier.integrations.xapi.tasks import send_statements

    task = send_statements
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the next recorded statement queues a delivery again
        task = task.using(run_after=run_after)
    task.enqueue()


@dataclass
class Delivery:
    sent: int = 0
    rejected: int = 0
    withdrawn: int = 0
    # When the LRS could not take a statement: when to try again.
    retry_at: datetime | None = None
    more: bool = False


def _note_success(now: datetime) -> None:
    LrsLink.objects.update_or_create(pk=1, defaults={"last_success_at": now})


def _note_error(now: datetime, message: str) -> None:
    LrsLink.objects.update_or_create(
        pk=1, defaults={"last_error_at": now, "last_error": message[:300]}
    )


def _withdraw_opted_out() -> int:
    """Drop the unsent statements of learners who opted out (or were erased) since."""
    stale = Statement.objects.filter(status=Statement.Status.PENDING).filter(
        user__profile__learning_records_opt_out=True
    ) | Statement.objects.filter(status=Statement.Status.PENDING, user__erased_at__isnull=False)
    deleted, _by_model = Statement.objects.filter(pk__in=stale.values("pk")).delete()
    return deleted


def deliver_due(now: datetime | None = None) -> Delivery:
    """Send the statements that are due, oldest first. A statement the LRS stores (or already
    holds: same id) is sent; one it refuses for what it is is rejected and kept with the
    reason; when the LRS is unreachable or failing, the statement waits (exponential backoff)
    and the run stops there, so that nothing is lost and the order is kept."""
    now = now or timezone.now()
    delivery = Delivery()
    if not client.configured():
        return delivery
    delivery.withdrawn = _withdraw_opted_out()
    due = list(
        Statement.objects.filter(status=Statement.Status.PENDING, next_try_at__lte=now)
        .only("id", "payload", "tries")
        .order_by("created_at", "pk")[: BATCH_SIZE + 1]
    )
    delivery.more = len(due) > BATCH_SIZE
    for statement in due[:BATCH_SIZE]:
        answer = client.put_statement(statement.payload)
        tries = statement.tries + 1
        if answer.stored:
            Statement.objects.filter(pk=statement.pk).update(
                status=Statement.Status.SENT, sent_at=now, tries=tries, error=""
            )
            delivery.sent += 1
            continue
        if answer.transient:
            retry_at = now + retry_delay(tries)
            Statement.objects.filter(pk=statement.pk).update(
                tries=tries, next_try_at=retry_at, error=answer.detail[:500]
            )
            _note_error(now, answer.summary)
            logger.warning("xapi: LRS unavailable (%s); retry at %s", answer.status, retry_at)
            delivery.retry_at, delivery.more = retry_at, False
            break
        Statement.objects.filter(pk=statement.pk).update(
            status=Statement.Status.REJECTED, tries=tries, error=answer.detail[:500]
        )
        _note_error(now, answer.summary)
        logger.warning("xapi: the LRS refused statement %s (%s)", statement.pk, answer.status)
        delivery.rejected += 1
    if delivery.sent:
        _note_success(now)
    return delivery


def send_again(statements: QuerySet[Statement]) -> int:
    """An administrator's "try again now": pending and rejected statements are due at once
    (invalid ones stay as they are: resending would not make them valid)."""
    count = statements.filter(
        status__in=[Statement.Status.PENDING, Statement.Status.REJECTED]
    ).update(status=Statement.Status.PENDING, next_try_at=timezone.now())
    if count:
        transaction.on_commit(schedule_delivery, robust=True)
    return count


def erase_statements(user: User) -> None:
    """Erasure: the learner's outbox rows go (sent statements are the LRS's to erase)."""
    Statement.objects.filter(user=user).delete()
