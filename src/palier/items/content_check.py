"""Content check of an item bank document: coverage and lint (pure Python).

Coverage (per area): enough items, every capacity covered, levels spread over the scale,
enough formats; over the bank: shared stimuli used. Lint: missing feedback or source,
duplicate stems, single-choice keys spread over the positions, stems too long or too hard
to read. `palier items check` runs it on the stored bank; the test suite runs it on the seed.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from palier.items.formats import normalise
from palier.items.formats.single_choice import FORMAT as SINGLE_CHOICE

MIN_ITEMS_PER_AREA = 50
MIN_ITEMS_PER_CAPACITY = 2
MIN_LEVEL_SHARE = 0.10
MIN_FORMATS_PER_AREA = 5
MIN_STIMULI = 10
MIN_STIMULUS_ITEMS = 30
MAX_STEM_CHARACTERS = 600
# Share of single-choice keys at any one position, tolerated around 1/number of positions.
KEY_POSITION_TOLERANCE = 0.5
# Kandel & Moles' French adaptation of Flesch's reading ease (0 hard .. 100 easy). Stems under
# this are flagged: long sentences of long words, hard for a second-year student.
MIN_READING_EASE = 20.0
LEVELS = (1, 2, 3, 4, 5)
TAG = re.compile(r"<[^>]+>")


@dataclass
class CheckReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    coverage: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def syllables(word: str) -> int:
    """Vowel groups of a French word, a final silent e not counted (at least one)."""
    plain = normalise(word)
    groups = re.findall(r"[aeiouy]+", plain)
    count = len(groups)
    if plain.endswith("e") and count > 1 and not plain.endswith(("ee", "ie")):
        count -= 1
    return max(1, count)


def reading_ease(text: str) -> float:
    """Kandel & Moles (1958): 207 - 1.015 x words/sentence - 73.6 x syllables/word."""
    plain = TAG.sub(" ", text)
    sentences = max(1, len(re.findall(r"[.!?…]+", plain)))
    words = re.findall(r"[A-Za-zÀ-ÖØ-öø-ÿ]+", plain)
    if not words:
        return 100.0
    per_sentence = len(words) / sentences
    per_word = sum(syllables(word) for word in words) / len(words)
    return 207 - 1.015 * per_sentence - 73.6 * per_word


def check_document(
    document: Mapping[str, Any], capacities_by_area: Mapping[str, list[str]]
) -> CheckReport:
    report = CheckReport()
    items = list(document.get("items", []))
    area_of = {capacity: area for area, codes in capacities_by_area.items() for capacity in codes}
    by_area: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for item in items:
        by_area[area_of.get(item.get("capacity"), "?")].append(item)
    for area, capacities in capacities_by_area.items():
        _check_area(area, capacities, by_area.get(area, []), report)
    _check_stimuli(items, report)
    _lint(items, report)
    return report


def _check_area(
    area: str, capacities: list[str], items: list[Mapping[str, Any]], report: CheckReport
) -> None:
    per_capacity = Counter(item["capacity"] for item in items)
    per_level = Counter(item["level"] for item in items)
    formats = Counter(item["format"] for item in items)
    report.coverage[area] = {
        "items": len(items),
        "levels": dict(sorted(per_level.items())),
        "formats": dict(formats),
        "thinnest_capacity": min((per_capacity.get(code, 0) for code in capacities), default=0),
    }
    if len(items) < MIN_ITEMS_PER_AREA:
        report.errors.append(f"{area}: {len(items)} items, at least {MIN_ITEMS_PER_AREA} needed")
    for code in capacities:
        if per_capacity.get(code, 0) < MIN_ITEMS_PER_CAPACITY:
            report.errors.append(
                f"{area}: capacity {code} has {per_capacity.get(code, 0)} "
                f"items, at least {MIN_ITEMS_PER_CAPACITY} needed"
            )
    for level in LEVELS:
        if items and per_level.get(level, 0) < MIN_LEVEL_SHARE * len(items):
            report.errors.append(
                f"{area}: level {level} has {per_level.get(level, 0)} of "
                f"{len(items)} items (under {MIN_LEVEL_SHARE:.0%})"
            )
    if len(formats) < MIN_FORMATS_PER_AREA:
        report.errors.append(
            f"{area}: {len(formats)} formats, at least {MIN_FORMATS_PER_AREA} needed"
        )


def _check_stimuli(items: list[Mapping[str, Any]], report: CheckReport) -> None:
    used = Counter(item["stimulus"] for item in items if item.get("stimulus"))
    attached = sum(used.values())
    report.coverage["stimuli"] = {"stimuli": len(used), "items": attached}
    if len(used) < MIN_STIMULI or attached < MIN_STIMULUS_ITEMS:
        report.errors.append(
            f"bank: {attached} items on {len(used)} shared stimuli, at least "
            f"{MIN_STIMULUS_ITEMS} items on {MIN_STIMULI} stimuli needed"
        )


def _lint(items: list[Mapping[str, Any]], report: CheckReport) -> None:
    stems: dict[str, str] = {}
    key_positions: Counter[int] = Counter()
    option_counts: Counter[int] = Counter()
    for item in items:
        code = item.get("code", "?")
        for name in ("feedback", "stem"):
            if not str((item.get(name) or {}).get("fr", "")).strip():
                report.errors.append(f"{code}: missing {name}")
        if not str(item.get("source", "")).strip():
            report.errors.append(f"{code}: missing source reference")
        stem = str((item.get("stem") or {}).get("fr", ""))
        key = normalise(TAG.sub(" ", stem))
        if key in stems:
            report.errors.append(f"{code}: same stem as {stems[key]}")
        stems.setdefault(key, code)
        if len(TAG.sub("", stem)) > MAX_STEM_CHARACTERS:
            report.errors.append(f"{code}: stem longer than {MAX_STEM_CHARACTERS} characters")
        ease = reading_ease(stem)
        if ease < MIN_READING_EASE:
            report.warnings.append(f"{code}: stem hard to read (reading ease {ease:.0f})")
        if item.get("format") == SINGLE_CHOICE.name:
            ids = [option["id"] for option in item["definition"]["options"]]
            key_positions[ids.index(item["definition"]["correct"])] += 1
            option_counts[len(ids)] += 1
    total = sum(key_positions.values())
    if total:
        positions = max(option_counts)
        expected = total / positions
        for position in range(positions):
            count = key_positions.get(position, 0)
            if abs(count - expected) > KEY_POSITION_TOLERANCE * expected:
                report.errors.append(
                    f"bank: {count} of {total} single-choice keys at position {position + 1} "
                    f"(about {expected:.0f} expected)"
                )
    report.coverage["single_choice_keys"] = {
        str(position + 1): count for position, count in sorted(key_positions.items())
    }
