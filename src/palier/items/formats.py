"""Item formats: the shape of each format's answer definition, and its scorer.

Pure Python (no Django): the seed files, the import commands and the delivery code all
validate and score through these functions. A scorer takes the definition and the learner's
response and returns a `Score`: `correct` (what the IRT model sees) and `credit` in [0, 1]
(partial credit, shown to the learner and kept for later polytomous models).

Definitions (JSON, texts as {"fr": ..., "en": ...}):
- single_choice:      {"options": [{"id", "text"}...], "correct": "id"}
- multiple_response:  {"options": [...], "correct": ["id", ...]}             (>= 1 correct)
- short_text:         {"accepted": {"fr": ["..."], "en": ["..."]}, "max_typos": 0..2}
- numeric:            {"value": float, "tolerance": float >= 0, "unit": {"fr", "en"} | null}
- ordering:           {"options": [...], "correct": ["id", ...]}              (all ids, in order)
- matching:           {"left": [...], "right": [...], "correct": {"left id": "right id"}}
- stimulus_choice:    {"options": [...], "correct": ["id", ...]}  the parts of the stimulus
                      (lines of an e-mail, fields of a record) the learner picks from, shown
                      as an accessible list of choices.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FORMATS = (
    "single_choice",
    "multiple_response",
    "short_text",
    "numeric",
    "ordering",
    "matching",
    "stimulus_choice",
)
LANGUAGES = ("fr", "en")
MIN_OPTIONS = 2
MAX_OPTIONS = 10
MAX_TYPOS = 2
# A short answer shorter than this must be typed exactly (after normalisation): one typo in
# a four-letter word is another word.
MIN_LENGTH_FOR_TYPOS = 5
MAX_OPTION_TEXT = 500


class DefinitionError(ValueError):
    """An answer definition does not fit its format. `field` names the faulty part."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Score:
    correct: bool
    credit: float


# --- validation -------------------------------------------------------------------------


def _text(value: Any, field: str, *, required_en: bool = False) -> None:
    if not isinstance(value, Mapping) or not str(value.get("fr", "")).strip():
        raise DefinitionError(field, "a French text is required")
    for language in LANGUAGES:
        text = value.get(language, "")
        if not isinstance(text, str) or len(text) > MAX_OPTION_TEXT:
            raise DefinitionError(
                field, f"text ({language}) must be a string of at most {MAX_OPTION_TEXT} characters"
            )
    if required_en and not str(value.get("en", "")).strip():
        raise DefinitionError(field, "an English text is required")


def _options(definition: Mapping[str, Any], key: str = "options") -> list[str]:
    options = definition.get(key)
    if not isinstance(options, list) or not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise DefinitionError(key, f"between {MIN_OPTIONS} and {MAX_OPTIONS} options are needed")
    ids: list[str] = []
    texts: list[str] = []
    for index, option in enumerate(options):
        if not isinstance(option, Mapping) or not isinstance(option.get("id"), str):
            raise DefinitionError(f"{key}[{index}]", "each option needs an 'id' and a 'text'")
        if not option["id"].strip():
            raise DefinitionError(f"{key}[{index}].id", "an option id cannot be empty")
        _text(option.get("text"), f"{key}[{index}].text")
        ids.append(option["id"])
        texts.append(normalise(option["text"]["fr"]))
    if len(set(ids)) != len(ids):
        raise DefinitionError(key, "option ids must be unique")
    if len(set(texts)) != len(texts):
        raise DefinitionError(key, "two options have the same text")
    return ids


def _correct_ids(definition: Mapping[str, Any], ids: Sequence[str]) -> list[str]:
    correct = definition.get("correct")
    if not isinstance(correct, list) or not correct:
        raise DefinitionError("correct", "at least one correct option is needed")
    if any(choice not in ids for choice in correct) or len(set(correct)) != len(correct):
        raise DefinitionError("correct", "correct answers must be distinct option ids")
    return correct


def _validate_single_choice(definition: Mapping[str, Any]) -> None:
    ids = _options(definition)
    if definition.get("correct") not in ids:
        raise DefinitionError("correct", "the correct answer must be one of the option ids")


def _validate_multiple(definition: Mapping[str, Any]) -> None:
    _correct_ids(definition, _options(definition))


def _validate_short_text(definition: Mapping[str, Any]) -> None:
    accepted = definition.get("accepted")
    if not isinstance(accepted, Mapping) or not accepted.get("fr"):
        raise DefinitionError("accepted", "at least one accepted French answer is needed")
    for language, answers in accepted.items():
        if language not in LANGUAGES or not isinstance(answers, list):
            raise DefinitionError("accepted", "accepted answers are lists per language (fr, en)")
        if not all(isinstance(answer, str) and normalise(answer) for answer in answers):
            raise DefinitionError(f"accepted.{language}", "accepted answers cannot be empty")
    typos = definition.get("max_typos", 1)
    if not isinstance(typos, int) or isinstance(typos, bool) or not 0 <= typos <= MAX_TYPOS:
        raise DefinitionError("max_typos", f"an integer from 0 to {MAX_TYPOS}")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _validate_numeric(definition: Mapping[str, Any]) -> None:
    if not _number(definition.get("value")):
        raise DefinitionError("value", "the expected value must be a number")
    tolerance = definition.get("tolerance", 0)
    if not _number(tolerance) or tolerance < 0:
        raise DefinitionError("tolerance", "the tolerance must be a number >= 0")
    if definition.get("unit") is not None:
        _text(definition["unit"], "unit")


