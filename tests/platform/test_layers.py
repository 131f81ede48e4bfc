"""The apps' layering (pyproject.toml, [tool.importlinter]) holds: each app imports only the
apps below it, the engine imports neither Django nor any app, and its modules have no cycle."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))"
)


def test_every_import_linter_contract_is_kept():
    # In a subprocess: the checker builds the import graph from the sources on disk, and its
    # report names the offending import when a contract breaks.
    result = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
