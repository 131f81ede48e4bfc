"""The item bank's JSON document format (seed files, and `palier items import/export`).

Pure Python, no Django: `python -m palier.items.seed_schema FILE...` checks files by hand.

    {"stimuli": [{"code", "kind", "title": {fr, en}, "content": {fr, en}}],
     "items": [{"code", "capacity", "level", "format", "stimulus": code | null,
                "stem": {fr, en}, "definition": {...see items/formats/...},
                "feedback": {fr, en}, "source": "...", "estimated_seconds": int,
                "accessibility": {"screen_reader": bool, "colour_independent": bool},
                "enemy_group": "HDS-SIGLE" (optional: items testing the same fact, never
                               shown in one test),
                "level_review": {"by": "...", "on": "YYYY-MM-DD"} (optional: who checked
                                the level against docs/items.md, and when)}]}
"""

from __future__ import annotations

import datetime
import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from palier.items.formats import DefinitionError, validate_definition

STIMULUS_KINDS = ("email", "record", "thread", "teleconsultation", "tool", "document")
ITEM_CODE = re.compile(r"^[A-Z0-9][A-Z0-9\-]{2,31}$")
ENEMY_GROUP = re.compile(r"^[A-Z0-9][A-Z0-9\-]{1,39}$")
MAX_REVIEWER = 200
LEVELS = range(1, 6)
MAX_STEM = 2_000
MAX_STIMULUS = 20_000
MIN_SECONDS, MAX_SECONDS = 10, 900
FRAMEWORK_SEED = Path(__file__).resolve().parents[1] / "frameworks" / "seed" / "framework.json"


def seed_capacities_by_area(framework_file: Path = FRAMEWORK_SEED) -> dict[str, list[str]]:
    """The framework seed's capacity codes, area by area, in framework order."""
    data = json.loads(framework_file.read_text(encoding="utf-8"))
    return {
        area["code"]: [
            capacity["code"]
            for competence in area["competences"]
            for capacity in competence["capacities"]
        ]
        for area in data["areas"]
    }


def capacity_codes(framework_file: Path = FRAMEWORK_SEED) -> set[str]:
    return {code for codes in seed_capacities_by_area(framework_file).values() for code in codes}


def _bilingual(
    node: Mapping[str, Any], key: str, limit: int, where: str, errors: list[str]
) -> None:
    value = node.get(key)
    if not isinstance(value, Mapping) or not str(value.get("fr", "")).strip():
        errors.append(f"{where}: '{key}' needs a French text")
        return
    for language in ("fr", "en"):
        text = value.get(language, "")
        if not isinstance(text, str) or len(text) > limit:
            errors.append(f"{where}: '{key}.{language}' must be text of at most {limit} chars")


def _check_code(code: Any, example: str, seen: set[str], where: str, errors: list[str]) -> bool:
    """A well-formed code not seen before is recorded; otherwise the error is listed."""
    if not isinstance(code, str) or not ITEM_CODE.match(code):
        errors.append(f"{where}: code must look like '{example}'")
        return False
    if code in seen:
        errors.append(f"{where}: duplicate code {code}")
        return False
    seen.add(code)
    return True


def _check_review(item: Mapping[str, Any], where: str, errors: list[str]) -> None:
    """The optional enemy group and level review of an item."""
    group = item.get("enemy_group")
    if group is not None and (not isinstance(group, str) or not ENEMY_GROUP.match(group)):
        errors.append(f"{where}: enemy_group must look like 'HDS-SIGLE' (2 to 40 characters)")
    review = item.get("level_review")
    if review is None:
        return
    by = review.get("by") if isinstance(review, Mapping) else None
    on = review.get("on") if isinstance(review, Mapping) else None
    if not isinstance(by, str) or not by.strip() or len(by) > MAX_REVIEWER:
        errors.append(f"{where}: level_review.by must name who checked the level")
    try:
        datetime.date.fromisoformat(on if isinstance(on, str) else "")
    except ValueError:
        errors.append(f"{where}: level_review.on must be a date like 2026-12-07")


def document_errors(document: Any, capacities: Iterable[str]) -> list[str]:
    """Every problem in a bank document, as 'where: what' lines (empty list: valid)."""
    known_capacities = set(capacities)
    errors: list[str] = []
    if not isinstance(document, Mapping):
        return ["document: a JSON object with 'stimuli' and 'items' is expected"]
    stimuli = document.get("stimuli", [])
    items = document.get("items")
    if not isinstance(stimuli, list) or not isinstance(items, list):
        return ["document: 'stimuli' and 'items' must be lists"]
    stimulus_codes: set[str] = set()
    for index, stimulus in enumerate(stimuli):
        where = f"stimuli[{index}]"
        if not isinstance(stimulus, Mapping):
            errors.append(f"{where}: must be an object")
            continue
        _check_code(stimulus.get("code"), "D2-CASE-01", stimulus_codes, where, errors)
        if stimulus.get("kind") not in STIMULUS_KINDS:
            errors.append(f"{where}: kind must be one of {', '.join(STIMULUS_KINDS)}")
        _bilingual(stimulus, "title", 300, where, errors)
        _bilingual(stimulus, "content", MAX_STIMULUS, where, errors)
    item_codes: set[str] = set()
    for index, item in enumerate(items):
        where = f"items[{index}]"
        if not isinstance(item, Mapping):
            errors.append(f"{where}: must be an object")
            continue
        if _check_code(item.get("code"), "D2-0001", item_codes, where, errors):
            where = f"{where} ({item['code']})"
        if item.get("capacity") not in known_capacities:
            errors.append(f"{where}: unknown capacity {item.get('capacity')!r}")
        if item.get("level") not in LEVELS:
            errors.append(f"{where}: level must be an integer from 1 to 5")
        if item.get("stimulus") is not None and item.get("stimulus") not in stimulus_codes:
            errors.append(f"{where}: unknown stimulus {item.get('stimulus')!r}")
        _bilingual(item, "stem", MAX_STEM, where, errors)
        _bilingual(item, "feedback", MAX_STEM, where, errors)
        if not isinstance(item.get("source"), str) or not item["source"].strip():
            errors.append(f"{where}: a source reference is required")
        seconds = item.get("estimated_seconds")
        if not isinstance(seconds, int) or not MIN_SECONDS <= seconds <= MAX_SECONDS:
            errors.append(f"{where}: estimated_seconds from {MIN_SECONDS} to {MAX_SECONDS}")
        access = item.get("accessibility", {})
        if not isinstance(access, Mapping) or not all(
            isinstance(access.get(flag), bool) for flag in ("screen_reader", "colour_independent")
        ):
            errors.append(f"{where}: accessibility needs screen_reader and colour_independent")
        _check_review(item, where, errors)
        try:
            validate_definition(str(item.get("format")), item.get("definition"))
        except DefinitionError as error:
            errors.append(f"{where}: definition {error}")
    return errors


def main(paths: list[str]) -> int:
    capacities = capacity_codes()
    status = 0
    for path in paths:
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            print(f"{path}: cannot read ({error})")
            status = 1
            continue
        errors = document_errors(document, capacities)
        for error in errors:
            print(f"{path}: {error}")
        print(
            f"{path}: {len(document.get('items', []))} items, "
            f"{len(document.get('stimuli', []))} stimuli, {len(errors)} errors"
        )
        status = status or bool(errors)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
