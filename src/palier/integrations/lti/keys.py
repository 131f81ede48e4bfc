"""Palier's tool key set: the RSA keys that sign its messages to platforms.

Keys come from the environment as PEM text: PALIER_LTI_KEY signs, PALIER_LTI_PREVIOUS_KEY
(optional) is only published, so that a platform holding a message or an access-token request
signed just before a rotation still verifies it. Both appear in the public JWKS; a key's id is
its RFC 7638 thumbprint, so it never changes for the same key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from jwcrypto.jwk import JWK

SIGNING_ALGORITHM = "RS256"


@dataclass(frozen=True)
class ToolKey:
    private_pem: str
    kid: str
    public_jwk: dict[str, Any]


def _pem(text: str) -> str:
    # An environment file may hold the PEM on one line with literal "\n".
    return text.strip().replace("\\n", "\n")


@lru_cache(maxsize=8)
def _load(pem_text: str) -> ToolKey:
    try:
        key = JWK.from_pem(pem_text.encode())
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured("PALIER_LTI_KEY is not an RSA private key in PEM.") from error
    if key.get("kty") != "RSA" or not key.has_private:
        raise ImproperlyConfigured("PALIER_LTI_KEY must be an RSA private key.")
    kid = key.thumbprint()
    public = json.loads(key.export_public())
    public.update({"kid": kid, "alg": SIGNING_ALGORITHM, "use": "sig"})
    return ToolKey(private_pem=pem_text, kid=kid, public_jwk=public)


def enabled() -> bool:
    """LTI is on only when Palier has a signing key."""
    return bool(_pem(settings.PALIER_LTI_KEY))


def current_key() -> ToolKey:
    if not enabled():
        raise ImproperlyConfigured("PALIER_LTI_KEY is not set.")
    return _load(_pem(settings.PALIER_LTI_KEY))


def published_keys() -> list[ToolKey]:
    """The current key, then the previous one if set and different."""
    if not enabled():
        return []
    keys = [current_key()]
    previous = _pem(settings.PALIER_LTI_PREVIOUS_KEY)
    if previous:
        old = _load(previous)
        if old.kid != keys[0].kid:
            keys.append(old)
    return keys


def jwks() -> dict[str, list[dict[str, Any]]]:
    """The public key set served at the tool's JWKS URL."""
    return {"keys": [key.public_jwk for key in published_keys()]}
