"""THE sanitiser of item content: one nh3 (Ammonia) call with an explicit allow-list.

Every HTML text an author writes for learners — stems, option and target texts, feedback,
stimulus bodies, in every language — goes through `sanitise_html` inside the item services,
whatever the way in (authoring forms, admin, API, JSON/CSV/QTI import). What is stored is
therefore already safe; `trusted_html` re-applies the same function when content leaves the
bank for a page (cheap, idempotent) and marks the result safe for templates, so a row written
before this rule, or by hand in a database shell, still cannot carry active content.

The allow-list is the whole policy; there is no blacklist to keep up to date:
- tags: text structure only (paragraphs, lists, tables, emphasis, code, quotes) and images;
- no links at all (`<a>` is stripped, its text kept), no forms, frames, media or SVG/MathML;
- `<script>`, `<style>` and the like are removed *with their content*;
- attributes: `scope` on th, `colspan`/`rowspan` on td, `lang` on span, `src`/`alt` on img;
  no event handler, no `style`, no `class`, no `id`;
- an image `src` is kept only when it points into Palier's own media library
  (`MEDIA_URL` + `items/`, no scheme, no host, no `..`); any other source (remote, `data:`,
  `javascript:`, protocol-relative) is dropped, so nothing is fetched from elsewhere.
"""

from __future__ import annotations

from typing import Any

import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = frozenset(
    {
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
)
ALLOWED_ATTRIBUTES = {
    "th": {"scope"},
    "td": {"colspan", "rowspan"},
    "span": {"lang"},
    "img": {"src", "alt"},
}
# Removed together with everything inside them (their text is code or styling, not content).
REMOVED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "noscript",
        "template",
        "svg",
        "math",
        "textarea",
        "select",
        "title",
        "frameset",
        "noembed",
        "xmp",
    }
)
MEDIA_FOLDER = "items/"


def media_library_prefix() -> str:
    """The only place item images may come from (Palier's own uploads)."""
    from django.conf import settings

    return f"{settings.MEDIA_URL}{MEDIA_FOLDER}"


def _is_library_image(source: str) -> bool:
    source = source.strip()
    return (
        source.startswith(media_library_prefix())
        and source.startswith("/")
        and not source.startswith("//")
        and ".." not in source
        and "\\" not in source
        and ":" not in source
        and "//" not in source[1:]
    )


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value.strip() if _is_library_image(value) else None
    return value


def sanitise_html(text: Any) -> str:
    """Keep only the allowed subset of HTML (see the module docstring); idempotent."""
    if not text:
        return ""
    return nh3.clean(
        str(text),
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=set(),
        link_rel=None,
        strip_comments=True,
    ).strip()


def trusted_html(text: Any) -> SafeString:
    """Item content ready for a template: sanitised again, then marked safe. The only
    `mark_safe` on item content; templates never apply `|safe` to item texts."""
    return mark_safe(sanitise_html(text))  # noqa: S308 - the sanitiser's output is the safe subset


# The former name, still imported by the QTI reader and the training catalogue's seed loader.
clean_html = sanitise_html
