import csv
import io
import json

import pytest

from palier.core.uploads import MAX_JSON_DEPTH
from palier.items.bank_io import export_document, import_document
from palier.items.csv_io import COLUMNS, as_row_errors, document_from_csv, export_csv
from palier.items.models import Item, ItemVersion, Stimulus
from tests.items.sample import sample_document

pytestmark = pytest.mark.django_db


def test_an_import_creates_items_with_a_first_version_and_their_stimuli(bank):
    assert bank.count() == 7
    first = bank.get(code="T-0001")
    version = first.latest_version()
    assert first.status == Item.Status.DRAFT and version.number == 1
    assert version.stimulus.code == "T-CASE-01"
    assert version.languages == ["fr", "en"]
    assert Stimulus.objects.count() == 1


def test_importing_the_same_document_twice_changes_nothing(bank, framework):
    report = import_document(sample_document(), framework)
    assert report.created == [] and report.updated == []
    assert len(report.unchanged) == 7
    assert ItemVersion.objects.count() == 7


def test_a_json_export_imports_back_losslessly(bank, framework):
    exported = export_document(list(bank))
    Item.objects.all().delete()
    report = import_document(json.loads(json.dumps(exported)), framework)
    assert report.ok and len(report.created) == 7
    assert export_document(list(Item.objects.order_by("code")))["items"] == exported["items"]


def test_a_dry_run_reports_and_writes_nothing(framework):
    report = import_document(sample_document(), framework, dry_run=True)
    assert report.ok and report.dry_run
    assert Item.objects.count() == 0


def test_one_bad_item_stops_the_whole_import_and_every_error_is_listed(framework):
    document = sample_document()
    document["items"][1]["definition"]["correct"] = ["z"]
    document["items"][3]["capacity"] = "D9.C9.9"
    document["items"][5]["stem"]["fr"] = "<p onclick='x()'>Piège</p>"
    report = import_document(document, framework)
    assert not report.ok
    joined = "\n".join(report.errors)
    assert "T-0002" in joined and "T-0004" in joined
    assert Item.objects.count() == 0 and Stimulus.objects.count() == 0


def test_unsafe_html_is_stored_sanitised(framework):
    document = sample_document()
    document["items"][0]["stem"]["fr"] = "<p>Bonjour</p><script>alert(1)</script>"
    report = import_document(document, framework)
    assert report.ok, report.errors
    assert Item.objects.get(code="T-0001").latest_version().stem_fr == "<p>Bonjour</p>"


def test_a_stem_with_nothing_left_after_sanitising_is_refused_by_its_item(framework):
    document = sample_document()
    document["items"][1]["stem"]["fr"] = "<script>alert(1)</script>"
    report = import_document(document, framework)
    assert any("T-0002" in error and "stem_fr" in error for error in report.errors)
    assert Item.objects.count() == 0


def test_csv_round_trip_and_errors_by_row(bank, framework):
    text = export_csv(export_document(list(bank)), delimiter=";")
    assert text.startswith("\ufeffcode;capacity;level")
    document = document_from_csv(text)
    assert [node["code"] for node in document["items"]] == [item.code for item in bank]
    assert import_document(document, framework).unchanged
    broken = text.replace(";3;single_choice;", ";9;single_choice;", 1)
    report = import_document(document_from_csv(broken), framework, dry_run=True)
    assert as_row_errors(report.errors)[0].startswith("row 2 (T-0001): level")


def test_option_texts_are_stored_sanitised_too(framework):
    document = sample_document()
    document["items"][0]["definition"]["options"][0]["text"]["fr"] = "Oui<img src=x onerror=1>"
    report = import_document(document, framework)
    assert report.ok, report.errors
    version = Item.objects.get(code="T-0001").latest_version()
    assert version.definition["options"][0]["text"]["fr"] == "Oui<img>"


# --- hostile files through the import endpoint: a 422 listing the error, nothing stored ---


def import_file(client, data: bytes, kind: str):
    return client.post(
        f"/api/v1/items/import?format={kind}", {"file": io.BytesIO(data)}, format="multipart"
    )


def assert_refused(response, reason: str) -> None:
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_import"
    assert reason in " ".join(error["fields"]["file"])
    assert Item.objects.count() == 0 and Stimulus.objects.count() == 0


def test_a_json_file_nested_too_deep_is_refused_by_the_api(client, framework, author):
    client.force_login(author)
    for depth in (MAX_JSON_DEPTH + 1, 100_000):
        nested = b"[" * depth + b"]" * depth
        assert_refused(import_file(client, nested, "json"), "nested deeper than")


def test_a_csv_definition_nested_too_deep_is_a_row_error(client, bank, author):
    client.force_login(author)
    exported = export_csv(export_document(list(bank))).removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(exported)))
    Item.objects.all().delete()
    Stimulus.objects.all().delete()
    rows[1][COLUMNS.index("definition")] = "[" * 50_000 + "]" * 50_000
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    assert_refused(import_file(client, text.getvalue().encode(), "csv"), "row 2: definition")


def test_a_csv_cell_over_the_field_size_limit_is_a_row_error(client, framework, author):
    client.force_login(author)
    header = ";".join(COLUMNS)
    long_cell = "x" * (csv.field_size_limit() + 1)
    text = f"{header}\r\nT-0001;D3.C1.1;2;single_choice;;{long_cell};;{{}};;;s;60;1;1\r\n"
    assert_refused(import_file(client, text.encode(), "csv"), "row 2: a cell is longer than")


def test_enemy_groups_and_level_reviews_are_imported_exported_and_kept(framework):
    document = sample_document()
    document["items"][0]["enemy_group"] = "HDS-SIGLE"
    document["items"][1]["enemy_group"] = "HDS-SIGLE"
    document["items"][0]["level_review"] = {"by": "Comité de relecture", "on": "2026-12-07"}
    report = import_document(document, framework)
    assert report.ok, report.errors
    first = Item.objects.get(code=document["items"][0]["code"])
    assert first.enemy_group == "HDS-SIGLE"
    review = first.latest_version().level_reviews.get()
    assert (review.reviewed_by, review.reviewed_on.isoformat()) == (
        "Comité de relecture",
        "2026-12-07",
    )
    exported = {node["code"]: node for node in export_document(list(Item.objects.all()))["items"]}
    assert exported[first.code]["enemy_group"] == "HDS-SIGLE"
    assert exported[first.code]["level_review"] == {"by": "Comité de relecture", "on": "2026-12-07"}
    assert "level_review" not in exported[document["items"][1]["code"]]
    # Only the metadata changed: the item is reported updated, with no new version.
    document["items"][1].pop("enemy_group")
    document["items"][0].pop("enemy_group")
    again = import_document(document, framework)
    assert sorted(again.updated) == sorted(node["code"] for node in document["items"][:2])
    assert ItemVersion.objects.filter(item=first).count() == 1
    assert Item.objects.get(pk=first.pk).enemy_group == ""


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("enemy_group", "hds sigle", "enemy_group must look like"),
        ("level_review", {"by": "", "on": "2026-12-07"}, "level_review.by"),
        ("level_review", {"by": "Relecture", "on": "07/12/2026"}, "level_review.on"),
    ],
)
def test_bad_enemy_groups_and_level_reviews_refuse_the_import(framework, key, value, message):
    document = sample_document()
    document["items"][0][key] = value
    report = import_document(document, framework)
    assert not report.ok and any(message in error for error in report.errors)
    assert Item.objects.count() == 0
