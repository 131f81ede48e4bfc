"""A real Learning Record Store for the tests: Ralph (the `ralph-malph` package) with its
file-system backend, served by uvicorn in a subprocess on a loopback port.

Ralph pins its own versions of uvicorn and FastAPI, so it lives in a virtualenv of its own
(`make ralph-venv`, at PALIER_RALPH_VENV; `make test` creates it). The tests talk to it over
HTTP only, and validate what it stored with its own pydantic models, in its own interpreter.
Ralph runs through `ralph_server.py`, which makes its file backend append (see there why).
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[3]
LAUNCHER = Path(__file__).resolve().parent / "ralph_server.py"
USERNAME = "palier"
PASSWORD = "test-only-lrs-password"
START_TIMEOUT_SECONDS = 60

# Checks statements with Ralph's strict xAPI model; prints one line of errors per statement.
VALIDATE_SCRIPT = """
import json, sys
from ralph.models.xapi.base.statements import BaseXapiStatement
for statement in json.load(sys.stdin):
    try:
        BaseXapiStatement.model_validate(statement)
        print("ok")
    except Exception as error:
        print(" ".join(str(error).split()))
"""


def ralph_venv() -> Path:
    return Path(os.environ.get("PALIER_RALPH_VENV", REPOSITORY / ".venv-ralph"))


def ralph_python() -> Path:
    return ralph_venv() / "bin" / "python"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Ralph:
    """One LRS: its data directory survives `stop()`, so a restart keeps what it stored."""

    directory: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    def _write_auth_file(self) -> Path:
        hashed = subprocess.run(
            [
                str(ralph_python()),
                "-c",
                "import bcrypt, sys; "
                "print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(4)).decode())",
                PASSWORD,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        path = self.directory / "auth.json"
        user = {
            "agent": {"mbox": "mailto:palier@example.org"},
            "scopes": ["all"],
            "hash": hashed,
            "username": USERNAME,
        }
        path.write_text(json.dumps([user]))
        return path

    def start(self) -> None:
        data = self.directory / "lrs"
        data.mkdir(parents=True, exist_ok=True)
        auth = self.directory / "auth.json"
        if not auth.exists():
            auth = self._write_auth_file()
        environment = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(self.directory),
            "RALPH_APP_DIR": str(self.directory / "app"),
            "RALPH_AUTH_FILE": str(auth),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(data),
            "RALPH_EXECUTION_ENVIRONMENT": "test",
        }
        log = (self.directory / "ralph.log").open("ab")
        self.process = subprocess.Popen(
            [str(ralph_python()), str(LAUNCHER), "127.0.0.1", str(self.port)],
            env=environment,
            cwd=self.directory,
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Ralph stopped at start: {self.log()[-2000:]}")
            try:
                urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1
                ).close()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("Ralph did not answer within a minute")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log(self) -> str:
        path = self.directory / "ralph.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def statements(self) -> list[dict[str, Any]]:
        """Every statement the LRS holds, read back through its xAPI GET endpoint."""
        pair = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310
            f"{self.endpoint}statements?limit=500",
            headers={"Authorization": f"Basic {pair}", "X-Experience-API-Version": "1.0.3"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.load(response)["statements"]

    def model_errors(self, statements: list[dict[str, Any]]) -> list[str]:
        """Ralph's own validation (its strict xAPI model) of each statement: "ok" or why."""
        done = subprocess.run(
            [str(ralph_python()), "-c", VALIDATE_SCRIPT],
            input=json.dumps(statements),
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.splitlines()
