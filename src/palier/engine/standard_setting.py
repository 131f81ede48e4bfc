"""Standard setting by the bookmark method: ordered item booklet, bookmarks, cut scores.

**Response-probability location** (RP, default RP67; Mitzel, Lewis, Patz & Green, 2001): the
ability at which an item is answered correctly with probability ``rp``. Solving
``rp = c + (1 - c) / (1 + exp(-a (theta - b)))`` for theta:

    theta_rp = b + ln((rp - c) / (1 - rp)) / a                  (needs c < rp < 1)

For the 2PL at RP67, ``theta_rp = b + 0.708 / a``. The **ordered item booklet** lists the
items by increasing RP location; items with tied locations (within the engine's tie
tolerance) keep the order in which they were given, so the booklet does not depend on the last
bits of the computed locations.

**Bookmark** (convention used here): a panellist's bookmark is the 1-based page of the booklet
on which they place it, the *first* item that a borderline candidate (just at the level) would
*not* answer correctly with probability ``rp``: pages ``1 .. bookmark - 1`` are mastered,
``bookmark = 1`` means none is, ``bookmark = n + 1`` (after the last page) means all are. The
borderline candidate's ability lies between the RP location of the last mastered item and
that of the bookmarked item; the cut score is (``rule``):

- ``"midpoint"`` (default): the midpoint of the two locations, which does not favour either
  reading of the bookmark (Karantonis & Sireci, 2006, review both);
- ``"bookmarked"``: the location of the bookmarked item (Mitzel et al., 2001);
- ``"mastered"``: the location of the last mastered item.

At the ends of the booklet the one existing neighbour is used (a bookmark on page 1 gives the
first item's location, a bookmark after the last page the last item's).

**Panel**: each boundary's cut score is summarised over panellists by its median (adopted by
default, robust to one outlying panellist), mean, SD (``n - 1`` denominator), the standard
error of the mean ``SD / sqrt(n)`` and the range (Cizek & Bunch, 2007, ch. 10). The cuts of
one area (one per level boundary) must strictly increase.

References: Mitzel, H. C., Lewis, D. M., Patz, R. J., & Green, D. R. (2001). The bookmark
procedure: psychological perspectives. In G. J. Cizek (Ed.), *Setting performance standards*
(pp. 249-281). Erlbaum. Karantonis, A., & Sireci, S. G. (2006). The bookmark standard-setting
method: a literature review. *Educational Measurement: Issues and Practice*, 25(1), 4-12.
Cizek, G. J., & Bunch, M. B. (2007). *Standard setting*. Sage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from palier.engine.arrays import FloatArray, IntArray
from palier.engine.ties import rank, tolerance

#: The usual response probability of the bookmark method (two chances in three).
DEFAULT_RESPONSE_PROBABILITY = 0.67

BookmarkRule = Literal["midpoint", "bookmarked", "mastered"]
PanelStatistic = Literal["median", "mean"]


@dataclass(frozen=True)
class PanelResult:
    """Spread of one boundary's cut score over the panellists (logits)."""

    median: float
    mean: float
    #: Standard deviation with ``n - 1`` denominator; NaN for a single panellist.
    sd: float
    #: Standard error of the mean cut, ``sd / sqrt(n)``; NaN for a single panellist.
    standard_error: float
    minimum: float
    maximum: float
    n: int


@dataclass(frozen=True)
class AreaCutScores:
    """Adopted cut scores of one area, strictly increasing, with each boundary's spread."""

    cut_scores: tuple[float, ...]
    boundaries: tuple[PanelResult, ...]


def rp_location(
    a: ArrayLike,
    b: ArrayLike,
    c: ArrayLike | None = None,
    rp: float = DEFAULT_RESPONSE_PROBABILITY,
) -> FloatArray:
    """Ability at which each item is answered correctly with probability ``rp``:
    ``b + ln((rp - c) / (1 - rp)) / a`` (2PL: ``c = 0``)."""
    discrimination = np.asarray(a, dtype=np.float64)
    difficulty = np.asarray(b, dtype=np.float64)
    guessing = np.zeros_like(discrimination) if c is None else np.asarray(c, dtype=np.float64)
    if discrimination.ndim != 1 or not (difficulty.shape == guessing.shape == discrimination.shape):
        raise ValueError("a, b and c must be 1-D arrays of equal length")
    if not np.all(np.isfinite(discrimination)) or np.any(discrimination <= 0):
        raise ValueError("discriminations must be finite and > 0")
    if not np.all(np.isfinite(difficulty)):
        raise ValueError("difficulties must be finite")
    if not 0 < rp < 1:
        raise ValueError("rp must lie strictly between 0 and 1")
    if not np.all((guessing >= 0) & (guessing < rp)):
        raise ValueError(f"guessing parameters must lie in [0, rp) = [0, {rp})")
    return np.asarray(
        difficulty + np.log((rp - guessing) / (1 - rp)) / discrimination, dtype=np.float64
    )


