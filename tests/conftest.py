"""Test harness: database choice (SQLite or a real PostgreSQL), fixtures shared by apps.

`pytest` runs on SQLite; `pytest --database=postgres` starts a PostgreSQL server for the
session (tests/support/postgres.py). Without the binaries, database tests skip with the
reason, unless PALIER_REQUIRE_POSTGRES=1, where the session fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from hypothesis import settings as hypothesis_settings

from tests.support.postgres import PostgresUnavailableError, TemporaryPostgres, stop_on_signals
from tests.support.template import migrations_from_template

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Property tests check results, never speed: Hypothesis' default 200 ms deadline per example
# made a test fail on a loaded machine (a timing assertion in disguise).
hypothesis_settings.register_profile("palier", deadline=None)
hypothesis_settings.load_profile("palier")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="database for the Django tests (postgres starts a temporary server)",
    )


DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL pass runs only the tests that use the database (or say they need
    PostgreSQL): the others ran in the SQLite pass and would give the same answer again."""
    if config.getoption("--database") != "postgres":
        return
    kept, skipped = [], []
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        uses_database = bool(fixtures & DATABASE_FIXTURES) or any(
            item.get_closest_marker(name) is not None for name in ("django_db", "postgres")
        )
        (kept if uses_database else skipped).append(item)
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = kept


def required(variable: str) -> bool:
    return os.environ.get(variable, "").strip() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def database_vendor(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--database"))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    database_vendor: str, tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> Iterator[None]:
    """The PostgreSQL server of this process (on the PostgreSQL pass), and the migrations run
    once per test run, not once per worker (tests/support/template.py)."""
    base = tmp_path_factory.getbasetemp()
    run_folder = base if worker_id == "master" else base.parent
    if database_vendor != "postgres":
        with migrations_from_template(run_folder, None):
            yield
        return
    try:
        server = TemporaryPostgres.start()
    except PostgresUnavailableError as error:
        if required("PALIER_REQUIRE_POSTGRES"):
            pytest.fail(f"PALIER_REQUIRE_POSTGRES=1 but {error}", pytrace=False)
        pytest.skip(str(error))
    # A run killed mid-way (Ctrl+C, CI timeout) must not leave the server running.
    restore_signals = stop_on_signals(server)
    from django.conf import settings
    from django.db import connections

    connections["default"].close()
    settings.DATABASES["default"].update(server.database_settings())
    del connections["default"]
    try:
        with migrations_from_template(run_folder, server):
            yield
    finally:
        connections.close_all()
        server.stop()
        restore_signals()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Argon2 is the production hasher (tested on its own); tests use a fast one."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def french_by_default() -> Iterator[None]:
    """Each test starts in French: a request in English must not leak into the next test."""
    from django.utils import translation

    with translation.override("fr"):
        yield


@pytest.fixture
def run_tasks(transactional_db):
    """Run every queued background task now, with the real `palier db_worker`.

    The worker commits and recycles database connections as in production, so tests that
    use it run in transactional mode (and enqueue for real, on commit)."""

    def run() -> None:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    return run


@pytest.fixture
def framework(db):
    """The seeded, published framework (the real seed file, loaded once per test process and
    replayed afterwards: tests/support/replay.py)."""
    from tests.support.seeds import load_framework_seed

    return load_framework_seed().framework


@pytest.fixture
def org(framework):
    """An organisation (on the seeded framework, for its campaigns)."""
    from tests.factories import make_organisation

    return make_organisation("IFSI des Tilleuls", slug="ifsi-tilleuls")


@pytest.fixture
def org_admin(org):
    from palier.organisations.choices import MembershipRole
    from tests.factories import make_member

    return make_member(org, MembershipRole.ADMIN, email="admin@tilleuls.example")


@pytest.fixture
def org_member(org):
    from palier.organisations.choices import MembershipRole
    from tests.factories import make_member

    return make_member(org, MembershipRole.MEMBER, email="member@tilleuls.example")


@pytest.fixture
def outsider(framework):
    """The admin of another organisation."""
    from palier.organisations.choices import MembershipRole
    from tests.factories import make_member, make_organisation

    other = make_organisation("Université Voisine", slug="univ-voisine")
    return make_member(other, MembershipRole.ADMIN, email="admin@voisine.example")
