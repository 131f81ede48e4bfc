"""The tables of the national steering dataset, one function per group (see steering_data)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchmarks.steering_data import (
    CALL_BUDGET_EUROS,
    CANDIDATES_PER_SESSION,
    CENTRES,
    EMAIL_DOMAIN,
    ENROLMENT_COVERAGE,
    PROFESSIONAL_STATUSES,
    PROFESSIONAL_TYPES,
    REGION_WEIGHTS,
    SHARED_SHARE,
    STUDENT_SHARE,
    STUDENT_TYPES,
    YEAR_SHARES,
    YEARS,
    Report,
    Sizes,
    attempt_uuids,
    copy_rows,
    moments,
    next_id,
    timestamps,
    weighted,
)
from benchmarks.steering_results import ResultPool

# Student populations' weights (the others weigh 2): nurses, doctors and care assistants
# are the largest curricula.
POPULATION_WEIGHTS = {
    "soins-infirmiers": 30,
    "medecine": 15,
    "aide-soignant": 15,
    "masso-kinesitherapie": 5,
    "pharmacie": 4,
    "auxiliaire-puericulture": 4,
}
PROFESSIONAL_POPULATIONS = {"professionnels-en-exercice": 0.7, "personnels-administratifs": 0.3}


@dataclass
class Context:
    """What the table functions share: the generator, sizes, report, seeded references and
    the arrays of the rows generated so far."""

    rng: np.random.Generator
    sizes: Sizes
    report: Report
    framework: Any
    populations: dict[str, Any]
    modules: list[Any]
    engine_settings: Any
    calibration: Any
    pool: ResultPool
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def load(
        cls, rng: np.random.Generator, sizes: Sizes, report: Report, pool_size: int
    ) -> Context:
        from palier.assessments.services import current_settings
        from palier.frameworks.models import Framework, Population
        from palier.items.models import Calibration
        from palier.training.models import Module

        framework = Framework.objects.filter(status="published").order_by("-pk").first()
        framework = framework or Framework.objects.order_by("-pk").first()
        engine_settings = current_settings()
        calibration = Calibration.objects.get(framework=framework, is_active=True)
        return cls(
            rng=rng,
            sizes=sizes,
            report=report,
            framework=framework,
            populations={p.code: p for p in Population.objects.order_by("position", "code")},
            modules=list(Module.objects.filter(status="published").order_by("code")),
            engine_settings=engine_settings,
            calibration=calibration,
            pool=ResultPool.build(
                rng, framework, engine_settings.version, calibration.pk, pool_size
            ),
        )

    def copy(self, model: Any, columns: dict[str, Any], count: int) -> None:
        copy_rows(self.report, model, columns, count)


def institutions(context: Context) -> None:
    from palier.organisations.models import Organisation

    wanted = context.sizes.institutions
    shares = {**STUDENT_TYPES, **PROFESSIONAL_TYPES}
    counts = {kind: max(1, round(n * wanted / sum(shares.values()))) for kind, n in shares.items()}
    largest = max(counts, key=counts.__getitem__)
    counts[largest] += wanted - sum(counts.values())  # every type present, `wanted` in all
    types = np.concatenate([np.repeat(kind, n) for kind, n in counts.items()])
    total = types.size
    first = next_id(Organisation)
    ids = np.arange(first, first + total)
    regions = weighted(context.rng, REGION_WEIGHTS, total)
    context.arrays.update(
        org_ids=ids,
        org_types=types,
        org_regions=regions,
        org_sizes=context.rng.lognormal(0, 0.7, total),
    )
    context.copy(
        Organisation,
        {
            "id": ids,
            "name": [f"Établissement {i + 1:04d} (jeu de données national)" for i in range(total)],
            "slug": [f"bench-{i + 1:04d}" for i in range(total)],
            "type": types,
            "region": regions,
            "is_demo": True,
        },
        total,
    )


def _choose_institutions(context: Context, types: set[str], size: int) -> np.ndarray:
    arrays = context.arrays
    candidates = np.flatnonzero(np.isin(arrays["org_types"], list(types)))
    weights = arrays["org_sizes"][candidates]
    return candidates[context.rng.choice(candidates.size, size, p=weights / weights.sum())]


def learners(context: Context) -> None:
    from palier.accounts.models import LearnerProfile, User

    rng, count = context.rng, context.sizes.learners
    codes = list(context.populations)
    student_codes = [c for c in codes if c not in PROFESSIONAL_POPULATIONS]
    student = rng.random(count) < STUDENT_SHARE
    population = np.empty(count, dtype=object)
    population[student] = weighted(
        rng, {c: POPULATION_WEIGHTS.get(c, 2) for c in student_codes}, int(student.sum())
    )
    population[~student] = weighted(rng, PROFESSIONAL_POPULATIONS, int((~student).sum()))
    status = np.where(student, "student", "")
    status[~student] = weighted(rng, PROFESSIONAL_STATUSES, int((~student).sum()))
    vocational = np.array([context.populations[code].kind == "vocational" for code in population])
    institution = np.empty(count, dtype=np.int64)
    for mask, types in (
        (student & vocational, {"secondary_institute"}),
        (student & ~vocational, {"university", "health_institute"}),
        (~student, set(PROFESSIONAL_TYPES)),
    ):
        institution[mask] = _choose_institutions(context, types, int(mask.sum()))
    region = context.arrays["org_regions"][institution].copy()
    elsewhere = rng.random(count) < 0.05  # studies or works outside the institution's region
    region[elsewhere] = weighted(rng, REGION_WEIGHTS, int(elsewhere.sum()))
    year_of_study = np.where(vocational, 1, rng.integers(1, 4, count))
    first = next_id(User)
    ids = np.arange(first, first + count)
    context.arrays.update(
        user_ids=ids,
        user_population=population,
        user_student=student,
        user_status=status,
        user_institution=institution,
        user_year_of_study=year_of_study,
        user_ability=rng.normal(0, 1, count) + 0.3 * (year_of_study - 2),
    )
    context.copy(
        User,
        {
            "id": ids,
            "email": [f"l{i:07d}@{EMAIL_DOMAIN}" for i in range(count)],
            "password": "!",  # unusable: generated learners never sign in
            "pseudonym": attempt_uuids(rng, count),
        },
        count,
    )
    population_ids = np.array([context.populations[code].pk for code in population])
    context.copy(
        LearnerProfile,
        {
            "user_id": ids,
            "population_id": population_ids,
            "status": status,
            "year_of_study": [
                int(y) if s else None for y, s in zip(year_of_study, student, strict=False)
            ],
            "region": region,
        },
        count,
    )


def _campaign_ids(context: Context) -> None:
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
    from palier.campaigns.models import Participation, SharedCompetence, SharedLevel

    _campaign_ids(context)
    rng, arrays, pool = context.rng, context.arrays, context.pool
    count = context.sizes.attempts
    learner = rng.integers(0, context.sizes.learners, count)
    year = rng.choice(len(YEARS), count, p=YEAR_SHARES)
    finished = moments(rng, year)
    result = pool.pick(rng, arrays["user_ability"][learner] + 0.15 * (year - 1))
    ids = attempt_uuids(rng, count)
    context.copy(
        Attempt,
        {
            "id": ids,
            "user_id": arrays["user_ids"][learner],
            "framework_id": context.framework.pk,
            "calibration_id": context.calibration.pk,
            "engine_settings_id": context.engine_settings.pk,
            "purpose": "positioning",
            "areas": json.dumps(pool.areas),
            "seed": rng.integers(0, 2**62, count),
            "status": "finished",
            "current_position": pool.items[result] + 1,
            "started_at": timestamps(finished - np.timedelta64(25, "m")),
            "finished_at": timestamps(finished),
            "stop_reason": "se_target",
            "result": [pool.results[index] for index in result],
        },
        count,
    )
    # One participation per learner and year: in their institution's campaign of that year,
    # with the first attempt of the year.
    _, first = np.unique(learner * len(YEARS) + year, return_index=True)
    first.sort()
    total = first.size
    who, when, picked = learner[first], year[first], result[first]
    shared = rng.random(total) < SHARED_SHARE
    moment = finished[first]
    base = next_id(Participation)
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
            "attempt_id": [ids[i] for i in first],
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
    arrays.update(participation_campaign=arrays["user_institution"][who] * 3 + when)


def plan_entries(context: Context) -> None:
    from palier.training.models import PlanEntry

    rng, count = context.rng, context.sizes.plan_entries
    modules = np.array([module.pk for module in context.modules])
    # Distinct (learner, module) pairs: draw 20 % more, drop repeats, keep `count`.
    learner = rng.integers(0, context.sizes.learners, round(count * 1.2))
    module = rng.integers(0, modules.size, learner.size)
    keys = np.unique(learner * modules.size + module)
    keys = rng.permutation(keys)[:count]
    keys.sort()
    count = keys.size
    learner, module = keys // modules.size, keys % modules.size
    year = rng.choice(len(YEARS), count, p=YEAR_SHARES)
    progress = rng.choice(["planned", "started", "completed"], count, p=[0.4, 0.15, 0.45])
    added = moments(rng, year)
    completed = added + rng.integers(3, 60, count).astype("timedelta64[D]")
    completed_text = timestamps(completed)
    context.copy(
        PlanEntry,
        {
            "user_id": context.arrays["user_ids"][learner],
            "module_id": modules[module],
            "progress": progress,
            "added_at": timestamps(added),
            "completed_at": [
                text if state == "completed" else None
                for text, state in zip(completed_text, progress, strict=False)
            ],
        },
        count,
    )


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


def enrolments(context: Context) -> None:
    """Enrolled learners per institution, population, year of study and academic year: the
    generated students of the cell divided by the coverage (every year the same cohort)."""
    from palier.steering.models import Enrolment

    arrays = context.arrays
    student = arrays["user_student"]
    codes = list(context.populations)
    population = np.array([codes.index(code) for code in arrays["user_population"][student]])
    keys = np.stack(
        [arrays["user_institution"][student], population, arrays["user_year_of_study"][student]]
    )
    cells, counts = np.unique(keys, axis=1, return_counts=True)
    enrolled = np.ceil(counts / ENROLMENT_COVERAGE).astype(np.int64)
    total = cells.shape[1] * len(YEARS)
    context.copy(
        Enrolment,
        {
            "organisation_id": np.tile(arrays["org_ids"][cells[0]], len(YEARS)),
            "population_id": np.tile(
                [context.populations[codes[i]].pk for i in cells[1]], len(YEARS)
            ),
            "year_of_study": np.tile(cells[2], len(YEARS)),
            "academic_year": np.repeat(YEARS, cells.shape[1]),
            "learners": np.tile(enrolled, len(YEARS)),
            "source": "import",
        },
        total,
    )
