"""The bank snapshot query keeps a sane plan on PostgreSQL whatever autovacuum did before.

The bad case (defect 13): a table emptied by an earlier test and then vacuumed keeps its pages
but records 0 rows, so rows loaded afterwards are invisible to the planner (0 rows per page),
which then nests sequential scans over item parameters, versions, items and the framework
tables: the snapshot query ran for over ten minutes. Each test writes exactly those statistics
into the catalogue (the test server's user is a superuser), loads the bank the way the suite or
`palier seed` does, and reads the plan of every query of the snapshot build.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from palier.assessments import engine_adapter
from palier.frameworks.seed import load_framework_seed
from palier.items.models import Calibration
from tests.assessments.conftest import BANK_SNAPSHOT_MODELS, seed_bank
from tests.support import postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Nodes that pass their single input through: a Seq Scan under them is still a Seq Scan.
PASS_THROUGH = {"Materialize", "Sort", "Hash", "Memoize", "Gather", "Incremental Sort"}


@pytest.fixture(autouse=True)
def on_postgres_only(database_vendor: str) -> None:
    if database_vendor != "postgres":
        pytest.skip("reads PostgreSQL plans: run with --database=postgres")


def plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def scanned(node: dict[str, Any]) -> dict[str, Any]:
    """The node under any pass-through nodes."""
    while node["Node Type"] in PASS_THROUGH and len(node.get("Plans", [])) == 1:
        node = node["Plans"][0]
    return node


def is_sequential_scan(node: dict[str, Any]) -> bool:
    return bool(scanned(node)["Node Type"] == "Seq Scan")


def nested_sequential_scans(plan: dict[str, Any]) -> list[str]:
    """Nested loops that scan a table sequentially on their inner side, i.e. once per outer
    row (this includes loops whose two sides are sequential scans).

    With stale statistics the snapshot query is made of these (items by code, then a full scan
    of the item parameters for each version, then of the capacities and the competences); with
    fresh ones it is all hash joins.
    """
    found = []
    for node in plan_nodes(plan):
        children = node.get("Plans", [])
        if node["Node Type"] == "Nested Loop" and len(children) == 2:
            outer, inner = children
            if is_sequential_scan(inner):
                found.append(
                    f"{scanned(outer).get('Relation Name', scanned(outer)['Node Type'])}"
                    f" x {scanned(inner).get('Relation Name')}"
                )
    return found


def snapshot_plans() -> list[tuple[str, dict[str, Any]]]:
    """EXPLAIN of every SELECT the bank snapshot build runs."""
    calibration = Calibration.objects.get(is_active=True)
    with CaptureQueriesContext(connection) as queries:
        engine_adapter._build(calibration)
    plans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            if sql.lstrip().upper().startswith("SELECT"):
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
                plans.append((sql, cursor.fetchone()[0][0]["Plan"]))
    assert plans, "the snapshot build ran no query"
    return plans


def stale_empty_statistics() -> None:
    """What autovacuum leaves on emptied tables: 0 rows, pages kept."""
    with connection.cursor() as cursor:
        postgres.stale_empty_statistics(
            cursor, [model._meta.db_table for model in BANK_SNAPSHOT_MODELS]
        )


def assert_no_nested_sequential_scans() -> None:
    for sql, plan in snapshot_plans():
        assert nested_sequential_scans(plan) == [], sql


def test_the_snapshot_plan_has_no_nested_sequential_scans_after_palier_seed():
    stale_empty_statistics()
    call_command("seed", "items", stdout=io.StringIO())
    assert_no_nested_sequential_scans()


def test_the_snapshot_plan_has_no_nested_sequential_scans_in_a_test_that_seeds_the_bank():
    # As in a test: statistics, load, analyze and query all inside one transaction.
    with transaction.atomic():
        stale_empty_statistics()
        seed_bank(load_framework_seed().framework)
        assert_no_nested_sequential_scans()
        transaction.set_rollback(True)


def test_the_plan_reader_finds_loops_that_rescan_a_table_sequentially():
    def scan(table: str) -> dict[str, Any]:
        return {"Node Type": "Seq Scan", "Relation Name": table}

    index_scan = {"Node Type": "Index Scan", "Relation Name": "items_item"}
    plan = {
        "Node Type": "Nested Loop",
        "Plans": [
            {
                "Node Type": "Nested Loop",
                "Plans": [index_scan, {"Node Type": "Materialize", "Plans": [scan("items_a")]}],
            },
            {
                "Node Type": "Hash Join",
                "Plans": [scan("items_b"), {"Node Type": "Hash", "Plans": [scan("items_c")]}],
            },
        ],
    }
    assert nested_sequential_scans(plan) == ["items_item x items_a"]
