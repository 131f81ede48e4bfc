"""The campaigns part of a user's personal data: export and erasure, registered into
accounts' registry of personal-data providers (accounts cannot import this app)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from palier.accounts import personal_data
from palier.accounts.models import User
from palier.accounts.personal_data import isoformat
from palier.campaigns.models import Campaign, Participation, SharingStop


def export_campaign_choices(user: User) -> dict[str, Any]:
    """The organisations the user stopped sharing with, and (staff) the campaigns they
    created."""
    created = Campaign.objects.filter(created_by=user).select_related("organisation")
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
    }


def export_participations(user: User) -> list[dict[str, Any]]:
    """The user's participations, with what they shared."""
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
        models=("campaigns.Participation",),
    )
    personal_data.register(
        "campaign_choices",
        export=export_campaign_choices,
        models=("campaigns.SharingStop", "campaigns.Campaign"),
    )
