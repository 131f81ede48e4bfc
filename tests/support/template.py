"""Migrate once per test run, copy the result into every other worker's test database.

Each xdist worker creates its own test database, and creating one runs every migration from
zero (tens of seconds). `migrations_from_template(folder)` wraps Django's `migrate` as
test-database creation calls it: the first worker to get there runs the migrations for real
(so every run still applies them all from zero, on the backend of the run) and saves the
migrated database in `folder`; the others wait for it, under a file lock, and copy it:
SQLite's online backup into their in-memory database, `pg_dump`/`pg_restore` into theirs on
PostgreSQL (each worker has its own server). `folder` belongs to the run (pytest's base
temporary folder), so nothing is reused from one run to the next.
"""

from __future__ import annotations

import fcntl
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from django.core import management
from django.db import DEFAULT_DB_ALIAS, connections

from tests.support.postgres import TemporaryPostgres


@contextmanager
def migrations_from_template(folder: Path, server: TemporaryPostgres | None) -> Iterator[None]:
    real = management.call_command

    def call_command(name: Any, *args: Any, **options: Any) -> Any:
        if name != "migrate":
            return real(name, *args, **options)
        connection = connections[options.get("database", DEFAULT_DB_ALIAS)]
        template = folder / f"migrated-{connection.vendor}-{connection.alias}"
        with open(f"{template}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if template.exists():
                _restore(connection, template, server)
                return None
            result = real(name, *args, **options)
            _save(connection, template.with_suffix(".part"), server)
            template.with_suffix(".part").rename(template)
            return result

    management.call_command = call_command
    try:
        yield
    finally:
        management.call_command = real


def _save(connection: Any, path: Path, server: TemporaryPostgres | None) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with closing(sqlite3.connect(path)) as copy:
            connection.connection.backup(copy)
    elif connection.vendor == "postgresql" and server is not None:
        _pg(server, "pg_dump", "--format=custom", f"--file={path}", connection)
    else:
        raise RuntimeError(f"no template for {connection.vendor}")


def _restore(connection: Any, path: Path, server: TemporaryPostgres | None) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with closing(sqlite3.connect(path)) as template:
            template.backup(connection.connection)
    elif connection.vendor == "postgresql" and server is not None:
        connection.close()
        _pg(server, "pg_restore", "--no-owner", "--exit-on-error", str(path), connection)
    else:
        raise RuntimeError(f"no template for {connection.vendor}")


def _pg(server: TemporaryPostgres, program: str, *args: Any) -> None:
    *options, connection = args
    settings = connection.settings_dict
    command = [
        str(server.bin_dir / program),
        *options,
        f"--host={settings['HOST']}",
        f"--port={settings['PORT']}",
        f"--username={settings['USER']}",
        f"--dbname={settings['NAME']}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{program} failed: {result.stderr}")
