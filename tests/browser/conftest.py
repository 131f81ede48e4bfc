"""Real-browser tests: Playwright drives the system Chromium, axe-core checks every page.

Without Chromium these tests skip with the reason, unless PALIER_REQUIRE_BROWSER=1, where
they fail. Chromium runs headless, without sandbox (CI runs as root) and with background
networking off (this machine has no internet).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import required
from tests.factories import PASSWORD

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
THEMES = ["neutral", "dsfr"]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# tests themselves (fixtures, assertions) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = Path(os.environ.get("PALIER_CHROMIUM", "/usr/bin/chromium"))
    if not path.exists():
        message = f"Chromium not found at {path} (install Debian's chromium or set PALIER_CHROMIUM)"
        if required("PALIER_REQUIRE_BROWSER"):
            pytest.fail(f"PALIER_REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    return str(path)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(params=THEMES)
def theme(request: pytest.FixtureRequest, settings) -> str:
    settings.PALIER_THEME = request.param
    return str(request.param)


def assert_accessible(page) -> None:
    """Run axe-core on the WCAG 2.1 A and AA rules; fail with a readable list of violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    report = "\n".join(
        f"- {violation['id']} ({violation['impact']}): {violation['help']} -> "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in violations
    )
    assert not violations, f"axe found violations on {page.url}:\n{report}"


def sign_in(page, live_server, email: str) -> None:
    """Log in through the real login form; everyone lands on their home ("Mon espace")."""
    page.goto(f"{live_server.url}/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/mon-espace/")


def sign_up(page, live_server, run_tasks, email: str) -> None:
    """Create an account through the real pages, confirm it from the e-mail, log in."""
    import re

    from django.core import mail

    page.goto(f"{live_server.url}/compte/inscription/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url("**/compte/inscription/envoyee/")
    run_tasks()
    link = re.search(r"https?://\S+/compte/confirmer/\S+/", mail.outbox[-1].body).group(0)
    page.goto(live_server.url + "/compte/" + link.split("/compte/", 1)[1])
    page.wait_for_url("**/compte/connexion/")
    sign_in(page, live_server, email)
