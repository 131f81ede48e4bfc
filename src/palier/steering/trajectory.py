"""A target's trajectory: the actual values by academic year, a projection to the target
year from the trend, and where the plan stands, in words. Pure: values in, values out.

- Projection: the least-squares line through the last `TREND_POINTS` known years (at least
  two), read at the target year. With one known year there is no trend: no projection.
- Share targets (a percentage) and one-off count targets: *reached* when the latest known
  value at or after the target year meets the target, or a value before it already does;
  *behind* when the target year is known and missed, or when the projection falls short;
  *on track* when the projection meets it; *unknown* without data or without a projection.
- Yearly count targets ("70,000 a year from 2024"): every year from the target year on is
  compared; *behind* as soon as one known year from the target year on misses it, *reached*
  when every known year from the target year on meets it, and before the target year the
  projection decides as above.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# The trend is drawn through the last three known years at most (older years weigh less on
# where the plan is heading than the recent roll-out).
TREND_POINTS = 3

ON_TRACK = "on_track"
BEHIND = "behind"
REACHED = "reached"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Trajectory:
    points: tuple[tuple[int, float], ...]
    projection: tuple[int, float] | None
    status: str


def trend_line(points: Sequence[tuple[int, float]]) -> tuple[float, float] | None:
    """(slope, intercept) of the least-squares line through `points`, or None with fewer
    than two distinct years."""
    if len({year for year, _value in points}) < 2:
        return None
    n = len(points)
    mean_x = sum(year for year, _value in points) / n
    mean_y = sum(value for _year, value in points) / n
    sxx = sum((year - mean_x) ** 2 for year, _value in points)
    sxy = sum((year - mean_x) * (value - mean_y) for year, value in points)
    slope = sxy / sxx
    return slope, mean_y - slope * mean_x


def project(points: Sequence[tuple[int, float]], year: int) -> float | None:
    """The trend of the last TREND_POINTS points read at `year` (never below zero)."""
    line = trend_line(sorted(points)[-TREND_POINTS:])
    if line is None:
        return None
    slope, intercept = line
    return max(0.0, slope * year + intercept)


def trajectory(
    points: Sequence[tuple[int, float | None]],
    target: float,
    target_year: int,
    *,
    yearly: bool = False,
) -> Trajectory:
    """Where a target stands given its actual values by year (None: unknown year)."""
    known = tuple(sorted((year, value) for year, value in points if value is not None))
    if not known:
        return Trajectory((), None, UNKNOWN)
    from_target = [(year, value) for year, value in known if year >= target_year]
    before = [(year, value) for year, value in known if year < target_year]
    projection_value = project(before or known, target_year) if not from_target else None
    projection = None if projection_value is None else (target_year, projection_value)
    if from_target:
        if yearly:
            met = all(value >= target for _year, value in from_target)
        else:
            met = from_target[-1][1] >= target
        return Trajectory(known, None, REACHED if met else BEHIND)
    if not yearly and any(value >= target for _year, value in before):
        return Trajectory(known, projection, REACHED)
    if projection_value is None:
        return Trajectory(known, None, UNKNOWN)
    return Trajectory(known, projection, ON_TRACK if projection_value >= target else BEHIND)