def _validate_ordering(definition: Mapping[str, Any]) -> None:
    ids = _options(definition)
    correct = _correct_ids(definition, ids)
    if sorted(correct) != sorted(ids):
        raise DefinitionError("correct", "the correct order must list every option once")


def _validate_matching(definition: Mapping[str, Any]) -> None:
    left = _options(definition, "left")
    right = _options(definition, "right")
    correct = definition.get("correct")
    if not isinstance(correct, Mapping) or sorted(correct) != sorted(left):
        raise DefinitionError("correct", "each left element needs exactly one match")
    if any(target not in right for target in correct.values()):
        raise DefinitionError("correct", "matches must be right-hand ids")


VALIDATORS: dict[str, Callable[[Mapping[str, Any]], None]] = {
    "single_choice": _validate_single_choice,
    "multiple_response": _validate_multiple,
    "short_text": _validate_short_text,
    "numeric": _validate_numeric,
    "ordering": _validate_ordering,
    "matching": _validate_matching,
    "stimulus_choice": _validate_multiple,
}


def validate_definition(item_format: str, definition: Any) -> None:
    """Raise DefinitionError when `definition` does not fit `item_format`."""
    if item_format not in VALIDATORS:
        raise DefinitionError("format", f"unsupported format {item_format!r}")
    if not isinstance(definition, Mapping):
        raise DefinitionError("definition", "the answer definition must be an object")
    VALIDATORS[item_format](definition)


# --- scoring ------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a typed answer ("  Hébergeur " ->
    "hebergeur"); apostrophes and hyphens count as spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    for separator in ("'", "\u2019", "-", "_", "."):
        stripped = stripped.replace(separator, " ")
    return " ".join(stripped.casefold().split())


def edit_distance(first: str, second: str, limit: int) -> int:
    """Levenshtein distance, stopping early once it exceeds `limit` (returns limit + 1)."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous = list(range(len(second) + 1))
    for row, char_a in enumerate(first, start=1):
        current = [row]
        for column, char_b in enumerate(second, start=1):
            current.append(
                min(
                    previous[column] + 1,
                    current[column - 1] + 1,
                    previous[column - 1] + (char_a != char_b),
                )
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _full(correct: bool) -> Score:
    return Score(correct, 1.0 if correct else 0.0)


def _score_single(definition: Mapping[str, Any], response: Any) -> Score:
    return _full(response == definition["correct"])


def _score_set(definition: Mapping[str, Any], response: Any) -> Score:
    """Credit = (right picks - wrong picks) / number of right answers, floored at 0."""
    chosen = set(response) if isinstance(response, list | tuple | set) else set()
    correct = set(definition["correct"])
    credit = max(0.0, (len(chosen & correct) - len(chosen - correct)) / len(correct))
    return Score(chosen == correct, credit)


def _score_short_text(definition: Mapping[str, Any], response: Any) -> Score:
    if not isinstance(response, str) or not normalise(response):
        return _full(False)
    typed = normalise(response)
    allowed = definition.get("max_typos", 1)
    for answers in definition["accepted"].values():
        for answer in answers:
            expected = normalise(answer)
            limit = allowed if len(expected) >= MIN_LENGTH_FOR_TYPOS else 0
            if edit_distance(typed, expected, limit) <= limit:
                return _full(True)
    return _full(False)


def _score_numeric(definition: Mapping[str, Any], response: Any) -> Score:
    if isinstance(response, str):
        try:
            response = float(response.replace(",", ".").replace("\u202f", "").replace(" ", ""))
        except ValueError:
            return _full(False)
    if not _number(response):
        return _full(False)
    return _full(abs(float(response) - definition["value"]) <= definition.get("tolerance", 0))


def _score_ordering(definition: Mapping[str, Any], response: Any) -> Score:
    """Credit = share of pairs of options put in the right relative order."""
    correct = list(definition["correct"])
    if not isinstance(response, list) or sorted(map(str, response)) != sorted(correct):
        return _full(False)
    rank = {option: index for index, option in enumerate(response)}
    pairs = [(a, b) for index, a in enumerate(correct) for b in correct[index + 1 :]]
    agreeing = sum(rank[a] < rank[b] for a, b in pairs)
    return Score(response == correct, agreeing / len(pairs))


def _score_matching(definition: Mapping[str, Any], response: Any) -> Score:
    correct = definition["correct"]
    if not isinstance(response, Mapping):
        return _full(False)
    right = sum(response.get(left) == target for left, target in correct.items())
    return Score(right == len(correct), right / len(correct))


SCORERS: dict[str, Callable[[Mapping[str, Any], Any], Score]] = {
    "single_choice": _score_single,
    "multiple_response": _score_set,
    "short_text": _score_short_text,
    "numeric": _score_numeric,
    "ordering": _score_ordering,
    "matching": _score_matching,
    "stimulus_choice": _score_set,
}


def score(item_format: str, definition: Mapping[str, Any], response: Any) -> Score:
    """Score a learner's response; `None` (skipped, "I don't know", timed out) is wrong."""
    if response is None:
        return _full(False)
    return SCORERS[item_format](definition, response)


def shuffled_option_ids(
    definition: Mapping[str, Any], seed: int, key: str = "options"
) -> list[str]:
    """The option ids in the order one attempt shows them (same seed, same order)."""
    ids = [option["id"] for option in definition.get(key, [])]
    random.Random(seed).shuffle(ids)
    return ids
