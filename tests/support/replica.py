"""A throw-away streaming standby of a running PostgreSQL server, for the read-replica tests.

`start_standby` copies the primary with `pg_basebackup -R` (which writes the standby's
connection settings and its `standby.signal`), then starts the copy on its own free port and
private socket directory: a real hot standby that replays the primary's WAL as it streams.
It is stopped and deleted like the primary (`TemporaryPostgres.stop`, `stop_on_signals`).

initdb's default pg_hba.conf trusts replication connections on the Unix socket and on
loopback, and PostgreSQL 15 defaults to `wal_level = replica` with ten WAL senders, so the
test session's server needs no configuration for this.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.support.postgres import (
    SUPERUSER,
    PostgresUnavailableError,
    TemporaryPostgres,
    find_bin_dir,
    free_port,
    run_as,
)

REPLAY_POLL_SECONDS = 0.05


def start_standby(primary: Mapping[str, Any]) -> TemporaryPostgres:
    """Copy the server of the Django database settings ``primary`` (host: its socket
    directory or 127.0.0.1) and start the copy as a streaming standby."""
    bin_dir = find_bin_dir()
    if not (bin_dir / "pg_basebackup").exists():
        raise PostgresUnavailableError(f"pg_basebackup not found in {bin_dir}")
    account = run_as()
    directory = Path(tempfile.mkdtemp(prefix="palier-pg-standby-"))
    if account is not None:
        os.chown(directory, account.pw_uid, account.pw_gid)
    standby = TemporaryPostgres(bin_dir, directory, free_port(), account)
    try:
        standby.run(
            "pg_basebackup",
            "-D",
            str(standby.data_dir),
            "-h",
            str(primary["HOST"]),
            "-p",
            str(primary["PORT"]),
            "-U",
            str(primary.get("USER") or SUPERUSER),
            "-R",  # standby.signal + primary_conninfo: start as a streaming standby
            "-X",
            "stream",
            "--checkpoint=fast",
            "--no-sync",
        )
        standby.run_server()
    except BaseException:
        standby.stop()
        raise
    return standby


def wait_for_replay(primary_cursor: Any, standby_cursor: Any, timeout: float) -> None:
    """Wait until the standby has replayed everything the primary had written when called.

    The target is the primary's WAL *insert* position, not `pg_current_wal_lsn()` (its write
    position): the test server commits asynchronously (synchronous_commit=off), so the last
    commit record may still sit in the WAL buffers, behind the write position, until the WAL
    writer flushes it a moment later. Raises TimeoutError after ``timeout`` seconds.
    """
    primary_cursor.execute("SELECT pg_current_wal_insert_lsn()")
    target = primary_cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while True:
        standby_cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
        if standby_cursor.fetchone()[0]:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the standby did not replay up to {target} in {timeout} s")
        time.sleep(REPLAY_POLL_SECONDS)
