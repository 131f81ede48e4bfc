"""The steering indicators, each defined once (docs/steering.md repeats these words).

For an academic year (1 September to 31 August, `steering/years.py`):
- *assessed*: finished a positioning test during the year (synthetic pilot learners never
  count);
- *reached*: assessed, or completed at least one framework-mapped training module (a module
  with at least one capacity of the framework) during the year;
- *certified*: was issued a certificate during the year that is not revoked;
- *trained hours*: the hours of the framework-mapped modules completed during the year.
Practising professionals reached by status are the reached learners whose profile status is
self-employed, public-sector or private-sector.

Each function returns the ids of the users concerned (a queryset, so callers restrict it to
a scope: an institution's participants, an award's learners ...) or, for hours, a sum.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone

from palier.accounts.choices import LearnerStatus
from palier.assessments.models import Attempt, Purpose
from palier.certification.models import Certificate
from palier.steering.years import year_bounds
from palier.training.models import PlanEntry

PRACTISING_STATUSES = (
    LearnerStatus.SELF_EMPLOYED,
    LearnerStatus.PUBLIC_SECTOR,
    LearnerStatus.PRIVATE_SECTOR,
)


def _moments(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The academic year's bounds as aware datetimes in the server's time zone."""
    start, end = year_bounds(year)
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end, dt.time.min, tzinfo=zone),
    )


def finished_positioning_tests(year: int) -> QuerySet[Attempt]:
    start, end = _moments(year)
    return Attempt.objects.filter(
        purpose=Purpose.POSITIONING,
        status=Attempt.Status.FINISHED,
        synthetic=False,
        finished_at__gte=start,
        finished_at__lt=end,
    )


def completed_mapped_modules(year: int) -> QuerySet[PlanEntry]:
    start, end = _moments(year)
    return PlanEntry.objects.filter(
        module__isnull=False,
        module__capacities__isnull=False,
        progress=PlanEntry.Progress.COMPLETED,
        completed_at__gte=start,
        completed_at__lt=end,
    ).distinct()


def assessed_user_ids(year: int) -> QuerySet:
    return finished_positioning_tests(year).values("user_id").distinct()


def trained_user_ids(year: int) -> QuerySet:
    return completed_mapped_modules(year).values("user_id").distinct()


def reached_user_ids(year: int) -> QuerySet:
    """Assessed or trained during the year (a union: each user once)."""
    return assessed_user_ids(year).union(trained_user_ids(year))


def certified_user_ids(year: int) -> QuerySet:
    start, end = _moments(year)
    return (
        Certificate.objects.filter(issued_at__gte=start, issued_at__lt=end, revoked_at__isnull=True)
        .values("candidate__user_id")
        .distinct()
    )


def trained_hours(year: int, user_ids: QuerySet | None = None) -> Decimal:
    """Hours of the framework-mapped modules completed during the year (by `user_ids` when
    given); a module completed twice by one learner counts once per completion."""
    entries = PlanEntry.objects.filter(pk__in=completed_mapped_modules(year).values("pk"))
    if user_ids is not None:
        entries = entries.filter(user_id__in=user_ids)
    return entries.aggregate(hours=Sum("module__hours"))["hours"] or Decimal(0)
