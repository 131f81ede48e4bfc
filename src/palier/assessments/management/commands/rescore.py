"""`palier rescore ATTEMPT [--calibration ID --reason TEXT]`: recompute a finished result.

Without `--calibration`, the result is recomputed from the stored responses with the
parameters recorded on them and compared with the stored one (it must match). With
`--calibration`, it is recomputed under that calibration and stored as a new, labelled
result (`RecomputedResult`); the attempt's own result never changes.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from palier.assessments.models import Attempt
from palier.assessments.rescoring import rescore
from palier.assessments.results import recomputed_result_of
from palier.assessments.services import AssessmentError, record_recomputed_result
from palier.items.models import Calibration


class Command(BaseCommand):
    help = "Recompute an attempt's result from its stored responses and compare."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("attempt", help="attempt id (UUID)")
        parser.add_argument(
            "--calibration",
            type=int,
            help="recompute under this calibration and store it as a new, labelled result",
        )
        parser.add_argument("--reason", default="", help="why (required with --calibration)")

    def handle(self, *args: object, **options: object) -> None:
        try:
            attempt = Attempt.objects.get(pk=options["attempt"])
        except (Attempt.DoesNotExist, ValueError, Exception) as error:
            raise CommandError(f"No attempt {options['attempt']!r}.") from error
        if options["calibration"] is not None:
            self._recompute(attempt, options["calibration"], str(options["reason"]))
            return
        outcome = rescore(attempt)
        for line in outcome.lines:
            self.stdout.write(line)
        if not outcome.matches:
            raise CommandError("The recomputed result differs from the stored one.")
        self.stdout.write(self.style.SUCCESS("Recomputed result matches the stored result."))

    def _recompute(self, attempt: Attempt, calibration_id: int, reason: str) -> None:
        calibration = Calibration.objects.filter(pk=calibration_id).first()
        if calibration is None:
            raise CommandError(f"No calibration {calibration_id}.")
        try:
            recomputed = record_recomputed_result(attempt, calibration, None, reason)
        except AssessmentError as error:
            raise CommandError(error.message) from error
        for measure in recomputed_result_of(recomputed).areas:
            self.stdout.write(
                f"{measure.code}: theta={measure.theta:.4f} se={measure.se:.4f} "
                f"level={measure.level}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Stored as a new result labelled with calibration {calibration.pk} "
                f"({calibration.name}); the attempt's own result is unchanged."
            )
        )
