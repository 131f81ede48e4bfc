"""The learner's home ("Mon espace"): where login leads, with one main action that follows
the state of the positioning test, the expected levels of the curriculum, and dates written
day-month-year on English pages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from palier.accounts.roles import Role
from palier.assessments.models import Attempt
from palier.frameworks.models import Population
from tests.factories import make_user
from tests.training.test_recommend import finished_attempt

pytestmark = pytest.mark.django_db
MY_SPACE = reverse("platform:my_space")
# Session, user, roles, profile, framework and areas, levels, targets, attempts, plan,
# campaigns, memberships: a fixed number, whatever the learner's history.
HOME_QUERIES = 20


def learner_of(population: str | None = None, **fields):
    user = make_user(**fields)
    user.profile.population = Population.objects.filter(code=population).first()
    user.profile.save()
    return user


def test_a_learner_without_a_curriculum_is_asked_to_choose_it(client, framework):
    client.force_login(learner_of())
    content = client.get(MY_SPACE).content.decode()
    assert "Choisir ma formation ou mon métier" in content
    assert "Passer mon test de positionnement" in content
    assert reverse("assessments:space") in content


def test_the_home_shows_the_expected_level_per_area_and_one_main_action(client, framework):
    client.force_login(learner_of("soins-infirmiers"))
    response = client.get(MY_SPACE)
    rows = response.context["home"].rows
    assert [row.area.code for row in rows] == ["D1", "D2", "D3", "D4", "D5"]
    assert all(row.expected for row in rows)
    content = response.content.decode()
    assert "Formation en soins infirmiers" in content
    main = content.split("<main", 1)[1].split("</main>", 1)[0]
    assert main.count('class="button') == 1  # one main action


def test_a_test_in_progress_is_resumed_from_the_home(client, framework):
    user = learner_of("soins-infirmiers")
    attempt = finished_attempt(user, framework, {"D1": 2})
    Attempt.objects.filter(pk=attempt.pk).update(status=Attempt.Status.IN_PROGRESS)
    client.force_login(user)
    content = client.get(MY_SPACE).content.decode()
    assert "Reprendre mon test" in content
    assert reverse("assessments:question", args=[attempt.pk]) in content


def test_after_a_test_the_home_compares_levels_and_leads_to_the_result(client, framework):
    user = learner_of("soins-infirmiers")
    attempt = finished_attempt(user, framework, {"D1": 4, "D2": 1})
    client.force_login(user)
    response = client.get(MY_SPACE)
    home = response.context["home"]
    assert home.compared_count == 2 and home.reached_count == 1
    content = response.content.decode()
    assert "Voir mon résultat" in content
    assert reverse("assessments:result", args=[attempt.pk]) in content
    assert "1 domaine sur 2" in content


def test_english_pages_write_dates_day_month_year(client, framework):
    user = learner_of("soins-infirmiers")
    attempt = finished_attempt(user, framework, {"D1": 3})
    finished = datetime(2026, 12, 7, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))
    Attempt.objects.filter(pk=attempt.pk).update(finished_at=finished)
    client.force_login(user)
    content = client.get("/en" + MY_SPACE).content.decode()
    assert "7 December 2026" in content
    assert "Dec. 7, 2026" not in content and "12/07/2026" not in content


def test_staff_get_links_to_their_spaces(client, framework):
    client.force_login(learner_of(roles=(Role.AUTHOR,)))
    content = client.get(MY_SPACE).content.decode()
    assert reverse("authoring:index") in content


def test_the_home_needs_a_signed_in_user(client, framework):
    response = client.get(MY_SPACE)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_home_reads_a_bounded_number_of_queries(
    client, framework, django_assert_max_num_queries
):
    user = learner_of("soins-infirmiers")
    finished_attempt(user, framework, {"D1": 3, "D2": 2})
    client.force_login(user)
    client.get(MY_SPACE)  # warm the per-process caches (framework, session)
    with django_assert_max_num_queries(HOME_QUERIES):
        assert client.get(MY_SPACE).status_code == 200
