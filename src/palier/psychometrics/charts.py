"""Geometry of the review page's charts (server-rendered SVG), computed here because a
template cannot. Every number drawn is also in a table on the page; marks differ by shape
and by their text, never by colour alone. Coordinates are strings: a float given to a
template would be localised ("20,5") and break the SVG."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.formats import number_format

from palier.psychometrics.queries import ParameterRow
from palier.psychometrics.review_summary import Impact

# The scatter of difficulties (SVG user units): a square plot with room for the axis labels.
SCATTER_SIZE = 360
SCATTER_MARGIN = 48
# Axes span whole logits, at least this wide, so that a small bank is not blown up.
SCATTER_MIN_SPAN = 4
# Tick every logit up to this span, every two beyond.
SCATTER_FINE_TICKS_SPAN = 8

# Paired bars of the simulated impact.
BARS_LABEL_WIDTH = 40
BARS_LENGTH = 240
# Room after the longest bar for its label and value.
BARS_TEXT_WIDTH = 190
BAR_HEIGHT = 14
BAR_GAP = 4
GROUP_GAP = 12


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


# Half the side of the square marking an item whose parameters were not re-estimated.
SQUARE_HALF_SIDE = 3.5


@dataclass(frozen=True)
class Point:
    x: str
    y: str
    #: Top-left corner of the square drawn for items not re-estimated.
    corner_x: str
    corner_y: str
    estimated: bool
    label: str


@dataclass(frozen=True)
class Tick:
    value: int
    x: str
    y: str


@dataclass(frozen=True)
class Scatter:
    size: int
    low: str
    high: str
    points: list[Point]
    ticks: list[Tick]
    #: Items of the draft without parameters in the active calibration (not drawn).
    missing: int


def difficulty_scatter(rows: Sequence[ParameterRow]) -> Scatter | None:
    """Difficulty in the draft (vertical) against the active calibration (horizontal), one
    mark per item present in both, on equal axes with the line of no change; None when no
    item can be compared."""
    pairs = [
        (
            row.active_difficulty,
            row.difficulty,
            row.estimated,
            f"{row.item_code} v{row.version_number}",
        )
        for row in rows
        if row.active_difficulty is not None
    ]
    if not pairs:
        return None
    values = [value for active, draft, _estimated, _label in pairs for value in (active, draft)]
    low, high = math.floor(min(values)), math.ceil(max(values))
    if high - low < SCATTER_MIN_SPAN:
        middle = (low + high) // 2
        low, high = middle - SCATTER_MIN_SPAN // 2, middle + SCATTER_MIN_SPAN // 2
    span = high - low
    plot = SCATTER_SIZE - 2 * SCATTER_MARGIN

    def x(value: float) -> float:
        return SCATTER_MARGIN + plot * (value - low) / span

    def y(value: float) -> float:
        return SCATTER_SIZE - SCATTER_MARGIN - plot * (value - low) / span

    step = 1 if span <= SCATTER_FINE_TICKS_SPAN else 2
    return Scatter(
        size=SCATTER_SIZE,
        low=_coordinate(SCATTER_MARGIN),
        high=_coordinate(SCATTER_SIZE - SCATTER_MARGIN),
        points=[
            Point(
                _coordinate(x(active)),
                _coordinate(y(draft)),
                _coordinate(x(active) - SQUARE_HALF_SIDE),
                _coordinate(y(draft) - SQUARE_HALF_SIDE),
                estimated,
                label,
            )
            # Hollow squares last, on top: a disc under one stays visible through it.
            for active, draft, estimated, label in sorted(pairs, key=lambda pair: not pair[2])
        ],
        ticks=[
            Tick(value, _coordinate(x(value)), _coordinate(y(value)))
            for value in range(low, high + 1, step)
        ],
        missing=len(rows) - len(pairs),
    )


@dataclass(frozen=True)
class Bar:
    y: str
    width: str
    text_x: str
    text_y: str
    text: str
    draft: bool


@dataclass(frozen=True)
class BarGroup:
    label: str
    label_y: str
    bars: list[Bar]


@dataclass(frozen=True)
class PairedBars:
    height: int
    width: int
    left: int
    bar_height: int
    groups: list[BarGroup]


def paired_bars(
    rows: Sequence[tuple[str, float | None, float | None]],
    *,
    scale: float,
    text: Callable[[float], str],
    active_label: str,
    draft_label: str,
) -> PairedBars | None:
    """Two horizontal bars per row (active calibration, then draft), each ending with its
    label and value (`text` formats the value); `scale` is the value of a
    full-length bar. None when there is nothing to draw."""
    if not any(value is not None for _label, *values in rows for value in values) or scale <= 0:
        return None
    groups = []
    top = 0
    for label, active, draft in rows:
        bars = []
        for index, (value, is_draft, name) in enumerate(
            ((active, False, active_label), (draft, True, draft_label))
        ):
            bar_y = top + index * (BAR_HEIGHT + BAR_GAP)
            width = 0.0 if value is None else BARS_LENGTH * min(max(value, 0.0), scale) / scale
            shown = "—" if value is None else text(value)
            bars.append(
                Bar(
                    y=_coordinate(bar_y),
                    width=_coordinate(width),
                    text_x=_coordinate(BARS_LABEL_WIDTH + width + 6),
                    text_y=_coordinate(bar_y + BAR_HEIGHT - 3),
                    text=f"{name} {shown}",
                    draft=is_draft,
                )
            )
        groups.append(BarGroup(label, _coordinate(top + BAR_HEIGHT + BAR_GAP / 2 + 4), bars))
        top += 2 * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP
    return PairedBars(
        height=top,
        width=BARS_LABEL_WIDTH + BARS_LENGTH + BARS_TEXT_WIDTH,
        left=BARS_LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        groups=groups,
    )


def impact_charts(
    impact: Impact, active_label: str, draft_label: str
) -> dict[str, PairedBars | None]:
    """The three charts of the simulated impact: mean length, exact-level accuracy and mean
    SE per area, active calibration against draft."""
    lengths = [value for value in (impact.mean_length_active, impact.mean_length_draft) if value]
    errors = [
        value
        for row in impact.areas
        for value in (row.se_active, row.se_draft)
        if value is not None
    ]
    labels = {"active_label": active_label, "draft_label": draft_label}
    return {
        "length": paired_bars(
            [("", impact.mean_length_active, impact.mean_length_draft)],
            scale=max(lengths, default=0.0),
            text=lambda value: number_format(value, 1),
            **labels,
        ),
        "accuracy": paired_bars(
            [(row.area_code, row.accuracy_active, row.accuracy_draft) for row in impact.areas],
            scale=1.0,
            text=lambda value: f"{number_format(100 * value, 0)} %",
            **labels,
        ),
        "se": paired_bars(
            [(row.area_code, row.se_active, row.se_draft) for row in impact.areas],
            scale=max(errors, default=0.0),
            text=lambda value: number_format(value, 2),
            **labels,
        ),
    }
