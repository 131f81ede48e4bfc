"""Single choice: one right option among 2 to 10.

Definition: {"options": [{"id", "text": {"fr", "en"}}...], "correct": "id"}. Right or wrong.
QTI: qti-choice-interaction with max-choices="1", single identifier response.
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
from palier.items.formats.common import check_options, full, option_ids, shuffled_choices


class SingleChoice(Format):
    name = "single_choice"
    widget = "radio"
    template = "items/widgets/choice.html"

    def validate_definition(self, definition: Mapping[str, Any]) -> None:
        if definition.get("correct") not in check_options(definition):
            raise DefinitionError(
                "correct", gettext_noop("Indiquez la bonne réponse parmi les options.")
            )

    def keys_and_distractors(
        self, definition: Mapping[str, Any]
    ) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
        options = definition["options"]
        keyed = [option for option in options if option["id"] == definition["correct"]]
        return keyed, [option for option in options if option["id"] != definition["correct"]]

    def normalise_answer(self, definition: Mapping[str, Any], raw: Any) -> Any:
        if not isinstance(raw, str) or raw not in option_ids(definition):
            raise AnswerError(gettext_noop("Choisissez une des réponses proposées."))
        return raw

    def answer_from_form(self, definition: Mapping[str, Any], data: FormData) -> Any:
        return data.get("answer") or ""

    def score(self, definition: Mapping[str, Any], response: Any) -> Score:
        return full(response == definition["correct"])

    def learner_parts(
        self, definition: Mapping[str, Any], seed: int, language: str
    ) -> LearnerParts:
        return LearnerParts(options=shuffled_choices(definition, "options", seed, language))

    def expected_answer(self, definition: Mapping[str, Any], language: str) -> Any:
        return definition["correct"]

    def qti_export(self, definition: Mapping[str, Any], writer: QtiWriter) -> None:
        writer.response("single", "identifier", [definition["correct"]])
        interaction = writer.interaction(
            "qti-choice-interaction", {"shuffle": "true", "max-choices": "1"}
        )
        writer.choices(interaction, "qti-simple-choice", definition["options"])

    def qti_import(self, reader: QtiReader) -> dict[str, Any] | None:
        interactions = reader.find("qti-choice-interaction", "choiceInteraction")
        if (
            not interactions
            or reader.attribute(interactions[0], "max-choices", "maxChoices") != "1"
        ):
            return None
        return {
            "options": reader.options(interactions[0], "qti-simple-choice", "simpleChoice"),
            "correct": reader.values[0] if reader.values else "",
        }


FORMAT = SingleChoice()
