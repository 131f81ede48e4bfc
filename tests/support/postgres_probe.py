"""Run by tests/support/test_postgres.py in a pytest subprocess (not collected on its own):
starts the session's PostgreSQL server, writes its data directory to $PALIER_PROBE_FILE and
waits to be signalled."""

import os
import time
from pathlib import Path

import pytest
from django.db import connection

WAIT_SECONDS = 300


@pytest.mark.django_db
def test_wait_for_a_signal_with_the_server_running():
    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        data_directory = cursor.fetchone()[0]
    Path(os.environ["PALIER_PROBE_FILE"]).write_text(data_directory)
    time.sleep(WAIT_SECONDS)
