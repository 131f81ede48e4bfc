"""What steering sees of the opinions: aggregates with small groups hidden (and a second
figure when the first could be recovered from the total), comments only by month of 10
people or more, stripped of personal data, never an author; learners are refused."""

import datetime as dt
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone

from palier.frameworks.models import Population
from palier.steering import feedback_queries
from palier.steering.models import Feedback
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PAGE = reverse("steering_feedback:steering")
_refs = count(1)


def give(people, subject="result", when=None, comment="", population=None, status="", **ratings):
    """`people` new persons each give one opinion."""
    rows = []
    for _ in range(people):
        user = make_user(first_name="Gaspard", last_name="Villeneuve")
        rows.append(
            Feedback(
                user=user,
                subject=subject,
                subject_ref=str(next(_refs)),
                usefulness=ratings.get("usefulness", 4),
                difficulty=ratings.get("difficulty", 3),
                clarity=ratings.get("clarity", 5),
                comment=comment,
                population=population,
                status=status,
            )
        )
    created = Feedback.objects.bulk_create(rows)
    if when is not None:
        Feedback.objects.filter(pk__in=[row.pk for row in created]).update(created_at=when)
    return created


def values(table, column=0):
    return {row.key: row.cells[column].value for row in table.rows}


def test_a_rating_given_by_fewer_than_10_people_is_hidden_with_a_second_one(framework):
    give(25, usefulness=5)
    give(12, usefulness=4)
    give(3, usefulness=1)
    table = feedback_queries.distribution("result")
    usefulness = values(table, 0)
    # 3 people gave 1: hidden, and the whole column with it (a second hidden count could
    # be recovered with the total, 40, and the mean rating shown beside the totals).
    assert usefulness == {"1": None, "2": None, "3": None, "4": None, "5": None}
    assert table.total.cells[0].value == 40
    assert values(table, 1) == {"1": 0, "2": 0, "3": 40, "4": 0, "5": 0}  # difficulty


def test_means_and_counts_by_population_follow_the_rule(framework):
    nurses = Population.objects.get(code="soins-infirmiers")
    give(15, population=nurses, usefulness=2)
    give(4, population=None, usefulness=5)
    table = feedback_queries.by_population("result")
    rows = {row.key: row for row in table.rows}
    # Only two lines: the small one is hidden, so the other is hidden too (total shown).
    assert rows["soins-infirmiers"].cells[0].value is None
    assert rows["none"].cells[0].value is None
    assert rows["none"].cells[1].value is None
    assert table.total.cells[0].value == 19


def test_the_trend_counts_each_month_and_hides_small_months(framework):
    now = timezone.now()
    last_month = now - dt.timedelta(days=40)
    give(20, when=now, usefulness=4)
    give(11, when=last_month, usefulness=2)
    give(2, when=now - dt.timedelta(days=100))
    table = feedback_queries.trend("result")
    # The twelve months after a row of the earlier answers (none here).
    assert len(table.rows) == feedback_queries.TREND_MONTHS + 1
    assert table.rows[0].cells[0].value == 0
    counts = [row.cells[0].value for row in table.rows]
    assert counts[-1] == 20
    assert counts.count(None) == 2  # the month of 2, and the smallest other (11)
    assert table.rows[-1].cells[1].value == 4.0


def test_comments_are_shown_only_for_a_month_of_10_people_stripped_and_without_author(
    client, framework
):
    give(9, comment="Trop court, écrivez à gaspard.villeneuve@exemple.fr")
    steering = make_user(roles=("steering",))
    client.force_login(steering)
    page = client.get(PAGE)
    assert "Trop court" not in page.text
    give(1, comment="Gaspard Villeneuve au 06 12 34 56 78 : module utile")
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Trop court, écrivez à […]" in page.text
    assert "[…] […] au […] : module utile" in page.text
    for personal in ("Gaspard", "Villeneuve", "@exemple.fr", "06 12"):
        assert personal not in page.text


def test_comments_come_in_a_fixed_order_that_is_not_the_order_of_answers(framework):
    rows = []
    for number in range(12):
        rows += give(1, comment=f"commentaire {number:02d}")
    month = feedback_queries.comment_months("result")[0]
    first = feedback_queries.comments("result", month)
    assert first == feedback_queries.comments("result", month)
    assert sorted(first) == [f"commentaire {n:02d}" for n in range(12)]
    assert first != sorted(first) and first != sorted(first, reverse=True)


def test_a_month_with_fewer_than_10_people_is_not_listed(client, framework):
    give(12, when=timezone.now() - dt.timedelta(days=62), comment="ancien")
    give(3, comment="récent")
    client.force_login(make_user(roles=("administrator",)))
    page = client.get(PAGE)
    assert "ancien" in page.text and "récent" not in page.text
    month = timezone.localdate().strftime("%Y-%m")
    assert "récent" not in client.get(PAGE, {"mois": month}).text


@pytest.mark.parametrize("role", ["steering", "administrator", "funder"])
def test_steering_administrators_and_funders_read_the_page(client, framework, role):
    give(10)
    client.force_login(make_user(roles=(role,)))
    for subject in ("result", "certification", "module"):
        page = client.get(PAGE, {"objet": subject})
        assert page.status_code == 200
        assert "Répartition des notes" in page.text


def test_learners_are_refused_and_anonymous_people_sent_to_log_in(client, framework):
    assert client.get(PAGE).status_code == 302
    client.force_login(make_user())
    assert client.get(PAGE).status_code == 403
    assert client.get(reverse("steering_feedback:proposals")).status_code == 403


def test_an_unknown_filter_is_a_400_with_the_error(client, framework):
    client.force_login(make_user(roles=("steering",)))
    assert client.get(PAGE, {"objet": "avis"}).status_code == 400
    response = client.get(PAGE, {"mois": "2026-13"})
    assert response.status_code == 400
    assert "AAAA-MM" in response.text


def test_the_page_reads_a_bounded_number_of_queries(
    client, framework, django_assert_max_num_queries
):
    nurses = Population.objects.get(code="soins-infirmiers")
    give(30, population=nurses, status="student", comment="bien")
    client.force_login(make_user(roles=("steering",)))
    with django_assert_max_num_queries(20):
        client.get(PAGE)
