"""Reads for the learner's pages: attempts, the current question, the result review."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import escape

from palier.accounts.models import User
from palier.assessments import summary
from palier.assessments.models import Attempt, Purpose, Response
from palier.assessments.results import AreaMeasure, level_sentence, percent_text, result_of
from palier.core.i18n import localized
from palier.frameworks.models import Area, Level
from palier.items.formats import get_format
from palier.items.html import trusted_html
from palier.items.rendering import LearnerView, learner_view


def attempts_of(user: User) -> QuerySet[Attempt]:
    return Attempt.objects.filter(user=user, purpose=Purpose.POSITIONING).order_by("-started_at")


def level_history(user: User, areas: list[Area]) -> list[tuple[Attempt, list[int | None]]]:
    """Finished attempts, oldest first, with the level reached in each area (None: not
    assessed that time)."""
    finished = attempts_of(user).filter(status=Attempt.Status.FINISHED).order_by("finished_at")
    return [
        (
            attempt,
            [_levels(attempt).get(area.code) for area in areas],
        )
        for attempt in finished
    ]


def _levels(attempt: Attempt) -> dict[str, int]:
    result = result_of(attempt)
    return result.levels() if result is not None else {}


def in_progress(user: User) -> Attempt | None:
    return attempts_of(user).filter(status=Attempt.Status.IN_PROGRESS).first()


def current_view(attempt: Attempt) -> LearnerView | None:
    """The current question as the learner sees it (same options order on every device)."""
    if attempt.current_version is None:
        return None
    seed = (attempt.seed + attempt.current_position) % (2**31)
    return learner_view(attempt.current_version, seed, attempt.language)


def seconds_left(attempt: Attempt) -> int | None:
    """Seconds remaining on the current question (server clock), None when untimed."""
    if attempt.current_time_limit is None or attempt.current_shown_at is None:
        return None
    spent = (timezone.now() - attempt.current_shown_at).total_seconds()
    return max(0, int(attempt.current_time_limit - spent))


def _pretest_left(attempt: Attempt) -> int:
    return sum(1 for position in attempt.pretest_positions if position >= attempt.current_position)


def questions_left_at_most(attempt: Attempt) -> int:
    """The most questions the test can still ask, the current one included (pretest
    questions come on top of the maximum, at positions the test always reaches)."""
    answered = attempt.current_position - 1
    total = attempt.engine_settings.max_items + len(attempt.pretest_positions)
    return max(0, total - answered)


@dataclass(frozen=True)
class AreaProgress:
    area: Area
    asked: int  # scored questions asked so far
    measured: int | None  # percentage of the precision target reached (None: not stored)


@dataclass(frozen=True)
class Progress:
    answered: int
    areas: list[AreaProgress]
    estimated_left: int
    at_most: int

    @property
    def exact(self) -> bool:
        """True when the estimate is the maximum: the test is expected to run to its end."""
        return self.estimated_left >= self.at_most


def progress(attempt: Attempt) -> Progress:
    """Where the learner stands (computed when the question was chosen, see
    services.estimate_progress), with the assessed areas in framework order."""
    stored = attempt.progress or {}
    asked = stored.get("asked", {})
    measured = stored.get("measured", {})
    at_most = questions_left_at_most(attempt)
    areas = Area.objects.filter(framework_id=attempt.framework_id, code__in=attempt.areas)
    return Progress(
        answered=attempt.current_position - 1,
        areas=[
            AreaProgress(
                area,
                asked.get(area.code, 0),
                round(100 * measured[area.code]) if area.code in measured else None,
            )
            for area in areas.order_by("number")
        ],
        estimated_left=min(at_most, stored.get("estimated_left", at_most) + _pretest_left(attempt)),
        at_most=at_most,
    )


@dataclass(frozen=True)
class LevelBar:
    """One level in the result chart: its probability, and whether it is reported."""

    rank: int
    probability: float
    percent: str
    reported: bool


@dataclass(frozen=True)
class AreaResult:
    area: Area
    level: Level
    theta: float
    se: float
    precision: str
    level_count: int
    measure: AreaMeasure
    levels: tuple[Level, ...]
    target: int | None = None  # level expected for the learner's curriculum

    @property
    def sentence(self) -> str:
        """The level and how sure it is, in one sentence (results.level_sentence)."""
        return level_sentence(self.measure)

    @property
    def gap_sentence(self) -> str:
        """The level against the expected one, in words (summary.gap_sentence)."""
        return summary.gap_sentence(self.measure, self.target)

    @property
    def precision_words(self) -> str:
        return summary.precision_words(self.measure)

    @property
    def below_target(self) -> bool:
        return self.target is not None and max(self.measure.reported_levels) < self.target

    @property
    def between(self) -> tuple[Level, Level] | None:
        """The two levels the learner is between, None when one level is reported."""
        if self.measure.between_levels is None:
            return None
        low, high = self.measure.between_levels
        return self.levels[low - 1], self.levels[high - 1]

    @property
    def bars(self) -> list[LevelBar]:
        """Every level of the area's scale with its probability, for the table."""
        reported = self.measure.reported_levels
        return [
            LevelBar(
                level.rank,
                self.measure.probability_of(level.rank),
                percent_text(self.measure.probability_of(level.rank)),
                level.rank in reported,
            )
            for level in self.levels
        ]

    @property
    def chart(self) -> LevelChart:
        """Geometry of the area's bar (percentages of the scale's width)."""
        reported = self.measure.reported_levels
        width = 100 / self.level_count
        return LevelChart(
            solid=round(min(reported) * width, 2),
            uncertain=round((max(reported) - min(reported)) * width, 2),
            target=round(self.target * width, 2) if self.target else None,
            ticks=[
                (rank, round((rank - 0.5) * width, 2)) for rank in range(1, self.level_count + 1)
            ],
            boundaries=[round(rank * width, 2) for rank in range(1, self.level_count)],
        )


