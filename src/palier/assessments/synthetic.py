"""Synthetic attempts: simulated learners taking the positioning test through the delivery's
own code path, written in bulk.

Each attempt is started, stepped, answered and finished exactly as `services` does it for a
person: the same engine inputs (`services.engine_step`, hence `engine_adapter.attempt_engine`
and the attempt's own seed), the same pretest positions, the same response rows
(`services.new_response`) and the same result (`services.finish`, hence `build_result`). Only
the answer differs: it is drawn as right or wrong from the learner's *true* ability and the
item's *true* parameters, so no raw answer is stored. The rows of one attempt are written in
one `bulk_create` instead of one transaction per answer; attempts are flagged `synthetic`,
and their users are expected to be accounts that cannot sign in (see psychometrics.pilot).

No `attempt_finished` signal is sent: the receivers (campaign sharing) concern people.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from palier.accounts.models import User
from palier.assessments.engine_adapter import BankSnapshot, RecordedAnswer, bank_snapshot
from palier.assessments.models import Attempt, EngineSettings, Response
from palier.assessments.services import (
    SEED_BITS,
    engine_step,
    finish,
    new_response,
    pretest_positions,
)
from palier.engine import probability
from palier.frameworks.services import freeze_framework
from palier.items.models import Calibration, ItemVersion, StimulusVersion

# Seconds a simulated learner spends on a question (timestamps only; nothing is timed).
SECONDS_PER_ANSWER = 45
BATCH = 2000


@dataclass(frozen=True)
class SyntheticLearner:
    """A simulated learner: an account that cannot sign in, its true ability per area code,
    the language the test is taken in, and items kept out of its test (stored as the
    attempt's `excluded_items`, the input delivery uses for items already seen)."""

    user: User
    abilities: Mapping[str, float]
    language: str = "fr"
    excluded_items: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrueItem:
    """True parameters an answer is drawn from (2PL)."""

    discrimination: float
    difficulty: float


def answer_correctly(theta: float, item: TrueItem, rng: np.random.Generator) -> bool:
    """Bernoulli draw with P = 1 / (1 + exp(-a (theta - b))) (2PL; Birnbaum, 1968)."""
    p = float(probability(theta, item.discrimination, item.difficulty))
    return bool(rng.random() < p)


def simulate_attempt(
    learner: SyntheticLearner,
    snapshot: BankSnapshot,
    calibration: Calibration,
    settings: EngineSettings,
    truth: Mapping[int, TrueItem],
    rng: np.random.Generator,
    *,
    areas: Sequence[str] | None = None,
    finished_at: datetime | None = None,
) -> tuple[Attempt, list[Response]]:
    """One finished attempt and its responses, in memory (nothing saved).

    The attempt's seed is drawn from `rng`; the engine then runs on the attempt's own
    generator as in delivery, and `rng` draws the answers. Answers are timed
    SECONDS_PER_ANSWER apart, the last one at `finished_at` (default now)."""
    finished_at = finished_at or timezone.now()
    attempt = Attempt(
        user=learner.user,
        framework_id=calibration.framework_id,
        calibration=calibration,
        engine_settings=settings,
        areas=list(areas or snapshot.area_codes),
        language=learner.language,
        accommodations={"screen_reader": False, "extra_time": False},
        seed=int(rng.integers(0, 2**SEED_BITS)),
        synthetic=True,
    )
    attempt.excluded_items = sorted(learner.excluded_items)
    attempt.pretest_positions = pretest_positions(attempt)
    recorded: list[RecordedAnswer] = []
    responses: list[Response] = []
    step, _ = engine_step(attempt, snapshot, recorded)
    while not (step.finished or step.item_id is None):
        version_id = int(step.item_id)
        index = snapshot.bank.index_of(step.item_id)
        area = snapshot.area_codes[int(snapshot.bank.areas[index])]
        correct = answer_correctly(learner.abilities[area], truth[version_id], rng)
        answer = snapshot.answer(version_id, correct, 1.0 if correct else 0.0)
        recorded.append(answer)
        step, _ = engine_step(attempt, snapshot, recorded)
        responses.append(
            new_response(
                attempt,
                len(recorded),
                answer,
                step,
                raw_answer=None,
                shown_at=finished_at,
                answered_at=finished_at,
            )
        )
    for response in responses:
        response.shown_at -= timedelta(
            seconds=SECONDS_PER_ANSWER * (len(responses) - response.position + 1)
        )
        response.answered_at = response.shown_at + timedelta(seconds=SECONDS_PER_ANSWER)
    attempt.current_position = len(recorded) + 1
    finish(attempt, step, snapshot, recorded, finished_at)
    return attempt, responses


@transaction.atomic
def create_synthetic_attempts(
    learners: Sequence[SyntheticLearner],
    calibration: Calibration,
    settings: EngineSettings,
    truth: Mapping[int, TrueItem],
    rng: np.random.Generator,
    *,
    areas: Sequence[str] | None = None,
) -> list[Attempt]:
    """Simulate one finished attempt per learner on `calibration`'s bank with `settings`,
    and store them (flagged synthetic) with their responses in bulk.

    Shown item versions are frozen and the framework version marked as used, as delivery
    does when a question is first shown."""
    snapshot = bank_snapshot(calibration)
    missing = [version_id for version_id in snapshot.version_ids if version_id not in truth]
    if missing:
        raise ValueError(f"no true parameters for item versions {missing[:5]}")
    start = timezone.now()
    attempts: list[Attempt] = []
    responses: list[Response] = []
    for learner in learners:
        attempt, rows = simulate_attempt(
            learner, snapshot, calibration, settings, truth, rng, areas=areas, finished_at=start
        )
        attempts.append(attempt)
        responses += rows
    Attempt.objects.bulk_create(attempts, batch_size=BATCH)
    Response.objects.bulk_create(responses, batch_size=BATCH)
    shown = {response.item_version_id for response in responses}
    ItemVersion.objects.filter(pk__in=shown, frozen_at__isnull=True).update(frozen_at=start)
    StimulusVersion.objects.filter(item_versions__in=shown, frozen_at__isnull=True).update(
        frozen_at=start
    )
    freeze_framework(calibration.framework)
    return attempts
