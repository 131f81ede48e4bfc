"""Readers of what a calibration run recorded as JSON (`linking`, `summary`, and each
`ItemStatistic.dif`), for the review page. The shapes are those the pipeline writes
(psychometrics.pipeline, .scaling, .dif, .impact; docs/calibration.md); a key a run did not
write shows as missing on the page, never as an error, so an older run still opens."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from palier.accounts.choices import LearnerStatus

#: ETS classes listed by default in the DIF table (A is negligible DIF).
FLAGGED_DIF_CLASSES = ("B", "C")
DIF_DIMENSIONS = ("population", "language", "status")
DIF_CLASS_ORDER = {"C": 0, "B": 1, "A": 2}
#: What the pipeline writes for a comparison it could not make.
NOT_ENOUGH_DATA = "not_enough_data"
LANGUAGE_LABELS = {"fr": _("français"), "en": _("anglais")}
#: The reference group of a "one group against all the others" comparison.
OTHERS = "others"

COUNT_LABELS = {
    "attempts": _("Tests"),
    "responses": _("Réponses lues"),
    "responses_used": _("Réponses utilisées"),
    "item_versions_answered": _("Questions avec au moins une réponse"),
    "estimated": _("Questions estimées"),
    "fixed": _("Questions aux paramètres fixés"),
    "too_few_responses": _("Questions avec trop peu de réponses"),
    "kept_from_reference": _("Questions reprises de la calibration de référence"),
    "misfit": _("Questions mal ajustées"),
    "dif_class_c": _("Questions avec un DIF de classe C"),
}
PHASE_LABELS = {
    "read": _("Lecture des réponses"),
    "calibrate": _("Estimation"),
    "link": _("Mise à l'échelle"),
    "fit": _("Ajustement"),
    "dif": _("Fonctionnement différentiel"),
    "correlation": _("Corrélation entre domaines"),
    "impact": _("Impact simulé"),
    "store": _("Enregistrement"),
}

#: An item version as the page names it: (item code, version number).
Label = tuple[str, int]


def number(value: Any) -> float | None:
    """A finite number, or None for anything else (missing, text, NaN)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def version_label(version_id: Any, labels: Mapping[int, Label]) -> str:
    label = labels.get(version_id) if isinstance(version_id, int) else None
    return f"{label[0]} v{label[1]}" if label else str(version_id)


# --- blocking reasons ----------------------------------------------------------------------------


def blocking_messages(entries: Any) -> list[str]:
    """The messages of summary["blocking"] (entries {"code", "message", ...} or text)."""
    if isinstance(entries, (str, dict)):
        entries = [entries]
    if not isinstance(entries, list):
        return []
    messages = []
    for entry in entries:
        text = entry.get("message") or entry.get("code") if isinstance(entry, dict) else entry
        if text and str(text).strip():
            messages.append(str(text))
    return messages


# --- linking -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DroppedAnchor:
    label: str
    displacement: float | None


@dataclass(frozen=True)
class AreaLink:
    area_code: str
    linked: bool
    slope: float | None
    intercept: float | None
    mean_sigma_slope: float | None
    mean_sigma_intercept: float | None
    criterion: float | None
    anchors_used: list[str]
    anchors_dropped: list[DroppedAnchor]
    note: str


@dataclass(frozen=True)
class Linking:
    fixed_parameters: bool
    method: str
    drift_threshold: float | None
    areas: list[AreaLink]


def anchor_ids(value: Any) -> set[int]:
    """Every item version the linking names (anchors used and dropped)."""
    if not isinstance(value, dict) or not isinstance(value.get("areas"), dict):
        return set()
    ids: set[int] = set()
    for entry in value["areas"].values():
        if not isinstance(entry, dict):
            continue
        for each in entry.get("anchors_used") or []:
            if isinstance(each, int):
                ids.add(each)
        for each in entry.get("anchors_dropped") or []:
            version = each.get("item_version") if isinstance(each, dict) else each
            if isinstance(version, int):
                ids.add(version)
    return ids


