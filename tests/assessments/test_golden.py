"""Golden trajectory: a fixed seed and fixed answers on the seed bank give exactly the items,
thetas, standard errors and levels stored in golden_trajectory.json (the whole chain: bank
adapter, engine settings, engine, scoring, results).

A deliberate change to the engine, the defaults or the seed bank changes the trajectory:
regenerate the file with PALIER_UPDATE_GOLDEN=1 and review the difference in the commit.
"""

import json
import os
from pathlib import Path

import pytest

from palier.assessments.services import start_attempt
from tests.assessments.test_services import alternate, play
from tests.factories import make_user

GOLDEN = Path(__file__).with_name("golden_trajectory.json")
SEED = 20261128
DECIMALS = 4


@pytest.mark.django_db
def test_the_golden_trajectory_is_reproduced_exactly(seeded):
    attempt = start_attempt(make_user(), seed=SEED)
    trace = play(attempt, alternate)
    attempt.refresh_from_db()
    observed = {
        "seed": SEED,
        "steps": [
            {"item": code, "theta": [round(value, DECIMALS) for value in theta]}
            for code, theta in trace
        ],
        "levels": {code: values["level"] for code, values in attempt.result["areas"].items()},
        "se": {
            code: round(values["se"], DECIMALS) for code, values in attempt.result["areas"].items()
        },
    }
    if os.environ.get("PALIER_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(observed, indent=1, ensure_ascii=False) + "\n")
    assert observed == json.loads(GOLDEN.read_text())
