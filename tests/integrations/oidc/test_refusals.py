"""Refused sign-ins: each answers a 4xx page in plain words, logs a reason code without
personal data, and creates or links nothing.

The tokens below come from the real provider's token endpoint; where a test needs a token
the provider would never issue (tampered, wrong audience, wrong nonce, expired), it rewrites
the real one in the token endpoint's answer and signs it with the provider's own key (or
breaks its signature), so Palier receives it by the real path."""

from __future__ import annotations

import logging
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from palier.accounts.models import User
from palier.integrations.oidc.models import NATIONAL_KEY, LinkedIdentity, ProviderHealth
from palier.integrations.oidc.views import PENDING_SESSION_KEY
from tests.integrations.oidc.flow import back_to_palier, sign_in, start
from tests.integrations.oidc.provider import LoopbackProvider

pytestmark = pytest.mark.django_db

CLAIMS = {
    "given_name": "Dominique",
    "family_name": "Secret",
    "email": "dominique.secret@example.org",
    "email_verified": True,
}
PERSONAL_VALUES = ("Dominique", "Secret", "dominique.secret@example.org")


def tampered(id_token: str, provider: LoopbackProvider) -> str:
    header, payload, signature = id_token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return f"{header}.{payload}.{flipped}"


def other_audience(id_token: str, provider: LoopbackProvider) -> str:
    return provider.resign(id_token, aud="another-client")


def other_nonce(id_token: str, provider: LoopbackProvider) -> str:
    return provider.resign(id_token, nonce="a-nonce-palier-never-sent")


def expired(id_token: str, provider: LoopbackProvider) -> str:
    hour_ago = int(time.time()) - 3600
    return provider.resign(id_token, iat=hour_ago - 600, exp=hour_ago)


def other_issuer(id_token: str, provider: LoopbackProvider) -> str:
    return provider.resign(id_token, iss="https://impostor.example")


def unsigned(id_token: str, provider: LoopbackProvider) -> str:
    import base64
    import json

    claims = provider.claims_of(id_token)
    encode = lambda part: base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=")  # noqa: E731
    return f"{encode({'alg': 'none'}).decode()}.{encode(claims).decode()}."


@pytest.mark.parametrize(
    ("rewrite", "reason"),
    [
        (tampered, "id_token_bad_signature"),
        (other_audience, "id_token_wrong_aud"),
        (other_nonce, "id_token_wrong_nonce"),
        (expired, "id_token_expired"),
        (other_issuer, "id_token_wrong_iss"),
        (unsigned, "id_token_"),
    ],
    ids=["tampered", "wrong-audience", "wrong-nonce", "expired", "wrong-issuer", "alg-none"],
)
def test_a_bad_id_token_is_refused(client, national_login, caplog, rewrite, reason):
    national_login.rewrite_id_token = rewrite
    with caplog.at_level(logging.WARNING, logger="palier.integrations.oidc"):
        response = sign_in(client, national_login, f"bad-{rewrite.__name__}", CLAIMS)
    assert response.status_code == 400
    assert "pas pu être vérifiée" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert not User.objects.exists()
    assert not LinkedIdentity.objects.exists()
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert f"provider={NATIONAL_KEY} reason={reason}" in logged
    assert not any(value in logged for value in PERSONAL_VALUES)
    assert f"bad-{rewrite.__name__}" not in logged
    health = ProviderHealth.objects.get(provider_key=NATIONAL_KEY)
    assert health.last_error_message.startswith(reason)


def test_an_unknown_state_is_refused_without_calling_the_provider(client, national_login):
    national_login.set_user("state-1", CLAIMS)
    location = national_login.authorize(start(client), "state-1")
    forged = location.replace("state=", "state=forged")
    response = back_to_palier(client, forged)
    assert response.status_code == 400
    assert "a expiré ou a déjà servi" in response.content.decode()
    assert not User.objects.exists()


def test_a_callback_cannot_be_replayed(client, national_login):
    national_login.set_user("replay-1", CLAIMS)
    location = national_login.authorize(start(client), "replay-1")
    assert back_to_palier(client, location).status_code == 302
    client.logout()
    assert back_to_palier(client, location).status_code == 400


def test_a_code_without_the_right_pkce_verifier_is_refused_by_the_provider(client, national_login):
    national_login.set_user("pkce-1", CLAIMS)
    location = national_login.authorize(start(client), "pkce-1")
    session = client.session
    pendings = session[PENDING_SESSION_KEY]
    for pending in pendings.values():
        pending["code_verifier"] = "x" * 64
    session[PENDING_SESSION_KEY] = pendings
    session.save()
    refusals = national_login.pkce_refusals
    response = back_to_palier(client, location)
    assert response.status_code == 400
    assert national_login.pkce_refusals == refusals + 1
    assert not User.objects.exists()


def test_a_person_who_cancels_at_the_provider_is_told_so(client, national_login):
    authorization = start(client)
    from urllib.parse import parse_qs, urlsplit

    state = parse_qs(urlsplit(authorization).query)["state"][0]
    response = client.get(
        reverse("integrations_oidc:callback"), {"state": state, "error": "access_denied"}
    )
    assert response.status_code == 400
    assert "annulée" in response.content.decode()


def test_an_unreachable_provider_gives_a_clear_page(client, settings, framework):
    from palier.integrations.oidc import client as oidc_client

    settings.PALIER_OIDC_ISSUER = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.PALIER_OIDC_CLIENT_ID = "palier"
    oidc_client.forget_discovery()
    response = client.get(reverse("integrations_oidc:start", args=["national"]))
    assert response.status_code == 502
    assert "ne répond pas" in response.content.decode()


def test_a_provider_outside_https_is_refused(client, settings, framework):
    settings.PALIER_OIDC_ISSUER = "http://auth.example.test"
    settings.PALIER_OIDC_CLIENT_ID = "palier"
    response = client.get(reverse("integrations_oidc:start", args=["national"]))
    assert response.status_code == 400


def test_an_unknown_provider_is_not_found(client, framework):
    assert client.get(reverse("integrations_oidc:start", args=["sso-nobody"])).status_code == 404
    assert client.get(reverse("integrations_oidc:start", args=["national"])).status_code == 404


def test_a_provider_error_code_is_logged_without_what_the_browser_added(
    client, national_login, caplog
):
    from urllib.parse import parse_qs, urlsplit

    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    with caplog.at_level(logging.WARNING, logger="palier.integrations.oidc"):
        response = client.get(
            reverse("integrations_oidc:callback"),
            {"state": state, "error": "server_error\nFAKE LINE jean.dupont@example.org"},
        )
    assert response.status_code == 400
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "reason=provider_error_unrecognised" in logged
    assert "dupont" not in logged and "\n" not in logged
