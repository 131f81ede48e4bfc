"""Comparisons of computed floating-point values that give the same answer on every processor.

Why: items with equal parameters have mathematically equal information, but the computed values
can differ in their last bits from one processor to another (vectorised ``exp`` kernels, BLAS,
summation order differ by SIMD width). A plain ``argmax`` then picks a different item on another
machine and a replayed attempt diverges. So every decision the engine takes on a computed value
compares with a tolerance and breaks ties by a stable key (the item's position in the bank,
which the application builds in a stable order), never by floating-point noise.

Two values ``u >= v`` are *tied* when

    u - v <= TIE_ABSOLUTE_TOLERANCE + TIE_RELATIVE_TOLERANCE * |u|

The relative tolerance (1e-9) is about seven orders of magnitude above the rounding noise of
the engine's computations (a few units in the last place, about 1e-15 relative, after a
handful of operations) and about five below any difference that matters psychometrically
(item parameters are stored to four decimals). The absolute tolerance (1e-12) covers values
near zero. A ranking groups values into *tie groups*: walking down the values in decreasing
order, a value joins the group of the previous one when the two are tied. Rounding noise
never splits values that are equal in exact arithmetic; values split only when a true gap lies
within rounding noise of the tolerance itself, which no realistic bank produces.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from palier.engine.arrays import FloatArray, IntArray

#: Relative part of the tolerance under which two computed values count as equal.
TIE_RELATIVE_TOLERANCE = 1e-9
#: Absolute part of that tolerance (for values near zero).
TIE_ABSOLUTE_TOLERANCE = 1e-12


def _tolerance(value: FloatArray) -> FloatArray:
    # tolerance() without the conversion, for the hot path of the adaptive step.
    return TIE_ABSOLUTE_TOLERANCE + TIE_RELATIVE_TOLERANCE * np.abs(value)


def tolerance(value: ArrayLike) -> FloatArray:
    """The tie tolerance at ``value``: ``TIE_ABSOLUTE_TOLERANCE + TIE_RELATIVE_TOLERANCE |v|``."""
    return np.asarray(
        TIE_ABSOLUTE_TOLERANCE + TIE_RELATIVE_TOLERANCE * np.abs(value), dtype=np.float64
    )


def rank(values: FloatArray) -> IntArray:
    """Positions of ``values`` from best (largest) to worst, ties in increasing position.

    Tie groups are formed as in the module docstring; within a group the lowest position comes
    first, so the result does not depend on the last bits of ``values``. Values must not be
    NaN; ``-inf`` values come last.
    """
    order = np.argsort(-values, kind="stable")
    ordered = values[order]
    with np.errstate(invalid="ignore"):  # -inf - -inf is NaN: those stay in one group
        splits = (ordered[:-1] - ordered[1:]) > _tolerance(ordered[:-1])
    if splits.all():
        return order
    group = np.concatenate(([0], np.cumsum(splits)))
    # Sort by (group, position): both are small non-negative integers.
    return order[np.argsort(group * values.size + order, kind="stable")]


def rank_head(values: FloatArray, count: int) -> IntArray:
    """``rank(values)[:count]``, without sorting all the values when ``count`` is small.

    The ``count`` largest values are sorted on their own; when none of them is tied with its
    neighbour or with the next value below, that is the head of the ranking, otherwise the
    whole ranking is computed.
    """
    if count >= values.size:
        return rank(values)
    # The count + 1 largest values, sorted: the head, then the largest value below it.
    top = np.argpartition(-values, count)[: count + 1]
    top = top[np.argsort(-values[top], kind="stable")]
    edge = values[top]
    if ((edge[:-1] - edge[1:]) > _tolerance(edge[:-1])).all():
        return top[:count]
    return rank(values)[:count]


def first_best(values: FloatArray) -> int:
    """Position of the largest of ``values``, the lowest position among values tied with it.

    Equal to ``rank(values)[0]``, at the cost of one pass when nothing is tied with the best.
    """
    best = int(np.argmax(values))
    top = values[best]
    if np.count_nonzero((top - values) <= _tolerance(top)) == 1:
        return best
    return int(rank(values)[0])


def at_most(value: float, limit: float) -> bool:
    """Whether ``value <= limit``, a value tied with ``limit`` counting as equal to it."""
    return bool(value - limit <= tolerance(max(abs(value), abs(limit))))
