"""Stimuli are versioned and frozen like items; capacity and level are frozen on each item
version; every item change goes through one service, and a refusal changes nothing."""

import json

import pytest
from django.urls import reverse

from palier.frameworks.models import Capacity
from palier.items.bank_io import import_document
from palier.items.content import ItemContent, StimulusContent
from palier.items.errors import ItemError
from palier.items.models import Item, ItemVersion, Stimulus, StimulusVersion
from palier.items.rendering import learner_view
from palier.items.services import (
    change_status,
    edit_item,
    freeze_version,
    update_stimulus,
)
from tests.items.sample import sample_document

pytestmark = pytest.mark.django_db


def rows():
    """Every row an item change could touch, field by field."""
    return [
        list(model.objects.order_by("pk").values())
        for model in (Item, ItemVersion, Stimulus, StimulusVersion)
    ]


def new_texts(stimulus: Stimulus, content: str) -> StimulusContent:
    latest = stimulus.latest_version()
    return StimulusContent(kind=stimulus.kind, title_fr=latest.title_fr, content_fr=content)


def test_editing_a_stimulus_learners_saw_makes_a_new_version_and_keeps_the_seen_one(bank, author):
    seen = bank.get(code="T-0001").latest_version()
    freeze_version(seen)
    stimulus = seen.stimulus
    version = update_stimulus(author, stimulus, new_texts(stimulus, "<p>Nouveau texte</p>"))
    assert version.number == 2
    seen.refresh_from_db()
    assert seen.stimulus_version.number == 1
    assert "Cliquez vite" in learner_view(seen, 0, "fr").stimulus_content
    assert StimulusVersion.objects.get(stimulus=stimulus, number=1).frozen_at is not None


def test_an_unseen_draft_follows_the_new_stimulus_version(bank, author):
    draft = bank.get(code="T-0007").latest_version()
    freeze_version(bank.get(code="T-0001").latest_version())
    update_stimulus(author, draft.stimulus, new_texts(draft.stimulus, "<p>Nouveau texte</p>"))
    draft.refresh_from_db()
    assert draft.stimulus_version.number == 2
    assert "Nouveau texte" in learner_view(draft, 0, "fr").stimulus_content


def test_a_stimulus_shown_by_an_operational_item_is_not_edited_in_place(
    bank, author, reviewer, psychometrician
):
    item = bank.get(code="T-0001")
    change_status(author, item, Item.Status.REVIEW)
    change_status(reviewer, item, Item.Status.PRETEST)
    stimulus = item.latest_version().stimulus
    update_stimulus(author, stimulus, new_texts(stimulus, "<p>Nouveau texte</p>"))
    assert item.latest_version().stimulus_version.number == 1
    assert stimulus.versions.count() == 2


def test_an_import_reusing_a_stimulus_code_never_changes_a_seen_version(bank, framework):
    seen = bank.get(code="T-0001").latest_version()
    freeze_version(seen)
    document = sample_document()
    document["stimuli"][0]["content"]["fr"] = "<p>Autre courriel</p>"
    assert import_document(document, framework).ok
    first = StimulusVersion.objects.get(number=1)
    assert "Cliquez vite" in first.content_fr
    assert StimulusVersion.objects.get(number=2).content_fr == "<p>Autre courriel</p>"


def test_changing_the_capacity_of_a_seen_version_makes_a_new_version(bank, author):
    item = bank.get(code="T-0002")
    seen = item.latest_version()
    freeze_version(seen)
    other = Capacity.objects.exclude(pk=seen.capacity_id).order_by("code").first()
    version = edit_item(author, item, ItemContent.from_version(seen), capacity=other)
    seen.refresh_from_db()
    assert version.number == 2 and version.capacity == other
    assert seen.capacity_id != other.pk
    item.refresh_from_db()
    assert item.capacity == other and item.status == Item.Status.DRAFT


def test_sending_the_same_content_again_changes_nothing(bank, author):
    item = bank.get(code="T-0002")
    freeze_version(item.latest_version())
    before = rows()
    edit_item(author, item, ItemContent.from_version(item.latest_version()))
    assert rows() == before


@pytest.mark.parametrize(
    "changes",
    [
        {"capacity": "D1.C1.1", "level": 1, "definition": {"options": [], "correct": "a"}},
        {"capacity": "D1.C1.1", "level": 1, "stem": {"fr": "<script>x</script>"}},
        {"capacity": "NOPE", "level": 1},
        {"level": 1, "stimulus": "NOPE-01"},
    ],
)
def test_a_refused_patch_leaves_every_row_unchanged(client, bank, author, changes):
    client.force_login(author)
    item = bank.get(code="T-0002")
    version = item.latest_version()
    body = {
        "format": version.format,
        "stem": {"fr": version.stem_fr},
        "definition": version.definition,
        "feedback": {"fr": version.feedback_fr},
        "source": version.source,
        **changes,
    }
    before = rows()
    response = client.patch(
        f"/api/v1/items/{item.code}", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422, response.json()
    assert rows() == before


def test_a_refused_edit_through_the_service_writes_nothing(bank, author):
    item = bank.get(code="T-0002")
    content = ItemContent.from_version(item.latest_version())
    bad = ItemContent(**{**content.__dict__, "definition": {"options": []}})
    before = rows()
    with pytest.raises(ItemError):
        edit_item(author, item, bad, capacity=Capacity.objects.first(), intended_level=1)
    assert rows() == before


def test_the_stimulus_form_saves_a_new_version_once_learners_saw_it(client, bank, author):
    client.force_login(author)
    seen = bank.get(code="T-0001").latest_version()
    freeze_version(seen)
    data = {
        "kind": seen.stimulus.kind,
        "title_fr": "Un courriel",
        "content_fr": "<p>Autre</p>",
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
    }
    url = reverse("authoring:items_stimulus_change", args=[seen.stimulus_id])
    assert client.post(url, data).status_code == 302
    assert seen.stimulus.versions.count() == 2
    assert "Cliquez vite" in StimulusVersion.objects.get(number=1).content_fr
