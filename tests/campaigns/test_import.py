"""Import of expected learners: checked by row and column, a dry run that writes nothing,
all or nothing, updates by e-mail address, and only for the organisation's admins."""

from __future__ import annotations

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.formats import number_format

from palier.campaigns.imports import MAX_FILE_BYTES, MAX_ROWS, ImportRefused, import_expected
from palier.campaigns.models import ExpectedLearner
from palier.frameworks.models import Population

pytestmark = pytest.mark.django_db

FRENCH_LIST = (
    "nom;prénom;e-mail;identifiant;public;année\r\n"
    "Martin;Élodie;elodie.martin@example.org;20260001;soins-infirmiers;1\r\n"
    "Durand;Théo;theo.durand@example.org;20260002;Études de médecine;2\r\n"
    "Nguyen;Linh;linh.nguyen@example.org;;;\r\n"
)


def upload(text: str | bytes, name: str = "liste.csv") -> SimpleUploadedFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def run_import(campaign, text: str | bytes, *, dry_run: bool = False):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_expected(campaign, io.BytesIO(data), dry_run=dry_run)


def refusal(campaign, text: str | bytes) -> list[str]:
    with pytest.raises(ImportRefused) as caught:
        run_import(campaign, text)
    return caught.value.errors


def import_url(campaign) -> str:
    return reverse("organisations:expected_import", args=[campaign.organisation.slug, campaign.pk])


def learners(campaign) -> list[tuple]:
    return list(
        ExpectedLearner.objects.filter(campaign=campaign)
        .order_by("email")
        .values_list(
            "email", "last_name", "first_name", "external_id", "population__code", "year_of_study"
        )
    )


# --- the happy path ------------------------------------------------------------------------


