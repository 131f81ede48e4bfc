"""Reminders by e-mail to a campaign's learners who have not joined or not finished.

Staff choose who, read the exact message, then send: `send_reminders` records the batch
and its recipients (by id) and queues the e-mails (tasks.send_reminder_batch). Two limits
keep reminders from becoming spam: one batch per campaign per REMINDER_INTERVAL, and never
more than one reminder per learner (by address, across campaigns) per REMINDER_INTERVAL.
Logs name the batch, the campaign, the sender and the recipients by id, never an address.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.campaigns.models import (
    Campaign,
    ExpectedLearner,
    Participation,
    ReminderBatch,
    ReminderRecipient,
)
from palier.campaigns.services import CampaignError
from palier.core.http import absolute_url

logger = logging.getLogger(__name__)

# One batch per campaign, and one reminder per learner, within this time.
REMINDER_INTERVAL = timedelta(hours=24)
NOT_FINISHED_STATUSES = (Participation.Status.JOINED, Participation.Status.STARTED)


@dataclass(frozen=True)
class Recipients:
    """Who a reminder would reach now: expected learners or participations, by id, and how
    many were left out because they were reminded less than REMINDER_INTERVAL ago."""

    expected_ids: list[int]
    participation_ids: list[int]
    recently_reminded: int

    @property
    def count(self) -> int:
        return len(self.expected_ids) + len(self.participation_ids)


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def _audience(value: str) -> str:
    if value not in ReminderBatch.Audience.values:
        raise CampaignError(
            400,
            "invalid_audience",
            _("Choisissez à qui envoyer la relance."),
            {"audience": [_("Choisissez à qui envoyer la relance.")]},
        )
    return value


def _recently_reminded_addresses(now: datetime) -> set[str]:
    """Addresses (lower case) reminded, by any campaign, within REMINDER_INTERVAL."""
    recent = ReminderRecipient.objects.filter(batch__created_at__gt=now - REMINDER_INTERVAL)
    expected = recent.filter(expected__isnull=False).values_list(
        Lower("expected__email"), flat=True
    )
    joined = recent.filter(participation__isnull=False).values_list(
        Lower("participation__user__email"), flat=True
    )
    return set(expected) | set(joined)


def reminder_recipients(
    campaign: Campaign, audience: str, now: datetime | None = None
) -> Recipients:
    """The learners a reminder to `audience` would reach now (three queries).

    Not joined: expected learners whose address has no participation in the campaign.
    Not finished: participants who joined or started, whether expected or not."""
    audience = _audience(audience)
    now = now or timezone.now()
    recent = _recently_reminded_addresses(now)
    if audience == ReminderBatch.Audience.NOT_JOINED:
        joined = Participation.objects.filter(campaign=campaign).values(
            address=Lower("user__email")
        )
        rows = (
            ExpectedLearner.objects.filter(campaign=campaign)
            .annotate(address=Lower("email"))
            .exclude(address__in=joined)
            .order_by("pk")
            .values_list("pk", "address")
        )
        kept = [pk for pk, address in rows if address not in recent]
        return Recipients(kept, [], len(rows) - len(kept))
    rows = (
        Participation.objects.filter(
            campaign=campaign,
            status__in=NOT_FINISHED_STATUSES,
            user__is_active=True,
            user__erased_at__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", Lower("user__email"))
    )
    kept = [pk for pk, address in rows if address not in recent]
    return Recipients([], kept, len(rows) - len(kept))


def next_reminder_at(campaign: Campaign, now: datetime | None = None) -> datetime | None:
    """When the campaign may send its next batch, or None if it may now."""
    now = now or timezone.now()
    last = campaign.reminder_batches.order_by("-created_at").values_list("created_at", flat=True)
    latest = last.first()
    if latest is None or latest + REMINDER_INTERVAL <= now:
        return None
    return latest + REMINDER_INTERVAL


def reminder_message(campaign: Campaign, audience: str) -> Message:
    """The exact e-mail sent to every recipient of `audience` (French, then English): the
    same text for all, with no name, so the preview shows what each learner gets."""
    audience = _audience(audience)
    closes = {}
    for language in ("fr", "en"):
        with translation.override(language):
            closes[language] = date_format(campaign.closes_on, "DATE_FORMAT")
    context = {
        "campaign": campaign,
        "organisation": campaign.organisation,
        "audience": audience,
        "link": absolute_url("campaigns:join", campaign.code),
        "code": campaign.display_code,
        "closes_fr": closes["fr"],
        "closes_en": closes["en"],
    }
    subject = render_to_string("campaigns/email/reminder_subject.txt", context).strip()
    body = render_to_string("campaigns/email/reminder.txt", context).strip() + "\n"
    return Message(subject=subject, body=body)


@transaction.atomic
def send_reminders(campaign: Campaign, audience: str, sender: User) -> ReminderBatch:
    """Record a reminder batch to `audience` and queue its e-mails.

    Refused (CampaignError, nothing written) when the campaign is not open, when a batch
    was sent less than REMINDER_INTERVAL ago (429), or when nobody is left to remind."""
    from palier.campaigns.tasks import send_reminder_batch

    audience = _audience(audience)
    # Lock the campaign row: two clicks on "send" make one batch, the second is refused.
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    now = timezone.now()
    if not campaign.is_open():
        raise CampaignError(
            409, "campaign_not_open", _("La campagne n'est pas ouverte : pas de relance.")
        )
    allowed_at = next_reminder_at(campaign, now)
    if allowed_at is not None:
        raise CampaignError(
            429,
            "reminder_too_soon",
            _(
                "Une relance a déjà été envoyée pour cette campagne. Prochaine relance "
                "possible le %(date)s."
            )
            % {"date": date_format(timezone.localtime(allowed_at), "DATETIME_FORMAT")},
        )
    recipients = reminder_recipients(campaign, audience, now)
    if recipients.count == 0:
        raise CampaignError(409, "nobody_to_remind", _("Personne à relancer pour l'instant."))
    batch = ReminderBatch.objects.create(
        campaign=campaign,
        audience=audience,
        sent_by=sender,
        created_at=now,
        recipient_count=recipients.count,
    )
    ReminderRecipient.objects.bulk_create(
        [ReminderRecipient(batch=batch, expected_id=pk) for pk in recipients.expected_ids]
        + [
            ReminderRecipient(batch=batch, participation_id=pk)
            for pk in recipients.participation_ids
        ]
    )
    logger.info(
        "reminder batch %s: campaign %s, sent by user %s, %s recipients "
        "(expected learners %s; participations %s)",
        batch.pk,
        campaign.pk,
        sender.pk,
        recipients.count,
        recipients.expected_ids,
        recipients.participation_ids,
    )
    batch_id = batch.pk
    transaction.on_commit(lambda: send_reminder_batch.enqueue(batch_id))
    return batch


def reminder_history(campaign: Campaign) -> list[ReminderBatch]:
    """The campaign's batches, newest first, with who sent them (one query)."""
    return list(campaign.reminder_batches.select_related("sent_by").order_by("-created_at"))


def recipient_address(recipient: ReminderRecipient) -> str | None:
    """The address to write to, or None when the learner is gone (erased, deleted) or has
    joined, or finished, since the batch was recorded."""
    if recipient.expected is not None:
        joined = Participation.objects.filter(
            campaign_id=recipient.expected.campaign_id, user__email__iexact=recipient.expected.email
        ).exists()
        return None if joined else recipient.expected.email
    participation = recipient.participation
    if participation is None or participation.status not in NOT_FINISHED_STATUSES:
        return None
    user = participation.user
    if not user.is_active or user.erased_at is not None:
        return None
    return user.email
