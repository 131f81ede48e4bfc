"""The result page says what matters first: level, expected level, gap, precision in words,
then what to work on (added to the plan in place), the review collapsed by area."""

import re

import pytest
from django.urls import reverse

from palier.assessments import summary
from palier.assessments.results import AreaMeasure
from palier.assessments.services import start_attempt
from palier.frameworks.models import Population, TargetLevel
from palier.training.models import PlanEntry
from palier.training.seed import load_catalogue_seed
from tests.assessments.conftest import wrong_answer
from tests.assessments.test_services import alternate, play

pytestmark = pytest.mark.django_db


def measure(level=3, probability=0.85, between=None):
    return AreaMeasure("D1", 0.0, 0.4, level, (), "fair", probability, between)


@pytest.mark.parametrize(
    ("area", "target", "sentence"),
    [
        (measure(3), 4, "Niveau 3, attendu 4 : un niveau à gagner."),
        (measure(2), 4, "Niveau 2, attendu 4 : 2 niveaux à gagner."),
        (measure(3), 3, "Niveau 3, attendu 3 : le niveau attendu est atteint."),
        (measure(4), 3, "Niveau 4, attendu 3 : au-delà du niveau attendu."),
        (measure(3), None, "Niveau 3."),
        (
            measure(2, 0.5, (2, 3)),
            3,
            "Entre le niveau 2 et le niveau 3, attendu 3 : peut-être déjà atteint, sinon un "
            "niveau à gagner.",
        ),
        (
            measure(2, 0.5, (2, 3)),
            5,
            "Entre le niveau 2 et le niveau 3, attendu 5 : 2 ou 3 niveaux à gagner.",
        ),
        (
            measure(3, 0.5, (3, 4)),
            3,
            "Entre le niveau 3 et le niveau 4, attendu 3 : le niveau attendu est atteint.",
        ),
    ],
)
def test_the_gap_to_the_expected_level_is_a_sentence(area, target, sentence):
    assert summary.gap_sentence(area, target) == sentence


def test_precision_is_said_in_words():
    assert summary.precision_words(measure(3, 0.85)) == "niveau sûr"
    assert summary.precision_words(measure(3, 0.65)) == "niveau probable"
    assert summary.precision_words(measure(2, 0.5, (2, 3))) == "entre le niveau 2 et le niveau 3"


@pytest.fixture
def finished(learner, framework):
    population = Population.objects.filter(
        pk__in=TargetLevel.objects.filter(framework=framework).values("population")
    ).first()
    learner.profile.population = population
    learner.profile.save()
    load_catalogue_seed(framework)
    attempt = start_attempt(learner, ["D1", "D2", "D3", "D4"])
    play(attempt, lambda attempt, version: wrong_answer(version))
    attempt.refresh_from_db()
    return attempt


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_result_page_gives_level_expected_level_and_gap_per_area(client, finished):
    from palier.assessments.queries import area_results
    from palier.frameworks.queries import population_targets

    targets = population_targets(finished.framework_id, finished.user.profile.population_id)
    page = client.get(reverse("assessments:result", args=[finished.pk])).content.decode()
    text = text_of(page)
    for row in area_results(finished, targets):
        assert row.target == targets[row.area.code]
        assert row.gap_sentence in text and f"attendu {row.target}" in row.gap_sentence
        assert f'id="area-{row.area.code}"' in page
    assert "Niveaux attendus pour votre formation ou votre métier" in text
    # the bars: text at its own size (no viewBox), a mark at the expected level
    assert "viewBox" not in page and page.count('class="level-bar__target"') == 4
    # no score jargon
    assert "Score obtenu" not in page and "Score attendu" not in page
    assert "Domaines non évalués lors de ce test : 5." in text


def test_competences_without_a_question_are_named_as_not_assessed(client, finished):
    page = text_of(client.get(reverse("assessments:result", args=[finished.pk])).content.decode())
    assert "non évaluée : aucune question de ce test" in page or "trop peu pour conclure" in page


def test_the_review_is_collapsed_by_area(client, finished):
    page = client.get(reverse("assessments:result", args=[finished.pk])).content.decode()
    assert page.count('<details class="review-area"') == 4
    assert page.count('class="review__feedback"') == finished.responses.count()


def test_priorities_are_three_modules_and_three_resources_at_most(client, finished):
    page = client.get(reverse("assessments:result", args=[finished.pk])).content.decode()
    assert "À travailler en priorité" in page
    start = page.index('id="priorities"')
    head = page[start : page.index('id="all-recommendations"')]
    assert 1 <= head.count('id="module-') <= 3 and head.count('id="resource-') <= 3


def test_adding_a_priority_to_the_plan_comes_back_to_its_place(client, finished):
    page = client.get(reverse("assessments:result", args=[finished.pk])).content.decode()
    code = re.search(r'id="module-([^"]+)"', page).group(1)
    url = reverse("assessments:result", args=[finished.pk])
    response = client.post(
        reverse("training:add"), {"module": code, "next": f"{url}#module-{code}"}
    )
    assert response.status_code == 302 and response["Location"] == f"{url}#module-{code}"
    assert PlanEntry.objects.filter(user=finished.user, module__code=code).exists()
    again = client.get(url).content.decode()
    block = again[again.index(f'id="module-{code}"') :]
    assert block.index("Dans votre plan de formation.") < block.index("</li>")


def test_a_learner_without_curriculum_is_asked_to_choose_it(client, learner, framework):
    attempt = start_attempt(learner, ["D1"])
    play(attempt, alternate)
    html = client.get(reverse("assessments:result", args=[attempt.pk])).content.decode()
    assert "indiquez votre formation ou votre métier dans votre profil" in text_of(html)
    assert 'class="level-bar__target"' not in html
