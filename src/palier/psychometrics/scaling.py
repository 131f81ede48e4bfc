"""Putting a draft on the reference scale: Stocking-Lord per area through anchor items, or
fixed operational items (pretest runs). Rules and references: docs/calibration.md."""

from __future__ import annotations

import numpy as np

from palier.engine import Linking, stocking_lord, transform
from palier.engine.linking import DEFAULT_DRIFT_THRESHOLD, DEFAULT_MIN_ANCHORS
from palier.psychometrics.statistics import json_number

#: Anchors per area for Stocking-Lord linking, and the drift rule (the engine's defaults:
#: 0.3 logit of displacement and a robust z above 1.645, Huynh & Meyer, 2010).
MIN_ANCHORS = DEFAULT_MIN_ANCHORS
DRIFT_THRESHOLD = DEFAULT_DRIFT_THRESHOLD


def _area_record(link: Linking, anchor_versions: list[int]) -> dict:
    return {
        "linked": True,
        "slope": json_number(link.slope, 6),
        "intercept": json_number(link.intercept, 6),
        "mean_sigma_slope": json_number(link.mean_sigma_slope, 6),
        "mean_sigma_intercept": json_number(link.mean_sigma_intercept, 6),
        "criterion": json_number(link.criterion, 8),
        "anchors_used": [anchor_versions[i] for i in link.anchors_used],
        "anchors_dropped": [
            {"item_version": anchor_versions[i], "displacement": json_number(link.displacement[i])}
            for i in link.anchors_dropped
        ],
        "displacement": {
            str(version): json_number(value)
            for version, value in zip(anchor_versions, link.displacement, strict=True)
        },
    }


def link_areas(
    versions: np.ndarray,
    estimated: np.ndarray,
    item_areas: np.ndarray,
    estimate: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    reference: dict[int, tuple],
    codes: list[str],
) -> tuple[list[Linking | None], dict, list[dict]]:
    """Stocking-Lord per area. Anchors: versions estimated here with parameters in the
    reference (``reference[version] = (a, b, c, ...)``). Returns the link of each area (None:
    left unlinked), the record for `CalibrationRun.linking`, and the blocking reasons."""
    a, b, c = estimate
    links: list[Linking | None] = []
    areas: dict[str, dict] = {}
    blocking: list[dict] = []
    for area, code in enumerate(codes):
        anchors = np.flatnonzero(
            (item_areas == area) & estimated & np.isin(versions, list(reference))
        )
        anchor_versions = versions[anchors].tolist()
        link = None
        if anchors.size < MIN_ANCHORS:
            reason = (
                f"Domaine {code} : {anchors.size} question(s) d'ancrage, il en faut au moins "
                f"{MIN_ANCHORS} pour la mise à l'échelle."
            )
        else:
            rows = [reference[version] for version in anchor_versions]
            try:
                link = stocking_lord(
                    a[anchors],
                    b[anchors],
                    [row[0] for row in rows],
                    [row[1] for row in rows],
                    None if c is None else c[anchors],
                    None if c is None else [row[2] or 0.0 for row in rows],
                    drift_threshold=DRIFT_THRESHOLD,
                    min_anchors=MIN_ANCHORS,
                )
            except ValueError as error:
                reason = f"Domaine {code} : mise à l'échelle impossible ({error})."
        links.append(link)
        if link is None:
            blocking.append({"code": "area_not_linked", "area": code, "message": reason})
            areas[code] = {"linked": False, "reason": reason, "anchors": len(anchor_versions)}
        else:
            areas[code] = _area_record(link, anchor_versions)
    record = {
        "method": "stocking_lord",
        "drift_threshold": DRIFT_THRESHOLD,
        "min_anchors": MIN_ANCHORS,
        "areas": areas,
    }
    return links, record, blocking


def apply_links(
    links: list[Linking | None],
    item_areas: np.ndarray,
    parameters: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    population: dict[str, tuple[float, float]],
    codes: list[str],
) -> None:
    """Transform in place, per linked area: ``a / A``, ``A b + B``, ``se_a / A``, ``A se_b``
    and the ability mean and SD (``A mean + B``, ``A sd``) (Kolen & Brennan, 2014, ch. 6)."""
    a, b, se_a, se_b = parameters
    for area, link in enumerate(links):
        if link is None:
            continue
        in_area = item_areas == area
        a[in_area], b[in_area] = transform(a[in_area], b[in_area], link.slope, link.intercept)
        se_a[in_area] = se_a[in_area] / link.slope
        se_b[in_area] = se_b[in_area] * link.slope
        mean, sd = population[codes[area]]
        population[codes[area]] = (link.slope * mean + link.intercept, link.slope * sd)


def unfixed_areas(item_areas: np.ndarray, fixed: dict[int, tuple], codes: list[str]) -> list[dict]:
    """Blocking reasons of a pretest run: areas with no answered operational item, whose
    pretest items therefore have no scale to land on."""
    fixed_areas = {int(item_areas[index]) for index in fixed}
    return [
        {
            "code": "area_without_fixed_items",
            "area": code,
            "message": f"Domaine {code} : aucune question opérationnelle répondue pour fixer "
            "l'échelle.",
        }
        for area, code in enumerate(codes)
        if area not in fixed_areas
    ]
