import pytest

from palier.accounts.roles import Role
from palier.items.bank_io import import_document
from palier.items.models import Item
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import make_user
from tests.items.sample import sample_document

pytestmark = pytest.mark.django_db(transaction=True)


def test_authoring_pages_are_accessible(page, live_server, framework):
    import_document(sample_document(), framework)
    Item.objects.filter(code="T-0001").update(status=Item.Status.OPERATIONAL)
    make_user("auteur@example.org", roles=(Role.AUTHOR,))
    sign_in(page, live_server, "auteur@example.org")
    item = Item.objects.get(code="T-0001")
    for path in (
        "/auteur/items/item/",
        "/auteur/items/item/?area=D2&status=draft",
        f"/auteur/items/item/{item.pk}/change/",
        "/auteur/couverture/",
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert_accessible(page)


@pytest.mark.parametrize("theme", ["neutral", "dsfr"])
def test_the_preview_is_accessible_in_both_themes(page, live_server, framework, theme):
    import_document(sample_document(), framework)
    make_user("auteur@example.org", roles=(Role.AUTHOR,))
    sign_in(page, live_server, "auteur@example.org")
    for item in Item.objects.all():
        page.goto(f"{live_server.url}/auteur/items/item/{item.pk}/apercu/?theme={theme}")
        assert_accessible(page)
