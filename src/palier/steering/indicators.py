"""The steering indicators, each defined once (docs/steering.md repeats these words).

For an academic year (1 September 00:00 to the next 1 September 00:00, Europe/Paris time,
`steering/years.py`):
- *assessed*: finished a positioning test during the year. Attempts of synthetic pilot
  learners never count, nor certification attempts, nor unfinished tests.
- *trained*: completed at least one framework-mapped training module during the year (a
  module with at least one capacity of the framework; a module without any capacity never
  counts, nor a resource).
- *reached*: assessed or trained during the year (each learner once).
- *certified*: was issued, during the year, a certificate that is not revoked (a revoked
  certificate never counts, whenever it was revoked).
- *trained hours*: the hours of the framework-mapped modules completed during the year (a
  module completed twice counts twice).
- *planned hours*: the hours of the framework-mapped modules added to a plan during the
  year, whatever their progress.
- *active*: took part during the year: reached, certified, or joined a campaign that ran
  during the year (see `memberships`).
Practising professionals reached by status are the reached learners whose profile status is
self-employed, public-sector or private-sector.

A learner's institutions for a year are the organisations whose campaigns the learner joined
before the year's end, in campaigns that had not closed before the year's start; their
awards are the awards those campaigns are attached to, the awards whose modules they
completed during the year and the awards whose certification sessions they sat for during
the year.

Each `*_user_ids` function returns the ids of the users concerned (a values queryset, so
callers restrict it to a scope: an institution's participants, an award's learners ...).
`*_exists` give the same definitions as per-user `Exists` conditions for grouped queries.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from palier.accounts.choices import LearnerStatus
from palier.assessments.models import Attempt, Purpose
from palier.campaigns.models import Participation
from palier.certification.models import Candidate, Certificate
from palier.steering.years import year_bounds
from palier.training.models import Module, PlanEntry

PRACTISING_STATUSES = (
    LearnerStatus.SELF_EMPLOYED,
    LearnerStatus.PUBLIC_SECTOR,
    LearnerStatus.PRIVATE_SECTOR,
)


def moments(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The academic year's bounds as aware datetimes in the platform's time zone (Paris):
    31 August 23:59 belongs to the year, 1 September 00:00 to the next."""
    start, end = year_bounds(year)
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end, dt.time.min, tzinfo=zone),
    )


def mapped_modules() -> QuerySet:
    """Ids of the modules with at least one capacity of the framework."""
    return Module.objects.filter(capacities__isnull=False).values("pk")


def finished_positioning_tests(year: int) -> QuerySet[Attempt]:
    start, end = moments(year)
    return Attempt.objects.filter(
        purpose=Purpose.POSITIONING,
        status=Attempt.Status.FINISHED,
        synthetic=False,
        finished_at__gte=start,
        finished_at__lt=end,
    )


def completed_mapped_modules(year: int) -> QuerySet[PlanEntry]:
    start, end = moments(year)
    return PlanEntry.objects.filter(
        module_id__in=mapped_modules(),
        progress=PlanEntry.Progress.COMPLETED,
        completed_at__gte=start,
        completed_at__lt=end,
    )


def planned_mapped_modules(year: int) -> QuerySet[PlanEntry]:
    start, end = moments(year)
    return PlanEntry.objects.filter(
        module_id__in=mapped_modules(), added_at__gte=start, added_at__lt=end
    )


def valid_certificates(year: int) -> QuerySet[Certificate]:
    start, end = moments(year)
    return Certificate.objects.filter(
        issued_at__gte=start, issued_at__lt=end, revoked_at__isnull=True
    )


def memberships(year: int) -> QuerySet[Participation]:
    """Participations that make a learner belong to the campaign's organisation in `year`:
    joined before the year's end, in a campaign not closed before the year's start."""
    start, _end = year_bounds(year)
    _start, end_moment = moments(year)
    return Participation.objects.filter(joined_at__lt=end_moment, campaign__closes_on__gte=start)


def sat_sessions(year: int) -> QuerySet[Candidate]:
    """Candidates of sessions held during the year."""
    start, end = year_bounds(year)
    return Candidate.objects.filter(session__date__gte=start, session__date__lt=end)


def assessed_user_ids(year: int) -> QuerySet:
    return finished_positioning_tests(year).order_by().values("user_id").distinct()


def trained_user_ids(year: int) -> QuerySet:
    return completed_mapped_modules(year).order_by().values("user_id").distinct()


def reached_user_ids(year: int) -> QuerySet:
    """Assessed or trained during the year (a union: each user once)."""
    return assessed_user_ids(year).union(trained_user_ids(year))


def certified_user_ids(year: int) -> QuerySet:
    return valid_certificates(year).order_by().values("candidate__user_id").distinct()


def assessed_exists(year: int, user: str = "pk") -> Exists:
    return Exists(finished_positioning_tests(year).filter(user_id=OuterRef(user)))


def trained_exists(year: int, user: str = "pk") -> Exists:
    return Exists(completed_mapped_modules(year).filter(user_id=OuterRef(user)))


def certified_exists(year: int, user: str = "pk") -> Exists:
    return Exists(valid_certificates(year).filter(candidate__user_id=OuterRef(user)))


def active_condition(year: int, user: str = "pk") -> Q:
    """Took part during the year (see the module's docstring)."""
    return (
        Q(assessed_exists(year, user))
        | Q(trained_exists(year, user))
        | Q(certified_exists(year, user))
        | Q(Exists(memberships(year).filter(user_id=OuterRef(user))))
    )


def trained_hours(year: int, user_ids: QuerySet | None = None) -> Decimal:
    """Hours of the framework-mapped modules completed during the year (by `user_ids` when
    given); a module completed twice by one learner counts once per completion."""
    entries = completed_mapped_modules(year)
    if user_ids is not None:
        entries = entries.filter(user_id__in=user_ids)
    return entries.aggregate(hours=Sum("module__hours"))["hours"] or Decimal(0)
