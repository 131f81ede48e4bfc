"""Safe rich text for items and stimuli: a small HTML subset, checked then cleaned (nh3).

Dangerous constructs are *rejected* with a message naming them (authors must know their
text was wrong), then the allowed subset is normalised by nh3 (Ammonia).
"""

from __future__ import annotations

import re

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "h3",
    "h4",
    "blockquote",
    "dl",
    "dt",
    "dd",
    "code",
    "span",
    "caption",
    "img",
}
ALLOWED_ATTRIBUTES = {
    "th": {"scope"},
    "td": {"colspan", "rowspan"},
    "span": {"lang"},
    "img": {"src", "alt"},
}
IMAGE = re.compile(r"<\s*img\b([^>]*)>", re.IGNORECASE)
ATTRIBUTE = r"""\b{name}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"""

_FORBIDDEN = [
    (re.compile(r"<\s*script", re.IGNORECASE), "script"),
    (
        re.compile(r"<\s*(iframe|object|embed|frame|form|input|link|meta|base)\b", re.IGNORECASE),
        "embedded element",
    ),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "event handler"),
    (re.compile(r"javascript\s*:", re.IGNORECASE), "javascript: URL"),
    (
        re.compile(r"\b(src|href|srcset|action|data)\s*=\s*[\"']?\s*(https?:)?//", re.IGNORECASE),
        "remote resource",
    ),
    (re.compile(r"<\s*(a|video|audio|source)\b", re.IGNORECASE), "link or embedded media"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "style attribute"),
]


class UnsafeHtmlError(ValueError):
    """The text contains constructs that are never allowed in item content."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("unsafe content: " + ", ".join(problems))


def _attribute(attributes: str, name: str) -> str:
    match = re.search(ATTRIBUTE.format(name=name), attributes, re.IGNORECASE)
    return next((group for group in match.groups() if group is not None), "") if match else ""


def _image_problems(text: str) -> list[str]:
    """Images must come from Palier's media library and carry a text alternative."""
    from django.conf import settings

    library = f"{settings.MEDIA_URL}items/"
    problems = []
    for match in IMAGE.finditer(text):
        source = _attribute(match.group(1), "src")
        if not source.startswith(library) or ".." in source or "//" in source[1:]:
            problems.append("image not from the media library")
        if not _attribute(match.group(1), "alt").strip():
            problems.append("image without text alternative")
    return sorted(set(problems))


def unsafe_constructs(text: str) -> list[str]:
    found = [name for pattern, name in _FORBIDDEN if pattern.search(text)]
    return found + _image_problems(text)


def clean_html(text: str) -> str:
    """Reject dangerous constructs, then keep only the allowed subset."""
    problems = unsafe_constructs(text)
    if problems:
        raise UnsafeHtmlError(problems)
    return nh3.clean(
        text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None, strip_comments=True
    ).strip()
