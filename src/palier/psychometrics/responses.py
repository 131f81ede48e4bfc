"""Reading stored responses into the engine's long-format arrays, in one streaming query.

A calibration reads every answer of the finished attempts it selects: at national scale
60,000,000 rows (2,000,000 attempts x 30 answers). The rows are never turned into model
instances. One SQL query joins the answers to the selected attempts, numbered in the database
(``ROW_NUMBER()`` over the attempts, a few million rows, rather than a sort of every answer)
with their grouping keys as integers. On PostgreSQL it is read with ``COPY ... TO STDOUT
(FORMAT BINARY)``: fixed-width rows that numpy decodes a block at a time, no Python object per
row at all. Elsewhere (SQLite) a cursor streams it in chunks of driver tuples, each turned into
numpy columns at once. Memory: about 10 bytes per answer for the result (person int32, item
version int32, correct and pretest booleans), plus one chunk.

The grouping keys used for DIF (population, language, situation) are the learner's at reading
time, joined from the profile: profiles carry no history.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, QuerySet, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from palier.accounts.choices import LearnerStatus
from palier.assessments.models import Attempt, Response

#: Rows fetched per round trip and converted to numpy at once (about 10 MB of driver tuples).
CHUNK_ROWS = 100_000
#: Integer codes of the learners' situations in `ResponseData.status` (-1: not given).
STATUSES: tuple[str, ...] = tuple(LearnerStatus.values)
NO_GROUP = -1
#: The columns of the one query, in order (every one an integer or a boolean).
QUERY_COLUMNS = (
    "person",
    "item_version_id",
    "correct",
    "pretest",
    "population",
    "english",
    "status_code",
)
_COLUMNS = len(QUERY_COLUMNS)


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
        filters["finished_at__gte"] = timezone.make_aware(start, zone)
    if selection.period_end is not None:
        end = datetime.datetime.combine(
            selection.period_end + datetime.timedelta(days=1), datetime.time.min
        )
        filters["finished_at__lt"] = timezone.make_aware(end, zone)
    return filters


def selected_attempts(selection: Selection) -> QuerySet[Attempt]:
    """The attempts a calibration reads (filters only)."""
    attempts = Attempt.objects.filter(
        framework_id=selection.framework_id,
        status=Attempt.Status.FINISHED,
        synthetic=selection.synthetic,
        **_bounds(selection),
    )
    if selection.population_ids:
        attempts = attempts.filter(user__profile__population_id__in=selection.population_ids)
    return attempts


def attempt_query(selection: Selection) -> QuerySet[Attempt]:
    """The selected attempts that have answers, numbered from 1 in id order, with their
    grouping keys as integers (population id, English, situation; -1 or 0 when not given)."""
    attempts = selected_attempts(selection).filter(
        Exists(Response.objects.filter(attempt=OuterRef("pk")))
    )
    status_code = Case(
        *(When(user__profile__status=code, then=Value(i)) for i, code in enumerate(STATUSES)),
        default=Value(NO_GROUP),
        output_field=IntegerField(),
    )
    return (
        attempts.annotate(
            person=Window(RowNumber(), order_by=F("id").asc()),
            population=Coalesce(F("user__profile__population_id"), Value(NO_GROUP)),
            english=Case(
                When(language="en", then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            status_code=status_code,
        )
        .order_by()
        .values_list("id", "person", "population", "english", "status_code")
    )


def response_sql(selection: Selection) -> tuple[str, tuple]:
    """The one query: each answer with its person's number and keys, read from the numbered
    attempts (a join on a few million attempts, not a sort of every answer). Rows come in no
    particular order: the calibration needs none."""
    attempts_sql, params = attempt_query(selection).query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(Response._meta.db_table)
    columns = {
        "person": 'a."person"',
        "item_version_id": f"r.{quote('item_version_id')}",
        "correct": f"r.{quote('correct')}",
        "pretest": f"r.{quote('pretest')}",
        "population": 'a."population"',
        "english": 'a."english"',
        "status_code": 'a."status_code"',
    }
    select = ", ".join(f'{columns[name]} AS "{name}"' for name in QUERY_COLUMNS)
    # Only our names and the ORM's own SQL are formatted in; the values stay parameters.
    sql = (
        f"SELECT {select} FROM {table} AS r "  # noqa: S608
        f"INNER JOIN ({attempts_sql}) AS a ON r.{quote('attempt_id')} = a.{quote('id')}"
    )
    return sql, tuple(params)


# PostgreSQL's binary COPY: a 19-byte header (signature, flags, extension length), then per
# row a field count (int16) and, per field, its length (int32) and big-endian value; all our
# fields are non-null integers, so every row has the same layout and numpy reads a whole block
# of rows at once. Widths: int8 for ids, int4 for the rest.
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_COPY_WIDTHS = (4, 8, 4, 4, 8, 4, 4)
_COPY_CASTS = ("int4", "int8", "int4", "int4", "int8", "int4", "int4")
_COPY_ROW = np.dtype(
    [("fields", ">i2")]
    + [
        item
        for index, width in enumerate(_COPY_WIDTHS)
        for item in ((f"length{index}", ">i4"), (f"value{index}", f">i{width}"))
    ]
)


def _copy_blocks(selection: Selection, chunk_rows: int) -> Iterator[np.ndarray]:
    """The query's rows through ``COPY ... TO STDOUT (FORMAT BINARY)`` (PostgreSQL only):
    no Python object per row at all, blocks of ``chunk_rows`` rows as int64 columns."""
    sql, params = response_sql(selection)
    columns = ", ".join(
        f'q."{name}"::{cast}' for name, cast in zip(QUERY_COLUMNS, _COPY_CASTS, strict=True)
    )
    # Only our column names and the ORM's own SQL; the values stay parameters.
    statement = f"COPY (SELECT {columns} FROM ({sql}) AS q) TO STDOUT (FORMAT BINARY)"  # noqa: S608
    with transaction.atomic(), connection.cursor() as wrapper:
        # A bulk read of every answer: hash or merge joins are always right, and a nested
        # loop chosen on stale statistics (e.g. tables never analysed since a bulk load) turns
        # a seconds-long read into minutes. Only for this transaction.
        wrapper.execute("SET LOCAL enable_nestloop = off")
        yield from _decode(wrapper.cursor.copy(statement, params), chunk_rows)


def _decode(copy_context: Any, chunk_rows: int) -> Iterator[np.ndarray]:
    row_size = _COPY_ROW.itemsize
    pending = bytearray()
    header_done = False
    with copy_context as copy:
        for data in copy:
            pending += data
            if not header_done:
                if len(pending) < 19:
                    continue
                if bytes(pending[:11]) != _COPY_SIGNATURE:
                    raise ValueError("unexpected COPY header")
                extension = int.from_bytes(pending[15:19], "big")
                if len(pending) < 19 + extension:
                    continue
                del pending[: 19 + extension]
                header_done = True
            complete = len(pending) // row_size
            if complete >= chunk_rows:
                yield _copy_values(pending, complete * row_size)
                del pending[: complete * row_size]
    # What is left: the last rows, then the trailer (int16 -1).
    if not header_done or pending[-2:] != b"\xff\xff" or (len(pending) - 2) % row_size:
        raise ValueError("truncated COPY data")
    del pending[-2:]
    if pending:
        yield _copy_values(pending, len(pending))


def _copy_values(buffer: bytearray, size: int) -> np.ndarray:
    rows = np.frombuffer(bytes(buffer[:size]), dtype=_COPY_ROW)
    if np.any(rows["fields"] != _COLUMNS) or any(
        np.any(rows[f"length{index}"] != width) for index, width in enumerate(_COPY_WIDTHS)
    ):
        raise ValueError("unexpected COPY row layout (a NULL or a wider value)")
    return np.column_stack([rows[f"value{index}"].astype(np.int64) for index in range(_COLUMNS)])


def _chunks(selection: Selection, chunk_rows: int) -> Iterator[np.ndarray]:
    if connection.vendor == "postgresql":
        yield from _copy_blocks(selection, chunk_rows)
        return
    yield from _cursor_blocks(selection, chunk_rows)


def _cursor_blocks(selection: Selection, chunk_rows: int) -> Iterator[np.ndarray]:
    sql, params = response_sql(selection)
    # A transaction gives one consistent snapshot, and lets PostgreSQL stream a server-side
    # cursor without materialising it (a cursor WITH HOLD would be copied first).
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_rows):
            yield np.array(rows, dtype=np.int64).reshape(-1, _COLUMNS)


class _PersonKeys:
    """Per-person keys filled as rows arrive (rows come in any order), grown by doubling."""

    def __init__(self) -> None:
        self.size = 0
        self.keys = np.full((1024, 3), NO_GROUP, dtype=np.int64)

    def add(self, person: np.ndarray, keys: np.ndarray) -> None:
        top = int(person.max()) + 1
        if top > self.keys.shape[0]:
            grown = np.full((max(top, 2 * self.keys.shape[0]), 3), NO_GROUP, dtype=np.int64)
            grown[: self.keys.shape[0]] = self.keys
            self.keys = grown
        self.keys[person] = keys
        self.size = max(self.size, top)


def read_responses(selection: Selection, chunk_rows: int = CHUNK_ROWS) -> ResponseData:
    """Every selected answer as numpy arrays (see the module docstring for the cost)."""
    persons: list[np.ndarray] = []
    versions: list[np.ndarray] = []
    corrects: list[np.ndarray] = []
    pretests: list[np.ndarray] = []
    keys = _PersonKeys()
    for block in _chunks(selection, chunk_rows):
        person = (block[:, 0] - 1).astype(np.int32)
        persons.append(person)
        versions.append(_compact(block[:, 1]))
        corrects.append(block[:, 2].astype(bool))
        pretests.append(block[:, 3].astype(bool))
        keys.add(person, block[:, 4:])
    if not persons:
        empty = np.empty(0, dtype=np.int32)
        return ResponseData(
            empty, empty.copy(), np.empty(0, bool), np.empty(0, bool), empty.copy(),
            np.empty(0, bool), np.empty(0, np.int8),
        )  # fmt: skip
    person_keys = keys.keys[: keys.size]
    return ResponseData(
        person=np.concatenate(persons),
        item_version=np.concatenate(versions),
        correct=np.concatenate(corrects),
        pretest=np.concatenate(pretests),
        population=person_keys[:, 0].copy(),
        english=person_keys[:, 1].astype(bool),
        status=person_keys[:, 2].astype(np.int8),
    )


def _compact(values: np.ndarray) -> np.ndarray:
    return values.astype(np.int32 if int(values.max()) < np.iinfo(np.int32).max else np.int64)


def response_counts(
    selection: Selection, version_ids: Sequence[int] | None = None
) -> dict[int, int]:
    """Number of selected answers per item version (one grouped query)."""
    from django.db.models import Count

    responses = Response.objects.filter(attempt__in=selected_attempts(selection))
    if version_ids is not None:
        responses = responses.filter(item_version_id__in=version_ids)
    return dict(
        responses.values("item_version_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("item_version_id", "n")
    )
