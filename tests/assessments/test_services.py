import math

import pytest
from django.core.management import call_command

from palier.assessments.models import Attempt, Response
from palier.assessments.services import AssessmentError, record_answer, start_attempt
from palier.frameworks.models import Framework
from palier.items.models import ItemVersion
from tests.assessments.conftest import right_answer, wrong_answer
from tests.factories import make_user

pytestmark = pytest.mark.django_db
MAX_QUESTIONS = 60


def play(attempt: Attempt, policy) -> list[tuple[str, list[float]]]:
    """Answer until the end; returns (item code, theta after) per question."""
    trace = []
    for _ in range(MAX_QUESTIONS):
        attempt.refresh_from_db()
        if attempt.is_finished:
            return trace
        version = attempt.current_version
        recorded = record_answer(attempt, attempt.current_position, policy(attempt, version))
        trace.append((version.item.code, recorded.response.theta))
    raise AssertionError("the test did not finish")


def alternate(attempt, version):
    return right_answer(version) if attempt.current_position % 3 else wrong_answer(version)


def test_a_full_test_ends_with_a_level_for_every_area(seeded):
    attempt = start_attempt(make_user())
    trace = play(attempt, alternate)
    attempt.refresh_from_db()
    assert attempt.is_finished and attempt.finished_at and attempt.stop_reason
    assert set(attempt.result["areas"]) == {"D1", "D2", "D3", "D4", "D5"}
    for values in attempt.result["areas"].values():
        assert 1 <= values["level"] <= 5 and values["se"] > 0
    assert len(trace) == Response.objects.filter(attempt=attempt).count()
    codes = [code for code, _theta in trace]
    assert len(codes) == len(set(codes))  # never the same item twice
    assert Framework.objects.get().is_frozen
    assert ItemVersion.objects.filter(frozen_at__isnull=False).count() >= len(codes)


def test_the_same_seed_and_answers_replay_the_same_test_exactly(seeded):
    first = start_attempt(make_user(), seed=20261128)
    second = start_attempt(make_user(), seed=20261128)
    assert play(first, alternate) == play(second, alternate)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.result["areas"] == second.result["areas"]


def test_a_test_on_one_area_only_measures_that_area(seeded):
    attempt = start_attempt(make_user(), ["D3"])
    trace = play(attempt, alternate)
    attempt.refresh_from_db()
    assert list(attempt.result["areas"]) == ["D3"]
    assert all(code.startswith("D3-") for code, _theta in trace)


def test_unknown_areas_are_refused(seeded):
    with pytest.raises(AssessmentError) as error:
        start_attempt(make_user(), ["D9"])
    assert error.value.status == 422
    assert Attempt.objects.count() == 0


def test_without_a_calibration_the_test_is_not_available(framework):
    with pytest.raises(AssessmentError) as error:
        start_attempt(make_user())
    assert error.value.code == "no_bank"


def test_rescoring_from_stored_responses_matches(seeded, capsys):
    attempt = start_attempt(make_user())
    play(attempt, alternate)
    call_command("rescore", str(attempt.pk))
    assert "matches" in capsys.readouterr().out


def test_a_late_answer_is_recorded_as_timed_out_and_wrong(seeded):
    from datetime import timedelta

    from django.utils import timezone

    from palier.assessments.models import EngineSettings

    EngineSettings.objects.create(
        version="chrono",
        valid_from=timezone.now() - timedelta(1),
        timed=True,
        time_limit_factor=2.0,
    )
    learner = make_user()
    learner.profile.extra_time = True
    learner.profile.save()
    attempt = start_attempt(learner)
    version = attempt.current_version
    assert attempt.current_time_limit == math.ceil(version.estimated_seconds * 2.0 * 1.33)
    Attempt.objects.filter(pk=attempt.pk).update(
        current_shown_at=timezone.now() - timedelta(seconds=attempt.current_time_limit + 60)
    )
    response = record_answer(attempt, 1, right_answer(version)).response
    assert response.timed_out and not response.correct
    assert response.time_limit_seconds == attempt.current_time_limit


def test_a_new_test_waits_for_the_cooldown_then_avoids_items_already_seen(seeded, settings):
    learner = make_user()
    first = start_attempt(learner)
    seen = {code for code, _theta in play(first, alternate)}
    with pytest.raises(AssessmentError) as error:
        start_attempt(learner)
    assert error.value.code == "cooldown"
    settings.PALIER_RETAKE_COOLDOWN_DAYS = 0
    second = start_attempt(learner)
    assert not seen & {code for code, _theta in play(second, alternate)}


def test_pretest_items_are_given_at_seeded_positions_and_do_not_count(seeded):
    from datetime import timedelta

    from django.utils import timezone

    from palier.assessments.models import EngineSettings
    from palier.items.models import Item

    pretest_codes = ["D1-0001", "D2-0001", "D3-0001", "D4-0001", "D5-0001"]
    Item.objects.filter(code__in=pretest_codes).update(status=Item.Status.PRETEST)
    EngineSettings.objects.create(
        version="pretest", valid_from=timezone.now() - timedelta(1), pretest_count=2, min_items=10
    )
    attempt = start_attempt(make_user())
    assert len(attempt.pretest_positions) == 2
    assert all(2 <= position <= 10 for position in attempt.pretest_positions)
    trace = play(attempt, alternate)
    pretest = Response.objects.filter(attempt=attempt, pretest=True)
    assert sorted(pretest.values_list("position", flat=True)) == attempt.pretest_positions
    assert {r.item_version.item.code for r in pretest} <= set(pretest_codes)
    attempt.refresh_from_db()
    assert attempt.result["items"] == len(trace) - 2  # scored items only
    call_command("rescore", str(attempt.pk))


def test_the_estimate_of_questions_left_shrinks_and_never_exceeds_the_maximum(seeded):
    from palier.assessments.queries import progress

    attempt = start_attempt(make_user())
    estimates = []
    for _ in range(12):
        attempt.refresh_from_db()
        state = progress(attempt)
        assert 1 <= state.estimated_left <= state.at_most
        assert sum(area.asked for area in state.areas) == state.answered
        estimates.append(state.estimated_left)
        record_answer(attempt, attempt.current_position, right_answer(attempt.current_version))
    assert estimates[-1] < estimates[0]
