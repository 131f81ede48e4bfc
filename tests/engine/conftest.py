"""Fixtures of the engine tests (no database: the engine is pure)."""

from __future__ import annotations

import numpy as np
import pytest

from palier.engine import ItemBank
from tests.engine.factories import make_bank


@pytest.fixture
def small_bank() -> ItemBank:
    return make_bank(60)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261128)