def ordered_item_booklet(locations: ArrayLike) -> IntArray:
    """Positions of the items by increasing RP location; tied locations keep their order."""
    values = np.asarray(locations, dtype=np.float64)
    if values.ndim != 1 or not np.all(np.isfinite(values)):
        raise ValueError("locations must be a 1-D array of finite values")
    # rank() orders from largest to smallest with ties in increasing position: rank the
    # negated locations to get increasing locations with the same tie rule.
    return rank(-values)


def bookmark_cut(
    locations_in_booklet_order: ArrayLike, bookmark: int, rule: BookmarkRule = "midpoint"
) -> float:
    """Cut score implied by one bookmark (page ``1 .. n + 1``; convention in the module
    docstring): midpoint of the last mastered and the bookmarked item's RP locations by
    default."""
    locations = np.asarray(locations_in_booklet_order, dtype=np.float64)
    if locations.ndim != 1 or locations.size == 0 or not np.all(np.isfinite(locations)):
        raise ValueError("locations must be a non-empty 1-D array of finite values")
    steps = np.diff(locations)
    if np.any(steps < -tolerance(locations[:-1])):
        raise ValueError("locations must be in booklet order (non-decreasing)")
    if isinstance(bookmark, bool) or not isinstance(bookmark, int | np.integer):
        raise ValueError("bookmark must be an integer page number")
    if not 1 <= bookmark <= locations.size + 1:
        raise ValueError(f"bookmark must lie between 1 and {locations.size + 1}")
    if rule not in ("midpoint", "bookmarked", "mastered"):
        raise ValueError(f"rule must be 'midpoint', 'bookmarked' or 'mastered', got {rule!r}")
    last_mastered = locations[max(bookmark - 2, 0)]
    bookmarked = locations[min(bookmark - 1, locations.size - 1)]
    if rule == "bookmarked":
        return float(bookmarked)
    if rule == "mastered":
        return float(last_mastered)
    return float((last_mastered + bookmarked) / 2)


def panel_cut_scores(cuts_by_panellist: ArrayLike) -> PanelResult:
    """Median, mean, SD, standard error of the mean and range of one boundary's cut scores."""
    cuts = np.asarray(cuts_by_panellist, dtype=np.float64)
    if cuts.ndim != 1 or cuts.size == 0:
        raise ValueError("cuts_by_panellist must be a non-empty 1-D sequence")
    if not np.all(np.isfinite(cuts)):
        raise ValueError("cut scores must be finite")
    n = int(cuts.size)
    sd = float(np.std(cuts, ddof=1)) if n > 1 else float("nan")
    return PanelResult(
        median=float(np.median(cuts)),
        mean=float(np.mean(cuts)),
        sd=sd,
        standard_error=sd / float(np.sqrt(n)),
        minimum=float(cuts.min()),
        maximum=float(cuts.max()),
        n=n,
    )


def area_cut_scores(
    cuts_by_boundary: Sequence[ArrayLike], statistic: PanelStatistic = "median"
) -> AreaCutScores:
    """Adopted cut scores of one area from the panellists' cuts at each level boundary
    (lowest boundary first): the median (or mean) per boundary, refused unless strictly
    increasing (a level would otherwise be empty)."""
    if statistic not in ("median", "mean"):
        raise ValueError(f"statistic must be 'median' or 'mean', got {statistic!r}")
    if len(cuts_by_boundary) == 0:
        raise ValueError("at least one level boundary is needed")
    boundaries = tuple(panel_cut_scores(cuts) for cuts in cuts_by_boundary)
    adopted = tuple(getattr(boundary, statistic) for boundary in boundaries)
    for index in range(1, len(adopted)):
        if adopted[index] <= adopted[index - 1]:
            raise ValueError(
                f"adopted cut scores must increase: boundary {index + 1} ({adopted[index]:.3f}) "
                f"is not above boundary {index} ({adopted[index - 1]:.3f})"
            )
    return AreaCutScores(cut_scores=adopted, boundaries=boundaries)
