"""Item fit for sparse (adaptive) data: RMSD and a grouped chi-square on posterior expectations.

S-X2 (Orlando & Thissen, 2000) groups persons by summed score, which needs every person to
answer the same items; adaptive data do not allow it. Two statistics that do are computed from
each person's posterior on the quadrature nodes at the calibrated parameters:

- RMSD (Koehler, Robitzsch & Hartig, 2020), an effect size, with pseudo-counts ``r_q``/``n_q``
  of the E-step: ``RMSD = sqrt(sum_q pi_q (r_q / n_q - P(theta_q))^2)``, ``pi_q = n_q / sum n``.
  Values below about 0.05-0.08 are usually read as acceptable fit.
- A Q1-type chi-square (Yen, 1981) on the persons who answered the item, grouped into
  ``n_groups`` equal-size groups by EAP: ``X2 = sum_g n_g (O_g - E_g)^2 / (E_g (1 - E_g))`` with
  ``O_g`` the observed proportion correct and ``E_g`` the mean posterior expectation of
  ``P(theta)`` in the group; referred to ``chi2(n_groups - n_parameters)``. Grouping on
  estimates makes the reference distribution approximate (Stone, 2000): use the p-value to rank
  items for review, not as an exact test.

References: Yen, W. M. (1981). Using simulation results to choose a latent trait model. *APM*,
5, 245-262. Orlando, M., & Thissen, D. (2000). *APM*, 24, 50-64. Stone, C. A. (2000).
Monte Carlo based null distribution for an alternative goodness-of-fit test statistic in IRT
models. *JEM*, 37, 58-75. Koehler, C., Robitzsch, A., & Hartig, J. (2020). A bias-corrected
RMSD item fit statistic. *JEBS*, 45, 251-273.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit
from scipy.stats import chi2

from palier.engine.calibrate import Calibration
from palier.engine.em import (
    build_design,
    e_step,
    log_table,
    person_codes,
    posteriors,
    validate_long_format,
)

FloatArray = NDArray[np.float64]

DEFAULT_GROUPS = 10
#: Persons per block when reading posterior expectations for each answer.
PERSON_BLOCK = 4096


@dataclass(frozen=True, eq=False)
class ItemFit:
    """Fit statistics per item (NaN for items without responses)."""

    rmsd: FloatArray
    statistic: FloatArray
    df: int
    p_value: FloatArray
    n_groups: int


def item_fit(
    person: ArrayLike,
    item: ArrayLike,
    correct: ArrayLike,
    calibration: Calibration,
    n_groups: int = DEFAULT_GROUPS,
) -> ItemFit:
    """RMSD and grouped chi-square of every item for the data used (or new data)."""
    if n_groups < 2:
        raise ValueError("n_groups must be at least 2")
    n_items = calibration.discrimination.size
    persons, items, answers, _ = validate_long_format(person, item, correct, n_items)
    codes, n_persons = person_codes(persons)
    nodes = calibration.quadrature_nodes
    a = np.nan_to_num(calibration.discrimination, nan=1.0)
    b = np.nan_to_num(calibration.difficulty, nan=0.0)
    c = (
        np.zeros(n_items)
        if calibration.guessing is None
        else np.nan_to_num(calibration.guessing, nan=0.0)
    )
    table = log_table(nodes, a, -a * b, c)
    model_p = expit(a[:, None] * nodes[None, :] - (a * b)[:, None])
    model_p = c[:, None] + (1 - c[:, None]) * model_p
    rmsd = np.full(n_items, np.nan)
    eap = np.empty(items.size)
    expected = np.empty(items.size)
    for area in np.unique(calibration.item_areas[items]):
        in_area = calibration.item_areas[items] == area
        design = build_design(
            persons[in_area],
            items[in_area],
            answers[in_area],
            n_items,
            codes=codes[in_area],
            n_persons=n_persons,
        )
        mean = float(calibration.population_mean[min(area, calibration.population_mean.size - 1)])
        sd = float(calibration.population_sd[min(area, calibration.population_sd.size - 1)])
        log_prior = -0.5 * ((nodes - mean) / sd) ** 2
        log_prior -= np.log(np.exp(log_prior).sum())
        counts = e_step(design, table, nodes, log_prior)
        with np.errstate(invalid="ignore", divide="ignore"):
            observed = counts.correct_counts / counts.total_counts
            share = counts.total_counts / counts.total_counts.sum(axis=1, keepdims=True)
            squared = np.nansum(share * (observed - model_p) ** 2, axis=1)
        answered = np.bincount(items[in_area], minlength=n_items) > 0
        rmsd[answered] = np.sqrt(squared[answered])
        weights = posteriors(design, table, log_prior)
        person_eap = weights @ nodes
        area_index = np.flatnonzero(in_area)
        area_codes = codes[in_area]
        area_items = items[in_area]
        eap[area_index] = person_eap[area_codes]
        order = np.argsort(area_codes, kind="stable")
        sorted_codes = area_codes[order]
        bounds = np.searchsorted(sorted_codes, np.arange(0, n_persons + PERSON_BLOCK, PERSON_BLOCK))
        for block, start in enumerate(range(0, n_persons, PERSON_BLOCK)):
            span = order[bounds[block] : bounds[block + 1]]
            if span.size == 0:
                continue
            person_item = weights[start : start + PERSON_BLOCK] @ model_p.T
            expected[area_index[span]] = person_item[area_codes[span] - start, area_items[span]]
    # Rank answers by EAP within each item, then cut each item's answers into equal groups.
    order = np.lexsort((eap, items))
    per_item = np.bincount(items, minlength=n_items)
    first = np.concatenate(([0], np.cumsum(per_item)[:-1]))
    rank = np.empty(items.size)
    rank[order] = np.arange(items.size) - first[items[order]]
    group = np.minimum(
        (rank * n_groups / np.maximum(per_item[items], 1)).astype(np.intp), n_groups - 1
    )
    key = items * n_groups + group
    size = np.bincount(key, minlength=n_items * n_groups).reshape(n_items, n_groups)
    rights = np.bincount(key, weights=answers, minlength=n_items * n_groups).reshape(
        n_items, n_groups
    )
    model = np.bincount(key, weights=expected, minlength=n_items * n_groups).reshape(
        n_items, n_groups
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        observed_share = rights / size
        expected_share = np.clip(model / size, 1e-9, 1 - 1e-9)
        terms = (
            size * (observed_share - expected_share) ** 2 / (expected_share * (1 - expected_share))
        )
    statistic = np.where(per_item > 0, np.nansum(np.where(size > 0, terms, 0.0), axis=1), np.nan)
    n_parameters = 2 if calibration.guessing is None else 3
    df = max(n_groups - n_parameters, 1)
    p_value = np.where(per_item > 0, chi2.sf(statistic, df), np.nan)
    return ItemFit(rmsd=rmsd, statistic=statistic, df=df, p_value=p_value, n_groups=n_groups)
