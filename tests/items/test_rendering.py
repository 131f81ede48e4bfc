import json

import pytest
from django.template.loader import render_to_string

from palier.items.rendering import learner_view

pytestmark = pytest.mark.django_db


def test_the_learner_view_never_contains_keys_or_feedback(bank):
    for item in bank:
        version = item.latest_version()
        shown = json.dumps(learner_view(version, seed=7).as_dict(), ensure_ascii=False)
        assert "correct" not in shown and "accepted" not in shown
        assert version.feedback_fr not in shown
        if version.format == "short_text":
            assert "MSSanté" not in shown


def test_options_are_shuffled_per_attempt_seed_and_stable_for_one_seed(bank):
    version = bank.get(code="T-0001").latest_version()
    first = [choice.id for choice in learner_view(version, seed=1).options]
    assert first == [choice.id for choice in learner_view(version, seed=1).options]
    orders = {
        tuple(choice.id for choice in learner_view(version, seed=s).options) for s in range(12)
    }
    assert len(orders) > 1


def test_the_learner_view_follows_the_language_with_french_as_fallback(bank):
    version = bank.get(code="T-0001").latest_version()
    assert learner_view(version, 0, "en").stem == "What do you do?"
    version.stem_en = ""
    assert learner_view(version, 0, "en").language == "fr"


WIDGET_MARKUP = {
    "single_choice": 'type="radio" name="answer"',
    "multiple_response": 'type="checkbox" name="answer"',
    "stimulus_choice": 'type="checkbox" name="answer"',
    "short_text": 'id="answer-text" name="answer"',
    "numeric": 'id="answer-number" name="answer"',
    "ordering": 'name="order-',
    "matching": 'name="match-',
}


def test_each_format_draws_its_own_widget_in_the_question(bank):
    drawn = {}
    for item in bank:
        view = learner_view(item.latest_version(), seed=3)
        html = render_to_string("items/_question.html", {"view": view})
        drawn[view.format] = WIDGET_MARKUP[view.format] in html
        for choice in view.options:
            assert f'"{choice.id}"' in html or f"-{choice.id}" in html
    assert drawn == dict.fromkeys(WIDGET_MARKUP, True)
