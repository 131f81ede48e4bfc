"""What authors write, validated and sanitised before any write: the content of an item
version and of a stimulus version. The one place item texts go through the sanitiser
(items/html.py); every way of writing an item or a stimulus (forms, admin, API, imports) ends
in a service of items/services.py that calls these functions first."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from palier.items.errors import ItemError
from palier.items.formats import DefinitionError, validate_definition
from palier.items.html import sanitise_html
from palier.items.models import ItemVersion, Stimulus
from palier.items.seed_schema import ENEMY_GROUP, MAX_STIMULUS, STIMULUS_KINDS

MAX_TITLE = 300


@dataclass(frozen=True)
class ItemContent:
    """Everything an author writes for one version (texts in French and English)."""

    format: str
    stem_fr: str
    definition: dict[str, Any]
    stem_en: str = ""
    feedback_fr: str = ""
    feedback_en: str = ""
    source: str = ""
    estimated_seconds: int = 60
    screen_reader_ok: bool = True
    colour_independent: bool = True
    stimulus: Stimulus | None = None

    @classmethod
    def from_version(cls, version: ItemVersion) -> ItemContent:
        return cls(**{name: getattr(version, name) for name in CONTENT_FIELDS})


# The fields an author writes for a version, in form order (ItemContent's fields).
CONTENT_FIELDS = (
    "format",
    "stimulus",
    "stem_fr",
    "stem_en",
    "definition",
    "feedback_fr",
    "feedback_en",
    "source",
    "estimated_seconds",
    "screen_reader_ok",
    "colour_independent",
)


# Keys of an answer definition whose option texts are shown to learners as HTML.
HTML_OPTION_KEYS = ("options", "left", "right")


def sanitised_definition(definition: Any) -> Any:
    """A copy of `definition` whose option and target texts went through the sanitiser.
    The unit stays plain text: it is always escaped where it is shown."""
    if not isinstance(definition, dict):
        return definition
    cleaned = copy.deepcopy(definition)
    for key in HTML_OPTION_KEYS:
        for option in cleaned.get(key) or []:
            text = option.get("text") if isinstance(option, dict) else None
            if isinstance(text, dict):
                option["text"] = {
                    language: sanitise_html(value) if isinstance(value, str) else value
                    for language, value in text.items()
                }
    return cleaned


def clean_content(content: ItemContent) -> dict[str, Any]:
    """Validate and sanitise; raise ItemError with every problem found, by field.

    The one place item texts are sanitised: every way of writing an item ends here.
    """
    problems: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {
        field: sanitise_html(getattr(content, field))
        for field in ("stem_fr", "stem_en", "feedback_fr", "feedback_en")
    }
    if not cleaned["stem_fr"]:
        problems.setdefault("stem_fr", []).append(_("L'énoncé en français est obligatoire."))
    definition = sanitised_definition(content.definition)
    try:
        validate_definition(content.format, definition)
    except DefinitionError as error:
        problems.setdefault(f"definition.{error.field}", []).append(error.message)
    if content.stimulus is not None and content.stimulus.latest_version() is None:
        problems.setdefault("stimulus", []).append(_("Cette mise en situation n'a pas de texte."))
    if problems:
        raise ItemError("invalid_item", _("L'item contient des erreurs."), problems)
    return {
        **cleaned,
        "format": content.format,
        "definition": definition,
        "source": (content.source or "").strip(),
        "estimated_seconds": content.estimated_seconds,
        "screen_reader_ok": content.screen_reader_ok,
        "colour_independent": content.colour_independent,
        "stimulus": content.stimulus,
    }


@dataclass(frozen=True)
class StimulusContent:
    """Everything an author writes for a stimulus (texts in French and English)."""

    kind: str
    title_fr: str
    content_fr: str
    title_en: str = ""
    content_en: str = ""


def clean_stimulus(content: StimulusContent) -> dict[str, str]:
    """Validate and sanitise a stimulus's texts; raise ItemError listing every problem."""
    cleaned = {
        "title_fr": (content.title_fr or "").strip(),
        "title_en": (content.title_en or "").strip(),
        "content_fr": sanitise_html(content.content_fr),
        "content_en": sanitise_html(content.content_en),
    }
    problems: dict[str, list[str]] = {}
    if content.kind not in STIMULUS_KINDS:
        problems["kind"] = [_("Type inconnu.")]
    if not cleaned["title_fr"]:
        problems["title_fr"] = [_("Le titre en français est obligatoire.")]
    if not cleaned["content_fr"]:
        problems["content_fr"] = [_("Le contenu en français est obligatoire.")]
    for field in ("title_fr", "title_en"):
        if len(cleaned[field]) > MAX_TITLE:
            problems.setdefault(field, []).append(_("300 caractères au plus."))
    for field in ("content_fr", "content_en"):
        if len(cleaned[field]) > MAX_STIMULUS:
            problems.setdefault(field, []).append(_("Texte trop long."))
    if problems:
        raise ItemError(
            "invalid_stimulus", _("La mise en situation contient des erreurs."), problems
        )
    return cleaned


def clean_enemy_group(group: str) -> str:
    """An enemy group as stored (upper case, trimmed); ItemError when it is malformed."""
    group = group.strip().upper()
    if group and not ENEMY_GROUP.match(group):
        raise ItemError(
            "invalid_enemy_group",
            _("Groupe d'exclusion invalide."),
            {"enemy_group": [_("Lettres, chiffres et tirets, 2 à 40 caractères.")]},
        )
    return group
