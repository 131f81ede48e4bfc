import re

import pytest
from django.core import mail

from palier.accounts.models import LearnerProfile
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_up_confirm_log_in_and_fill_the_profile(
    page, live_server, theme, framework, run_tasks
):
    email = f"lea.{theme}@example.org"
    page.goto(f"{live_server.url}/compte/inscription/")
    assert_accessible(page)
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Prénom").fill("Léa")
    page.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url("**/compte/inscription/envoyee/")
    assert_accessible(page)

    run_tasks()
    link = re.search(r"https?://\S+/compte/confirmer/\S+/", mail.outbox[-1].body).group(0)
    page.goto(live_server.url + "/compte/" + link.split("/compte/", 1)[1])
    page.wait_for_url("**/compte/connexion/")
    assert page.get_by_text("Votre adresse e-mail est confirmée").is_visible()
    assert_accessible(page)

    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/mon-espace/")
    page.goto(f"{live_server.url}/compte/profil/")
    assert_accessible(page)

    page.get_by_label("Formation ou métier").fill(
        "Formation en soins infirmiers (diplôme d'État d'infirmier)"
    )
    page.get_by_label("Situation").select_option("student")
    page.get_by_label("Année de formation").fill("2")
    page.get_by_label("Région").select_option("53")
    page.get_by_role("button", name="Enregistrer mon profil").click()
    page.wait_for_load_state()
    assert page.get_by_text("Votre profil est enregistré.").is_visible()
    profile = LearnerProfile.objects.get(user__email=email)
    assert (profile.population.code, profile.year_of_study, profile.region) == (
        "soins-infirmiers",
        2,
        "53",
    )


def test_form_errors_are_announced_and_linked_to_their_fields(page, live_server, theme):
    page.goto(f"{live_server.url}/compte/inscription/")
    page.get_by_label("Adresse e-mail").fill("pas-une-adresse")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert alert.is_visible()
    assert page.get_by_label("Adresse e-mail").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
