"""The summary tables: distinct learners per scope (a learner of two institutions counts
once nationally), shared levels only, and a refresh that gives the same rows twice."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from palier.steering.aggregates import refresh
from palier.steering.models import LevelSummary, ReachSummary, RefreshRun, Scope
from palier.steering.tasks import refresh_aggregates
from tests.steering.reach_factories import small_country

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple]:
    rows = []
    for model in (ReachSummary, LevelSummary):
        fields = [f.name for f in model._meta.fields if f.name != "id"]
        rows += sorted(tuple(str(v) for v in row) for row in model.objects.values_list(*fields))
    return rows


def total(scope: str, field: str = "reached", **keys) -> int:
    found = ReachSummary.objects.filter(academic_year=2025, scope=scope, **keys)
    return found.aggregate(n=Sum(field))["n"] or 0


def test_each_learner_counts_once_per_scope_and_the_refresh_is_idempotent(framework):
    country = small_country()
    report = refresh([2025])
    assert report.years == (2025,) and report.rows > 0
    first = snapshot()
    assert refresh([2025]).rows == report.rows
    assert snapshot() == first
    assert RefreshRun.objects.get(academic_year=2025).rows == report.rows

    # 12 + 3 nurses and the learner without a profile: 16, not 17 (one is in two places).
    assert total(Scope.ALL) == 16
    assert total(Scope.ALL, "trained_hours") == 4
    assert total(Scope.ORGANISATION, organisation_id=country["university"].pk) == 12
    assert total(Scope.ORGANISATION, organisation_id=country["institute"].pk) == 4
    assert total(Scope.TYPE, institution_type="university") == 12
    assert total(Scope.TYPE, institution_type="") == 1
    assert total(Scope.ALL, population_id=None, region="") == 1
    # Nobody was counted in 2024-2025.
    assert not ReachSummary.objects.filter(academic_year=2024).exists()


def test_levels_count_each_learners_latest_shared_result_per_scope(framework):
    country = small_country()
    refresh([2025])
    national = {
        row.region: (row.levels, row.gaps)
        for row in LevelSummary.objects.filter(academic_year=2025, scope=Scope.ALL)
    }
    # The learner of both institutions shared last with the institute (level 2).
    assert national == {
        "11": ({"D1": {"3": 11, "2": 1}}, {"D1": [12, -1]}),
        "53": ({"D1": {"1": 3}}, {"D1": [3, -6]}),
    }
    (at_university,) = LevelSummary.objects.filter(
        scope=Scope.ORGANISATION, organisation_id=country["university"].pk
    )
    assert at_university.levels == {"D1": {"3": 12}}


def test_the_task_and_the_command_refresh_the_same_rows(framework, capsys):
    small_country()
    refresh_aggregates.call([2025])
    first = snapshot()
    call_command("steering_refresh", "--year", "2025")
    assert "Years 2025:" in capsys.readouterr().out
    assert snapshot() == first
