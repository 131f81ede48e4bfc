"""The training part of a user's personal data: the training plan (modules and resources,
progress, completion, confirmation requests), registered into accounts' registry of
personal-data providers. Plans are kept on erasure with the pseudonymous account."""

from __future__ import annotations

from typing import Any

from palier.accounts import personal_data
from palier.accounts.models import User
from palier.accounts.personal_data import isoformat
from palier.training.models import PlanEntry


def export_plan(user: User) -> list[dict[str, Any]]:
    """Each entry of the user's plan, in the order it was added."""
    entries = (
        PlanEntry.objects.filter(user=user)
        .select_related("module__provider", "resource")
        .order_by("added_at", "pk")
    )
    return [
        {
            "module": entry.module.code if entry.module else None,
            "module_title": entry.module.title if entry.module else None,
            "provider": entry.module.provider.name if entry.module else None,
            "resource": entry.resource.code if entry.resource else None,
            "resource_title": entry.resource.title if entry.resource else None,
            "progress": entry.progress,
            "added_at": isoformat(entry.added_at),
            "completed_at": isoformat(entry.completed_at),
            "confirmation_requested_at": isoformat(entry.confirmation_requested_at),
            "confirmed_by_provider": entry.confirmed_by_provider,
        }
        for entry in entries
    ]


def register() -> None:
    """Called once by the app's ready()."""
    personal_data.register("training_plan", export=export_plan, models=("training.PlanEntry",))
