"""The one place that talks HTTP to the LRS (xAPI 1.0.3, "PUT statements").

`put_statement` stores one statement under its own id: the LRS answers 204 when it stored it
or already holds the same statement, and may answer 409 when it holds one with that id (a
retry after an answer that got lost). The transport is a seam: tests pass a real local LRS's
address through the settings, never a fake of the protocol.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from palier.integrations.xapi.vocabulary import XAPI_VERSION

# Status codes that say "the LRS holds this statement".
STORED = frozenset({200, 204, 409})


@dataclass(frozen=True)
class LrsAnswer:
    status: int  # 0 when the LRS could not be reached
    detail: str = ""

    @property
    def stored(self) -> bool:
        return self.status in STORED

    @property
    def summary(self) -> str:
        """The status alone, for the status page: the LRS's explanation may quote the
        statement (a pseudonym), which stays on the statement's row."""
        return self.detail if self.status == 0 else f"HTTP {self.status}"

    @property
    def transient(self) -> bool:
        """Worth trying again later: unreachable, overloaded, failing, or refusing our
        credentials (which an administrator can fix without touching the statement)."""
        return self.status in (0, 401, 408, 429) or self.status >= 500


def configured() -> bool:
    return bool(settings.PALIER_XAPI_ENDPOINT)


def _statements_url(statement_id: str) -> str:
    base = settings.PALIER_XAPI_ENDPOINT.rstrip("/")
    return f"{base}/statements?{urllib.parse.urlencode({'statementId': statement_id})}"


def _headers() -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "X-Experience-API-Version": XAPI_VERSION,
    }
    if settings.PALIER_XAPI_KEY:
        headers["Authorization"] = f"Bearer {settings.PALIER_XAPI_KEY}"
    elif settings.PALIER_XAPI_USERNAME:
        pair = f"{settings.PALIER_XAPI_USERNAME}:{settings.PALIER_XAPI_PASSWORD}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    return headers


def put_statement(statement: dict[str, Any]) -> LrsAnswer:
    """Send one statement; never raises for a network or HTTP failure."""
    url = _statements_url(statement["id"])
    if not url.startswith(("http://", "https://")):
        return LrsAnswer(0, "the endpoint is not an http(s) URL")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url, data=json.dumps(statement).encode(), headers=_headers(), method="PUT"
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.PALIER_XAPI_TIMEOUT_SECONDS
        ) as response:
            return LrsAnswer(response.status)
    except urllib.error.HTTPError as error:
        # The LRS's own explanation, shortened; it never holds our credentials.
        body = error.read(300).decode("utf-8", "replace")
        return LrsAnswer(error.code, f"HTTP {error.code}: {body}"[:300])
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        reason = getattr(error, "reason", error)
        return LrsAnswer(0, f"unreachable: {type(reason).__name__}"[:300])
