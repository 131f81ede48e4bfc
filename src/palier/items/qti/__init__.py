"""IMS QTI 3.0 packages (zip + imsmanifest.xml): export of the bank's formats, import of
Palier's own packages and of packages made by other tools (QTI 2.1/2.2 items read too).

- `xml`: namespaces, safe parsing, HTML <-> QTI body content;
- `write`: export (`export_package`, `item_xml`, `stimulus_xml`);
- `manifest`, `reader`, `images`, `package`: what a package holds, item by item
  (`read_package`), without touching the database;
- `bank`: completing and storing what was read (`import_qti`: drafts, media, report).
"""

from __future__ import annotations

from typing import Any

from palier.items.qti.package import (
    MAX_PACKAGE_BYTES,
    PACKAGE_LIMITS,
    PackageContents,
    read_package,
)
from palier.items.qti.write import export_package, item_xml, stimulus_xml
from palier.items.qti.xml import MAX_FILE_BYTES, QtiError, parse_xml

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_PACKAGE_BYTES",
    "PACKAGE_LIMITS",
    "PackageContents",
    "QtiError",
    "export_package",
    "import_package",
    "item_xml",
    "parse_xml",
    "read_package",
    "stimulus_xml",
]


def import_package(data: bytes, defaults: dict[str, Any] | None = None) -> dict[str, Any]:
    """The bank document of a package, all or nothing: QtiError when any item of it cannot
    be read. `defaults` gives capacity/level/source to items without Palier metadata."""
    contents = read_package(data)
    if contents.skipped:
        raise QtiError("; ".join(contents.skipped))
    for read in contents.items:
        for key in read.missing:
            read.node[key] = (defaults or {}).get(key, read.node[key])
    return contents.document
