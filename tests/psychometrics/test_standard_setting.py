"""Bookmark standard setting: the booklet, bookmarks, round results and adoption, through the
services on a real database (the sample bank, made operational, with known parameters)."""

from __future__ import annotations

import math
import statistics

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from palier.accounts.roles import Role
from palier.frameworks.models import Area, Framework, Level
from palier.items.bank_io import import_document
from palier.items.calibrations import create_provisional_calibration
from palier.items.models import Calibration, Item, ItemParameter
from palier.items.queries import latest_versions
from palier.psychometrics.models import Bookmark, BookmarkStudy
from palier.psychometrics.standard_setting import (
    StandardSettingError,
    access_managed_study,
    access_study,
    add_panellist,
    adopt_cut_scores,
    close_round,
    close_study,
    create_study,
    place_bookmarks,
    remove_panellist,
    studies_for,
)
from palier.psychometrics.standard_setting_queries import (
    booklet,
    booklet_candidates,
    round_results,
    suggested_version,
    visible_rounds,
)
from tests.factories import make_user
from tests.items.sample import sample_document

pytestmark = pytest.mark.django_db

# (discrimination, difficulty) of the sample items; T-0001 and T-0006 are exactly tied.
PARAMETERS = {
    "T-0001": (1.0, 0.5),
    "T-0002": (2.0, -1.0),
    "T-0003": (0.5, 0.0),
    "T-0004": (1.0, -2.0),
    "T-0005": (1.25, 1.0),
    "T-0006": (1.0, 0.5),
    "T-0007": (0.8, 2.0),
}
# RP67 location of a 2PL item, written out here rather than taken from the engine.
RP67_OFFSET = math.log(0.67 / 0.33)
BOOKLET_ORDER = ["T-0004", "T-0002", "T-0001", "T-0006", "T-0003", "T-0005", "T-0007"]


def location(code: str) -> float:
    discrimination, difficulty = PARAMETERS[code]
    return difficulty + RP67_OFFSET / discrimination


LOCATIONS = [location(code) for code in BOOKLET_ORDER]


def expected_cut(page: int) -> float:
    """Midpoint of the last mastered and the bookmarked item (one neighbour at the ends)."""
    last_mastered = LOCATIONS[max(page - 2, 0)]
    bookmarked = LOCATIONS[min(page - 1, len(LOCATIONS) - 1)]
    return (last_mastered + bookmarked) / 2


@pytest.fixture
def bank(framework):
    report = import_document(sample_document(), framework)
    assert report.ok, report.errors
    Item.objects.update(status=Item.Status.OPERATIONAL)
    return Item.objects.order_by("code")


@pytest.fixture
def calibration(bank, framework):
    calibration = Calibration.objects.create(
        name="Calibration 2027", framework=framework, source=Calibration.Source.ESTIMATED
    )
    versions = latest_versions(Item.objects.all())
    ItemParameter.objects.bulk_create(
        ItemParameter(
            calibration=calibration,
            item_version=versions[item.pk],
            discrimination=PARAMETERS[item.code][0],
            difficulty=PARAMETERS[item.code][1],
        )
        for item in bank
    )
    return calibration


@pytest.fixture
def area(framework):
    return Area.objects.get(framework=framework, code="D2")


@pytest.fixture
def psychometrician(db):
    return make_user("psy@example.org", roles=(Role.PSYCHOMETRICIAN,))


@pytest.fixture
def panellists(db):
    return [make_user(f"panel{number}@example.org") for number in (1, 2, 3)]


@pytest.fixture
def study(psychometrician, area, calibration, panellists):
    return create_study(
        psychometrician,
        area=area,
        calibration=calibration,
        name="Seuils D2 2027",
        panellists=panellists,
    )


# Pages per panellist, level rank -> page (the four boundaries of a five-level scale).
PAGES = [
    {2: 2, 3: 3, 4: 5, 5: 7},
    {2: 1, 3: 3, 4: 6, 5: 8},
    {2: 2, 3: 4, 4: 5, 5: 7},
]


def bookmark_all(study, panellists, pages=PAGES):
    for person, placed in zip(panellists, pages, strict=True):
        place_bookmarks(study, person, placed)


# --- booklet ---------------------------------------------------------------------------------


def test_the_booklet_orders_items_by_rp67_location_with_ties_in_code_order(study):
    pages = booklet(study)
    assert [page.item_code for page in pages] == BOOKLET_ORDER
    assert [page.number for page in pages] == list(range(1, 8))
    assert [page.location for page in pages] == pytest.approx(LOCATIONS, abs=1e-12)
    assert pages[0].intended_level == 3


