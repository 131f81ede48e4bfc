from pathlib import Path

import pytest

from palier.accounts.roles import Role
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = Path(__file__).parents[1] / "items" / "fixtures" / "qti" / "text2qti-sante.zip"


def test_an_author_checks_a_qti_package_from_another_tool(page, live_server, framework, theme):
    make_user("auteur@example.org", roles=(Role.AUTHOR,))
    sign_in(page, live_server, "auteur@example.org")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/auteur/import/")
    page.get_by_label("Fichier à importer").set_input_files(str(PACKAGE))
    page.get_by_role("button", name="Envoyer le fichier").click()
    page.get_by_role("heading", name="Brouillons à compléter").wait_for()
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
