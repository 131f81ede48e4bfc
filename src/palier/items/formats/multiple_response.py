"""Multiple response: one or more right options among 2 to 10.

Definition: {"options": [...], "correct": ["id", ...]} (at least one). Right if the exact
set; credit = (right picks - wrong picks) / number of right answers, floored at 0.
QTI: qti-choice-interaction with max-choices="0", multiple identifier response.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from palier.items.formats.base import (
    Format,
    FormData,
    LearnerParts,
    QtiReader,
    QtiWriter,
    Score,
)
from palier.items.formats.common import (
    check_correct_ids,
    check_options,
    picked_ids,
    score_set,
    shuffled_choices,
)

# The class a Palier export puts on the choice interaction of a stimulus choice item.
STIMULUS_CHOICE_CLASS = "palier-stimulus-choice"


class MultipleResponse(Format):
    name = "multiple_response"
    widget = "checkbox"
    template = "items/widgets/choice.html"
    # Extra attributes of the exported choice interaction (see stimulus_choice).
    interaction_attributes: dict[str, str] = {}

    def validate_definition(self, definition: Mapping[str, Any]) -> None:
        check_correct_ids(definition, check_options(definition))

    def keys_and_distractors(
        self, definition: Mapping[str, Any]
    ) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
        options, correct = definition["options"], set(definition["correct"])
        keyed = [option for option in options if option["id"] in correct]
        return keyed, [option for option in options if option["id"] not in correct]

    def normalise_answer(self, definition: Mapping[str, Any], raw: Any) -> Any:
        return picked_ids(definition, raw)

    def answer_from_form(self, definition: Mapping[str, Any], data: FormData) -> Any:
        return data.getlist("answer")

    def score(self, definition: Mapping[str, Any], response: Any) -> Score:
        return score_set(definition, response)

    def learner_parts(
        self, definition: Mapping[str, Any], seed: int, language: str
    ) -> LearnerParts:
        return LearnerParts(options=shuffled_choices(definition, "options", seed, language))

    def expected_answer(self, definition: Mapping[str, Any], language: str) -> Any:
        return definition["correct"]

    def qti_export(self, definition: Mapping[str, Any], writer: QtiWriter) -> None:
        writer.response("multiple", "identifier", list(definition["correct"]))
        interaction = writer.interaction(
            "qti-choice-interaction",
            {"shuffle": "true", "max-choices": "0", **self.interaction_attributes},
        )
        writer.choices(interaction, "qti-simple-choice", definition["options"])

    def qti_import(self, reader: QtiReader) -> dict[str, Any] | None:
        interactions = reader.find("qti-choice-interaction", "choiceInteraction")
        if not interactions or not self.reads(reader, interactions[0]):
            return None
        return {
            "options": reader.options(interactions[0], "qti-simple-choice", "simpleChoice"),
            "correct": reader.values,
        }

    def reads(self, reader: QtiReader, interaction: Any) -> bool:
        """A choice interaction allowing several choices, not marked as a stimulus choice."""
        return reader.attribute(
            interaction, "max-choices", "maxChoices"
        ) != "1" and STIMULUS_CHOICE_CLASS not in reader.classes(interaction)


FORMAT = MultipleResponse()
