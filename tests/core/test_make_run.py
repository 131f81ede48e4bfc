"""`make run`: e-mail links follow HOST and PORT, and e-mails are kept as files to open."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from email import message_from_bytes
from pathlib import Path

import pytest
from django.core.mail import EmailMessage

from palier.core.mail import EmlFileBackend

ROOT = Path(__file__).resolve().parents[2]


def dry_run(*arguments: str, **environment: str) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PALIER_")}
    env.update(environment)
    return subprocess.run(
        ["make", "--dry-run", "--no-print-directory", "run", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_email_links_follow_host_and_port_unless_a_base_url_is_set():
    assert "links in e-mails start with http://0.0.0.0:9123;" in dry_run(
        "HOST=0.0.0.0", "PORT=9123"
    )
    kept = dry_run("PORT=9123", PALIER_BASE_URL="https://palier.example.org")
    assert "links in e-mails start with https://palier.example.org;" in kept
    assert "runserver 127.0.0.1:9123" in kept


def test_the_file_backend_is_chosen_by_setting_and_writes_under_var(tmp_path):
    code = (
        "from django.conf import settings; import django; django.setup(); "
        "print(settings.EMAIL_BACKEND); print(settings.EMAIL_FILE_PATH)"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("PALIER_")}
    env.update(
        PALIER_DEBUG="1",
        PALIER_EMAIL_BACKEND="file",
        PALIER_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="palier.settings",
    )
    lines = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert lines == ["palier.core.mail.EmlFileBackend", str(tmp_path / "mail")]


def test_each_email_is_saved_as_its_own_eml_file_and_the_console_line_names_no_one(
    tmp_path, capsys
):
    messages = [
        EmailMessage("Confirmez votre adresse", "Lien : http://x/1", to=["lea@example.org"]),
        EmailMessage("Invitation", "Lien : http://x/2", to=["hugo@example.org"]),
    ]
    assert EmlFileBackend(file_path=str(tmp_path)).send_messages(messages) == 2
    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == 2
    saved = message_from_bytes(files[0].read_bytes())
    assert saved["To"] == "lea@example.org"
    assert "http://x/1" in saved.get_payload(decode=True).decode()
    console = capsys.readouterr().err
    assert "Confirmez votre adresse" in console and str(files[0]) in console
    assert "@example.org" not in console
