"""An attempt's result is recomputed identically after any later edit of the items it used:
what a learner saw and what scoring used is frozen with the item and stimulus versions."""

import json

import pytest
from django.core.management import call_command

from palier.accounts.roles import Role
from palier.assessments.competences import competence_signals
from palier.assessments.models import Response
from palier.assessments.services import start_attempt
from palier.frameworks.models import Capacity
from palier.items.bank_io import export_document, import_document
from palier.items.content import ItemContent, StimulusContent
from palier.items.models import Item
from palier.items.services import edit_item, update_stimulus
from tests.assessments.test_services import alternate, play
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def signals(attempt):
    return [
        (s.competence.code, s.answered, s.observed, round(s.expected, 9))
        for s in competence_signals(attempt)
    ]


def test_rescoring_an_attempt_matches_after_its_items_are_edited_through_every_path(
    seeded, client, capsys
):
    attempt = start_attempt(make_user(), seed=7)
    play(attempt, alternate)
    attempt.refresh_from_db()
    before = signals(attempt)
    author = make_user("auteur@example.org", roles=(Role.AUTHOR, Role.PSYCHOMETRICIAN))
    responses = list(Response.objects.filter(attempt=attempt, pretest=False).order_by("position"))
    items = [response.item_version.item for response in responses]
    # Move items to a capacity of another area, at another level, with other options.
    other_area = {
        item.pk: Capacity.objects.exclude(competence__area=item.capacity.competence.area)
        .order_by("code")
        .first()
        for item in items
    }
    first, second, third = items[0], items[1], items[2]

    client.force_login(author)
    document = export_document([first])["items"][0]
    patch = {
        "capacity": other_area[first.pk].code,
        "level": 6 - document["level"],
        "format": document["format"],
        "stem": {"fr": "<p>Énoncé réécrit</p>"},
        "definition": document["definition"],
        "feedback": document["feedback"],
        "source": document["source"],
    }
    response = client.patch(
        f"/api/v1/items/{first.code}", json.dumps(patch), content_type="application/json"
    )
    assert response.status_code == 200, response.json()

    version = second.latest_version()
    edit_item(
        author,
        second,
        ItemContent.from_version(version),
        capacity=other_area[second.pk],
        intended_level=6 - version.intended_level,
    )

    exported = export_document([third])
    node = exported["items"][0]
    node["capacity"] = other_area[third.pk].code
    node["level"] = 6 - node["level"]
    for option in node["definition"].get("options", []):
        option["text"]["fr"] += " (revu)"
    assert import_document(exported, seeded.calibration.framework, author).ok

    for stimulus_version in {
        r.item_version.stimulus_version for r in responses if r.item_version.stimulus_version
    }:
        update_stimulus(
            author,
            stimulus_version.stimulus,
            StimulusContent(
                kind=stimulus_version.stimulus.kind,
                title_fr=stimulus_version.title_fr,
                content_fr="<p>Une tout autre situation.</p>",
            ),
        )

    assert Item.objects.get(pk=first.pk).capacity == other_area[first.pk]
    capsys.readouterr()
    call_command("rescore", str(attempt.pk))
    assert "matches" in capsys.readouterr().out
    assert signals(attempt) == before
