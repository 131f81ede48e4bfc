"""Storing a run's draft: one transaction for the calibration, its parameters, the item
statistics and the run's final state, so that a failure leaves nothing half made."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from palier.items.models import Calibration, ItemParameter
from palier.psychometrics.models import CalibrationRun, ItemStatistic

#: (a, b, c, se_a, se_b, se_c); c and the SEs may be None.
Parameters = tuple[float, float, float | None, float | None, float | None, float | None]


@dataclass
class DraftResult:
    """What a run stores: parameters and statistics by item version, linking, summary."""

    parameters: dict[int, Parameters]
    statistics: dict[int, dict]
    linking: dict
    summary: dict


def describe(run: CalibrationRun, summary: dict) -> tuple[str, str]:
    period = (
        f"du {run.period_start or '…'} au {run.period_end or '…'}"
        if run.period_start or run.period_end
        else "toutes dates"
    )
    populations = ", ".join(run.populations.order_by("code").values_list("code", flat=True))
    scope = "prétest" if run.scope == CalibrationRun.Scope.PRETEST else "toutes questions"
    name = f"Brouillon {timezone.localdate():%Y-%m-%d} ({scope}, calcul {run.pk})"
    if run.synthetic:
        name += " — données simulées"
    counts = summary["counts"]
    notes = (
        f"Réponses : {period} ; publics : {populations or 'tous'} ; "
        f"{'données simulées' if run.synthetic else 'données réelles'}. "
        f"{counts['attempts']} passations, {counts['responses']} réponses ; "
        f"{counts['estimated']} questions estimées, {counts['too_few_responses']} avec trop "
        f"peu de réponses, {counts['kept_from_reference']} reprises de la calibration de "
        f"référence. Mise à l'échelle : {(run.linking and run.linking.get('method')) or '-'}."
    )
    return name, notes


@transaction.atomic
def store_draft(run: CalibrationRun, result: DraftResult) -> Calibration:
    run.linking = result.linking
    name, notes = describe(run, result.summary)
    draft = Calibration.objects.create(
        framework_id=run.framework_id,
        source=Calibration.Source.ESTIMATED,
        is_active=False,
        synthetic=run.synthetic,
        name=name[:200],
        notes=notes,
    )
    ItemParameter.objects.bulk_create(
        ItemParameter(
            calibration=draft,
            item_version_id=version,
            discrimination=a,
            difficulty=b,
            guessing=c,
            se_discrimination=se_a,
            se_difficulty=se_b,
            se_guessing=se_c,
        )
        for version, (a, b, c, se_a, se_b, se_c) in sorted(result.parameters.items())
    )
    ItemStatistic.objects.bulk_create(
        ItemStatistic(run=run, item_version_id=version, **row)
        for version, row in sorted(result.statistics.items())
    )
    CalibrationRun.objects.filter(pk=run.pk).update(
        draft=draft,
        status=CalibrationRun.Status.READY,
        progress=100,
        progress_message="Brouillon prêt",
        linking=result.linking,
        summary=result.summary,
        error="",
        finished_at=timezone.now(),
    )
    return draft
