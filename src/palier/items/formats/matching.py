"""Matching: associate each left element with one right element.

Definition: {"left": [...], "right": [...], "correct": {"left id": "right id"}} (every left
id once). Right if every pair; credit = share of right pairs. Form: one select per left
element (`match-<id>`). QTI: qti-match-interaction with two simple match sets, multiple
directedPair response ("left right").
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


class Matching(Format):
    name = "matching"
    widget = "match"
    template = "items/widgets/match.html"

    def validate_definition(self, definition: Mapping[str, Any]) -> None:
        left = check_options(definition, "left")
        right = check_options(definition, "right")
        correct = definition.get("correct")
        if not isinstance(correct, Mapping) or sorted(correct) != sorted(left):
            raise DefinitionError(
                "correct", gettext_noop("Chaque élément à associer a exactement une proposition.")
            )
        if any(target not in right for target in correct.values()):
            raise DefinitionError(
                "correct",
                gettext_noop("Les paires désignent des propositions de la liste de droite."),
            )

    def matched_pairs(
        self, definition: Mapping[str, Any]
    ) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
        right = {option["id"]: option for option in definition["right"]}
        return [(left, right[definition["correct"][left["id"]]]) for left in definition["left"]]

    def normalise_answer(self, definition: Mapping[str, Any], raw: Any) -> Any:
        left, right = option_ids(definition, "left"), option_ids(definition, "right")
        if (
            not isinstance(raw, Mapping)
            or sorted(raw) != sorted(left)
            or not all(value in right for value in raw.values())
        ):
            raise AnswerError(gettext_noop("Associez chaque élément à une proposition."))
        return dict(raw)

    def answer_from_form(self, definition: Mapping[str, Any], data: FormData) -> Any:
        return {left: data.get(f"match-{left}", "") for left in option_ids(definition, "left")}

    def score(self, definition: Mapping[str, Any], response: Any) -> Score:
        correct = definition["correct"]
        if not isinstance(response, Mapping):
            return full(False)
        right = sum(response.get(left) == target for left, target in correct.items())
        return Score(right == len(correct), right / len(correct))

    def learner_parts(
        self, definition: Mapping[str, Any], seed: int, language: str
    ) -> LearnerParts:
        return LearnerParts(
            options=shuffled_choices(definition, "left", seed, language),
            targets=shuffled_choices(definition, "right", seed, language),
        )

    def expected_answer(self, definition: Mapping[str, Any], language: str) -> Any:
        return definition["correct"]

    def qti_export(self, definition: Mapping[str, Any], writer: QtiWriter) -> None:
        writer.response(
            "multiple",
            "directedPair",
            [f"{left} {right}" for left, right in definition["correct"].items()],
        )
        left_count = str(len(definition["left"]))
        interaction = writer.interaction(
            "qti-match-interaction", {"shuffle": "true", "max-associations": left_count}
        )
        for side, match_max in (("left", "1"), ("right", left_count)):
            match_set = writer.element(interaction, "qti-simple-match-set")
            writer.choices(
                match_set,
                "qti-simple-associable-choice",
                definition[side],
                **{"match-max": match_max},
            )

    def qti_import(self, reader: QtiReader) -> dict[str, Any] | None:
        interactions = reader.find("qti-match-interaction")
        if not interactions:
            return None
        sets = reader.find("qti-simple-match-set", within=interactions[0])
        if len(sets) != 2:
            raise reader.error("a match interaction needs two match sets")
        left = reader.options(sets[0], "qti-simple-associable-choice")
        right = reader.options(sets[1], "qti-simple-associable-choice")
        pairs = dict(value.split(" ", 1) for value in reader.values if " " in value)
        return {"left": left, "right": right, "correct": pairs}


FORMAT = Matching()
