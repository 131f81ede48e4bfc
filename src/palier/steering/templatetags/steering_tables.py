"""Figures of steering tables as pages show them: localised numbers, or the hidden mark.

`{{ cell|figure }}` writes a `privacy.Shown`: its value with the reader's decimal mark and
thousands separator (at most one decimal), "masqué" when hidden, "—" when there is no figure
at all (`Shown.absent`). The number of learners behind a hidden figure is never written.
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from palier.steering import privacy
from palier.steering.privacy import Shown
from palier.steering.tables import Table

register = template.Library()


@register.filter
def number(value: float | int | None) -> str:
    """A figure with the reader's separators and at most one decimal; "—" for none."""
    if value is None:
        return "—"
    return floatformat(value, "-1g")


@register.filter
def figure(cell: Shown) -> SafeString | str:
    if cell.absent:
        return "—"
    if cell.hidden:
        return format_html('<span class="dash-hidden">{}</span>', _("masqué"))
    return number(cell.value)


@register.filter
def has_hidden(table: Table) -> bool:
    rows = [*table.rows, *([table.total] if table.total else [])]
    return any(cell.hidden for row in rows for cell in row.cells)


@register.simple_tag
def hidden_rule() -> str:
    return privacy.hidden_rule()
