"""Reads for the calibration pages: calibrations per framework version, and the review of a
run's draft (parameters and their change, fit, DIF, linking, correlation, simulated impact).

Each read takes a fixed number of queries whatever the size of the bank (tests pin them);
long lists are paginated or capped. The run's JSON is read by review_summary.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from palier.frameworks.models import Framework, Population
from palier.items.models import (
    Calibration,
    CalibrationActivation,
    Item,
    ItemParameter,
    ItemVersion,
)
from palier.psychometrics import review_summary as summaries
from palier.psychometrics.models import CalibrationRun, ItemStatistic
from palier.psychometrics.pipeline import minimum_responses

#: Rows of the parameter table per page.
PARAMETERS_PER_PAGE = 50
#: Rows listed in the fit, DIF, too-few-responses and ready-for-review tables (the page
#: says how many more there are).
MAX_LISTED = 200
#: Runs and activations listed per framework version on the calibrations page.
RECENT_RUNS = 20
RECENT_ACTIVATIONS = 20


# --- the calibrations page -------------------------------------------------------------------


@dataclass(frozen=True)
class FrameworkCalibrations:
    framework: Framework
    active: Calibration | None
    #: Calibrations not active now: drafts never activated and former active ones
    #: (annotated with `was_active` and `parameter_count`).
    others: list[Calibration]
    runs: list[CalibrationRun]
    history: list[CalibrationActivation]
    can_roll_back: bool


def calibrations_overview() -> list[FrameworkCalibrations]:
    """Per framework version with calibrations or runs (or published): the active
    calibration, the other calibrations, recent runs and the activation history (five
    queries)."""
    frameworks = list(
        Framework.objects.filter(
            Q(status=Framework.Status.PUBLISHED)
            | Q(calibrations__isnull=False)
            | Q(calibration_runs__isnull=False)
        )
        .distinct()
        .order_by("code", "-published_at", "-pk")
    )
    ids = [framework.pk for framework in frameworks]
    calibrations = (
        Calibration.objects.filter(framework_id__in=ids)
        .annotate(
            was_active=Exists(CalibrationActivation.objects.filter(calibration=OuterRef("pk"))),
            parameter_count=Count("parameters"),
        )
        .order_by("-created_at", "-pk")
    )
    runs = CalibrationRun.objects.filter(framework_id__in=ids).select_related(
        "requested_by", "draft"
    )
    history = CalibrationActivation.objects.filter(framework_id__in=ids).select_related(
        "calibration", "previous", "by"
    )
    by_framework_calibrations = _group(calibrations, "framework_id")
    by_framework_runs = _group(runs.order_by("-created_at", "-pk"), "framework_id")
    by_framework_history = _group(history.order_by("-at", "-pk"), "framework_id")
    overview = []
    for framework in frameworks:
        own = by_framework_calibrations.get(framework.pk, [])
        active = next((each for each in own if each.is_active), None)
        events = by_framework_history.get(framework.pk, [])
        # The roll-back service returns to the `previous` of the newest activation of the
        # active calibration: offer it only when there is one.
        latest = next(
            (event for event in events if active and event.calibration_id == active.pk), None
        )
        overview.append(
            FrameworkCalibrations(
                framework=framework,
                active=active,
                others=[each for each in own if not each.is_active],
                runs=by_framework_runs.get(framework.pk, [])[:RECENT_RUNS],
                history=events[:RECENT_ACTIVATIONS],
                can_roll_back=latest is not None and latest.previous_id is not None,
            )
        )
    return overview


def _group(rows: Iterable[Any], key: str) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


# --- the review of a draft -------------------------------------------------------------------


@dataclass(frozen=True)
class ParameterRow:
    version_id: int
    item_code: str
    version_number: int
    area_code: str
    area_number: int
    discrimination: float
    se_discrimination: float | None
    difficulty: float
    se_difficulty: float | None
    guessing: float | None
    active_discrimination: float | None
    active_difficulty: float | None
    #: False when the draft copied the reference's parameters (too few responses, or a
    #: fixed operational item in a pretest calibration).
    estimated: bool
    responses: int | None

    @property
    def delta_discrimination(self) -> float | None:
        if self.active_discrimination is None:
            return None
        return self.discrimination - self.active_discrimination

    @property
    def delta_difficulty(self) -> float | None:
        if self.active_difficulty is None:
            return None
        return self.difficulty - self.active_difficulty


@dataclass(frozen=True)
class AreaChange:
    """Change from the active calibration over one area's items present in both."""

    area_code: str
    items: int
    compared: int
    mean_delta_difficulty: float | None
    rms_delta_difficulty: float | None
    mean_delta_discrimination: float | None
    mean_se_difficulty: float | None


