import json

import pytest
from django.urls import reverse

from palier.items.models import Item, ItemVersion, ReviewComment
from palier.items.services import freeze_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in_author(client, author):
    client.force_login(author)
    return author


def change_url(item):
    return reverse("authoring:items_item_change", args=[item.pk])


def form_data(item, **changes):
    version = item.latest_version()
    data = {
        "capacity": item.capacity_id,
        "intended_level": item.intended_level,
        "enemy_group": item.enemy_group,
        "format": version.format,
        "stimulus": version.stimulus_id or "",
        "stem_fr": version.stem_fr,
        "stem_en": version.stem_en,
        "definition": json.dumps(version.definition),
        "feedback_fr": version.feedback_fr,
        "feedback_en": version.feedback_en,
        "source": version.source,
        "estimated_seconds": version.estimated_seconds,
        "screen_reader_ok": "on",
        "colour_independent": "on",
        "review_comment": "",
        **{
            f"{prefix}-{key}": value
            for prefix in ("versions", "comments")
            for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
        },
    }
    data.update(changes)
    return data


def test_the_item_list_filters_by_area_status_level_and_searches_stems(
    client, bank, signed_in_author
):
    url = reverse("authoring:items_item_changelist")
    assert client.get(url).status_code == 200
    assert (
        client.get(url + "?area=D2&status=draft&intended_level=3").context["cl"].result_count == 7
    )
    assert client.get(url + "?area=D1").context["cl"].result_count == 0
    assert client.get(url + "?q=hameçonnage").context["cl"].result_count == 1


def test_editing_a_seen_item_in_the_form_creates_version_two(client, bank, signed_in_author):
    item = bank.get(code="T-0002")
    freeze_version(item.latest_version())
    response = client.post(change_url(item), form_data(item, stem_fr="<p>Énoncé revu</p>"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert item.versions.count() == 2
    assert item.latest_version().stem_fr == "<p>Énoncé revu</p>"


def test_an_author_puts_an_item_in_an_enemy_group_without_a_new_version(
    client, bank, signed_in_author
):
    item = bank.get(code="T-0002")
    response = client.post(change_url(item), form_data(item, enemy_group=" hds-sigle "))
    assert response.status_code == 302, response.context["adminform"].form.errors
    item.refresh_from_db()
    assert item.enemy_group == "HDS-SIGLE" and item.versions.count() == 1
    refused = client.post(change_url(item), form_data(item, enemy_group="pas un groupe !"))
    assert refused.status_code == 200
    assert "enemy_group" in refused.context["adminform"].form.errors
    item.refresh_from_db()
    assert item.enemy_group == "HDS-SIGLE"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"definition": "{not json"}, "definition"),
        ({"definition": json.dumps({"options": [], "correct": "a"})}, "definition"),
        ({"stem_fr": "<script>alert(1)</script>"}, "stem_fr"),
        ({"stem_fr": ""}, "stem_fr"),
        ({"intended_level": "9"}, "intended_level"),
    ],
)
def test_invalid_edits_show_errors_and_change_nothing(
    client, bank, signed_in_author, changes, field
):
    item = bank.get(code="T-0002")
    before = item.latest_version().stem_fr
    response = client.post(change_url(item), form_data(item, **changes))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert ItemVersion.objects.get(item=item).stem_fr == before


def test_workflow_buttons_move_the_item_and_keep_the_comment(
    client, bank, signed_in_author, reviewer
):
    item = bank.get(code="T-0003")
    page = client.get(change_url(item))
    assert 'value="review"' in page.content.decode()
    client.post(change_url(item), form_data(item, _transition="review"))
    item.refresh_from_db()
    assert item.status == Item.Status.REVIEW
    client.force_login(reviewer)
    client.post(
        change_url(item),
        form_data(item, _transition="draft", review_comment="Préciser le contexte."),
    )
    item.refresh_from_db()
    assert item.status == Item.Status.DRAFT
    assert ReviewComment.objects.get(item=item).body == "Préciser le contexte."


def test_the_preview_shows_the_question_without_key_or_feedback(client, bank, signed_in_author):
    item = bank.get(code="T-0001")
    url = reverse("authoring:items_item_preview", args=[item.pk])
    for theme in ("neutral", "dsfr"):
        content = client.get(f"{url}?theme={theme}").content.decode()
        assert "Je le signale" in content and "support@examp1e.org" in content
        assert "Parce que c" not in content  # the feedback
        assert "correct" not in content
    english = client.get(f"{url}?lang=en").content.decode()
    assert "What do you do?" in english


def test_the_diff_shows_both_versions_side_by_side(client, bank, signed_in_author):
    item = bank.get(code="T-0002")
    freeze_version(item.latest_version())
    client.post(change_url(item), form_data(item, source="RGPD, art. 32"))
    url = reverse("authoring:items_item_diff", args=[item.pk])
    content = client.get(f"{url}?from=1&to=2").content.decode()
    assert "RGPD,&nbsp;art.&nbsp;32" in content and "v1" in content and "v2" in content
    assert client.get(f"{url}?from=1&to=9").status_code == 404


def test_the_coverage_view_marks_empty_cells(client, bank, signed_in_author):
    Item.objects.filter(code="T-0001").update(status=Item.Status.OPERATIONAL)
    content = client.get(reverse("authoring:coverage")).content.decode()
    assert "D2.C2.1" in content and "manque" in content
    assert "capacité vide" in content
    assert "1/5 <strong>— à compléter</strong>" in content  # D2.C2.1: one level only
    assert "Total du domaine" in content


def test_the_item_page_marks_provisional_parameters(client, bank, framework, signed_in_author):
    from palier.items.calibrations import create_provisional_calibration

    create_provisional_calibration(framework)
    content = client.get(change_url(bank.get(code="T-0001"))).content.decode()
    assert "a = 1.00, b = 0.00" in content and "PROVISOIRES" in content


def test_a_definition_nested_too_deep_is_a_form_error_on_the_edit_page(client, bank, author):
    from palier.core.uploads import MAX_JSON_DEPTH

    client.force_login(author)
    item = bank.get(code="T-0001")
    url = reverse("authoring:items_item_change", args=[item.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    for depth in (MAX_JSON_DEPTH + 1, 24_000):  # 48,000 characters, under the field limit
        data["definition"] = "[" * depth + "]" * depth
        response = client.post(url, data)
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["definition"]
    assert item.versions.count() == 1
