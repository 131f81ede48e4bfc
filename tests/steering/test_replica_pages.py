"""The national dashboard served from a real read replica: a streaming standby of the test
PostgreSQL server (tests/support/replica.py) is the `replica` alias; the summary tables
are written on the primary, replayed, then the page, an export and the API read them from
the standby and show the right figures, and the figures of a new refresh once replayed.

One standby for the module (a base backup costs seconds); each test adds the alias after
its transactional database is set up, as in tests/core/test_replica.py: the standby sees
only committed rows, so the tests commit (transactional_db), and the test case must not know
the alias (it would flush a read-only server)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from palier.accounts.roles import Role
from palier.frameworks.models import Population
from palier.steering.aggregates import refresh
from palier.steering.models import (
    Enrolment,
    LevelSummary,
    ReachSummary,
    RefreshRun,
    RouteHoursSummary,
    Target,
)
from palier.training.models import PlanEntry
from tests.conftest import required
from tests.factories import make_user
from tests.steering.reach_factories import at, learner, positioning, small_country
from tests.support.postgres import PostgresUnavailableError, TemporaryPostgres, stop_on_signals
from tests.support.replica import start_standby, wait_for_replay

pytestmark = pytest.mark.postgres

REPLICA = "replica"
# Bounded waits on a loaded machine; the tests wait for events, they do not time them.
REPLAY_TIMEOUT_SECONDS = 60
YEAR = {"annee": "2025"}
AGGREGATE_TABLES = tuple(
    model._meta.db_table for model in (ReachSummary, LevelSummary, RouteHoursSummary, RefreshRun)
)


@pytest.fixture(scope="module")
def standby(database_vendor, django_db_setup) -> Iterator[TemporaryPostgres]:
    """A hot standby of the session's PostgreSQL server (test database created), started
    once for the module."""
    if database_vendor != "postgres":
        pytest.skip("streams from the session's PostgreSQL server: run with --database=postgres")
    try:
        server = start_standby(connections[DEFAULT_DB_ALIAS].settings_dict)
    except PostgresUnavailableError as error:
        if required("PALIER_REQUIRE_POSTGRES"):
            pytest.fail(f"PALIER_REQUIRE_POSTGRES=1 but {error}", pytrace=False)
        pytest.skip(str(error))
    restore_signals = stop_on_signals(server)
    try:
        yield server
    finally:
        server.stop()
        restore_signals()


@pytest.fixture
def replica(standby, transactional_db) -> Iterator[str]:
    """The standby as the `replica` alias for one test (see the module's docstring)."""
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    connections.settings[REPLICA] = {
        **primary,
        **standby.database_settings(str(primary["NAME"])),
        "TEST": {"MIRROR": None},
    }
    try:
        connections[REPLICA].connect()
        yield REPLICA
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


def replayed() -> None:
    """Wait until the standby shows everything committed on the primary so far."""
    with connections[DEFAULT_DB_ALIAS].cursor() as primary, connections[REPLICA].cursor() as copy:
        wait_for_replay(primary, copy, REPLAY_TIMEOUT_SECONDS)


def reached_country() -> dict:
    """The reach tests' small country in 2025-2026 (12 nurses reached in Île-de-France, 3 in
    Bretagne), the university's 40 enrolled nurses and a target of 60 % reached in 2025,
    refreshed on the primary: 15 nurses reached of 40, 37.5 %."""
    made = small_country()
    # The learner without a profile would make the headline figure a hidden complement.
    PlanEntry.objects.filter(user=made["anonymous"]).delete()
    Enrolment.objects.create(
        organisation=made["university"],
        population=Population.objects.get(code="soins-infirmiers"),
        year_of_study=1,
        academic_year=2025,
        learners=40,
        source="form",
    )
    Target.objects.create(
        code="etudiants-60",
        title_fr="60 % des étudiants en santé touchés",
        indicator="reached",
        population_kinds=["higher_education", "vocational"],
        kind="share",
        value=Decimal("60"),
        year=2025,
        source="Test",
    )
    refresh([2025])
    return made


def row_cells(content: str, row_id: str) -> list[str]:
    """The texts of the cells of the page's table row `row_id`."""
    row = content.split(f'<tr id="{row_id}">', 1)[1].split("</tr>", 1)[0]
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def total_cells(content: str, code: str) -> list[str]:
    """The texts of the total row of the page's table `code`."""
    table = content.split(f'<table class="dash-table" id="{code}">', 1)[1].split("</table>")[0]
    return row_cells(table.replace("<tfoot><tr>", '<tr id="total">'), "total")


def read_everything(client) -> dict:
    """The dashboard, the region table's CSV and the API headline, as a steering user."""
    page = client.get("/pilotage/", YEAR)
    export = client.get(reverse("steering:export", args=["regions", "csv"]), YEAR)
    headline = client.get("/api/v1/steering/headline", YEAR)
    assert [page.status_code, export.status_code, headline.status_code] == [200, 200, 200]
    text = b"".join(export.streaming_content).decode().removeprefix("\ufeff")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = next(line for line in lines if line and line[0] == "Région")
    regions = {line[0]: dict(zip(header, line, strict=False)) for line in lines}
    (target,) = headline.json()
    return {
        "page": page.content.decode(),
        "regions": regions,
        "reached_column": header.index("Touchés") - 1,
        "headline": (target["code"], target["actual"], target["status"]),
    }


def aggregate_reads(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries if any(t in q["sql"] for t in AGGREGATE_TABLES)]


def test_the_dashboard_export_and_api_read_the_aggregates_from_the_standby(
    client, replica, framework
):
    reached_country()
    replayed()
    client.force_login(make_user(roles=(Role.STEERING,)))
    primary, standby = connections[DEFAULT_DB_ALIAS], connections[replica]
    with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(standby) as on_standby:
        shown = read_everything(client)

    # (a) The right figures: 37.5 % of the 40 enrolled nurses, behind the 60 % target; 15
    # reached, Bretagne's 3 hidden and Île-de-France's 12 too (else 15 - 12 gives them away),
    # on the page and, empty, in the file.
    assert shown["headline"] == ("etudiants-60", {"value": 37.5, "hidden": False}, "behind")
    assert row_cells(shown["page"], "trajectoire-etudiants-60-2025") == ["37,5"]
    reached = shown["reached_column"]
    assert row_cells(shown["page"], "regions-11")[reached] == "masqué"
    assert row_cells(shown["page"], "regions-53")[reached] == "masqué"
    assert total_cells(shown["page"], "regions")[reached] == "15"
    assert shown["regions"]["Île-de-France"]["Touchés"] == ""
    assert shown["regions"]["Bretagne"]["Touchés"] == ""
    # (b) Every summary table was read on the standby, none on the primary.
    read_on_standby = " ".join(aggregate_reads(on_standby))
    assert all(table in read_on_standby for table in AGGREGATE_TABLES)
    assert aggregate_reads(on_primary) == []
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in on_standby)