def read_linking(value: Any, labels: Mapping[int, Label]) -> Linking | None:
    """{"method": "fixed_parameters"} or {"method", "drift_threshold", "areas": {code: {
    "linked", "slope", "intercept", "mean_sigma_slope", "mean_sigma_intercept", "criterion",
    "anchors_used": [ids], "anchors_dropped": [{"item_version", "displacement"}], "reason"}}}."""
    if not isinstance(value, dict):
        return None
    method = str(value.get("method") or "")
    if method == "fixed_parameters":
        return Linking(True, method, None, [])
    areas = value.get("areas") if isinstance(value.get("areas"), dict) else {}
    links = []
    for code, entry in sorted(areas.items()):
        if not isinstance(entry, dict):
            continue
        dropped = []
        for each in entry.get("anchors_dropped") or []:
            if isinstance(each, dict):
                dropped.append(
                    DroppedAnchor(
                        version_label(each.get("item_version"), labels),
                        number(each.get("displacement")),
                    )
                )
            else:
                dropped.append(DroppedAnchor(version_label(each, labels), None))
        links.append(
            AreaLink(
                area_code=str(code),
                linked=entry.get("linked", True) is not False,
                slope=number(entry.get("slope")),
                intercept=number(entry.get("intercept")),
                mean_sigma_slope=number(entry.get("mean_sigma_slope")),
                mean_sigma_intercept=number(entry.get("mean_sigma_intercept")),
                criterion=number(entry.get("criterion")),
                anchors_used=[
                    version_label(each, labels) for each in entry.get("anchors_used") or []
                ],
                anchors_dropped=dropped,
                note=str(entry.get("reason") or entry.get("message") or ""),
            )
        )
    return Linking(False, method, number(value.get("drift_threshold")), links)


# --- DIF -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DifRow:
    item_code: str
    version_number: int
    dimension: str  # population, language or status
    focal: str
    reference: str
    delta: float | None
    p_value: float | None
    ets_class: str
    focal_count: int | None
    reference_count: int | None


def _comparisons(value: Any) -> list[dict[str, Any]]:
    """The comparisons of one DIF dimension: {"class": worst, "groups": [...]} as the
    pipeline writes it (a bare comparison or list of them is read too)."""
    if isinstance(value, dict) and isinstance(value.get("groups"), list):
        value = value["groups"]
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return []
    return [each for each in value if isinstance(each, dict)]


def _group_label(dimension: str, value: Any, populations: Mapping[str, str]) -> str:
    text = "" if value is None else str(value)
    if text == OTHERS:
        return str(_("les autres"))
    if dimension == "population":
        return populations.get(text, text)
    if dimension == "language":
        return str(LANGUAGE_LABELS[text]) if text in LANGUAGE_LABELS else text
    if dimension == "status":
        return str(LearnerStatus(text).label) if text in LearnerStatus.values else text
    return text


def _count(value: Any) -> int | None:
    counted = number(value)
    return None if counted is None else int(counted)


