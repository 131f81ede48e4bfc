from dataclasses import replace

import pytest
from django.utils import timezone

from palier.items.models import Item, ItemVersion, ReviewComment
from palier.items.services import (
    ItemContent,
    ItemError,
    bulk_change_status,
    change_status,
    edit_item,
    freeze_version,
)
from palier.items.workflow import TRANSITIONS
from tests.factories import make_user

pytestmark = pytest.mark.django_db
S = Item.Status


@pytest.fixture
def draft(bank, author):
    item = bank.get(code="T-0002")
    ItemVersion.objects.filter(item=item).update(created_by=author)
    return item


def content(version, **changes):
    return replace(ItemContent.from_version(version), **changes)


def test_the_full_path_from_draft_to_operational(draft, author, reviewer, psychometrician):
    change_status(author, draft, S.REVIEW)
    change_status(reviewer, draft, S.PRETEST, "Relu, clair.")
    change_status(psychometrician, draft, S.OPERATIONAL)
    draft.refresh_from_db()
    assert draft.status == S.OPERATIONAL
    assert ReviewComment.objects.get(item=draft).kind == ReviewComment.Kind.APPROVAL


def test_an_author_cannot_approve_their_own_item(draft, author):
    change_status(author, draft, S.REVIEW)
    with pytest.raises(ItemError) as error:
        change_status(author, draft, S.PRETEST)
    assert error.value.code == "own_item"
    draft.refresh_from_db()
    assert draft.status == S.REVIEW


def test_requesting_changes_needs_a_comment(draft, author, reviewer):
    change_status(author, draft, S.REVIEW)
    with pytest.raises(ItemError, match="modifications"):
        change_status(reviewer, draft, S.DRAFT)
    change_status(reviewer, draft, S.DRAFT, "Le distracteur c est ambigu.")
    assert ReviewComment.objects.get(item=draft).kind == ReviewComment.Kind.CHANGES


def test_only_a_psychometrician_makes_an_item_operational(draft, author, reviewer):
    change_status(author, draft, S.REVIEW)
    change_status(reviewer, draft, S.PRETEST)
    for user in (author, reviewer, make_user(roles=("administrator",))):
        with pytest.raises(ItemError) as error:
            change_status(user, draft, S.OPERATIONAL)
        assert error.value.code == "permission_denied"


def test_a_learner_cannot_move_items(draft):
    with pytest.raises(ItemError):
        change_status(make_user(), draft, S.REVIEW)


@pytest.mark.parametrize("target", [S.OPERATIONAL, S.PRETEST])
def test_skipping_review_is_impossible(draft, psychometrician, target):
    with pytest.raises(ItemError) as error:
        change_status(psychometrician, draft, target)
    assert error.value.code == "invalid_transition"


def test_an_incomplete_item_cannot_go_to_review(draft, author):
    version = draft.latest_version()
    ItemVersion.objects.filter(pk=version.pk).update(feedback_fr="", source="")
    with pytest.raises(ItemError) as error:
        change_status(author, draft, S.REVIEW)
    assert set(error.value.fields) == {"feedback_fr", "source"}


def test_editing_a_version_learners_saw_makes_a_new_version(draft, author):
    version = draft.latest_version()
    freeze_version(version)
    new = edit_item(author, draft, content(version, stem_fr="<p>Nouvel énoncé</p>"))
    assert new.number == 2
    assert ItemVersion.objects.get(pk=version.pk).stem_fr != "<p>Nouvel énoncé</p>"
    version.refresh_from_db()
    version.stem_fr = "changé"
    with pytest.raises(Exception, match="v1"):
        version.save()


def test_editing_an_unseen_draft_changes_it_in_place(draft, author):
    version = draft.latest_version()
    edited = edit_item(author, draft, content(version, source="RGPD, art. 5"))
    assert edited.pk == version.pk and edited.source == "RGPD, art. 5"


def test_bulk_changes_are_all_or_nothing_and_for_psychometricians(
    bank, author, reviewer, psychometrician
):
    items = list(bank[:3])
    for item in items:
        change_status(author, item, S.REVIEW)
    with pytest.raises(ItemError):
        bulk_change_status(reviewer, items, S.PRETEST)
    assert set(
        Item.objects.filter(pk__in=[i.pk for i in items]).values_list("status", flat=True)
    ) == {S.REVIEW}
    with pytest.raises(ItemError):
        bulk_change_status(psychometrician, items, S.OPERATIONAL)  # review -> operational
    assert bulk_change_status(psychometrician, items, S.PRETEST) == 3


ALL_ROLES = ["learner", "author", "psychometrician", "invigilator", "steering", "administrator"]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("current", "target"), list(TRANSITIONS))
def test_every_transition_is_open_to_its_roles_only(bank, current, target, role):
    from palier.items.errors import ItemError

    item = bank.get(code="T-0005")
    Item.objects.filter(pk=item.pk).update(status=current)
    user = make_user(roles=() if role == "learner" else (role,))
    allowed = role in TRANSITIONS[(current, target)]
    comment = "Merci de préciser." if (current, target) == (S.REVIEW, S.DRAFT) else ""
    if allowed:
        change_status(user, item, target, comment)
        item.refresh_from_db()
        assert item.status == target
    else:
        with pytest.raises(ItemError) as error:
            change_status(user, item, target, comment)
        assert error.value.code == "permission_denied"
        item.refresh_from_db()
        assert item.status == current


def test_approving_an_item_records_who_checked_its_level_and_when(draft, author, reviewer):
    change_status(author, draft, S.REVIEW)
    version = draft.latest_version()
    assert not version.level_reviews.exists()
    change_status(reviewer, draft, S.PRETEST, "Niveau 3 : application d'une règle à un cas.")
    review = version.level_reviews.get()
    assert review.reviewer == reviewer
    assert review.reviewed_by == (reviewer.get_full_name() or f"relecteur n° {reviewer.pk}")
    assert review.reviewed_on == timezone.localdate()