@dataclass(frozen=True)
class StatisticRow:
    version_id: int
    item_code: str
    version_number: int
    responses: int
    proportion_correct: float | None = None
    rmsd: float | None = None
    fit_p_value: float | None = None
    misfit: bool = False


@dataclass(frozen=True)
class Capped:
    """The first MAX_LISTED rows of a list, and how many there are in all."""

    rows: list[Any]
    total: int

    @property
    def hidden(self) -> int:
        return self.total - len(self.rows)


@dataclass
class Review:
    run: CalibrationRun
    active: Calibration | None
    parameters: list[ParameterRow]
    area_changes: list[AreaChange]
    misfit: Capped
    fitted: int
    dif: Capped
    dif_without_data: int
    too_few: Capped
    min_responses: int
    ready_for_review: Capped
    linking: summaries.Linking | None
    correlation: summaries.Correlation | None
    impact: summaries.Impact | None
    blocking: list[str]
    counts: list[tuple[str, Any]]
    seconds: list[tuple[str, float]]
    populations: list[Population] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        draft = self.run.draft
        return self.run.synthetic or bool(draft is not None and draft.synthetic)


def review(run: CalibrationRun, *, dif_all: bool = False, area: str = "") -> Review:
    """Everything the review page shows about `run`, in a fixed number of queries whatever
    the size of the bank (the draft's and the active calibration's parameters, the item
    statistics, the run's populations, and at most one each for population names and for
    item versions named only in the run's JSON).

    `dif_all` lists class A comparisons too; `area` keeps one area's parameters."""
    summary = run.summary if isinstance(run.summary, dict) else {}
    active = (
        Calibration.objects.filter(framework_id=run.framework_id, is_active=True)
        .only("pk", "name", "synthetic", "source", "created_at", "is_active")
        .first()
    )
    statistics = list(
        ItemStatistic.objects.filter(run=run)
        .select_related("item_version__item")
        .only(
            "item_version_id",
            "responses",
            "proportion_correct",
            "estimated",
            "rmsd",
            "fit_p_value",
            "misfit",
            "dif",
            "ready_for_review",
            "item_version__number",
            "item_version__item__code",
            "item_version__item__status",
        )
        .order_by("item_version__item__code", "item_version__number")
    )
    by_version = {statistic.item_version_id: statistic for statistic in statistics}
    parameters = _parameter_rows(run, active, by_version)
    labels: dict[int, summaries.Label] = {
        row.version_id: (row.item_code, row.version_number) for row in parameters
    }
    for statistic in statistics:
        labels.setdefault(
            statistic.item_version_id,
            (statistic.item_version.item.code, statistic.item_version.number),
        )
    too_few_listed = summaries.too_few_ids(summary)
    _add_labels(labels, summaries.anchor_ids(run.linking) | set(too_few_listed or ()))
    min_responses = int(summary.get("min_responses") or minimum_responses(run))
    populations: dict[str, str] = {}
    if summaries.names_populations(statistic.dif for statistic in statistics):
        populations = {population.code: population.title for population in Population.objects.all()}
    dif_rows, without_data = summaries.read_dif(
        (
            ((statistic.item_version.item.code, statistic.item_version.number), statistic.dif)
            for statistic in statistics
        ),
        populations,
        include_a=dif_all,
    )
    if too_few_listed is None:
        too_few = [
            _statistic_row(statistic)
            for statistic in statistics
            if not statistic.estimated and statistic.responses < min_responses
        ]
    else:
        too_few = [
            StatisticRow(version_id, *labels.get(version_id, (str(version_id), 0)), responses)
            for version_id, responses in too_few_listed.items()
        ]
    too_few.sort(key=lambda row: (row.responses, row.item_code, row.version_number))
    return Review(
        run=run,
        active=active,
        parameters=[row for row in parameters if row.area_code == area] if area else parameters,
        area_changes=_area_changes(parameters),
        misfit=_capped(
            sorted(
                (_statistic_row(s) for s in statistics if s.misfit),
                key=lambda row: (-(row.rmsd or 0.0), row.item_code, row.version_number),
            )
        ),
        fitted=sum(statistic.rmsd is not None for statistic in statistics),
        dif=_capped(dif_rows),
        dif_without_data=without_data,
        too_few=_capped(too_few),
        min_responses=min_responses,
        # The pipeline proposes pretest items for review; operational ones already are.
        ready_for_review=_capped(
            [
                _statistic_row(s)
                for s in statistics
                if s.ready_for_review and s.item_version.item.status == Item.Status.PRETEST
            ]
        ),
        linking=summaries.read_linking(run.linking, labels),
        correlation=summaries.read_correlation(summary.get("correlation")),
        impact=summaries.read_impact(summary.get("impact")),
        blocking=summaries.blocking_messages(summary.get("blocking")),
        counts=summaries.read_counts(summary),
        seconds=summaries.read_seconds(summary.get("seconds")),
        populations=list(run.populations.order_by("position", "code")),
    )


