"""The geometry of the trajectory charts (a template cannot compute it): one small line chart
per target, actual figures by academic year (solid line, each point labelled with its
value), the projection to the target year (dashed line, labelled) and the target (a thick
horizontal line, labelled). Lines differ by dash pattern and carry their values as text, so
colour is never needed to read them; the same figures are in the data table beside the
charts. Coordinates are written as integers: a float would be localised ("20,5") in the SVG.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from palier.steering.privacy import Shown
from palier.steering.templatetags.steering_tables import number
from palier.steering.years import year_label

WIDTH = 560
HEIGHT = 250
PLOT_LEFT = 64
PLOT_RIGHT = 440
PLOT_TOP = 24
PLOT_BOTTOM = 200
# A share target's axis always runs to 100 %; a count's to the largest figure, rounded up.
SHARE_TOP = 100
# Room above the largest count, so its label stays inside the chart.
HEADROOM = 1.1


@dataclass(frozen=True)
class Point:
    x: int
    y: int
    label: str


@dataclass(frozen=True)
class Tick:
    x: int
    label: str


@dataclass(frozen=True)
class TrajectoryChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    top_label: str
    ticks: tuple[Tick, ...]
    actual: tuple[Point, ...]
    actual_points: str
    projection_points: str
    projection: Point | None
    target: Point


def _nice_top(value: float) -> float:
    """The next "round" number above `value` (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def trajectory_chart(
    trajectory: Sequence[tuple[int, Shown]],
    target: tuple[int, float],
    projection: tuple[int, float] | None,
    *,
    share: bool,
) -> TrajectoryChart | None:
    """The chart of one target; None when there is no year to draw."""
    if not trajectory:
        return None
    unit = " %" if share else ""
    target_year, target_value = target
    years = [year for year, _cell in trajectory]
    first = min(years)
    last = max([*years, target_year, *([projection[0]] if projection else [])])
    figures = [float(cell.value) for _year, cell in trajectory if cell.value is not None]
    if share:
        top = float(SHARE_TOP)
    else:
        largest = max([*figures, float(target_value), *([projection[1]] if projection else [])])
        top = float(_nice_top(largest * HEADROOM))
    step = (PLOT_RIGHT - PLOT_LEFT) / max(last - first, 1)

    def x(year: int) -> int:
        return round(PLOT_LEFT + (year - first) * step)

    def y(value: float) -> int:
        return round(PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * min(float(value), top) / top)

    actual = tuple(
        Point(x(year), y(cell.value), f"{number(cell.value)}{unit}")
        for year, cell in trajectory
        if cell.value is not None
    )
    projected = None
    projection_points = ""
    if projection is not None and actual:
        projected = Point(x(projection[0]), y(projection[1]), f"{number(projection[1])}{unit}")
        projection_points = f"{actual[-1].x},{actual[-1].y} {projected.x},{projected.y}"
    return TrajectoryChart(
        width=WIDTH,
        height=HEIGHT,
        left=PLOT_LEFT,
        right=PLOT_RIGHT,
        top=PLOT_TOP,
        bottom=PLOT_BOTTOM,
        top_label=f"{number(top)}{unit}",
        ticks=tuple(Tick(x(year), year_label(year)) for year in range(first, last + 1)),
        actual=actual,
        actual_points=" ".join(f"{point.x},{point.y}" for point in actual),
        projection_points=projection_points,
        projection=projected,
        target=Point(x(target_year), y(target_value), f"{number(target_value)}{unit}"),
    )
