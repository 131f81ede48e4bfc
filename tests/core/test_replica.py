"""The read replica: routing rules, and a real streaming standby of the test server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, models, router
from django.test.utils import CaptureQueriesContext, isolate_apps
from django.utils import timezone

from palier.core.db_router import ReplicaRouter, replica_alias
from tests.conftest import required
from tests.support.postgres import PostgresUnavailableError, stop_on_signals
from tests.support.replica import start_standby, wait_for_replay

REPLICA = "replica"
# Bounded waits on a loaded machine; the test waits for events, it does not time them.
REPLAY_TIMEOUT_SECONDS = 60

with isolate_apps("palier.core"):

    class ThrottleEventView(models.Model):
        """A test-only view of an existing table (accounts' throttle events)."""

        key = models.CharField(max_length=80)
        at = models.DateTimeField()

        class Meta:
            abstract = True
            app_label = "core"

        def __str__(self) -> str:
            return self.key

    class ReplicatedThrottleEvent(ThrottleEventView):
        """Opted in to replica reads, as the steering aggregates are."""

        read_from_replica = True

        class Meta:
            app_label = "core"
            db_table = "accounts_throttleevent"
            managed = False

    class PrimaryOnlyThrottleEvent(ThrottleEventView):
        """The same table without the opt-in: read from the primary."""

        class Meta:
            app_label = "core"
            db_table = "accounts_throttleevent"
            managed = False


@pytest.fixture
def replica_configured(monkeypatch) -> None:
    """A `replica` alias in the database settings (never connected to by the unit tests)."""
    monkeypatch.setitem(connections.settings, REPLICA, dict(connections["default"].settings_dict))


def test_without_a_replica_every_read_and_write_goes_to_the_default_database():
    assert replica_alias() is None
    assert router.db_for_read(ReplicatedThrottleEvent) == DEFAULT_DB_ALIAS
    assert router.db_for_read(PrimaryOnlyThrottleEvent) == DEFAULT_DB_ALIAS
    assert router.db_for_write(ReplicatedThrottleEvent) == DEFAULT_DB_ALIAS


def test_with_a_replica_only_the_opted_in_models_read_from_it(replica_configured):
    assert replica_alias() == REPLICA
    assert router.db_for_read(ReplicatedThrottleEvent) == REPLICA
    assert router.db_for_read(PrimaryOnlyThrottleEvent) == DEFAULT_DB_ALIAS
    # A row read from the replica is saved, and its relations followed, on the primary.
    row = ReplicatedThrottleEvent(key="k", at=timezone.now())
    row._state.db = REPLICA
    assert router.db_for_write(ReplicatedThrottleEvent, instance=row) == DEFAULT_DB_ALIAS
    assert router.db_for_read(PrimaryOnlyThrottleEvent, instance=row) == DEFAULT_DB_ALIAS


def test_only_the_steering_aggregates_opt_in_to_replica_reads(replica_configured):
    opted_in = [model for model in apps.get_models() if getattr(model, "read_from_replica", False)]
    assert {model._meta.app_label for model in opted_in} <= {"steering"}
    assert all(router.db_for_read(model) == REPLICA for model in opted_in)


def test_migrations_run_on_the_default_database_only(replica_configured):
    rules = ReplicaRouter()
    assert rules.allow_migrate(DEFAULT_DB_ALIAS, "steering") is True
    assert rules.allow_migrate(REPLICA, "steering") is False


def test_rows_of_the_primary_and_of_the_replica_may_be_related(replica_configured):
    on_replica = ReplicatedThrottleEvent(key="a", at=timezone.now())
    on_replica._state.db = REPLICA
    on_primary = PrimaryOnlyThrottleEvent(key="b", at=timezone.now())
    on_primary._state.db = DEFAULT_DB_ALIAS
    elsewhere = PrimaryOnlyThrottleEvent(key="c", at=timezone.now())
    elsewhere._state.db = "archive"
    rules = ReplicaRouter()
    assert rules.allow_relation(on_replica, on_primary) is True
    assert rules.allow_relation(on_replica, elsewhere) is None


def test_a_configured_replica_mirrors_the_test_database_in_settings(tmp_path):
    """DATABASE_REPLICA_URL adds the alias, as a mirror of `default` for test runs."""
    code = (
        "from palier import settings as s; r = s.DATABASES['replica']; "
        "print(r['HOST'], r['NAME'], r['TEST']['MIRROR'], 'replica' in s.DATABASES)"
    )
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith("DATABASE")},
        "PALIER_DEBUG": "1",
        "PALIER_VAR_DIR": str(tmp_path),
        "DATABASE_REPLICA_URL": "postgres://reader@standby.example:5433/palier",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=False
    )
    assert result.stdout.split() == ["standby.example", "palier", "default", "True"], result.stderr


@pytest.fixture
def streaming_replica(database_vendor, transactional_db) -> Iterator[str]:
    """A real hot standby of the session's PostgreSQL server as the `replica` alias.

    Requested after `transactional_db`, so the alias is added once the test case has set up
    its database guards, and removed before it flushes `default` (a standby is read-only)."""
    if database_vendor != "postgres":
        pytest.skip("streams from the session's PostgreSQL server: run with --database=postgres")
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    try:
        standby = start_standby(primary)
    except PostgresUnavailableError as error:
        if required("PALIER_REQUIRE_POSTGRES"):
            pytest.fail(f"PALIER_REQUIRE_POSTGRES=1 but {error}", pytrace=False)
        pytest.skip(str(error))
    restore_signals = stop_on_signals(standby)
    connections.settings[REPLICA] = {
        **primary,
        **standby.database_settings(str(primary["NAME"])),
        "TEST": {"MIRROR": None},
    }
    try:
        # Connect now: the test case refuses new connections to aliases it was not told
        # about, and it must not be told (it would flush the read-only standby).
        connections[REPLICA].connect()
        yield REPLICA
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        standby.stop()
        restore_signals()


def in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return bool(cursor.fetchone()[0])


@pytest.mark.postgres
def test_opted_in_reads_are_served_by_a_streaming_standby_and_writes_stay_on_the_primary(
    streaming_replica,
):
    assert in_recovery(streaming_replica) and not in_recovery(DEFAULT_DB_ALIAS)
    primary, standby = connections[DEFAULT_DB_ALIAS], connections[streaming_replica]
    with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(standby) as on_standby:
        ReplicatedThrottleEvent.objects.create(key="replica-check", at=timezone.now())
        ReplicatedThrottleEvent.objects.filter(key="replica-check").update(key="replica-checked")
    assert len(on_primary) == 2 and len(on_standby) == 0  # both writes went to the primary

    with primary.cursor() as primary_cursor, standby.cursor() as standby_cursor:
        wait_for_replay(primary_cursor, standby_cursor, REPLAY_TIMEOUT_SECONDS)
    with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(standby) as on_standby:
        keys = list(ReplicatedThrottleEvent.objects.values_list("key", flat=True))
        primary_keys = list(PrimaryOnlyThrottleEvent.objects.values_list("key", flat=True))
    assert keys == primary_keys == ["replica-checked"]
    assert len(on_standby) == 1 and len(on_primary) == 1  # one read each, as routed
