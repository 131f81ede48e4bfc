"""Background tasks of campaigns (django.tasks API, run by `palier db_worker`).

Tasks take ids, not addresses: task rows hold no personal data.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from palier.campaigns.models import ReminderBatch, ReminderRecipient
from palier.campaigns.reminders import recipient_address, reminder_message

logger = logging.getLogger(__name__)


@task()
def send_reminder_batch(batch_id: int) -> int:
    """Send a reminder batch's e-mails, one per learner (no one sees another's address);
    returns how many were sent. Recipients already sent are skipped, so a retried task
    never writes twice to the same learner; learners who joined or finished in the meantime,
    or whose account was erased, get nothing."""
    batch = ReminderBatch.objects.select_related("campaign__organisation").filter(pk=batch_id)
    batch = batch.first()
    if batch is None:
        return 0
    message = reminder_message(batch.campaign, batch.audience)
    recipients = (
        ReminderRecipient.objects.filter(batch=batch, sent_at__isnull=True)
        .select_related("expected", "participation__user")
        .order_by("pk")
    )
    sent = 0
    with get_connection() as connection:
        for recipient in recipients:
            address = recipient_address(recipient)
            if address is not None:
                EmailMessage(
                    message.subject,
                    message.body,
                    settings.DEFAULT_FROM_EMAIL,
                    [address],
                    connection=connection,
                ).send()
                sent += 1
            ReminderRecipient.objects.filter(pk=recipient.pk).update(sent_at=timezone.now())
    ReminderBatch.objects.filter(pk=batch.pk).update(
        sent_count=F("sent_count") + sent, sent_at=timezone.now()
    )
    logger.info("reminder batch %s: %s e-mails sent", batch.pk, sent)
    return sent
