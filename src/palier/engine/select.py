"""Item selection: information criteria, content balancing, randomesque and exposure control.

Unidimensional maximum information picks the item with the largest Fisher information at the
current estimate (Lord, 1980). In the multidimensional case the test's posterior information is
``M = Sigma^-1 + diag(I_1(theta_1), ..., I_D(theta_D))`` (Segall, 1996). An item of area ``d``
with information ``i`` adds ``i e_d e_d'``, so by the matrix determinant lemma and the
Sherman-Morrison formula (``V = M^-1``):

- D-optimality maximises ``det(M + i e_d e_d') = det(M) (1 + i V_dd)``: criterion ``i V_dd``;
- A-optimality minimises ``trace((M + i e_d e_d')^-1) = trace(V) - i |V e_d|^2 / (1 + i V_dd)``:
  criterion ``i |V e_d|^2 / (1 + i V_dd)``.

Both are closed forms evaluated for every candidate at once. Content balancing follows
Kingsbury & Zara (1989): the area (then the competence) furthest below its target proportion
is served first. Randomesque shuffles the best ``k`` items; Sympson-Hetter administers a
selected item with probability ``k_j`` and otherwise moves to the next best (see
:mod:`palier.engine.exposure`).

Determinism: criteria and deficits are compared with the tolerance of
:mod:`palier.engine.ties` (relative 1e-9, absolute 1e-12). Candidates whose criteria are tied
(equal up to rounding noise, e.g. items with equal parameters) are ordered by their position in
the bank, and only then does randomesque shuffle or the Sympson-Hetter lottery skip, so the
same history and seed choose the same item on every processor.

References: Kingsbury, G. G., & Zara, A. R. (1989). Procedures for selecting items for
computerized adaptive tests. *Applied Measurement in Education*, 2, 359-375. Segall, D. O.
(1996). Multidimensional adaptive testing. *Psychometrika*, 61, 331-354.
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


def criterion(candidates: IntArray, bank: ItemBank, plan: Plan, estimate: Estimate) -> FloatArray:
    """Selection criterion of each candidate item (higher is better)."""
    areas = bank.areas[candidates]
    theta = estimate.theta[0] if plan.n_areas == 1 else estimate.theta[areas]
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
) -> int | None:
    """Index of the next item among ``pool`` (after balancing), or ``None`` if it is empty.

    Candidates are ranked by ``criterion`` with ties broken by bank position
    (:func:`palier.engine.ties.rank`); randomesque then shuffles the best ``randomesque`` and
    Sympson-Hetter walks down the ranking. ``criterion`` is a seam for tests that perturb the
    values (e.g. by one unit in the last place) to show that the choice does not move.
    """
    candidates = np.flatnonzero(pool)
    if candidates.size == 0:
        return None
    values = criterion(candidates, bank, plan, estimate)
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
