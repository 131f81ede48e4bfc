"""Item formats, one module per format behind this registry.

Each module of this package (except the helpers `base` and `common`) defines one `Format`
subclass and exposes an instance as `FORMAT`: the shape of its answer definition, how a
learner's answer is read (API JSON, question form) and scored, what the learner is shown
(widget template and its choices), the right answer shown in the review, and how the format
maps onto QTI 3. Adding a format is adding one module and listing it in `_MODULES`.

The module-level functions below are thin dispatchers by format name, so callers (seed,
imports, delivery, review) never branch on a format. Pure Python: validation and scoring
do not load Django.

A scorer returns a `Score`: `correct` (what the IRT model sees) and `credit` in [0, 1]
(partial credit, shown to the learner and kept for later polytomous models). `None` as a
response (skipped, "I don't know", timed out) is wrong in every format.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from palier.items.formats import (
    matching,
    multiple_response,
    numeric,
    ordering,
    short_text,
    single_choice,
    stimulus_choice,
)
from palier.items.formats.base import (
    AnswerError,
    Choice,
    DefinitionError,
    Format,
    FormData,
    LearnerParts,
    QtiReader,
    QtiWriter,
    Score,
    gettext_noop,
)
from palier.items.formats.common import (
    LANGUAGES,
    edit_distance,
    full,
    normalise,
    shuffled_option_ids,
)

__all__ = [
    "FORMATS",
    "HELPER_MODULES",
    "LANGUAGES",
    "REGISTRY",
    "AnswerError",
    "Choice",
    "DefinitionError",
    "FormData",
    "Format",
    "LearnerParts",
    "QtiReader",
    "QtiWriter",
    "Score",
    "answer_from_form",
    "edit_distance",
    "get_format",
    "normalise",
    "normalise_answer",
    "score",
    "shuffled_option_ids",
    "validate_definition",
]

_MODULES = (
    single_choice,
    multiple_response,
    short_text,
    numeric,
    ordering,
    matching,
    stimulus_choice,
)
# Modules of this package that are not formats.
HELPER_MODULES = frozenset({"base", "common"})

REGISTRY: dict[str, Format] = {module.FORMAT.name: module.FORMAT for module in _MODULES}
# The format names, in the order authors see them (items/models.py constrains on them).
FORMATS: tuple[str, ...] = tuple(REGISTRY)


def get_format(name: str) -> Format:
    """The format called `name`; KeyError for an unknown name."""
    return REGISTRY[name]


def validate_definition(item_format: str, definition: Any) -> None:
    """Raise DefinitionError when `definition` does not fit `item_format`."""
    if item_format not in REGISTRY:
        raise DefinitionError(
            "format", gettext_noop("Format inconnu : %(format)s."), format=item_format
        )
    if not isinstance(definition, Mapping):
        raise DefinitionError(
            "definition", gettext_noop("La définition de la réponse doit être un objet JSON.")
        )
    REGISTRY[item_format].validate_definition(definition)


def score(item_format: str, definition: Mapping[str, Any], response: Any) -> Score:
    """Score a learner's response; `None` (skipped, "I don't know", timed out) is wrong."""
    if response is None:
        return full(False)
    return REGISTRY[item_format].score(definition, response)


def normalise_answer(item_format: str, definition: Mapping[str, Any], raw: Any) -> Any:
    """The response in the scorer's shape (None stays None: "I don't know"); AnswerError
    with a message for the learner when it cannot be one."""
    if raw is None:
        return None
    if item_format not in REGISTRY:
        raise AnswerError(gettext_noop("Format de question inconnu."))
    return REGISTRY[item_format].normalise_answer(definition, raw)


def answer_from_form(item_format: str, definition: Mapping[str, Any], data: FormData) -> Any:
    """The raw answer posted with the question form (see items/_question.html); None when
    the learner ticked "Je ne sais pas"."""
    if data.get("dont_know"):
        return None
    if item_format not in REGISTRY:
        raise AnswerError(gettext_noop("Format de question inconnu."))
    return REGISTRY[item_format].answer_from_form(definition, data)
