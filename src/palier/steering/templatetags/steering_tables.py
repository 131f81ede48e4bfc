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
    return any(cell.hidden and not is_missing(cell) for row in rows for cell in row.cells)
