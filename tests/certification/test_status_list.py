"""The revocation status list (W3C Bitstring Status List), read as a verifier reads it:
signature checked with joserfc against the published keys, list decoded independently."""

from __future__ import annotations

import base64
import gzip
import json

import pytest
from django.utils import timezone
from joserfc import jws
from joserfc.jwk import KeySet

from palier.certification.credentials import credential_for
from palier.certification.keys import new_seed
from palier.certification.status_list import MIN_ENTRIES, encode_bitstring, list_length
from tests.certification.factories import (
    make_candidate,
    make_centre,
    make_certificate,
    make_session,
)

pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated")


def revoked_by_verifier(client, credential: dict) -> bool:
    """A verifier's check, with no Palier code: fetch the list the credential names, check
    its signature with the published keys, decode the bitstring, read the credential's bit."""
    entry = credential["credentialStatus"]
    path = entry["statusListCredential"].removeprefix("http://127.0.0.1:8000")
    response = client.get(path)
    assert response["Content-Type"] == "application/vc+jwt"
    key_set = KeySet.import_key_set(client.get("/.well-known/jwks.json").json())
    status_list = json.loads(
        jws.deserialize_compact(response.content.decode(), key_set, algorithms=["EdDSA"]).payload
    )
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = status_list["credentialSubject"]
    assert subject["statusPurpose"] == entry["statusPurpose"] == "revocation"
    encoded = subject["encodedList"]
    assert encoded[0] == "u"  # multibase base64url
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) * 8 >= 131_072
    index = int(entry["statusListIndex"])
    return bool(bits[index // 8] >> (7 - index % 8) & 1)


@pytest.mark.django_db
def test_a_revoked_certificate_shows_as_revoked_and_the_others_do_not(client, framework, settings):
    settings.PALIER_CREDENTIAL_KEY = [new_seed()]
    session = make_session(make_centre(), framework)
    kept = make_certificate(make_candidate(session), status_index=5)
    revoked = make_certificate(make_candidate(session), status_index=6)
    assert not revoked_by_verifier(client, credential_for(revoked))

    revoked.revoked_at = timezone.now()
    revoked.save(update_fields=["revoked_at"])
    assert revoked_by_verifier(client, credential_for(revoked))
    assert not revoked_by_verifier(client, credential_for(kept))


@pytest.mark.django_db
def test_the_list_grows_past_its_minimum_size_to_hold_every_index(client, framework, settings):
    settings.PALIER_CREDENTIAL_KEY = [new_seed()]
    session = make_session(make_centre(), framework)
    far = make_certificate(make_candidate(session), status_index=MIN_ENTRIES + 3)
    far.revoked_at = timezone.now()
    far.save(update_fields=["revoked_at"])
    assert revoked_by_verifier(client, credential_for(far))


def test_index_zero_is_the_left_most_bit_of_the_first_byte():
    encoded = encode_bitstring([0, 9])
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert bits[:2] == bytes([0b1000_0000, 0b0100_0000])
    assert len(bits) == MIN_ENTRIES // 8


def test_lists_come_in_steps_of_the_minimum_size():
    assert list_length(0) == list_length(MIN_ENTRIES - 1) == MIN_ENTRIES
    assert list_length(MIN_ENTRIES) == 2 * MIN_ENTRIES
