"""The activity tables of the national steering dataset: campaigns, attempts and
participations (with shared snapshots), certifications and awards (see steering_data)."""

from __future__ import annotations

import json

import numpy as np

from benchmarks.steering_data import (
    CALL_BUDGET_EUROS,
    CANDIDATES_PER_SESSION,
    CENTRES,
    SHARED_SHARE,
    STUDENT_TYPES,
    YEAR_SHARES,
    YEARS,
    attempt_uuids,
    moments,
    next_id,
    timestamps,
)
from benchmarks.steering_tables import Context

# Participations written per COPY (bounds the memory of snapshots and shared rows).
CHUNK = 100_000


def campaigns(context: Context) -> None:
    from palier.campaigns.models import Campaign

    orgs = context.arrays["org_ids"]
    first = next_id(Campaign)
    count = orgs.size * len(YEARS)
    ids = np.arange(first, first + count)  # campaign of institution i, year y: i * 3 + y
    years = np.tile(np.arange(len(YEARS)), orgs.size)
    context.arrays["campaign_ids"] = ids
    context.copy(
        Campaign,
        {
            "id": ids,
            "organisation_id": np.repeat(orgs, len(YEARS)),
            "framework_id": context.framework.pk,
            "name": [f"Positionnement {YEARS[y]}-{YEARS[y] + 1}" for y in years],
            "purpose": "Jeu de données national (banc d'essai).",
            "kind": "assessment",
            "areas": json.dumps(context.pool.areas),
            "opens_on": [f"{YEARS[y]}-09-01" for y in years],
            "closes_on": [f"{YEARS[y] + 1}-08-31" for y in years],
            "code": [f"N{i:08d}" for i in range(count)],
        },
        count,
    )


def attempts_and_participations(context: Context) -> None:
    from palier.assessments.models import Attempt
    from palier.campaigns.models import Participation

    campaigns(context)
    rng, arrays, pool = context.rng, context.arrays, context.pool
    count = context.sizes.attempts
    learner = rng.integers(0, context.sizes.learners, count)
    year = rng.choice(len(YEARS), count, p=YEAR_SHARES)
    finished = moments(rng, year)
    result = pool.pick(rng, arrays["user_ability"][learner] + 0.15 * (year - 1))
    ids = np.array(attempt_uuids(rng, count), dtype=object)
    seeds = rng.integers(0, 2**62, count)
    for start in range(0, count, CHUNK):
        part = slice(start, start + CHUNK)
        size = len(ids[part])
        context.copy(
            Attempt,
            {
                "id": ids[part],
                "user_id": arrays["user_ids"][learner[part]],
                "framework_id": context.framework.pk,
                "calibration_id": context.calibration.pk,
                "engine_settings_id": context.engine_settings.pk,
                "purpose": "positioning",
                "areas": json.dumps(pool.areas),
                "seed": seeds[part],
                "status": "finished",
                "current_position": pool.items[result[part]] + 1,
                "started_at": timestamps(finished[part] - np.timedelta64(25, "m")),
                "finished_at": timestamps(finished[part]),
                "stop_reason": "se_target",
                "result": [pool.results[index] for index in result[part]],
            },
            size,
        )
    # One participation per learner and year: in their institution's campaign of that year,
    # with the first attempt of the year.
    _, first = np.unique(learner * len(YEARS) + year, return_index=True)
    first.sort()
    shared = rng.random(first.size) < SHARED_SHARE
    base = next_id(Participation)
    for start in range(0, first.size, CHUNK):
        part = slice(start, start + CHUNK)
        _participations(context, first[part], shared[part], base + start, learner, year,
                        finished, result, ids)  # fmt: skip