def read_dif(
    items: Iterable[tuple[Label, Any]], populations: Mapping[str, str], include_a: bool
) -> tuple[list[DifRow], int]:
    """DIF comparisons of the run's items, class C first then B (then A when asked), largest
    |Delta| first; and how many comparisons lacked the data to be made. `populations` names
    population codes."""
    rows = []
    without_data = 0
    for (code, version_number), dif in items:
        if not isinstance(dif, dict):
            continue
        for dimension in DIF_DIMENSIONS:
            for comparison in _comparisons(dif.get(dimension)):
                ets_class = str(comparison.get("class") or "")
                if comparison.get("note") == NOT_ENOUGH_DATA or ets_class not in DIF_CLASS_ORDER:
                    without_data += 1
                    continue
                if not include_a and ets_class not in FLAGGED_DIF_CLASSES:
                    continue
                rows.append(
                    DifRow(
                        item_code=code,
                        version_number=version_number,
                        dimension=dimension,
                        focal=_group_label(dimension, comparison.get("focal"), populations),
                        reference=_group_label(dimension, comparison.get("reference"), populations),
                        delta=number(comparison.get("delta")),
                        p_value=number(comparison.get("p_value")),
                        ets_class=ets_class,
                        focal_count=_count(comparison.get("n_focal")),
                        reference_count=_count(comparison.get("n_reference")),
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


def names_populations(items: Iterable[Any]) -> bool:
    """True when some item's DIF compares populations (their names must then be read)."""
    return any(isinstance(dif, dict) and dif.get("population") for dif in items)


# --- correlation, impact, counts, timings --------------------------------------------------------


@dataclass(frozen=True)
class Correlation:
    area_codes: list[str]
    rows: list[tuple[str, list[float | None]]]


def read_correlation(value: Any) -> Correlation | None:
    """{"areas": [codes], "matrix": [[r]]}."""
    if not isinstance(value, dict):
        return None
    codes = [str(code) for code in value.get("areas") or []]
    matrix = value.get("matrix") or []
    if not codes or not isinstance(matrix, list) or len(matrix) != len(codes):
        return None
    return Correlation(
        area_codes=codes,
        rows=[
            (code, [number(each) for each in row] if isinstance(row, list) else [])
            for code, row in zip(codes, matrix, strict=True)
        ],
    )


@dataclass(frozen=True)
class ImpactRow:
    area_code: str
    accuracy_active: float | None
    accuracy_draft: float | None
    within_one_active: float | None
    within_one_draft: float | None
    se_active: float | None
    se_draft: float | None


@dataclass(frozen=True)
class Impact:
    learners: int | None
    mean_length_active: float | None
    mean_length_draft: float | None
    areas: list[ImpactRow]
    error: str = ""


def read_impact(value: Any) -> Impact | None:
    """{"simulees", "areas": [codes], "draft"|"active": {"mean_length", "areas": {code:
    {"exact_level", "within_one_level", "mean_se", ...}}}} or {"error": text}."""
    if not isinstance(value, dict):
        return None
    if value.get("error"):
        return Impact(None, None, None, [], error=str(value["error"]))
    draft = value.get("draft") if isinstance(value.get("draft"), dict) else {}
    active = value.get("active") if isinstance(value.get("active"), dict) else {}
    if not draft:
        return None

    def area_value(side: dict, code: str, key: str) -> float | None:
        areas = side.get("areas")
        row = areas.get(code) if isinstance(areas, dict) else None
        return number(row.get(key)) if isinstance(row, dict) else None

    codes = [str(code) for code in value.get("areas") or []]
    if not codes and isinstance(draft.get("areas"), dict):
        codes = sorted(str(code) for code in draft["areas"])
    return Impact(
        learners=_count(value.get("simulees")),
        mean_length_active=number(active.get("mean_length")),
        mean_length_draft=number(draft.get("mean_length")),
        areas=[
            ImpactRow(
                area_code=code,
                accuracy_active=area_value(active, code, "exact_level"),
                accuracy_draft=area_value(draft, code, "exact_level"),
                within_one_active=area_value(active, code, "within_one_level"),
                within_one_draft=area_value(draft, code, "within_one_level"),
                se_active=area_value(active, code, "mean_se"),
                se_draft=area_value(draft, code, "mean_se"),
            )
            for code in codes
        ],
    )


def read_counts(summary: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """What the run read and estimated, with the estimation's model and convergence."""
    facts: list[tuple[str, Any]] = []
    if summary.get("model"):
        facts.append((str(_("Modèle")), str(summary["model"]).upper()))
    counts = summary.get("counts")
    if isinstance(counts, dict):
        facts += [
            (str(COUNT_LABELS.get(key, key)), each)
            for key, each in counts.items()
            if isinstance(each, int) and not isinstance(each, bool)
        ]
    convergence = summary.get("convergence")
    if isinstance(convergence, dict):
        if "converged" in convergence:
            facts.append(
                (
                    str(_("Estimation convergée")),
                    str(_("oui") if convergence["converged"] else _("non")),
                )
            )
        if _count(convergence.get("iterations")) is not None:
            facts.append((str(_("Itérations de l'estimation")), int(convergence["iterations"])))
    return facts


def read_seconds(value: Any) -> list[tuple[str, float]]:
    """Seconds per phase, in the order the run went through them."""
    if not isinstance(value, dict):
        return []
    return [
        (str(PHASE_LABELS.get(key, key)), float(each))
        for key, each in value.items()
        if number(each) is not None
    ]


def too_few_ids(summary: Mapping[str, Any]) -> dict[int, int] | None:
    """{item version: responses} of summary["too_few_responses"]; None when the run did not
    list them."""
    listed = summary.get("too_few_responses")
    if not isinstance(listed, list):
        return None
    return {
        entry["item_version"]: _count(entry.get("responses")) or 0
        for entry in listed
        if isinstance(entry, dict) and isinstance(entry.get("item_version"), int)
    }