def test_a_new_refresh_on_the_primary_shows_once_replayed(client, replica, framework):
    reached_country()
    replayed()
    client.force_login(make_user(roles=(Role.STEERING,)))
    assert read_everything(client)["headline"][1] == {"value": 37.5, "hidden": False}

    # Seven more nurses reached in Bretagne: 22 of 40, and both regions past 10 learners.
    for _ in range(7):
        positioning(learner("soins-infirmiers", "53"), at(2025, 10, 5))
    with CaptureQueriesContext(connections[replica]) as on_standby:
        refresh([2025])
    assert on_standby.captured_queries == []  # the refresh reads and writes the primary
    replayed()

    shown = read_everything(client)
    assert shown["headline"] == ("etudiants-60", {"value": 55.0, "hidden": False}, "behind")
    assert row_cells(shown["page"], "trajectoire-etudiants-60-2025") == ["55"]
    reached = shown["reached_column"]
    assert row_cells(shown["page"], "regions-11")[reached] == "12"
    assert row_cells(shown["page"], "regions-53")[reached] == "10"
    assert total_cells(shown["page"], "regions")[reached] == "22"
    assert shown["regions"]["Île-de-France"]["Touchés"] == "12"
    assert shown["regions"]["Bretagne"]["Touchés"] == "10"