@dataclass(frozen=True)
class LevelChart:
    """An area's bar: `solid` up to the lower reported level, `uncertain` (dashed) up to the
    higher one of a pair, a mark at the expected level, the level numbers under the bar."""

    solid: float
    uncertain: float
    target: float | None
    ticks: list[tuple[int, float]]
    boundaries: list[float]  # where one level's segment ends and the next begins

    @property
    def uncertain_end(self) -> float:
        return round(self.solid + self.uncertain, 2)


def area_results(attempt: Attempt, targets: dict[str, int] | None = None) -> list[AreaResult]:
    """The assessed areas of a finished attempt, in the stored order, with the level
    expected in each (`targets`, per area code) when known."""
    areas = {
        area.code: area
        for area in Area.objects.filter(framework=attempt.framework).prefetch_related("levels")
    }
    results = []
    result = result_of(attempt)
    for measure in result.areas if result is not None else ():
        area = areas[measure.code]
        levels = tuple(area.levels.all())
        results.append(
            AreaResult(
                area,
                levels[measure.level - 1],
                measure.theta,
                measure.se,
                measure.precision,
                len(levels),
                measure,
                levels,
                (targets or {}).get(measure.code),
            )
        )
    return results


def areas_not_assessed(attempt: Attempt) -> list[Area]:
    """The framework's areas this attempt did not measure (the learner left them out)."""
    return list(
        Area.objects.filter(framework=attempt.framework)
        .exclude(code__in=attempt.areas)
        .order_by("number")
    )


def review(attempt: Attempt) -> list[dict[str, Any]]:
    """Each question with the learner's answer, the right answer and the explanation —
    only ever built for a finished attempt."""
    if not attempt.is_finished:
        return []
    rows = []
    responses = (
        Response.objects.filter(attempt=attempt)
        .select_related("item_version__item", "item_version__capacity__competence__area")
        .order_by("position")
    )
    for response in responses:
        version = response.item_version
        texts = {
            option["id"]: trusted_html(option["text"].get(attempt.language) or option["text"]["fr"])
            for key in ("options", "left", "right")
            for option in version.definition.get(key, [])
        }
        rows.append(
            {
                "position": response.position,
                "version": version,
                "area": version.capacity.competence.area,
                "stem": trusted_html(localized(version, "stem", attempt.language)),
                "given": _describe(response.raw_answer, texts),
                "expected": _describe(
                    get_format(version.format).expected_answer(
                        version.definition, attempt.language
                    ),
                    texts,
                ),
                "correct": response.correct,
                "pretest": response.pretest,
                "timed_out": response.timed_out,
                "credit": response.credit,
                "feedback": trusted_html(localized(version, "feedback", attempt.language)),
            }
        )
    return rows


def review_by_area(attempt: Attempt) -> list[tuple[Area, list[dict[str, Any]]]]:
    """The review grouped by area (framework order), questions in the order asked."""
    grouped: dict[int, tuple[Area, list[dict[str, Any]]]] = {}
    for row in review(attempt):
        grouped.setdefault(row["area"].pk, (row["area"], []))[1].append(row)
    return sorted(grouped.values(), key=lambda pair: pair[0].number)


def _describe(value: Any, texts: dict[str, str]) -> str:
    """Option texts (sanitised HTML) for choice ids; anything the learner typed, escaped."""

    def shown(part: Any) -> str:
        return texts.get(str(part)) or escape(str(part))

    if value is None:
        return "—"
    if isinstance(value, list):
        return " ; ".join(shown(part) for part in value)
    if isinstance(value, dict):
        return " ; ".join(f"{shown(k)} → {shown(v)}" for k, v in value.items())
    return shown(value)