def _participations(
    context: Context,
    first: np.ndarray,
    shared: np.ndarray,
    base: int,
    learner: np.ndarray,
    year: np.ndarray,
    finished: np.ndarray,
    result: np.ndarray,
    attempt_ids: np.ndarray,
) -> None:
    """One chunk of participations (`first`: their attempts), with the shared rows."""
    from palier.campaigns.models import Participation, SharedCompetence, SharedLevel

    arrays, pool = context.arrays, context.pool
    total = first.size
    who, when, picked, moment = learner[first], year[first], result[first], finished[first]
    participation_ids = np.arange(base, base + total)
    population = arrays["user_population"][who]
    year_of_study = arrays["user_year_of_study"][who]
    student = arrays["user_student"][who]
    status = arrays["user_status"][who]
    finished_text = timestamps(moment)
    snapshots = [
        pool.snapshot(
            int(picked[i]),
            context.populations[population[i]],
            str(status[i]),
            finished_text[i],
            int(year_of_study[i]) if student[i] else None,
        )
        if shared[i]
        else None
        for i in range(total)
    ]
    context.copy(
        Participation,
        {
            "id": participation_ids,
            "campaign_id": arrays["campaign_ids"][arrays["user_institution"][who] * 3 + when],
            "user_id": arrays["user_ids"][who],
            "status": np.where(shared, "shared", "finished"),
            "attempt_id": attempt_ids[first],
            "joined_at": timestamps(moment - np.timedelta64(30, "m")),
            "started_at": timestamps(moment - np.timedelta64(25, "m")),
            "finished_at": finished_text,
            "shared_at": [
                text if s else None for text, s in zip(finished_text, shared, strict=False)
            ],
            "population_code": np.where(shared, population, ""),
            "year_of_study": [
                int(y) if s and st else None
                for y, s, st in zip(year_of_study, shared, student, strict=False)
            ],
            "snapshot": snapshots,
        },
        total,
    )
    rows = np.flatnonzero(shared)
    population_ids = np.array([context.populations[code].pk for code in population[rows]])
    levels = pool.level_rows(participation_ids[rows], picked[rows], population_ids)
    context.copy(SharedLevel, levels, len(levels["participation_id"]))
    signals = pool.signal_rows(participation_ids[rows], picked[rows])
    context.copy(SharedCompetence, signals, len(signals["participation_id"]))


