"""The item page and list of the authoring site: generated codes, the structured answer
editor's field, the list's columns, workflow buttons and messages, column labels."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.functional import Promise

from palier.frameworks.models import Capacity
from palier.items import services
from palier.items.authoring_site import authoring_site
from palier.items.content import ItemContent
from palier.items.item_admin import ItemAdmin
from palier.items.models import Item, ItemVersion
from tests.items.test_authoring_pages import change_url, form_data

pytestmark = pytest.mark.django_db

SINGLE_CHOICE = {
    "options": [
        {"id": "a", "text": {"fr": "Je le signale", "en": "I report it"}},
        {"id": "b", "text": {"fr": "Je clique", "en": "I click"}},
    ],
    "correct": "a",
}


def add_data(capacity: Capacity, **changes):
    data = {
        "code": "",
        "capacity": capacity.pk,
        "intended_level": 2,
        "enemy_group": "",
        "format": "single_choice",
        "stimulus": "",
        "stem_fr": "Que faites-vous d'un courriel douteux ?",
        "stem_en": "",
        "definition": json.dumps(SINGLE_CHOICE),
        "feedback_fr": "On le signale.",
        "feedback_en": "",
        "source": "ANSSI, guide d'hygiène informatique, 2017",
        "estimated_seconds": 60,
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


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def d2_capacity(framework) -> Capacity:
    return Capacity.objects.get(code="D2.C2.1", competence__area__framework=framework)


def test_an_item_saved_without_a_code_takes_the_next_number_of_its_area(client, framework, author):
    client.force_login(author)
    capacity = d2_capacity(framework)
    services.create_item(
        author, "D2-0041", capacity, 2, ItemContent("single_choice", "x", SINGLE_CHOICE)
    )
    services.create_item(
        author, "D2-CASE-07", capacity, 2, ItemContent("single_choice", "y", SINGLE_CHOICE)
    )
    add_page = client.get(reverse("authoring:items_item_add")).content.decode()
    assert "D1-0124" in add_page  # the help text says what an empty code does
    response = client.post(reverse("authoring:items_item_add"), add_data(capacity))
    assert response.status_code == 302
    assert Item.objects.filter(code="D2-0042", author=author).exists()


def test_a_code_taken_meanwhile_is_skipped_for_the_next_one(framework, author, monkeypatch):
    capacity = d2_capacity(framework)
    services.create_item(
        author, "D2-0001", capacity, 2, ItemContent("single_choice", "x", SINGLE_CHOICE)
    )
    real = services.next_item_code
    answers = iter(["D2-0001"])  # another author took this number between read and write

    def racing(area_code: str) -> str:
        return next(answers, None) or real(area_code)

    monkeypatch.setattr(services, "next_item_code", racing)
    item = services.create_item(
        author, "", capacity, 2, ItemContent("single_choice", "z", SINGLE_CHOICE)
    )
    assert item.code == "D2-0002"
    assert Item.objects.count() == 2


def test_a_malformed_definition_gets_a_plain_translated_message_saying_where(client, bank, author):
    client.force_login(author)
    item = bank.get(code="T-0002")
    response = client.post(change_url(item), form_data(item, definition='{"options" []}'))
    errors = response.context["adminform"].form.errors["definition"]
    assert errors == [
        "Ce JSON n'est pas valide (ligne 1, colonne 12) : vérifiez les guillemets, les "
        "virgules et les accolades à cet endroit."
    ]
    assert "Expecting" not in response.content.decode()
    assert item.versions.count() == 1


def test_a_definition_that_does_not_fit_its_format_says_where_in_the_editors_words(
    client, bank, author
):
    client.force_login(author)
    item = bank.get(code="T-0001")
    definition = {**SINGLE_CHOICE, "options": [*SINGLE_CHOICE["options"], {"id": "c", "text": {}}]}
    response = client.post(change_url(item), form_data(item, definition=json.dumps(definition)))
    assert response.context["adminform"].form.errors["definition"] == [
        "Option 3 : Un texte en français est obligatoire."
    ]
    definition = {"options": SINGLE_CHOICE["options"], "correct": "z"}
    response = client.post(change_url(item), form_data(item, definition=json.dumps(definition)))
    assert "Bonne réponse : " in response.context["adminform"].form.errors["definition"][0]


def test_the_definition_field_carries_the_structured_editor(client, bank, author):
    client.force_login(author)
    content = client.get(change_url(bank.get(code="T-0001"))).content.decode()
    assert "items/definition-editor.js" in content and "items/definition-editor.css" in content
    assert "data-definition-editor=" in content and "Bonne réponse" in content
    # Without the script the JSON stays in an ordinary, editable field.
    assert '<textarea name="definition"' in content


def test_saving_an_unchanged_page_writes_nothing_and_says_nothing_was_saved(client, bank, author):
    client.force_login(author)
    item = bank.get(code="T-0003")
    version = item.latest_version()
    data = form_data(
        item,
        definition=json.dumps(version.definition, indent=4),  # another layout, same JSON
        feedback_fr=version.feedback_fr.replace("\n", "\r\n") + "",
    )
    response = client.post(change_url(item), data, follow=True)
    assert not any("Contenu enregistré" in message for message in messages_of(response))
    assert ItemVersion.objects.filter(item=item).count() == 1


def test_authors_are_not_offered_to_approve_their_own_item_and_a_refusal_is_no_success(
    client, framework, author
):
    client.force_login(author)
    client.post(reverse("authoring:items_item_add"), add_data(d2_capacity(framework)))
    item = Item.objects.get(author=author)
    client.post(change_url(item), form_data(item, _transition="review"))
    item.refresh_from_db()
    assert item.status == Item.Status.REVIEW
    page = client.get(change_url(item)).content.decode()
    assert 'value="pretest"' not in page and 'value="draft"' not in page
    # Forced anyway (an old page, a crafted request): refused, and said so.
    response = client.post(change_url(item), form_data(item, _transition="pretest"), follow=True)
    said = messages_of(response)
    assert said == [
        "Statut inchangé : Un item doit être relu par une autre personne que son auteur."
    ]
    item.refresh_from_db()
    assert item.status == Item.Status.REVIEW


def test_another_author_is_offered_to_approve(client, framework, author, reviewer):
    client.force_login(author)
    client.post(reverse("authoring:items_item_add"), add_data(d2_capacity(framework)))
    item = Item.objects.get(author=author)
    client.post(change_url(item), form_data(item, _transition="review"))
    client.force_login(reviewer)
    page = client.get(change_url(item)).content.decode()
    assert 'value="pretest"' in page and 'value="draft"' in page


def test_the_item_list_shows_the_stems_first_words_in_a_fixed_number_of_queries(
    client, bank, author, framework
):
    client.force_login(author)
    url = reverse("authoring:items_item_changelist")
    with CaptureQueriesContext(connection) as few:
        content = client.get(url).content.decode()
    assert "Quels signes d" in content
    for header in ("énoncé", "statut", "niveau visé", "modifié le"):
        assert header in content.lower()
    capacity = d2_capacity(framework)
    for number in range(5):
        services.create_item(
            author,
            f"D2-9{number:03d}",
            capacity,
            2,
            ItemContent("single_choice", "x", SINGLE_CHOICE),
        )
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)


def test_the_authoring_home_links_to_the_coverage_view(client, author):
    client.force_login(author)
    content = client.get(reverse("authoring:index")).content.decode()
    assert reverse("authoring:coverage") in content
    assert reverse("authoring:items_item_add") in content


def test_every_column_and_field_label_of_the_authoring_site_is_translatable():
    """English pages showed "UPDATED AT" or "Reporter": fields without a verbose_name get
    an English label made from their name, which no catalogue translates."""
    untranslated = []
    for model, model_admin in authoring_site._registry.items():
        if model._meta.app_label != "items":
            continue
        for field in model._meta.get_fields():
            if (
                field.concrete
                and not field.auto_created
                and not isinstance(field.verbose_name, Promise)
            ):
                untranslated.append(f"{model.__name__}.{field.name}")
        for name in model_admin.list_display:
            display = getattr(model_admin, name, None)
            if callable(display) and not isinstance(
                getattr(display, "short_description", None), Promise
            ):
                untranslated.append(f"{type(model_admin).__name__}.{name}")
    assert untranslated == []
    assert isinstance(ItemAdmin.stem_start.short_description, Promise)
