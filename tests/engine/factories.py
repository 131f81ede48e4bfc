"""Banks and simulated responses for the engine tests (pure numpy, no database)."""

from __future__ import annotations

import numpy as np

from palier.engine import ItemBank


def make_bank(
    n_items: int,
    n_areas: int = 1,
    seed: int = 0,
    three_pl: bool = False,
    competences: list[str] | None = None,
) -> ItemBank:
    """A random bank: a ~ lognormal(0, 0.3), b ~ N(0, 1.2), areas assigned round-robin."""
    rng = np.random.default_rng(seed)
    return ItemBank(
        item_ids=[f"item-{index:04d}" for index in range(n_items)],
        areas=np.arange(n_items) % n_areas,
        discrimination=rng.lognormal(0.0, 0.3, n_items),
        difficulty=rng.normal(0.0, 1.2, n_items),
        guessing=rng.uniform(0.05, 0.25, n_items) if three_pl else None,
        competences=competences,
    )


def simulate_responses(
    discrimination: np.ndarray,
    difficulty: np.ndarray,
    n_persons: int,
    items_per_person: int,
    rng: np.random.Generator,
    guessing: np.ndarray | None = None,
    theta: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Long-format responses: each person answers a random subset of the items."""
    n_items = discrimination.size
    if theta is None:
        theta = rng.normal(size=n_persons)
    keys = rng.random((n_persons, n_items))
    items = np.argsort(keys, axis=1)[:, :items_per_person]
    person = np.repeat(np.arange(n_persons), items_per_person)
    item = items.ravel()
    c = np.zeros(n_items) if guessing is None else guessing
    p = c[item] + (1 - c[item]) / (
        1 + np.exp(-discrimination[item] * (theta[person] - difficulty[item]))
    )
    correct = rng.random(p.size) < p
    return person, item, correct, theta
