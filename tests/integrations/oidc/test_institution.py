"""Institutional single sign-on: an organisation's own provider (another issuer) through the
same client; administrators manage it; its status reaches the integrations status page."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from palier.accounts.choices import LearnerStatus
from palier.accounts.models import User
from palier.accounts.roles import Role
from palier.frameworks.models import Population
from palier.integrations import status
from palier.integrations.oidc import client as oidc_client
from palier.integrations.oidc.models import LinkedIdentity, OrganisationProvider
from tests.factories import make_user
from tests.integrations.oidc.flow import sign_in
from tests.integrations.oidc.provider import LoopbackProvider, running_provider

pytestmark = pytest.mark.django_db
SECRET_VARIABLE = "PALIER_TEST_SSO_SECRET"


@pytest.fixture(scope="module")
def campus_provider() -> Iterator[LoopbackProvider]:
    with running_provider() as running:
        yield running


@pytest.fixture
def campus_sso(org, campus_provider) -> OrganisationProvider:
    os.environ[SECRET_VARIABLE] = "campus-secret"
    oidc_client.forget_discovery()
    return OrganisationProvider.objects.create(
        organisation=org,
        slug="tilleuls",
        name="ENT des Tilleuls",
        issuer=campus_provider.issuer,
        client_id="palier-at-tilleuls",
        client_secret_env=SECRET_VARIABLE,
        population=Population.objects.get(code="soins-infirmiers"),
        show_on_login_page=True,
    )


def test_a_student_signs_in_with_the_institution_provider(
    client, national_login, campus_provider, campus_sso
):
    claims = {
        "email": "etudiant@tilleuls.example.org",
        "email_verified": True,
        "given_name": "Sacha",
        "family_name": "Leroy",
    }
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Se connecter avec ENT des Tilleuls" in page
    assert "Se connecter avec Pro Santé Connect" in page

    response = sign_in(client, campus_provider, "student-1", claims, key=campus_sso.key)
    assert response.status_code == 302
    user = User.objects.get(pk=client.session[SESSION_KEY])
    assert user.email == "etudiant@tilleuls.example.org"
    assert user.email_confirmed
    assert user.profile.population.code == "soins-infirmiers"
    assert user.profile.status == LearnerStatus.STUDENT
    link = LinkedIdentity.objects.get(user=user)
    assert (link.issuer, link.provider_key) == (campus_provider.issuer, "sso-tilleuls")
    # The same subject at the national issuer is another identity.
    assert link.issuer != national_login.issuer


def test_a_disabled_institution_provider_is_not_offered(client, campus_sso):
    campus_sso.enabled = False
    campus_sso.save()
    assert client.get(reverse("integrations_oidc:start", args=["sso-tilleuls"])).status_code == 404
    assert "ENT des Tilleuls" not in client.get(reverse("accounts:login")).content.decode()


def test_only_administrators_manage_institution_providers(client, campus_sso):
    url = reverse("admin:integrations_oidc_organisationprovider_changelist")
    client.force_login(make_user("learner@example.org"))
    assert client.get(url).status_code == 403
    administrator = make_user(
        "admin@example.org", roles=(Role.ADMINISTRATOR,), is_staff=True, is_superuser=True
    )
    client.force_login(administrator)
    assert client.get(url).status_code == 200


def test_status_lines_name_each_provider_with_its_last_error(client, national_login, campus_sso):
    client.get(reverse("integrations_oidc:callback"), {"state": "nothing"})
    from palier.integrations.oidc.services import record_error

    record_error(campus_sso.key, "id_token_expired")
    lines = {line.name: line for line in status.statuses()}
    campus = lines["Connexion d'établissement : ENT des Tilleuls"]
    assert campus.configured
    assert campus.last_error_message == "id_token_expired"
    assert campus.manage_url.endswith(f"/{campus_sso.pk}/change/")
    assert any(name.startswith("Connexion nationale") for name in lines)
