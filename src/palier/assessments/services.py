"""Writes of the positioning test: start an attempt, record an answer, finish.

Each call is one transaction that locks the attempt row, so a double click or a retried
request can neither skip a question nor store an answer twice. The engine is called with the
whole history (stateless step); its random generator is seeded from the attempt's seed and
the position, so an attempt can be replayed exactly.
"""

from __future__ import annotations

import dataclasses
import math
import secrets
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.assessments import duration
from palier.assessments.engine_adapter import (
    AttemptEngine,
    BankSnapshot,
    RecordedAnswer,
    attempt_engine,
    bank_snapshot,
    recorded_answers,
)
from palier.assessments.models import (
    Attempt,
    EngineSettings,
    Purpose,
    RecomputedResult,
    Response,
)
from palier.assessments.results import build_result
from palier.assessments.signals import answer_recorded, attempt_finished, attempt_started
from palier.core.errors import ServiceError
from palier.engine import Step, next_step
from palier.engine.config import CERTIFICATION_MAX_EXPOSURE
from palier.frameworks.models import Framework
from palier.frameworks.queries import current_framework
from palier.frameworks.services import freeze_framework
from palier.items.formats import AnswerError, Score, normalise_answer, score
from palier.items.models import Calibration, ItemVersion
from palier.items.services import freeze_version

SEED_BITS = 62
DEFAULT_SETTINGS_VERSION = "defaut-2026-11"
CERTIFICATION_SETTINGS_VERSION = "certification-2026-12"
# The certification test (docs/certification.md): a fixed length of 32 questions, at least 4
# per area, no pretest question, every item's exposure capped at 0.25.
CERTIFICATION_DEFAULTS = {
    "se_target": 0.05,
    "min_items": 32,
    "max_items": 32,
    "min_items_per_area": 4,
    "pretest_count": 0,
    "max_exposure_rate": CERTIFICATION_MAX_EXPOSURE,
}
# Items a candidate answered in this many days are never given again in certification.
CERTIFICATION_FRESH_DAYS = 365
# Seconds of network and rendering slack before an answer counts as late.
TIME_LIMIT_GRACE_SECONDS = 5
# Items seen in earlier attempts are avoided while at least this many times the test's
# maximum length stays available in the bank.
FRESH_ITEMS_MARGIN = 2


class AssessmentError(ServiceError):
    """A refused test operation (status, stable code, message for people)."""


def current_settings(purpose: str = Purpose.POSITIONING) -> EngineSettings:
    """The engine settings valid now for `purpose` (the latest version whose date has come);
    the defaults of docs/assessments.md and docs/certification.md when there is none."""
    found = EngineSettings.objects.filter(valid_from__lte=timezone.now(), purpose=purpose).first()
    if found is None:
        version, defaults = (
            (CERTIFICATION_SETTINGS_VERSION, CERTIFICATION_DEFAULTS)
            if purpose == Purpose.CERTIFICATION
            else (DEFAULT_SETTINGS_VERSION, {})
        )
        found, _ = EngineSettings.objects.get_or_create(
            version=version,
            defaults={"valid_from": timezone.now(), "purpose": purpose, **defaults},
        )
    return found


def attempt_rng(attempt: Attempt) -> np.random.Generator:
    """The engine's generator, seeded from the attempt alone at every step (the engine's
    replay contract, docs/engine.md): Sympson-Hetter lotteries then stay the same for the
    whole attempt."""
    return np.random.default_rng(attempt.seed)


def _excluded_at_start(attempt: Attempt, snapshot: BankSnapshot) -> list[str]:
    """Items the learner met in earlier attempts, when the bank can spare them (decided once,
    when the attempt starts, and stored with it)."""
    seen = {
        str(version_id)
        for version_id in Response.objects.filter(attempt__user_id=attempt.user_id)
        .exclude(attempt=attempt)
        .values_list("item_version_id", flat=True)
    }
    seen &= set(snapshot.bank.item_ids)
    spare = len(snapshot.bank.item_ids) - len(seen)
    enough = spare >= FRESH_ITEMS_MARGIN * attempt.engine_settings.max_items
    return sorted(seen) if enough else []


def engine_step(
    attempt: Attempt, snapshot: BankSnapshot, recorded: list[RecordedAnswer]
) -> tuple[Step, AttemptEngine]:
    """The engine's step after the recorded answers (delivery and rescoring alike), with the
    inputs it was computed from."""
    engine = attempt_engine(attempt, snapshot, recorded)
    return next_step(engine.bank, engine.history, engine.config, attempt_rng(attempt)), engine


