"""Dashboard reads against a direct computation on the same rows (generated participants
with a fixed seed, and small hand-built plans)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from django.utils import timezone

from palier.campaigns import overview_queries, participant_queries, queries
from palier.campaigns.generate import generate_participants
from palier.campaigns.models import (
    ExpectedLearner,
    Participation,
    SharedCompetence,
    SharedLevel,
    SharingStop,
)
from palier.campaigns.services import join_campaign, stop_sharing
from palier.frameworks.models import Population, TargetLevel
from palier.training.models import PlanEntry
from palier.training.queries import hours_per_area
from tests.factories import make_organisation, make_user
from tests.training.conftest import make_module

THRESHOLD = queries.PRIVACY_THRESHOLD


@pytest.fixture
def two_populations(framework):
    return list(Population.objects.filter(code__in=["soins-infirmiers", "medecine"]))


@pytest.fixture
def populated(campaign, two_populations):
    """80 generated participants in two populations, plus 3 in a third population (a group
    under the privacy threshold)."""
    generate_participants(campaign, 80, seed=11, populations=two_populations)
    generate_participants(
        campaign, 3, seed=12, populations=[Population.objects.get(code="maieutique")]
    )
    return campaign


def shared_rows(campaign):
    return list(Participation.objects.filter(campaign=campaign, status="shared"))


def monday(moment):
    day = timezone.localtime(moment).date()
    return day - timedelta(days=day.weekday())


# --- funnel -----------------------------------------------------------------------------


def test_funnel_counts_each_learner_at_every_stage_reached(populated):
    statuses = Counter(
        Participation.objects.filter(campaign=populated).values_list("status", flat=True)
    )
    funnel = queries.funnel(populated)
    assert funnel.expected == ExpectedLearner.objects.filter(campaign=populated).count()
    assert funnel.joined == sum(statuses.values()) == 83
    assert funnel.started == statuses["started"] + statuses["finished"] + statuses["shared"]
    assert funnel.finished == statuses["finished"] + statuses["shared"]
    assert funnel.shared == statuses["shared"]
    assert [stage.key for stage in funnel.stages] == [
        "expected",
        "joined",
        "started",
        "finished",
        "shared",
    ]
    assert max(stage.percent for stage in funnel.stages) == 100


def test_funnel_weeks_are_cumulative_counts_of_the_timestamps_per_week(populated):
    weeks = queries.funnel_weeks(populated)
    participations = list(Participation.objects.filter(campaign=populated))
    for stage, column in queries.STAGE_TIMESTAMPS.items():
        per_week = Counter(monday(getattr(p, column)) for p in participations if getattr(p, column))
        running = 0
        for week in weeks:
            running += per_week.get(week.start, 0)
            assert getattr(week, stage) == running, (stage, week.start)
        assert running == sum(per_week.values())
    starts = [week.start for week in weeks]
    assert all(start.weekday() == 0 for start in starts)
    assert all(b - a == timedelta(days=7) for a, b in pairwise(starts))
    assert weeks[-1].joined == 83


def test_a_campaign_nobody_joined_has_no_weeks(campaign):
    assert queries.funnel_weeks(campaign) == []
    assert queries.funnel(campaign).joined == 0


# --- levels -----------------------------------------------------------------------------


def test_level_distribution_and_means_match_the_shared_levels(populated):
    areas = queries.campaign_areas(populated)
    ranks, levels = queries.level_distribution(populated, areas)
    assert ranks == [1, 2, 3, 4, 5]
    rows = list(SharedLevel.objects.filter(participation__campaign=populated))
    for row in levels:
        mine = [r for r in rows if r.area == row.area.code]
        counts = Counter(r.level for r in mine)
        assert [level.count for level in row.levels] == [counts.get(rank, 0) for rank in ranks]
        assert row.learners == len(mine) == len(shared_rows(populated))
        assert row.mean.value == pytest.approx(sum(r.level for r in mine) / len(mine))
        targets = [r.target for r in mine if r.target is not None]
        assert row.target == pytest.approx(sum(targets) / len(targets))
        assert row.gap == pytest.approx(row.mean.value - row.target)


def test_target_falls_back_to_the_campaign_profile_when_snapshots_carry_none(campaign):
    generate_participants(campaign, 30, seed=5)
    SharedLevel.objects.filter(participation__campaign=campaign).update(target=None)
    profile = dict(
        TargetLevel.objects.filter(population=campaign.target_population).values_list(
            "area__code", "level_rank"
        )
    )
    _ranks, levels = queries.level_distribution(campaign, queries.campaign_areas(campaign))
    assert [row.target for row in levels] == [profile[row.area.code] for row in levels]


# --- breakdowns and heat map ------------------------------------------------------------


def test_breakdowns_by_population_and_year_match_a_direct_computation(populated):
    areas = queries.campaign_areas(populated)
    by_population, by_year = queries.breakdowns(populated, areas)
    shared = shared_rows(populated)
    levels = defaultdict(dict)
    for row in SharedLevel.objects.filter(participation__campaign=populated):
        levels[row.participation_id][row.area] = row.level
    for rows, attribute in ((by_population, "population_code"), (by_year, "year_of_study")):
        groups = defaultdict(list)
        for participation in shared:
            groups[str(getattr(participation, attribute))].append(participation)
        assert {row.key: row.learners for row in rows} == {k: len(v) for k, v in groups.items()}
        for row in rows:
            members = groups[row.key]
            for area, mean in zip(areas, row.means, strict=True):
                if len(members) < THRESHOLD:
                    assert mean.value is None and mean.hidden
                else:
                    expected = sum(levels[p.pk][area.code] for p in members) / len(members)
                    assert mean.value == pytest.approx(expected)
    titles = {row.key: row.label for row in by_population}
    assert titles["medecine"] == Population.objects.get(code="medecine").title
    assert {row.label for row in by_year} <= {"1re année", "2e année", "3e année"}


@pytest.mark.parametrize("dimension", ["population", "year"])
def test_gap_heat_map_cells_are_the_share_of_shared_learners_with_a_gap(populated, dimension):
    areas = queries.campaign_areas(populated)
    by_population, by_year = queries.breakdowns(populated, areas)
    columns = by_population if dimension == "population" else by_year
    competences = queries.campaign_competences(populated)
    heat_map = queries.gap_heat_map(populated, dimension, columns, competences)
    attribute = queries.DIMENSIONS[dimension]
    group_of = {p.pk: str(getattr(p, attribute)) for p in shared_rows(populated)}
    gaps = Counter(
        (signal.competence, group_of[signal.participation_id])
        for signal in SharedCompetence.objects.filter(participation__campaign=populated, kind="gap")
    )
    sizes = Counter(group_of.values())
    assert [row.competence.code for row in heat_map.rows] == [c.code for c in competences]
    assert len(heat_map.rows) == 20
    checked = 0
    for row in heat_map.rows:
        for column, cell in zip(heat_map.columns, row.cells, strict=True):
            assert cell.learners == sizes[column.key]
            if sizes[column.key] < THRESHOLD:
                assert cell.hidden and cell.count is None and cell.percent is None
            else:
                count = gaps.get((row.competence.code, column.key), 0)
                assert cell.count == count
                assert cell.percent == round(100 * count / sizes[column.key])
                checked += 1
    assert checked >= 20


def test_heat_map_shade_follows_the_share_by_steps_of_ten_percent():
    assert [queries.Share.of(n, 100).band for n in (0, 9, 10, 25, 39, 40, 100)] == [
        0,
        0,
        1,
        2,
        3,
        4,
        4,
    ]


def test_means_and_shares_from_fewer_than_five_learners_are_hidden():
    assert queries.Mean.of(12, 4) == queries.Mean(None, 4)
    assert queries.Mean.of(12, 4).hidden
    assert queries.Mean.of(15, 5) == queries.Mean(3.0, 5)
    assert not queries.Mean.of(0, 0).hidden
    assert queries.Share.of(2, 4).count is None
    assert queries.Share.of(2, 5).percent == 40


def test_the_small_group_is_hidden_everywhere_on_the_dashboard(populated):
    data = queries.campaign_dashboard(populated)
    small = next(row for row in data.populations if row.key == "maieutique")
    assert 0 < small.learners < THRESHOLD
    assert all(mean.hidden and mean.value is None for mean in small.means)
    column = [c.key for c in data.heat_map.columns].index("maieutique")
    assert all(row.cells[column].count is None for row in data.heat_map.rows)


# --- shared learning plans --------------------------------------------------------------


@pytest.fixture
def plans(populated, framework):
    """Modules on D1 only, on D1 and D2 together, and on D5; plans for every shared
    participant, whether they share their plan or not."""
    provider = make_organisation("Organisme de formation", slug="of-test")
    modules = [
        make_module("donnees", provider, ["D1.C1.1"], hours=4),
        make_module("donnees-securite", provider, ["D1.C2.1", "D2.C2.1"], hours=3),
        make_module("telesante-x", provider, ["D5.C1.1"], hours=6),
    ]
    entries = []
    for index, participation in enumerate(shared_rows(populated)):
        for offset, module in enumerate(modules):
            if (index + offset) % 3 == 2:
                continue
            progress = ["planned", "started", "completed"][(index + 2 * offset) % 3]
            entries.append(
                PlanEntry(user_id=participation.user_id, module=module, progress=progress)
            )
    PlanEntry.objects.bulk_create(entries)
    return modules


def expected_plan_totals(campaign, framework, users):
    planned, done, completed, learners = (
        defaultdict(Decimal),
        defaultdict(Decimal),
        Counter(),
        Counter(),
    )
    for user in users:
        for row in hours_per_area(user, framework):
            planned[row.area.code] += row.planned
            done[row.area.code] += row.done
        codes = set()
        for entry in PlanEntry.objects.filter(user=user).select_related("module"):
            areas = {c.competence.area.code for c in entry.module.capacities.all()}
            codes |= areas
            if entry.progress == "completed":
                for code in areas:
                    completed[code] += 1
        for code in codes:
            learners[code] += 1
    return planned, done, completed, learners


def test_plan_aggregates_sum_the_shared_plans_as_the_learners_plan_page_does(
    populated, plans, framework
):
    sharers = [
        p.user
        for p in Participation.objects.filter(campaign=populated, plan_shared=True).select_related(
            "user"
        )
    ]
    assert len(sharers) >= THRESHOLD
    planned, done, completed, learners = expected_plan_totals(populated, framework, sharers)
    aggregates = queries.plan_aggregates(populated, queries.campaign_areas(populated))
    assert aggregates.learners == len(sharers)
    by_code = {row.area.code: row for row in aggregates.areas}
    assert by_code["D3"].learners == 0 and by_code["D3"].planned == 0
    for code in ("D1", "D2", "D5"):
        row = by_code[code]
        assert row.learners == learners[code]
        if learners[code] < THRESHOLD:
            assert row.hidden and row.planned is None
            continue
        # hours_per_area rounds each learner's total; the aggregate rounds the sum once.
        assert row.planned == pytest.approx(planned[code], abs=Decimal("0.05") * len(sharers))
        assert row.done == pytest.approx(done[code], abs=Decimal("0.05") * len(sharers))
        assert row.modules_completed == completed[code]
    assert by_code["D1"].planned > 0 and by_code["D2"].planned > 0


def test_plans_of_learners_who_stopped_sharing_or_kept_their_plan_are_left_out(
    populated, plans, framework
):
    sharing = list(Participation.objects.filter(campaign=populated, plan_shared=True))
    stop_sharing(sharing[0].user, populated.organisation)
    # A stop recorded without touching the flag (e.g. an older participation) counts too.
    SharingStop.objects.create(user=sharing[1].user, organisation=populated.organisation)
    kept = [p.user for p in sharing[2:]]
    planned, _done, _completed, _learners = expected_plan_totals(populated, framework, kept)
    aggregates = queries.plan_aggregates(populated, queries.campaign_areas(populated))
    assert aggregates.learners == len(kept)
    d1 = next(row for row in aggregates.areas if row.area.code == "D1")
    assert d1.planned == pytest.approx(planned["D1"], abs=Decimal("0.05") * len(kept))


@pytest.mark.parametrize(("sharers", "hidden"), [(4, True), (5, False)])
def test_plan_totals_need_five_learners(campaign, framework, sharers, hidden):
    generate_participants(campaign, 40, seed=2)
    shared = list(Participation.objects.filter(campaign=campaign, status="shared"))
    Participation.objects.filter(campaign=campaign).update(plan_shared=False)
    Participation.objects.filter(pk__in=[p.pk for p in shared[:sharers]]).update(plan_shared=True)
    provider = make_organisation("OF", slug="of-seuil")
    module = make_module("seuil", provider, ["D1.C1.1"], hours=2)
    PlanEntry.objects.bulk_create(
        PlanEntry(user_id=p.user_id, module=module, progress="completed") for p in shared
    )
    aggregates = queries.plan_aggregates(campaign, queries.campaign_areas(campaign))
    d1 = next(row for row in aggregates.areas if row.area.code == "D1")
    assert aggregates.hidden is hidden
    assert d1.hidden is hidden
    if hidden:
        assert (d1.planned, d1.done, d1.modules_completed) == (None, None, None)
    else:
        assert (d1.planned, d1.done, d1.modules_completed) == (Decimal("10.0"), Decimal("10.0"), 5)


# --- participants -----------------------------------------------------------------------


def test_participants_page_filters_by_status_and_shows_levels_only_when_shared(populated):
    page = participant_queries.participants_page(populated)
    assert page.page.paginator.count == 83
    assert len(page.rows) == participant_queries.PARTICIPANTS_PER_PAGE
    levels = defaultdict(dict)
    for row in SharedLevel.objects.filter(participation__campaign=populated):
        levels[row.participation_id][row.area] = row.level
    for row in page.rows:
        if row.participation.status == "shared":
            assert row.levels == [levels[row.participation.pk][a.code] for a in page.areas]
            assert len(row.signals) == len(page.competences)
        else:
            assert row.levels == [] and row.signals == []
    second = participant_queries.participants_page(populated, page=2)
    assert len(second.rows) == 83 - participant_queries.PARTICIPANTS_PER_PAGE
    started = participant_queries.participants_page(
        populated, participant_queries.ParticipantFilters(status="started")
    )
    assert {row.participation.status for row in started.rows} == {"started"}
    assert (
        started.page.paginator.count
        == Participation.objects.filter(campaign=populated, status="started").count()
    )


@pytest.mark.parametrize("page", ["abc", "-1", "0", "999", "", None])
def test_a_page_out_of_range_falls_back_to_a_real_page(populated, page):
    result = participant_queries.participants_page(populated, page=page, expected_page=page)
    assert result.page.number in (1, result.page.paginator.num_pages)
    assert result.rows


def test_expected_learners_match_participants_by_email_whatever_the_case(campaign):
    learner = make_user("camille.martin@example.org")
    join_campaign(learner, campaign)
    ExpectedLearner.objects.create(campaign=campaign, email="Camille.Martin@Example.ORG")
    ExpectedLearner.objects.create(campaign=campaign, email="absent@example.org")
    page = participant_queries.participants_page(campaign)
    assert page.expected == 2
    assert page.expected_joined == 1
    assert [learner.email for learner in page.not_joined] == ["absent@example.org"]


def test_generated_coverage_counts_the_expected_who_never_joined(populated):
    page = participant_queries.participants_page(populated)
    missing = ExpectedLearner.objects.filter(campaign=populated, email__startswith="attendu-")
    assert page.not_joined.paginator.count == missing.count() > 0
    assert page.expected_joined == page.expected - missing.count()


# --- one participant --------------------------------------------------------------------


def test_participant_detail_reads_the_frozen_snapshot(populated):
    participation = shared_rows(populated)[0]
    SharedLevel.objects.filter(participation=participation).update(level=1)  # not read
    detail = participant_queries.participant_detail(populated, participation)
    snapshot = participation.snapshot
    assert detail.shared
    assert {row.code: row.level for row in detail.areas} == {
        code: value["level"] for code, value in snapshot["areas"].items()
    }
    assert [row.area.number for row in detail.areas] == [1, 2, 3, 4, 5]
    assert {row.code: row.kind for row in detail.signals} == snapshot["competences"]
    assert all(row.competence is not None for row in detail.signals)


def test_an_unshared_participant_shows_no_result(populated):
    participation = Participation.objects.filter(campaign=populated, status="finished").first()
    detail = participant_queries.participant_detail(populated, participation)
    assert not detail.shared
    assert detail.areas == [] and detail.signals == [] and detail.snapshot == {}


# --- organisation overview --------------------------------------------------------------


def test_overview_groups_campaigns_by_year_with_their_totals(org, make_campaign, framework):
    this_year = make_campaign(name="Rentrée")
    this_year_2 = make_campaign(name="Deuxième année")
    last_year = make_campaign(
        name="L'an dernier",
        opens_on=date(this_year.opens_on.year - 1, 9, 1),
        closes_on=date(this_year.opens_on.year - 1, 10, 15),
    )
    generate_participants(this_year, 30, seed=1)
    generate_participants(this_year_2, 3, seed=2)
    generate_participants(last_year, 25, seed=3)
    other = make_organisation("Autre", slug="autre")
    make_campaign(organisation=other, name="Ailleurs")
    overview = overview_queries.organisation_overview(org)
    assert [year.year for year in overview.years] == [
        this_year.opens_on.year,
        this_year.opens_on.year - 1,
    ]
    assert [area.code for area in overview.areas] == ["D1", "D2", "D3", "D4", "D5"]
    current = overview.years[0]
    assert {row.campaign.name for row in current.campaigns} == {"Rentrée", "Deuxième année"}
    for row in current.campaigns + overview.years[1].campaigns:
        participations = Participation.objects.filter(campaign=row.campaign)
        assert row.summary.joined == participations.count()
        finished = participations.filter(status__in=["finished", "shared"])
        assert row.summary.finished == finished.count()
        assert row.summary.shared == participations.filter(status="shared").count()
        assert row.summary.expected == ExpectedLearner.objects.filter(campaign=row.campaign).count()
        levels = SharedLevel.objects.filter(participation__campaign=row.campaign, area="D1")
        if row.summary.shared < THRESHOLD:
            assert row.summary.means[0].hidden
        else:
            values = [lv.level for lv in levels]
            assert row.summary.means[0].value == pytest.approx(sum(values) / len(values))
    assert current.summary.joined == 33
    year_levels = [
        lv.level
        for lv in SharedLevel.objects.filter(
            participation__campaign__in=[this_year, this_year_2], area="D3"
        )
    ]
    assert current.summary.means[2].value == pytest.approx(sum(year_levels) / len(year_levels))
