"""The item bank's views, API and admin never write to the database themselves: every
write goes through `items.services`, every object fetch through `items.access`."""

import re
from pathlib import Path

import pytest

import palier.items

ITEMS = Path(palier.items.__file__).parent
# items has no views.py
THIN_MODULES = ["api.py", "admin.py", "admin_base.py", "item_admin.py", "authoring_site.py"]
# ORM writes (a call of a service named bulk_* is fine: services are where writes live).
WRITES = re.compile(
    r"\.save\(|\.delete\(|\.objects\.create\(|\.update\(|(?<!services)\.bulk_\w+\("
    r"|\.update_or_create\(|\.get_or_create\("
)


@pytest.mark.parametrize("name", THIN_MODULES)
def test_thin_item_modules_contain_no_orm_write(name):
    source = (ITEMS / name).read_text(encoding="utf-8")
    found = [
        f"{name}:{number}: {line.strip()}"
        for number, line in enumerate(source.splitlines(), start=1)
        if WRITES.search(line)
    ]
    assert found == []


@pytest.mark.parametrize("name", THIN_MODULES)
def test_thin_item_modules_fetch_objects_through_access_gates(name):
    assert "get_object_or_404" not in (ITEMS / name).read_text(encoding="utf-8")
