"""The result of a finished attempt, typed: level per area, precision in plain words, and
strengths and gaps per competence.

`Attempt.result` is stored as JSON; `AttemptResult.from_json` / `to_json` are the only code
that reads or writes that JSON, and `result_of(attempt)` is how every other module gets it.
Stored shapes (`schema`):

- 0 (no `schema` key, results stored before the typed result): `engine_version`,
  `calibration`, `stop_reason`, `items`, and `areas` {code: {theta, se, level,
  level_probabilities, precision}}; keys other than theta, se and level may be missing.
- 1: the same, plus `schema` and `competences` {code: {area, answered, observed, expected}}
  computed when the attempt finished. For a schema-0 result they are computed on reading,
  from the stored responses, exactly as they were shown before.

Competence signals (see docs/assessments.md): for each competence, the observed score (sum of
credits) against the expected one (sum of P(correct) at the learner's final area theta, with
the parameters stored on each response), per question:

    residual = (observed - expected) / answered

at least +THRESHOLD is a strength, at most -THRESHOLD a gap, in between "expected"; fewer than
MIN_RESPONSES answers are too few to conclude ("unknown").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from palier.assessments.engine_adapter import BankSnapshot, RecordedAnswer, recorded_answers
from palier.engine import Step, level, level_probabilities, probability

if TYPE_CHECKING:
    from palier.assessments.models import Attempt

RESULT_SCHEMA = 1
# Standard errors (logits) under which a measure is called precise / fairly precise.
PRECISE_SE = 0.35
FAIR_SE = 0.55
# Competence signals: answers needed to conclude, and the residual that stands out.
MIN_RESPONSES = 2
THRESHOLD = 0.2
# Decimals kept for thetas, SEs and level probabilities in the stored result.
STORED_DECIMALS = 4


class ResultFormatError(ValueError):
    """A stored result that no known schema reads."""


def precision_word(se: float) -> str:
    """The precision of a measure in words: "precise", "fair" or "indicative"."""
    if se <= PRECISE_SE:
        return "precise"
    if se <= FAIR_SE:
        return "fair"
    return "indicative"


@dataclass(frozen=True)
class AreaMeasure:
    """One measured area: theta and SE (logits), level (1-based), the probability of each
    level, and the precision in words."""

    code: str
    theta: float
    se: float
    level: int
    level_probabilities: tuple[float, ...]
    precision: str


@dataclass(frozen=True)
class CompetenceScore:
    """Observed and expected scores on one competence's scored questions."""

    code: str
    area: str
    answered: int
    observed: float
    expected: float

    @property
    def residual(self) -> float:
        return (self.observed - self.expected) / self.answered

    @property
    def kind(self) -> str:
        """ "strength", "gap", "expected", or "unknown" (too few answers)."""
        if self.answered < MIN_RESPONSES:
            return "unknown"
        if self.residual >= THRESHOLD:
            return "strength"
        if self.residual <= -THRESHOLD:
            return "gap"
        return "expected"


