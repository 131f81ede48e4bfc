"""Reads of the bookmark standard-setting workspace: the ordered item booklet, the level
boundaries, each round's cut scores with their spread (docs/standard-setting.md).

The psychometrics are the engine's (`palier.engine.standard_setting`): RP locations and the
booklet order (`rp_location`, `ordered_item_booklet`), the cut score of one bookmark
(`bookmark_cut`, midpoint rule) and the panel's spread (`panel_cut_scores`). No writes here.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from palier.accounts.models import User
from palier.engine import (
    PanelResult,
    bookmark_cut,
    ordered_item_booklet,
    panel_cut_scores,
    rp_location,
)
from palier.frameworks.models import Area, Framework, Level
from palier.items.models import Calibration, Item, ItemParameter, ItemVersion
from palier.items.queries import latest_versions
from palier.psychometrics.models import Bookmark, BookmarkStudy

# --- the ordered item booklet ----------------------------------------------------------------


@dataclass(frozen=True)
class BookletPage:
    """One page of the ordered item booklet: an item version and its RP location."""

    number: int
    version: ItemVersion
    location: float
    discrimination: float
    difficulty: float
    guessing: float | None

    @property
    def item_code(self) -> str:
        return self.version.item.code

    @property
    def intended_level(self) -> int:
        return self.version.intended_level


def _pages(
    versions: list[ItemVersion],
    parameters: Mapping[int, ItemParameter],
    response_probability: float,
    ordered: bool,
) -> list[BookletPage]:
    """Pages for `versions` (all with parameters): in the given order when `ordered`, else
    sorted by RP location with the engine's stable tie rule (ties keep the given order)."""
    if not versions:
        return []
    chosen = [parameters[version.pk] for version in versions]
    locations = rp_location(
        [parameter.discrimination for parameter in chosen],
        [parameter.difficulty for parameter in chosen],
        [parameter.guessing or 0.0 for parameter in chosen],
        rp=response_probability,
    )
    order = range(len(versions)) if ordered else ordered_item_booklet(locations)
    return [
        BookletPage(
            number=number,
            version=versions[index],
            location=float(locations[index]),
            discrimination=chosen[index].discrimination,
            difficulty=chosen[index].difficulty,
            guessing=chosen[index].guessing,
        )
        for number, index in enumerate(order, start=1)
    ]


def booklet_candidates(
    area: Area, calibration: Calibration, response_probability: float
) -> tuple[list[BookletPage], int]:
    """The booklet a new study of `area` would get, and how many operational items of the
    area were left out because the calibration has no parameters for their latest version.

    Each operational item of the area contributes its latest version; pages follow the RP
    location, ties in item-code order."""
    items = Item.objects.filter(
        status=Item.Status.OPERATIONAL, capacity__competence__area=area
    ).order_by("code")
    versions = latest_versions(items)
    parameters = {
        parameter.item_version_id: parameter
        for parameter in ItemParameter.objects.filter(
            calibration=calibration, item_version_id__in=[v.pk for v in versions.values()]
        )
    }
    calibrated = sorted(
        (version for version in versions.values() if version.pk in parameters),
        key=lambda version: version.item.code,
    )
    pages = _pages(calibrated, parameters, response_probability, ordered=False)
    return pages, len(versions) - len(calibrated)


def booklet(study: BookmarkStudy) -> list[BookletPage]:
    """The study's booklet, in the order fixed when the study was created (three queries)."""
    ids = [int(version_id) for version_id in study.booklet]
    versions = ItemVersion.objects.select_related("item", "stimulus_version").in_bulk(ids)
    parameters = {
        parameter.item_version_id: parameter
        for parameter in ItemParameter.objects.filter(
            calibration_id=study.calibration_id, item_version_id__in=ids
        )
    }
    return _pages(
        [versions[version_id] for version_id in ids],
        parameters,
        study.response_probability,
        ordered=True,
    )


def boundary_levels(area: Area) -> list[Level]:
    """The levels that start at a boundary: every level of the area but the lowest."""
    return list(Level.objects.filter(area=area).order_by("rank"))[1:]


def own_bookmarks(study: BookmarkStudy, panellist: Any, round_number: int) -> dict[int, int]:
    """A panellist's pages in one round, by level rank."""
    return dict(
        Bookmark.objects.filter(
            study=study, panellist_id=panellist.pk, round=round_number
        ).values_list("level", "page")
    )


