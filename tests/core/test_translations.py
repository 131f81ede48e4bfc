"""The English catalogue is complete and its compiled .mo matches the .po (French is the
source language, written in the templates and code)."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest

import palier

CATALOGUE = Path(palier.__file__).parent / "locale" / "en" / "LC_MESSAGES"
MSGFMT = shutil.which("msgfmt")
needs_gettext = pytest.mark.skipif(
    MSGFMT is None, reason="GNU gettext (msgfmt) is not installed; .ci/run installs it"
)


def load(path: Path) -> dict:
    with path.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


@needs_gettext
def test_the_committed_mo_file_matches_the_po_file(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(
        [MSGFMT, "--check", "-o", str(compiled), str(CATALOGUE / "django.po")], check=True
    )
    assert load(CATALOGUE / "django.mo") == load(compiled)


@needs_gettext
def test_every_interface_string_has_an_english_translation():
    result = subprocess.run(
        ["msgattrib", "--untranslated", "--only-fuzzy", str(CATALOGUE / "django.po")],
        capture_output=True,
        text=True,
        check=True,
    )
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", str(CATALOGUE / "django.po")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.count("msgid") == 0
    assert untranslated.stdout.count("msgid") == 0
