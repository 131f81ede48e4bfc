"""Calibration runs: starting one (psychometricians only) and what keeps a draft from being
activated. The run itself is `palier.psychometrics.pipeline.execute_run`, called by the
background task `run_calibration` (or directly by commands)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.roles import Role, has_role
from palier.core.errors import ServiceError
from palier.frameworks.models import Framework, Population
from palier.items.calibrations import activate_calibration
from palier.items.models import Calibration, CalibrationActivation
from palier.psychometrics.models import CalibrationRun
from palier.psychometrics.pipeline import execute_run
from palier.psychometrics.tasks import run_calibration

__all__ = [
    "CalibrationRunError",
    "activate_draft",
    "activation_blockers",
    "execute_run",
    "require_psychometrician",
    "start_calibration_run",
]


class CalibrationRunError(ServiceError):
    """A calibration run that cannot be started (the message says why)."""


def require_psychometrician(by: User | None) -> None:
    """403 unless `by` is a psychometrician (None is the system: seed, pilot command)."""
    if by is not None and not has_role(by, Role.PSYCHOMETRICIAN):
        raise CalibrationRunError(
            403, "forbidden", _("Seul un psychométricien peut lancer une calibration.")
        )


def _populations(given: Iterable[Population | int | str]) -> list[Population]:
    """Populations by instance, id or code; 422 when one does not exist."""
    wanted = list(given)
    ids = {
        each.pk if isinstance(each, Population) else each
        for each in wanted
        if not isinstance(each, str)
    }
    codes = {each for each in wanted if isinstance(each, str)}
    found = list(Population.objects.filter(pk__in=ids)) + list(
        Population.objects.filter(code__in=codes)
    )
    missing = (ids - {p.pk for p in found}) | (codes - {p.code for p in found})
    if missing:
        raise CalibrationRunError(
            422,
            "unknown_population",
            _("Public inconnu : %(names)s.") % {"names": ", ".join(sorted(map(str, missing)))},
            {"populations": [str(each) for each in sorted(map(str, missing))]},
        )
    return sorted({p.pk: p for p in found}.values(), key=lambda p: p.pk)


def start_calibration_run(
    by: User | None,
    framework: Framework,
    *,
    scope: str,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    populations: Iterable[Population | int | str] = (),
    synthetic: bool = False,
) -> CalibrationRun:
    """Queue a calibration of `framework` from stored responses and return the run.

    Psychometricians only (`by=None` is the system: seed, pilot command). The reference scale
    is the calibration active now; the run is computed by the background task once this
    transaction commits, and produces a draft that is never active by itself."""
    require_psychometrician(by)
    if scope not in CalibrationRun.Scope.values:
        raise CalibrationRunError(
            422, "invalid_scope", _("Périmètre de calibration inconnu."), {"scope": [scope]}
        )
    if period_start and period_end and period_start > period_end:
        raise CalibrationRunError(
            422,
            "invalid_period",
            _("La date de début doit précéder la date de fin."),
            {"period_end": [str(period_end)]},
        )
    chosen = _populations(populations)
    reference = Calibration.objects.filter(framework=framework, is_active=True).first()
    if reference is None:
        raise CalibrationRunError(
            409,
            "no_active_calibration",
            _(
                "Ce référentiel n'a pas de calibration active : il faut une échelle de "
                "référence pour la mise à l'échelle ou les paramètres fixés."
            ),
        )
    with transaction.atomic():
        run = CalibrationRun.objects.create(
            framework=framework,
            requested_by=by,
            scope=scope,
            period_start=period_start,
            period_end=period_end,
            synthetic=synthetic,
            reference=reference,
        )
        run.populations.set(chosen)
        run_id = run.pk

        def enqueue() -> None:
            result = run_calibration.enqueue(run_id)
            CalibrationRun.objects.filter(pk=run_id).update(task_id=str(result.id)[:64])

        transaction.on_commit(enqueue)
    return run


def activation_blockers(calibration: Calibration) -> list[dict]:
    """Why a draft made by a run must not be activated (areas not linked, no convergence):
    `{"code", "message", ...}` entries from the run's summary; empty for other calibrations."""
    run = CalibrationRun.objects.filter(draft=calibration).only("summary").first()
    if run is None or not run.summary:
        return []
    return list(run.summary.get("blocking", []))


@transaction.atomic
def activate_draft(run: CalibrationRun, by: User | None, reason: str) -> CalibrationActivation:
    """Activate the draft `run` made, unless the run reports a reason not to (an area left
    unlinked, a calibration that did not converge...): the check and the activation happen in
    one transaction, with the run row locked."""
    locked = CalibrationRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != CalibrationRun.Status.READY or locked.draft is None:
        raise CalibrationRunError(409, "not_ready", _("Ce calcul n'a pas produit de brouillon."))
    blockers = activation_blockers(locked.draft)
    if blockers:
        raise CalibrationRunError(
            409,
            "blocked",
            _("Ce brouillon ne peut pas être activé : %(reasons)s")
            % {
                "reasons": " ; ".join(
                    str(entry.get("message", entry.get("code"))) for entry in blockers
                )
            },
        )
    return activate_calibration(locked.draft, by=by, reason=reason)
