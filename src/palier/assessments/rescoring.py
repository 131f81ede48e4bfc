"""Recompute an attempt from its stored responses, with the parameters stored on each
response and the attempt's own engine settings (not today's).

The engine's inputs come from `engine_adapter.attempt_engine`, the very function delivery
uses, so a rescored attempt and a delivered one can only differ if something stored changed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from palier.assessments.engine_adapter import (
    EmptyBankError,
    RecordedAnswer,
    bank_snapshot,
    recorded_answers,
)
from palier.assessments.models import Attempt
from palier.assessments.results import AttemptResult, build_result, result_of
from palier.assessments.services import engine_step
from palier.items.models import Calibration, ItemParameter

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


class RecomputeError(ValueError):
    """The attempt cannot be recomputed under that calibration (the message says why)."""


def result_under(attempt: Attempt, calibration: Calibration) -> AttemptResult:
    """`attempt`'s result from its stored answers, every answered item scored with
    `calibration`'s parameters instead of those recorded when it was delivered.

    The items stay those the learner saw (chosen under the attempt's own calibration); only
    the estimates, levels and competence scores change. The attempt's result is not touched:
    `assessments.services.record_recomputed_result` stores this as a new, labelled result."""
    if calibration.framework_id != attempt.framework_id:
        raise RecomputeError("The calibration belongs to another framework version.")
    recorded = recorded_answers(attempt)
    if not attempt.is_finished or not recorded:
        raise RecomputeError("Only a finished attempt with stored answers can be recomputed.")
    parameters = {
        version: (a, b, c)
        for version, a, b, c in ItemParameter.objects.filter(
            calibration=calibration, item_version_id__in=[row.version_id for row in recorded]
        ).values_list("item_version_id", "discrimination", "difficulty", "guessing")
    }
    missing = sorted({row.version_id for row in recorded} - parameters.keys())
    if missing:
        raise RecomputeError(
            f"The calibration has no parameters for {len(missing)} answered item versions "
            f"(first: {missing[0]})."
        )
    rescaled: list[RecordedAnswer] = [
        replace(
            row,
            discrimination=parameters[row.version_id][0],
            difficulty=parameters[row.version_id][1],
            guessing=parameters[row.version_id][2],
        )
        for row in recorded
    ]
    try:
        snapshot = bank_snapshot(calibration)
    except EmptyBankError as error:
        raise RecomputeError("The calibration has no operational item.") from error
    step, _engine = engine_step(attempt, snapshot, rescaled)
    return replace(build_result(attempt, snapshot, step, rescaled), calibration=calibration.pk)
