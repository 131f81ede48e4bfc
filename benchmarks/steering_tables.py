"""The tables of the national steering dataset, one function per group (see steering_data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchmarks.steering_data import (
    EMAIL_DOMAIN,
    ENROLMENT_COVERAGE,
    PROFESSIONAL_STATUSES,
    PROFESSIONAL_TYPES,
    REGION_WEIGHTS,
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
