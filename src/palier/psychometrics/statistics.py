"""Item statistics of a run: counts, fit flags, DIF, readiness (rules: docs/calibration.md)."""

from __future__ import annotations

import math

from palier.engine import ItemFit
from palier.psychometrics.dif import has_large_dif

#: Misfit: RMSD above 0.08 (Koehler, Robitzsch & Hartig, 2020, discuss 0.05-0.08; PISA
#: flags from 0.12), or the grouped chi-square significant at 0.001 with an RMSD above 0.05
#: (with thousands of answers the test alone flags negligible departures).
MISFIT_RMSD = 0.08
MISFIT_RMSD_WITH_TEST = 0.05
MISFIT_P_VALUE = 0.001


def json_number(value: float | None, digits: int = 4) -> float | None:
    """A float for JSON and the database: rounded, and None when not finite."""
    if value is None:
        return None
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


def is_misfit(rmsd: float | None, p_value: float | None) -> bool:
    """The misfit rule above (False without a statistic)."""
    if rmsd is None:
        return False
    significant = p_value is not None and p_value < MISFIT_P_VALUE
    return rmsd > MISFIT_RMSD or (significant and rmsd > MISFIT_RMSD_WITH_TEST)


def item_statistics(
    versions: list[int],
    counts: dict[int, int],
    rights: dict[int, float],
    estimated: set[int],
    calibrated: list[int],
    fitness: ItemFit,
    dif: list[dict],
    ready_threshold: int,
) -> dict[int, dict]:
    """`ItemStatistic` fields per version: every version of the draft or answered; fit and
    DIF for the calibrated ones (engine order ``calibrated``)."""
    statistics: dict[int, dict] = {}
    for version in versions:
        n = counts.get(version, 0)
        statistics[version] = {
            "responses": n,
            "proportion_correct": json_number(rights[version] / n) if n else None,
            "estimated": version in estimated,
        }
    for index, version in enumerate(calibrated):
        rmsd = json_number(fitness.rmsd[index])
        p_value = json_number(fitness.p_value[index], 6)
        misfit = is_misfit(rmsd, p_value)
        row = statistics[version]
        row.update(rmsd=rmsd, fit_p_value=p_value, misfit=misfit, dif=dif[index])
        row["ready_for_review"] = bool(
            row["estimated"]
            and row["responses"] >= ready_threshold
            and not misfit
            and not has_large_dif(dif[index])
        )
    return statistics


def flag_counts(statistics: dict[int, dict]) -> tuple[int, int]:
    """Numbers of misfitting items and of items with a DIF of class C."""
    rows = statistics.values()
    misfits = sum(bool(row.get("misfit")) for row in rows)
    large = sum(has_large_dif(row.get("dif", {})) for row in rows)
    return misfits, large
