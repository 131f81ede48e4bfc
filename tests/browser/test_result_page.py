import os

import pytest
from django.urls import reverse

from palier.assessments.services import start_attempt
from palier.frameworks.models import Population, TargetLevel
from palier.steering.models import Feedback
from palier.training.models import PlanEntry
from palier.training.seed import load_catalogue_seed
from tests.assessments.conftest import wrong_answer
from tests.assessments.test_services import play
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import make_user
from tests.support.seeds import load_item_seed

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_the_result_page_says_level_expected_gap_and_adds_priorities_in_place(
    page, live_server, theme, framework
):
    load_item_seed(framework)
    load_catalogue_seed(framework)
    learner = make_user(f"ines.{theme}@example.org", first_name="Inès", last_name="Moreau")
    learner.profile.population = Population.objects.filter(
        pk__in=TargetLevel.objects.values("population")
    ).first()
    learner.profile.save()
    attempt = start_attempt(learner, ["D1", "D2", "D3", "D4"], seed=5)
    play(attempt, lambda attempt, version: wrong_answer(version))
    sign_in(page, live_server, learner.email)
    url = live_server.url + reverse("assessments:result", args=[attempt.pk])
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(url)
        assert page.locator(".level-card__gap").count() == 4
        assert "attendu" in page.locator(".level-card__gap").first.inner_text()
        assert page.locator(".level-bar__target").count() == 4
        assert page.get_by_role("heading", name="À travailler en priorité").is_visible()
        assert page.locator("#priorities .priority-item[id^=module-]").count() <= 3
        # the review is collapsed, one group per area
        assert page.locator("details.review-area").count() == 4
        assert page.locator("details.review-area[open]").count() == 0
        assert_accessible(page)
        if viewport is PHONE:
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shots = os.environ.get("PALIER_SCREENS_DIR")
        if shots and theme == "dsfr":
            page.screenshot(path=f"{shots}/result-{viewport['width']}.png", full_page=True)
    # added to the plan without leaving the place on the page
    item = page.locator("#priorities .priority-item[id^=module-]").first
    anchor = item.get_attribute("id")
    item.get_by_role("button", name="Ajouter à mon plan").click()
    page.wait_for_url(f"**#{anchor}")
    assert page.locator(f"#{anchor}").get_by_text("Dans votre plan de formation.").is_visible()
    assert PlanEntry.objects.filter(user=learner).count() == 1
    assert page.evaluate("window.scrollY") > 0
    assert_accessible(page)
    # an optional opinion, one minute, back to the result
    page.get_by_role("link", name="Donner mon avis (1 minute)").click()
    # Through the labels: the State theme draws its own radio buttons over them.
    for field, index in (("usefulness", 4), ("difficulty", 2), ("clarity", 3)):
        page.locator(f"label[for=id_{field}_{index}]").click()
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.wait_for_url(f"**{reverse('assessments:result', args=[attempt.pk])}")
    assert page.get_by_text("Merci : votre avis est enregistré.").is_visible()
    assert Feedback.objects.get(user=learner).usefulness == 5
