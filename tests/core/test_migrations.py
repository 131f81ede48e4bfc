from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db


def test_the_test_database_is_the_requested_one(database_vendor):
    expected = {"sqlite": "sqlite", "postgres": "postgresql"}[database_vendor]
    assert connection.vendor == expected


def test_every_migration_is_applied_and_none_is_missing():
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    output = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=output)
    assert "No changes detected" in output.getvalue()
