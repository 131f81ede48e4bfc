"""Database helpers shared by the apps' services and commands."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model


def analyze(*models: type[Model], using: str = DEFAULT_DB_ALIAS) -> None:
    """Refresh PostgreSQL's planner statistics for the tables of ``models`` (all tables when
    none is given); nothing on other databases.

    Why: after a bulk load the planner may still hold the estimates of the empty tables
    (autovacuum sets them to 0 rows once a table is emptied, and only catches up later), and
    plans nested sequential scans that take minutes on a few hundred rows. ANALYZE may run in
    a transaction; the new statistics then serve the rest of it.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}" if tables else "ANALYZE")