def test_a_higher_response_probability_moves_every_item_up(area, calibration):
    pages, left_out = booklet_candidates(area, calibration, 0.8)
    assert left_out == 0
    by_code = {page.item_code: page.location for page in pages}
    for code, (discrimination, difficulty) in PARAMETERS.items():
        assert by_code[code] == pytest.approx(difficulty + math.log(0.8 / 0.2) / discrimination)


def test_the_booklet_leaves_out_items_not_operational_or_not_calibrated(area, calibration):
    Item.objects.filter(code="T-0003").update(status=Item.Status.PRETEST)
    ItemParameter.objects.filter(
        calibration=calibration, item_version__item__code="T-0007"
    ).delete()
    pages, left_out = booklet_candidates(area, calibration, 0.67)
    assert [page.item_code for page in pages] == ["T-0004", "T-0002", "T-0001", "T-0006", "T-0005"]
    assert left_out == 1  # T-0007: operational, no parameters


def test_the_booklet_is_fixed_when_the_study_is_created(study):
    Item.objects.filter(code="T-0002").update(status=Item.Status.RETIRED)
    study.refresh_from_db()
    assert [page.item_code for page in booklet(study)] == BOOKLET_ORDER


def test_a_study_needs_a_psychometrician_and_a_calibration_of_the_area_framework(
    psychometrician, area, calibration, framework
):
    with pytest.raises(StandardSettingError) as refused:
        create_study(make_user(), area=area, calibration=calibration, name="x")
    assert refused.value.code == "forbidden"
    other = Framework.objects.create(code="AUTRE", version="1", title_fr="Autre")
    foreign = Calibration.objects.create(name="c", framework=other, source="estimated")
    with pytest.raises(StandardSettingError) as refused:
        create_study(psychometrician, area=area, calibration=foreign, name="x")
    assert refused.value.code == "calibration_framework"
    assert not BookmarkStudy.objects.exists()


def test_guessing_at_or_above_the_response_probability_is_refused(
    psychometrician, area, calibration
):
    ItemParameter.objects.filter(item_version__item__code="T-0001").update(guessing=0.5)
    with pytest.raises(StandardSettingError) as refused:
        create_study(
            psychometrician, area=area, calibration=calibration, name="x", response_probability=0.5
        )
    assert refused.value.code == "response_probability"
    study = create_study(psychometrician, area=area, calibration=calibration, name="3PL")
    first = next(page for page in booklet(study) if page.item_code == "T-0001")
    assert first.location == pytest.approx(0.5 + math.log((0.67 - 0.5) / 0.33))


# --- bookmarks -------------------------------------------------------------------------------


def test_bookmarks_must_increase_from_one_boundary_to_the_next(study, panellists):
    with pytest.raises(StandardSettingError) as refused:
        place_bookmarks(study, panellists[0], {2: 2, 3: 4, 4: 4, 5: 6})
    assert refused.value.code == "invalid_bookmarks"
    assert "niveau 4 (page 4)" in refused.value.fields["__all__"][0]
    assert not Bookmark.objects.exists()


@pytest.mark.parametrize(
    ("pages", "field"),
    [({2: 0, 3: 2, 4: 3, 5: 4}, "level_2"), ({2: 1, 3: 2, 4: 3, 5: 9}, "level_5")],
)
def test_pages_lie_between_the_first_and_after_the_last(study, panellists, pages, field):
    with pytest.raises(StandardSettingError) as refused:
        place_bookmarks(study, panellists[0], pages)
    assert list(refused.value.fields) == [field]
    assert "entre 1 et 8" in refused.value.fields[field][0]
    assert not Bookmark.objects.exists()


def test_a_missing_boundary_is_refused(study, panellists):
    with pytest.raises(StandardSettingError) as refused:
        place_bookmarks(study, panellists[0], {2: 1, 3: 2, 4: 3})
    assert list(refused.value.fields) == ["level_5"]


def test_a_panellist_replaces_their_bookmarks_within_the_round(study, panellists):
    place_bookmarks(study, panellists[0], {2: 1, 3: 2, 4: 3, 5: 4})
    place_bookmarks(study, panellists[0], {2: 2, 3: 3, 4: 5, 5: 8})
    stored = dict(
        Bookmark.objects.filter(panellist=panellists[0], round=1).values_list("level", "page")
    )
    assert stored == {2: 2, 3: 3, 4: 5, 5: 8}


def test_only_the_panel_places_bookmarks(study, psychometrician):
    with pytest.raises(StandardSettingError) as refused:
        place_bookmarks(study, psychometrician, PAGES[0])
    assert refused.value.code == "not_a_panellist"
    with pytest.raises(StandardSettingError):
        place_bookmarks(study, make_user(), PAGES[0])
    assert not Bookmark.objects.exists()


