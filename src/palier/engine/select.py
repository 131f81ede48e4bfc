"""Item selection: information criteria, content balancing, randomesque and exposure control.

Unidimensional maximum information picks the item with the largest Fisher information at the
current estimate (Lord, 1980). In the multidimensional case the test's posterior information is
``M = Sigma^-1 + diag(I_1(theta_1), ..., I_D(theta_D))`` (Segall, 1996). An item of area ``d``
with information ``i`` adds ``i e_d e_d'``, so by the matrix determinant lemma and the
Sherman-Morrison formula (``V = M^-1``):

- D-optimality maximises ``det(M + i e_d e_d') = det(M) (1 + i V_dd)``: criterion ``i V_dd``;
- A-optimality minimises ``trace((M + i e_d e_d')^-1) = trace(V) - i |V e_d|^2 / (1 + i V_dd)``:
  criterion ``i |V e_d|^2 / (1 + i V_dd)``.

Both are closed forms evaluated for every candidate at once. With ``cut_information`` the item
information is taken at the cut score nearest to the area's estimate rather than at the
estimate, which concentrates the test where the level decision is made (Eggen, 1999; Thompson,
2009). Content balancing follows
Kingsbury & Zara (1989): the area (then the competence) furthest below its target proportion
is served first. Randomesque shuffles the best ``k`` items; Sympson-Hetter administers a
selected item with probability ``k_j`` and otherwise moves to the next best (see
:mod:`palier.engine.exposure`).

Two further exposure controls (Revuelta & Ponsoda, 1998; Chang, Qian & Ying, 2001):

- *progressive* selection replaces the criterion ``C_j`` by
  ``W_j = (1 - t) R_j + t C_j`` with ``R_j ~ U(0, max_j C_j)``: a random component whose
  weight falls as the test advances. Revuelta & Ponsoda take ``t = s / L`` (``s`` items given
  out of a fixed length ``L``). For a variable-length test, ``t`` is here per area the larger
  of ``s / max_items`` and the share of the precision target reached,
  ``(1 / se^2 - 1 / sigma^2) / (1 / se_target^2 - 1 / sigma^2)`` clipped to ``[0, 1]``
  (``sigma`` the prior SD), so that the random part fades once an area is nearly measured;
- *restricted* selection removes from the pool the items whose observed exposure rate has
  reached ``max_exposure_rate`` (unless no other item is left). The rates are an input, like
  Sympson-Hetter parameters: item statistics in production, the running rates in a
  simulation;
- *a-stratification with b-blocking*: each area's items are split into strata of increasing
  discrimination, each spanning the difficulty range (:func:`palier.engine.config.a_strata`);
  an area's ``s``-th stage (``stage_items`` items each) draws from stratum ``s``, or the
  nearest stratum above (then below) that still has items. Low-discrimination items, unused
  by maximum information, are given early when the estimate is still rough, and the most
  discriminating ones are kept for the end.

Determinism: criteria and deficits are compared with the tolerance of
:mod:`palier.engine.ties` (relative 1e-9, absolute 1e-12). Candidates whose criteria are tied
(equal up to rounding noise, e.g. items with equal parameters) are ordered by their position in
the bank, and only then does randomesque shuffle or the Sympson-Hetter lottery skip, so the
same history and seed choose the same item on every processor.

References: Chang, H.-H., Qian, J., & Ying, Z. (2001). a-Stratified multistage computerized
adaptive testing with b blocking. *Applied Psychological Measurement*, 25, 333-341. Eggen, T.
J. H. M. (1999). Item selection in adaptive testing with the sequential probability ratio
test. *Applied Psychological Measurement*, 23, 249-261. Kingsbury, G. G., & Zara, A. R.
(1989). Procedures for selecting items for computerized adaptive tests. *Applied Measurement
in Education*, 2, 359-375. Revuelta, J., & Ponsoda, V. (1998). A comparison of item exposure
control methods in computerized adaptive testing. *Journal of Educational Measurement*, 35,
311-327. Segall, D. O. (1996). Multidimensional adaptive testing. *Psychometrika*, 61,
331-354. Thompson, N. A. (2009). Item selection in computerized classification testing.
*Educational and Psychological Measurement*, 69, 778-793.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from palier.engine.arrays import BoolArray, FloatArray, IntArray
from palier.engine.bank import ItemBank
from palier.engine.config import Plan
from palier.engine.estimate import Estimate
from palier.engine.exposure import sympson_hetter_pick
from palier.engine.irt import information, information_2pl
from palier.engine.ties import first_best, rank, rank_head

#: A selection criterion: values (higher is better) of the candidate bank positions.
Criterion = Callable[[IntArray, ItemBank, Plan, Estimate], FloatArray]


def balance(
    pool: BoolArray,
    bank: ItemBank,
    plan: Plan,
    area_counts: FloatArray,
    competence_counts: FloatArray | None,
) -> BoolArray:
    """Restrict ``pool`` to the area, then the competence, furthest below its target share.

    Deficits tied within the tolerance of :mod:`palier.engine.ties` go to the lowest index.
    """
    total = max(float(area_counts.sum()), 1.0)
    if plan.area_targets is not None:
        present = np.bincount(bank.areas[pool], minlength=plan.n_areas) > 0
        wanted = present & (plan.area_targets > 0)
        if wanted.any():
            deficit = np.where(wanted, plan.area_targets - area_counts / total, -np.inf)
            pool = pool & (bank.areas == first_best(deficit))
    if plan.competence_codes is not None and plan.competence_targets is not None:
        assert competence_counts is not None
        codes = plan.competence_codes[pool]
        codes = codes[codes >= 0]
        if codes.size:
            present = np.bincount(codes, minlength=plan.competence_targets.size) > 0
            deficit = np.where(
                present, plan.competence_targets - competence_counts / total, -np.inf
            )
            pool = pool & (plan.competence_codes == first_best(deficit))
    return pool


def nearest_cuts(plan: Plan, estimate: Estimate) -> FloatArray:
    """Per area, the cut score nearest to the estimate (the lower one when two are tied)."""
    assert plan.cut_scores is not None
    points = estimate.theta.copy()
    for area, cuts in enumerate(plan.cut_scores):
        if cuts.size:
            points[area] = cuts[first_best(-np.abs(cuts - estimate.theta[area]))]
    return points


def restrict_exposure(pool: BoolArray, plan: Plan) -> BoolArray:
    """Restricted selection: ``pool`` without over-exposed items, unless none would be left."""
    if plan.overexposed is None:
        return pool
    allowed = pool & ~plan.overexposed
    return allowed if allowed.any() else pool


def stratum_pool(pool: BoolArray, bank: ItemBank, plan: Plan, counts: FloatArray) -> BoolArray:
    """a-stratification: each area's part of ``pool`` limited to the stratum of its stage.

    An area with ``n`` items is in stage ``min(n // stage_items, n_strata - 1)``; when its
    stratum has no item left in ``pool``, the nearest stratum above is used, else below.
    """
    if plan.strata is None or plan.stage_items is None:
        return pool
    n_strata = int(plan.strata.max()) + 1
    allowed = np.zeros_like(pool)
    for area in np.unique(bank.areas[pool]):
        members = pool & (bank.areas == area)
        present = np.bincount(plan.strata[members], minlength=n_strata) > 0
        stage = min(int(counts[area] // plan.stage_items[area]), n_strata - 1)
        above = np.flatnonzero(present[stage:])
        stratum = stage + int(above[0]) if above.size else int(np.flatnonzero(present)[-1])
        allowed |= members & (plan.strata == stratum)
    return allowed


def progress(plan: Plan, estimate: Estimate, n_scored: int, max_items: int) -> FloatArray:
    """Per area, how far the test has come, ``t`` in ``[0, 1]`` (module docstring)."""
    prior_precision = 1.0 / plan.prior_sd**2
    target_gain = 1.0 / plan.se_target**2 - prior_precision
    gain = 1.0 / estimate.se**2 - prior_precision
    with np.errstate(divide="ignore", invalid="ignore"):
        measured = np.where(target_gain > 0, gain / target_gain, 1.0)
    return np.asarray(np.clip(np.maximum(measured, n_scored / max_items), 0.0, 1.0))


def progressive_values(
    values: FloatArray, areas: IntArray, progress: FloatArray, random_draws: FloatArray
) -> FloatArray:
    """``(1 - t) R_j + t C_j`` with ``R_j = u_j max(C)`` (Revuelta & Ponsoda, 1998)."""
    weight = progress[areas]
    return (1.0 - weight) * random_draws * float(values.max()) + weight * values


def criterion(candidates: IntArray, bank: ItemBank, plan: Plan, estimate: Estimate) -> FloatArray:
    """Selection criterion of each candidate item (higher is better)."""
    areas = bank.areas[candidates]
    point = nearest_cuts(plan, estimate) if plan.cut_information else estimate.theta
    theta = point[0] if plan.n_areas == 1 else point[areas]
    if bank.is_3pl:
        info = information(
            theta,
            bank.discrimination[candidates],
            bank.difficulty[candidates],
            bank.guessing[candidates],
        )
    else:
        info = information_2pl(theta, bank.discrimination[candidates], bank.difficulty[candidates])
    if plan.selection == "max_info":
        return info
    posterior_information = plan.prior_precision + np.diag(estimate.test_information())
    variance = np.linalg.inv(posterior_information)
    if plan.selection == "d_optimal":
        return np.asarray(info * np.diag(variance)[areas], dtype=np.float64)
    spread = np.einsum("de,de->e", variance, variance)
    return np.asarray(info * spread[areas] / (1.0 + info * np.diag(variance)[areas]))


def select_item(
    pool: BoolArray,
    bank: ItemBank,
    plan: Plan,
    estimate: Estimate,
    randomesque: int,
    rng: np.random.Generator,
    lottery: FloatArray | None = None,
    criterion: Criterion = criterion,
    progressive: tuple[FloatArray, FloatArray] | None = None,
) -> int | None:
    """Index of the next item among ``pool`` (after balancing), or ``None`` if it is empty.

    Candidates are ranked by ``criterion`` with ties broken by bank position
    (:func:`palier.engine.ties.rank`); randomesque then shuffles the best ``randomesque`` and
    Sympson-Hetter walks down the ranking. ``criterion`` is a seam for tests that perturb the
    values (e.g. by one unit in the last place) to show that the choice does not move.
    ``progressive`` holds each area's progress ``t`` and one uniform draw per bank item for
    progressive selection.
    """
    candidates = np.flatnonzero(pool)
    if candidates.size == 0:
        return None
    values = criterion(candidates, bank, plan, estimate)
    if progressive is not None:
        area_progress, random_draws = progressive
        values = progressive_values(
            values, bank.areas[candidates], area_progress, random_draws[candidates]
        )
    if randomesque <= 1 and plan.exposure is None:
        return int(candidates[first_best(values)])
    # Sympson-Hetter may walk down the whole ranking; randomesque alone needs its head only.
    order = rank(values) if plan.exposure is not None else rank_head(values, randomesque)
    if randomesque > 1:
        head = min(randomesque, order.size)
        order = np.concatenate((rng.permutation(order[:head]), order[head:]))
    ranked = candidates[order]
    if plan.exposure is None or lottery is None:
        return int(ranked[0])
    picked = sympson_hetter_pick(ranked, plan.exposure, lottery)
    # Refused everywhere (only possible when no eligible item has k = 1): give the best one.
    return picked if picked is not None else int(ranked[0])
