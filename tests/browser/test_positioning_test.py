import re

import pytest
from django.urls import reverse
from django.utils import translation

from palier.assessments.models import Attempt
from palier.assessments.services import start_attempt
from palier.items.models import Calibration, ItemVersion
from tests.assessments.test_pages import form_data
from tests.assessments.test_services import alternate, play
from tests.browser.conftest import assert_accessible, sign_in, sign_up
from tests.factories import make_user
from tests.support.seeds import load_item_seed

PHONE = {"width": 390, "height": 844}
# The level sentence, reported alone or "between" (narrow no-break space before % in French).
LEVEL_SENTENCE = {
    "fr": re.compile(
        r"^(Niveau \d, avec \d+\u202f% de chances que ce soit bien votre niveau\."
        r"|Entre le niveau \d et le niveau \d : vos réponses ne permettent pas de trancher "
        r"\(niveau \d : \d+\u202f%, niveau \d : \d+\u202f%\)\.)$"
    ),
    "en": re.compile(
        r"^(Level \d, with a \d+% chance that this is your level\."
        r"|Between level \d and level \d: your answers cannot settle which "
        r"\(level \d: \d+%, level \d: \d+%\)\.)$"
    ),
}
SYNTHETIC = {
    "fr": "Calibration de démonstration, estimée sur des données simulées",
    "en": "Demonstration calibration, estimated on simulated data",
}

pytestmark = pytest.mark.django_db(transaction=True)


def answer_in_the_page(page, version, position) -> None:
    data = form_data(version, position)
    if version.format in ("single_choice",):
        page.locator(f"label[for=choice-{data['answer']}]").click()
    elif version.format in ("multiple_response", "stimulus_choice"):
        for option in data["answer"]:
            page.locator(f"label[for=choice-{option}]").click()
    elif version.format in ("short_text", "numeric"):
        page.locator("input[name=answer]").fill(str(data["answer"]))
    else:
        for name, value in data.items():
            if name != "position":
                page.locator(f"select[name='{name}']").select_option(value)
    page.get_by_role("button", name="Valider ma réponse").click()


def test_a_new_learner_signs_up_takes_resumes_and_finishes_a_test(
    page, live_server, theme, framework, run_tasks
):
    load_item_seed(framework)
    sign_up(page, live_server, run_tasks, f"camille.{theme}@example.org")
    page.goto(f"{live_server.url}/positionnement/")
    assert_accessible(page)
    page.get_by_role("button", name="Commencer le test").click()
    page.wait_for_url("**/positionnement/*/")
    attempt = Attempt.objects.get()
    seen_formats = set()
    for _ in range(60):
        attempt.refresh_from_db()
        if attempt.is_finished:
            break
        if attempt.current_position == 3:
            shown = page.locator("legend").inner_text()
            page.reload()
            assert page.locator("legend").inner_text() == shown  # resumed, same question
        version = attempt.current_version
        if attempt.current_position == 1:
            assert page.get_by_text(
                "Il reste au plus 40 questions, celle-ci comprise."
            ).is_visible()
            page.get_by_text("Où en est chaque domaine").click()
            assert page.get_by_text("1. Données de santé").is_visible()
        if version.format not in seen_formats:
            seen_formats.add(version.format)
            assert_accessible(page)
        answer_in_the_page(page, version, attempt.current_position)
        page.wait_for_load_state()
    page.wait_for_url("**/resultat/")
    assert page.get_by_role("heading", name="Mon niveau par domaine").is_visible()
    assert page.locator(".level-card__gap").count() == 5
    page.locator(".result-table > summary").click()
    sentences = page.locator(".result-table td:last-child").all_inner_texts()
    assert len(sentences) == 5 and all(LEVEL_SENTENCE["fr"].match(s) for s in sentences)
    assert_accessible(page)


# Each language in one theme (the pairs cover both themes and both languages).
@pytest.mark.parametrize(
    ("theme", "language"), [("dsfr", "fr"), ("neutral", "en")], indirect=["theme"]
)
def test_a_phone_shows_each_level_with_its_probability_and_the_synthetic_notice(
    page, live_server, theme, framework, language
):
    load_item_seed(framework)
    learner = make_user("nour@example.org")
    attempt = start_attempt(learner, ["D1", "D2", "D3"], seed=3)
    play(attempt, alternate)
    Calibration.objects.filter(pk=attempt.calibration_id).update(synthetic=True)
    sign_in(page, live_server, "nour@example.org")
    page.set_viewport_size(PHONE)
    with translation.override(language):
        page.goto(live_server.url + reverse("assessments:result", args=[attempt.pk]))
    assert page.locator(".level-card__gap").count() == 3
    page.locator(".result-table > summary").click()
    sentences = page.locator(".result-table td:last-child").all_inner_texts()
    assert len(sentences) == 3, sentences
    assert all(LEVEL_SENTENCE[language].match(s) for s in sentences), sentences
    assert page.get_by_text(SYNTHETIC[language]).is_visible()
    chart = page.locator("svg.level-bar").first.bounding_box()
    assert chart is not None and chart["width"] <= PHONE["width"]
    # The bars' text keeps its size at phone width (it used to shrink to 7 px).
    size = page.evaluate("getComputedStyle(document.querySelector('.level-bar text')).fontSize")
    assert size == "14px"
    # Nothing makes the page scroll sideways (the wide table scrolls in its own box).
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)


def test_the_question_page_is_accessible_for_every_format(page, live_server, theme, framework):
    load_item_seed(framework)
    make_user("lea@example.org")
    sign_in(page, live_server, "lea@example.org")
    page.goto(f"{live_server.url}/positionnement/")
    page.get_by_role("button", name="Commencer le test").click()
    page.wait_for_url("**/positionnement/*/")
    attempt = Attempt.objects.get()
    formats: dict[str, ItemVersion] = {}
    for version in ItemVersion.objects.select_related("stimulus").order_by("pk"):
        formats.setdefault(version.format, version)
    for version in formats.values():
        Attempt.objects.filter(pk=attempt.pk).update(current_version=version)
        page.reload()
        assert_accessible(page)
