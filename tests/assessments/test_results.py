"""The typed attempt result: every stored shape reads, one place reads the JSON."""

import re
from dataclasses import replace
from pathlib import Path

import pytest
from django.utils import translation

from palier.assessments.results import (
    RESULT_SCHEMA,
    AreaMeasure,
    AttemptResult,
    ResultFormatError,
    level_sentence,
    percent_text,
    result_of,
    shown_percent,
    with_level_reports,
)
from palier.assessments.services import start_attempt
from palier.engine import reported_level
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


# The seed framework's cut scores (frameworks/seed/framework.json), the same for every area.
SEED_CUTS = (-1.5, -0.5, 0.5, 1.5)


def test_the_current_schema_round_trips_through_json():
    result = with_level_reports(AttemptResult.from_json(SCHEMA_0), {"D1": SEED_CUTS})
    stored = result.to_json()
    assert stored["schema"] == RESULT_SCHEMA == 2 and stored["report_threshold"] == 0.6
    for code, old in SCHEMA_0["areas"].items():  # readers of the old layout keep working
        assert {key: stored["areas"][code][key] for key in ("theta", "se", "level")} == {
            key: old[key] for key in ("theta", "se", "level")
        }
    again = AttemptResult.from_json(stored)
    assert again == replace(result, competences=(), schema=RESULT_SCHEMA)


def test_a_result_stored_before_level_reports_gets_them_from_its_theta_se_and_cut_scores():
    old = AttemptResult.from_json(SCHEMA_0)
    assert old.report_threshold is None and old.area("D1").level_probability is None
    with pytest.raises(ValueError, match="result_of"):
        old.to_json()  # never stored half-read
    read = with_level_reports(old, {"D1": SEED_CUTS, "D2": SEED_CUTS}).area("D1")
    engine = reported_level(0.4123, 0.5012, SEED_CUTS)
    assert engine.between == (2, 3)  # P(level 3) = 0.535: between level 3 and level 4
    assert read.level == 3 and read.between_levels == (3, 4)
    assert read.level_probability == round(engine.probability, 4)
    assert read.level_probabilities == tuple(round(p, 4) for p in engine.probabilities)
    assert SCHEMA_0["areas"]["D1"]["level_probabilities"] == [0.01, 0.2, 0.5, 0.25, 0.04]


def test_a_report_keeps_its_threshold_when_read_back():
    measure = AreaMeasure("D1", 0.0, 0.4, 3, (0.0, 0.1, 0.8, 0.1, 0.0), "fair", 0.8, None)
    result = AttemptResult(areas=(measure,), competences=(), report_threshold=0.7)
    again = AttemptResult.from_json(result.to_json())
    assert again.report_threshold == 0.7 and again.area("D1") == measure
    assert with_level_reports(again, {"D1": SEED_CUTS}) is again  # reports are never redone


@pytest.mark.parametrize(
    "stored",
    [
        {"schema": 99, "areas": {}},
        {"areas": {"D1": {"se": 0.3, "level": 1}}},
        {"areas": {"D1": {"theta": "high", "se": 0.3, "level": 1}}},
        {"schema": 1, "areas": {}},
        {"schema": 2, "areas": {}, "competences": {}},
        {
            "schema": 2,
            "report_threshold": 0.6,
            "competences": {},
            "areas": {
                "D1": {"theta": 0, "se": 0.3, "level": 3, "level_probability": 0.5},
            },
        },
        {
            "schema": 2,
            "report_threshold": 0.6,
            "competences": {},
            "areas": {
                "D1": {
                    "theta": 0,
                    "se": 0.3,
                    "level": 3,
                    "level_probability": 0.5,
                    "between_levels": [1, 2, 3],
                },
            },
        },
        [1, 2],
    ],
    ids=[
        "unknown-schema",
        "no-theta",
        "theta-not-a-number",
        "schema-1-no-competences",
        "schema-2-no-threshold",
        "schema-2-no-between",
        "schema-2-between-not-a-pair",
        "list",
    ],
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
def test_a_finished_attempt_stores_the_reported_level_of_each_area(seeded):
    attempt = start_attempt(make_user(), ["D1", "D2", "D3"], seed=8)
    play(attempt, alternate)
    attempt.refresh_from_db()
    assert attempt.result["report_threshold"] == 0.6
    for code, stored in attempt.result["areas"].items():
        # From the unrounded theta and SE; the stored, rounded ones give the same report.
        engine = reported_level(stored["theta"], stored["se"], SEED_CUTS)
        assert stored["level"] == engine.level + 1, code
        assert stored["level_probability"] == pytest.approx(engine.probability, abs=1e-3)
        assert stored["between_levels"] == (
            None if engine.between is None else [k + 1 for k in engine.between]
        )
        assert sum(stored["level_probabilities"]) == pytest.approx(1.0, abs=1e-3)


@pytest.mark.django_db
def test_a_result_stored_before_level_reports_reads_with_the_same_reports_unchanged(seeded):
    attempt = start_attempt(make_user(), ["D4", "D5"], seed=9)
    play(attempt, alternate)
    attempt.refresh_from_db()
    reported = result_of(attempt)
    old = {key: value for key, value in attempt.result.items() if key != "report_threshold"}
    old["schema"] = 1
    old["areas"] = {
        code: {
            key: value
            for key, value in area.items()
            if key not in ("level_probability", "between_levels")
        }
        for code, area in attempt.result["areas"].items()
    }
    attempt.result = old
    kept = repr(old)
    read = result_of(attempt)
    assert read.schema == 1 and read.report_threshold == 0.6
    for before, after in zip(reported.areas, read.areas, strict=True):
        assert (after.level, after.between_levels) == (before.level, before.between_levels)
        assert after.level_probability == pytest.approx(before.level_probability, abs=1e-3)
    assert repr(attempt.result) == kept  # the stored JSON is read, never rewritten


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


@pytest.mark.parametrize(
    ("probability", "shown"),
    [(0.58, 58), (0.5996, 59), (0.6, 60), (0.7849, 78), (0.9999, 99), (1.0, 99), (0.0, 0)],
)
def test_percentages_are_rounded_down_and_never_say_certain(probability, shown):
    assert shown_percent(probability) == shown


SURE = AreaMeasure("D1", 0.1, 0.35, 3, (0.0, 0.1, 0.7849, 0.1, 0.0151), "precise", 0.7849, None)
UNSURE = AreaMeasure("D2", -0.4, 0.6, 2, (0.09, 0.45, 0.41, 0.05, 0.0), "indicative", 0.86, (2, 3))


def test_the_level_sentence_in_french_has_a_narrow_no_break_space_before_percent():
    with translation.override("fr"):
        assert percent_text(0.78) == "78\u202f%"
        assert level_sentence(SURE) == (
            "Niveau 3, avec 78\u202f% de chances que ce soit bien votre niveau."
        )
        assert level_sentence(UNSURE) == (
            "Entre le niveau 2 et le niveau 3 : vos réponses ne permettent pas de trancher "
            "(niveau 2 : 45\u202f%, niveau 3 : 41\u202f%)."
        )


def test_the_level_sentence_in_english():
    with translation.override("en"):
        assert percent_text(0.78) == "78%"
        assert level_sentence(SURE) == "Level 3, with a 78% chance that this is your level."
        assert level_sentence(UNSURE) == (
            "Between level 2 and level 3: your answers cannot settle which "
            "(level 2: 45%, level 3: 41%)."
        )


def test_a_measure_without_its_report_has_no_sentence():
    with pytest.raises(ValueError, match="result_of"):
        level_sentence(replace(SURE, level_probability=None))
