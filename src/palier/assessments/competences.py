"""Strengths and gaps per competence, from one attempt's responses.

The adaptive test measures areas; within an area, a competence stands out when the learner
did better or worse on its questions than their area level predicts. For each competence
with at least MIN_RESPONSES answers we compare the observed score (sum of credits) with the
expected score (sum of the model probabilities of success at the learner's final area theta,
with the parameters stored on each response), per question:

    residual = (observed - expected) / n

A residual of at least +THRESHOLD is a strength, at most -THRESHOLD a gap; in between the
competence is in line with the area level. Few questions per competence make this a hint,
not a measure: pages say so. See docs/assessments.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from palier.assessments.models import Attempt, Response
from palier.engine import probability
from palier.frameworks.models import Competence

MIN_RESPONSES = 2
THRESHOLD = 0.2


@dataclass(frozen=True)
class CompetenceSignal:
    competence: Competence
    answered: int
    observed: float
    expected: float

    @property
    def residual(self) -> float:
        return (self.observed - self.expected) / self.answered

    @property
    def kind(self) -> str:
        if self.answered < MIN_RESPONSES:
            return "unknown"
        if self.residual >= THRESHOLD:
            return "strength"
        if self.residual <= -THRESHOLD:
            return "gap"
        return "expected"


def competence_signals(attempt: Attempt) -> list[CompetenceSignal]:
    if not attempt.is_finished or not attempt.result:
        return []
    areas = attempt.result["areas"]
    responses = Response.objects.filter(attempt=attempt, pretest=False).select_related(
        "item_version__capacity__competence__area"
    )
    grouped: dict[int, list[Response]] = defaultdict(list)
    competences: dict[int, Competence] = {}
    for response in responses:
        competence = response.item_version.capacity.competence
        competences[competence.pk] = competence
        grouped[competence.pk].append(response)
    signals = []
    for key, rows in grouped.items():
        competence = competences[key]
        theta = areas.get(competence.area.code, {}).get("theta")
        if theta is None:
            continue
        expected = probability(
            theta,
            [r.discrimination for r in rows],
            [r.difficulty for r in rows],
            [r.guessing or 0.0 for r in rows],
        )
        signals.append(
            CompetenceSignal(
                competence, len(rows), float(sum(r.credit for r in rows)), float(np.sum(expected))
            )
        )
    return sorted(signals, key=lambda s: (s.competence.area.number, s.competence.position))
