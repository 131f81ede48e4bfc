"""Cues that give a multiple-choice item away, measured on its French texts (pure Python).

Each function looks at one item of a bank document (see `seed_schema`) and answers one
question of the item-writing checklist (docs/items.md): is the key the longest option, is it
much longer than the distractors, do absolutes sit in distractors, does the stem echo the
key, do matching descriptions echo their names. `content_check` turns these per-item facts
into per-area shares with thresholds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from palier.items.formats import REGISTRY, normalise
from palier.items.formats.base import Format

TAG = re.compile(r"<[^>]+>")
WORD = re.compile(r"[a-z0-9]+")
# Absolute words, the classic cue of a wrong option (matched on normalised text).
ABSOLUTES = re.compile(
    r"\b(toujours|jamais|uniquement|seulement|exactement|aucune?|tous|toutes|"
    r"systematiquement|obligatoirement|en aucun cas|forcement|totalement|seule?s?|"
    r"suffit|suffisent|rien de plus|n.importe quel(le)?s?)\b"
)
ALL_OR_NONE = re.compile(
    r"\b(toutes les (reponses|propositions)|aucune des (reponses|propositions)|"
    r"tous les elements ci-dessus|toutes les reponses ci-dessus)\b"
)
# Words of five letters or more carry the content; these frequent ones do not.
COMMON_WORDS = frozenset(
    (
        "alors",
        "apres",
        "autre",
        "autres",
        "avant",
        "avec",
        "avoir",
        "cadre",
        "celle",
        "celui",
        "cette",
        "chaque",
        "comme",
        "dans",
        "depuis",
        "doit",
        "doivent",
        "donnee",
        "donnees",
        "elles",
        "entre",
        "etre",
        "faire",
        "information",
        "informations",
        "leur",
        "leurs",
        "meme",
        "moins",
        "notre",
        "parmi",
        "patient",
        "patiente",
        "patients",
        "personne",
        "personnes",
        "peut",
        "peuvent",
        "plusieurs",
        "pour",
        "pourquoi",
        "professionnel",
        "professionnelle",
        "professionnels",
        "quand",
        "quelle",
        "quelles",
        "quels",
        "reponse",
        "reponses",
        "sante",
        "selon",
        "service",
        "situation",
        "sont",
        "suivant",
        "suivante",
        "suivantes",
        "suivants",
        "toute",
        "votre",
        "vous",
    )
)


def plain(text: Any) -> str:
    """Normalised text of an HTML fragment: no tags, lower case, no accents."""
    return normalise(TAG.sub(" ", str(text or "")))


def content_words(text: str) -> set[str]:
    """Words that carry meaning (five letters or more, not frequent), a final s or x dropped."""
    words = set()
    for word in WORD.findall(plain(text)):
        if len(word) >= 5 and word not in COMMON_WORDS:
            words.add(word[:-1] if word[-1] in "sx" else word)
    return words


def french(node: Mapping[str, Any] | None) -> str:
    return str((node or {}).get("fr", "")) if isinstance(node, Mapping) else ""


@dataclass(frozen=True)
class ChoiceCues:
    """The cues of one item with options and a set of keys (single or multiple choice)."""

    key_longest: bool
    key_much_longer: bool
    length_spread: float
    absolutes_in_keys: int
    absolutes_in_distractors: int
    keys: int
    distractors: int
    echo: frozenset[str]
    all_or_none: bool


MUCH_LONGER = 1.25


def _format(item: Mapping[str, Any]) -> Format | None:
    return REGISTRY.get(str(item.get("format")))


def keys_and_distractors(
    item: Mapping[str, Any],
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]] | None:
    """The keyed options and the others, for formats where the learner picks among them."""
    item_format = _format(item)
    return item_format.keys_and_distractors(item["definition"]) if item_format else None


def choice_cues(item: Mapping[str, Any]) -> ChoiceCues | None:
    """Cues of an item where the learner picks keyed options among distractors."""
    split = keys_and_distractors(item)
    if split is None:
        return None
    keys = [plain(french(option.get("text"))) for option in split[0]]
    distractors = [plain(french(option.get("text"))) for option in split[1]]
    if not keys or not distractors:
        return None
    lengths = [len(text) for text in keys + distractors]
    mean_distractor = sum(len(text) for text in distractors) / len(distractors)
    longest_distractor = max(len(text) for text in distractors)
    # With several keys, the cue is every key outgrowing every distractor, and the keys'
    # mean length against the distractors'.
    key_length = min(len(text) for text in keys) if len(keys) > 1 else len(keys[0])
    mean_key = sum(len(text) for text in keys) / len(keys)
    stem_words = content_words(french(item.get("stem")))
    distractor_words = set().union(*(content_words(text) for text in distractors))
    key_words = set().union(*(content_words(text) for text in keys))
    return ChoiceCues(
        key_longest=key_length > longest_distractor,
        key_much_longer=mean_key > MUCH_LONGER * mean_distractor,
        length_spread=max(lengths) / max(1, min(lengths)),
        absolutes_in_keys=sum(bool(ABSOLUTES.search(text)) for text in keys),
        absolutes_in_distractors=sum(bool(ABSOLUTES.search(text)) for text in distractors),
        keys=len(keys),
        distractors=len(distractors),
        echo=frozenset((stem_words & key_words) - distractor_words),
        all_or_none=any(ALL_OR_NONE.search(text) for text in keys + distractors),
    )


def matching_echoes(item: Mapping[str, Any]) -> list[str]:
    """Elements of a matching item whose own match repeats one of their words (a word no
    other match has)."""
    item_format = _format(item)
    pairs = item_format.matched_pairs(item["definition"]) if item_format else []
    echoes = []
    for position, (left, right) in enumerate(pairs):
        others = set().union(
            *(
                content_words(french(other.get("text")))
                for index, (_, other) in enumerate(pairs)
                if index != position
            )
        )
        left_words = content_words(french(left.get("text")))
        if (left_words & content_words(french(right.get("text")))) - others:
            echoes.append(french(left.get("text")))
    return echoes


def answers_in_stem(item: Mapping[str, Any]) -> list[str]:
    """Accepted typed answers that the stem already contains (copying the stem scores)."""
    item_format = _format(item)
    if item_format is None:
        return []
    found = []
    for language in ("fr", "en"):
        stem = f" {' '.join(WORD.findall(plain((item.get('stem') or {}).get(language))))} "
        for answer in item_format.typed_answers(item["definition"], language):
            words = " ".join(WORD.findall(plain(answer)))
            if len(words) >= 3 and f" {words} " in stem:
                found.append(answer)
    return found
