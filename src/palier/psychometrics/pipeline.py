"""A calibration run, phase by phase: read responses, calibrate, link, fit, DIF, correlation,
simulated impact, store (docs/calibration.md).

Each phase writes its progress to the run row in a short UPDATE of its own, so a page polling
the run sees it move; the computation holds no transaction. The draft is stored at the end in
one transaction: a failure at any point leaves the run FAILED with a message for people and no
calibration behind.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

from palier.assessments.engine_adapter import EmptyBankError, bank_snapshot
from palier.assessments.services import current_settings
from palier.engine import Linking, calibrate, item_fit, stocking_lord, transform
from palier.engine.linking import DEFAULT_DRIFT_THRESHOLD, DEFAULT_MIN_ANCHORS
from palier.frameworks.models import Area, Population
from palier.items.models import Calibration, Item, ItemParameter, ItemVersion
from palier.psychometrics import dif as dif_module
from palier.psychometrics.impact import DEFAULT_SIMULEES, simulated_impact
from palier.psychometrics.models import CalibrationRun, ItemStatistic
from palier.psychometrics.responses import STATUSES, ResponseData, Selection, read_responses

logger = logging.getLogger(__name__)

#: Fewest answers for an item version to be estimated; fewer: listed, reference kept. With
#: 200 answers the SE of a 2PL difficulty is about 0.15-0.2 logit for a well-targeted item
#: (de Ayala, 2009, ch. 12, recommends a few hundred persons for the 2PL).
MIN_RESPONSES = 200
#: Misfit: RMSD above 0.08 (Koehler, Robitzsch & Hartig, 2020, discuss 0.05-0.08; PISA
#: flags from 0.12), or the grouped chi-square significant at 0.001 with an RMSD above 0.05
#: (with thousands of answers the test alone flags negligible departures).
MISFIT_RMSD = 0.08
MISFIT_RMSD_WITH_TEST = 0.05
MISFIT_P_VALUE = 0.001
#: Anchors per area for Stocking-Lord linking, and the drift rule (engine defaults).
MIN_ANCHORS = DEFAULT_MIN_ANCHORS
DRIFT_THRESHOLD = DEFAULT_DRIFT_THRESHOLD
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


def _number(value: float | None, digits: int = 4) -> float | None:
    """A float for JSON and the database: rounded, and None when not finite."""
    if value is None:
        return None
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


@dataclass
class _Plan:
    """Which item versions are calibrated (estimated or held fixed), in engine order."""

    versions: np.ndarray  # engine item index -> ItemVersion id
    estimated: np.ndarray  # bool per engine item
    item_areas: np.ndarray  # engine area per engine item
    area_ids: list[int]  # engine area -> Area id
    fixed: dict[int, tuple[float, ...]]


@dataclass
class _Result:
    """What the store phase writes."""

    parameters: dict[
        int, tuple[float, float, float | None, float | None, float | None, float | None]
    ]
    statistics: dict[int, dict]
    linking: dict
    summary: dict


def _reference_parameters(reference: Calibration) -> dict[int, tuple]:
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


def minimum_responses(run: CalibrationRun) -> int:
    """Answers an item version needs to be estimated: MIN_RESPONSES, or for a pretest run
    the pretest threshold (PALIER_PRETEST_RESPONSES), so that it estimates exactly the items
    `pretest_ready` lists."""
    if run.scope == CalibrationRun.Scope.PRETEST:
        return max(MIN_RESPONSES, django_settings.PALIER_PRETEST_RESPONSES)
    return MIN_RESPONSES


def _plan(
    run: CalibrationRun,
    counts: dict[int, int],
    reference: dict[int, tuple],
    version_info: dict[int, tuple[int, str]],
    area_order: list[int],
) -> tuple[_Plan, list[int]]:
    """Estimated and fixed versions; the versions with too few answers."""
    minimum = minimum_responses(run)
    enough = {version for version, n in counts.items() if n >= minimum}
    too_few = sorted(version for version, n in counts.items() if n < minimum)
    if run.scope == CalibrationRun.Scope.PRETEST:
        pretest = {v for v in counts if version_info[v][1] == Item.Status.PRETEST}
        estimated = enough & pretest
        fixed_versions = {v for v in counts if v in reference and v not in pretest}
    else:
        estimated = enough
        fixed_versions = set()
    if not estimated:
        raise RunFailed(
            f"Aucune question n'a assez de réponses pour être estimée (au moins {minimum})."
        )
    versions = np.array(sorted(estimated | fixed_versions), dtype=np.int64)
    used_areas = {version_info[int(v)][0] for v in versions}
    area_ids = [area for area in area_order if area in used_areas]
    engine_area = {area: index for index, area in enumerate(area_ids)}
    fixed = {}
    for index, version in enumerate(versions.tolist()):
        if version in fixed_versions:
            a, b, c = reference[version][:3]
            fixed[index] = (a, b) if c is None else (a, b, c)
    return (
        _Plan(
            versions=versions,
            estimated=np.isin(versions, sorted(estimated)),
            item_areas=np.array([engine_area[version_info[v][0]] for v in versions.tolist()]),
            area_ids=area_ids,
            fixed=fixed,
        ),
        too_few,
    )


def _link(
    plan: _Plan,
    fit_a: np.ndarray,
    fit_b: np.ndarray,
    fit_c: np.ndarray | None,
    reference: dict[int, tuple],
    area_codes: list[str],
) -> tuple[list[Linking | None], dict, list[dict]]:
    """Stocking-Lord per area on the anchors (estimated here, parameters in the reference)."""
    links: list[Linking | None] = []
    areas: dict[str, dict] = {}
    blocking: list[dict] = []
    for area, code in enumerate(area_codes):
        anchors = np.flatnonzero(
            (plan.item_areas == area) & plan.estimated & np.isin(plan.versions, list(reference))
        )
        anchor_versions = plan.versions[anchors].tolist()
        reason = None
        link = None
        if anchors.size < MIN_ANCHORS:
            reason = (
                f"Domaine {code} : {anchors.size} question(s) d'ancrage, il en faut au moins "
                f"{MIN_ANCHORS} pour la mise à l'échelle."
            )
        else:
            rows = [reference[v] for v in anchor_versions]
            try:
                link = stocking_lord(
                    fit_a[anchors],
                    fit_b[anchors],
                    [row[0] for row in rows],
                    [row[1] for row in rows],
                    None if fit_c is None else fit_c[anchors],
                    None if fit_c is None else [row[2] or 0.0 for row in rows],
                    drift_threshold=DRIFT_THRESHOLD,
                    min_anchors=MIN_ANCHORS,
                )
            except ValueError as error:
                reason = f"Domaine {code} : mise à l'échelle impossible ({error})."
        links.append(link)
        if link is None:
            blocking.append({"code": "area_not_linked", "area": code, "message": reason})
            areas[code] = {"linked": False, "reason": reason, "anchors": len(anchor_versions)}
            continue
        areas[code] = {
            "linked": True,
            "slope": _number(link.slope, 6),
            "intercept": _number(link.intercept, 6),
            "mean_sigma_slope": _number(link.mean_sigma_slope, 6),
            "mean_sigma_intercept": _number(link.mean_sigma_intercept, 6),
            "criterion": _number(link.criterion, 8),
            "anchors_used": [anchor_versions[i] for i in link.anchors_used],
            "anchors_dropped": [
                {"item_version": anchor_versions[i], "displacement": _number(link.displacement[i])}
                for i in link.anchors_dropped
            ],
            "displacement": {
                str(v): _number(d) for v, d in zip(anchor_versions, link.displacement, strict=True)
            },
        }
    linking = {
        "method": "stocking_lord",
        "drift_threshold": DRIFT_THRESHOLD,
        "min_anchors": MIN_ANCHORS,
        "areas": areas,
    }
    return links, linking, blocking


def _groupings(data: ResponseData) -> list[dif_module.Grouping]:
    """Populations and situations with enough persons, and the language of the test."""
    groupings = []
    populations = sorted(
        int(p)
        for p, n in zip(*np.unique(data.population, return_counts=True), strict=True)
        if p >= 0 and n >= dif_module.MIN_GROUP_RESPONSES
    )
    if populations:
        codes = dict(Population.objects.filter(pk__in=populations).values_list("pk", "code"))
        group = np.full(data.n_persons, -1, dtype=np.int64)
        for index, population in enumerate(populations):
            group[data.population == population] = index
        # Persons of smaller populations, or of none, are never focal but stay in the
        # reference group ("others") of every comparison.
        group[group < 0] = len(populations)
        labels = tuple(codes[p] for p in populations)
        groupings.append(dif_module.Grouping("population", labels, group))
    groupings.append(
        dif_module.Grouping("language", ("fr", "en"), data.english.astype(np.int64), False)
    )
    statuses = [
        index
        for index in range(len(STATUSES))
        if np.count_nonzero(data.status == index) >= dif_module.MIN_GROUP_RESPONSES
    ]
    if statuses:
        group = np.full(data.n_persons, len(statuses), dtype=np.int64)
        for position, index in enumerate(statuses):
            group[data.status == index] = position
        groupings.append(dif_module.Grouping("status", tuple(STATUSES[i] for i in statuses), group))
    return groupings


def _compute(run: CalibrationRun, progress: _Progress) -> _Result:
    reference_calibration = run.reference
    if reference_calibration is None:
        raise RunFailed("Aucune calibration de référence : activez d'abord une calibration.")
    selection = Selection(
        framework_id=run.framework_id,
        synthetic=run.synthetic,
        period_start=run.period_start,
        period_end=run.period_end,
        population_ids=tuple(run.populations.order_by("pk").values_list("pk", flat=True)),
    )
    progress.phase("read")
    data = read_responses(selection)
    if data.n_responses == 0:
        raise RunFailed("Aucune réponse ne correspond aux filtres choisis.")
    reference = _reference_parameters(reference_calibration)
    present, counts_array = np.unique(data.item_version, return_counts=True)
    rights = np.bincount(
        np.searchsorted(present, data.item_version), weights=data.correct, minlength=present.size
    )
    counts = dict(zip(present.tolist(), counts_array.tolist(), strict=True))
    version_info = {
        pk: (area_id, status)
        for pk, area_id, status in ItemVersion.objects.filter(
            pk__in=sorted(set(counts) | set(reference))
        ).values_list("pk", "capacity__competence__area_id", "item__status")
    }
    areas = list(Area.objects.filter(framework_id=run.framework_id).order_by("number"))
    area_code = {area.pk: area.code for area in areas}
    plan, too_few = _plan(run, counts, reference, version_info, [area.pk for area in areas])
    codes = [area_code[area] for area in plan.area_ids]

    lookup = np.full(int(max(present.max(), plan.versions.max())) + 1, -1, dtype=np.int64)
    lookup[plan.versions] = np.arange(plan.versions.size)
    item = lookup[data.item_version]
    used = item >= 0
    person, item, correct = data.person[used], item[used].astype(np.int32), data.correct[used]
    model = "3pl" if any(row[2] is not None for row in reference.values()) else "2pl"

    progress.phase("calibrate")
    fit = calibrate(
        person,
        item,
        correct,
        model,
        n_items=plan.versions.size,
        item_areas=plan.item_areas,
        fixed=plan.fixed or None,
        standard_errors=True,
    )

    progress.phase("link")
    a, b = fit.discrimination.copy(), fit.difficulty.copy()
    se_a = (
        fit.se_discrimination.copy()
        if fit.se_discrimination is not None
        else np.full_like(a, np.nan)
    )
    se_b = fit.se_difficulty.copy() if fit.se_difficulty is not None else np.full_like(b, np.nan)
    population = {
        code: (float(fit.population_mean[k]), float(fit.population_sd[k]))
        for k, code in enumerate(codes)
    }
    blocking: list[dict] = []
    if run.scope == CalibrationRun.Scope.PRETEST:
        linking: dict = {"method": "fixed_parameters"}
        for k, code in enumerate(codes):
            if not any(plan.item_areas[index] == k for index in plan.fixed):
                blocking.append(
                    {
                        "code": "area_without_fixed_items",
                        "area": code,
                        "message": f"Domaine {code} : aucune question opérationnelle répondue "
                        "pour fixer l'échelle.",
                    }
                )
    else:
        links, linking, blocking = _link(plan, a, b, fit.guessing, reference, codes)
        for k, link in enumerate(links):
            if link is None:
                continue
            in_area = plan.item_areas == k
            a[in_area], b[in_area] = transform(a[in_area], b[in_area], link.slope, link.intercept)
            se_a[in_area] = se_a[in_area] / link.slope
            se_b[in_area] = se_b[in_area] * link.slope
            mean, sd = population[codes[k]]
            population[codes[k]] = (link.slope * mean + link.intercept, link.slope * sd)

    progress.phase("fit")
    fitness = item_fit(person, item, correct, fit)

    progress.phase("dif")
    eap = dif_module.person_eap(person, item, correct, data.n_persons, fit)
    strata = dif_module.response_strata(person, item, plan.item_areas, eap)
    del eap
    dif = dif_module.dif_by_item(
        person, item, correct, strata, plan.versions.size, _groupings(data)
    )

    progress.phase("correlation")
    correlation = None
    pairs: dict[tuple[str, str], float] = {}
    if fit.correlation is not None:
        correlation = {
            "areas": codes,
            "matrix": [[_number(value) for value in row] for row in fit.correlation],
        }
        for first in range(len(codes)):
            for second in range(first + 1, len(codes)):
                pairs[(codes[first], codes[second])] = float(fit.correlation[first, second])

    estimated_parameters = {}
    for index, version in enumerate(plan.versions.tolist()):
        if not plan.estimated[index] or not (math.isfinite(a[index]) and math.isfinite(b[index])):
            continue
        c = None if fit.guessing is None else float(fit.guessing[index])
        se_c = None if fit.se_guessing is None else _number(fit.se_guessing[index], 6)
        estimated_parameters[version] = (
            float(a[index]), float(b[index]), c,
            _number(se_a[index], 6), _number(se_b[index], 6), se_c,
        )  # fmt: skip

    progress.phase("impact")
    try:
        impact = simulated_impact(
            bank_snapshot(reference_calibration),
            {version: row[:3] for version, row in estimated_parameters.items()},
            population,
            pairs,
            current_settings(),
            n_simulees=IMPACT_SIMULEES,
        )
    except EmptyBankError:
        impact = {"error": "Aucune question opérationnelle dans la calibration active."}

    parameters = {version: tuple(row) for version, row in reference.items()}
    parameters.update(estimated_parameters)
    pretest_threshold = django_settings.PALIER_PRETEST_RESPONSES
    statistics: dict[int, dict] = {}
    for version in sorted(set(parameters) | set(counts)):
        n = counts.get(version, 0)
        position = int(np.searchsorted(present, version))
        statistics[version] = {
            "responses": n,
            "proportion_correct": _number(rights[position] / n) if n else None,
            "estimated": version in estimated_parameters,
        }
    misfits = large_dif = 0
    for index, version in enumerate(plan.versions.tolist()):
        rmsd, p_value = _number(fitness.rmsd[index]), _number(fitness.p_value[index], 6)
        misfit = rmsd is not None and (
            rmsd > MISFIT_RMSD
            or (p_value is not None and p_value < MISFIT_P_VALUE and rmsd > MISFIT_RMSD_WITH_TEST)
        )
        row = statistics[version]
        row.update(rmsd=rmsd, fit_p_value=p_value, misfit=misfit, dif=dif[index])
        row["ready_for_review"] = bool(
            row["estimated"]
            and row["responses"] >= pretest_threshold
            and not misfit
            and not dif_module.has_large_dif(dif[index])
        )
        misfits += misfit
        large_dif += dif_module.has_large_dif(dif[index])

    progress.close()
    summary = {
        "model": model,
        "min_responses": minimum_responses(run),
        "counts": {
            "attempts": data.n_persons,
            "responses": data.n_responses,
            "responses_used": int(item.size),
            "item_versions_answered": len(counts),
            "estimated": len(estimated_parameters),
            "fixed": len(plan.fixed),
            "too_few_responses": len(too_few),
            "kept_from_reference": len(parameters) - len(estimated_parameters),
            "misfit": misfits,
            "dif_class_c": large_dif,
        },
        "too_few_responses": [{"item_version": v, "responses": counts[v]} for v in too_few],
        "convergence": {
            "converged": bool(fit.converged),
            "iterations": int(fit.iterations),
            "max_change": _number(fit.max_change, 6),
            "log_likelihood": _number(fit.log_likelihood, 3),
        },
        "population": {
            code: {"mean": _number(mean), "sd": _number(sd)}
            for code, (mean, sd) in population.items()
        },
        "correlation": correlation,
        "impact": impact,
        "blocking": blocking,
        "reference": reference_calibration.pk,
    }
    if not fit.converged:
        summary["blocking"].append(
            {
                "code": "not_converged",
                "message": "L'estimation n'a pas convergé : paramètres à ne pas activer.",
            }
        )
    return _Result(parameters, statistics, linking, summary)


def _describe(run: CalibrationRun, summary: dict) -> tuple[str, str]:
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
def _store(run: CalibrationRun, result: _Result) -> Calibration:
    run.linking = result.linking
    name, notes = _describe(run, result.summary)
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
        _store(run, result)
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
