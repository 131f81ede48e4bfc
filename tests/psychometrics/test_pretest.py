"""Pretest items: readiness, fixed-parameter calibration, and the operators' command."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from palier.core.errors import ServiceError
from palier.items.models import ItemParameter
from palier.psychometrics.models import CalibrationRun, ItemStatistic
from palier.psychometrics.pretest import pretest_ready, propose_pretest_calibration
from palier.psychometrics.services import execute_run
from tests.factories import make_user
from tests.psychometrics.conftest import abilities, store_attempts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cheap_impact(monkeypatch):
    monkeypatch.setattr("palier.psychometrics.pipeline.IMPACT_SIMULEES", 20)


@pytest.fixture
def answered(pretest_bank):
    """500 learners of a population above the reference one (mean 0.4) answer everything."""
    rng = np.random.default_rng(21)
    store_attempts(pretest_bank, abilities(rng, 500, mean=0.4), rng)
    return pretest_bank


def test_pretest_items_are_ready_once_they_have_enough_answers(pretest_bank, settings):
    rng = np.random.default_rng(22)
    store_attempts(pretest_bank, abilities(rng, 250), rng)
    assert pretest_ready(pretest_bank.framework) == []
    settings.PALIER_PRETEST_RESPONSES = 240
    ready = pretest_ready(pretest_bank.framework)
    assert sorted(row.version.pk for row in ready) == sorted(pretest_bank.pretest)
    assert {row.responses for row in ready} == {250}
    # Synthetic answers count only for synthetic calibrations.
    assert pretest_ready(pretest_bank.framework, synthetic=True) == []


def test_a_pretest_calibration_recovers_pretest_items_with_operational_items_fixed(
    answered, psychometrician
):
    run = execute_run(propose_pretest_calibration(psychometrician, answered.framework))
    assert run.status == "ready", run.error
    assert run.scope == "pretest"
    assert run.linking == {"method": "fixed_parameters"}
    parameters = {p.item_version_id: p for p in ItemParameter.objects.filter(calibration=run.draft)}
    reference = {
        p.item_version_id: p for p in ItemParameter.objects.filter(calibration=answered.reference)
    }
    for version in answered.truth:  # operational: held at the reference values
        assert (parameters[version].discrimination, parameters[version].difficulty) == (
            reference[version].discrimination,
            reference[version].difficulty,
        )
        assert not ItemStatistic.objects.get(run=run, item_version_id=version).estimated
    for version, (_, a, b) in answered.pretest.items():
        assert parameters[version].difficulty == pytest.approx(b, abs=0.35)
        assert parameters[version].discrimination == pytest.approx(a, abs=0.45)
        assert parameters[version].se_difficulty is not None
        statistic = ItemStatistic.objects.get(run=run, item_version_id=version)
        assert statistic.estimated and statistic.responses == 500
        assert statistic.ready_for_review
    # The ability distribution was estimated on the operational scale, not fixed to N(0, 1).
    assert run.summary["population"]["D1"]["mean"] == pytest.approx(0.4, abs=0.2)


def test_a_pretest_calibration_needs_ready_items_and_a_psychometrician(pretest_bank):
    with pytest.raises(ServiceError) as refused:
        propose_pretest_calibration(make_user(), pretest_bank.framework)
    assert refused.value.code == "forbidden"
    with pytest.raises(ServiceError) as refused:
        propose_pretest_calibration(None, pretest_bank.framework)
    assert (refused.value.status, refused.value.code) == (409, "no_pretest_ready")
    assert not CalibrationRun.objects.exists()


def test_the_command_lists_ready_items_and_runs_their_calibration(answered, capsys):
    call_command("calibration", "pretest", "--start", "--now")
    out = capsys.readouterr().out
    assert "4 pretest item versions ready." in out
    run = CalibrationRun.objects.get()
    assert run.status == "ready" and f"Run {run.pk}: ready 100% pretest" in out
    call_command("calibration", "status", str(run.pk))
    assert "500 attempts" in capsys.readouterr().out


def test_the_command_refuses_bad_input_with_an_error(pretest_bank):
    with pytest.raises(CommandError, match="Invalid date"):
        call_command("calibration", "start", "--from", "2026-13-01")
    with pytest.raises(CommandError, match="unknown_population"):
        call_command("calibration", "start", "--population", "nobody")
    with pytest.raises(CommandError, match="No calibration run 999"):
        call_command("calibration", "status", "999")
    with pytest.raises(CommandError, match="no_pretest_ready"):
        call_command("calibration", "pretest", "--start")
    assert not CalibrationRun.objects.exists()


def test_the_command_queues_a_run_for_the_worker(bank, capsys):
    call_command("calibration", "start", "--from", "2026-10-01", "--to", "2026-10-31")
    run = CalibrationRun.objects.get()
    assert (run.status, str(run.period_start)) == ("queued", "2026-10-01")
    assert f"Run {run.pk} queued" in capsys.readouterr().out
