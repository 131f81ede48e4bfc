"""A throw-away PostgreSQL server for the test session, from the machine's binaries.

It lives in a temporary directory, listens on 127.0.0.1 on a free port and a private
Unix socket, runs with fsync off, and is stopped and deleted at the end. PostgreSQL refuses
to run as root, so as root the server runs as the `postgres` (or `nobody`) user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run_as() -> pwd.struct_passwd | None:
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

    @classmethod
    def start(cls) -> TemporaryPostgres:
        bin_dir = find_bin_dir()
        account = _run_as()
        directory = Path(tempfile.mkdtemp(prefix="palier-pg-"))
        server = cls(bin_dir, directory, _free_port(), account)
        if account is not None:
            os.chown(directory, account.pw_uid, account.pw_gid)
        server._run(
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
        server._run(
            "pg_ctl",
            "-D",
            str(server.data_dir),
            "-l",
            str(directory / "server.log"),
            "-w",
            "-t",
            str(START_TIMEOUT_SECONDS),
            "-o",
            f"-p {server.port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off",
            "start",
        )
        return server

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    def _run(self, program: str, *args: str) -> None:
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
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "OPTIONS": {},
        }

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)
