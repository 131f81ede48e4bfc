"""Import of a session's candidates: checked by row and column (accounts, eligibility, extra
time, screen reader), a dry run that writes nothing and is confirmed without sending the file
again, all or nothing, and only for the centre's admins."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from palier.certification import enrolment
from palier.certification.candidate_import import ImportRefused, data_from_token, pending_token
from palier.certification.errors import CertificationError
from palier.certification.models import Candidate, Session
from tests.certification.factories import (
    make_candidate,
    make_centre,
    make_certificate,
    make_session,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db

FRENCH_LIST = (
    "e-mail;temps supplémentaire;lecteur d'écran;motif de dérogation\r\n"
    "lina.roux@example.org;33;oui;\r\n"
    "theo.martin@example.org;;non;\r\n"
    "Sami.Diallo@example.org;0 %;;\r\n"
)


@pytest.fixture
def session(org, framework):
    return make_session(make_centre(org), framework, status=Session.Status.SCHEDULED)


@pytest.fixture
def accounts():
    return [
        make_user(email=email)
        for email in ("lina.roux@example.org", "theo.martin@example.org", "sami.diallo@example.org")
    ]


def run(session, text: str | bytes, *, dry_run: bool = False, by=None):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return enrolment.import_candidates(session, io.BytesIO(data), dry_run=dry_run, by=by)


def errors_of(session, text: str) -> list[str]:
    with pytest.raises(ImportRefused) as caught:
        run(session, text)
    return caught.value.errors


def enrolled(session) -> list[tuple]:
    return list(
        Candidate.objects.filter(session=session)
        .order_by("user__email")
        .values_list("user__email", "extra_time_percent", "screen_reader")
    )


def import_url(session) -> str:
    slug = session.centre.organisation.slug
    return reverse("certification_staff:candidate_import", args=[slug, session.pk])


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("candidats.csv", text.encode("utf-8"), content_type="text/csv")


def test_an_import_enrols_every_candidate_with_their_needs(session, accounts):
    plan = run(session, "\ufeff" + FRENCH_LIST)
    assert (plan.created, plan.updated, plan.unchanged) == (3, 0, 0)
    assert enrolled(session) == [
        ("lina.roux@example.org", 33, True),
        ("sami.diallo@example.org", 0, False),
        ("theo.martin@example.org", 0, False),
    ]


def test_english_headers_and_windows_1252_are_read(session, accounts):
    text = "email,extra_time,screen_reader\nlina.roux@example.org,50,yes\n"
    plan = run(session, text.encode("cp1252"))
    assert plan.created == 1
    assert enrolled(session) == [("lina.roux@example.org", 50, True)]


def test_a_dry_run_reports_and_writes_nothing(session, accounts):
    plan = run(session, FRENCH_LIST, dry_run=True)
    assert plan.created == 3 and [row.line for row in plan.rows] == [2, 3, 4]
    assert not Candidate.objects.exists()


def test_a_second_import_updates_expected_candidates_and_adds_no_duplicate(session, accounts):
    run(session, FRENCH_LIST)
    plan = run(session, "email;extra_time\nlina.roux@example.org;50\ntheo.martin@example.org;0\n")
    assert (plan.created, plan.updated, plan.unchanged) == (0, 1, 1)
    assert Candidate.objects.count() == 3
    # No screen_reader column: its value is "non" for the rows given.
    assert enrolled(session)[0] == ("lina.roux@example.org", 50, False)


def test_every_error_is_reported_by_row_and_column_and_nothing_is_written(session, accounts):
    unconfirmed = make_user(email="pas.confirme@example.org", confirmed=False)
    text = (
        "email;extra_time;screen_reader\n"
        "lina.roux@example.org;250;oui\n"
        "inconnu@example.org;0;non\n"
        "pas-une-adresse;0;non\n"
        "theo.martin@example.org;0;peut-être\n"
        f"{unconfirmed.email};0;non\n"
        "LINA.ROUX@example.org;0;non\n"
        "sami.diallo@example.org;0;non\n"
    )
    errors = errors_of(session, text)
    assert errors == [
        "ligne 2, colonne extra_time : « 250 » n'est pas un pourcentage de 0 à 200",
        "ligne 3, colonne email : aucun compte Palier avec cette adresse",
        "ligne 4, colonne email : adresse invalide « pas-une-adresse »",
        "ligne 5, colonne screen_reader : « peut-être » : répondez oui ou non",
        "ligne 6, colonne email : L'adresse e-mail du candidat n'est pas confirmée.",
        "ligne 7, colonne email : adresse déjà présente ligne 2",
    ]
    assert not Candidate.objects.exists()


def test_unknown_and_missing_columns_are_refused(session):
    errors = errors_of(session, "adresse;niveau\nx@example.org;2\n")
    assert errors == [
        "Colonne inconnue : « adresse ». Colonnes possibles : email, extra_time, "
        "screen_reader, override_reason.",
        "Colonne inconnue : « niveau ». Colonnes possibles : email, extra_time, "
        "screen_reader, override_reason.",
        "Colonne obligatoire absente : « email ».",
    ]


def test_a_recent_certificate_needs_a_reason_in_the_file(session, framework, accounts):
    lina = accounts[0]
    past = make_session(session.centre, framework, status=Session.Status.FINALISED)
    make_certificate(make_candidate(past, lina))
    errors = errors_of(session, "email;override_reason\nlina.roux@example.org;\n")
    assert len(errors) == 1 and errors[0].startswith("ligne 2, colonne override_reason : ")
    by = make_user()
    run(session, "email;override_reason\nlina.roux@example.org;Reconversion\n", by=by)
    candidate = Candidate.objects.get(session=session)
    assert (candidate.override_reason, candidate.override_by) == ("Reconversion", by)


def test_an_arrived_candidates_needs_no_longer_change(session, accounts):
    make_candidate(session, accounts[0], status=Candidate.Status.PRESENT)
    errors = errors_of(session, "email;extra_time\nlina.roux@example.org;33\n")
    assert errors == [
        "ligne 2, colonne email : candidat déjà arrivé : son inscription ne peut plus changer"
    ]
    # The same needs again change nothing: accepted.
    assert run(session, "email;extra_time\nlina.roux@example.org;0\n").unchanged == 1


def test_a_closed_session_takes_no_import(org, framework, accounts):
    closed = make_session(make_centre(), framework, status=Session.Status.FINALISED)
    with pytest.raises(CertificationError) as caught:
        run(closed, FRENCH_LIST)
    assert caught.value.code == "session_locked"


def test_the_confirmation_token_is_for_one_session_and_user_only(session, org, framework):
    user, other_user = make_user(), make_user()
    token = pending_token(session, user, b"email\nx@example.org\n")
    assert data_from_token(session, user, token) == b"email\nx@example.org\n"
    other = make_session(session.centre, framework, status=Session.Status.SCHEDULED)
    for args in ((session, other_user, token), (other, user, token), (session, user, "x")):
        with pytest.raises(CertificationError) as caught:
            data_from_token(*args)
        assert caught.value.status == 410


# --- the page -----------------------------------------------------------------------------


def test_the_page_checks_then_imports_on_confirmation(client, session, accounts, org_admin):
    client.force_login(org_admin)
    page = client.post(import_url(session), {"file": upload(FRENCH_LIST), "dry_run": "on"})
    content = page.content.decode()
    assert page.status_code == 200 and "Simulation réussie" in content
    assert "3 candidats à inscrire" in content and "lina.roux@example.org" in content
    assert not Candidate.objects.exists()
    token = page.context["confirm_form"]["token"].value()
    confirm = reverse(
        "certification_staff:candidate_import_confirm",
        args=[session.centre.organisation.slug, session.pk],
    )
    done = client.post(confirm, {"token": token})
    assert done.status_code == 302
    assert Candidate.objects.filter(session=session).count() == 3


def test_the_page_lists_the_errors_of_a_refused_file(client, session, org_admin):
    client.force_login(org_admin)
    page = client.post(import_url(session), {"file": upload("email\ninconnu@example.org\n")})
    content = page.content.decode()
    assert "Le fichier n&#x27;a pas été importé : 1 erreur" in content
    assert "aucun compte Palier avec cette adresse" in content
    assert not Candidate.objects.exists()


def test_an_altered_confirmation_changes_nothing(client, session, org_admin):
    client.force_login(org_admin)
    confirm = reverse(
        "certification_staff:candidate_import_confirm",
        args=[session.centre.organisation.slug, session.pk],
    )
    assert client.post(confirm, {"token": "faux"}).status_code == 410
    assert not Candidate.objects.exists()


def test_the_template_file_has_the_expected_columns(client, session, org_member):
    client.force_login(org_member)
    url = reverse(
        "certification_staff:import_template", args=[session.centre.organisation.slug, session.pk]
    )
    text = client.get(url).content.decode("utf-8-sig")
    assert text.splitlines()[0] == "email;extra_time;screen_reader;override_reason"


def test_an_import_without_dry_run_enrols_at_once(client, session, accounts, org_admin):
    client.force_login(org_admin)
    response = client.post(import_url(session), {"file": upload(FRENCH_LIST)})
    assert response.status_code == 302
    assert len(enrolled(session)) == 3
