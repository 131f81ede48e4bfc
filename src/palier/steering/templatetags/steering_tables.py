"""Figures of steering tables as pages show them: localised numbers, or the hidden mark.

`{{ cell|figure }}` writes a `privacy.Shown`: its value with the reader's decimal mark and
thousands separator (at most one decimal), or "masqué" when hidden. The number of learners
behind a hidden figure is never written.
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

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
    if cell.hidden:
        return format_html('<span class="dash-hidden">{}</span>', _("masqué"))
    return number(cell.value)


def queries_hidden_note() -> str:
    """The note steering.queries puts under its tables about the "< 10" mark. Pages write
    hidden figures "masqué" instead (a hidden percentage or a complementary cell is not
    "fewer than 10"), and explain it in their own words: this note is left out of them."""
    return _("« < 10 » : chiffre masqué, calculé sur moins de 10 apprenants.")


@register.filter
def page_notes(table: Table) -> list[str]:
    """The table's notes as the page shows them (see queries_hidden_note)."""
    dropped = queries_hidden_note()
    return [note for note in table.notes if note != dropped]


@register.filter
def has_hidden(table: Table) -> bool:
    rows = [*table.rows, *([table.total] if table.total else [])]
    return any(cell.hidden for row in rows for cell in row.cells)
