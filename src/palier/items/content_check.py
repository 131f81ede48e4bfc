"""Content check of an item bank document: coverage and lint (pure Python).

Coverage (per area): enough items, every capacity covered at several levels, levels spread
over the scale, enough formats; over the bank: shared stimuli used. Cues (per area, shares
with thresholds, `cueing.py`): keys that are the longest or much longer option, absolutes in
distractors, stems echoing keys, matching descriptions echoing names, "all/none of the
answers". Lint: missing feedback, source or level review, imprecise sources, near-duplicate
questions across the whole bank (`similarity.py`), single-choice keys spread over the
positions, stems too long or too hard to read. `palier items check` runs it on the stored
bank; the test suite runs it on the seed; `python -m palier.items.content_check [--items]
PATH...` runs it on bank documents (files or directories of `*.json`; `--items` also lists
each item's cues).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from palier.items.cueing import TAG, answers_in_stem, choice_cues, matching_echoes, plain
from palier.items.formats import normalise
from palier.items.formats.single_choice import FORMAT as SINGLE_CHOICE
from palier.items.seed_schema import seed_capacities_by_area
from palier.items.similarity import near_duplicates

MIN_ITEMS_PER_AREA = 95
MIN_ITEMS_PER_CAPACITY = 2
MIN_LEVELS_PER_CAPACITY = 3
# Items on a shared stimulus (a care situation with several questions) per competence.
MIN_CASE_ITEMS_PER_COMPETENCE = 2
# Share of an area's items in formats other than single choice.
MIN_OTHER_FORMATS_SHARE = 0.15
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
# Cue thresholds: the largest share of an area's choice items allowed to show the cue.
MAX_KEY_LONGEST = 0.30
MAX_KEY_MUCH_LONGER = 0.10
MAX_STEM_ECHO = 0.05
MAX_LENGTH_SPREAD = 2.5
MAX_SPREAD_SHARE = 0.15
# Absolutes: distractors may carry them at most twice as often as keys, plus this margin.
ABSOLUTES_MARGIN = 0.05
# A precise source names an article, an annex or a section, or dates its document.
PRECISE_SOURCE = re.compile(
    r"\b(art\.|article|articles|annexe|annex|section|chapitre|§)|\b(19|20)\d\d\b",
    re.IGNORECASE,
)


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
        _check_cues(area, by_area.get(area, []), report)
    _check_stimuli(items, report)
    _lint(items, report)
    _check_duplicates(items, report)
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
    for code in capacities:
        levels = {item["level"] for item in items if item["capacity"] == code}
        if levels and len(levels) < MIN_LEVELS_PER_CAPACITY:
            report.errors.append(
                f"{area}: capacity {code} has items at {len(levels)} level(s), at least "
                f"{MIN_LEVELS_PER_CAPACITY} needed"
            )
    competences = sorted({code.rsplit(".", 1)[0] for code in capacities})
    for competence in competences:
        cases = sum(
            1
            for item in items
            if item.get("stimulus") and item["capacity"].rsplit(".", 1)[0] == competence
        )
        if cases < MIN_CASE_ITEMS_PER_COMPETENCE:
            report.errors.append(
                f"{area}: competence {competence} has {cases} case-based items, at least "
                f"{MIN_CASE_ITEMS_PER_COMPETENCE} needed"
            )
    others = sum(item["format"] != SINGLE_CHOICE.name for item in items)
    if items and others < MIN_OTHER_FORMATS_SHARE * len(items):
        report.errors.append(
            f"{area}: {others} of {len(items)} items in formats other than single choice "
            f"(under {MIN_OTHER_FORMATS_SHARE:.0%})"
        )
    if len(formats) < MIN_FORMATS_PER_AREA:
        report.errors.append(
            f"{area}: {len(formats)} formats, at least {MIN_FORMATS_PER_AREA} needed"
        )


def _check_cues(area: str, items: list[Mapping[str, Any]], report: CheckReport) -> None:
    """Shares of the area's choice items showing each giveaway, against the thresholds."""
    cues = [(item.get("code", "?"), choice_cues(item)) for item in items]
    choice = [(code, cue) for code, cue in cues if cue is not None]
    single = [
        (code, cue)
        for (code, cue), item in zip(cues, items, strict=True)
        if cue is not None and item.get("format") == SINGLE_CHOICE.name
    ]
    several = [(code, cue) for code, cue in choice if cue.keys > 1]
    metrics: dict[str, Any] = {"choice_items": len(choice), "single_choice_items": len(single)}
    shares = (
        ("key_longest", single, lambda cue: cue.key_longest, MAX_KEY_LONGEST),
        ("key_much_longer", single, lambda cue: cue.key_much_longer, MAX_KEY_MUCH_LONGER),
        ("keys_longest", several, lambda cue: cue.key_longest, MAX_KEY_MUCH_LONGER),
        ("keys_much_longer", several, lambda cue: cue.key_much_longer, MAX_KEY_MUCH_LONGER),
        ("stem_echo", choice, lambda cue: bool(cue.echo), MAX_STEM_ECHO),
        (
            "length_spread",
            single,
            lambda cue: cue.length_spread > MAX_LENGTH_SPREAD,
            MAX_SPREAD_SHARE,
        ),
    )
    for name, population, flagged, limit in shares:
        codes = [code for code, cue in population if flagged(cue)]
        share = len(codes) / len(population) if population else 0.0
        metrics[name] = round(share, 3)
        if share > limit:
            report.errors.append(
                f"{area}: {name} in {len(codes)} of {len(population)} items "
                f"({share:.0%} > {limit:.0%}): {', '.join(codes)}"
            )
    keys = sum(cue.keys for _, cue in choice)
    distractors = sum(cue.distractors for _, cue in choice)
    in_keys = sum(cue.absolutes_in_keys for _, cue in choice) / keys if keys else 0.0
    in_distractors = (
        sum(cue.absolutes_in_distractors for _, cue in choice) / distractors if distractors else 0.0
    )
    metrics["absolutes"] = {"keys": round(in_keys, 3), "distractors": round(in_distractors, 3)}
    if in_distractors > 2 * in_keys + ABSOLUTES_MARGIN:
        codes = [code for code, cue in choice if cue.absolutes_in_distractors]
        report.errors.append(
            f"{area}: absolutes in {in_distractors:.0%} of distractors but {in_keys:.0%} of "
            f"keys: {', '.join(codes)}"
        )
    for code, cue in choice:
        if cue.all_or_none:
            report.errors.append(f"{code}: an option is 'all/none of the answers'")
    for item in items:
        copied = answers_in_stem(item)
        if copied:
            report.errors.append(
                f"{item.get('code', '?')}: the stem contains an accepted answer: "
                + "; ".join(copied)
            )
        echoes = matching_echoes(item)
        if echoes:
            report.errors.append(
                f"{item.get('code', '?')}: matching descriptions repeat their names: "
                + "; ".join(echoes)
            )
    report.coverage.setdefault(area, {})["cues"] = metrics


