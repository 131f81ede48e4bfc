"""Simulated pilot: synthetic learners answer the bank, the calibration loop runs on their
answers, and the estimates are compared with the truth they were drawn from.

What is drawn, once per pilot, from the pilot's seed (numpy Generator, so a pilot is
reproducible):

- **True item parameters** (2PL), for every item version of the active calibration's bank:
  ``a ~ lognormal(log 1.2, 0.3)`` (median 1.2, 90% between about 0.73 and 1.96, like the
  discriminations of operational knowledge tests), and ``b = b_provisional + N(0, 0.5)``
  where ``b_provisional`` is the middle of the intended level's band
  (`items.calibrations.provisional_difficulty`): authors' intended levels are right on
  average, each item off by half a logit typically. Kept in ``Pilot.true_parameters``.
- **Learners**: accounts that cannot sign in (inactive, unusable password, address on the
  reserved ``.invalid`` domain, RFC 2606), each with a learner profile whose population is
  drawn with the pilot's population weights (by kind of population, spread evenly within a
  kind), a status (students in initial training; practising professionals split between
  public, private and self-employed practice) and a language (French for 90%).
- **True abilities**: multivariate normal across areas, unit variances, correlation 0.6
  between every pair of areas, mean shifted by the population's kind (e.g. practising
  professionals a third of a logit higher in cybersecurity and digital tools). Kept per
  attempt in ``Pilot.true_abilities``.

The learners take the positioning test through the delivery's code path
(`assessments.synthetic`) on the active calibration, with the pilot's engine settings
(`pilot_engine_settings`): fixed length 40 and randomesque 10, to spread the answers over the
bank (the seed bank has no pretest items, so there are no pretest slots to use), and areas
estimated independently during the test (four times cheaper). Each learner is also given a
random booklet of 40% of the bank (matrix sampling, as in the field tests of large-scale
assessments); the rest is stored as the attempt's excluded items, so the attempt replays.
Answers are drawn from the true parameters. Attempts are flagged ``synthetic``.

**Scale of the recovery.** The calibration run links its draft to the reference (the active
calibration) through anchors, so the draft is on the reference's scale. That is the truth's
scale only when the reference's parameters are the true ones. With the provisional reference
(``a = 1`` for all items, while the true ``a`` have median 1.2) the Stocking-Lord link matches
the draft's characteristic curve to a flatter one and stretches the scale; the drawn ``b``
noise also moves the link a little. So recovery is measured after putting the truth on the
draft's scale: per area, Stocking-Lord constants from the true to the estimated parameters of
the items estimated (all of them, no drift rule: the truth does not drift), then RMSE,
mean absolute bias and correlation of ``a`` and ``b``. The constants themselves are reported
(``truth_to_draft``): they measure how far the linked scale is from the truth's. Correlations
do not depend on the scale; RMSEs "as linked" (truth untransformed) are reported too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import ProtectedError, QuerySet

from palier.accounts.choices import LearnerStatus
from palier.accounts.models import LearnerProfile, User
from palier.assessments.engine_adapter import bank_snapshot
from palier.assessments.models import Attempt, EngineSettings
from palier.assessments.services import current_settings
from palier.assessments.synthetic import SyntheticLearner, TrueItem, create_synthetic_attempts
from palier.engine import stocking_lord, transform
from palier.frameworks.models import Framework, Population
from palier.items.calibrations import activate_calibration, provisional_difficulty
from palier.items.models import Calibration, ItemParameter, ItemVersion
from palier.psychometrics.models import CalibrationRun, ItemStatistic, Pilot
from palier.psychometrics.services import activation_blockers, execute_run

# True parameters (see the module docstring).
DISCRIMINATION_MEDIAN = 1.2
DISCRIMINATION_LOG_SD = 0.3
DIFFICULTY_NOISE_SD = 0.5
AREA_CORRELATION = 0.6
# Share of learners taking the test in French (the others in English).
FRENCH_SHARE = 0.9
# Learners per size; `demo` is what `make run` can afford (docs/performance.md).
SIZES = {"small": 250, "demo": 1500}
# Learners simulated and written per transaction (bounds the memory of the rows in flight).
CHUNK = 500

# Synthetic accounts: the reserved `.invalid` top-level domain can never receive mail.
EMAIL_DOMAIN = "simulation.invalid"
ACTIVATION_REASON = "Pilote simulé (données synthétiques)"

# The pilot's engine settings: fixed-length tests (as many answers per learner as the test
# allows) and a random choice among the 10 best items, to spread exposure over the bank.
# Areas are estimated independently during the pilot (no correlation in the prior): the grid
# EAP is about four times cheaper than the five-area quadrature, which makes the demo pilot
# affordable; it changes which items are chosen, not how answers are drawn, and the
# calibration does not use the test's estimates.
PILOT_SETTINGS_VERSION = "pilote-simule"
PILOT_TEST_LENGTH = 40
PILOT_RANDOMESQUE = 10
PILOT_PRIOR_CORRELATION = 0.0
# Share of the bank each synthetic learner may be given (a random booklet; the rest is
# stored as the attempt's excluded items). On the provisional calibration every item of a
# level has the same parameters, ties go to the lowest item codes and randomesque draws among
# the first 10 of them: without booklets a third of the bank is never given. With 40% of the
# bank per learner (about 9 items per level and area), randomesque covers each level's items.
PILOT_BOOKLET_SHARE = 0.4
# ... but never fewer items than this many test lengths (a small bank is given whole).
BOOKLET_TEST_LENGTHS = 2
# Dated before any real version, so `current_settings()` never picks it for a person.
PILOT_SETTINGS_VALID_FROM = datetime(2000, 1, 1, tzinfo=UTC)

# Share of learners by kind of population; within a kind, populations share evenly.
KIND_WEIGHTS = {
    Population.Kind.HIGHER_EDUCATION: 0.55,
    Population.Kind.VOCATIONAL: 0.15,
    Population.Kind.SOCIAL_WORK: 0.08,
    Population.Kind.ADMINISTRATIVE: 0.07,
    Population.Kind.CONTINUING: 0.15,
}
# Mean true ability by kind of population, per area in framework order (D1..D5: health data,
# cybersecurity, communication, digital tools, telehealth); missing kinds are at 0.
KIND_MEANS = {
    Population.Kind.VOCATIONAL: (-0.3, -0.3, -0.1, -0.3, -0.3),
    Population.Kind.SOCIAL_WORK: (-0.2, -0.2, 0.1, -0.2, -0.3),
    Population.Kind.ADMINISTRATIVE: (0.2, 0.0, -0.1, 0.1, -0.2),
    Population.Kind.CONTINUING: (0.1, 0.3, 0.2, 0.3, 0.2),
}
# Statuses of practising professionals (others are students).
PRACTICE_STATUSES = {
    LearnerStatus.PUBLIC_SECTOR: 0.5,
    LearnerStatus.PRIVATE_SECTOR: 0.3,
    LearnerStatus.SELF_EMPLOYED: 0.2,
}


class PilotError(Exception):
    """A pilot that cannot be simulated, run or deleted (the message says why)."""


def draw_true_parameters(
    versions: Sequence[ItemVersion], cut_scores: Sequence[Sequence[float]], rng: np.random.Generator
) -> dict[int, tuple[float, float]]:
    """True (a, b) per version, in the order given; `cut_scores[k]` are the cut scores of
    the area of `versions[k]`: ``a = exp(N(log 1.2, 0.3))``, ``b = provisional b + N(0, 0.5)``."""
    count = len(versions)
    discrimination = rng.lognormal(math.log(DISCRIMINATION_MEDIAN), DISCRIMINATION_LOG_SD, count)
    noise = rng.normal(0.0, DIFFICULTY_NOISE_SD, count)
    return {
        version.pk: (
            round(float(discrimination[index]), 4),
            round(
                provisional_difficulty(version.intended_level, list(cut_scores[index]))
                + float(noise[index]),
                4,
            ),
        )
        for index, version in enumerate(versions)
    }


def population_weights(populations: Sequence[Population]) -> dict[str, float]:
    """Share of learners per population code: KIND_WEIGHTS split evenly within a kind, then
    normalised over the kinds present."""
    by_kind: dict[str, list[Population]] = {}
    for population in populations:
        by_kind.setdefault(population.kind, []).append(population)
    total = sum(KIND_WEIGHTS.get(kind, 0.0) for kind in by_kind)
    if not by_kind or total <= 0:
        raise PilotError("No population to draw learners from: load the framework first.")
    return {
        population.code: KIND_WEIGHTS.get(kind, 0.0) / total / len(members)
        for kind, members in by_kind.items()
        for population in members
    }


def draw_abilities(
    kinds: Sequence[str], n_areas: int, correlation: float, rng: np.random.Generator
) -> np.ndarray:
    """One row of true abilities per learner: N(mean of the kind, R) with unit variances
    and `correlation` between every pair of areas."""
    matrix = np.full((n_areas, n_areas), correlation)
    np.fill_diagonal(matrix, 1.0)
    means = np.array(
        [
            [
                KIND_MEANS.get(kind, ())[area] if area < len(KIND_MEANS.get(kind, ())) else 0.0
                for area in range(n_areas)
            ]
            for kind in kinds
        ]
    ).reshape(len(kinds), n_areas)
    return means + rng.multivariate_normal(np.zeros(n_areas), matrix, size=len(kinds))


def pilot_engine_settings() -> EngineSettings:
    """The engine settings of simulated pilots (created once, never current for people)."""
    current_settings()  # make sure a real version exists, dated after the pilot's
    found, _ = EngineSettings.objects.get_or_create(
        version=PILOT_SETTINGS_VERSION,
        defaults={
            "valid_from": PILOT_SETTINGS_VALID_FROM,
            "min_items": PILOT_TEST_LENGTH,
            "max_items": PILOT_TEST_LENGTH,
            "randomesque": PILOT_RANDOMESQUE,
            "area_correlation": PILOT_PRIOR_CORRELATION,
            "pretest_count": 0,
            "notes": "Réglages des pilotes simulés (longueur fixe, tirage parmi les 10 "
            "meilleures questions) : jamais utilisés pour des personnes réelles.",
        },
    )
    return found


def active_calibration(framework: Framework) -> Calibration:
    calibration = Calibration.objects.filter(framework=framework, is_active=True).first()
    if calibration is None:
        raise PilotError(
            f"{framework}: no active calibration; load the item bank first (palier seed)."
        )
    return calibration


def _draw_learners(
    pilot: Pilot,
    count: int,
    weights: Mapping[str, float],
    populations: Mapping[str, Population],
    rng: np.random.Generator,
) -> tuple[list[User], list[str]]:
    """Create `count` synthetic accounts with their profiles; return them with their kinds."""
    codes = sorted(weights)
    drawn = rng.choice(len(codes), size=count, p=np.array([weights[code] for code in codes]))
    practice = list(PRACTICE_STATUSES)
    practice_status = rng.choice(
        len(practice), size=count, p=np.array(list(PRACTICE_STATUSES.values()))
    )
    years = rng.integers(1, 4, size=count)
    password = make_password(None)
    User.objects.bulk_create(
        (
            User(
                email=f"pilote-{pilot.pk}-{index:06d}@{EMAIL_DOMAIN}",
                first_name="Apprenant simulé",
                last_name=f"{index:06d}",
                password=password,
                is_active=False,
            )
            for index in range(count)
        ),
        batch_size=CHUNK,
    )
    users = list(pilot_users(pilot).order_by("email"))
    kinds = []
    profiles = []
    for index, user in enumerate(users):
        population = populations[codes[int(drawn[index])]]
        continuing = population.kind == Population.Kind.CONTINUING
        kinds.append(population.kind)
        profiles.append(
            LearnerProfile(
                user=user,
                population=population,
                status=practice[int(practice_status[index])]
                if continuing
                else LearnerStatus.STUDENT,
                year_of_study=None if continuing else int(years[index]),
            )
        )
    LearnerProfile.objects.bulk_create(profiles, batch_size=CHUNK)
    return users, kinds


def pilot_users(pilot: Pilot) -> QuerySet[User]:
    """The pilot's synthetic accounts."""
    return User.objects.filter(
        email__startswith=f"pilote-{pilot.pk}-", email__endswith=f"@{EMAIL_DOMAIN}"
    )


