"""Ordering: put every option in the right order.

Definition: {"options": [...], "correct": ["id", ...]} listing every option once, in order.
Right if the exact order; credit = share of pairs of options in the right relative order.
Form: one position select per option (`order-<id>`). QTI: qti-order-interaction, ordered
identifier response.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from palier.items.formats.base import (
    AnswerError,
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
    check_correct_ids,
    check_options,
    full,
    option_ids,
    shuffled_choices,
)


class Ordering(Format):
    name = "ordering"
    widget = "order"
    template = "items/widgets/order.html"

    def validate_definition(self, definition: Mapping[str, Any]) -> None:
        ids = check_options(definition)
        correct = check_correct_ids(definition, ids)
        if sorted(correct) != sorted(ids):
            raise DefinitionError(
                "correct", gettext_noop("Le bon ordre cite chaque élément une fois.")
            )

    def normalise_answer(self, definition: Mapping[str, Any], raw: Any) -> Any:
        if not isinstance(raw, list) or sorted(map(str, raw)) != sorted(option_ids(definition)):
            raise AnswerError(gettext_noop("Classez chaque élément une fois."))
        return [str(value) for value in raw]

    def answer_from_form(self, definition: Mapping[str, Any], data: FormData) -> Any:
        ranks = {
            option_id: data.get(f"order-{option_id}", "") for option_id in option_ids(definition)
        }
        if not all(rank.isdigit() for rank in ranks.values()) or len(set(ranks.values())) != len(
            ranks
        ):
            raise AnswerError(gettext_noop("Donnez à chaque élément une position différente."))
        return sorted(ranks, key=lambda option_id: int(ranks[option_id]))

    def score(self, definition: Mapping[str, Any], response: Any) -> Score:
        correct = list(definition["correct"])
        if not isinstance(response, list) or sorted(map(str, response)) != sorted(correct):
            return full(False)
        rank = {option: index for index, option in enumerate(response)}
        pairs = [(a, b) for index, a in enumerate(correct) for b in correct[index + 1 :]]
        agreeing = sum(rank[a] < rank[b] for a, b in pairs)
        return Score(response == correct, agreeing / len(pairs))

    def learner_parts(
        self, definition: Mapping[str, Any], seed: int, language: str
    ) -> LearnerParts:
        return LearnerParts(options=shuffled_choices(definition, "options", seed, language))

    def expected_answer(self, definition: Mapping[str, Any], language: str) -> Any:
        return definition["correct"]

    def qti_export(self, definition: Mapping[str, Any], writer: QtiWriter) -> None:
        writer.response("ordered", "identifier", list(definition["correct"]))
        interaction = writer.interaction("qti-order-interaction", {"shuffle": "true"})
        writer.choices(interaction, "qti-simple-choice", definition["options"])

    def qti_import(self, reader: QtiReader) -> dict[str, Any] | None:
        interactions = reader.find("qti-order-interaction")
        if not interactions:
            return None
        return {
            "options": reader.options(interactions[0], "qti-simple-choice"),
            "correct": reader.values,
        }


FORMAT = Ordering()
