"""Background tasks of steering (django.tasks API, run by `palier db_worker`)."""

from __future__ import annotations

import logging

from django_tasks import task

from palier.steering.aggregates import refresh

logger = logging.getLogger(__name__)


@task()
def refresh_aggregates(years: list[int] | None = None) -> int:
    """Rebuild the summary tables of `years` (default: every year up to the current one);
    returns the rows written. Safe to retry: each year is rebuilt whole."""
    report = refresh(years)
    logger.info(
        "steering aggregates: years %s, %s rows in %.1f s",
        report.years,
        report.rows,
        report.seconds,
    )
    return report.rows