@transaction.atomic
def simulate_pilot(
    framework: Framework,
    learners: int,
    seed: int,
    *,
    areas: Sequence[str] | None = None,
    correlation: float = AREA_CORRELATION,
) -> Pilot:
    """Draw the truth, create the synthetic learners and their attempts on the active
    calibration; return the pilot (its calibration run is not started: see `run_pilot`).
    One transaction: a pilot is stored whole or not at all."""
    if learners < 1:
        raise PilotError("A pilot needs at least one learner.")
    calibration = active_calibration(framework)
    snapshot = bank_snapshot(calibration)
    area_codes = list(areas or snapshot.area_codes)
    unknown = sorted(set(area_codes) - set(snapshot.area_codes))
    if unknown:
        raise PilotError(f"Unknown area(s): {', '.join(unknown)}.")
    settings = pilot_engine_settings()
    rng = np.random.default_rng(seed)
    versions = ItemVersion.objects.in_bulk(snapshot.version_ids)
    ordered = [versions[version_id] for version_id in snapshot.version_ids]  # item-code order
    truth = draw_true_parameters(
        ordered, [snapshot.cut_scores[int(area)] for area in snapshot.bank.areas], rng
    )
    populations = {population.code: population for population in Population.objects.all()}
    weights = population_weights(list(populations.values()))
    pilot = Pilot.objects.create(
        framework=framework,
        seed=seed,
        learners=learners,
        area_correlation=correlation,
        true_parameters={str(key): list(value) for key, value in truth.items()},
        settings={
            "engine_settings": settings.version,
            "calibration": calibration.pk,
            "areas": area_codes,
            "population_weights": {code: round(w, 6) for code, w in weights.items()},
            "discrimination": {
                "median": DISCRIMINATION_MEDIAN,
                "log_sd": DISCRIMINATION_LOG_SD,
            },
            "difficulty_noise_sd": DIFFICULTY_NOISE_SD,
            "french_share": FRENCH_SHARE,
            "booklet_share": PILOT_BOOKLET_SHARE,
        },
    )
    users, kinds = _draw_learners(pilot, learners, weights, populations, rng)
    abilities = draw_abilities(kinds, len(snapshot.area_codes), correlation, rng)
    languages = np.where(rng.random(learners) < FRENCH_SHARE, "fr", "en")
    true_items = {key: TrueItem(*value) for key, value in truth.items()}
    item_ids = np.array(snapshot.bank.item_ids)
    booklet_size = max(
        round(PILOT_BOOKLET_SHARE * item_ids.size), BOOKLET_TEST_LENGTHS * PILOT_TEST_LENGTH
    )
    true_abilities: dict[str, dict[str, float]] = {}
    for start in range(0, learners, CHUNK):
        chunk = [
            SyntheticLearner(
                user=users[index],
                abilities={
                    code: round(float(abilities[index, area]), 4)
                    for area, code in enumerate(snapshot.area_codes)
                },
                language=str(languages[index]),
                excluded_items=tuple(
                    str(item) for item in rng.permutation(item_ids)[booklet_size:]
                ),
            )
            for index in range(start, min(start + CHUNK, learners))
        ]
        attempts = create_synthetic_attempts(
            chunk, calibration, settings, true_items, rng, areas=area_codes
        )
        for learner, attempt in zip(chunk, attempts, strict=True):
            true_abilities[str(attempt.pk)] = dict(learner.abilities)
    pilot.true_abilities = true_abilities
    pilot.save(update_fields=["true_abilities"])
    return pilot