def pretest_positions(attempt: Attempt) -> list[int]:
    """Where pretest questions go: distinct positions drawn with the attempt's seed, never
    the first question nor beyond the test's guaranteed length."""
    count = attempt.engine_settings.pretest_count
    last = max(attempt.engine_settings.min_items, 2)
    candidates = np.arange(2, last + 1)
    if count == 0 or candidates.size == 0:
        return []
    rng = np.random.default_rng([attempt.seed, 0])
    chosen = rng.choice(candidates, size=min(count, candidates.size), replace=False)
    return sorted(int(position) for position in chosen)


def time_limit(attempt: Attempt, version: ItemVersion) -> int | None:
    """Seconds allowed for a question, or None when the test is not timed."""
    engine = attempt.engine_settings
    if not engine.timed:
        return None
    factor = engine.time_limit_factor
    if attempt.accommodations.get("extra_time"):
        factor *= django_settings.PALIER_EXTRA_TIME_FACTOR
    return math.ceil(version.estimated_seconds * factor)


def estimate_progress(
    attempt: Attempt, snapshot: BankSnapshot, step: Step, engine: AttemptEngine
) -> dict[str, Any]:
    """Scored questions asked per area, the share of its precision target each area has
    reached, and the estimate of the questions left from the stopping rule
    (`duration.questions_needed`)."""
    settings = attempt.engine_settings
    bank, history = engine.bank, engine.history
    asked = dict.fromkeys(attempt.areas, 0)
    for answer in history:
        index = bank.index_of(answer.item_id)
        code = snapshot.area_codes[int(bank.areas[index])]
        if code in asked and not (bank.has_pretest and bank.pretest[index]):
            asked[code] += 1
    se = {code: float(step.se[snapshot.area_codes.index(code)]) for code in attempt.areas}
    needed = [
        duration.questions_needed(
            settings.se_target,
            se[code],
            snapshot.area_information[snapshot.area_codes.index(code)],
            asked[code],
            settings.min_items_per_area,
        )
        for code in attempt.areas
    ]
    return {
        "asked": asked,
        "measured": duration.measured_shares(settings, se),
        "estimated_left": duration.questions_left(settings, needed, sum(asked.values())),
    }


def finish(
    attempt: Attempt,
    step: Step,
    snapshot: BankSnapshot,
    recorded: list[RecordedAnswer],
    now: datetime,
) -> None:
    """Mark the attempt finished with the result of the engine's final step (not saved)."""
    attempt.status = Attempt.Status.FINISHED
    attempt.finished_at = now
    attempt.stop_reason = step.stop_reason or ""
    attempt.current_version = None
    attempt.result = build_result(attempt, snapshot, step, recorded).to_json()


def new_response(
    attempt: Attempt,
    position: int,
    answer: RecordedAnswer,
    step: Step,
    *,
    raw_answer: Any,
    shown_at: datetime,
    answered_at: datetime,
    time_limit_seconds: int | None = None,
    timed_out: bool = False,
    answer_id: uuid.UUID | None = None,
) -> Response:
    """The response row of `answer` (not saved): the parameters used and theta/SE per area
    after it, as every stored response records them."""
    return Response(
        attempt=attempt,
        position=position,
        item_version_id=answer.version_id,
        answer_id=answer_id,
        raw_answer=raw_answer,
        correct=answer.correct,
        credit=answer.credit,
        shown_at=shown_at,
        answered_at=answered_at,
        time_limit_seconds=time_limit_seconds,
        timed_out=timed_out,
        pretest=answer.pretest,
        discrimination=answer.discrimination,
        difficulty=answer.difficulty,
        guessing=answer.guessing,
        theta=[round(float(value), 6) for value in step.theta],
        se=[round(float(value), 6) for value in step.se],
    )


def _show(
    attempt: Attempt,
    step: Step,
    engine: AttemptEngine,
    snapshot: BankSnapshot,
    recorded: list[RecordedAnswer],
) -> None:
    """Make the engine's next item the current question, or finish the attempt."""
    now = timezone.now()
    if step.finished or step.item_id is None:
        finish(attempt, step, snapshot, recorded, now)
    else:
        version = ItemVersion.objects.select_related("item", "stimulus_version").get(
            pk=int(step.item_id)
        )
        freeze_version(version)
        attempt.current_version = version
        attempt.current_shown_at = now
        attempt.current_time_limit = time_limit(attempt, version)
        attempt.progress = estimate_progress(attempt, snapshot, step, engine)
    attempt.save()
    if attempt.is_finished:
        attempt_finished.send(sender=Attempt, attempt=attempt)