@dataclass(frozen=True)
class AttemptResult:
    """A finished attempt's result, as stored in `Attempt.result`."""

    areas: tuple[AreaMeasure, ...]
    competences: tuple[CompetenceScore, ...] | None = None  # None: not stored (schema 0)
    engine_version: str = ""
    calibration: int | None = None
    stop_reason: str = ""
    items: int | None = None  # scored questions
    schema: int = RESULT_SCHEMA

    def area(self, code: str) -> AreaMeasure | None:
        """The measure of area `code`, None when it was not assessed."""
        return next((measure for measure in self.areas if measure.code == code), None)

    def levels(self) -> dict[str, int]:
        """Level (1-based) per assessed area code."""
        return {measure.code: measure.level for measure in self.areas}

    def to_json(self) -> dict[str, Any]:
        """The stored form (the current schema)."""
        return {
            "schema": RESULT_SCHEMA,
            "engine_version": self.engine_version,
            "calibration": self.calibration,
            "stop_reason": self.stop_reason,
            "items": self.items,
            "areas": {
                measure.code: {
                    "theta": measure.theta,
                    "se": measure.se,
                    "level": measure.level,
                    "level_probabilities": list(measure.level_probabilities),
                    "precision": measure.precision,
                }
                for measure in self.areas
            },
            "competences": {
                score.code: {
                    "area": score.area,
                    "answered": score.answered,
                    "observed": score.observed,
                    "expected": score.expected,
                }
                for score in self.competences or ()
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AttemptResult:
        """Read any stored shape (module docstring); `ResultFormatError` when none fits."""
        if not isinstance(data, Mapping):
            raise ResultFormatError(f"a result is an object, not {type(data).__name__}")
        schema = data.get("schema", 0)
        if schema not in (0, RESULT_SCHEMA):
            raise ResultFormatError(f"unknown result schema {schema!r}")
        try:
            areas = tuple(_area_from_json(code, values) for code, values in data["areas"].items())
            competences = (
                tuple(
                    CompetenceScore(
                        code,
                        str(values["area"]),
                        int(values["answered"]),
                        float(values["observed"]),
                        float(values["expected"]),
                    )
                    for code, values in data["competences"].items()
                )
                if schema >= 1
                else None
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ResultFormatError(f"malformed result: {error!r}") from error
        return cls(
            areas=areas,
            competences=competences,
            engine_version=str(data.get("engine_version") or ""),
            calibration=data.get("calibration"),
            stop_reason=str(data.get("stop_reason") or ""),
            items=data.get("items"),
            schema=schema,
        )


def _area_from_json(code: str, values: Mapping[str, Any]) -> AreaMeasure:
    se = float(values["se"])
    return AreaMeasure(
        code=str(code),
        theta=float(values["theta"]),
        se=se,
        level=int(values["level"]),
        level_probabilities=tuple(float(p) for p in values.get("level_probabilities") or ()),
        precision=str(values.get("precision") or precision_word(se)),
    )


def score_competences(
    thetas: Mapping[str, float], recorded: Iterable[RecordedAnswer]
) -> tuple[CompetenceScore, ...]:
    """Observed and expected scores per competence over the scored answers, at the final
    theta of each answer's area (areas without a theta are left out)."""
    grouped: dict[str, list[RecordedAnswer]] = {}
    for answer in recorded:
        if not answer.pretest and answer.area_code in thetas:
            grouped.setdefault(answer.competence_code, []).append(answer)
    scores = []
    for code, rows in grouped.items():
        area = rows[0].area_code
        expected = probability(
            thetas[area],
            [row.discrimination for row in rows],
            [row.difficulty for row in rows],
            [row.guessing or 0.0 for row in rows],
        )
        observed = float(sum(row.credit for row in rows))
        scores.append(CompetenceScore(code, area, len(rows), observed, float(np.sum(expected))))
    return tuple(sorted(scores, key=lambda score: score.code))


def build_result(
    attempt: Attempt, snapshot: BankSnapshot, step: Step, recorded: Iterable[RecordedAnswer]
) -> AttemptResult:
    """The result of the engine's final `step`: per measured area theta, SE, level and the
    probability of each level, and the competence scores of the `recorded` answers."""
    areas = []
    for code in attempt.areas:
        index = snapshot.area_codes.index(code)
        theta = round(float(step.theta[index]), STORED_DECIMALS)
        se = round(float(step.se[index]), STORED_DECIMALS)
        cuts = snapshot.cut_scores[index]
        areas.append(
            AreaMeasure(
                code=code,
                theta=theta,
                se=se,
                level=int(level(float(step.theta[index]), cuts)) + 1,
                level_probabilities=tuple(
                    round(float(p), STORED_DECIMALS)
                    for p in level_probabilities(
                        float(step.theta[index]), float(step.se[index]), cuts
                    )
                ),
                precision=precision_word(float(step.se[index])),
            )
        )
    return AttemptResult(
        areas=tuple(areas),
        # At the stored (rounded) theta, as pages computed them before they were stored.
        competences=score_competences({m.code: m.theta for m in areas}, recorded),
        engine_version=attempt.engine_settings.version,
        calibration=attempt.calibration_id,
        stop_reason=step.stop_reason or "",
        items=step.n_items,
    )


_CACHE_ATTRIBUTE = "_typed_result"


def result_of(attempt: Attempt) -> AttemptResult | None:
    """The attempt's typed result (None until it is finished), read once per instance.

    A result stored before competence scores were (schema 0) gets them from the stored
    responses here, so readers never see the difference."""
    stored = attempt.result
    if not attempt.is_finished or not stored:
        return None
    cached = attempt.__dict__.get(_CACHE_ATTRIBUTE)
    if cached is not None and cached[0] is stored:
        return cached[1]
    result = AttemptResult.from_json(stored)
    if result.competences is None:
        thetas = {measure.code: measure.theta for measure in result.areas}
        result = replace(result, competences=score_competences(thetas, recorded_answers(attempt)))
    attempt.__dict__[_CACHE_ATTRIBUTE] = (stored, result)
    return result
