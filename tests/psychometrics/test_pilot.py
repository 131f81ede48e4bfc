"""The simulated pilot: synthetic learners through the delivery's code path, the calibration
loop on their answers, recovery against the truth, activation and deletion."""

from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from palier.accounts.models import User
from palier.accounts.queries import learners_by_population_and_region
from palier.assessments.models import Attempt, EngineSettings, Response
from palier.assessments.rescoring import rescore
from palier.assessments.services import current_settings
from palier.items.models import Calibration, CalibrationActivation, Item
from palier.psychometrics import pipeline
from palier.psychometrics.models import CalibrationRun, Pilot
from palier.psychometrics.pilot import (
    ACTIVATION_REASON,
    EMAIL_DOMAIN,
    PILOT_SETTINGS_VERSION,
    parameter_recovery,
    pilot_users,
    simulate_pilot,
)
from tests.assessments.conftest import seed_bank

# A small bank keeps the end-to-end pilot fast: this many items in each of two areas, and
# just enough learners for every item to reach the run's minimum of answers.
ITEMS_PER_AREA = 8
AREAS = ("D1", "D2")
LEARNERS = pipeline.MIN_RESPONSES + 10


@pytest.fixture
def small_bank(framework):
    """The seed bank reduced to its first ITEMS_PER_AREA items (by code) of D1 and D2."""
    seed_bank(framework)
    kept = []
    for code in AREAS:
        kept += list(
            Item.objects.filter(capacity__competence__area__code=code)
            .order_by("code")
            .values_list("pk", flat=True)[:ITEMS_PER_AREA]
        )
    # updated_at moves so that the cached bank snapshot is rebuilt.
    Item.objects.exclude(pk__in=kept).update(status=Item.Status.RETIRED, updated_at=timezone.now())
    return framework


def test_synthetic_learners_take_the_test_through_delivery_and_cannot_sign_in(small_bank):
    pilot = simulate_pilot(small_bank, 12, seed=5, areas=list(AREAS))

    users = list(pilot_users(pilot))
    assert len(users) == 12
    assert all(not user.is_active and not user.has_usable_password() for user in users)
    assert all(user.email.endswith("@" + EMAIL_DOMAIN) for user in users)
    assert all(user.profile.population_id is not None for user in users)
    attempts = list(Attempt.objects.filter(user__in=users))
    assert len(attempts) == 12
    assert all(attempt.synthetic and attempt.is_finished for attempt in attempts)
    assert all(attempt.engine_settings.version == PILOT_SETTINGS_VERSION for attempt in attempts)
    # Fixed length 40 on a 24-item bank: every eligible item (enemies excluded), then none.
    assert {attempt.stop_reason for attempt in attempts} == {"no_items"}
    assert Response.objects.filter(attempt__in=attempts).count() == sum(
        attempt.result["items"] for attempt in attempts
    )
    assert min(attempt.result["items"] for attempt in attempts) >= ITEMS_PER_AREA
    # The stored responses replay to the stored result, as a person's attempt does.
    assert all(rescore(attempt).matches for attempt in attempts[:3])
    assert len(pilot.true_parameters) == 2 * ITEMS_PER_AREA
    assert set(pilot.true_abilities) == {str(attempt.pk) for attempt in attempts}


def test_the_truth_is_drawn_once_from_the_seed(small_bank):
    first = simulate_pilot(small_bank, 2, seed=11, areas=list(AREAS))
    second = simulate_pilot(small_bank, 2, seed=11, areas=list(AREAS))
    other = simulate_pilot(small_bank, 2, seed=12, areas=list(AREAS))

    assert first.true_parameters == second.true_parameters
    assert list(first.true_abilities.values()) == list(second.true_abilities.values())
    assert first.true_parameters != other.true_parameters
    a = np.array([value[0] for value in first.true_parameters.values()])
    assert np.all(a > 0)


def test_the_pilot_settings_are_never_the_current_settings_of_people(small_bank):
    simulate_pilot(small_bank, 1, seed=1, areas=list(AREAS))

    assert EngineSettings.objects.filter(version=PILOT_SETTINGS_VERSION).exists()
    assert current_settings().version != PILOT_SETTINGS_VERSION


