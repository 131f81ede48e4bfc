"""Strengths and gaps per competence, for pages: the competence scores of the typed result
(`results.CompetenceScore`, where the rule and its thresholds live) with their framework
competences. Few questions per competence make this a hint, not a measure: pages say so.
See docs/assessments.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from palier.assessments.models import Attempt
from palier.assessments.results import MIN_RESPONSES, THRESHOLD, CompetenceScore, result_of
from palier.frameworks.models import Competence

__all__ = [
    "MIN_RESPONSES",
    "THRESHOLD",
    "CompetenceSignal",
    "competence_readings",
    "competence_signals",
]


@dataclass(frozen=True)
class CompetenceSignal:
    """A competence of the framework with the learner's score on it."""

    competence: Competence
    score: CompetenceScore

    @property
    def answered(self) -> int:
        return self.score.answered

    @property
    def observed(self) -> float:
        return self.score.observed

    @property
    def expected(self) -> float:
        return self.score.expected

    @property
    def residual(self) -> float:
        return self.score.residual

    @property
    def kind(self) -> str:
        return self.score.kind


def competence_signals(attempt: Attempt) -> list[CompetenceSignal]:
    """The attempt's competence signals in framework order (none before it is finished)."""
    result = result_of(attempt)
    if result is None or not result.competences:
        return []
    scores = {(score.area, score.code): score for score in result.competences}
    competences = Competence.objects.filter(
        area__framework_id=attempt.framework_id, code__in=[code for _area, code in scores]
    ).select_related("area")
    signals = [
        CompetenceSignal(competence, scores[key])
        for competence in competences
        if (key := (competence.area.code, competence.code)) in scores
    ]
    return sorted(signals, key=lambda s: (s.competence.area.number, s.competence.position))


# The reading of a competence no question of the test touched.
NOT_ASSESSED = "not_assessed"


def competence_readings(
    attempt: Attempt, signals: list[CompetenceSignal]
) -> dict[str, list[tuple[Competence, str]]]:
    """Per assessed area (code), every competence of the area with its reading: a signal's
    kind ("strength", "gap", "expected", "unknown") or NOT_ASSESSED when no question of the
    test was about it."""
    kinds = {signal.competence.pk: signal.kind for signal in signals}
    readings: dict[str, list[tuple[Competence, str]]] = {code: [] for code in attempt.areas}
    competences = Competence.objects.filter(
        area__framework_id=attempt.framework_id, area__code__in=attempt.areas
    ).select_related("area")
    for competence in competences.order_by("area__number", "position"):
        readings[competence.area.code].append((competence, kinds.get(competence.pk, NOT_ASSESSED)))
    return readings
