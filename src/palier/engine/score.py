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

What a learner is told (:func:`reported_level`): the level of the estimate with its
probability when that probability reaches ``REPORT_THRESHOLD`` (0.6), otherwise "between" that
level and its more probable neighbour, with the two probabilities. The reasons for 0.6 are
given at the constant.

Reference: Rudner, L. M. (2005). Expected classification accuracy. *Practical Assessment,
Research & Evaluation*, 10(13).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtr

from palier.engine.arrays import FloatArray, IntArray
from palier.engine.ties import at_most, first_best, tolerance

#: Probability from which one level is reported alone (else "between" two levels). Why 0.6:
#: (1) above 0.5, so the level reported alone is always the level of the estimate (a band
#: that does not hold ``theta_hat`` lies on one side of it and has probability < 0.5 under
#: ``N(theta_hat, se^2)``), never a level the stored result does not show; (2) the issue's
#: calibration target allows reported probabilities to be off by 0.05 on average, and a
#: level reported at 0.6 is then still right more often than wrong; (3) measured on the seed
#: framework's 1-logit bands (docs/assessments.md), a test with a mean SE of 0.37 to 0.43
#: reports one level alone to 74-81 % of learners, right 73-77 % of the time, and the
#: "between" pairs hold the true level 98-99 % of the time; at 0.7, 42-60 % would get one
#: level, and at 0.8 almost nobody after a short test.
REPORT_THRESHOLD = 0.6


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


@dataclass(frozen=True)
class LevelReport:
    """What to tell a learner about one area (levels numbered ``0 .. len(cut_scores)``).

    ``level`` is the level of the estimate (:func:`level`). ``between`` is None when
    ``level`` is reported alone, with ``probability`` its probability; otherwise it is the
    pair of adjacent levels ``(low, low + 1)`` the learner is reported between, and
    ``probability`` is their summed probability. ``probabilities`` are those of every level.
    """

    level: int
    probability: float
    between: tuple[int, int] | None
    probabilities: tuple[float, ...]


def reported_level(
    theta: float,
    se: float,
    cut_scores: Sequence[float] | ArrayLike,
    threshold: float = REPORT_THRESHOLD,
) -> LevelReport:
    """The level to report for one area, with the probability that it is the right one.

    With ``p = level_probabilities(theta, se, cut_scores)`` (normal approximation of the
    posterior, Rudner, 2005) and ``k = level(theta, cut_scores)``:

    - ``p[k] >= threshold``: level ``k`` alone, with probability ``p[k]``;
    - otherwise: between ``k`` and its more probable neighbour ``m`` (``k - 1`` or ``k + 1``),
      with probability ``p[k] + p[m]``; that is the adjacent pair holding ``k`` that is most
      likely to hold the true level.

    The learner is told the estimate's level, or a pair that holds it, so the report never
    contradicts the stored level. For any ``se`` up to about 1.48 band widths the pair is
    also the most probable adjacent pair overall (equal bands: a band two steps away has
    more probability than the estimate's own only beyond that SE).

    Ties, so that every processor says the same thing: ``p[k]`` tied with the threshold
    (:mod:`palier.engine.ties`) reaches it; neighbours tied in probability (an estimate in
    the middle of a band of equal neighbours) give the lower pair, the more modest statement.
    Levels are reported alone when there are no cut scores. ``threshold`` must lie in
    ``[0.5, 1]``; ``se`` must be finite and > 0.
    """
    if not 0.5 <= threshold <= 1.0:
        raise ValueError("threshold must lie in [0.5, 1]")
    theta = float(theta)
    probabilities = level_probabilities(theta, se, cut_scores)
    estimate = int(level(theta, cut_scores))
    shares = tuple(float(p) for p in probabilities)
    if at_most(threshold, shares[estimate]):
        return LevelReport(estimate, shares[estimate], None, shares)
    neighbours = [k for k in (estimate - 1, estimate + 1) if 0 <= k < len(shares)]
    other = neighbours[first_best(probabilities[neighbours])]
    pair = (min(estimate, other), max(estimate, other))
    return LevelReport(estimate, shares[estimate] + shares[other], pair, shares)


#: Posterior probability from which a level is certified (docs/certification.md): a level L
#: is certified only when P(level >= L) reaches 0.9, so that at most about one candidate in
#: ten certified at L is below it when the probabilities are calibrated.
CERTIFICATION_THRESHOLD = 0.9


@dataclass(frozen=True)
class CertifiedLevel:
    """What a certification certifies in one area (levels numbered ``0 .. len(cut_scores)``).

    ``level`` is the highest level ``L >= 1`` with ``P(level >= L) >= threshold``, or None
    when even level 1 is not reached with that confidence (level 0, the entry level, is
    never certified: every candidate has it); ``probability`` is ``P(level >= level)`` (for
    None, ``P(level >= 1)``); ``at_least`` gives ``P(level >= k)`` for every ``k``."""

    level: int | None
    probability: float
    at_least: tuple[float, ...]


def certified_level(
    theta: float,
    se: float,
    cut_scores: Sequence[float] | ArrayLike,
    threshold: float = CERTIFICATION_THRESHOLD,
) -> CertifiedLevel:
    """The level to certify in one area, from the normal approximation of the posterior
    (:func:`level_probabilities`): the highest level whose "at least" probability reaches
    ``threshold``. A probability tied with the threshold (:mod:`palier.engine.ties`) reaches
    it. ``threshold`` must lie in ``(0.5, 1)``."""
    if not 0.5 < threshold < 1.0:
        raise ValueError("threshold must lie in (0.5, 1)")
    probabilities = level_probabilities(float(theta), se, cut_scores)
    at_least = np.cumsum(probabilities[::-1])[::-1]
    shares = tuple(min(float(p), 1.0) for p in at_least)
    reached = [k for k in range(1, len(shares)) if at_most(threshold, shares[k])]
    if not reached:
        return CertifiedLevel(None, shares[1] if len(shares) > 1 else 0.0, shares)
    best = reached[-1]
    return CertifiedLevel(best, shares[best], shares)
