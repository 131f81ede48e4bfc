"""Reads for the calibration pages: calibrations per framework version, and the review of a
run's draft (parameters and their change, fit, DIF, linking, correlation, simulated impact).

Each read takes a fixed number of queries whatever the size of the bank (tests pin them);
long lists are paginated or capped. The run's `linking` and `summary` JSON are read
leniently (see docs/calibration-pages.md): a key the run did not write shows as missing,
never as an error.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from palier.accounts.choices import LearnerStatus
from palier.frameworks.models import Framework, Population
from palier.items.models import Calibration, CalibrationActivation, ItemParameter, ItemVersion
from palier.psychometrics.models import CalibrationRun, ItemStatistic

#: Rows of the parameter table per page.
PARAMETERS_PER_PAGE = 50
#: Rows listed in the fit, DIF, too-few-responses and ready-for-review tables (the page
#: says how many more there are).
MAX_LISTED = 200
#: Runs and activations listed per framework version on the calibrations page.
RECENT_RUNS = 20
RECENT_ACTIVATIONS = 20
#: Fewest responses for an item to be estimated, when the run does not record its own
#: threshold (summary["min_responses"]).
DEFAULT_MIN_RESPONSES = 200
#: ETS classes listed by default in the DIF table (A is negligible DIF).
FLAGGED_DIF_CLASSES = ("B", "C")
DIF_DIMENSIONS = ("population", "language", "status")


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
    proportion_correct: float | None
    rmsd: float | None
    fit_p_value: float | None
    misfit: bool


@dataclass(frozen=True)
class DifRow:
    item_code: str
    version_number: int
    dimension: str  # population, language or status
    focal: str
    reference: str
    delta: float | None
    ets_class: str
    persons: int | None


@dataclass(frozen=True)
class Capped:
    """The first MAX_LISTED rows of a list, and how many there are in all."""

    rows: list[Any]
    total: int

    @property
    def hidden(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class AreaLink:
    area_code: str
    slope: float | None
    intercept: float | None
    mean_sigma_slope: float | None
    mean_sigma_intercept: float | None
    criterion: float | None
    anchors_used: list[str]
    anchors_dropped: list[str]
    note: str


@dataclass(frozen=True)
class Linking:
    fixed_parameters: bool
    areas: list[AreaLink]


@dataclass(frozen=True)
class Correlation:
    area_codes: list[str]
    rows: list[tuple[str, list[float | None]]]


@dataclass(frozen=True)
class ImpactRow:
    area_code: str
    accuracy_active: float | None
    accuracy_draft: float | None
    se_active: float | None
    se_draft: float | None


@dataclass(frozen=True)
class Impact:
    learners: int | None
    mean_length_active: float | None
    mean_length_draft: float | None
    areas: list[ImpactRow]


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
    linking: Linking | None
    correlation: Correlation | None
    impact: Impact | None
    blocking: list[str]
    counts: list[tuple[str, Any]]
    seconds: list[tuple[str, float]]
    populations: list[Population] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        draft = self.run.draft
        return self.run.synthetic or bool(draft is not None and draft.synthetic)


def review(run: CalibrationRun, *, dif_all: bool = False, area: str = "") -> Review:
    """Everything the review page shows about `run` (about eight queries whatever the bank).

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
        )
        .order_by("item_version__item__code", "item_version__number")
    )
    by_version = {statistic.item_version_id: statistic for statistic in statistics}
    parameters = _parameter_rows(run, active, by_version)
    shown = [row for row in parameters if row.area_code == area] if area else parameters
    labels = {row.version_id: (row.item_code, row.version_number) for row in parameters}
    for statistic in statistics:
        labels.setdefault(
            statistic.item_version_id,
            (statistic.item_version.item.code, statistic.item_version.number),
        )
    linking = _linking(run.linking, labels)
    min_responses = int(
        summary.get("min_responses")
        or getattr(settings, "PALIER_CALIBRATION_MIN_RESPONSES", DEFAULT_MIN_RESPONSES)
    )
    populations = list(run.populations.order_by("position", "code"))
    dif_rows, without_data = _dif_rows(statistics, dif_all)
    return Review(
        run=run,
        active=active,
        parameters=shown,
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
        too_few=_capped(
            sorted(
                (
                    _statistic_row(s)
                    for s in statistics
                    if not s.estimated and s.responses < min_responses
                ),
                key=lambda row: (row.responses, row.item_code, row.version_number),
            )
        ),
        min_responses=min_responses,
        ready_for_review=_capped([_statistic_row(s) for s in statistics if s.ready_for_review]),
        linking=linking,
        correlation=_correlation(summary.get("correlation")),
        impact=_impact(summary.get("impact")),
        blocking=blocking_reasons(run),
        counts=_counts(summary.get("counts")),
        seconds=_seconds(summary.get("seconds")),
        populations=populations,
    )


