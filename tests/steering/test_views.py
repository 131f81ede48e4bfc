"""The national dashboard and its downloads: who may read them, filters in the URL (400 on
an unknown value), every table on the page, demo data marked, and never a person."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from palier.accounts.roles import Role
from palier.frameworks.models import Population
from palier.organisations.models import Organisation
from palier.steering.aggregates import refresh
from palier.steering.models import Enrolment, Target
from tests.factories import make_user
from tests.steering.reach_factories import at, learner, positioning, small_country

pytestmark = pytest.mark.django_db

PAGE = "/pilotage/"
YEAR = {"annee": "2025"}
# A learner nobody else is called like: the page and files must never name them.
FIRST_NAME, LAST_NAME = "Zéphyrine", "Quasimodo-Vandenbroucke"
EMAIL = "zephyrine.quasimodo@personne.example"


def dashboard_country() -> dict:
    """The reach tests' small country in 2025-2026, with a learner of distinctive name, the
    university's enrolment and a share target, refreshed into the summary tables."""
    made = small_country()
    distinctive = learner(
        "soins-infirmiers", "11", first_name=FIRST_NAME, last_name=LAST_NAME, email=EMAIL
    )
    positioning(distinctive, at(2025, 10, 3))
    Enrolment.objects.create(
        organisation=made["university"],
        population=Population.objects.get(code="soins-infirmiers"),
        year_of_study=1,
        academic_year=2025,
        learners=40,
        source="form",
    )
    Target.objects.create(
        code="touches-sante",
        title_fr="Apprenants en santé touchés",
        indicator="reached",
        population_kinds=["higher_education"],
        kind="share",
        value=Decimal(100),
        year=2027,
        source="Feuille de route",
    )
    refresh([2024, 2025])
    return made


@pytest.fixture
def country(framework):
    return dashboard_country()


def steering(client):
    client.force_login(make_user(roles=(Role.STEERING,)))


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ((Role.STEERING,), 200),
        ((Role.FUNDER,), 200),
        ((Role.ADMINISTRATOR,), 200),
        ((), 403),
        ((Role.AUTHOR,), 403),
        ((Role.INVIGILATOR,), 403),
    ],
)
def test_steering_administrators_and_funders_read_the_dashboard_others_are_refused(
    client, framework, roles, expected
):
    client.force_login(make_user(roles=roles))
    assert client.get(PAGE).status_code == expected
    assert client.get(reverse("steering:export", args=["regions", "csv"])).status_code == expected


def test_a_visitor_is_sent_to_the_login_page(client, framework):
    for url in (PAGE, reverse("steering:export", args=["regions", "xlsx"])):
        response = client.get(url)
        assert response.status_code == 302
        assert "/compte/connexion/" in response["Location"]


def test_the_old_address_leads_to_the_dashboard_with_its_filters(client, framework):
    steering(client)
    response = client.get("/compte/pilotage/?annee=2025")
    assert response.status_code == 301
    assert response["Location"] == "/pilotage/?annee=2025"


@pytest.mark.parametrize(
    "query",
    [
        {"region": "zz"},
        {"annee": "1990"},
        {"annee": "deux-mille"},
        {"public": "astronautes"},
        {"type": "castle"},
        {"programme": "no-such-award"},
        {"etablissement": "nowhere"},
    ],
)
def test_an_unknown_filter_value_gets_a_400_with_the_form_error_and_no_figure(
    client, framework, query
):
    steering(client)
    response = client.get(PAGE, query)
    assert response.status_code == 400
    content = response.content.decode()
    assert "Le formulaire contient une erreur" in content
    assert 'id="objectifs"' not in content
    export = client.get(reverse("steering:export", args=["regions", "csv"]), query)
    assert export.status_code == 400


def test_every_table_map_and_chart_is_on_the_page_with_its_data_table(client, country):
    steering(client)
    response = client.get(PAGE, YEAR)
    assert response.status_code == 200
    content = response.content.decode()
    for code in (
        "publics",
        "regions",
        "types",
        "etablissements",
        "par-programme",
        "situations",
        "niveaux-D1",
        "ecarts",
        "programmes",
        "trajectoire-touches-sante",
    ):
        assert f'<table class="dash-table" id="{code}">' in content, code
        assert f"/pilotage/export/{code}.csv?annee=2025" in content, code
        assert f"/pilotage/export/{code}.xlsx?annee=2025" in content, code
    # The headline against its target, in words, and its chart described.
    assert "Apprenants en santé touchés" in content
    assert "Cible : 100 % en 2027-2028" in content
    assert "<desc " in content
    # Every region is a tile leading to its row of the region table, overseas included.
    for code in ("11", "53", "94", "01", "06", "com", "abroad"):
        assert f'href="#regions-{code}"' in content
        assert f'id="regions-{code}"' in content
    # Bretagne's three learners are hidden; with no enrolment declared it has no share.
    assert "masqué" in content
    breton = content.split('id="regions-53"', 1)[1].split("</tr>", 1)[0]
    # Its name leads to the page filtered on it.
    assert '<a href="/pilotage/?annee=2025&amp;region=53">Bretagne</a>' in breton
    assert '<td class="dash-num">—</td>' in breton
    assert "Année universitaire : 2025-2026. Chiffres calculés le " in content


