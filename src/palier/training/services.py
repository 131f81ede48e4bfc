"""Writes of the training app: providers' modules and sessions, learners' plans, and the
confirmation of a completion (asked by the learner, given by the provider)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.core.errors import ServiceError
from palier.organisations.models import Organisation
from palier.training.forms import BaseSessionFormSet, ModuleForm
from palier.training.models import Module, PlanEntry, Resource
from palier.training.signals import plan_entry_added, plan_entry_completed


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
            entry = PlanEntry.objects.create(user=user, module=module, resource=resource)
    except IntegrityError:  # added by a concurrent request
        return PlanEntry.objects.get(user=user, module=module, resource=resource)
    plan_entry_added.send(sender=PlanEntry, entry=entry)
    return entry


@transaction.atomic
def set_progress(entry: PlanEntry, progress: str) -> PlanEntry:
    """Record the learner's progress. Leaving "completed" withdraws the learner's request for
    confirmation (the provider no longer sees the entry) and clears any confirmation; staying
    "completed" keeps the completion date, the request and the confirmation."""
    if progress not in PlanEntry.Progress.values:
        raise ServiceError(
            422,
            "invalid_input",
            _("État inconnu."),
            {"progress": [_("Prévu, commencé ou terminé.")]},
        )
    if progress == entry.progress:
        return entry
    entry.progress = progress
    entry.completed_at = timezone.now() if progress == PlanEntry.Progress.COMPLETED else None
    # Any change either leaves "completed" or reaches it from a state without a request.
    entry.confirmation_requested_at = None
    entry.confirmed_by_provider = False
    entry.save(
        update_fields=[
            "progress",
            "completed_at",
            "confirmation_requested_at",
            "confirmed_by_provider",
        ]
    )
    if progress == PlanEntry.Progress.COMPLETED:
        plan_entry_completed.send(sender=PlanEntry, entry=entry)
    return entry


@transaction.atomic
def request_confirmation(entry: PlanEntry) -> PlanEntry:
    """The learner asks the module's provider to confirm a completed entry: from now on the
    provider's admins see the learner's name and e-mail, the module and the completion date.

    Only a module entry (a resource has no provider) that is completed qualifies; anything
    else is a 409 and stores nothing. Asking again keeps the first request's date. The update
    is conditional, so an entry un-completed at the same moment is never left requested."""
    PlanEntry.objects.filter(
        pk=entry.pk,
        module__isnull=False,
        progress=PlanEntry.Progress.COMPLETED,
        confirmation_requested_at__isnull=True,
    ).update(confirmation_requested_at=timezone.now())
    try:
        entry.refresh_from_db()
    except PlanEntry.DoesNotExist:  # removed from the plan at the same moment
        raise ServiceError(404, "not_found", _("Ressource introuvable.")) from None
    if entry.module_id is None:
        raise ServiceError(
            409,
            "not_a_module",
            _("Seul un module proposé par un organisme peut être confirmé, pas une ressource."),
        )
    if entry.progress != PlanEntry.Progress.COMPLETED:
        raise ServiceError(
            409,
            "not_completed",
            _("Déclarez d'abord le module terminé : seul un module terminé peut être confirmé."),
        )
    return entry


@transaction.atomic
def withdraw_confirmation_request(entry: PlanEntry) -> PlanEntry:
    """The learner withdraws a request for confirmation (idempotent): the provider no longer
    sees the entry, and a confirmation already given is cleared with it. The entry stays
    completed."""
    PlanEntry.objects.filter(pk=entry.pk).update(
        confirmation_requested_at=None, confirmed_by_provider=False
    )
    entry.confirmation_requested_at = None
    entry.confirmed_by_provider = False
    return entry


@transaction.atomic
def remove_from_plan(entry: PlanEntry) -> None:
    entry.delete()


@transaction.atomic
def save_module(
    organisation: Organisation, form: ModuleForm, sessions: BaseSessionFormSet
) -> Module:
    """Save a provider's module and its sessions together, and send it to moderation.

    Both forms must be valid: either everything is stored or nothing is."""
    if not (form.is_valid() and sessions.is_valid()):
        raise ServiceError(422, "invalid_input", _("Le formulaire contient des erreurs."))
    module = form.save(commit=False)
    module.provider = organisation
    module.status = Module.Status.SUBMITTED
    if not module.code:
        module.code = _new_code(organisation.slug)
    module.save()
    form.save_m2m()
    sessions.instance = module
    sessions.save()
    return module


# Moderation decisions of platform administrators on submitted modules.
MODERATION_STATUSES = (Module.Status.PUBLISHED, Module.Status.REJECTED)


@transaction.atomic
def moderate_modules(modules: QuerySet[Module], status: str) -> int:
    """Publish or reject modules (platform administrators' moderation); returns how many
    changed."""
    if status not in MODERATION_STATUSES:  # a programming error: the admin passes these only
        raise ValueError(f"moderation publishes or rejects a module, not {status!r}")
    return modules.exclude(status=status).update(status=status)


def _new_code(slug: str) -> str:
    number = Module.objects.filter(code__startswith=f"{slug}-").count() + 1
    while Module.objects.filter(code=f"{slug}-{number}").exists():
        number += 1
    return f"{slug}-{number}"[:40]


@transaction.atomic
def confirm_completion(
    entry: PlanEntry, organisation: Organisation, *, confirmed: bool = True
) -> PlanEntry:
    """The provider confirms (or withdraws its confirmation of) a learner's declared
    completion of one of its modules, at the learner's request.

    Only a completed entry of one of the organisation's own modules whose learner asked for
    confirmation qualifies; anything else is "not found", so another organisation learns
    nothing. The update is conditional, so a learner who un-completes the entry or withdraws
    the request at the same moment is never left confirmed."""
    updated = PlanEntry.objects.filter(
        pk=entry.pk,
        module__provider=organisation,
        progress=PlanEntry.Progress.COMPLETED,
        confirmation_requested_at__isnull=False,
    ).update(confirmed_by_provider=confirmed)
    if not updated:
        raise ServiceError(404, "not_found", _("Ressource introuvable."))
    entry.confirmed_by_provider = confirmed
    return entry
