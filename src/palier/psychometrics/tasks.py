"""Background tasks of the psychometrics app (django.tasks API, run by `palier db_worker`)."""

from __future__ import annotations

from django_tasks import task

from palier.psychometrics.models import CalibrationRun
from palier.psychometrics.pipeline import execute_run


@task()
def run_calibration(run_id: int) -> str:
    """Run a queued calibration to its draft; returns the run's final status ("missing" when
    the run was deleted meanwhile). A run already started or finished is left as it is."""
    run = CalibrationRun.objects.filter(pk=run_id).first()
    if run is None:
        return "missing"
    return execute_run(run).status
