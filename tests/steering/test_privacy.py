"""The suppression rule: small counts hidden, and never one hidden cell alone in a line
whose total is shown (so that nothing can be recovered by subtraction)."""

from hypothesis import given
from hypothesis import strategies as st

from palier.steering.privacy import (
    MIN_LEARNERS,
    hidden_in_line,
    hidden_in_table,
    mask_counts,
    mask_total,
    shown,
)

counts = st.integers(min_value=0, max_value=40)


def test_small_counts_are_hidden_and_zero_is_shown():
    assert mask_counts({"a": 0, "b": 25, "c": 30}) == {"a": 0, "b": 25, "c": 30}
    masked = mask_counts({"a": 3, "b": 25, "c": 30, "d": 12})
    assert masked == {"a": None, "b": 25, "c": 30, "d": None}


def test_the_complementary_cell_is_the_smallest_non_zero_first_in_order():
    assert hidden_in_line([4, 0, 15, 11, 11]) == {0, 3}


def test_a_lone_hidden_cell_among_zeros_is_paired_with_a_zero():
    assert hidden_in_line([0, 7, 0]) == {0, 1}
    assert hidden_in_line([7]) == {0}
    assert mask_total(7) is None
    assert mask_total(MIN_LEARNERS) == MIN_LEARNERS


def test_derived_figures_follow_their_learners():
    assert shown(0.42, 9).hidden
    assert shown(0.42, 10).value == 0.42
    assert shown(0.42, 50, hide=True).hidden


@given(st.lists(counts, min_size=1, max_size=8))
def test_no_line_keeps_a_single_hidden_cell_when_it_could_be_recovered(line):
    hidden = hidden_in_line(line)
    assert {i for i, c in enumerate(line) if 0 < c < MIN_LEARNERS} <= hidden
    # One hidden cell alone only in a line of one cell, whose total is the cell itself.
    assert len(hidden) != 1 or len(line) == 1


@given(st.lists(st.lists(counts, min_size=3, max_size=3), min_size=1, max_size=5))
def test_in_a_table_every_row_and_column_is_protected(rows):
    hidden = hidden_in_table(rows)
    width = len(rows[0])
    lines = [[(r, c) for c in range(width)] for r in range(len(rows))]
    lines += [[(r, c) for r in range(len(rows))] for c in range(width)]
    for line in lines:
        inside = [cell for cell in line if cell in hidden]
        values = [rows[r][c] for r, c in line]
        for r, c in line:
            if 0 < rows[r][c] < MIN_LEARNERS:
                assert (r, c) in hidden
        assert len(inside) != 1 or len(values) == 1


def test_a_complement_alone_among_zeros_in_its_column_gets_a_partner():
    # Row 0 hides 5 and its complement 15; column 1 then hides 20 as well; row 1 would leave
    # 20 alone (recoverable from the row total 20) without hiding its zero.
    assert hidden_in_table([[5, 15], [0, 20]]) == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_a_level_table_hides_a_small_total_with_a_partner_among_the_totals():
    from types import SimpleNamespace

    from palier.steering.level_tables import _level_table

    area = SimpleNamespace(code="D1", title="Données de santé", level_count=2)
    # Population "a" has 5 learners in all: its total is small and hidden; the grand total
    # (155) minus the other totals (100 + 50) would give it back unless another is hidden.
    counts = {"a": {1: 5}, "b": {1: 60, 2: 40}, "c": {1: 20, 2: 30}}
    table = _level_table(area, counts, [("a", "A"), ("b", "B"), ("c", "C")])
    totals = [row.cells[-1] for row in table.rows] + [table.total.cells[-1]]
    assert totals[0].hidden
    assert sum(cell.hidden for cell in totals) >= 2