def _add_labels(labels: dict[int, summaries.Label], version_ids: set[int]) -> None:
    """Item codes of the versions the run's JSON names and the page has not met (one query,
    none when there are none)."""
    missing = version_ids - set(labels)
    if missing:
        for version_id, code, number in ItemVersion.objects.filter(pk__in=missing).values_list(
            "pk", "item__code", "number"
        ):
            labels[version_id] = (code, number)


def _parameter_rows(
    run: CalibrationRun,
    active: Calibration | None,
    statistics: Mapping[int, ItemStatistic],
) -> list[ParameterRow]:
    """The draft's parameters beside the active calibration's, by area then item code
    (two queries)."""
    if run.draft_id is None:
        return []
    current: dict[int, tuple[float, float]] = {}
    if active is not None and active.pk != run.draft_id:
        current = {
            version_id: (discrimination, difficulty)
            for version_id, discrimination, difficulty in ItemParameter.objects.filter(
                calibration=active
            ).values_list("item_version_id", "discrimination", "difficulty")
        }
    rows = []
    for (
        version_id,
        code,
        number,
        area_code,
        area_number,
        discrimination,
        se_discrimination,
        difficulty,
        se_difficulty,
        guessing,
    ) in ItemParameter.objects.filter(calibration_id=run.draft_id).values_list(
        "item_version_id",
        "item_version__item__code",
        "item_version__number",
        "item_version__capacity__competence__area__code",
        "item_version__capacity__competence__area__number",
        "discrimination",
        "se_discrimination",
        "difficulty",
        "se_difficulty",
        "guessing",
    ):
        statistic = statistics.get(version_id)
        active_discrimination, active_difficulty = current.get(version_id, (None, None))
        rows.append(
            ParameterRow(
                version_id=version_id,
                item_code=code,
                version_number=number,
                area_code=area_code,
                area_number=area_number,
                discrimination=discrimination,
                se_discrimination=se_discrimination,
                difficulty=difficulty,
                se_difficulty=se_difficulty,
                guessing=guessing,
                active_discrimination=active_discrimination,
                active_difficulty=active_difficulty,
                estimated=statistic.estimated if statistic is not None else True,
                responses=statistic.responses if statistic is not None else None,
            )
        )
    rows.sort(key=lambda row: (row.area_number, row.item_code, row.version_number))
    return rows


def _area_changes(rows: list[ParameterRow]) -> list[AreaChange]:
    by_area: dict[str, list[ParameterRow]] = {}
    for row in rows:
        by_area.setdefault(row.area_code, []).append(row)
    changes = []
    for code, area_rows in by_area.items():
        deltas_b = [row.delta_difficulty for row in area_rows if row.delta_difficulty is not None]
        deltas_a = [
            row.delta_discrimination for row in area_rows if row.delta_discrimination is not None
        ]
        errors = [row.se_difficulty for row in area_rows if row.se_difficulty is not None]
        mean_square = _mean([delta * delta for delta in deltas_b])
        changes.append(
            AreaChange(
                area_code=code,
                items=len(area_rows),
                compared=len(deltas_b),
                mean_delta_difficulty=_mean(deltas_b),
                rms_delta_difficulty=None if mean_square is None else math.sqrt(mean_square),
                mean_delta_discrimination=_mean(deltas_a),
                mean_se_difficulty=_mean(errors),
            )
        )
    return changes


def _mean(values: list[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def _statistic_row(statistic: ItemStatistic) -> StatisticRow:
    return StatisticRow(
        version_id=statistic.item_version_id,
        item_code=statistic.item_version.item.code,
        version_number=statistic.item_version.number,
        responses=statistic.responses,
        proportion_correct=statistic.proportion_correct,
        rmsd=statistic.rmsd,
        fit_p_value=statistic.fit_p_value,
        misfit=statistic.misfit,
    )


def _capped(rows: list[Any]) -> Capped:
    return Capped(rows=rows[:MAX_LISTED], total=len(rows))
