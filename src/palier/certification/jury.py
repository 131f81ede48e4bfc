"""The jury's automatic rules and the certified level per area (docs/certification.md).

Applied to a candidate whose test is over (finished, timed out or ended by the invigilator),
in this order; the first that holds decides:

1. A fraud-suspicion incident about the candidate: "to be reviewed" (`fraud_suspicion`).
2. Fewer than `MIN_ANSWERS` (20) answers: "to be reviewed" when a technical incident about
   the candidate covers it (`short_test_technical_incident`), otherwise "rejected"
   (`too_few_answers`).
3. Otherwise the certified level of each area (`certified_levels`): "certified" when at least
   one area has a level, "no level certified" otherwise.

A review (by the centre's admins or a platform administrator) records a new decision with
its reason; nothing is edited in place.
"""

from __future__ import annotations

from dataclasses import dataclass

from palier.assessments.models import Attempt
from palier.assessments.results import result_of
from palier.certification.models import Candidate, Incident, JuryDecision
from palier.engine import CERTIFICATION_THRESHOLD, certified_level
from palier.frameworks.queries import cut_scores_by_area

RULE_VERSION = "jury-2026-12"
MIN_ANSWERS = 20
Outcome = JuryDecision.Outcome


@dataclass(frozen=True)
class Verdict:
    outcome: str
    levels: dict[str, dict]
    reasons: list[str]


def answered_count(attempt: Attempt) -> int:
    """Scored answers of the attempt (withdrawn questions were never answered)."""
    return attempt.responses.filter(pretest=False).count()


def certified_levels(attempt: Attempt) -> dict[str, dict]:
    """Per area code: the certified level (1-based, or None) and P(level >= it), from the
    stored theta and SE of the attempt's result and the cut scores of its framework."""
    result = result_of(attempt)
    if result is None:
        return {}
    cuts = cut_scores_by_area(attempt.framework_id)
    levels = {}
    for measure in result.areas:
        certified = certified_level(
            measure.theta, measure.se, cuts.get(measure.code, ()), CERTIFICATION_THRESHOLD
        )
        levels[measure.code] = {
            "level": certified.level + 1 if certified.level is not None else None,
            "probability": round(certified.probability, 4),
        }
    return levels


def verdict(categories: set[str], answered: int, levels: dict[str, dict]) -> Verdict:
    """The automatic rules, from the incident categories about the candidate, the number of
    scored answers and the certified levels of the test."""
    if Incident.Category.FRAUD in categories:
        return Verdict(Outcome.TO_REVIEW, levels, ["fraud_suspicion"])
    if answered < MIN_ANSWERS:
        if Incident.Category.TECHNICAL in categories:
            return Verdict(Outcome.TO_REVIEW, levels, ["short_test_technical_incident"])
        return Verdict(Outcome.REJECTED, {}, ["too_few_answers"])
    if any(area["level"] is not None for area in levels.values()):
        return Verdict(Outcome.CERTIFIED, levels, [])
    return Verdict(Outcome.NOT_CERTIFIED, levels, [])


def automatic_verdict(candidate: Candidate) -> Verdict:
    """The automatic rules applied to a candidate whose test is over."""
    categories = set(candidate.incidents.values_list("category", flat=True))
    attempt = candidate.attempt
    finished = attempt is not None and attempt.is_finished
    return verdict(
        categories,
        answered_count(attempt) if attempt is not None else 0,
        certified_levels(attempt) if finished else {},
    )


def latest_decision(candidate: Candidate) -> JuryDecision | None:
    return candidate.decisions.order_by("-decided_at", "-pk").first()
