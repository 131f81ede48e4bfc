from collections.abc import Iterator

import pytest

from tests.assessments.conftest import seed_bank
from tests.conftest import required
from tests.integrations.xapi.lrs import PASSWORD, USERNAME, Ralph, ralph_python


@pytest.fixture(scope="session")
def ralph_server(tmp_path_factory) -> Iterator[Ralph]:
    """A real LRS (Ralph) for the session; tests that stop it start it again."""
    if not ralph_python().exists():
        message = (
            f"Ralph's virtualenv not found at {ralph_python().parent.parent} (make ralph-venv)"
        )
        if required("PALIER_REQUIRE_LRS"):
            pytest.fail(f"PALIER_REQUIRE_LRS=1 but {message}", pytrace=False)
        pytest.skip(message)
    server = Ralph(tmp_path_factory.mktemp("ralph"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def lrs(ralph_server, settings) -> Iterator[Ralph]:
    """Palier configured to send its statements to the running Ralph."""
    if ralph_server.process is None:
        ralph_server.start()
    settings.PALIER_XAPI_ENDPOINT = ralph_server.endpoint
    settings.PALIER_XAPI_USERNAME = USERNAME
    settings.PALIER_XAPI_PASSWORD = PASSWORD
    settings.PALIER_XAPI_TIMEOUT_SECONDS = 5
    yield ralph_server
    if ralph_server.process is None:
        ralph_server.start()


@pytest.fixture
def seeded(framework):
    """The real seed bank, operational, with its provisional calibration."""
    return seed_bank(framework)
