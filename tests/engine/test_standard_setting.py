import math

import numpy as np
import pytest

from palier.engine import (
    AreaCutScores,
    PanelResult,
    area_cut_scores,
    bookmark_cut,
    ordered_item_booklet,
    panel_cut_scores,
    probability,
    rp_location,
)


def test_the_rp67_location_of_a_two_pl_item_is_b_plus_ln_67_over_33_divided_by_a():
    locations = rp_location([1.0, 2.0], [0.0, -1.0])
    # ln(0.67 / 0.33) = 0.70818...
    assert locations == pytest.approx([0.708185, -1 + 0.708185 / 2], abs=1e-6)


def test_the_three_pl_location_accounts_for_guessing():
    # rp 0.6, c 0.2: ln(0.4 / 0.4) = 0, so the location is b itself.
    assert rp_location([1.5], [0.3], [0.2], rp=0.6) == pytest.approx([0.3])
    location = rp_location([1.2], [0.5], [0.25])
    assert probability(location, 1.2, 0.5, 0.25) == pytest.approx([0.67])


def test_a_response_probability_not_above_guessing_is_refused():
    with pytest.raises(ValueError, match=r"\[0, rp\)"):
        rp_location([1.0], [0.0], [0.7], rp=0.67)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        rp_location([1.0], [0.0], rp=1.0)
    with pytest.raises(ValueError, match="> 0"):
        rp_location([0.0], [0.0])


def test_the_booklet_orders_items_by_location_and_keeps_the_given_order_for_ties():
    # Items 1 and 3 have the same parameters; item 3 differs from them by rounding noise.
    locations = rp_location([1.0, 0.5, 2.0, 0.5], [1.0, 0.0, -1.0, 0.0])
    locations[3] = np.nextafter(locations[1], -np.inf)
    assert ordered_item_booklet(locations).tolist() == [2, 1, 3, 0]


BOOKLET = [-1.0, -0.4, 0.2, 0.6, 1.4]


@pytest.mark.parametrize(
    ("bookmark", "rule", "cut"),
    [
        (3, "midpoint", (-0.4 + 0.2) / 2),  # pages 1-2 mastered, bookmark on page 3
        (3, "bookmarked", 0.2),
        (3, "mastered", -0.4),
        (1, "midpoint", -1.0),  # nothing mastered: the first item's location
        (6, "midpoint", 1.4),  # everything mastered: the last item's location
        (5, "midpoint", 1.0),
    ],
)
def test_a_bookmark_gives_the_cut_score_of_its_convention(bookmark, rule, cut):
    assert bookmark_cut(BOOKLET, bookmark, rule) == pytest.approx(cut)


@pytest.mark.parametrize(
    ("locations", "bookmark", "message"),
    [
        (BOOKLET, 0, "between 1 and 6"),
        (BOOKLET, 7, "between 1 and 6"),
        (BOOKLET, 2.5, "integer page"),
        ([0.5, 0.1], 1, "booklet order"),
        ([], 1, "non-empty"),
    ],
)
def test_bad_bookmarks_are_refused(locations, bookmark, message):
    with pytest.raises(ValueError, match=message):
        bookmark_cut(locations, bookmark)


def test_the_panel_summary_matches_the_hand_computed_spread():
    result = panel_cut_scores([0.1, 0.3, 0.2, 0.6])
    assert isinstance(result, PanelResult)
    assert result.median == pytest.approx(0.25)
    assert result.mean == pytest.approx(0.3)
    # deviations -0.2, 0, -0.1, 0.3: sum of squares 0.14, over n - 1 = 3
    assert result.sd == pytest.approx(math.sqrt(0.14 / 3))
    assert result.standard_error == pytest.approx(math.sqrt(0.14 / 3) / 2)
    assert (result.minimum, result.maximum, result.n) == (0.1, 0.6, 4)


def test_a_single_panellist_has_no_spread():
    result = panel_cut_scores([0.4])
    assert result.median == result.mean == 0.4
    assert math.isnan(result.sd) and math.isnan(result.standard_error)


def test_an_area_adopts_each_boundary_median_and_keeps_the_spreads():
    result = area_cut_scores([[-1.2, -0.8, -1.0], [0.1, 0.5, 0.2], [1.1, 1.6, 1.3]])
    assert isinstance(result, AreaCutScores)
    assert result.cut_scores == pytest.approx((-1.0, 0.2, 1.3))
    assert [boundary.n for boundary in result.boundaries] == [3, 3, 3]
    assert area_cut_scores([[0.0, 1.0], [1.0, 2.0]], "mean").cut_scores == (0.5, 1.5)


def test_non_increasing_adopted_cut_scores_are_refused():
    with pytest.raises(ValueError, match=r"boundary 2 \(-0.100\) is not above boundary 1"):
        area_cut_scores([[0.0, 0.1, -0.1], [-0.1, -0.2, 0.3]])
    with pytest.raises(ValueError, match="not above"):
        area_cut_scores([[0.2], [0.2]])


def test_bookmarks_of_a_panel_become_an_area_s_cut_scores():
    # Five items of one area; three panellists bookmark two boundaries.
    locations = rp_location([1.0, 1.0, 1.0, 1.0, 1.0], [0.8, -1.2, 0.0, 1.5, -0.5])
    booklet = locations[ordered_item_booklet(locations)]
    bookmarks = {"lower": [2, 3, 2], "upper": [4, 5, 4]}
    cuts = [[bookmark_cut(booklet, page) for page in pages] for pages in bookmarks.values()]
    result = area_cut_scores(cuts)
    shift = math.log(0.67 / 0.33)
    # Booklet b: -1.2, -0.5, 0.0, 0.8, 1.5 (+ shift); median bookmarks 2 and 4.
    assert result.cut_scores == pytest.approx(((-1.2 - 0.5) / 2 + shift, 0.4 + shift))
