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
}
ALLOWED_ATTRIBUTES = {"th": {"scope"}, "td": {"colspan", "rowspan"}, "span": {"lang"}}

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
    (
        re.compile(r"<\s*(img|a|video|audio|source)\b", re.IGNORECASE),
        "image or link (use the media library for images)",
    ),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "style attribute"),
]


class UnsafeHtmlError(ValueError):
    """The text contains constructs that are never allowed in item content."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("unsafe content: " + ", ".join(problems))


def unsafe_constructs(text: str) -> list[str]:
    return [name for pattern, name in _FORBIDDEN if pattern.search(text)]


def clean_html(text: str) -> str:
    """Reject dangerous constructs, then keep only the allowed subset."""
    problems = unsafe_constructs(text)
    if problems:
        raise UnsafeHtmlError(problems)
    return nh3.clean(
        text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None, strip_comments=True
    ).strip()
