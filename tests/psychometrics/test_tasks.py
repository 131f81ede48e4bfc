"""A calibration started by the service runs in the real background worker."""

from __future__ import annotations

import numpy as np
import pytest

from palier.psychometrics.models import CalibrationRun
from palier.psychometrics.services import start_calibration_run
from tests.psychometrics.conftest import abilities, store_attempts


@pytest.fixture(autouse=True)
def cheap_impact(monkeypatch):
    monkeypatch.setattr("palier.psychometrics.pipeline.IMPACT_SIMULEES", 20)


def test_a_queued_run_is_computed_by_the_worker_after_commit(bank, psychometrician, run_tasks):
    rng = np.random.default_rng(41)
    store_attempts(bank, abilities(rng, 300), rng)
    run = start_calibration_run(psychometrician, bank.framework, scope="all")
    run.refresh_from_db()
    assert run.status == "queued" and run.task_id
    run_tasks()
    run.refresh_from_db()
    assert (run.status, run.progress, run.error) == ("ready", 100, "")
    assert run.draft is not None and not run.draft.is_active
    assert run.started_at <= run.finished_at


def test_the_task_leaves_a_finished_run_alone(bank, psychometrician, run_tasks):
    from palier.psychometrics.tasks import run_calibration

    run = CalibrationRun.objects.create(
        framework=bank.framework, scope="all", reference=bank.reference, status="failed"
    )
    assert run_calibration.call(run.pk) == "failed"
    assert run_calibration.call(987654) == "missing"
