"""The result of a finished attempt, typed: level per area with the probability that it is the
right one, precision in plain words, and strengths and gaps per competence.

`Attempt.result` is stored as JSON; `AttemptResult.from_json` / `to_json` are the only code
that reads or writes that JSON, and `result_of(attempt)` is how every other module gets it.
Stored shapes (`schema`):

- 0 (no `schema` key, results stored before the typed result): `engine_version`,
  `calibration`, `stop_reason`, `items`, and `areas` {code: {theta, se, level,
  level_probabilities, precision}}; keys other than theta, se and level may be missing.
- 1: the same, plus `schema` and `competences` {code: {area, answered, observed, expected}}
  computed when the attempt finished. For a schema-0 result they are computed on reading,
  from the stored responses, exactly as they were shown before.
- 2: the same, plus `report_threshold` and per area the reported level
  (`palier.engine.reported_level`): `level_probability` and `between_levels` (null, or the two
  adjacent 1-based levels the learner is between). For a result stored before (schema 0 or
  1) they are computed on reading from the stored theta and SE and the cut scores of the
  attempt's framework version, with today's threshold; stored JSON is never rewritten.

Competence signals (see docs/assessments.md): for each competence, the observed score (sum of
credits) against the expected one (sum of P(correct) at the learner's final area theta, with
the parameters stored on each response), per question:

    residual = (observed - expected) / answered

at least +THRESHOLD is a strength, at most -THRESHOLD a gap, in between "expected"; fewer than
MIN_RESPONSES answers are too few to conclude ("unknown").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from django.utils.translation import gettext as _

from palier.assessments.engine_adapter import BankSnapshot, RecordedAnswer, recorded_answers
from palier.core.i18n import content_language
from palier.engine import LevelReport, Step, probability, reported_level
from palier.engine.score import REPORT_THRESHOLD
from palier.frameworks.queries import cut_scores_by_area

if TYPE_CHECKING:
    from palier.assessments.models import Attempt, RecomputedResult

RESULT_SCHEMA = 2
READABLE_SCHEMAS = (0, 1, 2)
# Standard errors (logits) under which a measure is called precise / fairly precise.
PRECISE_SE = 0.35
FAIR_SE = 0.55
# Competence signals: answers needed to conclude, and the residual that stands out.
MIN_RESPONSES = 2
THRESHOLD = 0.2
# Decimals kept for thetas, SEs and level probabilities in the stored result.
STORED_DECIMALS = 4
# A test never makes a level certain: a probability is shown as 99 % at most.
MAX_SHOWN_PERCENT = 99


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
    level, the precision in words, and what the learner is told (`reported_level`):
    `between_levels` None and `level_probability` the level's probability, or the two adjacent
    levels (1-based) the learner is between and their summed probability. Those two are None
    only in a result read from JSON stored before them, until `result_of` fills them in."""

    code: str
    theta: float
    se: float
    level: int
    level_probabilities: tuple[float, ...]
    precision: str
    level_probability: float | None = None
    between_levels: tuple[int, int] | None = None

    @property
    def reported_levels(self) -> tuple[int, ...]:
        """The level reported, or the two levels the learner is reported between."""
        return self.between_levels or (self.level,)

    def probability_of(self, rank: int) -> float:
        """Probability of the 1-based level `rank` (0 when it is not stored)."""
        if 1 <= rank <= len(self.level_probabilities):
            return self.level_probabilities[rank - 1]
        return 0.0


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
    report_threshold: float | None = None  # None: read from a result stored before reports

    def area(self, code: str) -> AreaMeasure | None:
        """The measure of area `code`, None when it was not assessed."""
        return next((measure for measure in self.areas if measure.code == code), None)

    def levels(self) -> dict[str, int]:
        """Level (1-based) per assessed area code."""
        return {measure.code: measure.level for measure in self.areas}

    def to_json(self) -> dict[str, Any]:
        """The stored form (the current schema). A result read from JSON stored before level
        reports must get them first (`result_of`, `with_level_reports`)."""
        if self.report_threshold is None:
            raise ValueError("this result has no level reports: read it with result_of")
        return {
            "schema": RESULT_SCHEMA,
            "engine_version": self.engine_version,
            "calibration": self.calibration,
            "stop_reason": self.stop_reason,
            "items": self.items,
            "report_threshold": self.report_threshold,
            "areas": {
                measure.code: {
                    "theta": measure.theta,
                    "se": measure.se,
                    "level": measure.level,
                    "level_probabilities": list(measure.level_probabilities),
                    "precision": measure.precision,
                    "level_probability": measure.level_probability,
                    "between_levels": list(measure.between_levels)
                    if measure.between_levels
                    else None,
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
        if schema not in READABLE_SCHEMAS:
            raise ResultFormatError(f"unknown result schema {schema!r}")
        try:
            areas = tuple(
                _area_from_json(code, values, reported=schema >= 2)
                for code, values in data["areas"].items()
            )
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
            threshold = float(data["report_threshold"]) if schema >= 2 else None
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
            report_threshold=threshold,
        )


def _area_from_json(code: str, values: Mapping[str, Any], reported: bool) -> AreaMeasure:
    se = float(values["se"])
    between = values["between_levels"] if reported else None
    if between is not None and len(between) != 2:
        raise ValueError(f"between_levels of {code} is not a pair: {between!r}")
    return AreaMeasure(
        code=str(code),
        theta=float(values["theta"]),
        se=se,
        level=int(values["level"]),
        level_probabilities=tuple(float(p) for p in values.get("level_probabilities") or ()),
        precision=str(values.get("precision") or precision_word(se)),
        level_probability=float(values["level_probability"]) if reported else None,
        between_levels=(int(between[0]), int(between[1])) if between is not None else None,
    )


def _reported(measure: AreaMeasure, report: LevelReport) -> AreaMeasure:
    """`measure` with the engine's report (engine levels are 0-based, ours 1-based)."""
    return replace(
        measure,
        level_probabilities=tuple(round(p, STORED_DECIMALS) for p in report.probabilities),
        level_probability=round(report.probability, STORED_DECIMALS),
        between_levels=(report.between[0] + 1, report.between[1] + 1)
        if report.between is not None
        else None,
    )


def with_level_reports(
    result: AttemptResult, cut_scores: Mapping[str, Sequence[float]]
) -> AttemptResult:
    """A result stored before level reports (schema < 2), with them computed from its stored
    theta and SE and `cut_scores` (per area code, of the attempt's framework version), at
    today's threshold. The stored level is kept: the report is computed from the rounded
    stored theta, so near a cut score it may hold the other level of the pair, never
    contradict it (below the threshold it is "between" the two)."""
    if result.report_threshold is not None:
        return result
    areas = tuple(
        _reported(
            measure,
            reported_level(measure.theta, measure.se, cut_scores.get(measure.code, ())),
        )
        for measure in result.areas
    )
    return replace(result, areas=areas, report_threshold=REPORT_THRESHOLD)


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
    """The result of the engine's final `step`: per measured area theta, SE, level, the
    probability of each level and the reported level, and the competence scores of the
    `recorded` answers. Levels and reports come from the unrounded theta and SE."""
    areas = []
    for code in attempt.areas:
        index = snapshot.area_codes.index(code)
        theta, se = float(step.theta[index]), float(step.se[index])
        report = reported_level(theta, se, snapshot.cut_scores[index])
        measure = AreaMeasure(
            code=code,
            theta=round(theta, STORED_DECIMALS),
            se=round(se, STORED_DECIMALS),
            level=report.level + 1,
            level_probabilities=(),
            precision=precision_word(se),
        )
        areas.append(_reported(measure, report))
    return AttemptResult(
        areas=tuple(areas),
        # At the stored (rounded) theta, as pages computed them before they were stored.
        competences=score_competences({m.code: m.theta for m in areas}, recorded),
        engine_version=attempt.engine_settings.version,
        calibration=attempt.calibration_id,
        stop_reason=step.stop_reason or "",
        items=step.n_items,
        report_threshold=REPORT_THRESHOLD,
    )


_CACHE_ATTRIBUTE = "_typed_result"


def result_of(attempt: Attempt) -> AttemptResult | None:
    """The attempt's typed result (None until it is finished), read once per instance.

    A result stored before competence scores were (schema 0) gets them from the stored
    responses here, and one stored before level reports (schema 0 or 1) gets them from the
    cut scores of its framework version, so readers never see the difference."""
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
    if result.report_threshold is None:
        result = with_level_reports(result, cut_scores_by_area(attempt.framework_id))
    attempt.__dict__[_CACHE_ATTRIBUTE] = (stored, result)
    return result


def shown_percent(probability: float) -> int:
    """A probability as the whole percentage shown to learners, rounded down (from the four
    stored decimals, so 0.58 is 58, not 57 by binary rounding) and at most 99: a level
    reported alone (at or above the threshold) never shows less than the threshold's
    percentage, and a level in a "between" pair never shows it unless its stored value is
    exactly on the threshold (below it by less than half a stored decimal)."""
    return min(MAX_SHOWN_PERCENT, round(probability * 10**STORED_DECIMALS) // 100)


def percent_text(probability: float) -> str:
    """The shown percentage in the reader's language: "78\u202f%" (narrow no-break space, French
    typography) or "78%" (English)."""
    value = shown_percent(probability)
    return f"{value}\u202f%" if content_language() == "fr" else f"{value}%"


def level_sentence(measure: AreaMeasure) -> str:
    """The one sentence that tells a learner their level in an area and how sure it is."""
    if measure.level_probability is None:
        raise ValueError(f"area {measure.code} has no level report (read it with result_of)")
    if measure.between_levels is None:
        return _("Niveau %(level)s, avec %(percent)s de chances que ce soit bien votre niveau.") % {
            "level": measure.level,
            "percent": percent_text(measure.level_probability),
        }
    low, high = measure.between_levels
    return _(
        "Entre le niveau %(low)s et le niveau %(high)s : vos réponses ne permettent pas de "
        "trancher (niveau %(low)s : %(low_percent)s, niveau %(high)s : %(high_percent)s)."
    ) % {
        "low": low,
        "high": high,
        "low_percent": percent_text(measure.probability_of(low)),
        "high_percent": percent_text(measure.probability_of(high)),
    }


# The example of probability_note: of learners told this, about that many in ten are right.
NOTE_EXAMPLE = 0.8


def probability_note() -> str:
    """How to read the percentages, in one sentence (page and PDF)."""
    return _(
        "Le pourcentage dit à quel point vos réponses désignent ce niveau : parmi les "
        "personnes à qui le test annonce %(percent)s, environ %(right)s sur 10 ont bien ce "
        "niveau."
    ) % {"percent": percent_text(NOTE_EXAMPLE), "right": round(NOTE_EXAMPLE * 10)}


def synthetic_calibration(attempt: Attempt) -> bool:
    """Whether the attempt was scored with a calibration estimated on simulated data."""
    return bool(attempt.calibration.synthetic)


def stored_result(record: Attempt | RecomputedResult) -> dict[str, Any] | None:
    """The result JSON exactly as stored, for the personal-data export: the right of access
    covers what is kept about the person, not only what the pages read of it."""
    return record.result


def recomputed_result_of(recomputed: RecomputedResult) -> AttemptResult:
    """The typed result of a recomputation under another calibration (`RecomputedResult`)."""
    return AttemptResult.from_json(recomputed.result)
