"""Sign-in with the national professional login against a real OpenID provider: first
login, claims mapping, second login, linking an existing account, logout."""

from __future__ import annotations

import urllib.parse

import httpx
import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from palier.accounts.choices import LearnerStatus
from palier.accounts.models import User
from palier.integrations.oidc.models import NATIONAL_KEY, LinkedIdentity, ProviderHealth
from palier.integrations.oidc.services import NO_EMAIL_DOMAIN
from tests.factories import PASSWORD, make_user
from tests.integrations.oidc.flow import back_to_palier, sign_in, start

pytestmark = pytest.mark.django_db


def professional(profession: str, category: str = "C", mode: str = "L") -> dict:
    """Claims shaped like the national login's userinfo (SubjectRefPro.exercices...)."""
    return {
        "given_name": "Camille",
        "family_name": "Martin",
        "SubjectNameID": "810012345678",
        "SubjectRefPro": {
            "exercices": [
                {
                    "codeProfession": profession,
                    "codeCategorieProfessionnelle": category,
                    "codeSavoirFaire": "SM54",
                    "activities": [{"codeModeExercice": mode}],
                }
            ]
        },
    }


def signed_in_user(browser) -> User | None:
    user_id = browser.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


def test_login_page_shows_the_button_only_when_configured(client, settings, framework):
    settings.PALIER_OIDC_ISSUER = ""
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Pro Santé Connect" not in page
    settings.PALIER_OIDC_ISSUER = "https://auth.example.test"
    settings.PALIER_OIDC_CLIENT_ID = "palier"
    page = client.get(reverse("accounts:login") + "?next=/positionnement/").content.decode()
    assert "Se connecter avec Pro Santé Connect" in page
    assert reverse("integrations_oidc:start", args=["national"]) + "?next=" in page


def test_first_login_creates_the_account_with_the_mapped_profile(client, national_login):
    response = sign_in(client, national_login, "psc-first-1", professional("10", mode="L"))
    assert response.status_code == 302
    assert response["Location"] == reverse("platform:my_space")
    user = signed_in_user(client)
    assert user is not None
    assert (user.first_name, user.last_name) == ("Camille", "Martin")
    # The national login sends no e-mail address: a reserved, undeliverable one stands in.
    assert user.email.endswith("@" + NO_EMAIL_DOMAIN)
    assert not user.has_usable_password()
    assert user.profile.population.code == "professionnels-en-exercice"
    assert user.profile.status == LearnerStatus.SELF_EMPLOYED
    link = LinkedIdentity.objects.get(user=user)
    assert (link.issuer, link.subject) == (national_login.issuer, "psc-first-1")
    assert ProviderHealth.objects.get(provider_key=NATIONAL_KEY).last_success_at is not None


def test_a_student_gets_the_curriculum_of_their_profession(client, national_login):
    sign_in(client, national_login, "psc-student-1", professional("60", category="E"))
    user = signed_in_user(client)
    assert user.profile.population.code == "soins-infirmiers"
    assert user.profile.status == LearnerStatus.STUDENT


def test_a_salaried_professional_chooses_public_or_private_later(client, national_login):
    sign_in(client, national_login, "psc-salaried-1", professional("70", mode="S"))
    user = signed_in_user(client)
    assert user.profile.population.code == "professionnels-en-exercice"
    assert user.profile.status == ""


def test_the_next_login_signs_in_the_same_account(client, national_login):
    sign_in(client, national_login, "psc-again-1", professional("10"))
    first = signed_in_user(client)
    client.logout()
    response = sign_in(client, national_login, "psc-again-1", professional("10"))
    assert response.status_code == 302
    assert signed_in_user(client) == first
    assert User.objects.filter(linked_identities__subject="psc-again-1").count() == 1


def test_the_next_address_is_kept_when_it_is_on_this_site(client, national_login):
    national_login.set_user("psc-next-1", professional("10"))
    location = national_login.authorize(start(client, next_url="/positionnement/"), "psc-next-1")
    assert back_to_palier(client, location)["Location"] == "/positionnement/"
    client.logout()
    location = national_login.authorize(
        start(client, next_url="https://elsewhere.example/"), "psc-next-1"
    )
    assert back_to_palier(client, location)["Location"] == reverse("platform:my_space")


def test_an_account_with_the_same_email_is_linked_only_after_its_password(client, national_login):
    owner = make_user("camille.martin@example.org")
    claims = {**professional("60", category="E"), "email": "Camille.Martin@example.org"}
    response = sign_in(client, national_login, "psc-link-1", claims)
    # Not signed in, not linked: the address alone proves nothing.
    assert response["Location"] == reverse("integrations_oidc:link")
    assert signed_in_user(client) is None
    assert not LinkedIdentity.objects.exists()

    page = client.get(reverse("integrations_oidc:link"))
    assert page.status_code == 200
    assert "camille.martin@example.org" in page.content.decode()

    wrong = client.post(reverse("integrations_oidc:link"), {"password": "not the password"})
    assert wrong.status_code == 400
    assert "Mot de passe incorrect" in wrong.content.decode()
    assert signed_in_user(client) is None
    assert not LinkedIdentity.objects.exists()

    right = client.post(reverse("integrations_oidc:link"), {"password": PASSWORD})
    assert right.status_code == 302
    assert signed_in_user(client) == owner
    assert LinkedIdentity.objects.get(subject="psc-link-1").user == owner
    owner.profile.refresh_from_db()
    assert owner.profile.population.code == "soins-infirmiers"

    # From now on the provider alone signs the owner in.
    client.logout()
    sign_in(client, national_login, "psc-link-1", claims)
    assert signed_in_user(client) == owner


def test_the_link_page_without_a_pending_sign_in_goes_to_the_login_page(client, framework):
    response = client.post(reverse("integrations_oidc:link"), {"password": PASSWORD})
    assert response["Location"] == reverse("accounts:login")


def test_logout_ends_the_session_here_and_at_the_provider(client, national_login):
    sign_in(client, national_login, "psc-logout-1", professional("10"))
    assert signed_in_user(client) is not None
    response = client.post(reverse("integrations_oidc:logout"))
    assert signed_in_user(client) is None
    end_session = urllib.parse.urlsplit(response["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}" == national_login.issuer
    assert end_session.path == "/oauth2/end_session"
    query = urllib.parse.parse_qs(end_session.query)
    assert national_login.claims_of(query["id_token_hint"][0])["sub"] == "psc-logout-1"
    assert query["post_logout_redirect_uri"][0].endswith(reverse("platform:home"))
    # The provider's real end-session page answers.
    assert httpx.get(response["Location"]).status_code == 200


def test_logout_of_a_password_session_stays_local(client, framework):
    user = make_user()
    client.force_login(user)
    response = client.post(reverse("integrations_oidc:logout"))
    assert response["Location"] == reverse("platform:home")
    assert signed_in_user(client) is None