def test_a_closed_round_keeps_its_bookmarks_and_the_next_round_starts(
    study, panellists, psychometrician
):
    bookmark_all(study, panellists)
    assert close_round(study, psychometrician) == 1
    place_bookmarks(study, panellists[0], {2: 1, 3: 2, 4: 3, 5: 4})
    assert (
        dict(Bookmark.objects.filter(panellist=panellists[0], round=1).values_list("level", "page"))
        == PAGES[0]
    )
    assert Bookmark.objects.filter(round=2).count() == 4


def test_a_round_without_bookmarks_cannot_close_and_only_psychometricians_close(
    study, panellists, psychometrician
):
    with pytest.raises(StandardSettingError) as refused:
        close_round(study, psychometrician)
    assert refused.value.code == "empty_round"
    bookmark_all(study, panellists)
    with pytest.raises(StandardSettingError) as refused:
        close_round(study, panellists[0])
    assert refused.value.code == "forbidden"
    study.refresh_from_db()
    assert study.current_round == 1


def test_removing_a_panellist_drops_only_their_bookmarks_of_the_open_round(
    study, panellists, psychometrician
):
    bookmark_all(study, panellists)
    close_round(study, psychometrician)
    place_bookmarks(study, panellists[2], PAGES[2])
    remove_panellist(study, psychometrician, panellists[2])
    assert not study.panellists.filter(pk=panellists[2].pk).exists()
    assert Bookmark.objects.filter(panellist=panellists[2], round=1).count() == 4
    assert not Bookmark.objects.filter(panellist=panellists[2], round=2).exists()


def test_panellists_are_added_by_email_and_unknown_addresses_are_refused(study, psychometrician):
    person = make_user("Nouvelle@Example.org")
    assert add_panellist(study, psychometrician, " nouvelle@example.org ") == person
    assert study.panellists.filter(pk=person.pk).exists()
    with pytest.raises(StandardSettingError) as refused:
        add_panellist(study, psychometrician, "personne@example.org")
    assert refused.value.code == "unknown_account"


# --- results ---------------------------------------------------------------------------------


def test_round_results_take_the_midpoint_cut_of_each_bookmark_and_the_panel_median(
    study, panellists
):
    bookmark_all(study, panellists)
    (result,) = round_results(study, [1])
    assert result.panellist_count == 3 and not result.closed
    for index, boundary in enumerate(result.boundaries):
        rank = index + 2
        cuts = [expected_cut(pages[rank]) for pages in PAGES]
        assert boundary.level.rank == rank
        assert sorted(boundary.cuts) == pytest.approx(sorted(cuts))
        assert boundary.cut == pytest.approx(statistics.median(cuts))
        assert boundary.spread.mean == pytest.approx(statistics.mean(cuts))
        assert boundary.sd == pytest.approx(statistics.stdev(cuts))
        assert boundary.standard_error == pytest.approx(statistics.stdev(cuts) / math.sqrt(3))
        assert (boundary.spread.minimum, boundary.spread.maximum) == pytest.approx(
            (min(cuts), max(cuts))
        )
    # Page 1 is the first item's location, page 8 (after the last) the last item's.
    assert min(result.boundaries[0].cuts) == pytest.approx(LOCATIONS[0])
    assert max(result.boundaries[3].cuts) == pytest.approx(LOCATIONS[-1])
    assert result.cuts_increase


def test_one_panellist_has_no_spread(study, panellists):
    place_bookmarks(study, panellists[0], PAGES[0])
    (result,) = round_results(study, [1])
    assert result.boundaries[0].sd is None and result.boundaries[0].standard_error is None
    assert result.boundaries[0].cut == pytest.approx(expected_cut(2))


def test_panellists_see_closed_rounds_only_and_psychometricians_the_open_one_too(
    study, panellists, psychometrician
):
    assert visible_rounds(study, manages=False) == []
    assert visible_rounds(study, manages=True) == [1]
    bookmark_all(study, panellists)
    close_round(study, psychometrician)
    assert visible_rounds(study, manages=False) == [1]
    assert visible_rounds(study, manages=True) == [1, 2]


# --- access ----------------------------------------------------------------------------------


def test_access_gates_refuse_people_outside_the_study(study, panellists, psychometrician):
    assert access_study(psychometrician, study.pk) == (study, True)
    assert access_study(panellists[0], study.pk) == (study, False)
    with pytest.raises(PermissionDenied):
        access_study(make_user(), study.pk)
    with pytest.raises(PermissionDenied):
        access_managed_study(panellists[0], study.pk)
    with pytest.raises(Http404):
        access_study(psychometrician, study.pk + 1000)
    assert list(studies_for(panellists[1])) == [study]
    assert list(studies_for(make_user())) == []
    assert list(studies_for(psychometrician)) == [study]


