"""The dashboard's reads on a small country: breakdowns with complementary suppression,
every region shown, levels and gaps from shared results, the headline against a target,
the filters, and a bounded number of queries."""

import datetime as dt
from decimal import Decimal

import pytest

from palier.accounts.choices import Region
from palier.frameworks.models import Population
from palier.steering import queries
from palier.steering.aggregates import refresh
from palier.steering.filters import FilterError, Filters, parse
from palier.steering.models import Enrolment, NationalTotal, Target
from palier.training.models import PlanEntry
from tests.steering.reach_factories import small_country

pytestmark = pytest.mark.django_db

YEAR = Filters(year=2025)


@pytest.fixture
def country(framework):
    country = small_country()
    refresh([2025])
    return country


def enrol(organisation, population, learners: int) -> Enrolment:
    return Enrolment.objects.create(
        organisation=organisation,
        population=population,
        year_of_study=1,
        academic_year=2025,
        learners=learners,
        source="form",
    )


def values(row) -> list:
    return [cell.value for cell in row.cells]


def test_an_institution_under_10_is_hidden_with_its_complement(country):
    table = queries.breakdown(YEAR, "institution")
    rows = {row.label: row for row in table.rows}
    assert set(rows) == {"Université Alpha", "IFSI Beta"}
    # Reached: 12 and 4; 4 is small, so 12 is hidden too (else 16 - 12 gives it away).
    assert rows["IFSI Beta"].cells[1].hidden
    assert rows["Université Alpha"].cells[1].hidden
    assert table.total.cells[1].value == 16
    assert table.code == "etablissements"


def test_every_region_is_a_row_even_at_zero(country):
    table = queries.breakdown(YEAR, "region")
    assert [row.key for row in table.rows] == [code for code, _label in Region.choices] + ["none"]
    by_key = {row.key: row for row in table.rows}
    assert by_key["06"].cells[1].value == 0  # Mayotte: zero is shown
    # Île-de-France 12 shown; Bretagne 3 and the learner without a region (1) hidden.
    assert by_key["11"].cells[1].value == 12
    assert by_key["53"].cells[1].hidden and by_key["none"].cells[1].hidden


def test_the_population_breakdown_reads_enrolments_then_national_totals(country):
    nurses = Population.objects.get(code="soins-infirmiers")
    enrol(country["university"], nurses, 40)
    other = Population.objects.exclude(pk=nurses.pk).first()
    NationalTotal.objects.create(
        population=other,
        academic_year=2025,
        learners=500,
        source="Test",
        source_date=dt.date(2025, 1, 1),
    )
    NationalTotal.objects.create(
        population=nurses,
        academic_year=2025,
        learners=9000,
        source="Test",
        source_date=dt.date(2025, 1, 1),
    )
    table = queries.breakdown(YEAR, "population")
    rows = {row.key: row for row in table.rows}
    # Institutions' figures first: the national total of nurses is not used.
    assert values(rows[str(nurses.pk)])[0] == 40
    assert values(rows[str(other.pk)])[0] == 500
    # 15 nurses reached would give away the learner without a population (16 - 15).
    assert rows["none"].cells[1].hidden and rows[str(nurses.pk)].cells[1].hidden
    assert rows[str(nurses.pk)].cells[2].hidden
    # The total's % counts the nurses only (15 / 40): shown, it would give them away too.
    assert table.total.cells[1].value == 16
    assert table.total.cells[2].hidden
    assert table.total.cells[0].value == 540


def test_levels_and_gaps_come_from_shared_results(country):
    (d1, *_others) = queries.levels(YEAR)
    assert d1.code == "niveaux-D1"
    nurses = Population.objects.get(code="soins-infirmiers")
    (row,) = d1.rows  # the learner without a profile shared nothing
    assert row.key == str(nurses.pk)
    # Level 1: 3, level 2: 1 (the learner of two institutions, latest share), level 3: 11.
    assert [cell.value for cell in row.cells[:3]] == [None, None, 11]
    assert row.cells[-1].value == 15
    gaps = queries.profile_gaps(YEAR)
    # The mean gap would give the hidden levels back (tests/steering/test_privacy_leaks.py).
    assert gaps.total.cells[0].hidden and gaps.rows[0].cells[0].hidden
    assert gaps.total.cells[1].absent  # nobody shared a level in D2


def share_target() -> Target:
    return Target.objects.create(
        code="etudiants-60",
        title_fr="60 % des étudiants en santé touchés",
        indicator="reached",
        population_kinds=["higher_education", "vocational"],
        kind="share",
        value=Decimal("60"),
        year=2025,
        source="Test",
    )


def test_a_headline_figure_is_hidden_when_the_learners_it_leaves_out_are_few(country):
    # The target counts nurses (15 reached); the one reached learner without a population
    # would be the breakdown's total (16) minus the headline's figure.
    enrol(country["university"], Population.objects.get(code="soins-infirmiers"), 20)
    share_target()
    (share,) = queries.headline(YEAR)
    assert share.actual.hidden


