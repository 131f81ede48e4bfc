"""Helpers shared by the format modules: texts and option lists in definitions, text
normalisation and typo distance, the per-attempt option order, answer lists."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from palier.items.formats.base import AnswerError, Choice, DefinitionError, Score, gettext_noop

LANGUAGES = ("fr", "en")
MIN_OPTIONS = 2
MAX_OPTIONS = 10
MAX_OPTION_TEXT = 500
# Longest typed answer (short text, numeric) kept with a response.
MAX_TEXT = 200


# --- definitions --------------------------------------------------------------------------


def check_text(value: Any, field: str, *, required_en: bool = False) -> None:
    """A {"fr", "en"} text with a French part, each at most MAX_OPTION_TEXT characters."""
    if not isinstance(value, Mapping) or not str(value.get("fr", "")).strip():
        raise DefinitionError(field, gettext_noop("Un texte en français est obligatoire."))
    for language in LANGUAGES:
        text = value.get(language, "")
        if not isinstance(text, str) or len(text) > MAX_OPTION_TEXT:
            raise DefinitionError(
                field,
                gettext_noop("Le texte (%(language)s) doit faire au plus %(limit)s caractères."),
                language=language,
                limit=MAX_OPTION_TEXT,
            )
    if required_en and not str(value.get("en", "")).strip():
        raise DefinitionError(field, gettext_noop("Un texte en anglais est obligatoire."))


def check_options(definition: Mapping[str, Any], key: str = "options") -> list[str]:
    """The ids of a valid option list (MIN_OPTIONS to MAX_OPTIONS options, unique ids and
    texts); DefinitionError otherwise."""
    options = definition.get(key)
    if not isinstance(options, list) or not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise DefinitionError(
            key,
            gettext_noop("Il faut de %(low)s à %(high)s options."),
            low=MIN_OPTIONS,
            high=MAX_OPTIONS,
        )
    ids: list[str] = []
    texts: list[str] = []
    for index, option in enumerate(options):
        if not isinstance(option, Mapping) or not isinstance(option.get("id"), str):
            raise DefinitionError(
                f"{key}[{index}]",
                gettext_noop("Chaque option a un identifiant (id) et un texte (text)."),
            )
        if not option["id"].strip():
            raise DefinitionError(
                f"{key}[{index}].id",
                gettext_noop("L'identifiant d'une option ne peut pas être vide."),
            )
        check_text(option.get("text"), f"{key}[{index}].text")
        ids.append(option["id"])
        texts.append(normalise(option["text"]["fr"]))
    if len(set(ids)) != len(ids):
        raise DefinitionError(key, gettext_noop("Deux options ont le même identifiant."))
    if len(set(texts)) != len(texts):
        raise DefinitionError(key, gettext_noop("Deux options ont le même texte."))
    return ids


def check_correct_ids(definition: Mapping[str, Any], ids: Sequence[str]) -> list[str]:
    """A non-empty list of distinct option ids under "correct"."""
    correct = definition.get("correct")
    if not isinstance(correct, list) or not correct:
        raise DefinitionError("correct", gettext_noop("Indiquez au moins une bonne réponse."))
    if any(choice not in ids for choice in correct) or len(set(correct)) != len(correct):
        raise DefinitionError(
            "correct", gettext_noop("Les bonnes réponses sont des options différentes de la liste.")
        )
    return correct


def is_number(value: Any) -> bool:
    """An int or float that is not a bool and not NaN."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def option_ids(definition: Mapping[str, Any], key: str = "options") -> list[str]:
    return [option["id"] for option in definition.get(key, [])]


# --- text ---------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a text ("  Hébergeur " ->
    "hebergeur"); apostrophes, hyphens and dots count as spaces."""
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


# --- delivery -----------------------------------------------------------------------------


def full(correct: bool) -> Score:
    """All or nothing."""
    return Score(correct, 1.0 if correct else 0.0)


def shuffled_option_ids(
    definition: Mapping[str, Any], seed: int, key: str = "options"
) -> list[str]:
    """The option ids in the order one attempt shows them (same seed, same order)."""
    ids = option_ids(definition, key)
    random.Random(seed).shuffle(ids)
    return ids


def shuffled_choices(
    definition: Mapping[str, Any], key: str, seed: int, language: str
) -> list[Choice]:
    """The options under `key`, shuffled for the attempt, in `language` (French fallback)."""
    by_id = {option["id"]: option for option in definition.get(key, [])}
    return [
        Choice(option_id, by_id[option_id]["text"].get(language) or by_id[option_id]["text"]["fr"])
        for option_id in shuffled_option_ids(definition, seed, key)
    ]


def typed_answer(raw: Any) -> str:
    """A typed answer (short text, numeric): a string or number, 1 to MAX_TEXT characters."""
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise AnswerError(gettext_noop("Saisissez une réponse."))
    text = str(raw).strip()
    if not text or len(text) > MAX_TEXT:
        raise AnswerError(gettext_noop("Saisissez une réponse de 200 caractères au plus."))
    return text


def picked_ids(definition: Mapping[str, Any], raw: Any) -> list[str]:
    """One or more distinct option ids, sorted (multiple response, stimulus choice)."""
    if not isinstance(raw, list) or not all(isinstance(value, str) for value in raw):
        raise AnswerError(gettext_noop("La réponse doit être une liste de choix."))
    if not raw or len(set(raw)) != len(raw) or not set(raw) <= set(option_ids(definition)):
        raise AnswerError(gettext_noop("Choisissez une ou plusieurs des réponses proposées."))
    return sorted(raw)


def score_set(definition: Mapping[str, Any], response: Any) -> Score:
    """Credit = (right picks - wrong picks) / number of right answers, floored at 0."""
    chosen = set(response) if isinstance(response, list | tuple | set) else set()
    correct = set(definition["correct"])
    credit = max(0.0, (len(chosen & correct) - len(chosen - correct)) / len(correct))
    return Score(chosen == correct, credit)
