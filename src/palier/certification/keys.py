"""The platform's Ed25519 keys that sign verifiable credentials and the status list.

`PALIER_CREDENTIAL_KEY` holds one or more private keys as base64url seeds (32 bytes each),
comma-separated. The first one signs; the others are only published (JWKS, DID document)
so that credentials they signed before a rotation still verify. Each key is named by its
RFC 7638 JWK thumbprint, so a key keeps its id wherever it is listed.

Without a key, debug runs (PALIER_DEBUG=1) use a development key derived from SECRET_KEY,
whose id starts with "dev-" so that nobody mistakes it for a real one; outside debug,
issuing fails with `CredentialKeyMissing` and `palier check --deploy` reports the gap
(`certification.E001`). `palier credential_key` prints a new key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

SEED_BYTES = 32
DEVELOPMENT_PREFIX = "dev-"
KEY_MISSING_ERROR = "certification.E001"
KEY_INVALID_ERROR = "certification.E002"
_DEVELOPMENT_SALT = b"palier development credential key"


class CredentialKeyMissing(ImproperlyConfigured):
    """No signing key is configured while debug is off."""


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515, section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class SigningKey:
    private_key: Ed25519PrivateKey
    kid: str
    development: bool = False

    @property
    def public_jwk(self) -> dict[str, str]:
        """The public key as a JWK (RFC 8037), with its id; never the private part."""
        return {**_public_members(self.private_key), "kid": self.kid, "alg": "EdDSA"}

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)


def _public_members(private_key: Ed25519PrivateKey) -> dict[str, str]:
    raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {"crv": "Ed25519", "kty": "OKP", "x": b64url(raw)}


def thumbprint(private_key: Ed25519PrivateKey) -> str:
    """RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order."""
    canonical = json.dumps(_public_members(private_key), separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def key_from_seed(seed: str, development: bool = False) -> SigningKey:
    """A signing key from its setting form (base64url seed); ValueError when malformed."""
    try:
        raw = b64url_decode(seed.strip())
    except (ValueError, TypeError) as error:
        raise ValueError("not base64url") from error
    if len(raw) != SEED_BYTES:
        raise ValueError(f"a key is {SEED_BYTES} bytes, got {len(raw)}")
    private_key = Ed25519PrivateKey.from_private_bytes(raw)
    kid = thumbprint(private_key)
    return SigningKey(private_key, DEVELOPMENT_PREFIX + kid if development else kid, development)


def new_seed() -> str:
    """A new private key in the setting's format."""
    return b64url(Ed25519PrivateKey.generate().private_bytes_raw())


@lru_cache(maxsize=8)
def _parse(seeds: tuple[str, ...]) -> tuple[SigningKey, ...]:
    return tuple(key_from_seed(seed) for seed in seeds)


def _development_key(secret_key: str) -> SigningKey:
    seed = hmac.new(secret_key.encode(), _DEVELOPMENT_SALT, hashlib.sha256).digest()
    return key_from_seed(b64url(seed), development=True)


def configured_keys() -> tuple[SigningKey, ...]:
    """Every key to publish, the signing one first; empty when none is usable."""
    seeds = tuple(settings.PALIER_CREDENTIAL_KEY)
    if seeds:
        try:
            return _parse(seeds)
        except ValueError as error:
            raise ImproperlyConfigured(f"PALIER_CREDENTIAL_KEY is malformed: {error}.") from None
    if settings.DEBUG:
        return (_development_key(settings.SECRET_KEY),)
    return ()


def signing_key() -> SigningKey:
    """The key that signs now (the first configured one)."""
    keys = configured_keys()
    if not keys:
        raise CredentialKeyMissing(
            "PALIER_CREDENTIAL_KEY must be set to issue verifiable credentials when "
            "PALIER_DEBUG is off (generate one with: palier credential_key)."
        )
    return keys[0]


@checks.register(checks.Tags.security)
def check_credential_key_format(**kwargs: Any) -> list[checks.CheckMessage]:
    """A malformed key is an error wherever Palier runs."""
    try:
        configured_keys()
    except ImproperlyConfigured as error:
        return [
            checks.Error(
                str(error), hint="Generate a key with: palier credential_key", id=KEY_INVALID_ERROR
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_credential_key_present(**kwargs: Any) -> list[checks.CheckMessage]:
    """Before going live: without a key no certificate can be issued as a credential."""
    if settings.DEBUG or settings.PALIER_CREDENTIAL_KEY:
        return []
    return [
        checks.Error(
            "PALIER_CREDENTIAL_KEY is not set: certificates cannot be issued as verifiable "
            "credentials.",
            hint="Generate a key with: palier credential_key",
            id=KEY_MISSING_ERROR,
        )
    ]
