"""Figures of steering tables as pages show them: localised numbers, or the hidden mark.

`{{ cell|figure }}` writes a `privacy.Shown`: its value with the reader's decimal mark and
thousands separator (at most one decimal), "masqué" when hidden, "—" when there is no figure
at all (a `NoFigure`). The number of learners behind a hidden figure is never written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from palier.steering.level_tables import hidden_note
from palier.steering.privacy import Shown
from palier.steering.tables import Row, Table

register = template.Library()
# Columns whose figure is declared (never suppressed: a missing one is no figure), and the
# shares computed from them, as steering.queries names them.
DENOMINATOR_COLUMNS = ("Inscrits", "Apprenants prévus")
SHARE_COLUMNS = ("% touchés", "% du prévu")


@dataclass(frozen=True)
class NoFigure(Shown):
    """A cell with no figure at all (no enrolment declared, so no share): not a hidden one.
    Privacy writes both as a None value; a hidden zero must stay hidden (showing it could
    let a hidden cell be recovered from the totals), so only cells known to be declared
    figures, and the shares computed from them, become NoFigure."""

    missing: bool = True


def is_missing(cell: Shown) -> bool:
    return getattr(cell, "missing", False)


def with_missing_figures(table: Table) -> Table:
    """The table with its undeclared denominators (and their shares) marked NoFigure."""
    columns = {column: index for index, column in enumerate(table.columns)}
    denominators = [columns[_(name)] for name in DENOMINATOR_COLUMNS if _(name) in columns]
    shares = [columns[_(name)] for name in SHARE_COLUMNS if _(name) in columns]
    pairs = list(zip(denominators, shares, strict=False))
    if not pairs:
        return table

    def mark(row: Row) -> Row:
        cells = list(row.cells)
        for denominator, share in pairs:
            if cells[denominator].value is None:
                cells[denominator] = NoFigure(None, 0)
                cells[share] = NoFigure(None, 0)
        return replace(row, cells=tuple(cells))

    total = mark(table.total) if table.total is not None else None
    return replace(table, rows=tuple(mark(row) for row in table.rows), total=total)


@register.filter
def number(value: float | int | None) -> str:
    """A figure with the reader's separators and at most one decimal; "—" for none."""
    if value is None:
        return "—"
    return floatformat(value, "-1g")


@register.filter
def figure(cell: Shown) -> SafeString | str:
    if is_missing(cell):
        return "—"
    if cell.hidden:
        return format_html('<span class="dash-hidden">{}</span>', _("masqué"))
    return number(cell.value)


@register.filter
def page_notes(table: Table) -> list[str]:
    """The table's notes as pages and files show them: without the queries' note about a
    "< 10" mark, since hidden figures are written "masqué" (a hidden percentage, or a
    figure hidden as the complement of a small one, is not "fewer than 10") and explained
    in those words beside the table."""
    dropped = hidden_note()
    return [note for note in table.notes if note != dropped]


@register.filter
def has_hidden(table: Table) -> bool:
    rows = [*table.rows, *([table.total] if table.total else [])]
    return any(cell.hidden and not is_missing(cell) for row in rows for cell in row.cells)
