"""The LTI 1.3 protocol, through pylti1p3, bound to Palier's registrations and rules.

pylti1p3 does the OIDC login redirect, the id_token checks (state, format, registration,
signature, deployment, message) and the service calls (AGS, NRPS, deep linking responses).
Palier adds what it leaves open: the nonce is single use (stored in the database, consumed
after the signature is checked, so a replayed launch fails), the audience and expiry are
checked by the JWT library with the registered client id, and Palier's key comes from
the environment (keys.py).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import jwt
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.session import DjangoSessionService
from pylti1p3.deployment import Deployment as LibraryDeployment
from pylti1p3.exception import LtiException
from pylti1p3.registration import Registration as LibraryRegistration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from palier.integrations.lti import keys
from palier.integrations.lti.models import Deployment, Platform

logger = logging.getLogger(__name__)

# Seconds of clock difference tolerated between the platform and Palier.
CLOCK_LEEWAY_SECONDS = 60


class LaunchRefused(Exception):
    """A launch or login refused; `reason` is short, logged and safe (no personal data)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ToolRegistration(LibraryRegistration):
    """A platform registration as pylti1p3 reads it, signing with Palier's current key."""

    def __init__(self, platform: Platform) -> None:
        super().__init__()
        self.platform = platform
        key = keys.current_key()
        self._kid = key.kid
        self.set_issuer(platform.issuer)
        self.set_client_id(platform.client_id)
        self.set_auth_login_url(platform.auth_login_url)
        self.set_auth_token_url(platform.auth_token_url)
        self.set_key_set_url(platform.key_set_url or None)
        self.set_key_set(platform.key_set or None)
        self.set_tool_private_key(key.private_pem)

    def get_kid(self) -> str:
        return self._kid


class ToolConf(ToolConfAbstract):
    """Registrations and deployments read from the database (active platforms only)."""

    def __init__(self) -> None:
        self.issuers_relation_types = {}

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def _platform(self, iss: str, client_id: str | None) -> Platform | None:
        platforms = Platform.objects.filter(issuer=iss, is_active=True)
        if client_id:
            return platforms.filter(client_id=client_id).first()
        # A login initiation without client_id: only unambiguous when the issuer has one.
        found = list(platforms[:2])
        return found[0] if len(found) == 1 else None

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Any:
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Any:
        platform = self._platform(iss, client_id)
        return ToolRegistration(platform) if platform is not None else None

    def find_deployment(self, iss: str, deployment_id: str) -> Any:
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Any:
        platform = self._platform(iss, client_id)
        if platform is None:
            return None
        if not Deployment.objects.filter(platform=platform, deployment_id=deployment_id).exists():
            return None
        return LibraryDeployment().set_deployment_id(deployment_id)


class NonceStore(DjangoSessionService):
    """Nonces in the database rather than the session: the launch is a cross-site POST that
    carries no session cookie, and a nonce must work once only."""

    def save_nonce(self, nonce: str) -> None:
        from palier.integrations.lti.services import issue_nonce

        issue_nonce(nonce)

    def check_nonce(self, nonce: str) -> bool:
        from palier.integrations.lti.services import consume_nonce

        return consume_nonce(nonce)


class Login(DjangoOIDCLogin):
    def __init__(self, request: Any) -> None:
        super().__init__(request, ToolConf(), session_service=NonceStore(request))

    def _generate_nonce(self) -> str:
        return secrets.token_urlsafe(32)


class Launch(DjangoMessageLaunch):
    """A message launch: checks everything, then consumes the nonce."""

    def __init__(self, request: Any) -> None:
        super().__init__(request, ToolConf(), session_service=NonceStore(request))

    def validate_nonce(self) -> Launch:
        # Only presence here; it is consumed once the signature is known to be good.
        if not self._get_jwt_body().get("nonce"):
            raise LaunchRefused("nonce missing")
        return self

    def validate_jwt_signature(self) -> Launch:
        public_key, key_alg = self.get_public_key()
        try:
            jwt.decode(
                self._get_id_token(),
                public_key,
                algorithms=[key_alg],
                audience=self._registration.get_client_id(),
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "aud", "iss", "sub"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise LaunchRefused("id_token expired") from error
        except jwt.InvalidAudienceError as error:
            raise LaunchRefused("id_token audience is not the client id") from error
        except jwt.InvalidTokenError as error:
            raise LaunchRefused("id_token signature or claims invalid") from error
        return self

    def validate_message(self) -> Launch:
        super().validate_message()
        if not self._session_service.check_nonce(self._get_jwt_body()["nonce"]):
            raise LaunchRefused("nonce unknown or already used")
        return self

    @property
    def platform(self) -> Platform:
        return self._registration.platform

    def claims(self) -> dict[str, Any]:
        return self._get_jwt_body()


def validate_launch(request: Any) -> Launch:
    """A validated launch, or LaunchRefused with the reason (every library error included)."""
    if not keys.enabled():
        raise LaunchRefused("LTI is not configured")
    launch = Launch(request)
    try:
        launch.validate()
    except LaunchRefused:
        raise
    except (LtiException, jwt.PyJWTError, KeyError, ValueError, TypeError) as error:
        raise LaunchRefused(_short(error)) from error
    return launch


def login_redirect(request: Any, launch_url: str) -> Any:
    """The OIDC redirect to the platform's authorisation endpoint (third-party initiation);
    the id_token always comes back to Palier's own launch URL."""
    if not keys.enabled():
        raise LaunchRefused("LTI is not configured")
    if not (request.GET.get("iss") or request.POST.get("iss")):
        raise LaunchRefused("iss missing")
    try:
        return Login(request).redirect(launch_url)
    except (LtiException, KeyError, ValueError, TypeError) as error:
        raise LaunchRefused(_short(error)) from error


def _short(error: Exception) -> str:
    # Library messages name claims and URLs, never a person; keep them short.
    return (str(error) or type(error).__name__)[:200]
