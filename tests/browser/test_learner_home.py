"""A new learner's first steps in a real browser: sign up, land on their home, choose the
curriculum from the searchable list, see the expected levels and the one main action; the
menu folds behind its button on a phone. Both themes, axe at 1280 and 390 px."""

import pytest

from palier.accounts.models import LearnerProfile
from tests.browser.conftest import assert_accessible, sign_up

pytestmark = pytest.mark.django_db(transaction=True)
NURSING = "Formation en soins infirmiers (diplôme d'État d'infirmier)"


def test_a_new_learner_lands_on_their_home_and_chooses_their_curriculum(
    page, live_server, theme, framework, run_tasks
):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_up(page, live_server, run_tasks, f"nina.{theme}@example.org")
    assert page.get_by_role("heading", level=1).inner_text() == "Mon espace"
    page.get_by_role("link", name="Choisir ma formation ou mon métier").click()

    field = page.get_by_label("Formation ou métier")
    field.fill("infirm")  # the list suggests the matching names as one types
    assert page.locator(f'datalist option[value="{NURSING}"]').count() == 1
    field.fill(NURSING)
    page.get_by_role("button", name="Enregistrer mon profil").click()
    page.wait_for_load_state()
    assert LearnerProfile.objects.get(user__email=f"nina.{theme}@example.org").population.code == (
        "soins-infirmiers"
    )

    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Mon espace"
    ).click()
    page.wait_for_url("**/mon-espace/")
    assert page.get_by_role("table").get_by_text("3 — Intermédiaire").first.is_visible()
    main_action = page.get_by_role("link", name="Passer mon test de positionnement")
    assert main_action.is_visible()
    menu = page.get_by_role("button", name="Menu")
    assert not menu.is_visible()  # wide screens show the whole menu
    assert_accessible(page)

    page.set_viewport_size({"width": 390, "height": 900})
    assert menu.is_visible() and menu.get_attribute("aria-expanded") == "false"
    plan_link = page.get_by_role("link", name="Mon plan de formation", exact=True)
    assert not plan_link.is_visible()
    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true" and plan_link.is_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
