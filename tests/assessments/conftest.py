from typing import Any

import pytest

from palier.core.db import analyze
from palier.frameworks.models import Area, Capacity, Competence, Level
from palier.items.models import Calibration, Item, ItemParameter, ItemVersion
from tests.factories import make_user
from tests.support.seeds import load_item_seed

# The tables read by the bank snapshot query (palier.assessments.engine_adapter._build).
BANK_SNAPSHOT_MODELS = (
    Area,
    Competence,
    Capacity,
    Level,
    Calibration,
    Item,
    ItemVersion,
    ItemParameter,
)


@pytest.fixture
def seeded(framework):
    """The real seed bank, operational, with its provisional calibration (loaded once per
    test process and replayed afterwards: tests/support/replay.py).

    On PostgreSQL the bank's tables are analyzed inside the test's transaction, so the
    planner sees the seeded rows (tests/support/postgres.py says why)."""
    return seed_bank(framework)


def seed_bank(framework):
    """Load the seed bank, then refresh the statistics of the tables the snapshot reads."""
    report = load_item_seed(framework)
    analyze(*BANK_SNAPSHOT_MODELS)
    return report


@pytest.fixture
def learner(client, seeded):
    """A signed-in learner, with the seed bank loaded."""
    user = make_user()
    client.force_login(user)
    return user


def right_answer(version) -> Any:
    definition = version.definition
    if version.format == "short_text":
        return definition["accepted"]["fr"][0]
    if version.format == "numeric":
        return str(definition["value"])
    return definition["correct"]


def wrong_answer(version) -> Any:
    definition = version.definition
    if version.format == "single_choice":
        return next(o["id"] for o in definition["options"] if o["id"] != definition["correct"])
    if version.format in ("multiple_response", "stimulus_choice"):
        wrong = [o["id"] for o in definition["options"] if o["id"] not in definition["correct"]]
        return wrong[:1] or [definition["options"][0]["id"]]
    if version.format in ("short_text", "numeric"):
        return "zzzz"
    if version.format == "ordering":
        return list(reversed(definition["correct"]))
    return {left: definition["right"][0]["id"] for left in definition["correct"]}
