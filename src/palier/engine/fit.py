"""Item fit for sparse (adaptive) data: RMSD and a grouped chi-square on posterior expectations.

S-X2 (Orlando & Thissen, 2000) groups persons by summed score, which needs every person to
answer the same items; adaptive data do not allow it. Two statistics that do are computed from
each person's posterior on the quadrature nodes at the calibrated parameters:

- RMSD (Koehler, Robitzsch & Hartig, 2020), an effect size, with pseudo-counts ``r_q``/``n_q``
  of the E-step: ``RMSD = sqrt(sum_q pi_q (r_q / n_q - P(theta_q))^2)``, ``pi_q = n_q / sum n``.
  Values below about 0.05-0.08 are usually read as acceptable fit.
- A grouped chi-square on rest-posterior predictions, in the spirit of Yen's (1981) Q1 and
  Orlando & Thissen's S-X2 (which condition on the rest score): for each answer, the person's
  posterior *without that answer* gives the predicted probability ``pi = E_rest[P(theta)]`` and
  the rest EAP. The item's answers are cut into ``n_groups`` equal groups by rest EAP and

      X2 = sum_g (sum_{p in g} x_p - sum_{p in g} pi_p)^2 / sum_{p in g} pi_p (1 - pi_p)

  Under the model each ``x_p`` is Bernoulli(``pi_p``) given the other answers, independently of
  the grouping, so ``X2`` is referred to ``chi2(n_groups - n_parameters)`` (the parameters'
  estimation is ignored, as in Orlando & Thissen). Use the p-value to rank items for review.

References: Yen, W. M. (1981). Using simulation results to choose a latent trait model. *APM*,
5, 245-262. Orlando, M., & Thissen, D. (2000). *APM*, 24, 50-64. Stone, C. A. (2000).
Monte Carlo based null distribution for an alternative goodness-of-fit test statistic in IRT
models. *JEM*, 37, 58-75. Koehler, C., Robitzsch, A., & Hartig, J. (2020). A bias-corrected
RMSD item fit statistic. *JEBS*, 45, 251-273.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit
from scipy.stats import chi2

from palier.engine.arrays import FloatArray
from palier.engine.calibrate import Calibration
from palier.engine.em import (
    build_design,
    e_step,
    log_table,
    normal_log_prior,
    person_codes,
    posteriors,
    validate_long_format,
)

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
    rest_eap = np.empty(items.size)
    predicted = np.empty(items.size)
    # Per answer column j (item, right/wrong) and node q: 1 / L_jq, P_q / L_jq and theta_q / L_jq,
    # so that posterior-weighted sums divided by the answer's own likelihood give the rest
    # posterior without a second pass over the data.
    own = np.exp(table)
    inverse = 1.0 / np.maximum(own, 1e-300)
    columns_tables = (
        inverse,
        np.repeat(model_p, 2, axis=0) * inverse,
        nodes[None, :] * inverse,
    )
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
        log_prior = normal_log_prior(nodes, mean, sd)
        counts = e_step(design, table, nodes, log_prior)
        with np.errstate(invalid="ignore", divide="ignore"):
            observed = counts.correct_counts / counts.total_counts
            share = counts.total_counts / counts.total_counts.sum(axis=1, keepdims=True)
            squared = np.nansum(share * (observed - model_p) ** 2, axis=1)
        answered = np.bincount(items[in_area], minlength=n_items) > 0
        rmsd[answered] = np.sqrt(squared[answered])
        weights = posteriors(design, table, log_prior)
        area_index = np.flatnonzero(in_area)
        area_codes = codes[in_area]
        area_columns = 2 * items[in_area] + ~answers[in_area]
        order = np.argsort(area_codes, kind="stable")
        bounds = np.searchsorted(
            area_codes[order], np.arange(0, n_persons + PERSON_BLOCK, PERSON_BLOCK)
        )
        for block, start in enumerate(range(0, n_persons, PERSON_BLOCK)):
            span = order[bounds[block] : bounds[block + 1]]
            if span.size == 0:
                continue
            block_weights = weights[start : start + PERSON_BLOCK]
            rows, cols = area_codes[span] - start, area_columns[span]
            norm, right, location = (
                (block_weights @ column_table.T)[rows, cols] for column_table in columns_tables
            )
            predicted[area_index[span]] = right / norm
            rest_eap[area_index[span]] = location / norm
    # Rank answers by rest EAP within each item, then cut each item's answers into equal groups.
    order = np.lexsort((rest_eap, items))
    per_item = np.bincount(items, minlength=n_items)
    first = np.concatenate(([0], np.cumsum(per_item)[:-1]))
    rank = np.empty(items.size)
    rank[order] = np.arange(items.size) - first[items[order]]
    group = np.minimum(
        (rank * n_groups / np.maximum(per_item[items], 1)).astype(np.intp), n_groups - 1
    )
    key = items * n_groups + group
    cells = n_items * n_groups
    rights = np.bincount(key, weights=answers, minlength=cells).reshape(n_items, n_groups)
    model = np.bincount(key, weights=predicted, minlength=cells).reshape(n_items, n_groups)
    variance = np.bincount(key, weights=predicted * (1 - predicted), minlength=cells)
    variance = variance.reshape(n_items, n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.where(variance > 0, (rights - model) ** 2 / variance, 0.0)
    statistic = np.where(per_item > 0, terms.sum(axis=1), np.nan)
    n_parameters = 2 if calibration.guessing is None else 3
    df = max(n_groups - n_parameters, 1)
    p_value = np.where(per_item > 0, chi2.sf(statistic, df), np.nan)
    return ItemFit(rmsd=rmsd, statistic=statistic, df=df, p_value=p_value, n_groups=n_groups)
