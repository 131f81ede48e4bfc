"""Target trajectories on hand values: the least-squares trend, the projection to the
target year and the status in words."""

import pytest

from palier.steering.trajectory import (
    BEHIND,
    ON_TRACK,
    REACHED,
    UNKNOWN,
    project,
    trajectory,
    trend_line,
)


def test_the_trend_is_the_least_squares_line():
    slope, intercept = trend_line([(2023, 10.0), (2024, 20.0), (2025, 27.0)])
    assert slope == pytest.approx(8.5)
    assert slope * 2024 + intercept == pytest.approx(19.0)


def test_the_projection_reads_the_trend_of_the_last_three_years_at_the_target_year():
    points = [(2020, 90.0), (2023, 10.0), (2024, 20.0), (2025, 30.0)]
    assert project(points, 2027) == pytest.approx(50.0)


def test_one_year_gives_no_projection_and_says_so():
    state = trajectory([(2025, 12.0)], 60, 2026)
    assert state.projection is None
    assert state.status == UNKNOWN
    assert trajectory([], 60, 2026).status == UNKNOWN


def test_a_share_target_is_on_track_or_behind_from_the_projection():
    points = [(2023, 10.0), (2024, 20.0), (2025, 30.0)]
    behind = trajectory(points, 100, 2027)
    assert behind.projection == (2027, pytest.approx(50.0))
    assert behind.status == BEHIND
    assert trajectory(points, 45, 2027).status == ON_TRACK


def test_a_target_year_with_data_decides_reached_or_behind():
    assert trajectory([(2023, 30.0), (2024, 61.0)], 60, 2024).status == REACHED
    assert trajectory([(2023, 30.0), (2024, 55.0)], 60, 2024).status == BEHIND
    # Unknown years (None) are left out of the trend.
    assert trajectory([(2023, None), (2024, 61.0)], 60, 2024).status == REACHED


def test_a_yearly_count_target_is_compared_every_year_from_its_year_on():
    assert trajectory([(2024, 71000.0), (2025, 69000.0)], 70000, 2024, yearly=True).status == (
        BEHIND
    )
    assert trajectory([(2024, 71000.0), (2025, 72000.0)], 70000, 2024, yearly=True).status == (
        REACHED
    )
    before = trajectory([(2023, 40000.0), (2024, 60000.0)], 100000, 2026, yearly=True)
    assert before.projection == (2026, pytest.approx(100000.0))
    assert before.status == ON_TRACK
