"""Certificates as Open Badges 3.0 credentials, checked as a verifier would: with joserfc
(an independent JOSE library) and the keys Palier publishes, never with Palier's own code."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from joserfc import jws
from joserfc.errors import BadSignatureError, InvalidKeyIdError
from joserfc.jwk import KeySet

from palier.certification import keys
from palier.certification.credentials import credential_for, verification_method
from palier.certification.keys import CredentialKeyMissing, key_from_seed, new_seed
from palier.certification.models import Certificate
from palier.frameworks.case import export_case
from tests.certification.factories import (
    make_candidate,
    make_centre,
    make_certificate,
    make_session,
)
from tests.factories import make_user

pytestmark = [
    pytest.mark.django_db,
    # RFC 9864 (2025) names the algorithm "Ed25519" and deprecates "EdDSA"; Palier still
    # writes "EdDSA", which OB 3.0 and VC-JOSE-COSE verifiers of 2026 all read.
    pytest.mark.filterwarnings("ignore:EdDSA is deprecated"),
]

LEVELS = {
    "D1": {"level": 3, "probability": 0.93},
    "D2": {"level": None, "probability": 0.71},
    "D4": {"level": 1, "probability": 0.99},
}
# The official schema is not committed (fixtures/README.md says why and where to get it).
OB3_SCHEMA = Path(os.environ.get("PALIER_OB3_SCHEMA", "/nonexistent/ob3_schema.json"))


@pytest.fixture
def signing_seed(settings) -> str:
    seed = new_seed()
    settings.PALIER_CREDENTIAL_KEY = [seed]
    return seed


@pytest.fixture
def certificate(framework, signing_seed) -> Certificate:
    holder = make_user("Camille.Martin@example.org", first_name="Camille", last_name="Martin")
    session = make_session(make_centre(), framework)
    candidate = make_candidate(session, holder, published_at=timezone.now())
    return make_certificate(candidate, LEVELS)


def download(client, certificate: Certificate, extension: str = "jwt"):
    client.force_login(certificate.candidate.user)
    return client.get(f"/certification/{certificate.candidate_id}/credential.{extension}")


def verify(client, jwt: str) -> dict:
    """What a verifier does: fetch the JWKS, check the EdDSA signature, read the payload."""
    key_set = KeySet.import_key_set(client.get("/.well-known/jwks.json").json())
    token = jws.deserialize_compact(jwt, key_set, algorithms=["EdDSA"])
    return json.loads(token.payload)


def test_a_downloaded_credential_verifies_with_the_published_keys(
    client, certificate, signing_seed
):
    response = download(client, certificate)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "attachment" in response["Content-Disposition"]
    jwt = response.content.decode()

    header = json.loads(keys.b64url_decode(jwt.split(".")[0]))
    assert header == {
        "alg": "EdDSA",
        "kid": verification_method(key_from_seed(signing_seed)),
        "typ": "vc+jwt",
    }
    credential = verify(client, jwt)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["iss"] == credential["issuer"]["id"] == "did:web:127.0.0.1%3A8000"
    assert (
        credential["jti"]
        == credential["id"]
        == (f"http://127.0.0.1:8000/verifier/{certificate.code}")
    )
    assert credential["sub"] == credential["credentialSubject"]["id"]
    valid_from = dt.datetime.fromisoformat(credential["validFrom"])
    assert credential["nbf"] == int(valid_from.timestamp())
    certificate.refresh_from_db()
    assert certificate.key_id == key_from_seed(signing_seed).kid
    # Ed25519 is deterministic: the same key gives the same file at every download.
    assert download(client, certificate).content.decode() == jwt


def test_the_json_download_is_the_same_jwt_as_an_enveloped_credential(client, certificate):
    response = download(client, certificate, "json")
    assert response["Content-Type"] == "application/json"
    enveloped = response.json()
    assert enveloped["type"] == "EnvelopedVerifiableCredential"
    assert enveloped["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    prefix, jwt = enveloped["id"].split(",", 1)
    assert prefix == "data:application/vc+jwt"
    assert verify(client, jwt)["type"][1] == "OpenBadgeCredential"


def test_each_certified_area_level_is_one_result_aligned_on_the_case_identifiers(
    certificate, framework
):
    credential = credential_for(certificate)
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]
    descriptions = {item["id"]: item for item in achievement["resultDescription"]}
    reached = {}
    for result in subject["result"]:
        description = descriptions[result["resultDescription"]]
        levels = {level["id"]: level for level in description["rubricCriterionLevel"]}
        reached[description["name"].split()[0]] = levels[result["achievedLevel"]]
    # D2 has no certified level and D3, D5 were not certified: they are left out.
    assert {area: level["level"] for area, level in reached.items()} == {"D1": "3", "D4": "1"}
    d1 = framework.areas.get(code="D1")
    assert reached["D1"]["name"] == d1.levels.get(rank=3).label_fr

    case_uris = {
        item["humanCodingScheme"]: item["uri"] for item in export_case(framework)["CFItems"]
    }
    case_ids = {
        item["humanCodingScheme"]: item["identifier"] for item in export_case(framework)["CFItems"]
    }
    d1_result = next(r for r in subject["result"] if r["resultDescription"].endswith("-D1"))
    assert d1_result["alignment"][0]["targetUrl"] == case_uris["D1"]
    assert d1_result["alignment"][0]["targetCode"] == case_ids["D1"]
    d1_description = descriptions[d1_result["resultDescription"]]
    aligned = {alignment["targetUrl"] for alignment in d1_description["alignment"]}
    competences = {c.code for c in d1.competences.all()}
    assert aligned == {case_uris[code] for code in {"D1", *competences}}
    assert all(a["targetType"] == "CFItem" for a in d1_description["alignment"])


def test_the_holder_is_named_and_identified_by_a_salted_hash_of_the_email(certificate):
    email, name = credential_for(certificate)["credentialSubject"]["identifier"]
    assert email["identityType"] == "emailAddress" and email["hashed"] is True
    expected = hashlib.sha256(("camille.martin@example.org" + email["salt"]).encode()).hexdigest()
    assert email["identityHash"] == f"sha256${expected}"
    assert "camille" not in json.dumps(email).lower()
    assert name == {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": "Camille Martin",
    }


def test_the_credential_points_to_its_entry_in_the_revocation_list(certificate):
    status = credential_for(certificate)["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListIndex"] == str(certificate.status_index)
    assert status["statusListCredential"] == "http://127.0.0.1:8000/certification/statut/1"


@pytest.mark.skipif(
    not OB3_SCHEMA.exists(),
    reason="the OB 3.0 JSON schema is under 1EdTech's specification licence, which does not "
    "allow redistributing it here: download it (tests/certification/fixtures/README.md) and "
    "set PALIER_OB3_SCHEMA to run this test",
)
def test_the_credential_is_valid_against_the_official_open_badges_schema(client, certificate):
    import jsonschema

    schema = json.loads(OB3_SCHEMA.read_text())
    credential = verify(client, download(client, certificate).content.decode())
    validator = jsonschema.validators.validator_for(schema)(
        schema, format_checker=jsonschema.FormatChecker()
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(credential)]
    assert errors == []
    without_issuer = {key: value for key, value in credential.items() if key != "issuer"}
    assert any(validator.iter_errors(without_issuer))  # the schema does check


def test_a_tampered_credential_fails_verification(client, certificate):
    jwt = download(client, certificate).content.decode()
    header, payload, signature = jwt.split(".")
    claims = json.loads(keys.b64url_decode(payload))
    claims["credentialSubject"]["result"][0]["achievedLevel"] = claims["credentialSubject"][
        "result"
    ][0]["achievedLevel"].replace("niveau-3", "niveau-5")
    forged = keys.b64url(json.dumps(claims).encode())
    with pytest.raises(BadSignatureError):
        verify(client, f"{header}.{forged}.{signature}")


def test_a_credential_signed_before_a_rotation_still_verifies(client, certificate, settings):
    old_jwt = download(client, certificate).content.decode()
    old_kid = Certificate.objects.get(pk=certificate.pk).key_id
    new = new_seed()
    settings.PALIER_CREDENTIAL_KEY = [new, *settings.PALIER_CREDENTIAL_KEY]

    assert verify(client, old_jwt)["id"].endswith(certificate.code)
    new_jwt = download(client, certificate).content.decode()
    assert verify(client, new_jwt)["id"] == verify(client, old_jwt)["id"]
    assert json.loads(keys.b64url_decode(new_jwt.split(".")[0]))["kid"].endswith(
        key_from_seed(new).kid
    )
    assert Certificate.objects.get(pk=certificate.pk).key_id == key_from_seed(new).kid != old_kid

    # Once the old key is dropped from the setting, what it signed no longer verifies.
    settings.PALIER_CREDENTIAL_KEY = [new]
    with pytest.raises(InvalidKeyIdError):
        verify(client, old_jwt)


def test_the_did_document_publishes_the_same_keys_as_the_jwks(client, signing_seed, settings):
    settings.BASE_URL = "https://palier.example.org"
    document = client.get("/.well-known/did.json")
    assert document["Access-Control-Allow-Origin"] == "*"
    did = document.json()
    assert did["id"] == "did:web:palier.example.org"
    method = did["verificationMethod"][0]
    assert did["assertionMethod"] == [method["id"]]
    jwk = client.get("/.well-known/jwks.json").json()["keys"][0]
    assert (
        method["id"]
        == jwk["kid"]
        == f"did:web:palier.example.org#{key_from_seed(signing_seed).kid}"
    )
    assert method["publicKeyJwk"] == {k: jwk[k] for k in ("crv", "kty", "x")}
    assert "d" not in jwk


def test_issuing_without_a_key_outside_debug_fails_clearly(client, certificate, settings):
    settings.DEBUG = False
    settings.PALIER_CREDENTIAL_KEY = []
    with pytest.raises(CredentialKeyMissing, match="palier credential_key"):
        keys.signing_key()
    response = download(client, certificate)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "credentials_unavailable"
    assert Certificate.objects.get(pk=certificate.pk).key_id == ""
    assert client.get("/certification/statut/1").status_code == 503
    assert client.get("/.well-known/jwks.json").json() == {"keys": []}
    [error] = keys.check_credential_key_present()
    assert error.id == keys.KEY_MISSING_ERROR


def test_a_malformed_key_is_reported_by_the_checks(settings):
    settings.PALIER_CREDENTIAL_KEY = ["not-a-key"]
    [error] = keys.check_credential_key_format()
    assert error.id == keys.KEY_INVALID_ERROR
    assert "PALIER_CREDENTIAL_KEY" in error.msg


def test_debug_without_a_key_signs_with_a_labelled_development_key(settings):
    settings.DEBUG = True
    settings.PALIER_CREDENTIAL_KEY = []
    key = keys.signing_key()
    assert key.development and key.kid.startswith("dev-")
    assert keys.check_credential_key_present() == []


def test_only_the_holder_downloads_a_published_unrevoked_certificate(client, certificate):
    url = f"/certification/{certificate.candidate_id}/credential.jwt"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(make_user())
    assert client.get(url).status_code == 404
    client.force_login(certificate.candidate.user)
    assert client.post(url).status_code == 405
    assert (
        client.get(f"/certification/{certificate.candidate_id + 999}/credential.jwt").status_code
        == 404
    )

    Certificate.objects.filter(pk=certificate.pk).update(revoked_at=timezone.now())
    assert client.get(url).status_code == 404
    Certificate.objects.filter(pk=certificate.pk).update(revoked_at=None)
    certificate.candidate.published_at = None
    certificate.candidate.save(update_fields=["published_at"])
    assert client.get(url).status_code == 404


def test_a_candidacy_without_certificate_has_no_credential(client, framework, signing_seed):
    candidate = make_candidate(make_session(make_centre(), framework), published_at=timezone.now())
    client.force_login(candidate.user)
    assert client.get(f"/certification/{candidate.pk}/credential.json").status_code == 404


def test_the_key_command_prints_a_usable_key_and_rotates(signing_seed, capsys):
    call_command("credential_key")
    printed = capsys.readouterr().out.strip()
    assert key_from_seed(printed).kid
    call_command("credential_key", "--rotate")
    rotated = capsys.readouterr().out.strip().split(",")
    assert len(rotated) == 2 and rotated[1] == signing_seed and rotated[0] != printed
