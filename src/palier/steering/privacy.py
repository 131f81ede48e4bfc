"""The one privacy rule of steering: no figure computed from fewer than 10 learners is shown,
and no hidden figure can be recovered from the totals shown beside it.

- Primary suppression: a count of 1 to 9 learners is hidden. Zero is shown (it describes
  nobody). A figure derived from learners (a rate, a mean level, hours) follows the count of
  learners it was computed from.
- Complementary suppression: in a line whose total is shown, a single hidden cell could be
  recovered by subtraction, so a second cell is hidden too: the smallest non-zero one (ties:
  the first in the line's order), or a zero when no other cell is non-zero (in a two-way
  table a complementary cell can be alone among zeros in its other line). In a two-way
  table the rule runs on every row and column until nothing changes; a total is itself a
  count and is hidden below 10.

Every page, API operation and export of the steering app goes through this module.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

MIN_LEARNERS = 10


def is_small(learners: int) -> bool:
    """A count too small to show (1 to 9 learners)."""
    return 0 < learners < MIN_LEARNERS


def hidden_in_line(counts: Sequence[int], already: frozenset[int] = frozenset()) -> set[int]:
    """Indexes of the cells of one line to hide, given cells already hidden: small cells,
    plus one complementary cell when exactly one would be hidden."""
    hidden = set(already) | {index for index, count in enumerate(counts) if is_small(count)}
    if len(hidden) == 1:
        others = [(count, index) for index, count in enumerate(counts) if index not in hidden]
        non_zero = [pair for pair in others if pair[0] > 0]
        if non_zero or others:
            hidden.add(min(non_zero or others)[1])
    return hidden


def hidden_in_table(
    rows: Sequence[Sequence[int]], already: frozenset[tuple[int, int]] = frozenset()
) -> set[tuple[int, int]]:
    """(row, column) of the cells to hide in a table shown with row and column totals,
    given cells already hidden for another reason."""
    hidden: set[tuple[int, int]] = set(already)
    height = len(rows)
    width = len(rows[0]) if rows else 0
    changed = True
    while changed:
        changed = False
        for r in range(height):
            line = hidden_in_line(rows[r], frozenset(c for (rr, c) in hidden if rr == r))
            new = {(r, c) for c in line} - hidden
            if new:
                hidden |= new
                changed = True
        for c in range(width):
            column = [rows[r][c] for r in range(height)]
            line = hidden_in_line(column, frozenset(r for (r, cc) in hidden if cc == c))
            new = {(r, c) for r in line} - hidden
            if new:
                hidden |= new
                changed = True
    return hidden


def with_totals(rows: Sequence[Sequence[int]], width: int) -> list[list[int]]:
    """The table (`width` columns) with its totals as cells: each row ends with its total,
    and a last row holds the column totals and the grand total. Suppressed with
    `hidden_in_table`, a hidden total cannot come back from the grand total and the other
    totals."""
    matrix = [[*line, sum(line)] for line in rows]
    matrix.append([sum(line[c] for line in matrix) for c in range(width + 1)])
    return matrix


@dataclass(frozen=True)
class Shown:
    """A figure as a page shows it: its value, or None when hidden for privacy or `absent`
    (there is no figure at all: no enrolment declared, nothing planned; nobody is behind
    it, pages write a dash)."""

    value: float | int | None
    learners: int
    absent: bool = False

    @property
    def hidden(self) -> bool:
        return self.value is None and not self.absent


def no_figure() -> Shown:
    """A cell with no figure at all, which is not a hidden one."""
    return Shown(None, 0, absent=True)


def hidden_rule() -> str:
    """The rule in one sentence, beside every table that hides a figure (pages, files)."""
    return _(
        "« masqué » : chiffre calculé sur moins de %(threshold)s apprenants, ou masqué pour "
        "qu'un tel chiffre ne puisse pas être retrouvé à partir des totaux."
    ) % {"threshold": MIN_LEARNERS}


def shown(value: float | int | None, learners: int, hide: bool = False) -> Shown:
    """`value`, computed from `learners`, as shown (hidden when small or when `hide`)."""
    if hide or is_small(learners):
        return Shown(None, learners)
    return Shown(value, learners)


def mask_counts(counts: Mapping[Hashable, int]) -> dict[Hashable, int | None]:
    """A breakdown shown with its total: each count, or None when hidden."""
    keys = list(counts)
    hidden = hidden_in_line([counts[key] for key in keys])
    return {key: None if index in hidden else counts[key] for index, key in enumerate(keys)}


def mask_total(total: int) -> int | None:
    """A total as shown."""
    return None if is_small(total) else total