def test_the_headline_compares_a_share_target_with_its_trajectory(country):
    PlanEntry.objects.filter(user=country["anonymous"]).delete()
    refresh([2025])
    nurses = Population.objects.get(code="soins-infirmiers")
    enrol(country["university"], nurses, 20)
    Target.objects.create(
        code="etudiants-60",
        title_fr="60 % des étudiants en santé touchés",
        indicator="reached",
        population_kinds=["higher_education", "vocational"],
        kind="share",
        value=Decimal("60"),
        year=2025,
        source="Test",
    )
    Target.objects.create(
        code="etudiants-70000",
        title_fr="70 000 étudiants en santé par an",
        indicator="reached",
        population_kinds=["higher_education"],
        kind="count",
        value=Decimal("70000"),
        year=2024,
        yearly=True,
        source="Test",
    )
    count, share = queries.headline(YEAR)  # by target year
    assert share.actual.value == 75.0  # 15 nurses reached of 20 enrolled
    assert share.status == "reached"
    assert share.sentence.startswith("Atteint")
    assert share.trajectory == ((2025, share.actual),)
    assert count.actual.value == 15
    assert count.status == "behind"
    assert count.sentence == "En retard : la cible de 70\xa0000 pour 2024-2025 n'est pas atteinte."


def test_each_read_runs_a_bounded_number_of_queries(country, django_assert_max_num_queries):
    for by in queries.BREAKDOWNS:
        with django_assert_max_num_queries(5):
            queries.breakdown(YEAR, by)
    with django_assert_max_num_queries(4):
        queries.levels(YEAR)
    with django_assert_max_num_queries(4):
        queries.profile_gaps(YEAR)
    with django_assert_max_num_queries(5):
        queries.programmes(YEAR)
    with django_assert_max_num_queries(7):
        queries.headline(YEAR)
    with django_assert_max_num_queries(1):
        assert queries.refreshed_at(YEAR) is not None
    with django_assert_max_num_queries(1):
        assert queries.demo_in_scope(YEAR) is False


def test_a_demo_institution_with_learners_marks_the_figures_as_demo(country):
    country["institute"].is_demo = True
    country["institute"].save(update_fields=["is_demo"])
    assert queries.demo_in_scope(YEAR)
    assert not queries.demo_in_scope(Filters(year=2024))


def test_filters_come_from_french_url_parameters_and_refuse_unknown_values(country):
    # 2024: a year without learners, so that no group is refused as too small.
    filters = parse({"annee": "2024", "public": "soins-infirmiers", "region": "11"})
    assert filters.year == 2024 and filters.population.code == "soins-infirmiers"
    assert filters.params() == {"annee": "2024", "public": "soins-infirmiers", "region": "11"}
    for bad in ({"annee": "1999"}, {"region": "99"}, {"public": "astronautes"}, {"type": "x"}):
        with pytest.raises(FilterError):
            parse(bad)
    with pytest.raises(FilterError):
        parse({"etablissement": "univ-alpha", "type": "health_institute"})


def test_a_programme_counts_its_campaigns_learners_against_its_plan(framework):
    from palier.steering.models import Award, AwardCampaign, FundingCall, PlannedLearners

    country = small_country()
    call = FundingCall.objects.create(
        code="cma",
        title_fr="Appel d'essai",
        budget_euros=1000,
        opens_on=dt.date(2023, 1, 1),
        closes_on=dt.date(2023, 6, 1),
    )
    award = Award.objects.create(
        call=call,
        code="alpha",
        title_fr="Programme Alpha",
        organisation=country["university"],
        amount_euros=100,
        starts_on=dt.date(2023, 9, 1),
        ends_on=dt.date(2028, 8, 31),
    )
    PlannedLearners.objects.create(
        award=award,
        population=Population.objects.get(code="soins-infirmiers"),
        academic_year=2025,
        learners=30,
    )
    AwardCampaign.objects.create(award=award, campaign=country["campaigns"][0])
    refresh([2025])
    (row,) = queries.programmes(YEAR).rows
    assert row.label == "Programme Alpha — Université Alpha"
    assert values(row) == [30, 12, 40.0]
    by_programme = {row.key: row for row in queries.breakdown(YEAR, "programme").rows}
    # 12 in the programme, 4 outside it: 4 is hidden, and 12 with it.
    assert by_programme[str(award.pk)].cells[1].hidden
    assert by_programme["none"].cells[1].hidden
    assert by_programme[str(award.pk)].cells[0].value == 30
    only = queries.breakdown(Filters(year=2025, programme=award), "population")
    assert only.total.cells[1].value == 12
    # ...which is why the page refuses that filter: 16 - 12 would give the hidden 4 away.
    with pytest.raises(FilterError):
        parse({"annee": "2025", "programme": "alpha"})


def test_a_filter_on_a_hidden_group_is_refused_so_its_total_cannot_give_a_cell_away(country):
    # The institution table hides IFSI Beta (4) and its complement Université Alpha (12)
    # under a shown total of 16: Alpha's own page would show 12, so 16 - 12 = 4.
    for hidden in (
        {"annee": "2025", "etablissement": "univ-alpha"},
        {"annee": "2025", "etablissement": "ifsi-beta"},
    ):
        with pytest.raises(FilterError) as refused:
            parse(hidden)
        assert "trop peu d'apprenants" in str(refused.value)
