"""The result of a finished attempt: level per area, precision in plain words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from palier.engine import Step, level, level_probabilities

if TYPE_CHECKING:
    from palier.assessments.engine_adapter import BankSnapshot
    from palier.assessments.models import Attempt

# Standard errors (logits) under which a measure is called precise / fairly precise.
PRECISE_SE = 0.35
FAIR_SE = 0.55


def precision_word(se: float) -> str:
    if se <= PRECISE_SE:
        return "precise"
    if se <= FAIR_SE:
        return "fair"
    return "indicative"


def build_result(attempt: Attempt, snapshot: BankSnapshot, step: Step) -> dict[str, Any]:
    """Per measured area: theta, SE, level (1-based) and the probability of each level."""
    areas = {}
    for code in attempt.areas:
        index = snapshot.area_codes.index(code)
        theta, se = float(step.theta[index]), float(step.se[index])
        cuts = snapshot.cut_scores[index]
        areas[code] = {
            "theta": round(theta, 4),
            "se": round(se, 4),
            "level": int(level(theta, cuts)) + 1,
            "level_probabilities": [
                round(float(p), 4) for p in level_probabilities(theta, se, cuts)
            ],
            "precision": precision_word(se),
        }
    return {
        "engine_version": attempt.engine_settings.version,
        "calibration": attempt.calibration_id,
        "stop_reason": step.stop_reason,
        "items": step.n_items,
        "areas": areas,
    }