def start_pilot_run(pilot: Pilot) -> CalibrationRun:
    """The pilot's calibration run: all items, synthetic answers only, linked to the active
    calibration. Created here rather than through `start_calibration_run`, which queues a
    background task: the pilot command runs it at once, in its own process."""
    run = CalibrationRun.objects.create(
        framework=pilot.framework,
        scope=CalibrationRun.Scope.ALL,
        synthetic=True,
        reference=active_calibration(pilot.framework),
    )
    pilot.run = run
    pilot.save(update_fields=["run"])
    return run


def run_pilot(pilot: Pilot) -> CalibrationRun:
    """Start and execute the pilot's calibration run, then measure recovery."""
    run = start_pilot_run(pilot)
    execute_run(run)
    run.refresh_from_db()
    if run.status == CalibrationRun.Status.READY and run.draft_id is not None:
        pilot.recovery = recovery_of(pilot, run)
        pilot.save(update_fields=["recovery"])
    return run


def blocking_reasons(run: CalibrationRun) -> list[str]:
    """Why the run's draft may not be activated (empty: it may)."""
    if run.status != CalibrationRun.Status.READY or run.draft is None:
        return [run.error or f"calibration run {run.pk} is {run.status}"]
    return [str(reason.get("message", reason)) for reason in activation_blockers(run.draft)]


