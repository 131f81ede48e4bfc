"""The `palier` console command: Django's management commands with Palier's settings preset.

palier migrate | palier runserver | palier seed [--demo] | palier db_worker
palier check --deploy
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palier.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["palier", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
