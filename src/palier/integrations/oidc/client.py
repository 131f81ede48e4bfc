"""The OpenID Connect relying party: discovery, authorization request (PKCE, state, nonce),
code exchange, ID token verification, userinfo, RP-initiated logout.

No database here: the views keep the pending request in the session and the services decide
what to do with a verified identity. Every refusal raises `LoginRefused` with a stable reason
code that the view logs (never a token, never a claim value)."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import KeySet

from palier.integrations.oidc.config import Provider

HTTP_TIMEOUT_SECONDS = 10
MAX_RESPONSE_BYTES = 1_000_000
DISCOVERY_CACHE_SECONDS = 3600
# Clock skew tolerated between Palier and the provider.
LEEWAY_SECONDS = 60
# An ID token older than this at the callback is refused (the user took minutes at most).
MAX_ID_TOKEN_AGE_SECONDS = 600
# Asymmetric signatures only: never "none", never a shared-secret HMAC.
ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


class LoginRefused(Exception):
    """A sign-in refused; `reason` is a stable code for the logs, safe to record."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PendingLogin:
    """What the callback needs to check the answer: kept in the session under its state."""

    provider_key: str
    state: str
    nonce: str
    code_verifier: str
    next_url: str

    def as_dict(self) -> dict[str, str]:
        return self.__dict__.copy()


@dataclass(frozen=True)
class VerifiedLogin:
    issuer: str
    subject: str
    claims: dict[str, Any]
    id_token: str


def check_url(url: str) -> str:
    """HTTPS only, except on this machine's loopback (development and tests)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
        return url
    raise LoginRefused("insecure_url")


def _request_json(url: str, data: dict[str, str] | None = None, headers: dict | None = None) -> Any:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked just before)
        check_url(url), data=body, headers={"Accept": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
            raw = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise LoginRefused(f"provider_http_{error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError):
        raise LoginRefused("provider_unreachable") from None
    if len(raw) > MAX_RESPONSE_BYTES:
        raise LoginRefused("provider_answer_too_large")
    try:
        return json.loads(raw)
    except ValueError:
        raise LoginRefused("provider_answer_not_json") from None


_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_cache_lock = threading.Lock()


def discover(issuer: str, refresh: bool = False) -> dict[str, Any]:
    """The provider's metadata (/.well-known/openid-configuration), cached an hour."""
    with _cache_lock:
        cached = _cache.get(issuer)
    if cached and not refresh and time.monotonic() - cached[0] < DISCOVERY_CACHE_SECONDS:
        return cached[1]
    metadata = _request_json(f"{issuer}/.well-known/openid-configuration")
    if not isinstance(metadata, dict) or metadata.get("issuer", "").rstrip("/") != issuer:
        raise LoginRefused("discovery_issuer_mismatch")
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(metadata.get(endpoint), str):
            raise LoginRefused("discovery_incomplete")
    with _cache_lock:
        _cache[issuer] = (time.monotonic(), metadata)
    return metadata


def forget_discovery() -> None:
    """Drop cached metadata (tests, and a provider that rotated its configuration)."""
    with _cache_lock:
        _cache.clear()


def begin(provider: Provider, redirect_uri: str, next_url: str) -> tuple[str, PendingLogin]:
    """The authorization URL to send the browser to, and what to keep for the callback."""
    metadata = discover(provider.issuer)
    pending = PendingLogin(
        provider_key=provider.key,
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),
        next_url=next_url,
    )
    query = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(provider.scopes),
        "state": pending.state,
        "nonce": pending.nonce,
        "code_challenge": create_s256_code_challenge(pending.code_verifier),
        "code_challenge_method": "S256",
    }
    if provider.acr_values:
        query["acr_values"] = provider.acr_values
    endpoint = check_url(metadata["authorization_endpoint"])
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urllib.parse.urlencode(query)}", pending


def _client_auth(provider: Provider, data: dict[str, str]) -> dict[str, str]:
    if not provider.client_secret:
        data["client_id"] = provider.client_id  # public client: PKCE is the proof
        return {}
    pair = ":".join(
        urllib.parse.quote(part, safe="") for part in (provider.client_id, provider.client_secret)
    )
    return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}


def _key_set(metadata: dict[str, Any]) -> KeySet:
    document = _request_json(check_url(metadata["jwks_uri"]))
    try:
        return KeySet.import_key_set(document)
    except (JoseError, ValueError, TypeError, KeyError):
        raise LoginRefused("jwks_invalid") from None


def verify_id_token(
    provider: Provider, metadata: dict[str, Any], id_token: str, nonce: str
) -> dict[str, Any]:
    """Check the ID token's signature (the provider's published keys) and its claims: iss,
    aud (and azp), exp, iat, nonce. Returns the claims; raises LoginRefused."""
    algorithms = [
        alg
        for alg in metadata.get("id_token_signing_alg_values_supported", ["RS256"])
        if alg in ALLOWED_ALGORITHMS
    ]
    try:
        token = jwt.decode(id_token, _key_set(metadata), algorithms=algorithms)
    except LoginRefused:
        raise
    except JoseError as error:
        reason = "id_token_bad_signature" if "signature" in error.error else "id_token_invalid"
        raise LoginRefused(reason) from None
    except (ValueError, TypeError):
        raise LoginRefused("id_token_invalid") from None
    claims = token.claims
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": provider.issuer},
        sub={"essential": True},
        aud={"essential": True, "value": provider.client_id},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise LoginRefused("id_token_expired") from None
    except JoseError as error:
        claim = getattr(error, "claim", "") or "claims"
        raise LoginRefused(f"id_token_wrong_{claim}") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise LoginRefused("id_token_wrong_azp")
    if claims["iat"] < time.time() - MAX_ID_TOKEN_AGE_SECONDS - LEEWAY_SECONDS:
        raise LoginRefused("id_token_too_old")
    return claims


def complete(
    provider: Provider, pending: PendingLogin, code: str, redirect_uri: str
) -> VerifiedLogin:
    """Exchange the code (with the PKCE verifier), verify the ID token, read userinfo."""
    metadata = discover(provider.issuer)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": pending.code_verifier,
    }
    headers = _client_auth(provider, data)
    answer = _request_json(metadata["token_endpoint"], data=data, headers=headers)
    id_token = answer.get("id_token") if isinstance(answer, dict) else None
    if not isinstance(id_token, str):
        raise LoginRefused("token_answer_without_id_token")
    claims = verify_id_token(provider, metadata, id_token, pending.nonce)
    userinfo_endpoint = metadata.get("userinfo_endpoint")
    access_token = answer.get("access_token")
    if isinstance(userinfo_endpoint, str) and isinstance(access_token, str):
        userinfo = _request_json(
            userinfo_endpoint, headers={"Authorization": f"Bearer {access_token}"}
        )
        if not isinstance(userinfo, dict) or userinfo.get("sub") != claims["sub"]:
            raise LoginRefused("userinfo_subject_mismatch")
        # The signed ID token wins where both say something.
        claims = {**userinfo, **claims}
    return VerifiedLogin(provider.issuer, str(claims["sub"]), claims, id_token)


def logout_url(provider: Provider, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session URL (RP-initiated logout), or None when it has none."""
    try:
        endpoint = discover(provider.issuer).get("end_session_endpoint")
        if not isinstance(endpoint, str):
            return None
        endpoint = check_url(endpoint)
    except LoginRefused:
        return None
    query = {
        "id_token_hint": id_token,
        "client_id": provider.client_id,
        "post_logout_redirect_uri": post_logout_redirect_uri,
    }
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urllib.parse.urlencode(query)}"
