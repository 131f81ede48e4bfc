"""Seed loaders run once per test process, then replayed as plain inserts.

Loading the framework or the item bank through their real loaders costs thousands of queries
and seconds of CPU, and nearly every database test needs one of them. `replayed(key, load)`
runs `load` for real the first time, in the test's own transaction, and records what it
changed: every new row of every table, nothing else. Later calls insert the same rows again
(ids included, so every order by id is kept) with a few multi-row INSERTs, then move the
tables' id sequences past them, as the real load would have.

A recording is replayed only where the real load would give the same rows:
- the tables the load writes hold exactly what they held when it was recorded (usually
  nothing), so neither an id clash nor an idempotent "already there" branch is possible;
- every row the new rows point to (a capacity, a framework) exists, unchanged;
- it is the same day (a calibration's name carries the date).
Otherwise the real loader runs (and its changes are recorded too, for the next test in the
same state). A load that updates or deletes rows it did not create is never recorded.

Timestamps keep their distance to the moment of the load: a replayed row's `created_at` is
"now" plus what it was after the recorded load's start, so rows look as fresh as real ones
and caches keyed on them (the bank snapshot) see a new bank in each test.

Each test still runs in its own transaction (or flushed database), so one test's edits never
reach the next: only the recording, in this process's memory, outlives a test.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

T = TypeVar("T")
RECORDINGS_PER_KEY = 3
INSERT_BATCH_ROWS = 200


@dataclass
class Table:
    model: type[models.Model]
    fields: list[models.Field]

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    def rows(self) -> dict[Any, tuple]:
        """Every row, by primary key, as Python values in field order."""
        pk = self.model._meta.pk.attname
        names = [each.attname for each in self.fields]
        index = names.index(pk)
        return {
            row[index]: row for row in self.model._base_manager.values_list(*names).order_by(pk)
        }


def _tables() -> list[Table]:
    seen, tables = set(), []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped or meta.db_table in seen:
            continue
        seen.add(meta.db_table)
        fields = [each for each in meta.concrete_fields if not each.generated]
        tables.append(Table(model, fields))
    return tables


def _is_time(column: models.Field) -> bool:
    return isinstance(column, models.DateTimeField)


def _comparable(table: Table, rows: dict[Any, tuple]) -> list[tuple]:
    """The rows with each timestamp (which differs from test to test) reduced to whether
    it is set."""
    times = [_is_time(each) for each in table.fields]
    return [
        tuple(value is not None if time else value for value, time in zip(row, times, strict=True))
        for _, row in sorted(rows.items())
    ]


@dataclass
class Recording:
    day: dt.date
    result: Any
    # db_table -> (table, the rows it held before the load, without timestamps)
    before: dict[str, tuple[Table, list[tuple]]] = field(default_factory=dict)
    # db_table -> (table, new rows with timestamps as offsets from the load's start)
    inserted: dict[str, tuple[Table, list[tuple]]] = field(default_factory=dict)
    # model -> {pk: row without timestamps}: the rows the new rows point to, that the load
    # did not create
    referenced: dict[type[models.Model], dict[Any, tuple]] = field(default_factory=dict)

    def applies(self) -> bool:
        if timezone.localdate() != self.day:
            return False
        for table, rows in self.before.values():
            if _comparable(table, table.rows()) != rows:
                return False
        return all(
            _referenced_rows(model, list(expected)) == expected
            for model, expected in self.referenced.items()
        )


def _referenced_rows(model: type[models.Model], pks: list[Any]) -> dict[Any, tuple]:
    table = Table(model, [each for each in model._meta.concrete_fields if not each.generated])
    names = [each.attname for each in table.fields]
    found = model._base_manager.filter(pk__in=pks).values_list(*names)
    rows = {row[names.index(model._meta.pk.attname)]: row for row in found}
    return dict(zip(sorted(rows), _comparable(table, rows), strict=True))


_recordings: dict[str, list[Recording]] = {}


def replayed(key: str, load: Callable[[], T], reads: tuple[str, ...] = ()) -> T:
    """`load()`, or the replay of an earlier `load()` under `key` that applies here.

    `reads` names the apps whose tables the load reads beyond those it writes: the replay
    needs them to hold what they held when it was recorded."""
    for recording in _recordings.get(key, []):
        if recording.applies():
            return _replay(recording)
    recording, result = _record(load, reads)
    if recording is not None and len(_recordings.setdefault(key, [])) < RECORDINGS_PER_KEY:
        _recordings[key].append(recording)
    return result


def forget() -> None:
    """Drop every recording (a test that changes what a loader reads can call it)."""
    _recordings.clear()


def _record(load: Callable[[], T], reads: tuple[str, ...]) -> tuple[Recording | None, T]:
    tables = _tables()
    start = timezone.now()
    day = timezone.localdate()
    before = {table.name: table.rows() for table in tables}
    result = load()
    recording = Recording(day=day, result=copy.deepcopy(result))
    for table in tables:
        old, new = before[table.name], table.rows()
        if any(new.get(pk) != row for pk, row in old.items()):
            return None, result  # it changed or deleted a row it did not create
        added = [row for pk, row in new.items() if pk not in old]
        if added or table.model._meta.app_label in reads:
            recording.before[table.name] = (table, _comparable(table, old))
        if not added:
            continue
        recording.inserted[table.name] = (table, [_offsets(table, row, start) for row in added])
        for column_index, column in enumerate(table.fields):
            if not column.is_relation or column.related_model is None:
                continue
            target = column.related_model
            if not column.target_field.primary_key:  # compare the whole table instead
                table_of = next(t for t in tables if t.name == target._meta.db_table)
                old_rows = before[table_of.name]
                recording.before.setdefault(
                    table_of.name, (table_of, _comparable(table_of, old_rows))
                )
                continue
            existed = before.get(target._meta.db_table, {})
            pks = {row[column_index] for row in added} & set(existed)  # rows it did not create
            if pks:
                known = recording.referenced.setdefault(target, {})
                known.update(_referenced_rows(target, sorted(pks)))
    if recording.day != timezone.localdate():
        return None, result
    return recording, result


def _offsets(table: Table, row: tuple, start: dt.datetime) -> tuple:
    return tuple(
        value - start if value is not None and _is_time(column) else value
        for column, value in zip(table.fields, row, strict=True)
    )


def _replay(recording: Recording) -> Any:
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, rows in recording.inserted.values():
            _insert(cursor, table, rows, now)
        statements = connection.ops.sequence_reset_sql(
            no_style(), [table.model for table, _ in recording.inserted.values()]
        )
        for statement in statements:
            cursor.execute(statement)
    return _fresh(recording.result)


def _insert(cursor, table: Table, rows: list[tuple], now: dt.datetime) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(each.column) for each in table.fields)
    placeholders = "(" + ", ".join(["%s"] * len(table.fields)) + ")"
    prepared = [
        [
            column.get_db_prep_save(
                now + value if value is not None and _is_time(column) else value, connection
            )
            for column, value in zip(table.fields, row, strict=True)
        ]
        for row in rows
    ]
    size = INSERT_BATCH_ROWS
    if connection.features.max_query_params:
        size = max(1, min(size, connection.features.max_query_params // len(table.fields)))
    for first in range(0, len(prepared), size):
        batch = prepared[first : first + size]
        values = ", ".join([placeholders] * len(batch))
        cursor.execute(
            f"INSERT INTO {quote(table.name)} ({columns}) VALUES {values}",  # noqa: S608
            [value for row in batch for value in row],
        )


def _fresh(value: Any) -> Any:
    """The recorded result with every model instance read again from the database."""
    if isinstance(value, models.Model):
        return type(value)._base_manager.get(pk=value.pk)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            each.name: _fresh(getattr(value, each.name)) for each in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    if isinstance(value, (list, tuple)):
        return type(value)(_fresh(each) for each in value)
    return copy.deepcopy(value)
