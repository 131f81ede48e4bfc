"""Production settings, checked in fresh interpreters with the environment a server would have."""

import base64
import fcntl
import os
import secrets
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
from django.conf import settings

from palier.settings import env_bool, env_list

PRODUCTION_ENV = {
    "PALIER_DEBUG": "0",
    "PALIER_SECRET_KEY": secrets.token_urlsafe(50),
    "PALIER_ALLOWED_HOSTS": "palier.example.org",
    # An Ed25519 seed (base64url), as `palier credential_key` prints.
    "PALIER_CREDENTIAL_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("="),
}


def palier(*args: str, env: dict[str, str] | None = None, var_dir=None):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PALIER_", "DATABASE_URL", "DJANGO_"))
    }
    environment.update(env or {})
    if var_dir is not None:
        environment["PALIER_VAR_DIR"] = str(var_dir)
    return subprocess.run(
        [sys.executable, "-m", "palier", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )


def test_passwords_are_hashed_with_argon2_by_default():
    from palier import settings as palier_settings

    assert palier_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PALIER_TRUSTED_PROXY_HOPS", "0"), ("PALIER_SESSION_IDLE_MINUTES", "soon")],
)
def test_a_bad_number_setting_stops_the_start_with_a_clear_message(tmp_path, variable, value):
    result = palier("check", env={"PALIER_DEBUG": "1", variable: value}, var_dir=tmp_path)
    assert result.returncode != 0
    assert variable in result.stderr


def test_the_deploy_checklist_passes_with_production_settings(tmp_path):
    result = palier(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV, var_dir=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_turn_on_secure_cookies_hsts_csp_and_frame_denial(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, "
        "s.X_FRAME_OPTIONS, 'csp.middleware.CSPMiddleware' in s.MIDDLEWARE, s.DEBUG)"
    )
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")},
        **PRODUCTION_ENV,
        "PALIER_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "palier.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=False
    )
    assert result.stdout.split() == ["True", "True", "True", "DENY", "True", "False"]


def test_without_debug_a_secret_key_is_required(tmp_path):
    result = palier("check", env={"PALIER_DEBUG": "0"}, var_dir=tmp_path)
    assert result.returncode != 0
    assert "PALIER_SECRET_KEY must be set" in result.stderr


def test_in_debug_a_secret_key_is_generated_once_under_var(tmp_path):
    assert palier("check", env={"PALIER_DEBUG": "1"}, var_dir=tmp_path).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    palier("check", env={"PALIER_DEBUG": "1"}, var_dir=tmp_path)
    assert (tmp_path / "secret_key").read_text() == key


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PALIER_THEME", "purple"),
        ("PALIER_DEBUG", "maybe"),
        ("PALIER_EMAIL_BACKEND", "pigeon"),
        ("PALIER_TASKS_BACKEND", "cron"),
    ],
)
def test_a_bad_setting_stops_the_start_with_a_clear_message(tmp_path, variable, value):
    result = palier("check", env={"PALIER_DEBUG": "1", variable: value}, var_dir=tmp_path)
    assert result.returncode != 0
    assert variable in result.stderr


@pytest.fixture(scope="module")
def migrated_var(tmp_path_factory, worker_id):
    """A var/ folder where `palier migrate` created the embedded database. Migrating takes
    a fresh interpreter tens of seconds, so the tests that need it share one run, also
    across xdist workers (the first one migrates under a file lock, the others wait and
    reuse it); each test that writes works on its own copy (`copy_of`)."""
    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent
    var_dir = shared / "migrated-var"
    with open(shared / "migrated-var.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (var_dir / "migrated").exists():
            var_dir.mkdir(exist_ok=True)
            result = palier("migrate", "--no-input", env={"PALIER_DEBUG": "1"}, var_dir=var_dir)
            assert result.returncode == 0, result.stderr
            (var_dir / "migrated").touch()
    return var_dir


def copy_of(var_dir, tmp_path):
    """The migrated database copied into ``tmp_path`` (SQLite's online backup)."""
    with (
        closing(sqlite3.connect(var_dir / "palier.sqlite3")) as source,
        closing(sqlite3.connect(tmp_path / "palier.sqlite3")) as copy,
    ):
        source.backup(copy)
    return tmp_path


def test_the_embedded_database_is_created_under_var_in_wal_mode(migrated_var):
    database = migrated_var / "palier.sqlite3"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert settings.DATABASES["default"]["ENGINE"]  # the suite itself is configured too


def test_environment_helpers_parse_booleans_and_lists(monkeypatch):
    monkeypatch.setenv("X_FLAG", "Yes")
    monkeypatch.setenv("X_LIST", " a.example , ,b.example")
    assert env_bool("X_FLAG") is True
    assert env_bool("X_MISSING", default=True) is True
    assert env_list("X_LIST") == ["a.example", "b.example"]


def test_the_deploy_check_fails_on_demo_accounts_until_they_are_removed(migrated_var, tmp_path):
    debug = {"PALIER_DEBUG": "1", "PALIER_SECRET_KEY": PRODUCTION_ENV["PALIER_SECRET_KEY"]}
    tmp_path = copy_of(migrated_var, tmp_path)
    create = (
        "from palier.accounts.models import User; "
        "User.objects.create_superuser('admin@demo.palier.example', 'demo-palier-2026')"
    )
    created = palier("shell", "-c", create, env=debug, var_dir=tmp_path)
    assert created.returncode == 0, created.stderr

    refused = palier("check", "--deploy", env=PRODUCTION_ENV, var_dir=tmp_path)
    assert refused.returncode != 0
    assert "palier.E001" in refused.stderr + refused.stdout

    removed = palier("remove_demo_accounts", env=PRODUCTION_ENV, var_dir=tmp_path)
    assert "Removed 1 demo account(s)" in removed.stdout, removed.stderr
    passed = palier("check", "--deploy", env=PRODUCTION_ENV, var_dir=tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
