"""The set-based refresh against a small straightforward reference on seeded random data:
learners with random profiles (one without any), positioning tests (some synthetic or
unfinished), modules completed or only planned (mapped or not, with funding routes),
certificates (some revoked), campaigns of three institutions (one attached to an award),
an award module and an award session, at random moments of two academic years and on their
boundaries. The reference counts learner by learner in Python from the indicators'
definitions; every summary row must be the same (runs on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

import pytest

from palier.accounts.models import LearnerProfile
from palier.campaigns.models import SharedLevel
from palier.frameworks.queries import current_framework
from palier.organisations.choices import OrganisationType
from palier.steering import indicators
from palier.steering.aggregates import refresh
from palier.steering.models import (
    AwardCampaign,
    AwardModule,
    AwardSession,
    LevelSummary,
    ReachSummary,
    RouteHoursSummary,
)
from palier.training.models import Module, PlanEntry
from palier.training.queries import route_hours_per_learner
from tests.certification.factories import make_candidate, make_centre, make_session
from tests.factories import make_organisation
from tests.steering.reach_factories import (
    at,
    campaign,
    certificate,
    learner,
    module,
    participation,
    positioning,
)
from tests.steering.support import make_award

pytestmark = pytest.mark.django_db

YEARS = (2024, 2025)
ONE_DECIMAL = Decimal("0.1")


def moment(rng: random.Random) -> dt.datetime:
    """A moment of 2024-2025 or 2025-2026, sometimes right on a boundary."""
    boundaries = [at(2025, 8, 31, 23, 59), at(2025, 9, 1, 0, 0), at(2024, 9, 1, 0, 0)]
    if rng.random() < 0.15:
        return rng.choice(boundaries)
    return at(2024, 9, 1) + dt.timedelta(days=rng.randrange(720), minutes=rng.randrange(1440))


def entry(user, made: Module, added: dt.datetime, completed: dt.datetime | None) -> None:
    progress = PlanEntry.Progress.COMPLETED if completed else PlanEntry.Progress.STARTED
    made_entry = PlanEntry.objects.create(
        user=user, module=made, progress=progress, completed_at=completed
    )
    PlanEntry.objects.filter(pk=made_entry.pk).update(added_at=added)


def random_country(seed: int) -> None:
    rng = random.Random(seed)
    places = [
        make_organisation("Université", type=OrganisationType.UNIVERSITY),
        make_organisation("IFSI", type=OrganisationType.HEALTH_TRAINING_INSTITUTE),
        make_organisation("Formation continue", type=OrganisationType.CONTINUING_EDUCATION),
    ]
    award = make_award(places[0])
    campaigns = [
        campaign(place, dt.date(year, 9, 1), dt.date(year + 1, 6, 30))
        for place in places
        for year in YEARS
    ]
    AwardCampaign.objects.create(award=award, campaign=campaigns[0])
    # Hours in halves: the 0.1-hour columns never round a tie, on either database.
    modules = [module(places[0], hours=hours) for hours in ("1.5", "3", "7", "0.5")]
    modules.append(module(places[1], mapped=False, hours="5"))
    Module.objects.filter(pk=modules[1].pk).update(funding_routes="dpc anfh", price_cents=9000)
    Module.objects.filter(pk=modules[2].pk).update(funding_routes="opco fifpl", price_cents=1)
    AwardModule.objects.create(award=award, module=modules[3])
    framework = current_framework()
    sessions = [make_session(make_centre(), framework, date=moment(rng).date()) for _ in range(3)]
    AwardSession.objects.create(award=award, session=sessions[0])
    for _ in range(36):
        user = learner(
            rng.choice(["soins-infirmiers", "medecine", None]),
            rng.choice(["11", "53", ""]),
            rng.choice(["student", "self_employed", "public_sector", "private_sector", ""]),
        )
        if rng.random() < 0.08:
            LearnerProfile.objects.filter(user=user).delete()
        for _ in range(rng.randrange(3)):
            positioning(user, moment(rng), synthetic=rng.random() < 0.1)
        for made in rng.sample(modules, rng.randrange(4)):  # one entry per module
            added = moment(rng)
            done = added + dt.timedelta(days=rng.randrange(200)) if rng.random() < 0.6 else None
            entry(user, made, added, done)
        if rng.random() < 0.3:
            certificate(user, moment(rng), revoked=rng.random() < 0.3)
        if rng.random() < 0.2:
            make_candidate(rng.choice(sessions), user)
        for made in rng.sample(campaigns, rng.randrange(4)):
            areas = rng.sample(["D1", "D2", "D3"], rng.randrange(3))
            levels = {area: (rng.randrange(1, 6), rng.choice([None, 2, 3])) for area in areas}
            participation(user, made, moment(rng), levels or None)


# --- the reference: learner by learner ---------------------------------------------------


def scopes(user: int, places: dict, awards: dict) -> set[tuple]:
    found = {("all", "", None, None)}
    found |= {("type", kind, None, None) for _place, kind in places[user]} or {
        ("type", "", None, None)
    }
    found |= {("organisation", kind, place, None) for place, kind in places[user]}
    found |= {("award", "", None, award) for award in awards[user]} or {("award", "", None, None)}
    return found


def reference(year: int) -> dict[str, set]:
    profile = {
        row[0]: row[1:]
        for row in LearnerProfile.objects.values_list(
            "user_id", "population_id", "region", "status"
        )
    }
    who = lambda user: profile.get(user, (None, "", ""))  # noqa: E731
    assessed = set(indicators.finished_positioning_tests(year).values_list("user_id", flat=True))
    done = indicators.completed_mapped_modules(year).values_list("user_id", "module__hours")
    planned = indicators.planned_mapped_modules(year).values_list("user_id", "module__hours")
    trained_hours, planned_hours = defaultdict(Decimal), defaultdict(Decimal)
    for user, hours in done:
        trained_hours[user] += hours
    for user, hours in planned:
        planned_hours[user] += hours
    certified = set(indicators.valid_certificates(year).values_list("candidate__user", flat=True))
    places, awards = defaultdict(set), defaultdict(set)
    for joined in indicators.memberships(year).select_related("campaign__organisation"):
        places[joined.user_id].add(
            (joined.campaign.organisation_id, joined.campaign.organisation.type)
        )
        link = AwardCampaign.objects.filter(campaign=joined.campaign).first()
        if link:
            awards[joined.user_id].add(link.award_id)
    start, end = indicators.moments(year)
    for completed in PlanEntry.objects.filter(
        progress="completed", completed_at__gte=start, completed_at__lt=end
    ):
        for link in AwardModule.objects.filter(module_id=completed.module_id):
            awards[completed.user_id].add(link.award_id)
    for sat in indicators.sat_sessions(year):
        for link in AwardSession.objects.filter(session_id=sat.session_id):
            awards[sat.user_id].add(link.award_id)
    reach = defaultdict(lambda: [0, 0, 0, 0, 0, Decimal(0), Decimal(0)])
    for user in assessed | set(trained_hours) | certified | set(places):
        for key in scopes(user, places, awards):
            cell = reach[(*key, *who(user))]
            flags = (1, user in assessed or user in trained_hours, user in assessed)
            flags += (user in trained_hours, user in certified)
            for index, flag in enumerate(flags):
                cell[index] += int(flag)
            cell[5] += trained_hours.get(user, 0)
            cell[6] += planned_hours.get(user, 0)
    routes = defaultdict(lambda: [0, 0, Decimal(0), Decimal(0)])
    for column, entries in enumerate(
        (indicators.planned_mapped_modules(year), indicators.completed_mapped_modules(year))
    ):
        for row in route_hours_per_learner(entries):
            hours = (row.planned_hours, row.completed_hours)[column]
            if hours:
                for key in scopes(row.user_id, places, awards):
                    cell = routes[(*key, *who(row.user_id)[:2], row.status, row.route)]
                    cell[column] += 1
                    cell[column + 2] += hours
    return {
        "reach": {(*key, *rounded(values)) for key, values in reach.items()},
        "levels": reference_levels(year, who),
        "routes": {(*key, *rounded(values)) for key, values in routes.items()},
    }


def reference_levels(year: int, who) -> set:
    start, end = indicators.moments(year)
    latest = {}
    shared = SharedLevel.objects.filter(
        participation__finished_at__gte=start, participation__finished_at__lt=end
    ).select_related("participation__campaign__organisation")
    for row in sorted(shared, key=lambda row: (row.participation.shared_at, row.pk)):
        joined = row.participation
        kind = joined.campaign.organisation.type
        keys = [("all", "", None, None), ("type", kind, None, None)]
        keys.append(("organisation", kind, joined.campaign.organisation_id, None))
        link = AwardCampaign.objects.filter(campaign=joined.campaign).first()
        if link:
            keys.append(("award", "", None, link.award_id))
        for key in keys:
            latest[(joined.user_id, key, row.area)] = (row.level, row.target)
    levels = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    gaps = defaultdict(dict)
    for (user, key, area), (level, target) in latest.items():
        cell = (*key, *who(user)[:2])
        levels[cell][area][str(level)] += 1
        if target is not None:
            gap = gaps[cell].setdefault(area, [0, 0])
            gap[0] += 1
            gap[1] += level - target
    return {
        (*cell, canonical({a: dict(c) for a, c in by_area.items()}), canonical(gaps[cell]))
        for cell, by_area in levels.items()
    }


def rounded(values: list) -> tuple:
    return tuple(v.quantize(ONE_DECIMAL) if isinstance(v, Decimal) else v for v in values)


def canonical(value: dict) -> str:
    return repr(
        sorted((key, sorted(v.items()) if isinstance(v, dict) else v) for key, v in value.items())
    )


def stored(year: int) -> dict[str, set]:
    def rows(model, *fields):
        return list(model.objects.filter(academic_year=year).values_list(*fields))

    scope = ("scope", "institution_type", "organisation_id", "award_id", "population_id", "region")
    levels = {
        (*row[:-2], canonical(row[-2]), canonical(row[-1]))
        for row in rows(LevelSummary, *scope, "levels", "gaps")
    }
    reach = ("status", "active", "reached", "assessed", "trained", "certified")
    routes = ("status", "route", "planned_learners", "completed_learners")
    return {
        "reach": set(rows(ReachSummary, *scope, *reach, "trained_hours", "planned_hours")),
        "levels": levels,
        "routes": set(rows(RouteHoursSummary, *scope, *routes, "planned_hours", "completed_hours")),
    }


@pytest.mark.parametrize("seed", [15, 2026])
def test_the_refresh_gives_the_reference_rows_on_random_data(framework, seed):
    random_country(seed)
    refresh(YEARS)
    for year in YEARS:
        expected, found = reference(year), stored(year)
        assert expected["reach"], "the random data counts someone"
        for table in ("reach", "levels", "routes"):
            assert found[table] == expected[table], (year, table)
