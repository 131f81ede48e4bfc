"""`palier calibration start|status|pretest`: calibration runs from the command line.

    palier calibration start [--scope all|pretest] [--from DATE] [--to DATE]
                             [--population CODE ...] [--synthetic] [--now] [--framework CODE]
    palier calibration status [RUN]
    palier calibration pretest [--start] [--synthetic] [--framework CODE]

Runs started here are the system's (no user); `--now` computes the run in this process
instead of queueing it for `palier db_worker`.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from palier.core.errors import ServiceError
from palier.frameworks.models import Framework
from palier.frameworks.queries import current_framework
from palier.psychometrics.models import CalibrationRun
from palier.psychometrics.pretest import pretest_ready, propose_pretest_calibration
from palier.psychometrics.services import execute_run, start_calibration_run


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Invalid date {value!r}: expected YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Start a calibration run, follow runs, or list pretest items ready for calibration."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        start = sub.add_parser("start", help="queue a calibration from stored responses")
        start.add_argument("--scope", choices=CalibrationRun.Scope.values, default="all")
        start.add_argument("--from", dest="period_start", help="first day (YYYY-MM-DD)")
        start.add_argument("--to", dest="period_end", help="last day (YYYY-MM-DD)")
        start.add_argument(
            "--population", action="append", default=[], help="population code (repeatable)"
        )
        start.add_argument("--synthetic", action="store_true", help="simulated pilot answers")
        start.add_argument("--now", action="store_true", help="compute here, do not queue")
        start.add_argument("--framework", help="framework code (default: the current one)")
        status = sub.add_parser("status", help="show one run, or the latest runs")
        status.add_argument("run", nargs="?", type=int)
        pretest = sub.add_parser("pretest", help="pretest items with enough answers")
        pretest.add_argument("--start", action="store_true", help="start their calibration")
        pretest.add_argument("--synthetic", action="store_true")
        pretest.add_argument("--now", action="store_true", help="compute here, do not queue")
        pretest.add_argument("--framework", help="framework code (default: the current one)")

    def handle(self, *args: object, **options: object) -> None:
        action = options["action"]
        try:
            if action == "start":
                self._start(options)
            elif action == "status":
                self._status(options["run"])
            else:
                self._pretest(options)
        except ServiceError as error:
            raise CommandError(f"{error.message} ({error.code})") from None

    def _framework(self, code: object) -> Framework:
        framework = current_framework(str(code) if code else None)
        if framework is None:
            raise CommandError(f"No published framework {code or ''}".rstrip() + ".")
        return framework

    def _finish(self, run: CalibrationRun, now: bool) -> None:
        if now:
            run = execute_run(run)
            self._show(run)
            if run.status == CalibrationRun.Status.FAILED:
                raise CommandError(f"Run {run.pk} failed.")
        else:
            self.stdout.write(f"Run {run.pk} queued (palier db_worker computes it).")

    def _start(self, options: dict) -> None:
        run = start_calibration_run(
            None,
            self._framework(options["framework"]),
            scope=options["scope"],
            period_start=_date(options["period_start"]) if options["period_start"] else None,
            period_end=_date(options["period_end"]) if options["period_end"] else None,
            populations=options["population"],
            synthetic=options["synthetic"],
        )
        self._finish(run, options["now"])

    def _show(self, run: CalibrationRun) -> None:
        line = f"Run {run.pk}: {run.status} {run.progress}% {run.scope}"
        if run.progress_message and run.status == CalibrationRun.Status.RUNNING:
            line += f" ({run.progress_message})"
        if run.draft_id:
            line += f", draft calibration {run.draft_id}"
        self.stdout.write(line)
        if run.error:
            self.stdout.write(f"  error: {run.error}")
        summary = run.summary or {}
        if counts := summary.get("counts"):
            self.stdout.write(
                f"  {counts['attempts']} attempts, {counts['responses']} responses, "
                f"{counts['estimated']} estimated, {counts['too_few_responses']} too few, "
                f"{counts['misfit']} misfit, {counts['dif_class_c']} DIF C"
            )
        if seconds := summary.get("seconds"):
            self.stdout.write(
                "  seconds: "
                + ", ".join(f"{phase} {value:.2f}" for phase, value in seconds.items())
            )
        for blocking in summary.get("blocking", []):
            self.stdout.write(f"  blocking: {blocking['message']}")

    def _status(self, run_id: int | None) -> None:
        if run_id is not None:
            run = CalibrationRun.objects.filter(pk=run_id).first()
            if run is None:
                raise CommandError(f"No calibration run {run_id}.")
            self._show(run)
            return
        runs = list(CalibrationRun.objects.all()[:10])
        if not runs:
            self.stdout.write("No calibration run yet.")
        for run in runs:
            self._show(run)

    def _pretest(self, options: dict) -> None:
        framework = self._framework(options["framework"])
        ready = pretest_ready(framework, options["synthetic"])
        for row in ready:
            self.stdout.write(f"{row.version}: {row.responses} responses")
        self.stdout.write(f"{len(ready)} pretest item versions ready.")
        if options["start"]:
            run = propose_pretest_calibration(None, framework, options["synthetic"])
            self._finish(run, options["now"])
