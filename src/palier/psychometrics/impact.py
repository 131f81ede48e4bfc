"""Simulated impact of activating a draft: the real test, run with the draft bank and with the
active bank, on the same simulated learners.

Learners are drawn like the calibrated population: area abilities multivariate normal with the
means, SDs and correlation matrix the draft estimated (on the reference scale). Each simulee
takes the test as delivery gives it (the engine settings valid now, built into a `CatConfig`
by `assessments.engine_adapter`, the bank as `bank_snapshot` builds it, the attempt's generator
seeded once per attempt), through the engine's `next_step`. Answers are drawn from the
draft's parameters, the best estimate of how items behave, whichever bank scores them: the
active bank's accuracy is therefore its accuracy on learners who answer as the data say, not
on learners who answer as its own parameters say (the engine's `simulate` draws answers from
the bank it scores with, which would flatter a provisional bank).

Reported per bank: mean test length (operational items), and per area the share of simulees
whose level is exactly right (level of the estimate = level of the true ability under the
framework's cut scores) and the mean reported SE.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from palier.assessments.engine_adapter import BankSnapshot, engine_config
from palier.assessments.models import EngineSettings
from palier.engine import Answer, CatConfig, ItemBank, level, next_step, probability

#: Simulees per bank: enough for accuracies within about +-3 points (binomial SD at 0.7,
#: n = 300: 2.6 points), cheap enough for a run (a few seconds).
DEFAULT_SIMULEES = 300
DEFAULT_SEED = 20261207


def with_parameters(
    bank: ItemBank, parameters: Mapping[int, tuple[float, float, float | None]]
) -> ItemBank:
    """The same bank (items, areas, attributes) with the parameters of `parameters` (by item
    version id) where given."""
    a = bank.discrimination.copy()
    b = bank.difficulty.copy()
    c = bank.guessing.copy()
    for index, item_id in enumerate(bank.item_ids):
        found = parameters.get(int(item_id))
        if found is not None:
            a[index], b[index], c[index] = found[0], found[1], found[2] or 0.0
    return ItemBank(
        item_ids=bank.item_ids,
        areas=bank.areas,
        discrimination=a,
        difficulty=b,
        guessing=c if bank.is_3pl or np.any(c > 0) else None,
        competences=bank.competences,
        languages=bank.languages,
        accessible=bank.accessible,
        pretest=bank.pretest,
        enemy_groups=bank.enemy_groups,
        n_areas=bank.n_areas,
    )


def draw_abilities(
    mean: np.ndarray, sd: np.ndarray, correlation: np.ndarray, n: int, rng: np.random.Generator
) -> np.ndarray:
    """``n`` ability vectors from ``N(mean, diag(sd) R diag(sd))``."""
    covariance = np.outer(sd, sd) * correlation
    return rng.multivariate_normal(mean, covariance, size=n, method="cholesky")


def _run(
    bank: ItemBank,
    truth: ItemBank,
    config: CatConfig,
    thetas: np.ndarray,
    seeds: np.ndarray,
    cut_scores: tuple[tuple[float, ...], ...],
    assessed: tuple[int, ...],
) -> dict:
    lengths = np.empty(thetas.shape[0])
    estimates = np.empty_like(thetas)
    errors = np.empty_like(thetas)
    for simulee, true_theta in enumerate(thetas):
        answer_rng = np.random.default_rng([int(seeds[simulee]), 1])
        history: list[Answer] = []
        while True:
            step = next_step(bank, history, config, np.random.default_rng(int(seeds[simulee])))
            if step.finished or step.item_id is None:
                break
            index = truth.index_of(step.item_id)
            p = probability(
                true_theta[truth.areas[index]],
                truth.discrimination[index],
                truth.difficulty[index],
                truth.guessing[index],
            )
            history.append(Answer(step.item_id, bool(answer_rng.random() < float(p))))
        lengths[simulee] = step.n_items
        estimates[simulee] = step.theta
        errors[simulee] = step.se
    per_area = {}
    for area in assessed:
        cuts = cut_scores[area]
        exact = level(estimates[:, area], cuts) == level(thetas[:, area], cuts)
        within_one = np.abs(level(estimates[:, area], cuts) - level(thetas[:, area], cuts)) <= 1
        per_area[area] = {
            "exact_level": round(float(exact.mean()), 4),
            "within_one_level": round(float(within_one.mean()), 4),
            "mean_se": round(float(errors[:, area].mean()), 4),
            "rmse": round(float(np.sqrt(((estimates[:, area] - thetas[:, area]) ** 2).mean())), 4),
        }
    return {"mean_length": round(float(lengths.mean()), 2), "areas": per_area}


def simulated_impact(
    snapshot: BankSnapshot,
    draft_parameters: Mapping[int, tuple[float, float, float | None]],
    population: Mapping[str, tuple[float, float]],
    correlation: Mapping[tuple[str, str], float],
    settings: EngineSettings,
    n_simulees: int = DEFAULT_SIMULEES,
    seed: int = DEFAULT_SEED,
) -> dict:
    """Mean length, exact-level accuracy and mean SE per area, with the draft bank and with
    the active bank (`snapshot`), on the same simulees.

    ``population`` gives each area's (mean, SD) by area code (areas not given: N(0, 1));
    ``correlation`` the estimated correlation of two areas (pairs not given: the engine
    settings' area correlation)."""
    active = snapshot.bank
    draft = with_parameters(active, draft_parameters)
    codes = snapshot.area_codes
    operational = ~np.asarray(active.pretest)
    assessed = tuple(
        area
        for area in range(len(codes))
        if np.any(operational & (np.asarray(active.areas) == area)) and snapshot.cut_scores[area]
    )
    config = engine_config(settings, snapshot, [codes[area] for area in assessed], "fr", False)
    mean = np.array([population.get(code, (0.0, 1.0))[0] for code in codes])
    sd = np.array([population.get(code, (0.0, 1.0))[1] for code in codes])
    matrix = np.eye(len(codes))
    for first in range(len(codes)):
        for second in range(first + 1, len(codes)):
            pair = (codes[first], codes[second])
            value = correlation.get(pair, correlation.get(pair[::-1], settings.area_correlation))
            matrix[first, second] = matrix[second, first] = value
    rng = np.random.default_rng(seed)
    thetas = draw_abilities(mean, sd, matrix, n_simulees, rng)
    seeds = rng.integers(0, 2**62, size=n_simulees)
    results = {
        name: _run(bank, draft, config, thetas, seeds, snapshot.cut_scores, assessed)
        for name, bank in (("draft", draft), ("active", active))
    }
    return {
        "simulees": n_simulees,
        "seed": seed,
        "engine_settings": settings.version,
        "areas": [codes[area] for area in assessed],
        "draft": {
            "mean_length": results["draft"]["mean_length"],
            "areas": {codes[area]: row for area, row in results["draft"]["areas"].items()},
        },
        "active": {
            "mean_length": results["active"]["mean_length"],
            "areas": {codes[area]: row for area, row in results["active"]["areas"].items()},
        },
    }
