"""Statistics of one item for psychometricians, shown on its page in the authoring site.

Per version: how many tests showed it (exposure), the proportion of right answers, the mean
time to answer and the problem reports; then the parameters of the active calibration with
their standard errors (none for provisional ones) and the fit found by the latest
calibration run. Simulated attempts (calibration pilots) are left out: these are the
figures of real learners. The item bank sits below this app, so the page gets this section
through the item page's panel registry (`items.panels`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Avg, Count, F, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from palier.accounts.roles import Role, has_role
from palier.assessments.models import Response
from palier.items.models import Item, ItemParameter, ProblemReport
from palier.psychometrics.models import ItemStatistic

# Who sees the statistics on the item page.
STATISTICS_ROLES = (Role.PSYCHOMETRICIAN, Role.ADMINISTRATOR)


@dataclass(frozen=True)
class VersionFigures:
    number: int
    tests: int  # attempts that showed the version (exposure)
    answers: int
    right: int
    mean_seconds: float | None
    reports: int
    open_reports: int

    @property
    def percent_correct(self) -> float | None:
        return 100 * self.right / self.answers if self.answers else None


@dataclass(frozen=True)
class ItemStatistics:
    versions: list[VersionFigures]
    parameter: ItemParameter | None  # from the active calibration, latest version first
    fit: ItemStatistic | None  # from the latest calibration run that studied the item

    @property
    def tests(self) -> int:
        return sum(version.tests for version in self.versions)


def item_statistics(item: Item) -> ItemStatistics:
    """The figures of `item` (four queries, whatever the number of responses)."""
    answers = (
        Response.objects.filter(item_version__item=item, attempt__synthetic=False)
        .values("item_version__number")
        .annotate(
            tests=Count("attempt", distinct=True),
            answers=Count("pk"),
            right=Count("pk", filter=Q(correct=True)),
            mean_time=Avg(F("answered_at") - F("shown_at")),
        )
    )
    reports = (
        ProblemReport.objects.filter(item_version__item=item)
        .values("item_version__number")
        .annotate(total=Count("pk"), open=Count("pk", filter=Q(status=ProblemReport.Status.OPEN)))
    )
    by_answers = {row["item_version__number"]: row for row in answers}
    by_reports = {row["item_version__number"]: row for row in reports}
    versions = [
        VersionFigures(
            number=number,
            tests=by_answers.get(number, {}).get("tests", 0),
            answers=by_answers.get(number, {}).get("answers", 0),
            right=by_answers.get(number, {}).get("right", 0),
            mean_seconds=_seconds(by_answers.get(number, {}).get("mean_time")),
            reports=by_reports.get(number, {}).get("total", 0),
            open_reports=by_reports.get(number, {}).get("open", 0),
        )
        for number in sorted(by_answers.keys() | by_reports.keys(), reverse=True)
    ]
    parameter = (
        ItemParameter.objects.filter(item_version__item=item, calibration__is_active=True)
        .select_related("calibration", "item_version")
        .order_by("-item_version__number")
        .first()
    )
    fit = (
        ItemStatistic.objects.filter(item_version__item=item)
        .select_related("run", "item_version")
        .order_by("-run__created_at", "-run__pk", "-item_version__number")
        .first()
    )
    return ItemStatistics(versions=versions, parameter=parameter, fit=fit)


def _seconds(value: timedelta | float | None) -> float | None:
    if value is None:
        return None
    return value.total_seconds() if isinstance(value, timedelta) else float(value) / 1e6


def statistics_panel(request: HttpRequest, item: Item) -> SafeString | None:
    """The item page's statistics section, for psychometricians and administrators only."""
    if not has_role(request.user, *STATISTICS_ROLES):
        return None
    return SafeString(
        render_to_string(
            "psychometrics/item_statistics.html",
            {"statistics": item_statistics(item), "item": item},
            request=request,
        )
    )
