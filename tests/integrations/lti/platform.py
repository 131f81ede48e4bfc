"""A small LTI 1.3 platform, built on the `lti1p3platform` library and served over HTTP on a
loopback port for the test session: OIDC authorisation, launches and deep linking requests,
its JWKS, access tokens, line items and scores (AGS), and a course roster (NRPS).

What a browser does between the two sides (follow redirects, post the auto-submitted forms)
is done by the tests with a `requests.Session`.
"""

from __future__ import annotations

import html
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import (
    AssignmentsGradesService,
    NamesRoleProvisioningService,
)

CLIENT_ID = "palier-tool"
DEPLOYMENT_ID = "deployment-1"
CONTEXT_ID = "course-42"
LINE_ITEM_ID = "grade-1"
LINE_ITEM_MAXIMUM = 20


def rsa_pem_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


class WsgiRequest(Request):
    def build_metadata(self, environ: dict[str, Any]) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        content_type = environ.get("CONTENT_TYPE", "")
        form = dict(parse_qsl(body.decode())) if "form" in content_type else {}
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        return {
            "method": environ["REQUEST_METHOD"],
            "form_data": form,
            "get_data": dict(parse_qsl(environ.get("QUERY_STRING", ""))),
            "headers": headers,
            "content_type": content_type,
            "path": environ["PATH_INFO"],
            "json": json.loads(body) if body and "json" in content_type else None,
        }


@dataclass
class PendingLaunch:
    user_id: str
    roles: list[str]
    name: str = ""
    email: str = ""
    custom: dict[str, str] = field(default_factory=dict)
    deep_linking: bool = False


