import pytest

from palier.accounts.roles import Role
from palier.items.bank_io import import_document
from palier.items.models import Item
from tests.factories import make_user
from tests.items.sample import sample_document


@pytest.fixture
def bank(framework):
    """The sample document imported as draft items."""
    report = import_document(sample_document(), framework)
    assert report.ok, report.errors
    return Item.objects.order_by("code")


@pytest.fixture
def author(db):
    return make_user("auteur@example.org", roles=(Role.AUTHOR,))


@pytest.fixture
def reviewer(db):
    return make_user("relecteur@example.org", roles=(Role.AUTHOR,))


@pytest.fixture
def psychometrician(db):
    return make_user("psy@example.org", roles=(Role.PSYCHOMETRICIAN,))


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
