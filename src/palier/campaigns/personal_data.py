"""The campaigns part of a user's personal data: export and erasure, registered into
accounts' registry of personal-data providers (accounts cannot import this app)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from palier.accounts import personal_data
from palier.accounts.models import User
from palier.accounts.personal_data import isoformat
from palier.campaigns.models import (
    Campaign,
    Participation,
    ReminderBatch,
    ReminderRecipient,
    SharingStop,
)


def export_campaign_choices(user: User) -> dict[str, Any]:
    """The organisations the user stopped sharing with, and (staff) the campaigns they
    created and the reminders they sent (counts only: the learners reminded are not theirs)."""
    created = Campaign.objects.filter(created_by=user).select_related("organisation")
    reminders = ReminderBatch.objects.filter(sent_by=user).select_related("campaign")
    stops = SharingStop.objects.filter(user=user).select_related("organisation")
    return {
        "sharing_stopped": [
            {"organisation": stop.organisation.name, "since": isoformat(stop.created_at)}
            for stop in stops
        ],
        "campaigns_created": [
            {
                "campaign": campaign.name,
                "organisation": campaign.organisation.name,
                "created_at": isoformat(campaign.created_at),
            }
            for campaign in created
        ],
        "reminders_sent": [
            {
                "campaign": batch.campaign.name,
                "audience": batch.audience,
                "requested_at": isoformat(batch.created_at),
                "learners": batch.recipient_count,
            }
            for batch in reminders
        ],
    }


def export_participations(user: User) -> list[dict[str, Any]]:
    """The user's participations, with what they shared and when they were reminded."""
    reminded: dict[int, list[str]] = {}
    received = ReminderRecipient.objects.filter(
        participation__user=user, sent_at__isnull=False
    ).order_by("sent_at")
    for reminder in received:
        reminded.setdefault(reminder.participation_id, []).append(isoformat(reminder.sent_at))
    return [
        {
            "campaign": p.campaign.name,
            "organisation": p.campaign.organisation.name,
            "status": p.status,
            "external_id": p.external_id,
            "joined_at": p.joined_at.isoformat(),
            "shared_at": p.shared_at.isoformat() if p.shared_at else None,
            "plan_shared": p.plan_shared,
            "shared_result": p.snapshot,
            "reminders_received": reminded.get(p.pk, []),
        }
        for p in Participation.objects.filter(user=user).select_related("campaign__organisation")
    ]


@transaction.atomic
def erase_external_ids(user: User) -> None:
    """Participations keep their shared levels, pseudonymous; the external id (student
    number) that could name the person goes."""
    for participation in Participation.objects.filter(user=user):
        participation.external_id = ""
        if participation.snapshot:
            participation.snapshot = {**participation.snapshot, "external_id": ""}
        participation.save(update_fields=["external_id", "snapshot"])


def register() -> None:
    """Called once by the app's ready()."""
    personal_data.register(
        "campaigns",
        export=export_participations,
        erase=erase_external_ids,
        models=("campaigns.Participation", "campaigns.ReminderRecipient"),
    )
    personal_data.register(
        "campaign_choices",
        export=export_campaign_choices,
        models=("campaigns.SharingStop", "campaigns.Campaign", "campaigns.ReminderBatch"),
    )