def retake_allowed_from(user: User) -> datetime | None:
    """When the learner may start a new test (None: now)."""
    last = (
        Attempt.objects.filter(
            user=user, status=Attempt.Status.FINISHED, purpose=Purpose.POSITIONING
        )
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    if last is None:
        return None
    allowed = last + timedelta(days=django_settings.PALIER_RETAKE_COOLDOWN_DAYS)
    return allowed if allowed > timezone.now() else None


def _check_cooldown(user: User) -> None:
    allowed = retake_allowed_from(user)
    if allowed is not None:
        raise AssessmentError(
            409,
            "cooldown",
            _("Vous pourrez repasser le test à partir du %(date)s.")
            % {"date": date_format(timezone.localtime(allowed), "DATETIME_FORMAT")},
        )


def _active_calibration(framework: Framework | None) -> Calibration:
    calibration = (
        Calibration.objects.filter(framework=framework, is_active=True).first()
        if framework
        else None
    )
    if calibration is None:
        raise AssessmentError(
            409,
            "no_bank",
            _("Le test n'est pas encore disponible : aucune banque de questions n'est publiée."),
        )
    return calibration


def _open(attempt: Attempt, snapshot: BankSnapshot, excluded: list[str]) -> Attempt:
    """Save a new attempt and show its first question."""
    attempt.save(force_insert=True)
    freeze_framework(attempt.framework)
    attempt_started.send(sender=Attempt, attempt=attempt)
    attempt.excluded_items = excluded
    attempt.pretest_positions = pretest_positions(attempt)
    step, engine = engine_step(attempt, snapshot, [])
    _show(attempt, step, engine, snapshot, [])
    return attempt


@transaction.atomic
def start_attempt(
    user: User,
    area_codes: list[str] | None = None,
    language: str = "fr",
    *,
    seed: int | None = None,
) -> Attempt:
    """Start a test. `seed` is for replays and tests; by default a fresh random seed."""
    framework = current_framework()
    calibration = _active_calibration(framework)
    _check_cooldown(user)
    snapshot = bank_snapshot(calibration)
    codes = area_codes or list(snapshot.area_codes)
    unknown = [code for code in codes if code not in snapshot.area_codes]
    if unknown or len(set(codes)) != len(codes):
        raise AssessmentError(
            422,
            "invalid_input",
            _("Domaine inconnu."),
            {"areas": [_("Choisissez parmi les domaines du référentiel.")]},
        )
    profile = getattr(user, "profile", None)
    attempt = Attempt(
        user=user,
        framework=framework,
        calibration=calibration,
        engine_settings=current_settings(),
        areas=codes,
        language=language if language in ("fr", "en") else "fr",
        accommodations={
            "screen_reader": bool(getattr(profile, "uses_screen_reader", False)),
            "extra_time": bool(getattr(profile, "extra_time", False)),
        },
        seed=secrets.randbits(SEED_BITS) if seed is None else seed,
    )
    return _open(attempt, snapshot, _excluded_at_start(attempt, snapshot))


def certification_calibration(framework: Framework) -> Calibration:
    """The calibration a certification test would use now: the active one, estimated from
    response data (409 `provisional_calibration` while it is provisional)."""
    calibration = _active_calibration(framework)
    if calibration.is_provisional:
        raise AssessmentError(
            409,
            "provisional_calibration",
            _(
                "La certification n'est pas possible : les paramètres des questions sont "
                "encore provisoires (aucune calibration sur des réponses réelles)."
            ),
        )
    return calibration


def certification_exposure_rates(calibration: Calibration) -> dict[str, float]:
    """Share of the certification tests under `calibration` that gave each item (the
    restricted selection's observed rates): the answered items, and the question on screen
    of the tests in progress, so that candidates of one session who start together do not
    all see the rates from before the session."""
    attempts = Attempt.objects.filter(
        calibration=calibration, purpose=Purpose.CERTIFICATION, synthetic=False
    )
    total = attempts.count()
    if total == 0:
        return {}
    given = Counter(
        dict(
            Response.objects.filter(attempt__in=attempts)
            .values_list("item_version_id")
            .annotate(given=Count("attempt_id", distinct=True))
            .order_by("item_version_id")
        )
    )
    given.update(
        attempts.filter(status=Attempt.Status.IN_PROGRESS, current_version__isnull=False)
        .values_list("current_version_id", flat=True)
        .order_by("current_version_id")
    )
    return {str(version_id): round(count / total, 6) for version_id, count in sorted(given.items())}


@transaction.atomic
def start_certification_attempt(
    user: User,
    framework: Framework,
    *,
    screen_reader: bool,
    language: str = "fr",
    seed: int | None = None,
) -> Attempt:
    """Start the adaptive certification test of every area (docs/certification.md): the
    certification settings, an operational calibration, the items the candidate answered in
    the last 12 months left out, and the exposure rates observed so far recorded with the
    attempt so that its selection can be replayed."""
    calibration = certification_calibration(framework)
    snapshot = bank_snapshot(calibration)
    since = timezone.now() - timedelta(days=CERTIFICATION_FRESH_DAYS)
    seen = {
        str(version_id)
        for version_id in Response.objects.filter(
            attempt__user_id=user.pk, answered_at__gte=since
        ).values_list("item_version_id", flat=True)
    }
    attempt = Attempt(
        user=user,
        framework=framework,
        calibration=calibration,
        engine_settings=current_settings(Purpose.CERTIFICATION),
        purpose=Purpose.CERTIFICATION,
        areas=list(snapshot.area_codes),
        language=language if language in ("fr", "en") else "fr",
        accommodations={"screen_reader": screen_reader, "extra_time": False},
        exposure_rates=certification_exposure_rates(calibration),
        seed=secrets.randbits(SEED_BITS) if seed is None else seed,
    )
    return _open(attempt, snapshot, sorted(seen & set(snapshot.bank.item_ids)))


@dataclass(frozen=True)
class Recorded:
    attempt: Attempt
    response: Response
    replayed: bool  # True when the same answer had already been stored


def record_answer(
    attempt: Attempt, position: int, raw: Any, answer_id: uuid.UUID | None = None
) -> Recorded:
    """Store the answer to the current question and move on; idempotent per answer_id, and
    per position for an identical answer (a double click)."""
    try:
        return _record_answer(attempt, position, raw, answer_id)
    except IntegrityError as error:
        # The attempt lock makes this unreachable in practice; the unique constraints back it.
        raise AssessmentError(
            409, "not_current_question", _("Cette question n'est pas la question en cours.")
        ) from error


@transaction.atomic
def _record_answer(
    attempt: Attempt, position: int, raw: Any, answer_id: uuid.UUID | None
) -> Recorded:
    attempt = _locked(attempt)
    previous = _replay(attempt, position, raw, answer_id)
    if previous is not None:
        return Recorded(attempt, previous, replayed=True)
    if attempt.is_finished:
        raise AssessmentError(409, "attempt_finished", _("Ce test est terminé."))
    if position != attempt.current_position or attempt.current_version is None:
        raise AssessmentError(
            409, "not_current_question", _("Cette question n'est pas la question en cours.")
        )
    version = attempt.current_version
    try:
        response_value = normalise_answer(version.format, version.definition, raw)
    except AnswerError as error:
        raise AssessmentError(
            422, "invalid_answer", str(error), {"response": [str(error)]}
        ) from error
    snapshot = bank_snapshot(attempt.calibration)
    recorded = recorded_answers(attempt)
    now = timezone.now()
    shown_at = attempt.current_shown_at or now
    limit = attempt.current_time_limit
    timed_out = (
        limit is not None and (now - shown_at).total_seconds() > limit + TIME_LIMIT_GRACE_SECONDS
    )
    result = (
        Score(False, 0.0)
        if timed_out
        else score(version.format, version.definition, response_value)
    )
    answer = snapshot.answer(version.pk, result.correct, result.credit)
    recorded.append(answer)
    step, engine = engine_step(attempt, snapshot, recorded)
    response = new_response(
        attempt,
        position,
        answer,
        step,
        raw_answer=response_value,
        shown_at=shown_at,
        answered_at=now,
        time_limit_seconds=limit,
        timed_out=timed_out,
        answer_id=answer_id,
    )
    response.item_version = version
    response.save(force_insert=True)
    answer_recorded.send(sender=Attempt, attempt=attempt, response=response)
    attempt.current_position = position + 1
    _show(attempt, step, engine, snapshot, recorded)
    return Recorded(attempt, response, replayed=False)


def _replay(
    attempt: Attempt, position: int, raw: Any, answer_id: uuid.UUID | None
) -> Response | None:
    if answer_id is None and position == attempt.current_position:
        return None  # the ordinary case: nothing stored yet for the current question
    if answer_id is not None:
        stored = attempt.responses.filter(answer_id=answer_id).first()
        if stored is not None:
            return stored
    stored = attempt.responses.filter(position=position).first()
    if stored is not None and answer_id is None:
        version = stored.item_version
        try:
            same = normalise_answer(version.format, version.definition, raw) == stored.raw_answer
        except AnswerError:
            same = False
        if same:
            return stored
    return None


@transaction.atomic
def withdraw_current_question(attempt: Attempt) -> Attempt:
    """Set the current question aside for good (a problem validated by an invigilator) and
    show another one of the same area in its place; the withdrawn question was not answered,
    so it counts for nothing. Returns the locked, updated attempt."""
    attempt = _locked(attempt)
    if attempt.is_finished or attempt.current_version_id is None:
        raise AssessmentError(409, "attempt_finished", _("Ce test est terminé."))
    snapshot = bank_snapshot(attempt.calibration)
    withdrawn = str(attempt.current_version_id)
    attempt.excluded_items = sorted({*attempt.excluded_items, withdrawn})
    recorded = recorded_answers(attempt)
    engine = attempt_engine(attempt, snapshot, recorded)
    area = int(engine.bank.areas[engine.bank.index_of(withdrawn)])
    same_area = dataclasses.replace(engine.config, areas=(area,))
    step = next_step(engine.bank, engine.history, same_area, attempt_rng(attempt))
    if step.finished or step.item_id is None:
        # The area has no item left: the engine's ordinary choice among all areas.
        step, engine = engine_step(attempt, snapshot, recorded)
    _show(attempt, step, engine, snapshot, recorded)
    return attempt


@transaction.atomic
def end_attempt(attempt: Attempt, reason: str) -> Attempt:
    """Finish an attempt now with the answers recorded so far (time up, or ended by an
    invigilator); `reason` is stored as its stop reason. A finished attempt is left as it
    is."""
    attempt = _locked(attempt)
    if attempt.is_finished:
        return attempt
    snapshot = bank_snapshot(attempt.calibration)
    recorded = recorded_answers(attempt)
    step, _engine = engine_step(attempt, snapshot, recorded)
    finish(
        attempt, dataclasses.replace(step, stop_reason=reason), snapshot, recorded, timezone.now()
    )
    attempt.save()
    attempt_finished.send(sender=Attempt, attempt=attempt)
    return attempt


def _locked(attempt: Attempt) -> Attempt:
    return (
        Attempt.objects.select_for_update(of=("self",))
        .select_related(
            "current_version__stimulus_version",
            "current_version__item",
            "calibration",
            "engine_settings",
        )
        .get(pk=attempt.pk)
    )


@transaction.atomic
def record_recomputed_result(
    attempt: Attempt, calibration: Calibration, by: User | None, reason: str
) -> RecomputedResult:
    """Store `attempt`'s result recomputed under `calibration` as a new, labelled result; the
    attempt's own result (and what was published from it) stays as it was."""
    from palier.accounts.roles import Role, has_role

    # Imported here: rescoring builds on this module's engine step.
    from palier.assessments.rescoring import RecomputeError, result_under

    if by is not None and not has_role(by, Role.PSYCHOMETRICIAN):
        raise AssessmentError(
            403, "forbidden", _("Seul un psychométricien peut recalculer un résultat.")
        )
    if not reason.strip():
        raise AssessmentError(422, "reason_required", _("Indiquez le motif du recalcul."))
    try:
        result = result_under(attempt, calibration)
    except RecomputeError as error:
        raise AssessmentError(409, "cannot_recompute", str(error)) from error
    # The same answers under the same calibration always give the same result: a second
    # request returns the first row unchanged.
    recomputed, _created = RecomputedResult.objects.get_or_create(
        attempt=attempt,
        calibration=calibration,
        defaults={"result": result.to_json(), "requested_by": by, "reason": reason.strip()},
    )
    return recomputed
