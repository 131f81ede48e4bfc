"""Stimulus choice: the learner picks the parts of the stimulus (lines of an e-mail, fields
of a record) that answer the question, shown as an accessible list of choices.

Definition, reading and scoring as multiple response: {"options": [...], "correct": [...]}.
QTI: a multiple qti-choice-interaction marked with the class `palier-stimulus-choice` (or
declared as this format in the manifest's Palier metadata).
"""

from __future__ import annotations

from typing import Any

from palier.items.formats.base import QtiReader
from palier.items.formats.multiple_response import STIMULUS_CHOICE_CLASS, MultipleResponse


class StimulusChoice(MultipleResponse):
    name = "stimulus_choice"
    interaction_attributes = {"class": STIMULUS_CHOICE_CLASS}

    def reads(self, reader: QtiReader, interaction: Any) -> bool:
        return reader.attribute(interaction, "max-choices", "maxChoices") != "1" and (
            STIMULUS_CHOICE_CLASS in reader.classes(interaction)
            or reader.declared_format == self.name
        )


FORMAT = StimulusChoice()