def certifications(context: Context) -> None:
    from palier.certification.models import (
        Candidate,
        Centre,
        Certificate,
        JuryDecision,
        Session,
    )

    rng, arrays, count = context.rng, context.arrays, context.sizes.certificates
    students = np.flatnonzero(np.isin(arrays["org_types"], list(STUDENT_TYPES)))
    centres = students[: min(CENTRES, students.size)]
    centre_base = next_id(Centre)
    context.copy(
        Centre,
        {"id": np.arange(centre_base, centre_base + centres.size),
         "organisation_id": arrays["org_ids"][centres]},
        centres.size,
    )  # fmt: skip
    sessions = -(-count // CANDIDATES_PER_SESSION)
    session_centre = rng.integers(0, centres.size, sessions)
    session_year = rng.choice(len(YEARS), sessions, p=YEAR_SHARES)
    session_moment = moments(rng, session_year)
    session_base = next_id(Session)
    session_ids = np.arange(session_base, session_base + sessions)
    dates = np.datetime_as_string(session_moment, unit="D")
    context.copy(
        Session,
        {
            "id": session_ids,
            "centre_id": centre_base + session_centre,
            "framework_id": context.framework.pk,
            "date": dates,
            "start_time": "09:00",
            "room": "Salle 1",
            "address": "Adresse du centre (jeu de données national)",
            "expected_candidates": CANDIDATES_PER_SESSION,
            "access_code": [f"{i % 10**6:06d}" for i in range(sessions)],
            "invigilator_password": "!",
            "status": "finalised",
            "finalised_at": timestamps(session_moment + np.timedelta64(4, "h")),
        },
        sessions,
    )
    arrays.update(session_ids=session_ids, session_centre=centres[session_centre])
    learner = rng.choice(context.sizes.learners, count, replace=False)
    session = np.arange(count) // CANDIDATES_PER_SESSION
    issued = timestamps(session_moment[session] + np.timedelta64(7, "D"))
    candidate_base = next_id(Candidate)
    candidate_ids = np.arange(candidate_base, candidate_base + count)
    context.copy(
        Candidate,
        {
            "id": candidate_ids,
            "session_id": session_ids[session],
            "user_id": arrays["user_ids"][learner],
            "status": "finished",
            "published_at": issued,
        },
        count,
    )
    levels = [json.dumps(context.pool.certified_levels(rng)) for _ in range(64)]
    chosen = [levels[i] for i in rng.integers(0, len(levels), count)]
    decision_base = next_id(JuryDecision)
    context.copy(
        JuryDecision,
        {
            "id": np.arange(decision_base, decision_base + count),
            "candidate_id": candidate_ids,
            "outcome": "certified",
            "levels": chosen,
            "rule_version": "jeu-national",
            "decided_at": issued,
        },
        count,
    )
    status_base = int(Certificate.objects.order_by("-status_index").values_list(
        "status_index", flat=True).first() or 0) + 1  # fmt: skip
    revoked = rng.random(count) < 0.01
    context.copy(
        Certificate,
        {
            "candidate_id": candidate_ids,
            "decision_id": np.arange(decision_base, decision_base + count),
            "code": [f"NAT{i:013d}" for i in range(count)],
            "levels": chosen,
            "framework_version": context.framework.version,
            "issued_at": issued,
            "status_index": np.arange(status_base, status_base + count),
            "revoked_at": [text if r else None for text, r in zip(issued, revoked, strict=False)],
        },
        count,
    )


def awards(context: Context) -> None:
    from palier.steering.models import (
        Award,
        AwardCampaign,
        AwardModule,
        AwardSession,
        FundingCall,
        PlannedLearners,
    )

    rng, arrays = context.rng, context.arrays
    call = FundingCall.objects.create(
        code="jeu-national-cma-sante-numerique",
        title_fr="Appel à projets (jeu de données national)",
        budget_euros=CALL_BUDGET_EUROS,
        opens_on="2022-06-01",
        closes_on="2022-12-31",
    )
    count = min(context.sizes.awards, arrays["org_ids"].size)
    awardees = np.arange(count)  # the first institutions, which are also the centres
    shares = rng.dirichlet(np.full(count, 8.0))
    base = next_id(Award)
    award_ids = np.arange(base, base + count)
    context.copy(
        Award,
        {
            "id": award_ids,
            "call_id": call.pk,
            "code": [f"jeu-national-{i + 1:02d}" for i in range(count)],
            "title_fr": [f"Projet {i + 1:02d} (jeu de données national)" for i in range(count)],
            "organisation_id": arrays["org_ids"][awardees],
            "amount_euros": np.round(shares * CALL_BUDGET_EUROS).astype(np.int64),
            "starts_on": "2023-09-01",
            "ends_on": "2027-08-31",
            "is_demo": True,
        },
        count,
    )
    codes = [code for code in context.populations if code in ("soins-infirmiers", "medecine")]
    population_ids = [
        context.populations[code].pk for code in codes or list(context.populations)[:2]
    ]
    cells = [(a, p, y) for a in award_ids for p in population_ids for y in YEARS]
    context.copy(
        PlannedLearners,
        {
            "award_id": [a for a, _, _ in cells],
            "population_id": [p for _, p, _ in cells],
            "academic_year": [y for _, _, y in cells],
            "learners": rng.integers(200, 5000, len(cells)),
        },
        len(cells),
    )
    campaigns = np.concatenate([awardees * 3 + y for y in range(len(YEARS))])
    context.copy(
        AwardCampaign,
        {"award_id": np.tile(award_ids, len(YEARS)),
         "campaign_id": arrays["campaign_ids"][campaigns]},
        campaigns.size,
    )  # fmt: skip
    modules = min(count, len(context.modules))
    context.copy(
        AwardModule,
        {"award_id": award_ids[:modules],
         "module_id": [module.pk for module in context.modules[:modules]]},
        modules,
    )  # fmt: skip
    sessions = np.flatnonzero(arrays["session_centre"] < count)
    context.copy(
        AwardSession,
        {"award_id": award_ids[arrays["session_centre"][sessions]],
         "session_id": arrays["session_ids"][sessions]},
        sessions.size,
    )  # fmt: skip
