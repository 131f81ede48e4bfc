"""Deterministic simulated data shared by every library in one benchmark run."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

#: Persons generated per block (bounds the memory of the random keys used to pick items).
BLOCK = 100_000


def make_items(n_items: int, seed: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """True 2PL parameters: a ~ lognormal(0, 0.25), b ~ N(0, 1)."""
    rng = np.random.default_rng(seed)
    return rng.lognormal(0.0, 0.25, n_items), rng.normal(0.0, 1.0, n_items)


def make_responses(
    discrimination: NDArray[np.float64],
    difficulty: NDArray[np.float64],
    n_persons: int,
    per_person: int,
    seed: int,
) -> tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.bool_]]:
    """Long-format 2PL responses; each person answers ``per_person`` items drawn at random
    (all items when ``per_person`` equals the bank size); theta ~ N(0, 1)."""
    rng = np.random.default_rng(seed)
    n_items = discrimination.size
    total = n_persons * per_person
    person = np.empty(total, dtype=np.int32)
    item = np.empty(total, dtype=np.int32)
    correct = np.empty(total, dtype=bool)
    for start in range(0, n_persons, BLOCK):
        size = min(BLOCK, n_persons - start)
        theta = rng.standard_normal(size)
        if per_person == n_items:
            chosen = np.broadcast_to(np.arange(n_items, dtype=np.int32), (size, n_items))
        else:
            keys = rng.random((size, n_items), dtype=np.float32)
            chosen = np.argpartition(keys, per_person - 1, axis=1)[:, :per_person].astype(np.int32)
        p = expit(discrimination[chosen] * (theta[:, None] - difficulty[chosen]))
        span = slice(start * per_person, (start + size) * per_person)
        person[span] = np.repeat(np.arange(start, start + size, dtype=np.int32), per_person)
        item[span] = chosen.ravel()
        correct[span] = (rng.random(p.shape) < p).ravel()
    return person, item, correct
