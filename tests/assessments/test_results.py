"""The typed attempt result: every stored shape reads, one place reads the JSON."""

import re
from pathlib import Path

import pytest

from palier.assessments.results import (
    RESULT_SCHEMA,
    AttemptResult,
    ResultFormatError,
    result_of,
)
from palier.assessments.services import start_attempt
from tests.assessments.test_services import alternate, play
from tests.factories import make_user

SOURCES = Path(__file__).resolve().parents[2] / "src" / "palier"

# What build_result stored before results were typed (schema 0, no "schema" key).
SCHEMA_0 = {
    "engine_version": "defaut-2026-11",
    "calibration": 3,
    "stop_reason": "se_target",
    "items": 24,
    "areas": {
        "D1": {
            "theta": 0.4123,
            "se": 0.5012,
            "level": 3,
            "level_probabilities": [0.01, 0.2, 0.5, 0.25, 0.04],
            "precision": "fair",
        },
        "D2": {
            "theta": -1.2,
            "se": 0.31,
            "level": 1,
            "level_probabilities": [0.7, 0.3, 0.0, 0.0, 0.0],
            "precision": "precise",
        },
    },
}


def test_a_result_stored_before_the_schema_number_reads_with_every_area():
    result = AttemptResult.from_json(SCHEMA_0)
    assert result.schema == 0 and result.competences is None
    assert result.levels() == {"D1": 3, "D2": 1}
    assert result.area("D2").theta == -1.2 and result.area("D2").precision == "precise"
    assert result.area("D1").level_probabilities == (0.01, 0.2, 0.5, 0.25, 0.04)
    assert (result.engine_version, result.calibration, result.items) == ("defaut-2026-11", 3, 24)
    assert result.area("D5") is None


def test_a_minimal_stored_result_gets_its_precision_from_the_se():
    result = AttemptResult.from_json({"areas": {"D3": {"theta": 0.0, "se": 0.7, "level": 2}}})
    assert result.area("D3").precision == "indicative"
    assert result.area("D3").level_probabilities == ()
    assert result.stop_reason == "" and result.items is None


def test_the_current_schema_round_trips_through_json():
    result = AttemptResult.from_json(SCHEMA_0)
    stored = result.to_json()
    assert stored["schema"] == RESULT_SCHEMA
    assert stored["areas"] == SCHEMA_0["areas"]  # readers of the old layout keep working
    again = AttemptResult.from_json(stored)
    assert again.areas == result.areas and again.competences == ()


@pytest.mark.parametrize(
    "stored",
    [
        {"schema": 99, "areas": {}},
        {"areas": {"D1": {"se": 0.3, "level": 1}}},
        {"areas": {"D1": {"theta": "high", "se": 0.3, "level": 1}}},
        {"schema": 1, "areas": {}},
        [1, 2],
    ],
    ids=["unknown-schema", "no-theta", "theta-not-a-number", "schema-1-no-competences", "list"],
)
def test_a_result_no_schema_describes_is_refused_with_a_clear_error(stored):
    with pytest.raises(ResultFormatError):
        AttemptResult.from_json(stored)


@pytest.mark.django_db
def test_a_finished_attempt_stores_levels_and_competence_scores(seeded):
    attempt = start_attempt(make_user(), ["D1", "D2"], seed=5)
    play(attempt, alternate)
    attempt.refresh_from_db()
    assert attempt.result["schema"] == RESULT_SCHEMA
    result = result_of(attempt)
    assert [measure.code for measure in result.areas] == ["D1", "D2"]
    assert result.competences
    assert {score.area for score in result.competences} <= {"D1", "D2"}
    assert sum(score.answered for score in result.competences) == result.items


@pytest.mark.django_db
def test_a_result_stored_without_competence_scores_gets_the_same_ones_from_its_responses(
    seeded,
):
    attempt = start_attempt(make_user(), seed=6)
    play(attempt, alternate)
    attempt.refresh_from_db()
    stored = result_of(attempt).competences
    old = dict(attempt.result)
    del old["schema"], old["competences"]
    attempt.result = old
    recomputed = result_of(attempt)
    assert recomputed.schema == 0
    assert recomputed.competences == stored


def test_no_module_reads_the_stored_result_json_but_the_typed_result():
    """`Attempt.result` is read in one place (results.py); services writes it."""
    raw = re.compile(r"\.result\b(?!s)(?!\s*=[^=])")
    offenders = []
    for path in SOURCES.rglob("*.py"):
        if "migrations" in path.parts or path.name == "results.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if raw.search(line) and "views.result" not in line:
                offenders.append(f"{path.relative_to(SOURCES)}:{number}: {line.strip()}")
    assert offenders == []


def test_assessments_does_not_import_training():
    """The layering is assessments < training (docs/adr/0013)."""
    importers = [
        path.name
        for path in (SOURCES / "assessments").rglob("*.py")
        if re.search(r"^\s*(from|import) palier\.training", path.read_text(), re.M)
    ]
    assert importers == []
