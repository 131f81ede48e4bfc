"""What a learner is shown for an item version: never the key, never the feedback.

`learner_view` is the only way item content leaves the bank towards a learner (preview,
delivery, API); a test checks that no answer key or feedback can be found in its output.
What each format shows (its choices, unit, widget) comes from its module in `formats/`.
Its HTML texts come out of the item sanitiser (`trusted_html`): templates print them as they
are, without `|safe`. The stimulus shown is the stimulus *version* the item version froze.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from palier.core.i18n import content_language, localized
from palier.items.formats import Choice, get_format
from palier.items.html import trusted_html
from palier.items.models import ItemVersion

__all__ = ["Choice", "LearnerView", "learner_view"]


@dataclass(frozen=True)
class LearnerView:
    item_code: str
    version_id: int
    format: str
    widget: str
    stem: SafeString
    stimulus_title: str
    stimulus_content: SafeString
    options: list[Choice]
    targets: list[Choice]
    unit: str
    language: str
    # The format's widget template, included by items/_question.html (not in the API).
    template: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.item_code,
            "version": self.version_id,
            "format": self.format,
            "widget": self.widget,
            "stem": self.stem,
            "stimulus": {"title": self.stimulus_title, "content": self.stimulus_content}
            if self.stimulus_content
            else None,
            "options": [{"id": c.id, "text": c.text} for c in self.options],
            "targets": [{"id": c.id, "text": c.text} for c in self.targets],
            "unit": self.unit,
            "language": self.language,
        }


def _trusted(choices: list[Choice]) -> list[Choice]:
    return [Choice(choice.id, trusted_html(choice.text)) for choice in choices]


def learner_view(version: ItemVersion, seed: int, language: str | None = None) -> LearnerView:
    """The item as one attempt shows it: options shuffled with the attempt's seed."""
    language = language or content_language()
    if language not in version.languages:
        language = "fr"
    item_format = get_format(version.format)
    parts = item_format.learner_parts(version.definition, seed, language)
    stimulus = version.stimulus_version
    return LearnerView(
        item_code=version.item.code,
        version_id=version.pk,
        format=version.format,
        widget=item_format.widget,
        stem=trusted_html(localized(version, "stem", language)),
        stimulus_title=localized(stimulus, "title", language) if stimulus else "",
        stimulus_content=trusted_html(localized(stimulus, "content", language) if stimulus else ""),
        options=_trusted(parts.options),
        targets=_trusted(parts.targets),
        unit=parts.unit,
        language=language,
        template=item_format.template,
    )