def activate_pilot(pilot: Pilot) -> None:
    """Activate the pilot's draft (by the system, with the pilot's reason) if nothing blocks it."""
    run = pilot.run
    if run is None:
        raise PilotError("The pilot has no calibration run.")
    reasons = blocking_reasons(run)
    if reasons:
        raise PilotError("The draft cannot be activated: " + "; ".join(reasons))
    activate_calibration(run.draft, by=None, reason=ACTIVATION_REASON)


def _summary(estimate: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    error = estimate - truth
    correlation = (
        float(np.corrcoef(estimate, truth)[0, 1])
        if estimate.size > 1 and np.std(estimate) > 0 and np.std(truth) > 0
        else float("nan")
    )
    return {
        "rmse": round(float(np.sqrt(np.mean(error**2))), 4),
        "mean_abs_bias": round(float(np.mean(np.abs(error))), 4),
        "bias": round(float(np.mean(error)), 4),
        "correlation": round(correlation, 4),
    }


def parameter_recovery(
    truth: Mapping[int, tuple[float, float]],
    estimates: Mapping[int, tuple[float, float]],
    areas: Mapping[int, str],
) -> dict[str, Any]:
    """RMSE, mean |bias| and correlation of a and b against the truth, per area and overall,
    after the truth is put on the estimates' scale by Stocking-Lord per area (all items,
    no drift rule; Stocking & Lord, 1983); also "as linked", the truth untransformed."""
    result: dict[str, Any] = {"areas": {}}
    pooled: dict[str, list[np.ndarray]] = {"a": [], "b": [], "true_a": [], "true_b": []}
    for code in sorted(set(areas[key] for key in estimates)):
        keys = sorted(key for key in estimates if areas[key] == code)
        true_a = np.array([truth[key][0] for key in keys])
        true_b = np.array([truth[key][1] for key in keys])
        est_a = np.array([estimates[key][0] for key in keys])
        est_b = np.array([estimates[key][1] for key in keys])
        entry: dict[str, Any] = {
            "items": len(keys),
            "as_linked": {"a": _summary(est_a, true_a), "b": _summary(est_b, true_b)},
        }
        if len(keys) >= 2:
            link = stocking_lord(
                true_a,
                true_b,
                est_a,
                est_b,
                drift_threshold=math.inf,
                robust_z=None,
                min_anchors=2,
            )
            scaled_a, scaled_b = transform(true_a, true_b, link.slope, link.intercept)
            entry["truth_to_draft"] = {
                "slope": round(link.slope, 4),
                "intercept": round(link.intercept, 4),
            }
            entry["a"] = _summary(est_a, scaled_a)
            entry["b"] = _summary(est_b, scaled_b)
            pooled["a"].append(est_a)
            pooled["b"].append(est_b)
            pooled["true_a"].append(scaled_a)
            pooled["true_b"].append(scaled_b)
        result["areas"][code] = entry
    if pooled["a"]:
        result["a"] = _summary(np.concatenate(pooled["a"]), np.concatenate(pooled["true_a"]))
        result["b"] = _summary(np.concatenate(pooled["b"]), np.concatenate(pooled["true_b"]))
    result["items"] = len(estimates)
    return result


def recovery_of(pilot: Pilot, run: CalibrationRun) -> dict[str, Any]:
    """Recovery of the items the run estimated (its draft's parameters against the truth)."""
    estimated = set(
        ItemStatistic.objects.filter(run=run, estimated=True).values_list(
            "item_version_id", flat=True
        )
    )
    rows = ItemParameter.objects.filter(
        calibration_id=run.draft_id, item_version_id__in=estimated
    ).values_list(
        "item_version_id",
        "discrimination",
        "difficulty",
        "item_version__capacity__competence__area__code",
    )
    truth = {int(key): (value[0], value[1]) for key, value in pilot.true_parameters.items()}
    estimates = {version: (a, b) for version, a, b, _ in rows if version in truth}
    areas = {version: code for version, _, _, code in rows}
    return parameter_recovery(truth, estimates, areas)


@dataclass(frozen=True)
class Deleted:
    users: int
    attempts: int
    calibration_deleted: bool
    calibration_kept: str  # why the draft was kept, if it was


@transaction.atomic
def delete_pilot(pilot: Pilot, *, force: bool = False) -> Deleted:
    """Remove the pilot's accounts, attempts and responses, its run and its draft.

    Refused while the draft is active, unless `force`: the provisional calibration is then
    activated again first (by the system). The draft itself is kept (inactive) when something
    refers to it: an activation in the audit trail or attempts of people taken with it."""
    run = pilot.run
    draft = run.draft if run is not None else None
    if draft is not None and draft.is_active:
        if not force:
            raise PilotError(
                f"The pilot's calibration {draft.name!r} is active: activate another one first, "
                "or use --force to switch back to the provisional calibration."
            )
        provisional = (
            Calibration.objects.filter(
                framework=pilot.framework, source=Calibration.Source.PROVISIONAL
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if provisional is None:
            raise PilotError("No provisional calibration to switch back to.")
        activate_calibration(provisional, by=None, reason="Suppression du pilote simulé")
    users = pilot_users(pilot)
    attempts = Attempt.objects.filter(user__in=users, synthetic=True).count()
    user_count = users.count()
    users.delete()  # profiles, attempts and responses go with the accounts
    pilot.delete()
    kept = ""
    if run is not None:
        run.delete()
    if draft is not None:
        try:
            with transaction.atomic():
                draft.delete()
        except ProtectedError:
            kept = "it appears in the activation history or in attempts"
    if not EngineSettings.objects.filter(
        version=PILOT_SETTINGS_VERSION, attempts__isnull=False
    ).exists():
        EngineSettings.objects.filter(version=PILOT_SETTINGS_VERSION).delete()
    return Deleted(user_count, attempts, draft is not None and not kept, kept)
