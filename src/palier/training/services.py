"""Writes on learning plans: add a module or resource, record progress."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.core.errors import ServiceError
from palier.training.models import Module, PlanEntry, Resource


@transaction.atomic
def add_to_plan(
    user: User, *, module: Module | None = None, resource: Resource | None = None
) -> PlanEntry:
    """Add a published module or a resource to the plan (idempotent)."""
    if (module is None) == (resource is None):
        raise ServiceError(422, "invalid_input", _("Choisissez un module ou une ressource."))
    if module is not None and module.status != Module.Status.PUBLISHED:
        raise ServiceError(404, "not_found", _("Ressource introuvable."))
    existing = PlanEntry.objects.filter(user=user, module=module, resource=resource).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return PlanEntry.objects.create(user=user, module=module, resource=resource)
    except IntegrityError:  # added by a concurrent request
        return PlanEntry.objects.get(user=user, module=module, resource=resource)


@transaction.atomic
def set_progress(entry: PlanEntry, progress: str) -> PlanEntry:
    if progress not in PlanEntry.Progress.values:
        raise ServiceError(
            422,
            "invalid_input",
            _("État inconnu."),
            {"progress": [_("Prévu, commencé ou terminé.")]},
        )
    entry.progress = progress
    entry.completed_at = timezone.now() if progress == PlanEntry.Progress.COMPLETED else None
    entry.save(update_fields=["progress", "completed_at"])
    return entry


@transaction.atomic
def remove_from_plan(entry: PlanEntry) -> None:
    entry.delete()
