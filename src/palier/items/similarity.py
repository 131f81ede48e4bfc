"""Near-duplicate questions across the whole bank (pure Python, exact arithmetic).

An item's signature is the set of content words of its stem and of what it asks to find
(the key of a choice item, every option of the other formats), in one language. Two items
are near duplicates when the signatures of either language overlap by at least half
(Jaccard index: shared words / all words >= 1/2, compared in integers: no float ties). Items that
share an enemy group are allowed to be close: a test never shows both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from palier.items.cueing import content_words, keys_and_distractors

# Jaccard threshold as a fraction: overlap * DENOMINATOR >= union * NUMERATOR.
NUMERATOR, DENOMINATOR = 1, 2
LANGUAGES = ("fr", "en")
# Where a definition lists the texts a learner chooses among or matches.
OPTION_LISTS = ("options", "left", "right")


@dataclass(frozen=True)
class NearDuplicate:
    first: str
    second: str
    language: str
    shared: int
    union: int


def signature(item: Mapping[str, Any], language: str) -> frozenset[str]:
    definition = item.get("definition") or {}
    split = keys_and_distractors(item)
    options = (
        split[0]
        if split is not None
        else [option for key in OPTION_LISTS for option in definition.get(key) or []]
    )
    texts = [str((item.get("stem") or {}).get(language, ""))]
    texts += [str((option.get("text") or {}).get(language, "")) for option in options]
    return frozenset().union(*(content_words(text) for text in texts))


def near_duplicates(items: Sequence[Mapping[str, Any]]) -> list[NearDuplicate]:
    """Pairs of items (in bank order) whose signatures overlap by half or more."""
    found = []
    signatures = [
        (
            item.get("code", "?"),
            item.get("enemy_group"),
            {language: signature(item, language) for language in LANGUAGES},
        )
        for item in items
    ]
    for (first, first_group, first_sig), (second, second_group, second_sig) in combinations(
        signatures, 2
    ):
        if first_group and first_group == second_group:
            continue
        for language in LANGUAGES:
            a, b = first_sig[language], second_sig[language]
            union = len(a | b)
            shared = len(a & b)
            if union and shared * DENOMINATOR >= union * NUMERATOR:
                found.append(NearDuplicate(first, second, language, shared, union))
                break
    return found