def _check_duplicates(items: list[Mapping[str, Any]], report: CheckReport) -> None:
    for pair in near_duplicates(items):
        report.errors.append(
            f"{pair.first}: near duplicate of {pair.second} ({pair.language}, "
            f"{pair.shared}/{pair.union} content words shared); rewrite one or give both "
            "the same enemy_group"
        )
    groups = Counter(item.get("enemy_group") for item in items if item.get("enemy_group"))
    for group, count in sorted(groups.items()):
        if count < 2:
            report.errors.append(f"bank: enemy group {group} has a single item")


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
        source = str(item.get("source", "")).strip()
        if not source:
            report.errors.append(f"{code}: missing source reference")
        else:
            vague = [part.strip() for part in source.split(";") if not PRECISE_SOURCE.search(part)]
            if vague:
                report.errors.append(
                    f"{code}: source not precise (each reference needs an article or a date): "
                    + " ; ".join(vague)
                )
        review = item.get("level_review")
        if not isinstance(review, Mapping) or not review.get("by") or not review.get("on"):
            report.errors.append(f"{code}: level not reviewed (level_review: by, on)")
        stem = str((item.get("stem") or {}).get("fr", ""))
        key = plain(stem)
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


def load_documents(paths: list[str]) -> dict[str, Any]:
    """Bank documents from files and directories (their `*.json`), merged into one."""
    merged: dict[str, list[Any]] = {"stimuli": [], "items": []}
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        files += sorted(path.glob("*.json")) if path.is_dir() else [path]
    for path in files:
        document = json.loads(path.read_text(encoding="utf-8"))
        merged["stimuli"] += document.get("stimuli", [])
        merged["items"] += document.get("items", [])
    return merged


def item_cues(items: list[Mapping[str, Any]]) -> list[str]:
    """One line per item showing a cue, for authors fixing a batch (`--items`)."""
    lines = []
    for item in items:
        cue = choice_cues(item)
        flags = []
        if cue is not None:
            if cue.key_longest:
                flags.append(
                    "key longest" if cue.keys == 1 else "every key longer than every distractor"
                )
            if cue.key_much_longer:
                flags.append("key much longer" if cue.keys == 1 else "keys much longer on average")
            if cue.echo:
                flags.append("stem echoes key: " + ", ".join(sorted(cue.echo)))
            if cue.absolutes_in_distractors > cue.absolutes_in_keys:
                flags.append("absolutes in distractors")
            if cue.length_spread > MAX_LENGTH_SPREAD:
                flags.append(f"option lengths x{cue.length_spread:.1f}")
        if matching_echoes(item):
            flags.append("matching echo")
        if flags:
            lines.append(f"{item.get('code', '?')}: {'; '.join(flags)}")
    return lines


def main(arguments: list[str]) -> int:
    per_item = "--items" in arguments
    paths = [argument for argument in arguments if argument != "--items"]
    if not paths:
        print("usage: python -m palier.items.content_check [--items] FILE_OR_DIRECTORY...")
        return 2
    try:
        document = load_documents(paths)
    except (OSError, json.JSONDecodeError) as error:
        print(f"cannot read the bank: {error}")
        return 2
    report = check_document(document, seed_capacities_by_area())
    print(json.dumps(report.coverage, indent=1, ensure_ascii=False, sort_keys=True))
    if per_item:
        for line in item_cues(document["items"]):
            print(f"cue: {line}")
    for warning in report.warnings:
        print(f"warning: {warning}")
    for error in report.errors:
        print(f"error: {error}")
    print(f"{len(document['items'])} items, {len(report.errors)} errors")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
