"""Reads for the learner's home ("Mon espace"): the target profile of their curriculum, the
state of their positioning test, their latest levels, their plan and their campaigns.

The home sits in the top layer because it reads several feature apps; each part is read
through that app's own queries, so this module only assembles them.
"""

from __future__ import annotations

from dataclasses import dataclass

from palier.accounts.models import LearnerProfile, User
from palier.assessments.models import Attempt
from palier.assessments.queries import attempts_of, in_progress
from palier.assessments.results import result_of
from palier.campaigns.models import Participation
from palier.campaigns.queries import participations_of
from palier.core.i18n import localized
from palier.frameworks.models import Area, Framework, Level, Population
from palier.frameworks.queries import current_framework, population_targets
from palier.training.queries import AreaHours, PlanProgress, hours_per_area, plan_entries

# The number of campaigns listed on the home; the full list is one link away.
HOME_CAMPAIGNS = 5


class TestState:
    """Where the learner stands with the positioning test: it decides the page's main action."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"


@dataclass(frozen=True)
class AreaRow:
    """One area of the home's table: the expected level for the curriculum and, once
    measured, the learner's latest level (1-based ranks with their labels)."""

    area: Area
    expected: int | None
    expected_label: str
    level: int | None
    level_label: str

    @property
    def reached(self) -> bool | None:
        if self.expected is None or self.level is None:
            return None
        return self.level >= self.expected


@dataclass(frozen=True)
class PlanSummary:
    entries: int
    progress: PlanProgress


@dataclass(frozen=True)
class LearnerHome:
    framework: Framework | None
    population: Population | None
    rows: list[AreaRow]
    test_state: str
    current_attempt: Attempt | None
    latest_attempt: Attempt | None
    plan: PlanSummary
    participations: list[Participation]
    more_participations: bool
    has_organisations: bool

    @property
    def has_targets(self) -> bool:
        return any(row.expected is not None for row in self.rows)

    @property
    def has_levels(self) -> bool:
        return any(row.level is not None for row in self.rows)

    @property
    def reached_count(self) -> int:
        return sum(1 for row in self.rows if row.reached)

    @property
    def compared_count(self) -> int:
        return sum(1 for row in self.rows if row.reached is not None)


def _level_labels(framework: Framework) -> dict[tuple[int, int], str]:
    """Each level's label in the reader's language, by (area id, rank)."""
    return {
        (level.area_id, level.rank): localized(level, "label")
        for level in Level.objects.filter(area__framework=framework)
    }


def latest_finished(user: User) -> Attempt | None:
    return attempts_of(user).filter(status=Attempt.Status.FINISHED).order_by("-finished_at").first()


def _plan_summary(user: User, hours: list[AreaHours]) -> PlanSummary:
    return PlanSummary(entries=plan_entries(user).count(), progress=PlanProgress(hours))


def learner_home(user: User) -> LearnerHome:
    """Everything the learner's home shows, read in a bounded number of queries."""
    framework = current_framework()
    profile = LearnerProfile.objects.select_related("population").filter(user=user).first()
    population = profile.population if profile else None
    current = in_progress(user)
    latest = latest_finished(user)
    rows: list[AreaRow] = []
    hours: list[AreaHours] = []
    if framework is not None:
        labels = _level_labels(framework)
        targets = population_targets(framework.pk, population.pk if population else None)
        result = result_of(latest) if latest is not None else None
        levels = result.levels() if result is not None else {}
        for area in framework.areas.all():
            expected, level = targets.get(area.code), levels.get(area.code)
            rows.append(
                AreaRow(
                    area=area,
                    expected=expected,
                    expected_label=labels.get((area.pk, expected), "") if expected else "",
                    level=level,
                    level_label=labels.get((area.pk, level), "") if level else "",
                )
            )
        hours = hours_per_area(user, framework)
    if current is not None:
        state = TestState.IN_PROGRESS
    elif latest is not None:
        state = TestState.FINISHED
    else:
        state = TestState.NOT_STARTED
    participations = list(participations_of(user)[: HOME_CAMPAIGNS + 1])
    return LearnerHome(
        framework=framework,
        population=population,
        rows=rows,
        test_state=state,
        current_attempt=current,
        latest_attempt=latest,
        plan=_plan_summary(user, hours),
        participations=participations[:HOME_CAMPAIGNS],
        more_participations=len(participations) > HOME_CAMPAIGNS,
        has_organisations=user.memberships.exists(),
    )
