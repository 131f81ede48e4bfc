"""Background delivery of xAPI statements (django.tasks API, run by `palier db_worker`).

The task takes no arguments: it sends whatever is due, so a retried or duplicated task run
only finds less to do, and statement ids make a statement sent twice stored once.
"""

from __future__ import annotations

from django_tasks import task

from palier.integrations.xapi import services


@task()
def send_statements() -> int:
    """Send the due statements; queue the next run (at once while a batch is left, or at the
    retry time when the LRS could not be reached). Returns how many were sent."""
    delivery = services.deliver_due()
    if delivery.more:
        services.schedule_delivery()
    elif delivery.retry_at is not None:
        services.schedule_delivery(run_after=delivery.retry_at)
    return delivery.sent