def blocking_reasons(run: CalibrationRun) -> list[str]:
    """Why the run's draft may not be activated (summary["blocking"]); empty when it may."""
    summary = run.summary if isinstance(run.summary, dict) else {}
    reasons = summary.get("blocking") or []
    if isinstance(reasons, str):
        reasons = [reasons]
    return [str(reason) for reason in reasons if str(reason).strip()]


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
        compared = [row for row in area_rows if row.delta_difficulty is not None]
        deltas_b = [row.delta_difficulty for row in compared if row.delta_difficulty is not None]
        deltas_a = [
            row.delta_discrimination for row in compared if row.delta_discrimination is not None
        ]
        errors = [row.se_difficulty for row in area_rows if row.se_difficulty is not None]
        changes.append(
            AreaChange(
                area_code=code,
                items=len(area_rows),
                compared=len(compared),
                mean_delta_difficulty=_mean(deltas_b),
                rms_delta_difficulty=(
                    math.sqrt(_mean([delta * delta for delta in deltas_b]) or 0.0)
                    if deltas_b
                    else None
                ),
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


# --- DIF ---------------------------------------------------------------------------------------

DIF_CLASS_ORDER = {"C": 0, "B": 1, "A": 2}
LANGUAGE_LABELS = {"fr": _("français"), "en": _("anglais")}


def _comparisons(value: Any) -> list[dict[str, Any]]:
    """The comparisons of one DIF dimension, whichever of the documented shapes the run
    wrote: one comparison, a list of them, or a mapping from the focal group to one."""
    if isinstance(value, list):
        return [each for each in value if isinstance(each, dict)]
    if not isinstance(value, dict):
        return []
    if "class" in value or "delta" in value or "not_enough_data" in value:
        return [value]
    comparisons = []
    for focal, each in value.items():
        if isinstance(each, dict):
            comparisons.append({"focal": focal, **each})
        else:
            comparisons.append({"focal": focal, "not_enough_data": True})
    return comparisons


def _group_label(dimension: str, value: Any, populations: Mapping[str, str]) -> str:
    text = "" if value is None else str(value)
    if dimension == "population":
        return populations.get(text, text)
    if dimension == "language":
        return str(LANGUAGE_LABELS[text]) if text in LANGUAGE_LABELS else text
    if dimension == "status":
        return str(LearnerStatus(text).label) if text in LearnerStatus.values else text
    return text


def _dif_rows(statistics: list[ItemStatistic], include_a: bool) -> tuple[list[DifRow], int]:
    """DIF comparisons of the run, C first then B (then A when asked), largest |Delta| first;
    and how many comparisons had too little data to be made (one query for group names)."""
    populations: dict[str, str] = {}
    if any(statistic.dif.get("population") for statistic in statistics if statistic.dif):
        # Runs may name a population by code or by id.
        for population in Population.objects.all():
            populations[population.code] = population.title
            populations[str(population.pk)] = population.title
    rows = []
    without_data = 0
    for statistic in statistics:
        if not isinstance(statistic.dif, dict):
            continue
        for dimension in DIF_DIMENSIONS:
            for comparison in _comparisons(statistic.dif.get(dimension)):
                ets_class = str(comparison.get("class") or "")
                if comparison.get("not_enough_data") or ets_class not in DIF_CLASS_ORDER:
                    without_data += 1
                    continue
                if not include_a and ets_class not in FLAGGED_DIF_CLASSES:
                    continue
                delta = comparison.get("delta")
                persons = comparison.get("n")
                rows.append(
                    DifRow(
                        item_code=statistic.item_version.item.code,
                        version_number=statistic.item_version.number,
                        dimension=dimension,
                        focal=_group_label(dimension, comparison.get("focal"), populations),
                        reference=_group_label(dimension, comparison.get("reference"), populations),
                        delta=float(delta) if isinstance(delta, (int, float)) else None,
                        ets_class=ets_class,
                        persons=int(persons) if isinstance(persons, (int, float)) else None,
                    )
                )
    rows.sort(
        key=lambda row: (
            DIF_CLASS_ORDER[row.ets_class],
            -abs(row.delta or 0.0),
            row.item_code,
            row.version_number,
            DIF_DIMENSIONS.index(row.dimension),
            row.focal,
        )
    )
    return rows, without_data


# --- linking, correlation, impact, summary ----------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _codes(ids: Any, labels: Mapping[int, tuple[str, int]]) -> list[str]:
    if not isinstance(ids, list):
        return []
    codes = []
    for version_id in ids:
        label = labels.get(version_id) if isinstance(version_id, int) else None
        codes.append(f"{label[0]} v{label[1]}" if label else str(version_id))
    return codes


def _linking(value: Any, labels: dict[int, tuple[str, int]]) -> Linking | None:
    """The linking constants per area, anchors as item codes (one query for anchors that
    are not in the draft)."""
    if not isinstance(value, dict):
        return None
    if value.get("method") == "fixed_parameters":
        return Linking(fixed_parameters=True, areas=[])
    per_area = value.get("areas") if isinstance(value.get("areas"), dict) else value
    missing = {
        version_id
        for entry in per_area.values()
        if isinstance(entry, dict)
        for key in ("anchors_used", "anchors_dropped")
        for version_id in entry.get(key) or []
        if isinstance(version_id, int) and version_id not in labels
    }
    if missing:
        for version_id, code, number in ItemVersion.objects.filter(pk__in=missing).values_list(
            "pk", "item__code", "number"
        ):
            labels[version_id] = (code, number)
    areas = [
        AreaLink(
            area_code=str(code),
            slope=_number(entry.get("slope")),
            intercept=_number(entry.get("intercept")),
            mean_sigma_slope=_number(entry.get("mean_sigma_slope")),
            mean_sigma_intercept=_number(entry.get("mean_sigma_intercept")),
            criterion=_number(entry.get("criterion")),
            anchors_used=_codes(entry.get("anchors_used"), labels),
            anchors_dropped=_codes(entry.get("anchors_dropped"), labels),
            note=str(entry.get("message") or entry.get("reason") or ""),
        )
        for code, entry in sorted(per_area.items())
        if isinstance(entry, dict)
    ]
    return Linking(fixed_parameters=False, areas=areas)


def _correlation(value: Any) -> Correlation | None:
    if not isinstance(value, dict):
        return None
    codes = [str(code) for code in value.get("areas") or []]
    matrix = value.get("matrix") or []
    if not codes or len(matrix) != len(codes):
        return None
    return Correlation(
        area_codes=codes,
        rows=[
            (code, [_number(each) for each in row] if isinstance(row, list) else [])
            for code, row in zip(codes, matrix, strict=True)
        ],
    )


def _per_area(value: Any, codes: list[str]) -> dict[str, float | None]:
    if isinstance(value, dict):
        return {str(code): _number(each) for code, each in value.items()}
    if isinstance(value, list) and len(value) == len(codes):
        return {code: _number(each) for code, each in zip(codes, value, strict=True)}
    return {}


def _impact(value: Any) -> Impact | None:
    """Simulated impact: {"learners", "areas"?, "draft": {...}, "active": {...}} where each
    side has "mean_length", "accuracy" and "se" per area (mapping, or list in "areas"
    order)."""
    if not isinstance(value, dict):
        return None
    draft = value.get("draft")
    current = value.get("active", value.get("reference"))
    if not isinstance(draft, dict):
        return None
    current = current if isinstance(current, dict) else {}
    codes = [str(code) for code in value.get("areas") or []]
    accuracy_draft = _per_area(draft.get("accuracy"), codes)
    accuracy_active = _per_area(current.get("accuracy"), codes)
    se_draft = _per_area(draft.get("se"), codes)
    se_active = _per_area(current.get("se"), codes)
    codes = codes or sorted(set(accuracy_draft) | set(se_draft))
    return Impact(
        learners=int(value["learners"]) if _number(value.get("learners")) is not None else None,
        mean_length_active=_number(current.get("mean_length")),
        mean_length_draft=_number(draft.get("mean_length")),
        areas=[
            ImpactRow(
                area_code=code,
                accuracy_active=accuracy_active.get(code),
                accuracy_draft=accuracy_draft.get(code),
                se_active=se_active.get(code),
                se_draft=se_draft.get(code),
            )
            for code in codes
        ],
    )


COUNT_LABELS = {
    "attempts": _("Tests"),
    "persons": _("Personnes"),
    "responses": _("Réponses"),
    "items": _("Questions"),
    "estimated": _("Questions estimées"),
    "fixed": _("Questions aux paramètres fixés"),
    "too_few": _("Questions avec trop peu de réponses"),
    "misfit": _("Questions mal ajustées"),
    "iterations": _("Itérations de l'estimation"),
}
PHASE_LABELS = {
    "read": _("Lecture des réponses"),
    "calibrate": _("Estimation"),
    "link": _("Liaison d'échelle"),
    "fit": _("Ajustement"),
    "dif": _("Fonctionnement différentiel"),
    "correlation": _("Corrélation entre domaines"),
    "impact": _("Impact simulé"),
    "store": _("Enregistrement"),
}


def _counts(value: Any) -> list[tuple[str, Any]]:
    if not isinstance(value, dict):
        return []
    return [
        (str(COUNT_LABELS.get(key, key)), each)
        for key, each in value.items()
        if isinstance(each, (int, float, str)) and not isinstance(each, bool)
    ]


def _seconds(value: Any) -> list[tuple[str, float]]:
    if not isinstance(value, dict):
        return []
    return [
        (str(PHASE_LABELS.get(key, key)), float(each))
        for key, each in value.items()
        if _number(each) is not None
    ]
