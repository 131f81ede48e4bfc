"""The test's start page and question page tell the truth about length and progress."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from palier.assessments import duration
from palier.assessments.models import Attempt, EngineSettings
from palier.items.models import ItemVersion

pytestmark = pytest.mark.django_db


def test_an_area_needs_the_information_its_target_asks_for_and_its_minimum():
    # 1/0.5^2 - 1/1^2 = 3 of information, 0.8 x 1/4 = 0.2 per item: 15 questions.
    assert duration.questions_needed(0.5, 1.0, 0.25, 0, 2) == 15
    assert duration.questions_needed(0.5, 0.4, 0.25, 3, 2) == 0
    assert duration.questions_needed(0.5, 0.4, 0.25, 0, 2) == 2


def test_the_estimate_of_questions_left_stays_within_the_test_bounds():
    settings = EngineSettings(min_items=10, max_items=40)
    assert duration.questions_left(settings, [12, 12, 12, 12, 12], 0) == 40
    assert duration.questions_left(settings, [1, 1], 0) == 10
    assert duration.questions_left(settings, [0, 0], 20) == 1
    assert duration.questions_left(settings, [5], 38) == 2


def test_precision_reached_is_the_share_of_information_gathered():
    assert duration.precision_reached(0.5, 1.0) == 0
    assert duration.precision_reached(0.5, 0.5) == 1
    # 1/0.6^2 - 1 = 1.78 of the 3 needed.
    assert duration.precision_reached(0.5, 0.6) == pytest.approx(0.5926, abs=1e-4)


def test_the_start_page_announces_the_length_the_settings_and_items_give(client, learner):
    EngineSettings.objects.create(
        version="t", valid_from=timezone.now(), max_items=40, min_items=10, se_target=0.55
    )
    length = duration.length_of_a_new_test(
        Attempt._meta.get_field("framework").related_model.objects.get()
    )
    assert length.runs_to_maximum and length.max_questions == 40
    page = client.get(reverse("assessments:space")).content.decode()
    assert "15 à 30 minutes" not in page
    text = re.sub(r"\s+", " ", page)
    assert f"le test compte 40 questions : comptez environ {length.minutes_high} minutes" in text
    assert length.minutes_high == -(-40 * length.seconds_per_question // 60)


def test_a_shorter_estimate_is_announced_as_a_range_of_minutes():
    settings = EngineSettings(min_items=10, max_items=40, se_target=1.0, min_items_per_area=2)

    class Snapshot:
        area_codes = ("D1", "D2")
        area_information = (0.25, 0.25)

    length = duration.announced_length(settings, Snapshot(), ["D1", "D2"], 69)
    assert (length.expected_questions, length.max_questions) == (10, 40)
    assert (length.minutes_low, length.minutes_high) == (11, 46)
    assert not length.runs_to_maximum


def test_time_per_question_is_the_median_learners_took_once_there_are_enough(learner, monkeypatch):
    from palier.assessments.services import start_attempt
    from tests.assessments.test_services import alternate, play

    assert duration.seconds_per_question(None) == duration.DEFAULT_SECONDS_PER_QUESTION
    attempt = start_attempt(learner)
    play(attempt, alternate)
    for response in attempt.responses.all():
        response.answered_at = response.shown_at + timezone.timedelta(seconds=69)
        response.save()
    count = attempt.responses.count()
    monkeypatch.setattr(duration, "MIN_OBSERVED_ANSWERS", count + 1)
    # too few answers (and no bank given): the default time
    estimated = duration.seconds_per_question(None)
    assert estimated == duration.DEFAULT_SECONDS_PER_QUESTION
    monkeypatch.setattr(duration, "MIN_OBSERVED_ANSWERS", count)
    assert duration.seconds_per_question(None) == 69


def test_the_question_page_counts_questions_left_with_plurals_and_area_names(client, learner):
    client.post(reverse("assessments:start"))
    attempt = Attempt.objects.get(user=learner)
    page = re.sub(
        r"\s+", " ", client.get(reverse("assessments:question", args=[attempt.pk])).content.decode()
    )
    assert "encore environ" not in page and "(au plus" not in page
    assert "Il reste au plus 40 questions, celle-ci comprise." in page
    # "0 question posée" in French (0 is singular), "0 questions posées" before translation
    assert "Données de santé" in page and re.search(r"0 questions? posées?", page)
    assert '<progress max="40" value="0"' in page
    attempt.current_position = 40
    attempt.save()
    page = client.get(reverse("assessments:question", args=[attempt.pk])).content.decode()
    assert "Il reste au plus 1 question, celle-ci comprise." in page


def test_a_shorter_estimate_is_shown_beside_the_maximum(client, learner):
    client.post(reverse("assessments:start"))
    attempt = Attempt.objects.get(user=learner)
    attempt.progress = {**attempt.progress, "estimated_left": 5}
    attempt.save()
    page = client.get(reverse("assessments:question", args=[attempt.pk])).content.decode()
    assert "Il reste environ 5 questions, celle-ci comprise, et au plus 40" in page


def test_the_optional_comment_says_optional_once(client, learner):
    client.post(reverse("assessments:start"))
    attempt = Attempt.objects.get(user=learner)
    page = client.get(reverse("assessments:question", args=[attempt.pk])).content.decode()
    assert "(facultatif) (facultatif)" not in re.sub(r"<[^>]+>|\s+", " ", page).replace("  ", " ")
    assert page.count("facultatif") == 1


def test_item_hints_are_in_english_on_english_pages(client, learner):
    with translation.override("en"):
        client.post(reverse("assessments:start"))
        attempt = Attempt.objects.get(user=learner)
        attempt.current_version = ItemVersion.objects.filter(format="multiple_response").first()
        attempt.save()
        page = client.get(reverse("assessments:question", args=[attempt.pk])).content.decode()
        assert "You can choose more than one answer." in page
        assert "Plusieurs réponses possibles" not in page and "(facultatif)" not in page
        # A test started in French keeps its French items; the hint says it is English.
        attempt.language = "fr"
        attempt.save()
        page = client.get(reverse("assessments:question", args=[attempt.pk])).content.decode()
        assert '<p lang="en" class="question__hint">You can choose more than one answer.' in page
        assert '<article class="question" lang="fr">' in page