# --- adoption --------------------------------------------------------------------------------


def test_adoption_makes_a_new_framework_version_with_the_new_cut_scores(
    study, panellists, psychometrician, framework
):
    bookmark_all(study, panellists)
    close_round(study, psychometrician)
    version = suggested_version(study)
    new = adopt_cut_scores(study, psychometrician, reason="Panel du 7 décembre", version=version)
    medians = [
        round(statistics.median(expected_cut(p[rank]) for p in PAGES), 4) for rank in (2, 3, 4, 5)
    ]
    cuts = list(
        Level.objects.filter(area__framework=new, area__code="D2")
        .order_by("rank")
        .values_list("min_theta", flat=True)
    )
    assert cuts == [None, *medians]
    # Other areas and the copied version keep their cut scores.
    for code in ("D1", "D2", "D3", "D4", "D5"):
        old = Level.objects.filter(area__framework=framework, area__code=code).order_by("rank")
        assert list(old.values_list("min_theta", flat=True)) == [None, -1.5, -0.5, 0.5, 1.5]
        if code != "D2":
            copied = Level.objects.filter(area__framework=new, area__code=code).order_by("rank")
            assert list(copied.values_list("min_theta", flat=True)) == [None, -1.5, -0.5, 0.5, 1.5]
    study.refresh_from_db()
    assert study.status == BookmarkStudy.Status.ADOPTED
    assert study.adopted_framework == new and new.version == version
    assert study.adopted_round == 1 and study.adopted_by == psychometrician
    assert study.adoption_reason == "Panel du 7 décembre"
    assert study.adopted_cut_scores == {
        str(rank): cut for rank, cut in zip((2, 3, 4, 5), medians, strict=True)
    }
    assert study.adopted_at is not None
    with pytest.raises(StandardSettingError) as refused:
        place_bookmarks(study, panellists[0], PAGES[0])
    assert refused.value.code == "study_not_open"


def test_adoption_needs_a_closed_round_a_reason_a_free_version_and_a_psychometrician(
    study, panellists, psychometrician, framework
):
    bookmark_all(study, panellists)
    frameworks = Framework.objects.count()
    cases = [
        (psychometrician, "motif", "v2", "no_closed_round"),
    ]
    for by, reason, version, code in cases:
        with pytest.raises(StandardSettingError) as refused:
            adopt_cut_scores(study, by, reason=reason, version=version)
        assert refused.value.code == code
    close_round(study, psychometrician)
    for by, reason, version, code in [
        (panellists[0], "motif", "v2", "forbidden"),
        (psychometrician, "  ", "v2", "reason_required"),
        (psychometrician, "motif", framework.version, "invalid_version"),
        (psychometrician, "motif", "v 2", "invalid_version"),
    ]:
        with pytest.raises(StandardSettingError) as refused:
            adopt_cut_scores(study, by, reason=reason, version=version)
        assert refused.value.code == code
    study.refresh_from_db()
    assert study.status == BookmarkStudy.Status.OPEN and study.adopted_framework is None
    assert Framework.objects.count() == frameworks


def test_cut_scores_that_do_not_increase_are_not_adopted_and_nothing_changes(
    psychometrician, area, bank, framework, panellists
):
    # The provisional calibration gives every sample item (all level 3) the same location:
    # every bookmark gives the same cut, so the levels in between would be empty.
    provisional = create_provisional_calibration(framework)
    study = create_study(
        psychometrician, area=area, calibration=provisional, name="x", panellists=panellists
    )
    bookmark_all(study, panellists)
    close_round(study, psychometrician)
    (result,) = round_results(study, [1])
    assert not result.cuts_increase
    frameworks = Framework.objects.count()
    with pytest.raises(StandardSettingError) as refused:
        adopt_cut_scores(study, psychometrician, reason="motif", version="v2")
    assert refused.value.code == "cuts_not_increasing"
    study.refresh_from_db()
    assert study.status == BookmarkStudy.Status.OPEN
    assert Framework.objects.count() == frameworks


def test_a_study_closed_without_adoption_no_longer_changes(study, panellists, psychometrician):
    close_study(study, psychometrician)
    study.refresh_from_db()
    assert study.status == BookmarkStudy.Status.CLOSED
    with pytest.raises(StandardSettingError):
        place_bookmarks(study, panellists[0], PAGES[0])
    with pytest.raises(StandardSettingError):
        add_panellist(study, psychometrician, panellists[0].email)
