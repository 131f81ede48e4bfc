"""Who an award's learners are in an academic year: the participants of its campaigns
(joined before the year's end, in a campaign not closed before the year's start), the
learners who completed one of its modules during the year and the candidates of its
certification sessions held during the year; and, among them, the reached and certified
learners of `steering/indicators.py`."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from palier.accounts.models import User
from palier.campaigns.models import Participation
from palier.certification.models import Candidate
from palier.steering import indicators
from palier.steering.models import Award
from palier.steering.years import year_bounds
from palier.training.models import PlanEntry


def learner_condition(award: Award, year: int) -> Q:
    """The condition on users that makes them learners of `award` in `year`: three
    uncorrelated subqueries on the award's own rows (the database hashes each once; a
    correlated EXISTS per user would read every user of the country)."""
    start, end = year_bounds(year)
    participants = Participation.objects.filter(
        campaign__award_link__award=award,
        joined_at__date__lt=end,
        campaign__closes_on__gte=start,
    )
    trained = PlanEntry.objects.filter(
        module__award_link__award=award,
        progress=PlanEntry.Progress.COMPLETED,
        completed_at__date__gte=start,
        completed_at__date__lt=end,
    )
    candidates = Candidate.objects.filter(
        session__award_link__award=award,
        session__date__gte=start,
        session__date__lt=end,
    )
    return (
        Q(pk__in=participants.values("user_id").order_by())
        | Q(pk__in=trained.values("user_id").order_by())
        | Q(pk__in=candidates.values("user_id").order_by())
    )


def reached_learners(award: Award, year: int) -> QuerySet[User]:
    """The award's learners reached during `year` (the indicator's definition: assessed or
    trained). The award's learners are few: each is then looked up in the year's tests and
    modules (a hashed list of the whole country's reached learners would not fit in memory
    and be scanned for every user)."""
    return User.objects.filter(learner_condition(award, year)).filter(
        indicators.assessed_exists(year) | indicators.trained_exists(year)
    )


def certified_learners(award: Award, year: int) -> QuerySet[User]:
    return User.objects.filter(learner_condition(award, year), indicators.certified_exists(year))
