"""Reading stored answers: the filters select the right attempts, into numpy arrays."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from django.utils import timezone

from palier.assessments.models import Attempt, Response
from palier.frameworks.models import Population
from palier.psychometrics.responses import STATUSES, Selection, read_responses
from tests.psychometrics.conftest import abilities, store_attempts

pytestmark = pytest.mark.django_db
PARIS = timezone.get_default_timezone()


def at(day: int, hour: int = 12, month: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, month, day, hour), PARIS)


@pytest.fixture
def stored(bank):
    """Groups of attempts that differ by one filter each."""
    rng = np.random.default_rng(31)
    first, second = Population.objects.order_by("code")[:2]
    groups = {
        "october_first": store_attempts(
            bank, abilities(rng, 3), rng, population=first, finished_at=at(15), status="student"
        ),
        "october_second": store_attempts(
            bank, abilities(rng, 2), rng, population=second, finished_at=at(31, 23), language="en"
        ),
        # Midnight in Paris on 1 November is still 31 October in UTC: November here.
        "november": store_attempts(
            bank, abilities(rng, 2), rng, population=first, finished_at=at(1, 0, 11)
        ),
        "september": store_attempts(
            bank, abilities(rng, 1), rng, population=first, finished_at=at(20, month=9)
        ),
        "synthetic": store_attempts(bank, abilities(rng, 2), rng, population=first, synthetic=True),
        "unfinished": store_attempts(bank, abilities(rng, 2), rng, attempt_status="in_progress"),
    }  # fmt: skip
    return bank, groups, first, second


def test_filters_select_finished_attempts_of_the_period_populations_and_kind(stored):
    bank, groups, _, second = stored
    framework = bank.framework.pk
    october = {
        "period_start": datetime.date(2026, 10, 1),
        "period_end": datetime.date(2026, 10, 31),
    }
    cases = [
        (Selection(framework), ["october_first", "october_second", "november", "september"]),
        (Selection(framework, **october), ["october_first", "october_second"]),
        (Selection(framework, period_end=datetime.date(2026, 9, 30)), ["september"]),
        (Selection(framework, population_ids=(second.pk,)), ["october_second"]),
        (Selection(framework, synthetic=True), ["synthetic"]),
    ]
    for selection, expected in cases:
        data = read_responses(selection, chunk_rows=7)  # small chunks: persons span chunks
        attempts = Attempt.objects.filter(pk__in=[a.pk for g in expected for a in groups[g]])
        assert data.n_persons == attempts.count(), expected
        assert data.n_responses == Response.objects.filter(attempt__in=attempts).count()


def test_answers_come_as_numpy_arrays_with_persons_numbered_in_attempt_order(stored):
    bank, groups, first, second = stored
    data = read_responses(Selection(bank.framework.pk, population_ids=(first.pk, second.pk)))
    assert data.person.dtype == np.int32 and data.correct.dtype == bool
    ordered = sorted(groups["october_first"] + groups["october_second"] + groups["november"]
                     + groups["september"], key=lambda attempt: attempt.pk)  # fmt: skip
    for index, attempt in enumerate(ordered):
        # Answers come in no particular order: compare each person's set of answers.
        rows = Response.objects.filter(attempt=attempt)
        mine = data.person == index
        read = zip(data.item_version[mine].tolist(), data.correct[mine].tolist(), strict=True)
        assert sorted(read) == sorted((r.item_version_id, r.correct) for r in rows)
        assert data.population[index] == attempt.user.profile.population_id
        assert data.english[index] == (attempt.language == "en")
        status = attempt.user.profile.status
        assert data.status[index] == (STATUSES.index(status) if status else -1)
    assert not data.pretest.any()


def test_no_answer_gives_empty_arrays(bank):
    data = read_responses(Selection(bank.framework.pk))
    assert (data.n_responses, data.n_persons) == (0, 0)
