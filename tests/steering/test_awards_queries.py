"""An award's figures on hand-made data: reach against the plan, levels from shared results
only, training hours of its modules, suppression of small counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from palier.frameworks.models import Population
from palier.steering import award_queries
from palier.steering.award_services import attach_campaign, attach_module
from palier.steering.years import academic_year
from tests.steering.support import (
    complete,
    finished_attempt,
    join,
    learner,
    make_award,
    make_campaign,
    make_module,
    plan,
)

pytestmark = pytest.mark.django_db
YEAR = academic_year(timezone.localdate())


def title(code: str) -> str:
    return Population.objects.get(code=code).title


def cells(row):
    return [cell.value for cell in row.cells]


def by_key(table):
    return {row.key: row for row in table.rows}


@pytest.fixture
def award(org):
    return make_award(org)


@pytest.fixture
def campaign(award, org, org_admin):
    campaign = make_campaign(org, org_admin)
    attach_campaign(award, campaign.pk)
    return campaign


def test_reached_learners_are_the_award_s_learners_who_were_assessed_or_trained(
    award, campaign, framework, org, org_admin
):
    plan(award, "soins-infirmiers", YEAR, 40)
    assessed = [learner() for _ in range(12)]
    for user in assessed:
        join(campaign, user)
        finished_attempt(user, framework)
    join(campaign, learner())  # joined, never tested: not reached
    outsider = learner()
    finished_attempt(outsider, framework)  # tested, but not a learner of the award
    other_campaign = make_campaign(org, org_admin, name="Hors projet")
    join(other_campaign, outsider)
    last_year = learner()
    join(campaign, last_year)
    finished_attempt(last_year, framework, timezone.now() - dt.timedelta(days=400))

    table = award_queries.reach_by_population(award, YEAR)
    nursing = table.rows[0]
    assert nursing.label == title("soins-infirmiers")
    assert cells(nursing) == [40, 12, 30]  # planned, reached, % of planned
    assert cells(table.total) == [40, 12, 30]
    years = by_key(award_queries.reach_by_year(award))
    assert cells(years[str(YEAR)]) == [40, 12, 30]
    assert cells(years["2023"])[0] == 0 and years["2023"].cells[2].value is None
    assert not years["2023"].cells[2].hidden  # nothing planned: a dash, not a hidden figure


def test_a_learner_who_completed_the_award_s_module_is_reached(award, framework, org):
    module = make_module(org)
    attach_module(award, module.pk)
    users = [learner("medecine") for _ in range(10)]
    for user in users:
        complete(user, module)
    table = award_queries.reach_by_population(award, YEAR)
    assert [(row.label, cells(row)[:2]) for row in table.rows] == [(title("medecine"), [0, 10])]
    assert table.rows[0].cells[2].value is None and not table.rows[0].cells[2].hidden
    hours = award_queries.hours_by_module(award, YEAR)
    assert cells(hours.rows[0]) == [10, 35]  # 10 learners x 3.5 h


def test_a_small_reached_count_is_hidden_with_a_complementary_cell(award, campaign, framework):
    plan(award, "soins-infirmiers", YEAR, 30)
    plan(award, "medecine", YEAR, 30)
    plan(award, "pharmacie", YEAR, 30)
    for code, count in (("soins-infirmiers", 15), ("medecine", 4), ("pharmacie", 12)):
        for _ in range(count):
            user = learner(code)
            join(campaign, user)
            finished_attempt(user, framework)
    table = award_queries.reach_by_population(award, YEAR)
    reached = {row.label: row.cells[1] for row in table.rows}
    hidden = sorted(label for label, cell in reached.items() if cell.hidden)
    # 4 learners in medicine, and the smallest other count (pharmacy, 12) with it.
    assert hidden == sorted([title("medecine"), title("pharmacie")])
    assert all(reached[label].value is None for label in hidden)
    assert cells(table.total)[1] == 31  # the total is shown (31 learners)
    rates = {row.label: row.cells[2] for row in table.rows}
    assert all(rates[label].hidden for label in hidden)  # a rate follows its count


def test_levels_come_from_shared_results_only(award, campaign, framework):
    for _ in range(10):
        join(campaign, learner(), {"D1": 3, "D2": 2})
    unshared = learner()
    join(campaign, unshared)
    finished_attempt(unshared, framework)  # a result, but not shared: never counts
    table = award_queries.levels_by_area(award, YEAR)
    rows = by_key(table)
    assert cells(rows["D1"])[2] == 10 and cells(rows["D1"])[-1] == 10
    assert cells(rows["D2"])[1] == 10
    assert cells(rows["D3"])[-1] == 0


def test_a_learner_sharing_with_two_campaigns_of_the_award_counts_once(
    award, campaign, org, org_admin
):
    second = make_campaign(org, org_admin, name="Deuxième campagne")
    attach_campaign(award, second.pk)
    users = [learner() for _ in range(10)]
    for user in users:
        join(campaign, user, {"D1": 2})
        join(second, user, {"D1": 4})
    rows = by_key(award_queries.levels_by_area(award, YEAR))
    assert cells(rows["D1"])[-1] == 10


def test_small_level_cells_are_hidden_with_a_complementary_cell(award, campaign):
    for level, count in ((2, 12), (3, 3), (4, 11)):
        for _ in range(count):
            join(campaign, learner(), {"D1": level})
    row = by_key(award_queries.levels_by_area(award, YEAR))["D1"]
    shown = [cell.value for cell in row.cells]
    assert shown[2] is None  # 3 learners at level 3
    assert sum(cell.hidden for cell in row.cells[:-1]) == 2  # plus one complementary cell
    assert shown[-1] == 26  # the row's total
