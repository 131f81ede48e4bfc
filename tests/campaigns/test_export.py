"""Exports of a campaign's participants: CSV (byte-order mark, `;` in French and `,` in
English unless asked) and XLSX, streamed, labels rather than codes, results only from shared
snapshots, formulas neutralised, constant query count."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from palier.campaigns.exports import XLSX_CONTENT_TYPE, signal_labels
from palier.campaigns.generate import generate_participants
from palier.campaigns.models import Participation, SharedCompetence, SharedLevel
from palier.frameworks.models import Area, Competence, Level, Population
from tests.factories import make_user

pytestmark = pytest.mark.django_db

AREAS = ["D1", "D2", "D3", "D4", "D5"]
FIRST_COLUMNS = ["Nom", "Prénom", "E-mail"]
RESULT_COLUMNS = slice(8, None)


def area_column(code: str) -> str:
    return f"{Area.objects.get(code=code).title_fr} ({code}) : niveau"


def level_words(code: str, rank: int) -> str:
    return f"{rank} \N{EN DASH} {Level.objects.get(area__code=code, rank=rank).label_fr}"


def header(areas=AREAS, external_id: str = "Identifiant") -> list[str]:
    """The header a French reader gets: labels, with codes only beside competence titles."""
    competences = [
        f"{competence.code} {competence.title_fr}"
        for area in areas
        for competence in Competence.objects.filter(area__code=area).order_by("position")
    ]
    return [
        *FIRST_COLUMNS,
        external_id,
        "Statut",
        "Inscription",
        "Fin du test",
        "Partage",
        "Public",
        "Année de formation",
        *[area_column(area) for area in areas],
        *competences,
    ]


ATTACK = "=cmd|' /C calc'!A0"


@pytest.fixture
def filled(make_campaign):
    """A campaign asking for a student number, with 40 generated participants (seed 7)."""
    campaign = make_campaign(external_id_label="Numéro étudiant")
    generate_participants(campaign, 40, seed=7)
    return campaign


def url(campaign, kind: str = "csv", **query: str) -> str:
    path = reverse(f"organisations:export_{kind}", args=[campaign.organisation.slug, campaign.pk])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response, delimiter: str = ";") -> list[list[str]]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


def expected_results(campaign, *, as_words: bool = True) -> dict[str, dict[str, object]]:
    """Per e-mail address, the shared level per area (in words, or the rank) and signal per
    competence, from the SharedLevel and SharedCompetence rows (copies of the snapshots)."""
    labels = signal_labels()
    titles = dict(Competence.objects.values_list("code", "title_fr"))
    results: dict[str, dict[str, object]] = {}
    for email, area, level in SharedLevel.objects.filter(
        participation__campaign=campaign
    ).values_list("participation__user__email", "area", "level"):
        value = level_words(area, level) if as_words else level
        results.setdefault(email, {})[area_column(area)] = value
    for email, code, kind in SharedCompetence.objects.filter(
        participation__campaign=campaign
    ).values_list("participation__user__email", "competence", "kind"):
        results.setdefault(email, {})[f"{code} {titles[code]}"] = labels[kind]
    return results


# --- CSV --------------------------------------------------------------------------------


def test_the_csv_has_a_byte_order_mark_a_header_and_one_row_per_participant(
    client, filled, org_member
):
    client.force_login(org_member)
    response = client.get(url(filled))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="palier-{filled.code}.csv"'
    rows = csv_rows(response)
    assert rows[0] == header(external_id="Numéro étudiant")
    assert len(rows) == 1 + 40
    assert all(len(row) == len(rows[0]) for row in rows)


def test_csv_results_match_the_shared_snapshots(client, filled, org_admin):
    client.force_login(org_admin)
    rows = csv_rows(client.get(url(filled)))
    expected = expected_results(filled)
    populations = dict(Population.objects.values_list("code", "title_fr"))
    shared = {
        p.user.email: p
        for p in Participation.objects.filter(campaign=filled, status="shared").select_related(
            "user"
        )
    }
    assert len(shared) > 20  # the seed gives a majority of shared results
    checked = 0
    for row in rows[1:]:
        record = dict(zip(rows[0], row, strict=True))
        participation = shared.get(record["E-mail"])
        if participation is None:
            continue
        for column, value in expected[record["E-mail"]].items():
            assert record[column] == value, (record["E-mail"], column)
        assert record["Public"] == populations[participation.snapshot["population"]]
        assert record["Année de formation"] == str(participation.snapshot["year_of_study"])
        assert record["Numéro étudiant"] == participation.external_id
        assert record["Statut"] == "Résultat partagé"
        shared_at = timezone.localtime(participation.shared_at).strftime("%Y-%m-%d %H:%M")
        assert record["Partage"] == shared_at
        checked += 1
    assert checked == len(shared)


def test_unshared_participants_have_empty_result_cells(client, filled, org_admin):
    client.force_login(org_admin)
    rows = csv_rows(client.get(url(filled)))
    unshared = [row for row in rows[1:] if row[4] != "Résultat partagé"]
    assert unshared, "the seed gives some participants who did not share"
    for row in unshared:
        assert row[0] and row[2]  # names and status are visible from joining on
        assert row[RESULT_COLUMNS] == [""] * len(rows[0][RESULT_COLUMNS])


def test_a_finished_but_unshared_result_never_reaches_the_export(client, campaign, org_admin):
    learner = make_user(first_name="Ana", last_name="Privée")
    Participation.objects.create(
        campaign=campaign,
        user=learner,
        status=Participation.Status.FINISHED,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        population_code="soins-infirmiers",
        year_of_study=2,
    )
    client.force_login(org_admin)
    (row,) = csv_rows(client.get(url(campaign)))[1:]
    assert row[4] == "Test fini, non partagé"
    assert row[6]  # the end of the test is shown
    assert row[RESULT_COLUMNS] == [""] * len(header()[RESULT_COLUMNS])


def test_french_readers_get_semicolons_by_default(client, filled, org_admin):
    client.force_login(org_admin)
    text = body(client.get(url(filled))).decode("utf-8")
    assert text.startswith("\ufeffNom;Prénom;E-mail;")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0] == header(external_id="Numéro étudiant") and len(rows) == 41


def test_english_readers_get_commas_and_english_labels(client, filled, org_admin):
    client.force_login(org_admin)
    with translation.override("en"):
        path = url(filled)
    text = body(client.get(path)).decode("utf-8")
    assert text.startswith("\ufeffLast name,First name,")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    d1 = Area.objects.get(code="D1")
    assert f"{d1.title_en} (D1)" in rows[0][10]
    shared = [row for row in rows[1:] if row[10]]
    assert shared
    assert {row[10].split(" \N{EN DASH} ")[1] for row in shared} <= set(
        Level.objects.filter(area=d1).values_list("label_en", flat=True)
    )


def test_the_comma_can_still_be_asked_for(client, filled, org_admin):
    client.force_login(org_admin)
    rows = csv_rows(client.get(url(filled, sep=",")), delimiter=",")
    assert rows[0] == header(external_id="Numéro étudiant") and len(rows) == 41


def test_an_unknown_separator_is_a_clear_bad_request(client, filled, org_admin):
    client.force_login(org_admin)
    response = client.get(url(filled, sep="|"))
    assert response.status_code == 400
    assert "Séparateur inconnu" in response.content.decode()


@pytest.fixture
def attacker(campaign):
    """A participant whose name and student number are spreadsheet formulas."""
    user = make_user(first_name="+SUM(A1:A9)", last_name=ATTACK)
    return Participation.objects.create(
        campaign=campaign, user=user, external_id='@HYPERLINK("http://x")', status="joined"
    )


def test_formulas_in_cells_are_neutralised_in_the_csv(client, campaign, org_admin, attacker):
    client.force_login(org_admin)
    (row,) = csv_rows(client.get(url(campaign)))[1:]
    assert row[0] == "'" + ATTACK
    assert row[1] == "'+SUM(A1:A9)"
    assert row[3] == '\'@HYPERLINK("http://x")'


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+1", "-1+2", "@SUM(1)", "\t=1", "\r=1", "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff201"],
)
def test_every_formula_trigger_is_neutralised(client, campaign, org_admin, value):
    Participation.objects.create(
        campaign=campaign, user=make_user(last_name=value), status="joined"
    )
    client.force_login(org_admin)
    (row,) = csv_rows(client.get(url(campaign)))[1:]
    assert row[0] == "'" + value


# --- XLSX -------------------------------------------------------------------------------


def workbook_rows(response) -> list[list[object]]:
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_the_xlsx_opens_with_the_header_and_the_shared_values(client, filled, org_member):
    client.force_login(org_member)
    response = client.get(url(filled, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert f'filename="palier-{filled.code}.xlsx"' in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")
    rows = workbook_rows(response)
    assert rows[0] == header(external_id="Numéro étudiant")
    assert len(rows) == 41
    expected = expected_results(filled, as_words=False)
    shared = 0
    for row in rows[1:]:
        record = dict(zip(rows[0], row, strict=True))
        assert isinstance(record["Inscription"], datetime)
        if record["Statut"] != "Résultat partagé":
            assert all(value is None for value in row[RESULT_COLUMNS])
            continue
        shared += 1
        for column, value in expected[record["E-mail"]].items():
            assert record[column] == value
        assert isinstance(record[area_column("D1")], int)  # levels stay numbers to compute on
        assert isinstance(record["Année de formation"], int)
    assert shared == Participation.objects.filter(campaign=filled, status="shared").count()


def test_the_xlsx_dates_are_local_times(client, filled, org_admin):
    client.force_login(org_admin)
    rows = workbook_rows(client.get(url(filled, "xlsx")))
    first = Participation.objects.filter(campaign=filled).select_related("user")
    by_email = {p.user.email: p for p in first}
    row = rows[1]
    joined = timezone.localtime(by_email[row[2]].joined_at).replace(tzinfo=None, microsecond=0)
    assert row[5].replace(microsecond=0) == joined


def test_formulas_are_written_as_text_in_the_xlsx(client, campaign, org_admin, attacker):
    client.force_login(org_admin)
    workbook = openpyxl.load_workbook(io.BytesIO(body(client.get(url(campaign, "xlsx")))))
    row = next(workbook.active.iter_rows(min_row=2))
    assert row[0].value == ATTACK and row[0].data_type == "s"
    assert row[1].value == "+SUM(A1:A9)" and row[1].data_type == "s"
    assert row[3].value == '@HYPERLINK("http://x")' and row[3].data_type == "s"


def test_control_characters_in_names_do_not_break_the_xlsx(client, campaign, org_admin):
    Participation.objects.create(
        campaign=campaign, user=make_user(last_name="Bell\x07e"), status="joined"
    )
    client.force_login(org_admin)
    rows = workbook_rows(client.get(url(campaign, "xlsx")))
    assert rows[1][0] == "Belle"


def test_an_empty_campaign_exports_just_the_header(client, campaign, org_admin):
    client.force_login(org_admin)
    assert csv_rows(client.get(url(campaign))) == [header()]
    assert workbook_rows(client.get(url(campaign, "xlsx"))) == [header()]


def test_a_campaign_on_two_areas_has_only_their_columns(client, make_campaign, org_admin):
    campaign = make_campaign(areas=["D3", "D1"])
    generate_participants(campaign, 5, seed=3)
    client.force_login(org_admin)
    first_row = csv_rows(client.get(url(campaign)))[0]
    assert first_row == header(areas=["D3", "D1"])
    assert first_row[10:12] == [area_column("D3"), area_column("D1")]


# --- cost ------------------------------------------------------------------------------

# Session, user, membership and campaign (the gate); the competences with their areas, the
# levels and the populations (labels); the participants.
EXPORT_QUERIES = 8


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_export_costs_the_same_queries_for_ten_or_two_hundred_participants(
    client, make_campaign, org_admin, kind
):
    client.force_login(org_admin)
    counts = []
    for size in (10, 200):
        campaign = make_campaign(name=f"Promotion de {size}")
        generate_participants(campaign, size, seed=size)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(campaign, kind))
            content = body(response)
        assert content
        counts.append(len(queries))
    assert counts == [EXPORT_QUERIES, EXPORT_QUERIES]


# --- who may export -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_staff_of_another_organisation_get_not_found(client, filled, outsider, kind):
    client.force_login(outsider)
    assert client.get(url(filled, kind)).status_code == 404
    own = outsider.memberships.get().organisation
    path = reverse(f"organisations:export_{kind}", args=[own.slug, filled.pk])
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_participant_of_the_campaign_gets_not_found(client, filled, kind, settings):
    # Generated participants have demo addresses, which sign in only in debug.
    settings.DEBUG = True
    learner = Participation.objects.filter(campaign=filled).select_related("user").first().user
    client.force_login(learner)
    assert client.get(url(filled, kind)).status_code == 404


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, filled, kind):
    response = client.get(url(filled, kind))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_unknown_campaign_is_not_found_for_staff(client, filled, org_admin):
    client.force_login(org_admin)
    path = reverse("organisations:export_csv", args=[filled.organisation.slug, filled.pk + 999])
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_post_is_not_allowed_but_outsiders_still_only_see_not_found(
    client, filled, org_member, outsider, kind
):
    client.force_login(org_member)
    assert client.post(url(filled, kind)).status_code == 405
    client.force_login(outsider)
    assert client.post(url(filled, kind)).status_code == 404
