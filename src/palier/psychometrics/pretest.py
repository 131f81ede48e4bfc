"""Pretest items: which have collected enough answers, and the fixed-parameter calibration
that proposes their parameters (operational items held at the active calibration's values,
docs/calibration.md)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.frameworks.models import Framework
from palier.items.models import Item, ItemVersion
from palier.psychometrics.models import CalibrationRun
from palier.psychometrics.pipeline import MIN_RESPONSES
from palier.psychometrics.responses import Selection, response_counts
from palier.psychometrics.services import (
    CalibrationRunError,
    require_psychometrician,
    start_calibration_run,
)


@dataclass(frozen=True)
class PretestCount:
    version: ItemVersion
    responses: int


def pretest_counts(framework: Framework, synthetic: bool = False) -> list[PretestCount]:
    """Every answered version of the framework's pretest items with its number of answers
    (finished attempts, real or synthetic), most answered first, then by item code."""
    versions = ItemVersion.objects.filter(
        item__status=Item.Status.PRETEST, capacity__competence__area__framework=framework
    ).select_related("item")
    by_id = {version.pk: version for version in versions}
    counts = response_counts(Selection(framework.pk, synthetic=synthetic), sorted(by_id))
    rows = [PretestCount(by_id[pk], n) for pk, n in counts.items()]
    return sorted(rows, key=lambda row: (-row.responses, row.version.item.code, row.version.number))


def pretest_ready(framework: Framework, synthetic: bool = False) -> list[PretestCount]:
    """Pretest item versions with at least `PALIER_PRETEST_RESPONSES` answers (and at least
    the estimation minimum): what `propose_pretest_calibration` calibrates."""
    needed = max(settings.PALIER_PRETEST_RESPONSES, MIN_RESPONSES)
    return [row for row in pretest_counts(framework, synthetic) if row.responses >= needed]


def propose_pretest_calibration(
    by: User | None, framework: Framework, synthetic: bool = False
) -> CalibrationRun:
    """Start a pretest-scope run (operational items fixed, ready pretest items estimated);
    409 when no pretest item is ready yet."""
    require_psychometrician(by)
    if not pretest_ready(framework, synthetic):
        raise CalibrationRunError(
            409,
            "no_pretest_ready",
            _("Aucune question en prétest n'a encore %(n)s réponses.")
            % {"n": max(settings.PALIER_PRETEST_RESPONSES, MIN_RESPONSES)},
        )
    return start_calibration_run(
        by, framework, scope=CalibrationRun.Scope.PRETEST, synthetic=synthetic
    )
