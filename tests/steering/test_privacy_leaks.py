"""Each test plays an attack that recovered a hidden figure from figures shown elsewhere
on the same page (or its report): a total minus the other lines, a difference of two shown
figures, a second equation. Each builds the smallest data that exposed it, then checks
that what is shown no longer gives the figure back."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from palier.certification.models import Centre
from palier.steering import award_queries, feedback_queries, queries
from palier.steering.aggregates import refresh
from palier.steering.award_report import report_xlsx
from palier.steering.award_services import attach_campaign, attach_module, attach_session
from palier.steering.filters import Filters
from palier.steering.years import academic_year
from tests.certification.factories import make_candidate, make_centre, make_session
from tests.factories import make_user
from tests.steering.reach_factories import certificate, small_country
from tests.steering.support import (
    complete,
    finished_attempt,
    join,
    learner,
    make_award,
    make_campaign,
    make_module,
)
from tests.steering.test_feedback_steering import give

pytestmark = pytest.mark.django_db
YEAR = academic_year(timezone.localdate())
FEEDBACK = reverse("steering_feedback:steering")


def figures(row) -> list:
    return [cell.value for cell in row.cells]


# --- 1. Feedback: a subject hidden in the summary opened on its own ---------------------


@pytest.fixture
def opinions(framework):
    """Results 50 people, certification 5, modules 200: the summary hides certification
    and its complement, results (50)."""
    give(50, subject="result", usefulness=2)
    give(5, subject="certification", usefulness=1)
    give(200, subject="module", usefulness=4)


def test_a_subject_hidden_in_the_summary_cannot_be_opened(client, opinions):
    summary = feedback_queries.summary_by_subject()
    hidden = {row.key for row in summary.rows if row.cells[0].hidden}
    assert hidden == {"result", "certification"}
    assert summary.total.cells[0].value == 255
    client.force_login(make_user(roles=("funder",)))
    # Opened alone, the results' total (50) gave certification back: 255 - 200 - 50 = 5,
    # and its mean ratings from the three means.
    for subject in ("result", "certification"):
        page = client.get(FEEDBACK, {"objet": subject})
        assert page.status_code == 400
        assert "pour être détaillé, ou ses chiffres" in page.text
        assert ">50<" not in page.text
    # Without a choice, the page opens the first subject it may show.
    page = client.get(FEEDBACK)
    assert page.status_code == 200
    assert page.context["subject"] == "module"
    assert [value for value, _label in page.context["subjects"]] == ["module"]
    assert ">50<" not in page.text and "ne peut pas être détaillé" in page.text


def test_no_subject_is_opened_when_the_summary_hides_them_all(client, framework):
    give(4, subject="result")
    give(5, subject="certification")
    give(3, subject="module")
    client.force_login(make_user(roles=("steering",)))
    page = client.get(FEEDBACK)
    assert page.status_code == 200
    assert "encore assez" in page.text and "Répartition des notes" not in page.text
    assert ">12<" in page.text  # the summary's total, from 12 people


def test_the_trend_counts_the_earlier_answers_so_its_total_tells_nothing_more(framework):
    # 12 answers this month and 3 more than a year ago: the trend's total was the 12 recent
    # ones while the other tables' total is 15, so 15 - 12 = 3 people (and their means).
    give(12, usefulness=5)
    give(3, usefulness=1, when=timezone.now() - timezone.timedelta(days=500))
    trend = feedback_queries.trend("result")
    assert trend.rows[0].key == feedback_queries.EARLIER
    assert trend.rows[0].cells[0].hidden and trend.rows[-1].cells[0].hidden
    assert trend.total.cells[0].value == 15
    assert feedback_queries.by_population("result").total.cells[0].value == 15


def test_the_mean_rating_does_not_solve_the_hidden_notes(framework):
    # Notes 1 (3 people), 4 (12), 5 (25): 1 and its complement 4 were hidden, but the
    # total (40) and the mean (4.4) gave n1 + n4 = 15 and n1 + 4 n4 = 51: n1 = 3.
    give(25, usefulness=5)
    give(12, usefulness=4)
    give(3, usefulness=1)
    mean = feedback_queries.by_population("result").total.cells[1].value
    assert mean == pytest.approx(4.4)
    table = feedback_queries.distribution("result")
    assert all(row.cells[0].hidden for row in table.rows)
    assert table.total.cells[0].value == 40


# --- 2. Gap table against the level table -------------------------------------------


def test_the_mean_gap_does_not_give_back_the_hidden_levels(framework):
    # D1 of the nurses: 3 at level 1, 1 at level 2 (both hidden), 11 at level 3, total 15,
    # target 3. The mean gap -7/15 gave -2 x n1 - n2 = -7 with n1 + n2 = 4: n1 = 3, n2 = 1.
    small_country()
    refresh([2025])
    (d1, *_others) = queries.levels(Filters(year=2025))
    (nurses,) = d1.rows
    assert [cell.hidden for cell in nurses.cells] == [True, True, False, False, False, False]
    gaps = queries.profile_gaps(Filters(year=2025))
    assert gaps.rows[0].cells[0].hidden
    assert gaps.total.cells[0].hidden


def test_a_mean_gap_is_shown_where_its_level_row_is_shown(framework):
    from tests.steering.reach_factories import at, campaign, participation
    from tests.steering.reach_factories import learner as profiled

    university = small_country()["university"]
    more = campaign(university, at(2025, 9, 1).date(), at(2026, 6, 30).date())
    # Levels 3 and 4 (target 3), beside the nurses' 11 at level 3: nothing to hide.
    for level in (3, 4):
        for _ in range(10):
            participation(profiled("medecine", "11"), more, at(2025, 9, 16), {"D1": (level, 3)})
    refresh([2025])
    gaps = {row.label: row for row in queries.profile_gaps(Filters(year=2025)).rows}
    levels = {row.label: row for row in queries.levels(Filters(year=2025))[0].rows}
    medicine = next(label for label in gaps if "decine" in label)
    assert not any(cell.hidden for cell in levels[medicine].cells)
    assert gaps[medicine].cells[0].value == pytest.approx(0.5)  # (10 x 0 + 10 x 1) / 20


# --- 3 to 5. Award page -------------------------------------------------------------


@pytest.fixture
def award(org):
    return make_award(org)


def test_the_hours_total_cannot_solve_two_hidden_modules(award, org):
    # A (2 h) 3 learners and B (5 h) 12 learners hidden; C (3 h) 20 learners shown. The two
    # totals gave nA + nB = 15 and 2 nA + 5 nB = 66: nA = 3.
    for code, hours, learners in (("a", "2", 3), ("b", "5", 12), ("c", "3", 20)):
        module = make_module(org, code=f"module-{code}", hours=hours)
        attach_module(award, module.pk)
        for _ in range(learners):
            complete(learner(), module)
    table = award_queries.hours_by_module(award, YEAR)
    assert [figures(row) for row in table.rows] == [[None, None], [None, None], [20, 60]]
    assert table.total.cells[0].value == 35
    assert table.total.cells[1].hidden


def _session(award, org, framework, enrolled: int, certified: int):
    centre = Centre.objects.filter(organisation=org).first() or make_centre(org)
    session = make_session(centre, framework, date=timezone.localdate())
    attach_session(award, session.pk)
    for number in range(enrolled):
        if number < certified:
            certificate(learner(), timezone.now(), session=session)
        else:
            make_candidate(session, learner())
    return session


def test_enrolled_minus_certified_never_describes_1_to_9_people(award, org, framework):
    # 12 enrolled and 11 certified in one session: 1 person was not certified.
    _session(award, org, framework, 12, 11)
    _session(award, org, framework, 30, 20)
    table = award_queries.certifications_by_session(award, YEAR)
    for row in [*table.rows, table.total]:
        enrolled, certified = row.cells
        if not enrolled.hidden and not certified.hidden:
            assert enrolled.value - certified.value == 0 or enrolled.value - certified.value >= 10
    assert table.rows[0].cells[1].hidden


def test_the_note_minus_the_sessions_total_never_gives_a_small_count(
    award, org, org_admin, framework
):
    # 12 certified in the award's session, and 3 of its learners certified elsewhere: the
    # note (15) minus the sessions' total (12) gave 3.
    _session(award, org, framework, 12, 12)
    campaign = make_campaign(org, org_admin)
    attach_campaign(award, campaign.pk)
    elsewhere = make_session(make_centre(), framework, date=timezone.localdate())
    for _ in range(3):
        user = learner()
        join(campaign, user)
        certificate(user, timezone.now(), session=elsewhere)
    table = award_queries.certifications_by_session(award, YEAR)
    assert "15" in table.notes[0]
    assert table.total.cells[1].hidden and table.rows[0].cells[1].hidden


def test_the_report_hides_what_the_page_hides(client, award, org, org_admin):
    for code, hours, learners in (("a", "2", 3), ("b", "5", 12), ("c", "3", 20)):
        module = make_module(org, code=f"module-{code}", hours=hours)
        attach_module(award, module.pk)
        for _ in range(learners):
            complete(learner(), module)
    client.force_login(org_admin)
    page = client.get(reverse("awards:detail", args=[award.code]))
    hours = next(t for t in page.context["tables"] if t.code == "award-hours")
    workbook = load_workbook(io.BytesIO(report_xlsx(award, YEAR, "fr")))
    sheet = [list(row) for row in workbook["award-hours"].values]
    written = {row[0]: row[1:3] for row in sheet[2:] if len(row) > 2}
    for row in [*hours.rows, hours.total]:
        assert written[row.label] == figures(row)
    assert any("moins de 10 apprenants" in str(row[0]) for row in sheet)


def test_the_award_page_hides_what_the_dashboard_hides_on_the_programme_s_line(
    client, org, org_admin, framework
):
    # Programmes A (5 reached) and B (30): the dashboard's table by programme hides A and
    # its complement B. B's own page showed 30: total - 30 = A's 5.
    from palier.steering.aggregates import refresh as refresh_year

    small = make_award(org, "projet-a", title_fr="Projet A")
    large = make_award(org, "projet-b", title_fr="Projet B")
    for award, count in ((small, 5), (large, 30)):
        campaign = make_campaign(org, org_admin, name=f"Campagne {award.code}")
        attach_campaign(award, campaign.pk)
        for _ in range(count):
            user = learner()
            join(campaign, user)
            finished_attempt(user, framework)
    refresh_year([YEAR])
    line = {row.key: row for row in queries.breakdown(Filters(year=YEAR), "programme").rows}
    touched = line[str(large.pk)].cells[-5 if len(line[str(large.pk)].cells) == 6 else -4]
    assert touched.hidden
    years = {row.key: row for row in award_queries.reach_by_year(large).rows}
    assert years[str(YEAR)].cells[1].hidden
    by_population = award_queries.year_tables(large, YEAR)[0]
    assert by_population.total.cells[1].hidden
    assert all(row.cells[1].hidden for row in by_population.rows)
    client.force_login(org_admin)
    page = client.get(reverse("awards:detail", args=[large.code]))
    assert page.status_code == 200 and ">30<" not in page.text
