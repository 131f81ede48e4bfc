"""From a finished positioning test to a learning plan (the ranking is explained in
docs/training.md and pinned by tests with cases).

For each area below the learner's target level (the target profile of their population,
DEFAULT_TARGET without one), the competences with the largest gaps are chosen (lowest
residual of observed vs expected score, see assessments/competences.py), then the published
modules and the self-study resources that cover their capacities are ranked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.utils.translation import get_language

from palier.accounts.choices import LearnerStatus
from palier.accounts.models import User
from palier.assessments.competences import competence_signals
from palier.assessments.models import Attempt
from palier.assessments.results import result_of
from palier.frameworks.models import Area, Capacity, Competence
from palier.frameworks.queries import population_targets
from palier.training.audience import fits_status, is_practising, names_population
from palier.training.models import Module, Resource
from palier.training.priorities import priorities

DEFAULT_TARGET = 3
GAP_COMPETENCES_PER_AREA = 2
MODULES_PER_AREA = 5
RESOURCES_PER_AREA = 4
# Weights of the ranking (docs/training.md).
W_COVERAGE = 3.0
W_LEVEL = 2.0
W_STATUS = 2.0
W_POPULATION = 1.0
W_FUNDING = 1.0
W_LANGUAGE = 0.5
W_SHORT = 0.5
LONG_MODULE_HOURS = 14.0


@dataclass
class Ranked:
    module: Module
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class AreaPlan:
    area: Area
    level: int
    target: int
    competences: list[Competence]
    modules: list[Ranked]
    resources: list[Resource]


def targets_for(user: User, attempt: Attempt) -> dict[str, int]:
    profile = getattr(user, "profile", None)
    return population_targets(attempt.framework_id, getattr(profile, "population_id", None))


def _gap_competences(area: Area, residuals: dict[int, float]) -> list[Competence]:
    competences = sorted(
        area.competences.all(), key=lambda c: (residuals.get(c.pk, 0.0), c.position)
    )
    return competences[:GAP_COMPETENCES_PER_AREA]


def organisations_of(user: User) -> set[int]:
    return set(user.memberships.values_list("organisation_id", flat=True))


def rank_modules(
    modules: list[Module],
    gap_capacities: set[int],
    user: User,
    level: int,
    target: int,
    language: str,
    own_organisations: set[int] | None = None,
) -> list[Ranked]:
    """Rank the modules covering the gap; `own_organisations` (the learner's organisations)
    is looked up when not given."""
    profile = getattr(user, "profile", None)
    status = getattr(profile, "status", "") or ""
    population_id = getattr(profile, "population_id", None)
    practising = is_practising(status)
    own = own_organisations if own_organisations is not None else organisations_of(user)
    ranked = []
    for module in modules:
        covered = {c.pk for c in module.capacities.all()} & gap_capacities
        if not covered or module.target_level <= level:
            continue
        reasons: list[str] = []
        score = W_COVERAGE * len(covered) / len(gap_capacities)
        score += W_LEVEL * max(0.0, 1 - 0.25 * abs(module.target_level - target))
        # Without a status or a population every module gets the points (the ranking stays
        # neutral), but a label is shown only when it is true (audience.py).
        if fits_status(module, status):
            score += W_STATUS
            reasons.append("status")
        elif not status:
            score += W_STATUS
        population_ids = {p.pk for p in module.populations.all()}
        if not population_ids or population_id in population_ids:
            score += W_POPULATION
        if names_population(module, population_id):
            reasons.append("population")
        if module.is_free or (practising and module.cpd_eligible):
            score += W_FUNDING
            reasons.append("free" if module.is_free else "cpd")
        if module.provider_id in own:
            reasons.append("own_institution")
        if module.language == language:
            score += W_LANGUAGE
        score += W_SHORT * (1 - min(float(module.hours), LONG_MODULE_HOURS) / LONG_MODULE_HOURS)
        ranked.append(Ranked(module, round(score, 4), reasons))
    # A student sees the modules of their own institution first (suited ones, above all).
    student_first = status in ("", LearnerStatus.STUDENT)
    return sorted(
        ranked,
        key=lambda r: (
            -(student_first and "own_institution" in r.reasons),
            -r.score,
            r.module.code,
        ),
    )


def learning_plan(user: User, attempt: Attempt, language: str = "fr") -> list[AreaPlan]:
    result = result_of(attempt)
    if result is None:
        return []
    targets = targets_for(user, attempt)
    residuals = {
        s.competence.pk: s.residual for s in competence_signals(attempt) if s.kind != "unknown"
    }
    areas = {
        a.code: a
        for a in Area.objects.filter(framework=attempt.framework).prefetch_related("competences")
    }
    modules = list(
        Module.objects.filter(status=Module.Status.PUBLISHED)
        .select_related("provider")
        .prefetch_related("capacities", "populations")
    )
    own = organisations_of(user)
    plans = []
    for measure in result.areas:
        code, level = measure.code, measure.level
        target = targets.get(code, DEFAULT_TARGET)
        if level >= target:
            continue
        competences = _gap_competences(areas[code], residuals)
        capacity_ids = set(
            Capacity.objects.filter(competence__in=competences).values_list("pk", flat=True)
        )
        resources = list(
            Resource.objects.filter(capacities__in=capacity_ids, level__lte=target)
            .distinct()
            .order_by("level", "code")[:RESOURCES_PER_AREA]
        )
        plans.append(
            AreaPlan(
                area=areas[code],
                level=level,
                target=target,
                competences=competences,
                modules=rank_modules(modules, capacity_ids, user, level, target, language, own)[
                    :MODULES_PER_AREA
                ],
                resources=resources,
            )
        )
    return plans


def result_plan_context(request: HttpRequest, attempt: Attempt) -> dict[str, object]:
    """The learning-plan section of the test's result page (assessments.signals)."""
    language = (get_language() or "fr")[:2]
    plan = learning_plan(request.user, attempt, language)
    modules, resources = priorities(request.user, plan)
    return {"plan": plan, "priority_modules": modules, "priority_resources": resources}
