"""Read replica routing: the steering aggregates may be read from a streaming standby.

A model opts in with a class attribute ``read_from_replica = True`` (the steering summary
tables do). Its reads go to the ``replica`` alias when ``DATABASE_REPLICA_URL`` configured
one; everything else stays on ``default``: every write, every other read (including the
related objects reached from a replica row) and every migration. The check is made at each
query, so a process without the alias (SQLite demo, tests) reads everything from ``default``.

Why only the aggregates: they are refreshed in bulk and read by dashboards, so a replica a
few seconds behind shows the same figures; a learner's own pages must read their writes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

__all__ = ["ReplicaRouter", "replica_alias"]


def replica_alias() -> str | None:
    """The replica's database alias when one is configured, else None."""
    alias = getattr(settings, "REPLICA_DB_ALIAS", "replica")
    return alias if alias in connections.settings else None


class ReplicaRouter:
    """Django database router (settings.DATABASE_ROUTERS) for the optional read replica."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        alias = replica_alias()
        if alias is not None and getattr(model, "read_from_replica", False):
            return alias
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica holds the same data as the primary: a row read from one may point to
        # a row of the other.
        known = {DEFAULT_DB_ALIAS, replica_alias()}
        if obj1._state.db in known and obj2._state.db in known:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # The standby replays the primary's WAL: migrating it directly would fail (read-only).
        return db == DEFAULT_DB_ALIAS
