import pytest

from palier.accounts.roles import Role
from palier.frameworks.models import Capacity
from palier.items.bank_io import import_document
from palier.items.calibrations import create_provisional_calibration
from palier.items.models import Item
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import make_user
from tests.items.sample import sample_document

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_authoring_pages_are_accessible(page, live_server, framework):
    import_document(sample_document(), framework)
    Item.objects.filter(code="T-0001").update(status=Item.Status.OPERATIONAL)
    create_provisional_calibration(framework)
    # A psychometrician sees every authoring page, the item's statistics included.
    make_user("psy@example.org", roles=(Role.PSYCHOMETRICIAN,))
    sign_in(page, live_server, "psy@example.org")
    item = Item.objects.get(code="T-0001")
    for path in (
        "/auteur/items/item/",
        "/auteur/items/item/?area=D2&status=draft",
        f"/auteur/items/item/{item.pk}/change/",
        "/auteur/couverture/",
        "/auteur/",
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert page.goto(f"{live_server.url}/auteur/items/item/{item.pk}/change/")
    assert "Statistiques (psychométrie)" in page.content()
    assert_accessible(page)
    assert fits_a_phone(page)


@pytest.mark.parametrize("theme", ["neutral", "dsfr"])
def test_the_preview_is_accessible_in_both_themes(page, live_server, framework, theme):
    import_document(sample_document(), framework)
    make_user("auteur@example.org", roles=(Role.AUTHOR,))
    sign_in(page, live_server, "auteur@example.org")
    for item in Item.objects.all():
        page.goto(f"{live_server.url}/auteur/items/item/{item.pk}/apercu/?theme={theme}")
        assert_accessible(page)


def fits_a_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_an_author_writes_a_single_choice_item_with_the_editor(page, live_server, framework, theme):
    capacity = Capacity.objects.get(code="D2.C2.1", competence__area__framework=framework)
    make_user("auteur@example.org", roles=(Role.AUTHOR,))
    sign_in(page, live_server, "auteur@example.org")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/auteur/items/item/add/")
    page.select_option("#id_capacity", str(capacity.pk))
    page.locator("#id_intended_level").fill("2")
    page.get_by_label("Énoncé (français)").fill(
        "Que faites-vous d'un courriel qui presse de payer ?"
    )
    page.get_by_label("Explication (français)").fill("On signale le courriel sans cliquer.")
    page.get_by_label("Référence").fill("ANSSI, guide d'hygiène informatique, 2017")
    editor = page.locator(".definition-editor")
    answers = ["Je paie", "Je le signale", "Je réponds", "Je le transfère"]
    for number, answer in enumerate(answers, start=1):
        option = editor.get_by_role("group", name=f"Option {number}")
        option.get_by_label("Texte (français)").fill(answer)
    editor.get_by_role("group", name="Option 2").get_by_label("Bonne réponse").check()
    # Keyboard only: the key moves to the top, and the focus follows it.
    editor.get_by_role("button", name="Monter l'option 2").focus()
    page.keyboard.press("Enter")
    assert editor.locator(".definition-editor-live").inner_text() == "Déplacé en position 1."
    page.keyboard.press("Enter")  # the focus is on "Descendre l'option 1": back down...
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # ...and up again with "Monter l'option 2"
    first = editor.get_by_role("group", name="Option 1")
    assert first.get_by_label("Texte (français)").input_value() == "Je le signale"
    assert first.get_by_label("Bonne réponse").is_checked()
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_accessible(page)
    assert fits_a_phone(page)
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url("**/auteur/items/item/")
    row = page.get_by_role("row", name="D2-0001")
    assert "Que faites-vous d'un courriel" in row.inner_text()
    item = Item.objects.get(code="D2-0001")
    definition = item.latest_version().definition
    assert definition["options"][0]["text"]["fr"] == "Je le signale"
    assert definition["correct"] == definition["options"][0]["id"]
    page.set_viewport_size(PHONE)
    assert_accessible(page)
    assert fits_a_phone(page)