def test_a_dry_run_shows_what_would_be_created_and_writes_nothing(client, campaign, org_admin):
    client.force_login(org_admin)
    response = client.post(import_url(campaign), {"file": upload(FRENCH_LIST), "dry_run": "on"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Simulation réussie" in content
    assert "3 apprenants à ajouter" in content
    assert "elodie.martin@example.org" in content and "Élodie" in content
    assert ExpectedLearner.objects.count() == 0
    # The file checked out: the page offers to confirm it, without sending it again.
    assert response.context["confirm_form"]["token"].value()
    assert "Confirmer l'import" in content


def test_a_real_import_creates_every_learner_with_population_and_year(client, campaign, org_admin):
    client.force_login(org_admin)
    response = client.post(import_url(campaign), {"file": upload("\ufeff" + FRENCH_LIST)})
    assert response.status_code == 302
    assert response["Location"] == import_url(campaign)
    assert learners(campaign) == [
        ("elodie.martin@example.org", "Martin", "Élodie", "20260001", "soins-infirmiers", 1),
        ("linh.nguyen@example.org", "Nguyen", "Linh", "", None, None),
        ("theo.durand@example.org", "Durand", "Théo", "20260002", "medecine", 2),
    ]
    page = client.get(import_url(campaign)).content.decode()
    assert "Import enregistré : 3 apprenants ajoutés, 0 apprenant" in page
    assert "3 apprenants attendus dans cette campagne." in page


def test_english_headers_commas_and_any_case_or_accent_are_understood(campaign):
    report = run_import(
        campaign,
        "Last_Name,FIRST NAME,E-Mail,External_ID,Population,Year\n"
        "Martin,Élodie,Elodie.Martin@Example.org,A1,FORMATION EN SOINS INFIRMIERS "
        "(DIPLOME D'ETAT D'INFIRMIER),3\n",
    )
    assert (report.created, report.delimiter, report.encoding) == (1, ",", "utf-8")
    assert learners(campaign) == [
        ("elodie.martin@example.org", "Martin", "Élodie", "A1", "soins-infirmiers", 3)
    ]


def test_french_headers_without_accents_or_in_capitals_are_understood(campaign):
    report = run_import(campaign, "NOM;Prenom;EMAIL;Annee\nMartin;Élodie;e.martin@example.org;6\n")
    assert report.created == 1
    assert learners(campaign)[0][-1] == 6


def test_a_windows_1252_file_from_excel_is_read_with_its_accents(campaign):
    report = run_import(campaign, FRENCH_LIST.encode("cp1252"))
    assert report.encoding == "windows-1252"
    assert ("Martin", "Élodie") in [(row[1], row[2]) for row in learners(campaign)]


def test_a_reimport_updates_learners_by_email_and_never_duplicates_them(campaign):
    run_import(campaign, FRENCH_LIST)
    report = run_import(
        campaign,
        "nom;prénom;e-mail;identifiant;public;année\r\n"
        "Martin-Leroy;Élodie;ELODIE.MARTIN@example.org;20260001;soins-infirmiers;2\r\n"
        "Durand;Théo;theo.durand@example.org;20260002;medecine;2\r\n"
        "Petit;Anna;anna.petit@example.org;;;\r\n",
    )
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    assert learners(campaign) == [
        ("anna.petit@example.org", "Petit", "Anna", "", None, None),
        ("elodie.martin@example.org", "Martin-Leroy", "Élodie", "20260001", "soins-infirmiers", 2),
        ("linh.nguyen@example.org", "Nguyen", "Linh", "", None, None),
        ("theo.durand@example.org", "Durand", "Théo", "20260002", "medecine", 2),
    ]


def test_a_column_left_out_leaves_that_information_unchanged(campaign):
    run_import(campaign, FRENCH_LIST)
    run_import(campaign, "nom;prénom;e-mail\nMartin;Élodie;elodie.martin@example.org\n")
    assert learners(campaign)[0] == (
        "elodie.martin@example.org",
        "Martin",
        "Élodie",
        "20260001",
        "soins-infirmiers",
        1,
    )


def test_a_dry_run_of_a_reimport_counts_updates_without_writing(campaign):
    run_import(campaign, FRENCH_LIST)
    before = learners(campaign)
    report = run_import(
        campaign,
        FRENCH_LIST.replace(";1\r\n", ";4\r\n") + "Petit;Anna;anna.petit@example.org;;;\r\n",
        dry_run=True,
    )
    assert (report.dry_run, report.created, report.updated, report.unchanged) == (True, 1, 1, 2)
    assert [row.action for row in report.preview] == ["update", "unchanged", "unchanged", "create"]
    assert learners(campaign) == before


def test_the_same_address_in_two_campaigns_is_two_expected_learners(campaign, make_campaign):
    other = make_campaign(name="Promotion 2027")
    run_import(campaign, FRENCH_LIST)
    run_import(other, FRENCH_LIST)
    assert ExpectedLearner.objects.filter(campaign=other).count() == 3
    assert ExpectedLearner.objects.filter(campaign=campaign).count() == 3


def test_blank_lines_and_trailing_empty_columns_from_spreadsheets_are_ignored(campaign):
    report = run_import(
        campaign, "nom;prénom;e-mail;;\r\n;;;;\r\nMartin;Élodie;e.martin@example.org;;\r\n\r\n"
    )
    assert report.created == 1


def test_the_largest_allowed_list_is_accepted(campaign):
    rows = "".join(f"N{i};P;l{i}@example.org\n" for i in range(MAX_ROWS))
    report = run_import(campaign, "nom;prénom;e-mail\n" + rows, dry_run=True)
    assert report.created == MAX_ROWS
    assert len(report.preview) == 50


# --- bad input: clear errors, nothing stored ---------------------------------------------

HEADER = "nom;prénom;e-mail;identifiant;public;année\n"
BAD_FILES = {
    "unknown column": (
        "nom;prénom;mail\nMartin;Élodie;e.martin@example.org\n",
        "Colonne inconnue : « mail ». Colonnes possibles : nom, prénom, e-mail, identifiant, "
        "public, année, groupe.",
    ),
    "missing required column": (
        "nom;prénom;identifiant\nMartin;Élodie;1\n",
        "Colonne obligatoire absente : « e-mail ».",
    ),
    "same column twice": (
        "nom;last_name;prénom;e-mail\nMartin;Martin;Élodie;e.martin@example.org\n",
        "Colonne en double : « nom ».",
    ),
    "bad e-mail": (
        HEADER + "Martin;Élodie;e.martin@example.org;;;\nDurand;Théo;theo.durand@;;;\n",
        "ligne 3, colonne e-mail : adresse invalide « theo.durand@ »",
    ),
    "missing e-mail": (
        HEADER + "Martin;Élodie;;;;\n",
        "ligne 2, colonne e-mail : adresse obligatoire",
    ),
    "duplicate e-mail": (
        HEADER + "Martin;Élodie;e.martin@example.org;;;\nMartin;Éloïse;E.Martin@example.org;;;\n",
        "ligne 3, colonne e-mail : adresse déjà présente ligne 2",
    ),
    "unknown population": (
        HEADER + "Martin;Élodie;e.martin@example.org;;plombiers;\n",
        "ligne 2, colonne public : public inconnu « plombiers »",
    ),
    "year 0": (
        HEADER + "Martin;Élodie;e.martin@example.org;;;0\n",
        "ligne 2, colonne année : « 0 » n'est pas une année d'études de 1 à 6",
    ),
    "year 7": (
        HEADER + "Martin;Élodie;e.martin@example.org;;;7\n",
        "ligne 2, colonne année : « 7 » n'est pas une année d'études de 1 à 6",
    ),
    "year abc": (
        HEADER + "Martin;Élodie;e.martin@example.org;;;abc\n",
        "ligne 2, colonne année : « abc » n'est pas une année d'études de 1 à 6",
    ),
    "year in superscript digits": (
        HEADER + "Martin;Élodie;e.martin@example.org;;;\u00b2\n",
        "ligne 2, colonne année : « \u00b2 » n'est pas une année d'études de 1 à 6",
    ),
    "name too long": (
        HEADER + "M" + "a" * 150 + ";Élodie;e.martin@example.org;;;\n",
        "ligne 2, colonne nom : 150 caractères au plus",
    ),
    "more values than columns": (
        "nom;prénom;e-mail\nMartin;Élodie;e.martin@example.org;surplus\n",
        "ligne 2 : 4 valeurs pour 3 colonnes",
    ),
    "empty file": ("", "Le fichier est vide."),
    "only a byte-order mark and blank lines": ("\ufeff\r\n\r\n", "Le fichier est vide."),
    "header only": (HEADER, "Le fichier ne contient aucun apprenant (seulement l'en-tête)."),
    "utf-16 from excel's unicode text": (
        ("\ufeff" + HEADER + "Martin;Élodie;e.martin@example.org;;;\n").encode("utf-16-le"),
        "UTF-16",
    ),
    "utf-16 without byte-order mark": (
        (HEADER + "Martin;Élodie;e.martin@example.org;;;\n").encode("utf-16-le"),
        "fichier binaire",
    ),
    "binary file": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "fichier binaire"),
    "binary without nul bytes": (b"PK\x03\x04\x14\x06\x08\x08\x1b\xc3\x7f", "fichier binaire"),
    "bytes undefined in windows-1252": (
        b"nom;pr\x81nom;e-mail\nMartin;\x8d;e@example.org\n",
        "ni en UTF-8 ni en Windows-1252",
    ),
}


@pytest.mark.parametrize("content,expected", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_is_refused_with_a_clear_error_and_nothing_changes(campaign, content, expected):
    run_import(campaign, "nom;prénom;e-mail\nAncien;Alice;alice@example.org\n")
    before = learners(campaign)
    errors = refusal(campaign, content)
    assert any(expected in error for error in errors), errors
    assert learners(campaign) == before


def test_every_bad_row_is_reported_in_one_go_and_the_good_ones_are_not_written(campaign):
    errors = refusal(
        campaign,
        HEADER
        + "Martin;Élodie;e.martin@example.org;;;1\n"
        + "Durand;Théo;pas-une-adresse;;;9\n"
        + "Petit;Anna;anna.petit@example.org;;inconnu;2\n",
    )
    assert errors == [
        "ligne 3, colonne e-mail : adresse invalide « pas-une-adresse »",
        "ligne 3, colonne année : « 9 » n'est pas une année d'études de 1 à 6",
        "ligne 4, colonne public : public inconnu « inconnu » (code ou intitulé du référentiel "
        "attendu)",
    ]
    assert ExpectedLearner.objects.count() == 0


def test_errors_name_the_column_as_the_file_writes_it(campaign):
    errors = refusal(campaign, "last_name,first_name,email\nMartin,Élodie,nope\n")
    assert errors == ["ligne 2, colonne email : adresse invalide « nope »"]


def test_a_hundred_thousand_rows_are_refused_before_any_row_is_checked(campaign):
    # Every row is invalid too: only the row limit is reported, so no row was checked.
    content = "nom;prénom;e-mail\n" + "a;b;c\n" * 100_000
    assert len(content) < MAX_FILE_BYTES
    started = time.perf_counter()
    errors = refusal(campaign, content)
    assert time.perf_counter() - started < 5
    limit = number_format(MAX_ROWS, force_grouping=True)  # "20 000" in French
    assert errors == [
        f"Le fichier dépasse {limit} lignes d'apprenants : découpez-le en plusieurs imports."
    ]
    assert ExpectedLearner.objects.count() == 0


def test_one_row_over_the_limit_is_refused(campaign):
    rows = "".join(f"N;P;l{i}@example.org\n" for i in range(MAX_ROWS + 1))
    errors = refusal(campaign, "nom;prénom;e-mail\n" + rows)
    assert len(errors) == 1 and "lignes d'apprenants" in errors[0]


class CountingStream(io.RawIOBase):
    """An endless file that counts the bytes read from it."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = len(buffer)
        buffer[:size] = (b"a;b;c@example.org\n" * (size // 18 + 1))[:size]
        self.served += size
        return size


def test_a_file_over_two_mebibytes_is_refused_without_reading_it_all(campaign):
    stream = CountingStream()
    with pytest.raises(ImportRefused) as caught:
        import_expected(campaign, io.BufferedReader(stream), dry_run=True)
    assert caught.value.errors == [
        "Le fichier dépasse 2 Mio : découpez-le en plusieurs fichiers ou retirez les colonnes "
        "inutiles."
    ]
    assert stream.served <= MAX_FILE_BYTES + io.DEFAULT_BUFFER_SIZE


def test_an_uploaded_file_over_two_mebibytes_is_refused_on_the_page(client, campaign, org_admin):
    client.force_login(org_admin)
    big = "nom;prénom;e-mail\n" + "Martin;Élodie;e.martin@example.org\n" * 70_000
    assert len(big.encode()) > MAX_FILE_BYTES
    response = client.post(import_url(campaign), {"file": upload(big)})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Le fichier n&#x27;a pas été importé : 1 erreur." in content
    assert "Le fichier dépasse 2 Mio" in content
    assert ExpectedLearner.objects.count() == 0


def test_the_page_lists_errors_by_row_and_stores_nothing(client, campaign, org_admin):
    client.force_login(org_admin)
    response = client.post(
        import_url(campaign),
        {"file": upload(HEADER + "Martin;Élodie;pas-une-adresse;;;1\n")},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'role="alert"' in content
    assert "ligne 2, colonne e-mail : adresse invalide « pas-une-adresse »" in content
    assert ExpectedLearner.objects.count() == 0


def test_a_submission_without_a_file_is_a_form_error(client, campaign, org_admin):
    client.force_login(org_admin)
    response = client.post(import_url(campaign), {"dry_run": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


# --- the page, the template and who may use them ------------------------------------------


@pytest.mark.parametrize("theme", ["neutral", "dsfr"])
def test_the_page_shows_the_count_and_links_to_a_template(
    client, settings, campaign, org_admin, theme
):
    settings.PALIER_THEME = theme
    run_import(campaign, FRENCH_LIST)
    client.force_login(org_admin)
    response = client.get(import_url(campaign))
    assert response.status_code == 200
    content = response.content.decode()
    assert "3 apprenants attendus dans cette campagne." in content
    template = reverse(
        "organisations:expected_template", args=[campaign.organisation.slug, campaign.pk]
    )
    assert f'href="{template}"' in content
    assert 'enctype="multipart/form-data"' in content
    assert "<caption>" in content and 'scope="col"' in content
    # Simulation is ticked on the first visit.
    assert response.context["form"]["dry_run"].value() is True


def test_the_template_has_the_french_headers_and_imports_once_filled(client, campaign, org_admin):
    client.force_login(org_admin)
    response = client.get(
        reverse("organisations:expected_template", args=[campaign.organisation.slug, campaign.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text == "\ufeffnom;prénom;e-mail;identifiant;public;année;groupe\r\n"
    filled = text + "Martin;Élodie;e.martin@example.org;E1;soins-infirmiers;1;TD 1\r\n"
    assert run_import(campaign, filled).created == 1


def test_a_member_may_not_import(client, campaign, org_member):
    client.force_login(org_member)
    assert client.get(import_url(campaign)).status_code == 403
    response = client.post(import_url(campaign), {"file": upload(FRENCH_LIST)})
    assert response.status_code == 403
    assert ExpectedLearner.objects.count() == 0
    template = reverse(
        "organisations:expected_template", args=[campaign.organisation.slug, campaign.pk]
    )
    assert client.get(template).status_code == 403


def test_staff_of_another_organisation_get_not_found(client, campaign, outsider):
    client.force_login(outsider)
    assert client.get(import_url(campaign)).status_code == 404
    response = client.post(import_url(campaign), {"file": upload(FRENCH_LIST)})
    assert response.status_code == 404
    assert ExpectedLearner.objects.count() == 0
    # Their own organisation's slug with this campaign's id does not reach it either.
    own = outsider.memberships.get().organisation
    url = reverse("organisations:expected_import", args=[own.slug, campaign.pk])
    assert client.get(url).status_code == 404


def test_a_learner_without_organisation_gets_not_found(client, campaign):
    from tests.factories import make_user

    client.force_login(make_user())
    assert client.get(import_url(campaign)).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, campaign):
    response = client.post(import_url(campaign), {"file": upload(FRENCH_LIST)})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert ExpectedLearner.objects.count() == 0


def test_populations_may_be_given_by_english_title_too(campaign):
    nursing = Population.objects.get(code="soins-infirmiers")
    run_import(
        campaign, f"nom;prénom;e-mail;public\nMartin;Élodie;e@example.org;{nursing.title_en}\n"
    )
    assert learners(campaign)[0][4] == "soins-infirmiers"


def test_other_methods_are_refused_after_the_permission_gate(client, campaign, org_admin, outsider):
    client.force_login(org_admin)
    assert client.put(import_url(campaign)).status_code == 405
    client.force_login(outsider)
    assert client.put(import_url(campaign)).status_code == 404


# --- hostile uploads: a form error or a 400, never a crash ---------------------------------


def test_a_cell_over_the_csv_field_limit_is_a_line_error_on_the_page(client, campaign, org_admin):
    import csv

    client.force_login(org_admin)
    long_cell = "x" * (csv.field_size_limit() + 1)
    text = f"nom;prénom;e-mail\r\nMartin;{long_cell};elodie@example.org\r\n"
    response = client.post(import_url(campaign), {"file": upload(text), "dry_run": "on"})
    assert response.status_code == 200
    assert any("ligne 2" in error for error in response.context["errors"])
    assert ExpectedLearner.objects.count() == 0


def test_a_malformed_multipart_body_is_a_400_page(client, campaign, org_admin):
    client.force_login(org_admin)
    response = client.generic(
        "POST", import_url(campaign), b"--x\r\n", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert ExpectedLearner.objects.count() == 0
