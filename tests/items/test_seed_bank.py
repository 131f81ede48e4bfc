"""The seed bank: valid, covering the framework, passing the content check, loadable twice."""

import pytest
from django.core.management import call_command

from palier.items.content_check import check_document
from palier.items.models import Calibration, Item, ItemParameter
from palier.items.queries import latest_versions
from palier.items.seed import SEED_DIR, load_item_seed, seed_document
from palier.items.seed_schema import capacity_codes, document_errors, seed_capacities_by_area

AREAS = ("D1", "D2", "D3", "D4", "D5")


def test_there_is_one_seed_file_per_area():
    assert sorted(path.stem for path in SEED_DIR.glob("D*.json")) == list(AREAS)


def test_the_seed_documents_are_valid():
    assert document_errors(seed_document(), capacity_codes()) == []


def test_the_seed_bank_passes_the_content_check():
    report = check_document(seed_document(), seed_capacities_by_area())
    assert report.errors == []
    assert len(seed_document()["items"]) >= 300


def test_every_seed_item_is_translated_into_english():
    for node in seed_document()["items"]:
        assert node["stem"].get("en") and node["feedback"].get("en"), node["code"]


@pytest.mark.django_db
def test_loading_the_seed_makes_an_operational_bank_with_a_provisional_calibration(framework):
    report = load_item_seed(framework)
    items = Item.objects.all()
    assert report.imported.ok and items.count() == len(seed_document()["items"])
    assert set(items.values_list("status", flat=True)) == {Item.Status.OPERATIONAL}
    calibration = Calibration.objects.get(is_active=True)
    assert calibration.is_provisional
    covered = set(
        ItemParameter.objects.filter(calibration=calibration).values_list(
            "item_version_id", flat=True
        )
    )
    assert {version.pk for version in latest_versions(items).values()} == covered
    again = load_item_seed(framework)
    assert again.imported.created == [] and again.imported.updated == []
    assert again.calibration == calibration
    call_command("items", "check")  # raises CommandError on any content error
