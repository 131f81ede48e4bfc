"""Turn a learner's raw answer (form fields or API JSON) into the shape the item format's
scorer expects, refusing malformed answers with a clear message. `None` means "I don't know"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

MAX_TEXT = 200


class AnswerError(ValueError):
    pass


def _ids(definition: Mapping[str, Any], key: str = "options") -> list[str]:
    return [option["id"] for option in definition.get(key, [])]


def normalise_answer(item_format: str, definition: Mapping[str, Any], raw: Any) -> Any:
    """The response in the scorer's shape; AnswerError when it cannot be one."""
    if raw is None:
        return None
    if item_format == "single_choice":
        if not isinstance(raw, str) or raw not in _ids(definition):
            raise AnswerError(_("Choisissez une des réponses proposées."))
        return raw
    if item_format in ("multiple_response", "stimulus_choice"):
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise AnswerError(_("La réponse doit être une liste de choix."))
        if not raw or len(set(raw)) != len(raw) or not set(raw) <= set(_ids(definition)):
            raise AnswerError(_("Choisissez une ou plusieurs des réponses proposées."))
        return sorted(raw)
    if item_format in ("short_text", "numeric"):
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            raise AnswerError(_("Saisissez une réponse."))
        text = str(raw).strip()
        if not text or len(text) > MAX_TEXT:
            raise AnswerError(_("Saisissez une réponse de 200 caractères au plus."))
        return text
    if item_format == "ordering":
        if not isinstance(raw, list) or sorted(map(str, raw)) != sorted(_ids(definition)):
            raise AnswerError(_("Classez chaque élément une fois."))
        return [str(value) for value in raw]
    if item_format == "matching":
        left, right = _ids(definition, "left"), _ids(definition, "right")
        if (
            not isinstance(raw, Mapping)
            or sorted(raw) != sorted(left)
            or not all(value in right for value in raw.values())
        ):
            raise AnswerError(_("Associez chaque élément à une proposition."))
        return dict(raw)
    raise AnswerError(_("Format de question inconnu."))


def answer_from_form(item_format: str, definition: Mapping[str, Any], data: Any) -> Any:
    """Read the answer fields of the question form (see items/_question.html)."""
    if data.get("dont_know"):
        return None
    if item_format == "single_choice":
        return data.get("answer") or ""
    if item_format in ("multiple_response", "stimulus_choice"):
        return data.getlist("answer")
    if item_format in ("short_text", "numeric"):
        return data.get("answer", "")
    if item_format == "ordering":
        ranks = {option_id: data.get(f"order-{option_id}", "") for option_id in _ids(definition)}
        if not all(rank.isdigit() for rank in ranks.values()) or len(set(ranks.values())) != len(
            ranks
        ):
            raise AnswerError(_("Donnez à chaque élément une position différente."))
        return sorted(ranks, key=lambda option_id: int(ranks[option_id]))
    if item_format == "matching":
        return {left: data.get(f"match-{left}", "") for left in _ids(definition, "left")}
    raise AnswerError(_("Format de question inconnu."))
