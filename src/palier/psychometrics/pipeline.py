"""A calibration run, phase by phase: read responses, calibrate, link, fit, DIF, correlation,
simulated impact, store (docs/calibration.md).

Each phase writes its progress to the run row in a short UPDATE of its own, so a page polling
the run sees it move; the computation holds no transaction. The draft is stored at the end in
one transaction (`drafts.store_draft`): a failure at any point leaves the run FAILED with a
message for people and no calibration behind.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings as django_settings
from django.utils import timezone

from palier.assessments.engine_adapter import EmptyBankError, bank_snapshot
from palier.assessments.services import current_settings
from palier.engine import Calibration as EngineCalibration
from palier.engine import calibrate, item_fit
from palier.frameworks.models import Area, Population
from palier.items.models import Calibration, Item, ItemParameter, ItemVersion
from palier.psychometrics import dif as dif_module
from palier.psychometrics.drafts import DraftResult, Parameters, store_draft
from palier.psychometrics.impact import DEFAULT_SIMULEES, simulated_impact
from palier.psychometrics.models import CalibrationRun
from palier.psychometrics.responses import ResponseData, Selection, read_responses
from palier.psychometrics.scaling import apply_links, link_areas, unfixed_areas
from palier.psychometrics.statistics import flag_counts, item_statistics, json_number

logger = logging.getLogger(__name__)

#: Fewest answers for an item version to be estimated; fewer: listed, reference kept. With
#: 200 answers the SE of a 2PL difficulty is about 0.15-0.2 logit for a well-targeted item
#: (de Ayala, 2009, ch. 12, recommends a few hundred persons for the 2PL).
MIN_RESPONSES = 200
#: Simulees of the simulated impact (per bank); read at run time.
IMPACT_SIMULEES = DEFAULT_SIMULEES

#: Progress (percent) when each phase starts, and what the run page says meanwhile.
PHASES: dict[str, tuple[int, str]] = {
    "read": (2, "Lecture des réponses"),
    "calibrate": (25, "Estimation des paramètres (EM)"),
    "link": (55, "Mise à l'échelle de la calibration active"),
    "fit": (60, "Ajustement des items"),
    "dif": (70, "Fonctionnement différentiel (DIF)"),
    "correlation": (80, "Corrélation entre domaines"),
    "impact": (82, "Impact simulé"),
    "store": (95, "Enregistrement du brouillon"),
}


class RunFailed(Exception):
    """A run that cannot produce a draft; the message (French) is shown on the run page."""


@dataclass
class _Progress:
    run: CalibrationRun
    seconds: dict[str, float] = field(default_factory=dict)
    current: str = ""
    started: float = 0.0

    def phase(self, name: str) -> None:
        self.close()
        percent, message = PHASES[name]
        self.current, self.started = name, time.perf_counter()
        CalibrationRun.objects.filter(pk=self.run.pk).update(
            progress=percent, progress_message=message
        )

    def close(self) -> None:
        if self.current:
            self.seconds[self.current] = round(time.perf_counter() - self.started, 3)
            self.current = ""


@dataclass
class _Plan:
    """Which item versions are calibrated (estimated or held fixed), in engine order."""

    versions: np.ndarray  # engine item index -> ItemVersion id
    estimated: np.ndarray  # bool per engine item
    item_areas: np.ndarray  # engine area per engine item
    codes: list[str]  # engine area -> area code
    fixed: dict[int, tuple[float, ...]]
    too_few: list[int]


@dataclass
class _Data:
    """Long-format arrays of the answers to the calibrated items."""

    person: np.ndarray
    item: np.ndarray
    correct: np.ndarray


def minimum_responses(run: CalibrationRun) -> int:
    """Answers an item version needs to be estimated: MIN_RESPONSES, or for a pretest run
    the pretest threshold (PALIER_PRETEST_RESPONSES), so that it estimates exactly the items
    `pretest_ready` lists."""
    if run.scope == CalibrationRun.Scope.PRETEST:
        return max(MIN_RESPONSES, django_settings.PALIER_PRETEST_RESPONSES)
    return MIN_RESPONSES


def _reference_parameters(reference: Calibration) -> dict[int, Parameters]:
    return {
        row[0]: row[1:]
        for row in ItemParameter.objects.filter(calibration=reference).values_list(
            "item_version_id",
            "discrimination",
            "difficulty",
            "guessing",
            "se_discrimination",
            "se_difficulty",
            "se_guessing",
        )
    }


def _plan(run: CalibrationRun, counts: dict[int, int], reference: dict[int, Parameters]) -> _Plan:
    """Estimated and fixed versions (docs/calibration.md, "Which items are estimated")."""
    info = {
        pk: (area_id, status)
        for pk, area_id, status in ItemVersion.objects.filter(
            pk__in=sorted(set(counts) | set(reference))
        ).values_list("pk", "capacity__competence__area_id", "item__status")
    }
    minimum = minimum_responses(run)
    enough = {version for version, n in counts.items() if n >= minimum}
    if run.scope == CalibrationRun.Scope.PRETEST:
        pretest = {v for v in counts if info[v][1] == Item.Status.PRETEST}
        estimated = enough & pretest
        fixed_versions = {v for v in counts if v in reference and v not in pretest}
    else:
        estimated, fixed_versions = enough, set()
    if not estimated:
        raise RunFailed(
            f"Aucune question n'a assez de réponses pour être estimée (au moins {minimum})."
        )
    versions = np.array(sorted(estimated | fixed_versions), dtype=np.int64)
    used = {info[int(v)][0] for v in versions}
    areas = [
        (pk, code)
        for pk, code in Area.objects.filter(framework_id=run.framework_id)
        .order_by("number")
        .values_list("pk", "code")
        if pk in used
    ]
    engine_area = {pk: index for index, (pk, _) in enumerate(areas)}
    fixed = {}
    for index, version in enumerate(versions.tolist()):
        if version in fixed_versions:
            a, b, c = reference[version][:3]
            fixed[index] = (a, b) if c is None else (a, b, c)
    return _Plan(
        versions=versions,
        estimated=np.isin(versions, sorted(estimated)),
        item_areas=np.array([engine_area[info[v][0]] for v in versions.tolist()]),
        codes=[code for _, code in areas],
        fixed=fixed,
        too_few=sorted(version for version, n in counts.items() if n < minimum),
    )


def _read(run: CalibrationRun) -> ResponseData:
    responses = read_responses(
        Selection(
            framework_id=run.framework_id,
            synthetic=run.synthetic,
            period_start=run.period_start,
            period_end=run.period_end,
            population_ids=tuple(run.populations.order_by("pk").values_list("pk", flat=True)),
        )
    )
    if responses.n_responses == 0:
        raise RunFailed("Aucune réponse ne correspond aux filtres choisis.")
    return responses


def _answer_counts(responses: ResponseData) -> tuple[dict[int, int], dict[int, float]]:
    """Answers and right answers per answered version (one sort of the version column)."""
    present, position, counts = np.unique(
        responses.item_version, return_inverse=True, return_counts=True
    )
    rights = np.bincount(position, weights=responses.correct, minlength=present.size)
    versions = present.tolist()
    return (
        dict(zip(versions, counts.tolist(), strict=True)),
        dict(zip(versions, rights.tolist(), strict=True)),
    )


def _calibrated_answers(responses: ResponseData, plan: _Plan) -> _Data:
    """The answers to calibrated versions, with engine item indices."""
    top = int(max(responses.item_version.max(), plan.versions.max())) + 1
    lookup = np.full(top, -1, dtype=np.int32)
    lookup[plan.versions] = np.arange(plan.versions.size)
    item = lookup[responses.item_version]
    used = item >= 0
    return _Data(person=responses.person[used], item=item[used], correct=responses.correct[used])


def _estimates(
    plan: _Plan, fit: EngineCalibration, scaled: tuple[np.ndarray, ...]
) -> dict[int, Parameters]:
    """Parameters of the estimated versions, on the reference scale (SEs transformed too)."""
    a, b, se_a, se_b = scaled
    rows: dict[int, Parameters] = {}
    for index, version in enumerate(plan.versions.tolist()):
        if not plan.estimated[index] or not (math.isfinite(a[index]) and math.isfinite(b[index])):
            continue
        rows[version] = (
            float(a[index]),
            float(b[index]),
            None if fit.guessing is None else float(fit.guessing[index]),
            json_number(se_a[index], 6),
            json_number(se_b[index], 6),
            None if fit.se_guessing is None else json_number(fit.se_guessing[index], 6),
        )
    return rows


def _correlation(fit: EngineCalibration, codes: list[str]) -> dict | None:
    if fit.correlation is None:
        return None
    return {
        "areas": codes,
        "matrix": [[json_number(value) for value in row] for row in fit.correlation],
    }


def _impact(
    reference: Calibration,
    estimates: dict[int, Parameters],
    population: dict[str, tuple[float, float]],
    correlation: dict | None,
) -> dict:
    pairs: dict[tuple[str, str], float] = {}
    if correlation is not None:
        codes, matrix = correlation["areas"], correlation["matrix"]
        for first in range(len(codes)):
            for second in range(first + 1, len(codes)):
                pairs[(codes[first], codes[second])] = matrix[first][second]
    try:
        return simulated_impact(
            bank_snapshot(reference),
            {version: row[:3] for version, row in estimates.items()},
            population,
            pairs,
            current_settings(),
            n_simulees=IMPACT_SIMULEES,
        )
    except EmptyBankError:
        return {"error": "Aucune question opérationnelle dans la calibration active."}


def _compute(run: CalibrationRun, progress: _Progress) -> DraftResult:
    if run.reference is None:
        raise RunFailed("Aucune calibration de référence : activez d'abord une calibration.")
    progress.phase("read")
    responses = _read(run)
    reference = _reference_parameters(run.reference)
    counts, rights = _answer_counts(responses)
    plan = _plan(run, counts, reference)
    data = _calibrated_answers(responses, plan)
    model = "3pl" if any(row[2] is not None for row in reference.values()) else "2pl"

    progress.phase("calibrate")
    fit = calibrate(
        data.person,
        data.item,
        data.correct,
        model,
        n_items=plan.versions.size,
        item_areas=plan.item_areas,
        fixed=plan.fixed or None,
        standard_errors=True,
    )

    progress.phase("link")
    nan = np.full(plan.versions.size, np.nan)
    scaled = (
        fit.discrimination.copy(),
        fit.difficulty.copy(),
        nan.copy() if fit.se_discrimination is None else fit.se_discrimination.copy(),
        nan.copy() if fit.se_difficulty is None else fit.se_difficulty.copy(),
    )
    population = {
        code: (float(fit.population_mean[k]), float(fit.population_sd[k]))
        for k, code in enumerate(plan.codes)
    }
    if run.scope == CalibrationRun.Scope.PRETEST:
        linking: dict = {"method": "fixed_parameters"}
        blocking = unfixed_areas(plan.item_areas, plan.fixed, plan.codes)
    else:
        links, linking, blocking = link_areas(
            plan.versions,
            plan.estimated,
            plan.item_areas,
            (fit.discrimination, fit.difficulty, fit.guessing),
            reference,
            plan.codes,
        )
        apply_links(links, plan.item_areas, scaled, population, plan.codes)

    progress.phase("fit")
    fitness = item_fit(data.person, data.item, data.correct, fit)

    progress.phase("dif")
    eap = dif_module.person_eap(data.person, data.item, data.correct, responses.n_persons, fit)
    strata = dif_module.response_strata(data.person, data.item, plan.item_areas, eap)
    del eap
    codes = dict(Population.objects.values_list("pk", "code"))
    dif = dif_module.dif_by_item(
        data.person,
        data.item,
        data.correct,
        strata,
        plan.versions.size,
        dif_module.groupings(responses, codes),
    )

    progress.phase("correlation")
    correlation = _correlation(fit, plan.codes)
    estimates = _estimates(plan, fit, scaled)

    progress.phase("impact")
    impact = _impact(run.reference, estimates, population, correlation)

    parameters = dict(reference) | estimates
    statistics = item_statistics(
        sorted(set(parameters) | set(counts)),
        counts,
        rights,
        set(estimates),
        plan.versions.tolist(),
        fitness,
        dif,
        django_settings.PALIER_PRETEST_RESPONSES,
    )
    misfits, large_dif = flag_counts(statistics)
    if not fit.converged:
        blocking.append(
            {
                "code": "not_converged",
                "message": "L'estimation n'a pas convergé : paramètres à ne pas activer.",
            }
        )
    progress.close()
    summary = {
        "model": model,
        "min_responses": minimum_responses(run),
        "counts": {
            "attempts": responses.n_persons,
            "responses": responses.n_responses,
            "responses_used": int(data.item.size),
            "item_versions_answered": len(counts),
            "estimated": len(estimates),
            "fixed": len(plan.fixed),
            "too_few_responses": len(plan.too_few),
            "kept_from_reference": len(parameters) - len(estimates),
            "misfit": misfits,
            "dif_class_c": large_dif,
        },
        "too_few_responses": [{"item_version": v, "responses": counts[v]} for v in plan.too_few],
        "convergence": {
            "converged": bool(fit.converged),
            "iterations": int(fit.iterations),
            "max_change": json_number(fit.max_change, 6),
            "log_likelihood": json_number(fit.log_likelihood, 3),
        },
        "population": {
            code: {"mean": json_number(mean), "sd": json_number(sd)}
            for code, (mean, sd) in population.items()
        },
        "correlation": correlation,
        "impact": impact,
        "blocking": blocking,
        "reference": run.reference.pk,
    }
    return DraftResult(parameters, statistics, linking, summary)


def _fail(run: CalibrationRun, message: str) -> None:
    CalibrationRun.objects.filter(pk=run.pk).update(
        status=CalibrationRun.Status.FAILED,
        error=message[:2000],
        finished_at=timezone.now(),
    )


def execute_run(run: CalibrationRun) -> CalibrationRun:
    """Run a queued calibration to a stored draft (or a clear failure) and return the run
    reloaded. A run that is no longer queued (already run, e.g. a retried task) is returned
    as it is. Callable from the background task or directly (pilot command)."""
    claimed = CalibrationRun.objects.filter(pk=run.pk, status=CalibrationRun.Status.QUEUED).update(
        status=CalibrationRun.Status.RUNNING,
        started_at=timezone.now(),
        progress=1,
        progress_message="Démarrage",
    )
    if not claimed:
        run.refresh_from_db()
        return run
    progress = _Progress(run)
    try:
        result = _compute(run, progress)
        progress.phase("store")
        result.summary["seconds"] = progress.seconds
        started = time.perf_counter()
        store_draft(run, result)
        progress.seconds["store"] = round(time.perf_counter() - started, 3)
        CalibrationRun.objects.filter(pk=run.pk).update(summary=result.summary)
    except RunFailed as error:
        _fail(run, str(error))
    except Exception as error:  # any failure must end the run cleanly
        phase = progress.current or "?"
        # The log keeps the traceback for operators; the run shows no data, only the phase.
        logger.exception("calibration run %s failed in phase %s", run.pk, phase)
        _fail(
            run,
            f"Échec pendant la phase « {PHASES.get(phase, ('', phase))[1]} » "
            f"({type(error).__name__}). Le détail est dans le journal du serveur.",
        )
    run.refresh_from_db()
    return run
