"""Reads for dashboards: aggregates only, never names or addresses."""

from __future__ import annotations

from django.db.models import Count

from palier.accounts.models import LearnerProfile

# Groups smaller than this are not shown, so that nobody can be singled out.
MIN_GROUP_SIZE = 5


def learners_by_population_and_region() -> list[dict[str, object]]:
    """Active learners counted by population and region (small groups hidden)."""
    rows = (
        LearnerProfile.objects.filter(user__is_active=True)
        .values("population__code", "population__title_fr", "region")
        .annotate(learners=Count("id"))
        .order_by("population__title_fr", "region")
    )
    return [row for row in rows if row["learners"] >= MIN_GROUP_SIZE]
