"""Training hours by status and funding route on the national dashboard: the summary rows
(entries of the year: planned when added, completed when completed, per scope), the table's
suppression (small cells and one complement per column with the total row), the page and
the download."""

import csv
import io

import pytest
from django.urls import reverse

from palier.accounts.roles import Role
from palier.steering import queries
from palier.steering.aggregates import refresh
from palier.steering.filters import Filters
from palier.steering.models import RouteHoursSummary, Scope
from palier.training.models import Module, PlanEntry
from tests.factories import make_organisation, make_user
from tests.steering.reach_factories import at, campaign, learner, module, participation

pytestmark = pytest.mark.django_db

YEAR = Filters(year=2025)


def entry(user, made: Module, added, completed=None) -> PlanEntry:
    """A plan entry added at `added`, completed at `completed` (None: only planned)."""
    progress = PlanEntry.Progress.COMPLETED if completed else PlanEntry.Progress.PLANNED
    made_entry = PlanEntry.objects.create(
        user=user, module=made, progress=progress, completed_at=completed
    )
    PlanEntry.objects.filter(pk=made_entry.pk).update(added_at=added)
    return made_entry


@pytest.fixture
def hours_country(framework):
    """A university's 12 public-sector nurses on a paid 7 h module funded by the DPC and the
    ANFH (one added it in 2024-2025 and completed it in 2025-2026, ten completed it, two
    only planned it); 3 self-employed nurses who planned it (DPC only); a student who
    completed a free 3 h module (and an unmapped one, which never counts)."""
    university = make_organisation("Université Gamma", slug="univ-gamma", region="11")
    in_university = campaign(university, at(2025, 9, 1).date(), at(2026, 6, 30).date())
    two_routes = module(university, hours="7")
    Module.objects.filter(pk=two_routes.pk).update(funding_routes="dpc anfh", price_cents=50000)
    free = module(university, hours="3")
    unmapped = module(university, mapped=False, hours="5")
    public = [learner("soins-infirmiers", "11", "public_sector") for _ in range(12)]
    for index, user in enumerate(public):
        participation(user, in_university, at(2025, 9, 15))
        if index == 0:
            entry(user, two_routes, at(2025, 6, 10), at(2025, 10, 5))
        elif index < 10:
            entry(user, two_routes, at(2025, 10, 1), at(2026, 1, 15))
        else:
            entry(user, two_routes, at(2025, 10, 1))
    for _ in range(3):
        entry(learner("soins-infirmiers", "53", "self_employed"), two_routes, at(2025, 10, 1))
    student = learner("soins-infirmiers", "11", "student")
    entry(student, free, at(2025, 11, 2), at(2025, 11, 20))
    entry(student, unmapped, at(2025, 11, 2), at(2025, 11, 20))
    refresh([2024, 2025])
    return {"university": university}


def summed(year: int, route: str, status: str, **scope) -> tuple:
    found = RouteHoursSummary.objects.filter(
        academic_year=year, route=route, status=status, **scope
    )
    return tuple(
        sum(getattr(row, field) for row in found)
        for field in ("planned_learners", "planned_hours", "completed_learners", "completed_hours")
    )


def snapshot() -> list[tuple]:
    fields = [f.name for f in RouteHoursSummary._meta.fields if f.name != "id"]
    rows = RouteHoursSummary.objects.values_list(*fields)
    return sorted(tuple(str(value) for value in row) for row in rows)


def test_hours_count_as_planned_in_the_year_added_and_completed_in_the_year_completed(
    hours_country,
):
    national = {"scope": Scope.ALL}
    # 11 added it in 2025-2026 and 10 completed it then (one added the year before).
    assert summed(2025, "dpc", "public_sector", **national) == (11, 77, 10, 70)
    assert summed(2025, "anfh", "public_sector", **national) == (11, 77, 10, 70)
    assert summed(2024, "dpc", "public_sector", **national) == (1, 7, 0, 0)
    # The self-employed have no ANFH; the student only the free module, not the unmapped one.
    assert summed(2025, "dpc", "self_employed", **national) == (3, 21, 0, 0)
    assert summed(2025, "anfh", "self_employed", **national) == (0, 0, 0, 0)
    assert summed(2025, "free", "student", **national) == (1, 3, 1, 3)
    assert not RouteHoursSummary.objects.filter(status="student").exclude(route="free").exists()
    # The university counts its participants only.
    university = {"scope": Scope.ORGANISATION, "organisation_id": hours_country["university"].pk}
    assert summed(2025, "dpc", "public_sector", **university) == (11, 77, 10, 70)
    assert summed(2025, "dpc", "self_employed", **university) == (0, 0, 0, 0)
    # The same scopes as the reach table: the self-employed count among "no institution".
    no_institution = {"scope": Scope.TYPE, "institution_type": ""}
    assert summed(2025, "dpc", "self_employed", **no_institution) == (3, 21, 0, 0)


def test_the_refresh_gives_the_same_rows_twice(hours_country):
    first = snapshot()
    assert first
    refresh([2024, 2025])
    assert snapshot() == first


def test_small_cells_are_hidden_with_one_complement_per_column(hours_country):
    table = queries.hours_by_route(YEAR)
    assert table.code == "financements"
    figures = {row.key: tuple(cell.value for cell in row.cells) for row in table.rows}
    # Planned: the student (1) and the self-employed (3) are hidden, no complement needed.
    # Completed: the student (1) is hidden, so the smallest other non-zero cell is too.
    assert figures == {
        "student-free": (None, None),
        "self_employed-dpc": (None, 0),
        "public_sector-dpc": (77, None),
        "public_sector-anfh": (77, 70),
    }
    # Routes by their acronym, or their name when they have none.
    assert [row.label for row in table.rows][-2:] == [
        "En exercice — salarié du secteur public · DPC",
        "En exercice — salarié du secteur public · ANFH",
    ]
    # The total row sums the rows (a module counts under each of its routes).
    assert [cell.value for cell in table.total.cells] == [178, 143]
    # Filtered on the university, only its public-sector nurses remain.
    scoped = queries.hours_by_route(Filters(year=2025, institution=hours_country["university"]))
    assert [row.key for row in scoped.rows] == ["public_sector-dpc", "public_sector-anfh"]
    # With no learner at all, no row and a zero total.
    empty = queries.hours_by_route(Filters(year=2023))
    assert empty.rows == () and [cell.value for cell in empty.total.cells] == [0, 0]


def test_the_table_is_on_the_dashboard_and_downloads_as_csv(client, hours_country):
    client.force_login(make_user(roles=(Role.STEERING,)))
    content = client.get("/pilotage/", {"annee": "2025"}).content.decode()
    assert 'id="heures-financements"' in content
    assert '<table class="dash-table" id="financements">' in content
    assert "/pilotage/export/financements.csv?annee=2025" in content
    response = client.get(
        reverse("steering:export", args=["financements", "csv"]), {"annee": "2025"}
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode().removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Situation · financement", "Heures prévues", "Heures suivies"]
    lines = {row[0]: row for row in rows[1:]}
    assert lines["Total des lignes"][1:3] == ["178", "143"]
    student = "En formation (étudiant ou élève) · Gratuit"
    assert lines[student][1:3] == ["", ""]
