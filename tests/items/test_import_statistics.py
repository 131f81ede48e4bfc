"""A bulk import of items leaves the planner with fresh statistics (PostgreSQL)."""

import pytest
from django.db import connection

from palier.items.bank_io import import_document
from palier.items.models import Item, ItemVersion
from tests.items.sample import sample_document
from tests.support.postgres import row_estimate, stale_empty_statistics

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_an_item_import_refreshes_the_row_estimates_of_the_item_tables(database_vendor, framework):
    if database_vendor != "postgres":
        pytest.skip("reads PostgreSQL statistics: run with --database=postgres")
    tables = [Item._meta.db_table, ItemVersion._meta.db_table]
    with connection.cursor() as cursor:
        stale_empty_statistics(cursor, tables)
    assert import_document(sample_document(), framework).created
    with connection.cursor() as cursor:
        assert [row_estimate(cursor, table) for table in tables] == [
            Item.objects.count(),
            ItemVersion.objects.count(),
        ]
