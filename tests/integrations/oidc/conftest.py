from __future__ import annotations

from collections.abc import Iterator

import pytest

from palier.integrations.oidc import client
from tests.integrations.oidc.provider import LoopbackProvider, running_provider

CLIENT_ID = "palier-test-client"


@pytest.fixture(scope="module")
def provider() -> Iterator[LoopbackProvider]:
    with running_provider() as running:
        yield running


@pytest.fixture
def national_login(settings, provider: LoopbackProvider, framework) -> LoopbackProvider:
    """Palier configured for the national login at the loopback provider."""
    settings.PALIER_OIDC_ISSUER = provider.issuer
    settings.PALIER_OIDC_CLIENT_ID = CLIENT_ID
    settings.PALIER_OIDC_CLIENT_SECRET = "test-client-secret"
    settings.PALIER_OIDC_SCOPES = ["openid", "profile", "email"]
    client.forget_discovery()
    provider.rewrite_id_token = None
    return provider
