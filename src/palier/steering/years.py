"""Academic years: a year runs from 1 September to 31 August and is named by its first year
(2025 is "2025-2026"). Every steering figure is counted per academic year."""

from __future__ import annotations

import datetime as dt

# The month an academic year starts in (September).
FIRST_MONTH = 9
# The first academic year the plan counts (the assessment tool was piloted from 2023).
FIRST_YEAR = 2023


def academic_year(day: dt.date | dt.datetime) -> int:
    """The academic year `day` falls in, by its first year (a date in the server's zone)."""
    return day.year if day.month >= FIRST_MONTH else day.year - 1


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First day of the academic year and first day of the next one (half-open)."""
    return dt.date(year, FIRST_MONTH, 1), dt.date(year + 1, FIRST_MONTH, 1)


def year_label(year: int) -> str:
    """ "2025-2026" for 2025."""
    return f"{year}-{year + 1}"


def years_until(last: int, first: int = FIRST_YEAR) -> list[int]:
    """Academic years from `first` to `last`, inclusive, oldest first."""
    return list(range(first, last + 1))