class TestPlatform:
    """The platform's state and its HTTP server."""

    def __init__(self, tool_base_url: str) -> None:
        self.private_key, self.public_key = rsa_pem_pair()
        self.tool_base_url = tool_base_url.rstrip("/")
        self.pending: dict[str, PendingLaunch] = {}
        self.scores: list[dict[str, Any]] = []
        self.deep_link_items: list[dict[str, Any]] = []
        self.members: list[dict[str, Any]] = []
        self.token_expiration = 5 * 60
        self._server: WSGIServer | None = None

    # --- addresses ---------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}"

    issuer = property(lambda self: self.url)
    auth_login_url = property(lambda self: f"{self.url}/authorize")
    auth_token_url = property(lambda self: f"{self.url}/token")
    key_set_url = property(lambda self: f"{self.url}/jwks")
    lineitem_url = property(lambda self: f"{self.url}/lineitems/{LINE_ITEM_ID}")
    memberships_url = property(lambda self: f"{self.url}/memberships")
    deep_link_return_url = property(lambda self: f"{self.url}/deep-link-return")

    def registration(self) -> Registration:
        return (
            Registration()
            .set_iss(self.issuer)
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT_ID)
            .set_oidc_login_url(f"{self.tool_base_url}/lti/connexion/")
            .set_launch_url(f"{self.tool_base_url}/lti/lancement/")
            .set_deeplink_launch_url(f"{self.tool_base_url}/lti/lancement/")
            .set_tool_key_set_url(f"{self.tool_base_url}/lti/jwks.json")
            .set_platform_public_key(self.public_key)
            .set_platform_private_key(self.private_key)
        )

    def config(self) -> LTI1P3PlatformConfAbstract:
        platform = self

        class Config(LTI1P3PlatformConfAbstract):
            def init_platform_config(self, **kwargs: Any) -> None:
                pass

            def get_registration_by_params(self, **kwargs: Any) -> Registration:
                return platform.registration()

        config = Config()
        config.get_registration()
        return config

    # --- the platform starting a launch (a user clicks the activity) -------------------
    def login_initiation_url(self, pending: PendingLaunch) -> str:
        hint = uuid.uuid4().hex
        self.pending[hint] = pending
        platform = self

        class Login(OIDCLoginAbstract):
            def set_lti_message_hint(self, **kwargs: Any) -> None:
                self._lti_message_hint = hint

            def get_redirect(self, url: str) -> str:
                return url

        login = Login(None, platform.config())
        login.set_lti_message_hint()
        return login.initiate_login(pending.user_id)

    # --- HTTP ----------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        request = WsgiRequest(environ)
        path = environ["PATH_INFO"]
        try:
            status, body, content_type = self._route(request, path)
        except Exception as error:  # a refusal the test can read
            status, body, content_type = 400, json.dumps({"error": str(error)}), "application/json"
        start_response(f"{status} X", [("Content-Type", content_type)])
        return [body.encode()]

    def _route(self, request: WsgiRequest, path: str) -> tuple[int, str, str]:
        if path == "/jwks":
            return 200, json.dumps(self.config().get_jwks()), "application/json"
        if path == "/authorize":
            return 200, launch_form(self._authorize(request)), "text/html; charset=utf-8"
        if path == "/token":
            token = self.config().get_access_token(request.form_data)
            return 200, json.dumps(token), "application/json"
        if path == f"/lineitems/{LINE_ITEM_ID}":
            response = self._ags(request).handle_get_lineitem(LINE_ITEM_ID)
            return response.code, json.dumps(response.result), response.media_type
        if path == f"/lineitems/{LINE_ITEM_ID}/scores":
            response = self._ags(request).handle_update_score(LINE_ITEM_ID)
            return response.code, json.dumps({"message": response.message}), "application/json"
        if path == "/memberships":
            response = self._nrps(request).handle_get_members()
            return response.code, json.dumps(response.result), response.media_type
        if path == "/deep-link-return":
            items = self.config().validate_deeplinking_resp(request.form_data)
            self.deep_link_items.extend(items)
            return 200, json.dumps(items), "application/json"
        return 404, "{}", "application/json"

    def _authorize(self, request: WsgiRequest) -> dict[str, Any]:
        """The OIDC authorisation endpoint: checks the tool's redirect, answers with what
        the auto-submitted form would post (id_token and state, to `launch_url`)."""
        pending = self.pending[request.get_data["lti_message_hint"]]
        platform = self

        class Launch(LTIAdvantageMessageLaunchAbstract):
            def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> Any:
                return launch_data

        launch = Launch(request, self.config())
        launch.set_id_token_expiration(self.token_expiration)
        launch.set_user_data(pending.user_id, pending.roles, pending.name, pending.email)
        launch.set_launch_context_claim(CONTEXT_ID, context_title="Soins infirmiers L1")
        launch.set_resource_link_claim("link-1", title="Palier")
        if pending.custom:
            launch.set_custom_parameters_claim(pending.custom)
        launch.set_nrps(platform.memberships_url)
        if pending.deep_linking:
            launch.set_dl(platform.deep_link_return_url, accept_types={"ltiResourceLink"})
        else:
            launch.set_ags(
                lineitems_url=f"{platform.url}/lineitems",
                lineitem_url=platform.lineitem_url,
            )
        return launch.lti_launch()

    def _ags(self, request: WsgiRequest) -> AssignmentsGradesService:
        platform = self

        class Grades(AssignmentsGradesService):
            def find_lineitems(self, *args: Any, **kwargs: Any) -> Any:
                return {"content": [self.find_lineitem(LINE_ITEM_ID)], "has_next": False}

            def find_lineitem(self, line_item_id: str) -> Any:
                return {
                    "id": platform.lineitem_url,
                    "scoreMaximum": LINE_ITEM_MAXIMUM,
                    "label": "Palier",
                }

            def create_lineitem(self, creation_data: Any) -> Any:
                raise NotImplementedError

            def update_lineitem(self, update_data: Any) -> Any:
                raise NotImplementedError

            def delete_lineitem(self, line_item_id: str) -> None:
                raise NotImplementedError

            def update_score(self, line_item_id: str, score: Any) -> UpdateScoreStatus:
                platform.scores.append(score)
                return UpdateScoreStatus.SUCCESS

            def get_results(self, *args: Any, **kwargs: Any) -> Any:
                return {"content": [], "has_next": False}

        return Grades(request, self.config(), f"{self.url}/lineitems", self.lineitem_url)

    def _nrps(self, request: WsgiRequest) -> NamesRoleProvisioningService:
        platform = self

        class Roster(NamesRoleProvisioningService):
            def get_member_data_page(self, *args: Any, **kwargs: Any) -> Any:
                return {"content": list(platform.members), "has_next": False}

            def get_context_by_id(self) -> Context:
                return Context(id=CONTEXT_ID, label="SI-L1", title="Soins infirmiers L1")

        return Roster(request, self.config(), self.memberships_url)

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> TestPlatform:
        class Quiet(WSGIRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

        self._server = make_server("127.0.0.1", 0, self, handler_class=Quiet)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def launch_form(launch_data: dict[str, Any]) -> str:
    """The platform's auto-submitted form that carries the id_token to the tool."""
    action, token, state = (
        html.escape(str(launch_data[key])) for key in ("launch_url", "id_token", "state")
    )
    return (
        '<!doctype html><html lang="fr"><head><title>Lancement</title></head><body>'
        f'<form id="launch" method="post" action="{action}">'
        f'<input type="hidden" name="id_token" value="{token}">'
        f'<input type="hidden" name="state" value="{state}"></form>'
        "<script>document.getElementById('launch').submit();</script></body></html>"
    )


def read_launch_form(page: str) -> dict[str, str]:
    """What the auto-submitted form would post (for tests that drive HTTP directly)."""
    fields = dict(re.findall(r'name="(id_token|state)" value="([^"]*)"', page))
    fields["launch_url"] = html.unescape(re.search(r'action="([^"]+)"', page).group(1))
    return fields
