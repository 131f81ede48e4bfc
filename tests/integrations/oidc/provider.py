"""A real OpenID provider for the tests: `oidc-provider-mock` (an authorization server built
on Authlib) served on a loopback port in a thread.

Two additions around it, as WSGI middleware, because that version of the provider lacks them:
- PKCE (RFC 7636) is enforced: the S256 challenge sent to the authorization endpoint is kept
  per issued code, and the token endpoint refuses a code whose verifier does not match.
- `rewrite_id_token`: a test may replace the ID token in the token endpoint's real answer
  by one it crafted (re-signed with the provider's own key, or with a broken signature), so
  refused tokens travel the real path: token endpoint -> Palier's verification.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import flask
import httpx
import oidc_provider_mock
import werkzeug.serving
from joserfc import jwt
from joserfc.jwk import RSAKey

IdTokenRewrite = Callable[[str, "LoopbackProvider"], str]


@dataclass
class LoopbackProvider:
    app: flask.Flask
    issuer: str = ""
    rewrite_id_token: IdTokenRewrite | None = None
    challenges: dict[str, str] = field(default_factory=dict)
    pkce_refusals: int = 0

    # --- the provider's own signing key (for crafted tokens) --------------------------
    def signing_key(self) -> RSAKey:
        with self.app.test_request_context():
            self.app.preprocess_request()
            authlib_key = flask.g.oidc_provider_mock_storage.jwk
            return RSAKey.import_key(authlib_key.as_dict(is_private=True))

    def claims_of(self, id_token: str) -> dict[str, Any]:
        return jwt.decode(id_token, self.signing_key()).claims

    def resign(self, id_token: str, **changes: Any) -> str:
        """The same token, claims changed, signed with the provider's real key."""
        key = self.signing_key()
        header = {"alg": "RS256", "kid": key.kid}
        return jwt.encode(header, {**self.claims_of(id_token), **changes}, key)

    # --- the user at the provider ---------------------------------------------------------
    def set_user(self, sub: str, claims: dict[str, Any]) -> None:
        response = httpx.put(f"{self.issuer}/users/{sub}", json=claims)
        response.raise_for_status()

    def authorize(self, authorization_url: str, sub: str) -> str:
        """What a person does at the provider's page: pick the account and accept. Returns
        the address the provider sends the browser back to (with code and state)."""
        response = httpx.post(authorization_url, data={"sub": sub})
        assert response.status_code == 302, response.text
        return response.headers["location"]

    # --- WSGI middleware ----------------------------------------------------------------
    def __call__(self, environ: dict, start_response: Callable) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == "/oauth2/authorize" and environ["REQUEST_METHOD"] == "POST":
            return self._authorize(environ, start_response)
        if path == "/oauth2/token":
            return self._token(environ, start_response)
        return self.app(environ, start_response)

    def _authorize(self, environ: dict, start_response: Callable) -> Any:
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        challenge = query.get("code_challenge", [""])[0]
        method = query.get("code_challenge_method", [""])[0]

        def remember(status: str, headers: list, *args: Any) -> Any:
            for name, value in headers:
                if name.lower() == "location":
                    code = urllib.parse.parse_qs(urllib.parse.urlsplit(value).query).get("code")
                    if code:
                        self.challenges[code[0]] = challenge if method == "S256" else ""
            return start_response(status, headers, *args)

        return self.app(environ, remember)

    def _token(self, environ: dict, start_response: Callable) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        form = urllib.parse.parse_qs(body.decode())
        code = form.get("code", [""])[0]
        verifier = form.get("code_verifier", [""])[0]
        expected = self.challenges.pop(code, "")
        digest = hashlib.sha256(verifier.encode()).digest()
        if not expected or base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != expected:
            self.pkce_refusals += 1
            payload = b'{"error": "invalid_grant", "error_description": "PKCE verification failed"}'
            start_response("400 Bad Request", [("Content-Type", "application/json")])
            return [payload]
        if self.rewrite_id_token is None:
            return self.app(environ, start_response)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list, *args: Any) -> Callable:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        answer = json.loads(b"".join(self.app(environ, capture)))
        if "id_token" in answer:
            answer["id_token"] = self.rewrite_id_token(answer["id_token"], self)
        payload = json.dumps(answer).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(payload)))])
        return [payload]


@contextmanager
def running_provider() -> Iterator[LoopbackProvider]:
    """A provider on 127.0.0.1, any free port, stopped at the end."""
    provider = LoopbackProvider(oidc_provider_mock.app(require_nonce=True))
    server = werkzeug.serving.make_server("127.0.0.1", 0, provider, threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
