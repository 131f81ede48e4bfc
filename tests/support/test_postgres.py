import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.postgres

PROBE = Path(__file__).with_name("postgres_probe.py")
# Generous bounds for a loaded machine; the test waits for events, it does not time them.
SERVER_START_DEADLINE_SECONDS = 240
EXIT_DEADLINE_SECONDS = 120


def running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (an exited server whose parent, a
    session leader here, has not collected it yet)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_a_test_run_stopped_by_a_signal_stops_its_postgres_server(
    database_vendor, tmp_path, signal_number
):
    if database_vendor != "postgres":
        pytest.skip("starts a PostgreSQL test session: run with --database=postgres")
    probe_file = tmp_path / "data_directory"
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "--database=postgres",
            str(PROBE),
        ],
        env={**os.environ, "PALIER_PROBE_FILE": str(probe_file)},
        cwd=Path(__file__).parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + SERVER_START_DEADLINE_SECONDS
        while not probe_file.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert probe_file.exists(), child.communicate(timeout=60)[0].decode()
        data_directory = Path(probe_file.read_text())
        pid = int((data_directory / "postmaster.pid").read_text().split()[0])
        assert running(pid)
        child.send_signal(signal_number)
        child.wait(timeout=EXIT_DEADLINE_SECONDS)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode != 0
    assert not running(pid)
    assert not data_directory.exists()
