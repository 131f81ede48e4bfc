"""Answers are never counted twice, even when two requests race (PostgreSQL run)."""

import threading

import pytest
from django.db import connection, connections

from palier.assessments.models import Response
from palier.assessments.services import AssessmentError, record_answer, start_attempt
from tests.assessments.conftest import right_answer
from tests.factories import make_user
from tests.support.seeds import load_item_seed

RACERS = 4


@pytest.mark.django_db(transaction=True)
def test_simultaneous_posts_of_the_same_answer_store_one_response(framework):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections: runs in the PostgreSQL pass of make test")
    load_item_seed(framework)
    attempt = start_attempt(make_user())
    answer = right_answer(attempt.current_version)
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def race() -> None:
        try:
            barrier.wait()
            record_answer(attempt, 1, answer)
            outcomes.append("stored")
        except AssessmentError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Response.objects.filter(attempt=attempt).count() == 1
    assert len(outcomes) == RACERS and "stored" in outcomes
    assert set(outcomes) <= {"stored", "not_current_question"}
