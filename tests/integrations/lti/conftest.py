"""A real LTI 1.3 platform (tests/integrations/lti/platform.py) registered with a live Palier."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from palier.integrations.lti.models import Deployment, Platform
from tests.integrations.lti.platform import (
    CLIENT_ID,
    DEPLOYMENT_ID,
    PendingLaunch,
    TestPlatform,
    read_launch_form,
    rsa_pem_pair,
)

TOOL_KEY, _TOOL_PUBLIC = rsa_pem_pair()
PREVIOUS_TOOL_KEY, _PREVIOUS_PUBLIC = rsa_pem_pair()
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


@pytest.fixture
def tool_keys(settings) -> None:
    settings.PALIER_LTI_KEY = TOOL_KEY
    settings.PALIER_LTI_PREVIOUS_KEY = PREVIOUS_TOOL_KEY


@pytest.fixture
def platform(transactional_db, live_server, tool_keys) -> Iterator[TestPlatform]:
    server = TestPlatform(live_server.url).start()
    yield server
    server.stop()


@pytest.fixture
def registration(platform, org) -> Platform:
    registered = Platform.objects.create(
        name="Moodle de test",
        issuer=platform.issuer,
        client_id=CLIENT_ID,
        auth_login_url=platform.auth_login_url,
        auth_token_url=platform.auth_token_url,
        key_set_url=platform.key_set_url,
        organisation=org,
    )
    Deployment.objects.create(platform=registered, deployment_id=DEPLOYMENT_ID)
    return registered


def authorize(browser: requests.Session, platform: TestPlatform, pending: PendingLaunch) -> dict:
    """The platform's login initiation through Palier to the platform's authorisation
    endpoint: what its auto-submitted form would post to Palier."""
    answer = browser.get(platform.login_initiation_url(pending), allow_redirects=False)
    assert answer.status_code == 302, answer.text[:300]
    authorised = browser.get(answer.headers["Location"])
    assert authorised.status_code == 200, authorised.text
    return read_launch_form(authorised.text)


def post_launch(browser: requests.Session, form: dict[str, Any]) -> requests.Response:
    return browser.post(
        form["launch_url"],
        data={"id_token": form["id_token"], "state": form["state"]},
        allow_redirects=False,
    )


def launch(browser: requests.Session, platform: TestPlatform, pending: PendingLaunch):
    return post_launch(browser, authorize(browser, platform, pending))


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