def test_recovery_puts_the_truth_on_the_scale_of_the_estimates():
    rng = np.random.default_rng(3)
    true_a = rng.lognormal(np.log(1.2), 0.3, 30)
    true_b = rng.normal(0, 1, 30)
    slope, intercept = 1.3, -0.4
    truth = {index: (float(true_a[index]), float(true_b[index])) for index in range(30)}
    # Estimates: the truth on another scale, plus a little noise on b.
    noise = rng.normal(0, 0.05, 30)
    estimates = {
        index: (true_a[index] / slope, slope * true_b[index] + intercept + noise[index])
        for index in range(30)
    }
    areas = {index: "D1" if index < 15 else "D2" for index in range(30)}

    recovery = parameter_recovery(truth, estimates, areas)

    for code in ("D1", "D2"):
        link = recovery["areas"][code]["truth_to_draft"]
        assert link["slope"] == pytest.approx(slope, abs=0.05)
        assert link["intercept"] == pytest.approx(intercept, abs=0.05)
        # Untransformed, the truth looks badly recovered; on the same scale it is not.
        assert recovery["areas"][code]["as_linked"]["b"]["rmse"] > 0.3
    assert recovery["b"]["rmse"] < 0.08
    assert recovery["a"]["rmse"] < 0.03
    assert recovery["b"]["correlation"] > 0.99
    assert recovery["items"] == 30


def _simulate(*extra: str) -> str:
    out = StringIO()
    call_command(
        "pilot",
        "simulate",
        "--learners",
        str(LEARNERS),
        "--seed",
        "7",
        "--areas",
        ",".join(AREAS),
        *extra,
        stdout=out,
    )
    return out.getvalue()


def _delete(*extra: str) -> str:
    out = StringIO()
    call_command("pilot", "delete", *extra, stdout=out)
    return out.getvalue()


@pytest.mark.slow
def test_pilot_command_end_to_end_calibrates_activates_and_deletes(small_bank, monkeypatch):
    # The run's simulated impact is not what this test is about: a few simulees suffice.
    monkeypatch.setattr(pipeline, "IMPACT_SIMULEES", 10)

    output = _simulate("--activate")

    pilot = Pilot.objects.get()
    assert "synthetic" in output and "Parameter recovery" in output
    assert len(pilot.true_parameters) == 2 * ITEMS_PER_AREA
    assert len(pilot.true_abilities) == LEARNERS
    assert Attempt.objects.filter(synthetic=True).count() == LEARNERS
    assert not Attempt.objects.filter(synthetic=False).exists()
    assert not User.objects.filter(attempts__synthetic=True, is_active=True).exists()
    run = pilot.run
    assert run.status == CalibrationRun.Status.READY and run.synthetic
    active = Calibration.objects.get(is_active=True)
    assert active == run.draft and active.synthetic
    activation = CalibrationActivation.objects.get(calibration=active)
    assert activation.reason == ACTIVATION_REASON and activation.by is None
    recovery = pilot.recovery
    assert set(recovery["areas"]) == set(AREAS)
    assert recovery["items"] >= 2 * 5  # at least the linking's minimum of anchors per area
    # About 200 answers per item estimate easy items loosely (SE of b up to about 0.5), so
    # only a clear agreement is required here; benchmarks/pilot.py measures the demo size.
    assert recovery["b"]["correlation"] > 0.6
    assert recovery["a"]["rmse"] < 0.5
    assert all(0.5 < entry["truth_to_draft"]["slope"] < 2 for entry in recovery["areas"].values())
    # The steering page of active learners counts people only.
    assert learners_by_population_and_region() == []
    # A second simulation does nothing: the database keeps the first pilot.
    assert "already exists" in _simulate()
    assert Pilot.objects.count() == 1

    with pytest.raises(CommandError, match="--force"):
        _delete()
    assert Attempt.objects.filter(synthetic=True).count() == LEARNERS

    output = _delete("--force")

    assert Calibration.objects.get(is_active=True).is_provisional
    assert not Pilot.objects.exists()
    assert not Attempt.objects.filter(synthetic=True).exists()
    assert not User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).exists()
    assert not CalibrationRun.objects.exists()
    # The audit trail refers to the pilot calibration: it stays, inactive and labelled.
    assert "kept, inactive" in output
    assert Calibration.objects.filter(pk=active.pk, synthetic=True, is_active=False).exists()


def test_deleting_a_pilot_deletes_its_draft_when_nothing_refers_to_it(small_bank):
    pilot = simulate_pilot(small_bank, 2, seed=1, areas=list(AREAS))
    draft = Calibration.objects.create(
        framework=small_bank, source=Calibration.Source.ESTIMATED, name="Brouillon", synthetic=True
    )
    pilot.run = CalibrationRun.objects.create(
        framework=small_bank, scope=CalibrationRun.Scope.ALL, synthetic=True, draft=draft
    )
    pilot.save()

    output = _delete()

    assert "draft calibration deleted" in output
    assert not Calibration.objects.filter(pk=draft.pk).exists()
    assert not Attempt.objects.exists()
    assert not User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).exists()


def test_delete_without_a_pilot_says_so(small_bank):
    assert "No simulated pilot" in _delete()
