"""A throw-away PostgreSQL server for the test session, from the machine's binaries.

It lives in a temporary directory, listens on 127.0.0.1 on a free port and on a private
Unix socket, runs with fsync off, and is stopped and deleted at the end, also when the test
run is interrupted (SIGINT) or terminated (SIGTERM). PostgreSQL refuses to run as root, so as
root the server runs as the `postgres` (or `nobody`) user.

Autovacuum is off: tests flush tables and fill them again within seconds, and an autovacuum
run in between records the emptied tables as holding 0 rows while their pages remain; the
next test's rows, inserted in its own transaction, are then invisible to the planner, which
picks nested sequential scans that ran for over ten minutes on the bank snapshot query.
Without autovacuum the statistics only change when a test (or `palier.core.db.analyze`)
asks, so plans no longer depend on its timing.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

SUPERUSER = "palier"
START_TIMEOUT_SECONDS = 60


class PostgresUnavailableError(RuntimeError):
    """The PostgreSQL server binaries are not on this machine."""


def find_bin_dir() -> Path:
    """Where initdb/pg_ctl live: $PALIER_PG_BIN, pg_config, Debian's layout, or PATH."""
    candidates: list[str] = []
    if os.environ.get("PALIER_PG_BIN"):
        candidates.append(os.environ["PALIER_PG_BIN"])
    if shutil.which("pg_config"):
        result = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=False
        )
        candidates.append(result.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    if shutil.which("initdb"):
        candidates.append(str(Path(shutil.which("initdb") or "").resolve().parent))
    for candidate in candidates:
        path = Path(candidate)
        if (path / "initdb").exists() and (path / "pg_ctl").exists():
            return path
    raise PostgresUnavailableError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL or set "
        "PALIER_PG_BIN."
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_as() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresUnavailableError("running as root and no 'postgres' or 'nobody' user")


@dataclass
class TemporaryPostgres:
    bin_dir: Path
    directory: Path
    port: int
    account: pwd.struct_passwd | None
    stopped: bool = field(default=False, init=False)

    @classmethod
    def start(cls) -> TemporaryPostgres:
        bin_dir = find_bin_dir()
        account = run_as()
        directory = Path(tempfile.mkdtemp(prefix="palier-pg-"))
        server = cls(bin_dir, directory, free_port(), account)
        if account is not None:
            os.chown(directory, account.pw_uid, account.pw_gid)
        server.run(
            "initdb",
            "-D",
            str(server.data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        server.run_server()
        return server

    def run_server(self) -> None:
        """Start PostgreSQL on the data directory (fast, unsafe settings) and wait for it."""
        self.run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.directory / "server.log"),
            "-w",
            "-t",
            str(START_TIMEOUT_SECONDS),
            "-o",
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c autovacuum=off",
            "start",
        )

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    def run(self, program: str, *args: str) -> None:
        command = [str(self.bin_dir / program), *args]
        if self.account is not None:
            command = ["runuser", "-u", self.account.pw_name, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed: {result.stdout}\n{result.stderr}")

    def database_settings(self, name: str = "palier") -> dict[str, object]:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": SUPERUSER,
            "PASSWORD": "",
            # The private Unix socket: no TCP round trip per query (the tests run thousands).
            "HOST": str(self.directory),
            "PORT": str(self.port),
            "OPTIONS": {},
        }

    def postmaster_pid(self) -> int:
        """Process id of the running server (first line of postmaster.pid)."""
        return int((self.data_dir / "postmaster.pid").read_text().split()[0])

    def stop(self) -> None:
        """Stop the server and delete its directory (a second call does nothing)."""
        if self.stopped:
            return
        self.stopped = True
        try:
            self.run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


Handler = Callable[[int, FrameType | None], object] | int | None

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def stop_on_signals(
    server: TemporaryPostgres, signals: Iterable[signal.Signals] = STOP_SIGNALS
) -> Callable[[], None]:
    """Stop ``server`` when one of ``signals`` arrives, then let the signal do what it did
    before (SIGINT: pytest's KeyboardInterrupt; SIGTERM: end the process).

    Returns the function that puts the previous handlers back.
    """
    previous: dict[int, Handler] = {sig: signal.getsignal(sig) for sig in signals}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    def handler(signum: int, frame: FrameType | None) -> None:
        try:
            server.stop()
        finally:
            restore()
            signal.raise_signal(signum)

    for sig in previous:
        signal.signal(sig, handler)
    return restore


def stale_empty_statistics(cursor: Any, tables: Iterable[str]) -> None:
    """Write what autovacuum leaves on emptied tables: 0 rows, pages kept (superuser only).

    The planner then estimates 0 rows for the tables whatever they hold, until an ANALYZE.
    """
    cursor.execute(
        "UPDATE pg_class SET reltuples = 0, relpages = 10 WHERE oid = ANY(%s::regclass[])",
        [list(tables)],
    )


def row_estimate(cursor: Any, table: str) -> float:
    """The planner's row count for ``table`` (pg_class.reltuples)."""
    cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
    return float(cursor.fetchone()[0])
