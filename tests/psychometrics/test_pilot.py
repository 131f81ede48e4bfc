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

# A small bank keeps the end-to-end pilot fast: this many items in each of two areas.
ITEMS_PER_AREA = 12
AREAS = ("D1", "D2")


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
    assert min(attempt.result["items"] for attempt in attempts) >= 2 * ITEMS_PER_AREA - 4
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
        "250",
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
def test_pilot_command_end_to_end_calibrates_then_deletes_its_synthetic_data(small_bank):
    provisional = Calibration.objects.get(is_active=True)

    output = _simulate()

    pilot = Pilot.objects.get()
    assert "synthetic" in output
    assert len(pilot.true_parameters) == 2 * ITEMS_PER_AREA
    assert len(pilot.true_abilities) == 250
    synthetic = Attempt.objects.filter(synthetic=True)
    assert synthetic.count() == 250
    assert not Attempt.objects.filter(synthetic=False).exists()
    assert not User.objects.filter(attempts__synthetic=True, is_active=True).exists()
    run = pilot.run
    assert run.status == CalibrationRun.Status.READY and run.synthetic
    assert run.draft.synthetic and not run.draft.is_active
    assert Calibration.objects.get(is_active=True) == provisional
    recovery = pilot.recovery
    assert recovery["b"]["correlation"] > 0.9
    assert recovery["b"]["rmse"] < 0.4
    assert set(recovery["areas"]) == set(AREAS)
    assert "Parameter recovery" in output
    # The steering page of active learners counts people only.
    assert learners_by_population_and_region() == []
    # A second simulation does nothing: the database keeps the first pilot.
    assert "already exists" in _simulate()
    assert Pilot.objects.count() == 1

    draft_id = run.draft_id
    output = _delete()

    assert "draft calibration deleted" in output
    assert not Pilot.objects.exists()
    assert not Attempt.objects.filter(synthetic=True).exists()
    assert not User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).exists()
    assert not CalibrationRun.objects.exists()
    assert not Calibration.objects.filter(pk=draft_id).exists()
    assert Calibration.objects.get(is_active=True) == provisional


@pytest.mark.slow
def test_pilot_command_activates_its_calibration_and_delete_needs_force(small_bank):
    output = _simulate("--activate")

    pilot = Pilot.objects.get()
    active = Calibration.objects.get(is_active=True)
    assert active == pilot.run.draft and active.synthetic
    activation = CalibrationActivation.objects.filter(calibration=active).get()
    assert activation.reason == ACTIVATION_REASON and activation.by is None
    assert "synthetic data" in output

    with pytest.raises(CommandError, match="--force"):
        _delete()
    assert Attempt.objects.filter(synthetic=True).count() == 250

    output = _delete("--force")

    assert Calibration.objects.get(is_active=True).is_provisional
    assert not Attempt.objects.filter(synthetic=True).exists()
    # The audit trail refers to the pilot calibration: it stays, inactive and labelled.
    assert "kept, inactive" in output
    assert Calibration.objects.filter(pk=active.pk, synthetic=True, is_active=False).exists()
