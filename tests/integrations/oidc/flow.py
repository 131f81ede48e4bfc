"""The browser's part of a sign-in, driven for real: Palier's start page, the provider's
authorization page, back to Palier's callback."""

from __future__ import annotations

import urllib.parse
from typing import Any

from django.test import Client
from django.urls import reverse

from tests.integrations.oidc.provider import LoopbackProvider


def start(browser: Client, key: str = "national", next_url: str = "") -> str:
    """Palier's start page; returns the provider's authorization URL it redirects to."""
    url = reverse("integrations_oidc:start", args=[key])
    response = browser.get(url, {"next": next_url} if next_url else {})
    assert response.status_code == 302, response.content
    return response["Location"]


def back_to_palier(browser: Client, location: str) -> Any:
    """Follow the provider's redirect to Palier's callback (path and query only)."""
    parts = urllib.parse.urlsplit(location)
    return browser.get(f"{parts.path}?{parts.query}")


def sign_in(
    browser: Client,
    provider: LoopbackProvider,
    sub: str,
    claims: dict[str, Any],
    key: str = "national",
) -> Any:
    provider.set_user(sub, claims)
    return back_to_palier(browser, provider.authorize(start(browser, key), sub))
