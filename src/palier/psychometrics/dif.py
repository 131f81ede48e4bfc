"""DIF of a draft: persons matched on their ability in each area, Mantel-Haenszel per group.

Adaptive tests give each person different items, so persons are matched on their EAP in the
item's area computed with the draft's parameters (posterior mean on the calibration's
quadrature nodes, Bock & Mislevy, 1982), cut into ten equal-count strata
(`palier.engine.matching_strata`; Zwick, 2012, for matching on an IRT ability in CAT data).

Three dimensions: population (each population with enough persons, as the focal group, against
all the others), language (English against French) and learner situation (each situation
against the others). An item's group comparison is reported only when both groups gave at
least MIN_GROUP_RESPONSES answers to it; otherwise it is marked "not enough data".

References: Holland, P. W., & Thayer, D. T. (1988), in Wainer & Braun (Eds.), *Test validity*.
Zwick, R. (2012). A review of ETS differential item functioning assessment procedures. ETS
RR-12-08. Bock, R. D., & Mislevy, R. J. (1982). *APM*, 6, 431-444.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from palier.engine import Calibration, mantel_haenszel, matching_strata
from palier.engine.em import build_design, chunk_posterior, log_table, normal_log_prior

#: Fewest answers to an item in each group (focal and reference) for a DIF statistic;
#: below it the Mantel-Haenszel chi-square has too little power to be read (Zieky, 1993,
#: used 200 per group for fixed forms; 100 is the usual floor in CAT pools, Zwick, 2012).
MIN_GROUP_RESPONSES = 100
#: Matching strata (deciles of the ability estimate).
MATCHING_STRATA = 10
NOT_ENOUGH_DATA = "not_enough_data"
#: Order of severity of the ETS classes (the worst class of a dimension is reported).
CLASS_ORDER = {"A": 0, "B": 1, "C": 2}


def person_eap(
    person: np.ndarray, item: np.ndarray, correct: np.ndarray, n_persons: int, fit: Calibration
) -> np.ndarray:
    """EAP of every person in every area, ``(n_persons, n_areas)``, with the calibration's
    parameters and ability distribution of each area (persons without answers in an area
    get the area's mean). Computed chunk by chunk: memory stays at one chunk's posteriors."""
    nodes = fit.quadrature_nodes
    n_items = fit.discrimination.size
    a = np.nan_to_num(fit.discrimination, nan=1.0)
    b = np.nan_to_num(fit.difficulty, nan=0.0)
    c = np.zeros(n_items) if fit.guessing is None else np.nan_to_num(fit.guessing, nan=0.0)
    table = log_table(nodes, a, -a * b, c)
    n_areas = fit.population_mean.size
    eap = np.empty((n_persons, n_areas))
    for area in range(n_areas):
        in_area = fit.item_areas[item] == area
        design = build_design(
            person[in_area],
            item[in_area],
            correct[in_area],
            n_items,
            codes=person[in_area],
            n_persons=n_persons,
        )
        prior = normal_log_prior(
            nodes, float(fit.population_mean[area]), float(fit.population_sd[area])
        )
        for chunk, offset in zip(design.chunks, design.offsets, strict=True):
            weights = chunk_posterior(chunk, table, prior)
            eap[offset : offset + weights.shape[0], area] = weights @ nodes
    return eap


@dataclass(frozen=True)
class Grouping:
    """One DIF dimension: a name and, per person, a group label index (-1: no group)."""

    dimension: str
    labels: tuple[str, ...]
    group: np.ndarray
    # Compare each label with all others (populations, situations), or labels[1] (focal)
    # with labels[0] (reference) only (language).
    one_against_others: bool = True


def response_strata(
    person: np.ndarray, item: np.ndarray, item_areas: np.ndarray, eap: np.ndarray
) -> np.ndarray:
    """Matching stratum of each answer: deciles of the persons' EAP in the item's area,
    among the persons who answered that area."""
    strata = np.zeros(person.size, dtype=np.intp)
    area_of_answer = item_areas[item]
    for area in range(eap.shape[1]):
        in_area = area_of_answer == area
        if not in_area.any():
            continue
        answered = np.unique(person[in_area])
        person_stratum = np.zeros(eap.shape[0], dtype=np.intp)
        person_stratum[answered] = matching_strata(eap[answered, area], MATCHING_STRATA)
        strata[in_area] = person_stratum[person[in_area]]
    return strata


def _comparison(
    item: np.ndarray,
    correct: np.ndarray,
    focal: np.ndarray,
    reference: np.ndarray,
    strata: np.ndarray,
    n_items: int,
) -> list[dict]:
    """Per item, the MH result of focal against reference answers (others left out)."""
    used = focal | reference
    result = mantel_haenszel(item[used], correct[used], focal[used], strata[used], n_items)
    rows = []
    for index in range(n_items):
        n_focal, n_reference = int(result.n_focal[index]), int(result.n_reference[index])
        row: dict = {"n_focal": n_focal, "n_reference": n_reference}
        if min(n_focal, n_reference) < MIN_GROUP_RESPONSES or not np.isfinite(result.delta[index]):
            row["class"] = None
            row["note"] = NOT_ENOUGH_DATA
        else:
            row["delta"] = round(float(result.delta[index]), 3)
            row["p_value"] = float(result.p_value[index])
            row["class"] = result.ets_class[index]
        rows.append(row)
    return rows


def dif_by_item(
    person: np.ndarray,
    item: np.ndarray,
    correct: np.ndarray,
    strata: np.ndarray,
    n_items: int,
    groupings: Sequence[Grouping],
) -> list[dict]:
    """For each item, ``{dimension: {"class": worst class or None, "groups": [...]}}``, each
    group ``{"focal", "reference", "class", "delta", "p_value", "n_focal", "n_reference"}``
    or with ``"note": "not_enough_data"``."""
    per_item: list[dict] = [{} for _ in range(n_items)]
    for grouping in groupings:
        answer_group = grouping.group[person]
        comparisons: list[tuple[str, str, np.ndarray, np.ndarray]] = []
        if grouping.one_against_others:
            for index, label in enumerate(grouping.labels):
                focal = answer_group == index
                reference = (answer_group != index) & (answer_group >= 0)
                comparisons.append((label, "others", focal, reference))
        else:
            comparisons.append(
                (grouping.labels[1], grouping.labels[0], answer_group == 1, answer_group == 0)
            )
        for item_rows in per_item:
            item_rows[grouping.dimension] = {"class": None, "groups": []}
        for focal_label, reference_label, focal, reference in comparisons:
            if not (focal.any() and reference.any()):
                continue
            rows = _comparison(item, correct, focal, reference, strata, n_items)
            for index, row in enumerate(rows):
                entry = per_item[index][grouping.dimension]
                entry["groups"].append({"focal": focal_label, "reference": reference_label, **row})
                if row["class"] is not None and (
                    entry["class"] is None
                    or CLASS_ORDER[row["class"]] > CLASS_ORDER[entry["class"]]
                ):
                    entry["class"] = row["class"]
    return per_item


def has_large_dif(dif: dict) -> bool:
    """True when any dimension found an ETS class C difference."""
    return any(entry.get("class") == "C" for entry in dif.values())
