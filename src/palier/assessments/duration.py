"""How long the test takes and how far a learner has got: the numbers the pages announce,
computed from the engine settings, the stopping rule and the time learners take per question.

Questions left (docs/assessments.md): an area stops when its SE reaches the target, so it
still needs ``1/target^2 - 1/SE^2`` of Fisher information; a well-targeted item brings about
``TARGETING_EFFICIENCY x a^2/4`` of it (``a^2/4`` is the 2PL information at theta = b, the
best case; `BankSnapshot.area_information` is its mean over the area's items). Each area
also needs its minimum number of questions, and the test its own minimum; the estimate
never exceeds the test's maximum.

Time per question: the median time learners really took (shown to answered, real learners
only, the latest `OBSERVED_WINDOW` answers) once there are `MIN_OBSERVED_ANSWERS` of them;
before that, the median of the authors' estimated times of the bank's items; without a bank,
`DEFAULT_SECONDS_PER_QUESTION`. The median keeps a paused test from skewing it.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils import timezone

from palier.assessments.engine_adapter import BankSnapshot, EmptyBankError, bank_snapshot
from palier.assessments.models import EngineSettings, Response
from palier.frameworks.models import Framework
from palier.items.models import Calibration, ItemVersion

# Adaptive selection rarely finds an item exactly at the learner's level: count on this share
# of an item's best-case information.
TARGETING_EFFICIENCY = 0.8
# The prior SD of every area before the first answer (engine_config keeps the engine's 1.0).
PRIOR_SD = 1.0
# The model default of ItemVersion.estimated_seconds, used when nothing better is known.
DEFAULT_SECONDS_PER_QUESTION = 60
MIN_OBSERVED_ANSWERS = 50
OBSERVED_WINDOW = 2000
SECONDS_PER_MINUTE = 60


def questions_needed(
    se_target: float, se: float, information: float, asked: int, min_per_area: int
) -> int:
    """Questions an area still needs to stop: enough information to bring `se` down to
    `se_target`, and at least its minimum number of questions."""
    missing = max(0.0, 1 / se_target**2 - 1 / se**2)
    usable = TARGETING_EFFICIENCY * information
    by_precision = math.ceil(missing / usable) if usable > 0 else 0
    return max(by_precision, min_per_area - asked, 0)


def precision_reached(se_target: float, se: float) -> float:
    """Share (0 to 1) of the precision target an area has reached: the information gathered
    since the prior over the information the target needs (as the engine's progressive
    selection measures it, `palier.engine.select.progress`)."""
    needed = 1 / se_target**2 - 1 / PRIOR_SD**2
    if needed <= 0:
        return 1.0
    gathered = 1 / se**2 - 1 / PRIOR_SD**2
    return min(1.0, max(0.0, gathered / needed))


def questions_left(settings: EngineSettings, needed_per_area: Iterable[int], answered: int) -> int:
    """The estimate of the scored questions left: what the areas need, at least what the
    test's minimum still asks, at least one, at most what its maximum allows."""
    at_most = max(0, settings.max_items - answered)
    wanted = max(sum(needed_per_area), settings.min_items - answered, 1)
    return min(wanted, at_most)


@dataclass(frozen=True)
class AnnouncedLength:
    """What the start page announces: questions (pretest ones included) and minutes."""

    expected_questions: int  # by the stopping rule, from the prior
    max_questions: int
    seconds_per_question: int

    @property
    def minutes_low(self) -> int:
        return max(1, self.expected_questions * self.seconds_per_question // SECONDS_PER_MINUTE)

    @property
    def minutes_high(self) -> int:
        return max(
            self.minutes_low,
            math.ceil(self.max_questions * self.seconds_per_question / SECONDS_PER_MINUTE),
        )

    @property
    def runs_to_maximum(self) -> bool:
        """True when the stopping rule is not expected to end the test before its maximum."""
        return self.expected_questions >= self.max_questions


def announced_length(
    settings: EngineSettings,
    snapshot: BankSnapshot,
    area_codes: Iterable[str],
    seconds_per_question: int,
) -> AnnouncedLength:
    """The length of a test of `area_codes` under `settings` on the bank `snapshot`."""
    needed = [
        questions_needed(
            settings.se_target,
            PRIOR_SD,
            snapshot.area_information[snapshot.area_codes.index(code)],
            0,
            settings.min_items_per_area,
        )
        for code in area_codes
    ]
    expected = questions_left(settings, needed, 0)
    return AnnouncedLength(
        expected_questions=expected + settings.pretest_count,
        max_questions=settings.max_items + settings.pretest_count,
        seconds_per_question=seconds_per_question,
    )


def seconds_per_question(snapshot: BankSnapshot | None) -> int:
    """Typical seconds per question (module docstring): observed, else estimated by authors."""
    observed = [
        (answered - shown).total_seconds()
        for shown, answered in Response.objects.filter(attempt__synthetic=False)
        .order_by("-answered_at")
        .values_list("shown_at", "answered_at")[:OBSERVED_WINDOW]
    ]
    if len(observed) >= MIN_OBSERVED_ANSWERS:
        return max(1, round(statistics.median(observed)))
    if snapshot is not None:
        estimated = list(
            ItemVersion.objects.filter(pk__in=snapshot.version_ids).values_list(
                "estimated_seconds", flat=True
            )
        )
        if estimated:
            return round(statistics.median(estimated))
    return DEFAULT_SECONDS_PER_QUESTION


def measured_shares(settings: EngineSettings, se_by_area: Mapping[str, float]) -> dict[str, float]:
    """Per area, the share of the precision target reached (stored with the progress)."""
    return {
        code: round(precision_reached(settings.se_target, se), 2) for code, se in se_by_area.items()
    }


def length_of_a_new_test(framework: Framework | None) -> AnnouncedLength | None:
    """The length a test started now on every area would have (None: no bank published)."""
    calibration = (
        Calibration.objects.filter(framework=framework, is_active=True).first()
        if framework is not None
        else None
    )
    if calibration is None:
        return None
    try:
        snapshot = bank_snapshot(calibration)
    except EmptyBankError:
        return None
    # The settings valid now; before any is stored, the defaults the first test will get.
    settings = EngineSettings.objects.filter(valid_from__lte=timezone.now()).first()
    return announced_length(
        settings or EngineSettings(), snapshot, snapshot.area_codes, seconds_per_question(snapshot)
    )
