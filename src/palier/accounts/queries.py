"""Reads for dashboards: aggregates only, never names or addresses."""

from __future__ import annotations

from django.db.models import Count

from palier.accounts.models import LearnerProfile, User

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


PROFILE_FIELDS = (
    "population",
    "status",
    "year_of_study",
    "region",
    "extra_time",
    "uses_screen_reader",
    "learning_records_opt_out",
)


def profile_values(user: User) -> dict[str, object]:
    """The learner profile as plain values (population as its code); defaults when absent."""
    profile = LearnerProfile.objects.filter(user=user).select_related("population").first()
    if profile is None:
        profile = LearnerProfile(user=user)
    values = {name: getattr(profile, name) for name in PROFILE_FIELDS if name != "population"}
    return {"population": profile.population.code if profile.population else None, **values}
