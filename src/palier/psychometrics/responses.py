"""Reading stored responses into the engine's long-format arrays, in one streaming query.

A calibration reads every answer of the finished attempts it selects: at national scale
60,000,000 rows (2,000,000 attempts x 30 answers). The rows are never turned into model
instances: one SQL query, ordered by attempt, computes in the database everything that would
otherwise cost a Python object per answer (the person's index by ``DENSE_RANK``, the grouping
keys as integers), and is fetched in chunks from a server-side cursor on PostgreSQL (a plain
cursor on SQLite, which streams too); each chunk becomes numpy columns at once. Memory: about
10 bytes per answer for the result, plus one chunk of driver tuples.

The grouping keys used for DIF (population, language, situation) are the learner's at reading
time, joined from the profile: profiles carry no history.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, QuerySet, Value, When, Window
from django.db.models.functions import Coalesce, DenseRank
from django.utils import timezone

from palier.accounts.choices import LearnerStatus
from palier.assessments.models import Attempt, Response

#: Rows fetched per round trip and converted to numpy at once (about 10 MB of driver tuples).
CHUNK_ROWS = 100_000
#: Integer codes of the learners' situations in `ResponseData.status` (-1: not given).
STATUSES: tuple[str, ...] = tuple(LearnerStatus.values)
NO_GROUP = -1
_COLUMNS = 7


@dataclass(frozen=True, eq=False)
class Selection:
    """Which attempts a calibration reads: finished attempts of one framework version, real
    or synthetic, finished within the period (dates in the project's time zone, bounds
    included), of learners of the given populations (all when empty)."""

    framework_id: int
    synthetic: bool = False
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    population_ids: tuple[int, ...] = ()


@dataclass(frozen=True, eq=False)
class ResponseData:
    """Answers in long format (one entry per answer) and per-person grouping keys.

    Persons are the attempts, numbered ``0 .. n_persons - 1`` in attempt-id order.
    ``item_version`` holds ItemVersion ids. Per person: ``population`` (Population id or -1),
    ``english`` (the attempt was taken in English), ``status`` (index in ``STATUSES`` or -1).
    """

    person: np.ndarray
    item_version: np.ndarray
    correct: np.ndarray
    pretest: np.ndarray
    population: np.ndarray
    english: np.ndarray
    status: np.ndarray

    @property
    def n_responses(self) -> int:
        return int(self.person.size)

    @property
    def n_persons(self) -> int:
        return int(self.population.size)


def _bounds(selection: Selection) -> dict[str, datetime.datetime]:
    zone = timezone.get_default_timezone()
    filters = {}
    if selection.period_start is not None:
        start = datetime.datetime.combine(selection.period_start, datetime.time.min)
        filters["attempt__finished_at__gte"] = timezone.make_aware(start, zone)
    if selection.period_end is not None:
        end = datetime.datetime.combine(
            selection.period_end + datetime.timedelta(days=1), datetime.time.min
        )
        filters["attempt__finished_at__lt"] = timezone.make_aware(end, zone)
    return filters


def selected_responses(selection: Selection) -> QuerySet[Response]:
    """The responses a calibration reads (filters only; no columns chosen)."""
    responses = Response.objects.filter(
        attempt__framework_id=selection.framework_id,
        attempt__status=Attempt.Status.FINISHED,
        attempt__synthetic=selection.synthetic,
        **_bounds(selection),
    )
    if selection.population_ids:
        responses = responses.filter(
            attempt__user__profile__population_id__in=selection.population_ids
        )
    return responses


def response_query(selection: Selection) -> QuerySet[Response]:
    """The one query: person index, item version, correct, pretest, population, English,
    situation; ordered by attempt so that an attempt's rows come together."""
    status_code = Case(
        *(
            When(attempt__user__profile__status=code, then=Value(i))
            for i, code in enumerate(STATUSES)
        ),
        default=Value(NO_GROUP),
        output_field=IntegerField(),
    )
    return (
        selected_responses(selection)
        .annotate(
            person=Window(DenseRank(), order_by=F("attempt_id").asc()),
            population=Coalesce(F("attempt__user__profile__population_id"), Value(NO_GROUP)),
            english=Case(
                When(attempt__language="en", then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            status_code=status_code,
        )
        .order_by("attempt_id", "position")
        .values_list(
            "person",
            "item_version_id",
            "correct",
            "pretest",
            "population",
            "english",
            "status_code",
        )
    )


def _chunks(selection: Selection, chunk_rows: int) -> list[np.ndarray]:
    sql, params = response_query(selection).query.sql_with_params()
    blocks: list[np.ndarray] = []
    # A transaction gives one consistent snapshot, and lets PostgreSQL stream a server-side
    # cursor without materialising it (a cursor WITH HOLD would be copied first).
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_rows):
            blocks.append(np.array(rows, dtype=np.int64).reshape(-1, _COLUMNS))
    return blocks


def read_responses(selection: Selection, chunk_rows: int = CHUNK_ROWS) -> ResponseData:
    """Every selected answer as numpy arrays (see the module docstring for the cost)."""
    persons: list[np.ndarray] = []
    versions: list[np.ndarray] = []
    corrects: list[np.ndarray] = []
    pretests: list[np.ndarray] = []
    keys: list[np.ndarray] = []
    for block in _chunks(selection, chunk_rows):
        person = block[:, 0] - 1
        persons.append(person.astype(np.int32))
        versions.append(_compact(block[:, 1]))
        corrects.append(block[:, 2].astype(bool))
        pretests.append(block[:, 3].astype(bool))
        # The first row of each person in the chunk carries the person's keys.
        first = np.flatnonzero(np.concatenate(([True], person[1:] != person[:-1])))
        keys.append(np.column_stack((person[first], block[first, 4:])))
    if not persons:
        empty = np.empty(0, dtype=np.int32)
        return ResponseData(
            empty, empty.copy(), np.empty(0, bool), np.empty(0, bool), empty.copy(),
            np.empty(0, bool), np.empty(0, np.int8),
        )  # fmt: skip
    person_keys = np.concatenate(keys)
    n_persons = int(person_keys[:, 0].max()) + 1
    population = np.full(n_persons, NO_GROUP, dtype=np.int64)
    english = np.zeros(n_persons, dtype=bool)
    status = np.full(n_persons, NO_GROUP, dtype=np.int8)
    population[person_keys[:, 0]] = person_keys[:, 1]
    english[person_keys[:, 0]] = person_keys[:, 2].astype(bool)
    status[person_keys[:, 0]] = person_keys[:, 3]
    return ResponseData(
        person=np.concatenate(persons),
        item_version=np.concatenate(versions),
        correct=np.concatenate(corrects),
        pretest=np.concatenate(pretests),
        population=population,
        english=english,
        status=status,
    )


def _compact(values: np.ndarray) -> np.ndarray:
    return values.astype(np.int32 if int(values.max()) < np.iinfo(np.int32).max else np.int64)


def response_counts(
    selection: Selection, version_ids: Sequence[int] | None = None
) -> dict[int, int]:
    """Number of selected answers per item version (one grouped query)."""
    from django.db.models import Count

    responses = selected_responses(selection)
    if version_ids is not None:
        responses = responses.filter(item_version_id__in=version_ids)
    return dict(
        responses.values("item_version_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("item_version_id", "n")
    )
