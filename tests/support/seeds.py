"""The framework and item-bank seed loaders as tests call them: loaded for real once per
test process, replayed afterwards (tests/support/replay.py says when and how).

The loaders' own tests (tests/frameworks/test_seed.py, tests/items/test_seed_bank.py) call
the real ones, from `palier.*.seed`."""

from __future__ import annotations

from palier.frameworks import seed as framework_seed
from palier.frameworks.models import Framework
from palier.items import seed as item_seed
from tests.support.replay import replayed


def load_framework_seed() -> framework_seed.SeedReport:
    return replayed("framework seed", framework_seed.load_framework_seed)


def load_item_seed(framework: Framework) -> item_seed.ItemSeedReport:
    return replayed(
        "item seed", lambda: item_seed.load_item_seed(framework), reads=("frameworks", "items")
    )
