"""The stateless adaptive step: ``next_step(bank, history, config, rng)``.

Each call recomputes everything from the bank, the configuration and the whole answer
history, so a server can restart between two answers and any attempt can be replayed from its
answers and the generator seeded from it. Phases: estimate (:mod:`~palier.engine.estimate`),
stop (:mod:`~palier.engine.stop`), pretest slot or select (:mod:`~palier.engine.select`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from palier.engine import stop
from palier.engine.arrays import BoolArray, FloatArray, IntArray
from palier.engine.bank import ItemBank
from palier.engine.config import CatConfig, Plan
from palier.engine.estimate import Estimate, Responses, estimate_correlated, estimate_independent
from palier.engine.select import (
    Criterion,
    balance,
    criterion,
    progress,
    restrict_exposure,
    select_item,
    stratum_pool,
)


@dataclass(frozen=True)
class Answer:
    """One answered item: its id and whether the answer was correct."""

    item_id: str
    correct: bool


@dataclass(frozen=True, eq=False)
class Step:
    """Outcome of one adaptive step.

    ``item_id`` is the next item to administer (``None`` once ``finished``); ``theta`` and
    ``se`` hold one estimate and posterior SD per area of the bank; ``stop_reason`` says why the
    test finished; ``area_status`` gives each area's stop reason (``None`` while it is being
    measured); ``n_items`` counts the operational items answered; ``pretest`` tells whether the
    next item is a pretest item (not scored).
    """

    item_id: str | None
    theta: FloatArray
    se: FloatArray
    finished: bool
    stop_reason: str | None
    area_status: tuple[str | None, ...]
    n_items: int
    pretest: bool = False


def history_indices(bank: ItemBank, history: Iterable[Answer]) -> tuple[IntArray, BoolArray]:
    """Bank positions and correctness of ``history``; ``ValueError`` on unknown or repeated ids."""
    answers = list(history)
    try:
        positions = [bank._index[answer.item_id] for answer in answers]
    except KeyError as error:
        raise ValueError(f"unknown item id {error.args[0]!r}") from None
    if len(set(positions)) != len(positions):
        repeated = [
            item_id for item_id, count in Counter(a.item_id for a in answers).items() if count > 1
        ]
        raise ValueError(f"item {repeated[0]!r} appears twice in the history")
    correct = [answer.correct for answer in answers]
    for answer, value in zip(answers, correct, strict=True):
        if (
            value is not True
            and value is not False
            and not (isinstance(value, np.bool_ | int) and value in (0, 1))
        ):
            raise ValueError(f"answer to {answer.item_id!r} must be True or False, got {value!r}")
    return np.array(positions, dtype=np.intp), np.array(correct, dtype=bool)


def estimate_from(
    bank: ItemBank, plan: Plan, config: CatConfig, items: IntArray, correct: BoolArray
) -> Estimate:
    """Ability estimate from answered bank positions (pretest items are ignored)."""
    if bank.has_pretest:
        scored = ~bank.pretest[items]
        items, correct = items[scored], correct[scored]
    responses = Responses(
        items, correct, bank.areas, bank.discrimination, bank.difficulty, bank.guessing
    )
    if plan.prior_covariance is None:
        terms = None
        if plan.log_table is not None and items.size:
            terms = plan.log_table[2 * items + ~correct]
        return estimate_independent(
            responses,
            plan.prior_mean,
            plan.prior_sd,
            plan.grid,
            config.estimator,
            terms,
            plan.nodes,
        )
    return estimate_correlated(
        responses,
        plan.prior_mean,
        plan.prior_precision,
        config.estimator,
        config.mv_quadrature_points,
    )


def step_from_indices(
    bank: ItemBank,
    config: CatConfig,
    items: IntArray,
    correct: BoolArray,
    rng: np.random.Generator,
    *,
    selection_criterion: Criterion = criterion,
) -> tuple[int | None, Step]:
    """The adaptive step on bank positions; returns the chosen position and the :class:`Step`.

    ``selection_criterion`` is a seam for tests (see :func:`palier.engine.select.select_item`).
    """
    plan = config.plan(bank)
    # Drawn first, so that a generator seeded from the attempt gives the same lotteries at
    # every step (see palier.engine.exposure).
    lottery = rng.random(bank.n_items) if plan.exposure is not None else None
    # Progressive selection's random components: drawn next, so that they too stay the same
    # at every step of an attempt, and drawn only when used, so that other configurations
    # keep their random streams.
    random_draws = rng.random(bank.n_items) if plan.progressive else None
    estimate = estimate_from(bank, plan, config, items, correct)
    scored_items = items[~bank.pretest[items]] if bank.has_pretest else items
    n_scored = scored_items.size
    remaining = plan.operational.copy()
    remaining[items] = False
    enemies = bank.enemies_of(items)
    if enemies is not None:
        remaining &= ~enemies
    if plan.n_areas == 1:
        counts = np.array([float(n_scored)])
        available = np.array([float(np.count_nonzero(remaining))])
    else:
        counts = np.bincount(bank.areas[scored_items], minlength=plan.n_areas).astype(np.float64)
        available = np.bincount(bank.areas[remaining], minlength=plan.n_areas).astype(np.float64)
    status = stop.area_status(plan, estimate, counts, available)

    def finish(reason: str) -> tuple[None, Step]:
        return None, Step(None, estimate.theta, estimate.se, True, reason, status, n_scored)

    if n_scored >= config.max_items:
        return finish(stop.MAX_ITEMS)
    below_minimum = n_scored < config.min_items
    opened = stop.open_areas(status, below_minimum)
    if not opened.any():
        return finish(stop.overall_reason(status))
    if items.size + 1 in config.pretest_positions:
        pretest_pool = plan.eligible & bank.pretest & plan.assessed[bank.areas]
        pretest_pool[items] = False
        if enemies is not None:
            pretest_pool &= ~enemies
        if pretest_pool.any():
            choice = int(rng.choice(np.flatnonzero(pretest_pool)))
            step = Step(
                bank.item_ids[choice],
                estimate.theta,
                estimate.se,
                False,
                None,
                status,
                n_scored,
                pretest=True,
            )
            return choice, step
    pool = remaining if opened.all() else remaining & opened[bank.areas]
    pool = stratum_pool(restrict_exposure(pool, plan), bank, plan, counts)
    competence_counts = None
    if plan.competence_codes is not None and plan.competence_targets is not None:
        codes = plan.competence_codes[scored_items]
        competence_counts = np.bincount(
            codes[codes >= 0], minlength=plan.competence_targets.size
        ).astype(np.float64)
    pool = balance(pool, bank, plan, counts, competence_counts)
    progressive = None
    if random_draws is not None:
        progressive = (progress(plan, estimate, n_scored, config.max_items), random_draws)
    selected = select_item(
        pool,
        bank,
        plan,
        estimate,
        config.randomesque,
        rng,
        lottery,
        selection_criterion,
        progressive,
    )
    if selected is None:
        return finish(stop.NO_ITEMS)
    step = Step(bank.item_ids[selected], estimate.theta, estimate.se, False, None, status, n_scored)
    return selected, step


def next_step(
    bank: ItemBank, history: Iterable[Answer], config: CatConfig, rng: np.random.Generator
) -> Step:
    """Estimate ability from ``history`` and choose the next item, or finish the test.

    ``rng`` must be seeded from the attempt and created afresh at each step (e.g.
    ``numpy.random.default_rng(attempt_seed)``): the step's random choices (Sympson-Hetter
    lotteries, randomesque, pretest items) then replay exactly, and an item refused by its
    exposure lottery stays refused for the whole attempt.

    Raises ``ValueError`` for an unknown or repeated item id or a configuration that does not
    fit the bank (wrong number of areas, bad correlation matrix), and ``TypeError`` when
    ``rng`` is not a ``numpy.random.Generator``. Never returns an item already answered.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator (seeded from the attempt)")
    if not isinstance(bank, ItemBank):
        raise TypeError("bank must be an ItemBank")
    if not isinstance(config, CatConfig):
        raise TypeError("config must be a CatConfig")
    items, correct = history_indices(bank, history)
    return step_from_indices(bank, config, items, correct, rng)[1]
