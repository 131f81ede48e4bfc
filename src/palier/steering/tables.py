"""The one shape of every steering table: pages render it with one template, exports write
it with one writer, the API returns it as is. Cells are `privacy.Shown` values, so a hidden
figure is hidden everywhere the table goes."""

from __future__ import annotations

from dataclasses import dataclass, field

from palier.steering.privacy import Shown


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Shown, ...]
    # A link for the row's label (e.g. a region to its table), or "".
    url: str = ""


@dataclass(frozen=True)
class Table:
    """A titled table: `columns` are the headers of the cells (the label column's header is
    `label_header`); `total` is the total row, or None."""

    code: str
    title: str
    label_header: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    total: Row | None = None
    # Units or notes shown under the table (e.g. "hidden: fewer than 10 learners").
    notes: tuple[str, ...] = field(default_factory=tuple)