def test_no_person_is_ever_named_on_the_page_or_in_a_download(client, country):
    steering(client)
    texts = [client.get(PAGE, YEAR).content.decode()]
    for code in ("publics", "regions", "etablissements", "niveaux-D1", "programmes"):
        texts.append(
            b"".join(
                client.get(reverse("steering:export", args=[code, "csv"]), YEAR).streaming_content
            ).decode()
        )
    for text in texts:
        for personal in (FIRST_NAME, LAST_NAME, EMAIL, country["paris"][0].email):
            assert personal not in text


def test_demo_data_is_marked_only_when_a_demo_organisation_is_counted(client, country):
    steering(client)
    assert "Données de démonstration" not in client.get(PAGE, YEAR).content.decode()
    Organisation.objects.filter(pk=country["institute"].pk).update(is_demo=True)
    assert "Données de démonstration" in client.get(PAGE, YEAR).content.decode()
    # Filtered on the other (real) institution, the figures count no demo data.
    content = client.get(PAGE, {**YEAR, "etablissement": "univ-alpha"}).content.decode()
    assert "Données de démonstration" not in content


def test_the_region_table_downloads_as_csv_with_hidden_cells_empty(client, country):
    steering(client)
    response = client.get(reverse("steering:export", args=["regions", "csv"]), YEAR)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="palier-pilotage-regions-2025.csv"'
    )
    text = b"".join(response.streaming_content).decode().removeprefix("\ufeff")
    rows = {row[0]: row for row in csv.reader(io.StringIO(text), delimiter=";")}
    header = rows["Région"]
    reached = header.index("Touchés")
    # 12 + the distinctive learner in Île-de-France; 3 in Bretagne, hidden with a note.
    assert rows["Île-de-France"][reached] == "13"
    assert rows["Bretagne"][reached] == ""
    assert "masqué" in rows["Bretagne"][-1]


def test_a_level_table_downloads_as_xlsx_and_an_unknown_table_is_not_found(client, country):
    steering(client)
    response = client.get(reverse("steering:export", args=["niveaux-D1", "xlsx"]), YEAR)
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "Public"
    assert rows[-1][0] == "Total"
    notes = [row[0] for row in workbook["Notes"].iter_rows(values_only=True)]
    assert "Année universitaire : 2025-2026" in notes
    missing = client.get(reverse("steering:export", args=["no-such-table", "csv"]), YEAR)
    assert missing.status_code == 404


def test_the_page_runs_a_bounded_number_of_queries(client, country, django_assert_max_num_queries):
    steering(client)
    client.get(PAGE, YEAR)  # warm the session and the framework caches
    with django_assert_max_num_queries(60):
        assert client.get(PAGE, YEAR).status_code == 200


def test_the_page_is_in_english_under_en(client, country):
    steering(client)
    response = client.get("/en/pilotage/", YEAR)
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


def test_the_trajectory_chart_labels_each_year_the_projection_and_the_target():
    from palier.steering.charts import (
        PLOT_BOTTOM,
        PLOT_LEFT,
        PLOT_RIGHT,
        PLOT_TOP,
        trajectory_chart,
    )
    from palier.steering.privacy import Shown

    points = [(2023, Shown(20.0, 50)), (2024, Shown(None, 4)), (2025, Shown(40.0, 90))]
    chart = trajectory_chart(points, (2027, 100.0), (2027, 60.0), share=True)
    assert [tick.label for tick in chart.ticks] == [
        "2023-2024",
        "2024-2025",
        "2025-2026",
        "2026-2027",
        "2027-2028",
    ]
    # The hidden year has no point; the others are labelled with their value.
    assert [point.label for point in chart.actual] == ["20 %", "40 %"]
    assert chart.actual[0].x == PLOT_LEFT and chart.projection.x == PLOT_RIGHT
    assert chart.target.y == PLOT_TOP and chart.projection.label == "60 %"
    assert chart.actual[0].y < PLOT_BOTTOM
    assert trajectory_chart([], (2027, 100.0), None, share=True) is None


def test_a_target_whose_year_has_figures_says_why_it_has_no_projection():
    from palier.steering.headline import TargetProgress
    from palier.steering.privacy import Shown
    from palier.steering.views import _projection_text

    def progress(points):
        return TargetProgress(
            code="t",
            title="t",
            indicator="reached",
            kind="share",
            value=60.0,
            year=2025,
            yearly=False,
            actual=Shown(40.0, 100),
            trajectory=points,
            projection=None,
            status="behind",
            sentence="",
        )

    known = progress(((2024, Shown(30.0, 90)), (2025, Shown(40.0, 100))))
    assert "l'année de la cible sont connus" in str(_projection_text(known, True))
    too_few = progress(((2023, Shown(30.0, 90)),))
    assert "au moins deux années" in str(_projection_text(too_few, True))
