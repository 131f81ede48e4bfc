"""A bulk import of expected learners leaves the planner with fresh statistics (PostgreSQL)."""

import io

import pytest
from django.db import connection

from palier.campaigns.imports import import_expected
from palier.campaigns.models import ExpectedLearner
from tests.support.postgres import row_estimate, stale_empty_statistics

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

LEARNERS = "nom;prénom;e-mail\nMartin;Léa;lea@example.org\nDurand;Noé;noe@example.org\n"


def test_an_expected_learner_import_refreshes_the_row_estimate_of_its_table(
    database_vendor, campaign
):
    if database_vendor != "postgres":
        pytest.skip("reads PostgreSQL statistics: run with --database=postgres")
    table = ExpectedLearner._meta.db_table
    with connection.cursor() as cursor:
        stale_empty_statistics(cursor, [table])
    report = import_expected(campaign, io.BytesIO(LEARNERS.encode()), dry_run=False)
    assert report.created == 2
    with connection.cursor() as cursor:
        assert row_estimate(cursor, table) == ExpectedLearner.objects.count()
