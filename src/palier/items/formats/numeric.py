"""Numeric: a number within a tolerance, in an optional unit.

Definition: {"value": float, "tolerance": float >= 0, "unit": {"fr", "en"} | null}. Right
when |answer - value| <= tolerance; a French decimal comma and thin or ordinary spaces
between digit groups are accepted. QTI: qti-text-entry-interaction on a float response,
scored by a qti-equal with an absolute tolerance; the unit follows the entry box.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from palier.items.formats.base import (
    DefinitionError,
    Format,
    FormData,
    LearnerParts,
    QtiReader,
    QtiWriter,
    Score,
    gettext_noop,
)
from palier.items.formats.common import check_text, full, is_number, typed_answer


class Numeric(Format):
    name = "numeric"
    widget = "number"
    template = "items/widgets/number.html"

    def validate_definition(self, definition: Mapping[str, Any]) -> None:
        if not is_number(definition.get("value")):
            raise DefinitionError("value", gettext_noop("La valeur attendue doit être un nombre."))
        tolerance = definition.get("tolerance", 0)
        if not is_number(tolerance) or tolerance < 0:
            raise DefinitionError(
                "tolerance", gettext_noop("La tolérance doit être un nombre positif ou nul.")
            )
        if definition.get("unit") is not None:
            check_text(definition["unit"], "unit")

    def normalise_answer(self, definition: Mapping[str, Any], raw: Any) -> Any:
        return typed_answer(raw)

    def answer_from_form(self, definition: Mapping[str, Any], data: FormData) -> Any:
        return data.get("answer", "")

    def score(self, definition: Mapping[str, Any], response: Any) -> Score:
        if isinstance(response, str):
            try:
                response = float(response.replace(",", ".").replace("\u202f", "").replace(" ", ""))
            except ValueError:
                return full(False)
        if not is_number(response):
            return full(False)
        return full(abs(float(response) - definition["value"]) <= definition.get("tolerance", 0))

    def learner_parts(
        self, definition: Mapping[str, Any], seed: int, language: str
    ) -> LearnerParts:
        unit = definition.get("unit") or {}
        return LearnerParts(unit=(unit.get(language) or unit.get("fr", "")) if unit else "")

    def expected_answer(self, definition: Mapping[str, Any], language: str) -> Any:
        return str(definition["value"])

    def qti_export(self, definition: Mapping[str, Any], writer: QtiWriter) -> None:
        writer.response("single", "float", [repr(float(definition["value"]))])
        unit = definition.get("unit")
        writer.text_entry((unit.get(writer.language) or unit["fr"]) if unit else "")
        writer.tolerance_processing(float(definition.get("tolerance", 0)))

    def qti_import(self, reader: QtiReader) -> dict[str, Any] | None:
        entries = reader.find("qti-text-entry-interaction", "textEntryInteraction")
        if not entries or reader.base_type != "float":
            return None
        unit_text = reader.tail_text(entries[0])
        return {
            "value": float(reader.values[0]) if reader.values else None,
            "tolerance": float(reader.metadata.get("tolerance", 0)),
            "unit": {reader.language: unit_text} if unit_text else None,
        }


FORMAT = Numeric()
