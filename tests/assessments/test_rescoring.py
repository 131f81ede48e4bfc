"""Rescoring goes through the same adapter as delivery (engine_adapter.attempt_engine)."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from palier.assessments import engine_adapter
from palier.assessments.models import Attempt, Response
from palier.assessments.rescoring import rescore
from palier.assessments.results import result_of
from palier.assessments.services import record_answer, start_attempt
from palier.items.models import Item, ItemParameter
from tests.assessments.conftest import right_answer
from tests.assessments.test_services import alternate, play
from tests.factories import make_user

pytestmark = pytest.mark.django_db
GUESSING = 0.25


@pytest.fixture
def fresh_snapshots():
    """Calibration parameters are edited in place below, which a published calibration never
    sees: forget the process's cached banks around the test."""
    engine_adapter._snapshots.clear()
    yield
    engine_adapter._snapshots.clear()


@pytest.fixture
def three_pl_attempt(seeded, fresh_snapshots) -> Attempt:
    ItemParameter.objects.update(guessing=GUESSING)
    attempt = start_attempt(make_user(), seed=7)
    play(attempt, alternate)
    attempt.refresh_from_db()
    return attempt


def test_a_3pl_attempt_stores_the_guessing_parameter_on_each_response(three_pl_attempt):
    guessing = set(
        Response.objects.filter(attempt=three_pl_attempt).values_list("guessing", flat=True)
    )
    assert guessing == {GUESSING}


def test_a_3pl_attempt_rescored_matches_what_was_delivered(three_pl_attempt, capsys):
    call_command("rescore", str(three_pl_attempt.pk))
    assert "matches" in capsys.readouterr().out


def test_a_3pl_attempt_rescored_gives_the_same_thetas_ses_and_levels(three_pl_attempt):
    outcome = rescore(three_pl_attempt)
    stored = result_of(three_pl_attempt)
    assert outcome.matches and outcome.recomputed is not None
    assert [(m.code, m.level) for m in outcome.recomputed.areas] == [
        (m.code, m.level) for m in stored.areas
    ]
    for new, old in zip(outcome.recomputed.areas, stored.areas, strict=True):
        assert new.theta == pytest.approx(old.theta, abs=1e-4)
        assert new.se == pytest.approx(old.se, abs=1e-4)


def test_rescoring_uses_the_parameters_stored_on_the_responses_not_todays_bank(
    three_pl_attempt,
):
    ItemParameter.objects.update(guessing=None, difficulty=2.5)
    engine_adapter._snapshots.clear()
    assert rescore(three_pl_attempt).matches


def test_a_question_answered_then_retired_still_counts_for_the_rest_of_the_test(
    seeded, fresh_snapshots
):
    attempt = start_attempt(make_user(), seed=11)
    first = attempt.current_version
    record_answer(attempt, 1, right_answer(first))
    Item.objects.filter(pk=first.item_id).update(
        status=Item.Status.RETIRED, updated_at=timezone.now()
    )
    attempt.refresh_from_db()
    recorded = record_answer(attempt, 2, right_answer(attempt.current_version))
    assert recorded.response.position == 2
    play(attempt, alternate)
    attempt.refresh_from_db()
    assert attempt.is_finished
    assert rescore(attempt).matches


def test_a_result_recomputed_under_a_new_calibration_is_a_new_labelled_result(
    three_pl_attempt, capsys
):
    from palier.assessments.models import RecomputedResult
    from palier.items.calibrations import create_provisional_calibration

    stored = dict(three_pl_attempt.result)
    harder = create_provisional_calibration(three_pl_attempt.framework, activate=False)
    ItemParameter.objects.filter(calibration=harder).update(difficulty=1.5)
    call_command(
        "rescore", str(three_pl_attempt.pk), "--calibration", str(harder.pk), "--reason", "essai"
    )
    assert "unchanged" in capsys.readouterr().out
    three_pl_attempt.refresh_from_db()
    assert three_pl_attempt.result == stored
    recomputed = RecomputedResult.objects.get(attempt=three_pl_attempt)
    assert recomputed.calibration == harder and recomputed.reason == "essai"
    assert recomputed.result["calibration"] == harder.pk
    # Harder items answered the same way mean a higher ability in every area.
    for code, values in recomputed.result["areas"].items():
        assert values["theta"] > stored["areas"][code]["theta"]
    # Asking again stores nothing new.
    call_command(
        "rescore", str(three_pl_attempt.pk), "--calibration", str(harder.pk), "--reason", "bis"
    )
    assert RecomputedResult.objects.get(attempt=three_pl_attempt).reason == "essai"


def test_a_recomputation_needs_a_reason_and_the_calibration_of_the_attempts_framework(
    three_pl_attempt,
):
    from django.core.management.base import CommandError

    from palier.items.calibrations import create_provisional_calibration

    other = create_provisional_calibration(three_pl_attempt.framework, activate=False)
    with pytest.raises(CommandError, match="motif"):
        call_command("rescore", str(three_pl_attempt.pk), "--calibration", str(other.pk))
    with pytest.raises(CommandError, match="No calibration"):
        call_command("rescore", str(three_pl_attempt.pk), "--calibration", "999999")
