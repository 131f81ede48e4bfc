"""Calibrations: provisional parameters from intended levels, activation with its audit trail,
and roll-back. Estimated calibrations are made by `palier.psychometrics` from stored responses;
they are stored here like any other calibration."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.roles import Role, has_role
from palier.core.errors import ServiceError
from palier.frameworks.models import Framework
from palier.items.models import Calibration, CalibrationActivation, Item, ItemParameter

# Provisional difficulty of an item of intended level k: the middle of level k's band on the
# logit scale, the open-ended extreme levels taken one logit wide (PROVISIONAL_BAND_WIDTH).
PROVISIONAL_DISCRIMINATION = 1.0
PROVISIONAL_BAND_WIDTH = 1.0


def provisional_difficulty(level: int, cut_scores: list[float]) -> float:
    """Middle of level `level`'s band between the cut scores (1-based levels)."""
    bounds = [
        cut_scores[0] - PROVISIONAL_BAND_WIDTH,
        *cut_scores,
        cut_scores[-1] + PROVISIONAL_BAND_WIDTH,
    ]
    return (bounds[level - 1] + bounds[level]) / 2


@transaction.atomic
def create_provisional_calibration(
    framework: Framework, name: str | None = None, activate: bool = True
) -> Calibration:
    """Parameters from the intended levels (a = 1, b = middle of the level's band), for every
    deliverable item's latest version; clearly marked as provisional."""
    from palier.frameworks.models import Area
    from palier.frameworks.queries import cut_scores_by_area
    from palier.items.queries import latest_versions

    cuts = cut_scores_by_area(framework.pk)
    area_codes = dict(Area.objects.filter(framework=framework).values_list("pk", "code"))
    calibration = Calibration.objects.create(
        framework=framework,
        source=Calibration.Source.PROVISIONAL,
        name=name or f"Provisoire {timezone.localdate():%Y-%m-%d}",
        notes="Paramètres provisoires : difficulté au milieu de la bande du niveau visé, "
        "discrimination 1. À remplacer par une calibration estimée sur des réponses.",
    )
    items = Item.objects.filter(capacity__competence__area__framework=framework).exclude(
        status=Item.Status.RETIRED
    )
    ItemParameter.objects.bulk_create(
        ItemParameter(
            calibration=calibration,
            item_version=version,
            discrimination=PROVISIONAL_DISCRIMINATION,
            difficulty=provisional_difficulty(
                version.intended_level, list(cuts[area_codes[version.capacity.competence.area_id]])
            ),
        )
        for version in latest_versions(items).values()
    )
    if activate:
        activate_calibration(calibration)
    return calibration


class CalibrationError(ServiceError):
    """An activation or roll-back that cannot be done (the message says why)."""


def _can_activate(user: User | None) -> bool:
    # None is the system (seed, `make run`); people need the psychometrician role.
    return user is None or has_role(user, Role.PSYCHOMETRICIAN)


@transaction.atomic
def activate_calibration(
    calibration: Calibration,
    by: User | None = None,
    reason: str = "",
    action: str = CalibrationActivation.Action.ACTIVATE,
) -> CalibrationActivation:
    """Make `calibration` the one active calibration of its framework version, and record who
    did it, why, and which calibration it replaced (so that it can be rolled back).

    Attempts keep the calibration they started with: results already published do not change."""
    if not _can_activate(by):
        raise CalibrationError(
            403, "forbidden", _("Seul un psychométricien peut activer une calibration.")
        )
    reason = reason.strip()
    if by is not None and not reason:
        raise CalibrationError(422, "reason_required", _("Indiquez le motif de l'activation."))
    locked = list(
        Calibration.objects.select_for_update().filter(framework_id=calibration.framework_id)
    )
    previous = next((each for each in locked if each.is_active), None)
    if previous is not None and previous.pk == calibration.pk:
        raise CalibrationError(409, "already_active", _("Cette calibration est déjà active."))
    if by is not None and not calibration.parameters.exists():
        raise CalibrationError(
            409, "no_parameters", _("Cette calibration n'a aucun paramètre d'item.")
        )
    Calibration.objects.filter(framework_id=calibration.framework_id, is_active=True).update(
        is_active=False
    )
    Calibration.objects.filter(pk=calibration.pk).update(is_active=True)
    calibration.is_active = True
    return CalibrationActivation.objects.create(
        framework_id=calibration.framework_id,
        calibration=calibration,
        previous=previous,
        action=action,
        by=by,
        reason=reason or "Activation par le système (données de départ).",
    )


@transaction.atomic
def roll_back_calibration(
    framework: Framework, by: User | None, reason: str
) -> CalibrationActivation:
    """Return to the calibration that was active before the current one."""
    last = (
        CalibrationActivation.objects.filter(framework=framework, calibration__is_active=True)
        .select_related("previous")
        .first()
    )
    if last is None or last.previous is None:
        raise CalibrationError(
            409, "no_previous", _("Aucune calibration précédente vers laquelle revenir.")
        )
    return activate_calibration(
        last.previous, by=by, reason=reason, action=CalibrationActivation.Action.ROLL_BACK
    )