# --- results ----------------------------------------------------------------------------------


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class BoundaryResult:
    """One level boundary in one round: each panellist's cut and the panel's spread."""

    level: Level
    cuts: tuple[float, ...]
    spread: PanelResult | None

    @property
    def cut(self) -> float | None:
        """The panel's cut score (the median), None when nobody bookmarked."""
        return self.spread.median if self.spread else None

    @property
    def sd(self) -> float | None:
        return _finite(self.spread.sd) if self.spread else None

    @property
    def standard_error(self) -> float | None:
        return _finite(self.spread.standard_error) if self.spread else None


@dataclass(frozen=True)
class PanellistRow:
    panellist: User
    pages: tuple[int | None, ...]
    cuts: tuple[float | None, ...]

    @property
    def entries(self) -> list[tuple[int | None, float | None]]:
        """(page, cut) per boundary, lowest boundary first."""
        return list(zip(self.pages, self.cuts, strict=True))


@dataclass(frozen=True)
class RoundResult:
    number: int
    closed: bool
    boundaries: tuple[BoundaryResult, ...]
    panellists: tuple[PanellistRow, ...]

    @property
    def panellist_count(self) -> int:
        return len(self.panellists)

    @property
    def cuts_increase(self) -> bool:
        """Every boundary has a cut and each is above the previous one."""
        cuts = [boundary.cut for boundary in self.boundaries]
        if any(cut is None for cut in cuts):
            return False
        return all(low < high for low, high in itertools.pairwise(cuts))  # type: ignore[operator]


def round_results(
    study: BookmarkStudy,
    rounds: Iterable[int],
    pages: list[BookletPage] | None = None,
    levels: list[Level] | None = None,
) -> list[RoundResult]:
    """Cut scores of the given rounds: each panellist's cut per boundary (the engine's
    `bookmark_cut`, midpoint rule) and the panel's spread (`panel_cut_scores`)."""
    numbers = sorted(set(rounds))
    pages = booklet(study) if pages is None else pages
    levels = boundary_levels(study.area) if levels is None else levels
    locations = [page.location for page in pages]
    bookmarks = (
        Bookmark.objects.filter(study=study, round__in=numbers)
        .select_related("panellist")
        .order_by("round", "panellist__email", "panellist_id", "level")
    )
    by_round: dict[int, dict[int, tuple[User, dict[int, int]]]] = {}
    for bookmark in bookmarks:
        panel = by_round.setdefault(bookmark.round, {})
        panel.setdefault(bookmark.panellist_id, (bookmark.panellist, {}))[1][bookmark.level] = (
            bookmark.page
        )
    results = []
    for number in numbers:
        rows = []
        for person, placed in by_round.get(number, {}).values():
            row_pages = tuple(placed.get(level.rank) for level in levels)
            row_cuts = tuple(
                None if page is None else bookmark_cut(locations, page) for page in row_pages
            )
            rows.append(PanellistRow(person, row_pages, row_cuts))
        boundaries = []
        for index, level in enumerate(levels):
            cuts = tuple(cut for row in rows if (cut := row.cuts[index]) is not None)
            boundaries.append(BoundaryResult(level, cuts, panel_cut_scores(cuts) if cuts else None))
        results.append(
            RoundResult(
                number=number,
                closed=number < study.current_round,
                boundaries=tuple(boundaries),
                panellists=tuple(rows),
            )
        )
    return results


def visible_rounds(study: BookmarkStudy, manages: bool) -> list[int]:
    """Rounds whose results a user may see: closed ones, and for a psychometrician the one
    in progress as well (panellists see only their own bookmarks until it closes)."""
    last = study.current_round if manages else study.current_round - 1
    return list(range(1, last + 1))


def current_cut_scores(study: BookmarkStudy) -> dict[int, float | None]:
    """The area's cut scores in the study's framework version, by level rank."""
    return dict(
        Level.objects.filter(area=study.area).order_by("rank").values_list("rank", "min_theta")
    )


def suggested_version(study: BookmarkStudy) -> str:
    """A free version name for the framework the adoption will create."""
    base = f"{study.framework.version}-seuils-{study.area.code}"[:28]
    taken = set(
        Framework.objects.filter(code=study.framework.code, version__startswith=base).values_list(
            "version", flat=True
        )
    )
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, 1000) if f"{base}-{n}" not in taken)
