"""Recompute an attempt from its stored responses, with the parameters stored on each
response and the attempt's own engine settings (not today's).

The engine's inputs come from `engine_adapter.attempt_engine`, the very function delivery
uses, so a rescored attempt and a delivered one can only differ if something stored changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from palier.assessments.engine_adapter import EmptyBankError, bank_snapshot, recorded_answers
from palier.assessments.models import Attempt
from palier.assessments.results import AttemptResult, build_result, result_of
from palier.assessments.services import engine_step

# Stored thetas and SEs are rounded to 4 decimals; a recomputed value within this is the same.
TOLERANCE = 1e-3


@dataclass(frozen=True)
class Rescore:
    matches: bool
    lines: list[str]
    recomputed: AttemptResult | None = None


def rescore(attempt: Attempt) -> Rescore:
    """Recompute `attempt`'s result and compare it, area by area, with the stored one."""
    recorded = recorded_answers(attempt)
    if not recorded:
        return Rescore(False, ["No stored responses."])
    try:
        snapshot = bank_snapshot(attempt.calibration)
    except EmptyBankError:
        return Rescore(False, ["The attempt's calibration has no item left to rebuild it."])
    step, _engine = engine_step(attempt, snapshot, recorded)
    recomputed = build_result(attempt, snapshot, step, recorded)
    stored = result_of(attempt)
    lines, matches = [], True
    for code in attempt.areas:
        new = recomputed.area(code)
        old = stored.area(code) if stored is not None else None
        same = (
            old is not None
            and new is not None
            and abs(new.theta - old.theta) < TOLERANCE
            and abs(new.se - old.se) < TOLERANCE
            and new.level == old.level
        )
        matches = matches and same
        before = (
            f"theta={old.theta} se={old.se} level={old.level}" if old is not None else "nothing"
        )
        lines.append(
            f"{code}: stored {before}; recomputed theta={new.theta:.4f} se={new.se:.4f} "
            f"level={new.level} {'OK' if same else 'DIFFERS'}"
        )
    return Rescore(matches, lines, recomputed)
