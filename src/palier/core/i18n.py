"""Bilingual content stored as `<field>_fr` / `<field>_en` columns.

French is the reference text; English falls back to French when a translation is missing.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

CONTENT_LANGUAGES = ("fr", "en")


def content_language() -> str:
    language = (get_language() or "fr").lower()
    return "en" if language.startswith("en") else "fr"


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """The value of `field` in the current (or given) language, French as a fallback."""
    language = language or content_language()
    value = getattr(obj, f"{field}_{language}", "") or ""
    return value or getattr(obj, f"{field}_fr", "") or ""


class BilingualTitleMixin:
    """`title` and `description` in the reader's language, for `title_fr/_en` models."""

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")
