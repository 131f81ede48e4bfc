"""Differential item functioning between two groups: the Mantel-Haenszel procedure.

Persons are matched on a stratum (summed score for fixed forms; for adaptive data, a band of
the ability estimate, see :func:`matching_strata`). For item ``i`` and stratum ``k`` with
reference-group counts ``A`` (right) and ``B`` (wrong), focal-group counts ``C`` and ``D``,
``N = A + B + C + D``:

    alpha_MH = sum_k (A D / N) / sum_k (B C / N)          (common odds ratio)
    Delta_MH = -2.35 ln(alpha_MH)                         (ETS delta scale)
    chi2_MH  = (|sum A - sum E(A)| - 0.5)^2 / sum Var(A),
    E(A) = n_R m_1 / N,  Var(A) = n_R n_F m_1 m_0 / (N^2 (N - 1))

A negative Delta means the item is harder for the focal group. ETS classes (simplified, using
the chi-square test for significance): "A" negligible (|Delta| < 1 or not significant at 5 %),
"C" large (|Delta| >= 1.5 and significant), "B" otherwise.

References: Mantel, N., & Haenszel, W. (1959). *JNCI*, 22, 719-748. Holland, P. W., & Thayer,
D. T. (1988). Differential item performance and the Mantel-Haenszel procedure. In Wainer &
Braun (Eds.), *Test validity*. Zwick, R. (2012). A review of ETS differential item functioning
assessment procedures. ETS RR-12-08.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import chi2

from palier.engine.arrays import FloatArray, IntArray

ETS_DELTA_SCALE = -2.35
NEGLIGIBLE_DELTA = 1.0
LARGE_DELTA = 1.5
SIGNIFICANCE = 0.05


@dataclass(frozen=True, eq=False)
class DifResult:
    """Mantel-Haenszel statistics per item (NaN where an item lacks data in both groups)."""

    alpha: FloatArray
    delta: FloatArray
    statistic: FloatArray
    p_value: FloatArray
    ets_class: tuple[str, ...]
    n_reference: IntArray
    n_focal: IntArray


def matching_strata(values: ArrayLike, n_strata: int = 10) -> IntArray:
    """Cut ``values`` (e.g. persons' ability estimates) into ``n_strata`` equal-count strata."""
    array = np.asarray(values, dtype=np.float64)
    if n_strata < 1:
        raise ValueError("n_strata must be at least 1")
    if not np.all(np.isfinite(array)):
        raise ValueError("matching values must be finite")
    edges = np.quantile(array, np.linspace(0, 1, n_strata + 1)[1:-1])
    return np.searchsorted(edges, array, side="right").astype(np.intp)


def mantel_haenszel(
    item: ArrayLike,
    correct: ArrayLike,
    focal: ArrayLike,
    stratum: ArrayLike,
    n_items: int | None = None,
) -> DifResult:
    """Mantel-Haenszel DIF of every item; one row per answer: item index, correctness,
    whether the person belongs to the focal group, and the person's matching stratum."""
    items = np.asarray(item)
    answers = np.asarray(correct)
    focal_group = np.asarray(focal)
    strata = np.asarray(stratum)
    if not (items.shape == answers.shape == focal_group.shape == strata.shape) or items.ndim != 1:
        raise ValueError("item, correct, focal and stratum must be 1-D arrays of equal length")
    if items.size == 0:
        raise ValueError("no responses")
    if items.dtype.kind not in "iu" or strata.dtype.kind not in "iu":
        raise ValueError("item and stratum must be integer arrays")
    if items.min() < 0 or strata.min() < 0:
        raise ValueError("item and stratum indices must be non-negative")
    answers = answers.astype(bool)
    focal_group = focal_group.astype(bool)
    n_items = int(items.max()) + 1 if n_items is None else n_items
    n_strata = int(strata.max()) + 1
    cell = (items * n_strata + strata) * 4 + focal_group * 2 + answers
    counts = np.bincount(cell, minlength=n_items * n_strata * 4).reshape(n_items, n_strata, 2, 2)
    counts = counts.astype(np.float64)
    ref_right, ref_wrong = counts[:, :, 0, 1], counts[:, :, 0, 0]
    foc_right, foc_wrong = counts[:, :, 1, 1], counts[:, :, 1, 0]
    total = counts.sum(axis=(2, 3))
    n_ref = ref_right + ref_wrong
    n_foc = foc_right + foc_wrong
    right = ref_right + foc_right
    wrong = ref_wrong + foc_wrong
    usable = (total >= 2) & (n_ref > 0) & (n_foc > 0)
    safe_total = np.where(usable, total, 1.0)
    numerator = np.where(usable, ref_right * foc_wrong / safe_total, 0).sum(axis=1)
    denominator = np.where(usable, ref_wrong * foc_right / safe_total, 0).sum(axis=1)
    expected = np.where(usable, n_ref * right / safe_total, 0).sum(axis=1)
    variance = np.where(
        usable, n_ref * n_foc * right * wrong / (safe_total**2 * np.maximum(safe_total - 1, 1)), 0
    ).sum(axis=1)
    observed = np.where(usable, ref_right, 0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = numerator / denominator
        delta = ETS_DELTA_SCALE * np.log(alpha)
        statistic = (np.maximum(np.abs(observed - expected) - 0.5, 0)) ** 2 / variance
    valid = variance > 0
    alpha = np.where(valid, alpha, np.nan)
    delta = np.where(valid, delta, np.nan)
    statistic = np.where(valid, statistic, np.nan)
    p_value = np.where(valid, chi2.sf(np.nan_to_num(statistic), 1), np.nan)
    classes = []
    for d, p in zip(delta, p_value, strict=True):
        if (
            not np.isfinite(d)
            or not np.isfinite(p)
            or abs(d) < NEGLIGIBLE_DELTA
            or p >= SIGNIFICANCE
        ):
            classes.append("A")
        elif abs(d) >= LARGE_DELTA:
            classes.append("C")
        else:
            classes.append("B")
    return DifResult(
        alpha=alpha,
        delta=delta,
        statistic=statistic,
        p_value=p_value,
        ets_class=tuple(classes),
        n_reference=np.bincount(items[~focal_group], minlength=n_items),
        n_focal=np.bincount(items[focal_group], minlength=n_items),
    )
