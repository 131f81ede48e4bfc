"""An institution's file of enrolled learners: checked by row and column with the campaign
import's rules, a dry run that writes nothing, all or nothing, replacement of the figures
given for the same cells, and a confirmation token for this organisation and user only."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from palier.campaigns.import_checks import ImportRefused
from palier.frameworks.models import Population
from palier.steering.choices import DenominatorSource
from palier.steering.denominator_import import (
    MAX_ENROLMENT_ROWS,
    data_from_token,
    pending_token,
    plan_import,
)
from palier.steering.denominator_services import EnrolmentCell, import_enrolments, set_enrolments
from palier.steering.models import Enrolment

pytestmark = [pytest.mark.django_db]

FILE = (
    "public;annee_etudes;annee;inscrits\r\n"
    "soins-infirmiers;1;2025;112\r\n"
    "soins-infirmiers;2;2025;98\r\n"
    "Études de médecine;1;2025-2026;1 250\r\n"
)


def upload(text: str | bytes, name: str = "effectifs.csv") -> SimpleUploadedFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def refusal(org, text: str | bytes) -> list[str]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(ImportRefused) as caught:
        plan_import(org, data)
    return caught.value.errors


def figures(org) -> list[tuple]:
    return list(
        Enrolment.objects.filter(organisation=org)
        .order_by("population__code", "year_of_study", "academic_year")
        .values_list("population__code", "year_of_study", "academic_year", "learners")
    )


def import_url(org) -> str:
    return reverse("steering_denominators:import", args=[org.slug])


def confirm_url(org) -> str:
    return reverse("steering_denominators:import_confirm", args=[org.slug])


# --- what a good file does ----------------------------------------------------------------


def test_a_dry_run_shows_every_change_and_stores_nothing(client, org, org_admin):
    client.force_login(org_admin)
    response = client.post(import_url(org), {"file": upload(FILE), "dry_run": "on"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Simulation réussie" in content
    assert "3 effectifs à ajouter" in content
    assert "Études de médecine" in content
    assert Enrolment.objects.count() == 0
    assert response.context["confirm_form"]["token"].value()


def test_confirming_the_dry_run_imports_the_checked_file(client, org, org_admin):
    client.force_login(org_admin)
    response = client.post(import_url(org), {"file": upload(FILE), "dry_run": "on"})
    token = response.context["confirm_form"]["token"].value()
    response = client.post(confirm_url(org), {"token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("steering_denominators:organisation", args=[org.slug])
    assert figures(org) == [
        ("medecine", 1, 2025, 1250),
        ("soins-infirmiers", 1, 2025, 112),
        ("soins-infirmiers", 2, 2025, 98),
    ]
    enrolment = Enrolment.objects.get(organisation=org, population__code="medecine")
    assert enrolment.source == DenominatorSource.IMPORT
    assert enrolment.declared_by == org_admin


def test_an_import_without_dry_run_writes_at_once(client, org, org_admin):
    client.force_login(org_admin)
    response = client.post(import_url(org), {"file": upload(FILE)})
    assert response.status_code == 302
    assert len(figures(org)) == 3


def test_a_new_figure_replaces_the_old_one_and_cells_left_out_keep_theirs(org, org_admin):
    nursing = Population.objects.get(code="soins-infirmiers")
    set_enrolments(
        org,
        None,
        [EnrolmentCell(nursing, 1, 2025, 90), EnrolmentCell(nursing, 3, 2025, 80)],
        DenominatorSource.FORM,
    )
    before = Enrolment.objects.get(organisation=org, population=nursing, year_of_study=1)
    plan = plan_import(org, FILE.encode())
    assert (plan.created, plan.updated, plan.unchanged) == (2, 1, 0)
    assert [row.previous for row in plan.rows if row.action == "update"] == [90]
    import_enrolments(org, org_admin, FILE.encode())
    after = Enrolment.objects.get(organisation=org, population=nursing, year_of_study=1)
    assert after.pk == before.pk and after.learners == 112
    assert after.declared_by == org_admin and after.declared_at > before.declared_at
    assert after.source == DenominatorSource.IMPORT
    assert ("soins-infirmiers", 3, 2025, 80) in figures(org)
    # The same file again changes no figure.
    again = plan_import(org, FILE.encode())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_windows_1252_file_with_commas_and_other_header_names_is_read(org, framework):
    text = "Public,Année d'études,Année universitaire,Effectif\r\nÉtudes de médecine,2,2024,300\r\n"
    plan = plan_import(org, text.encode("cp1252"))
    assert plan.encoding == "windows-1252"
    assert [(row.population.code, row.year_of_study, row.learners) for row in plan.rows] == [
        ("medecine", 2, 300)
    ]


# --- what a bad file gets: every error, by row and column, and nothing stored --------------


def test_each_kind_of_cell_error_is_reported_with_its_row_and_column(org, framework):
    errors = refusal(
        org,
        "public;annee_etudes;annee;inscrits\n"
        "inconnu;1;2025;10\n"
        "soins-infirmiers;7;2025;10\n"
        "soins-infirmiers;1;2019;10\n"
        "soins-infirmiers;1;2025-2027;10\n"
        "soins-infirmiers;1;2025;-3\n"
        "soins-infirmiers;1;2025;douze\n"
        "soins-infirmiers;1;2025;1000000\n"
        ";1;2025;10\n",
    )
    assert len(errors) == 8
    assert errors[0].startswith("ligne 2, colonne public : public inconnu « inconnu »")
    assert errors[1].startswith("ligne 3, colonne annee_etudes : « 7 »")
    assert errors[2].startswith("ligne 4, colonne annee : « 2019 »")
    assert errors[3].startswith("ligne 5, colonne annee : « 2025-2027 »")
    assert errors[4].startswith("ligne 6, colonne inscrits : « -3 »")
    assert errors[5].startswith("ligne 7, colonne inscrits : « douze »")
    assert errors[6].startswith("ligne 8, colonne inscrits : « 1000000 »")
    assert errors[7] == "ligne 9, colonne public : public obligatoire"


def test_a_cell_given_twice_in_the_file_is_refused(org, framework):
    errors = refusal(
        org,
        "public;annee_etudes;annee;inscrits\n"
        "soins-infirmiers;1;2025;10\n"
        "Formation en soins infirmiers (diplôme d'État d'infirmier);1;2025-2026;11\n",
    )
    assert errors == ["ligne 3 : même public, année d'études et année que ligne 2"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("public;annee_etudes;annee\nsoins-infirmiers;1;2025\n", "Colonne obligatoire absente"),
        ("public;annee_etudes;annee;inscrits;note\n", "Colonne inconnue : « note »"),
        ("public;public;annee_etudes;annee;inscrits\n", "Colonne en double : « public »"),
        ("public;annee_etudes;annee;inscrits\n", "aucun effectif"),
        ("", "Le fichier est vide."),
        ("public;annee_etudes;annee;inscrits\nsoins-infirmiers;1;2025;10;12\n", "5 valeurs"),
    ],
)
def test_a_file_without_the_expected_shape_is_refused(org, framework, text, expected):
    assert any(expected in error for error in refusal(org, text))


def test_a_file_in_utf16_or_binary_is_refused_with_advice(org, framework):
    utf16 = "public;annee_etudes;annee;inscrits\n".encode("utf-16")
    assert "CSV UTF-8" in refusal(org, utf16)[0]
    assert "CSV UTF-8" in refusal(org, b"\x89PNG\r\n\x1a\n\x00\x00")[0]


def test_a_file_with_too_many_rows_is_refused_before_any_check(org, framework):
    rows = "".join(f"x{number};1;2025;1\n" for number in range(MAX_ENROLMENT_ROWS + 1))
    errors = refusal(org, "public;annee_etudes;annee;inscrits\n" + rows)
    assert errors == ["Le fichier dépasse 5\u00a0000 lignes : découpez-le en plusieurs imports."]
    assert MAX_ENROLMENT_ROWS == 5000


def test_a_file_with_one_bad_row_stores_nothing_and_keeps_every_figure(client, org, org_admin):
    nursing = Population.objects.get(code="soins-infirmiers")
    set_enrolments(org, None, [EnrolmentCell(nursing, 1, 2025, 90)], DenominatorSource.FORM)
    client.force_login(org_admin)
    response = client.post(import_url(org), {"file": upload(FILE + "soins-infirmiers;9;2025;1\n")})
    assert response.status_code == 200
    content = response.content.decode()
    assert "importé : 1 erreur. Rien n&#x27;a été enregistré." in content
    assert "ligne 5, colonne annee_etudes" in content
    assert figures(org) == [("soins-infirmiers", 1, 2025, 90)]


def test_a_file_refused_at_confirmation_stores_nothing(client, org, org_admin):
    # Checked in a dry run, then a population of the file disappears before confirmation.
    client.force_login(org_admin)
    text = "public;annee_etudes;annee;inscrits\nsoins-infirmiers;1;2025;10\nbrand-new;1;2025;5\n"
    Population.objects.create(code="brand-new", kind="vocational", title_fr="Nouveau public")
    response = client.post(import_url(org), {"file": upload(text), "dry_run": "on"})
    token = response.context["confirm_form"]["token"].value()
    Population.objects.filter(code="brand-new").delete()
    response = client.post(confirm_url(org), {"token": token})
    assert response.status_code == 200
    assert "public inconnu « brand-new »" in response.content.decode()
    assert Enrolment.objects.count() == 0


# --- the confirmation token ---------------------------------------------------------------


def test_a_token_works_only_for_its_organisation_and_user(org, org_admin, outsider):
    other = outsider.memberships.get().organisation
    token = pending_token(org, org_admin, FILE.encode())
    assert data_from_token(org, org_admin, token) == FILE.encode()
    for organisation, user in ((other, org_admin), (org, outsider)):
        with pytest.raises(Exception) as caught:
            data_from_token(organisation, user, token)
        assert caught.value.status == 410


def test_an_altered_or_missing_token_answers_with_an_error_and_stores_nothing(
    client, org, org_admin
):
    client.force_login(org_admin)
    token = pending_token(org, org_admin, FILE.encode())
    assert client.post(confirm_url(org), {"token": token[:-2] + "xx"}).status_code == 410
    assert client.post(confirm_url(org), {}).status_code == 400
    assert Enrolment.objects.count() == 0


# --- who may import -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["import", "import_confirm", "import_template"])
def test_only_the_organisations_admins_reach_the_import(client, org, org_member, outsider, name):
    url = reverse(f"steering_denominators:{name}", args=[org.slug])
    client.force_login(outsider)
    assert client.post(url, {"file": upload(FILE)}).status_code == 404
    assert client.get(url).status_code == 404
    client.force_login(org_member)
    assert client.post(url, {"file": upload(FILE)}).status_code == 403
    assert Enrolment.objects.count() == 0


def test_the_template_has_the_four_columns(client, org, org_admin):
    client.force_login(org_admin)
    response = client.get(reverse("steering_denominators:import_template", args=[org.slug]))
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").strip() == "public;annee_etudes;annee;inscrits"
