"""Scoring: from theta on the logit scale to a level of the framework.

Levels are numbered ``0 .. len(cut_scores)``: a theta below the first cut score is level 0,
a theta at or above cut ``k`` (0-based) and below cut ``k + 1`` is level ``k + 1``. A theta tied
with a cut score (equal within the tolerance of :mod:`palier.engine.ties`, e.g. a prior mean
recomputed by quadrature on a cut at 0) counts as reaching it, so that rounding noise cannot
move a learner across a level on another processor. Cut scores come from standard setting and
are stored with the framework version.

The probability of each level uses the normal approximation of the posterior,
``theta ~ N(theta_hat, se^2)``:

    P(level k) = Phi((cut_k - theta_hat) / se) - Phi((cut_{k-1} - theta_hat) / se)

with ``cut_{-1} = -inf`` and ``cut_K = +inf`` (Rudner, 2005, expected classification accuracy).

Reference: Rudner, L. M. (2005). Expected classification accuracy. *Practical Assessment,
Research & Evaluation*, 10(13).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtr

from palier.engine.arrays import FloatArray, IntArray
from palier.engine.ties import tolerance


def _cuts(cut_scores: Sequence[float] | ArrayLike) -> FloatArray:
    cuts = np.asarray(cut_scores, dtype=np.float64)
    if cuts.ndim != 1:
        raise ValueError("cut_scores must be a one-dimensional sequence")
    if not np.all(np.isfinite(cuts)) or np.any(np.diff(cuts) <= 0):
        raise ValueError("cut_scores must be finite and strictly increasing")
    return cuts


def level(theta: ArrayLike, cut_scores: Sequence[float] | ArrayLike) -> IntArray:
    """Level of each theta: the number of cut scores at or below it (or tied with it)."""
    theta_array = np.asarray(theta, dtype=np.float64)
    return np.searchsorted(_cuts(cut_scores), theta_array + tolerance(theta_array), side="right")


def level_probabilities(
    theta: ArrayLike, se: ArrayLike, cut_scores: Sequence[float] | ArrayLike
) -> FloatArray:
    """Probability of each level under ``N(theta, se^2)`` (last axis: ``len(cuts) + 1``)."""
    cuts = _cuts(cut_scores)
    theta_array = np.asarray(theta, dtype=np.float64)
    se_array = np.asarray(se, dtype=np.float64)
    if np.any(se_array <= 0) or not np.all(np.isfinite(se_array)):
        raise ValueError("se must be finite and > 0")
    edges = np.concatenate(([-np.inf], cuts, [np.inf]))
    cumulative = ndtr((edges - theta_array[..., None]) / se_array[..., None])
    return np.asarray(np.diff(cumulative, axis=-1), dtype=np.float64)


def classified(
    theta: float, se: float, cut_scores: Sequence[float] | ArrayLike, critical_value: float
) -> bool:
    """Whether ``theta +- critical_value * se`` lies within one level band (Eggen, 1999).

    Reference: Eggen, T. J. H. M. (1999). Item selection in adaptive testing with the sequential
    probability ratio test. *Applied Psychological Measurement*, 23, 249-261.
    """
    cuts = np.asarray(cut_scores, dtype=np.float64)
    if cuts.size == 0:
        return True
    bounds = np.array([theta - critical_value * se, theta + critical_value * se])
    # The same tie rule as level(): a bound tied with a cut counts as reaching it.
    low, high = np.searchsorted(cuts, bounds + tolerance(bounds), side="right")
    return bool(low == high)
