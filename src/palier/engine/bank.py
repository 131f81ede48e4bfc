"""The item bank: one immutable set of calibrated items, validated once when it is built."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from palier.engine.arrays import BoolArray, FloatArray, IntArray
from palier.engine.irt import log_likelihood_terms


def _float_array(name: str, values: ArrayLike, n_items: int) -> FloatArray:
    array = np.array(values, dtype=np.float64)
    if array.shape != (n_items,):
        raise ValueError(f"{name} has shape {array.shape}, expected ({n_items},): one per item")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    array.flags.writeable = False
    return array


def _bool_array(name: str, values: ArrayLike | None, n_items: int, default: bool) -> BoolArray:
    if values is None:
        array = np.full(n_items, default, dtype=bool)
    else:
        array = np.array(values, dtype=bool)
        if array.shape != (n_items,):
            raise ValueError(f"{name} has shape {array.shape}, expected ({n_items},)")
    array.flags.writeable = False
    return array


def _labels(name: str, values: Sequence[str | None] | None, n_items: int) -> tuple[str | None, ...]:
    if values is None:
        return (None,) * n_items
    labels = tuple(values)
    if len(labels) != n_items:
        raise ValueError(f"{name} has {len(labels)} entries, expected {n_items}: one per item")
    return labels


@dataclass(frozen=True, eq=False, init=False)
class ItemBank:
    """Calibrated items on one logit scale, each loading on exactly one area.

    Parameters follow :mod:`palier.engine.irt`: ``discrimination`` ``a`` > 0, ``difficulty``
    ``b``, optional ``guessing`` ``c`` in [0, 1) (the bank is 3PL when it is given). ``areas``
    holds each item's area index ``0 .. n_areas - 1`` (between-item multidimensionality).
    Optional per-item attributes drive content balancing and eligibility: ``competences``
    (labels), ``languages`` (e.g. ``"fr"``), ``accessible`` (usable with assistive technology),
    ``pretest`` (administered in pretest slots only and never scored) and ``enemy_groups``
    (labels: once an item of a group is answered, the others of the group are not shown).

    Arrays are copied and made read-only, so a bank can be cached and shared between threads.
    """

    item_ids: tuple[str, ...]
    areas: IntArray
    discrimination: FloatArray
    difficulty: FloatArray
    guessing: FloatArray
    competences: tuple[str | None, ...]
    languages: tuple[str | None, ...]
    accessible: BoolArray
    pretest: BoolArray
    enemy_groups: tuple[str | None, ...]
    enemy_codes: IntArray
    has_enemies: bool
    n_areas: int
    is_3pl: bool
    has_pretest: bool
    _index: dict[str, int] = field(repr=False)
    _eligibility_cache: dict[tuple[str | None, bool, frozenset[str]], BoolArray] = field(repr=False)
    _table_cache: dict[tuple[object, ...], FloatArray] = field(repr=False)

    def __init__(
        self,
        item_ids: Sequence[str],
        areas: ArrayLike,
        discrimination: ArrayLike,
        difficulty: ArrayLike,
        guessing: ArrayLike | None = None,
        competences: Sequence[str | None] | None = None,
        *,
        languages: Sequence[str | None] | None = None,
        accessible: ArrayLike | None = None,
        pretest: ArrayLike | None = None,
        enemy_groups: Sequence[str | None] | None = None,
        n_areas: int | None = None,
    ) -> None:
        ids = tuple(item_ids)
        if not ids:
            raise ValueError("an item bank needs at least one item")
        if not all(isinstance(item_id, str) and item_id for item_id in ids):
            raise ValueError("item_ids must be non-empty strings")
        index = {item_id: position for position, item_id in enumerate(ids)}
        if len(index) != len(ids):
            repeated = sorted(item_id for item_id, count in Counter(ids).items() if count > 1)
            raise ValueError(f"item_ids must be unique; repeated: {repeated[:5]}")
        n_items = len(ids)
        a = _float_array("discrimination", discrimination, n_items)
        if np.any(a <= 0):
            raise ValueError("discrimination must be strictly positive for every item")
        b = _float_array("difficulty", difficulty, n_items)
        if guessing is None:
            c = np.zeros(n_items)
            c.flags.writeable = False
            is_3pl = False
        else:
            c = _float_array("guessing", guessing, n_items)
            if np.any((c < 0) | (c >= 1)):
                raise ValueError("guessing must lie in [0, 1) for every item")
            is_3pl = True
        area_array = np.array(areas)
        if area_array.shape != (n_items,):
            raise ValueError(f"areas has shape {area_array.shape}, expected ({n_items},)")
        if area_array.dtype.kind not in "iu" and not (
            area_array.dtype.kind == "f" and np.all(area_array == np.round(area_array))
        ):
            raise ValueError("areas must be integer area indices")
        area_array = area_array.astype(np.intp)
        if np.any(area_array < 0):
            raise ValueError("areas must be non-negative area indices")
        found_areas = int(area_array.max()) + 1
        if n_areas is None:
            n_areas = found_areas
        elif n_areas < found_areas:
            raise ValueError(f"n_areas={n_areas} but an item has area index {found_areas - 1}")
        area_array.flags.writeable = False
        set_field = object.__setattr__
        set_field(self, "item_ids", ids)
        set_field(self, "areas", area_array)
        set_field(self, "discrimination", a)
        set_field(self, "difficulty", b)
        set_field(self, "guessing", c)
        set_field(self, "competences", _labels("competences", competences, n_items))
        set_field(self, "languages", _labels("languages", languages, n_items))
        set_field(self, "accessible", _bool_array("accessible", accessible, n_items, True))
        set_field(self, "pretest", _bool_array("pretest", pretest, n_items, False))
        groups = _labels("enemy_groups", enemy_groups, n_items)
        group_index = {label: code for code, label in enumerate(sorted({g for g in groups if g}))}
        enemy_codes = np.array([group_index.get(g or "", -1) for g in groups], dtype=np.intp)
        enemy_codes.flags.writeable = False
        set_field(self, "enemy_groups", groups)
        set_field(self, "enemy_codes", enemy_codes)
        set_field(self, "has_enemies", bool(group_index))
        set_field(self, "n_areas", int(n_areas))
        set_field(self, "has_pretest", bool(self.pretest.any()))
        set_field(self, "is_3pl", is_3pl)
        set_field(self, "_index", index)
        set_field(self, "_eligibility_cache", {})
        set_field(self, "_table_cache", {})

    def enemies_of(self, items: IntArray) -> BoolArray | None:
        """Items sharing an enemy group with one of ``items`` (None when there are none)."""
        if not self.has_enemies or items.size == 0:
            return None
        groups = self.enemy_codes[items]
        groups = groups[groups >= 0]
        if groups.size == 0:
            return None
        return np.isin(self.enemy_codes, groups)

    def __len__(self) -> int:
        return len(self.item_ids)

    @property
    def n_items(self) -> int:
        """Number of items in the bank."""
        return len(self.item_ids)

    def index_of(self, item_id: str) -> int:
        """Position of ``item_id`` in the bank; ``ValueError`` when it is unknown."""
        try:
            return self._index[item_id]
        except KeyError:
            raise ValueError(f"unknown item id {item_id!r}") from None

    def log_likelihood_table(
        self, prior_mean: FloatArray, prior_sd: FloatArray, grid: FloatArray
    ) -> FloatArray:
        """Every item's ``log P`` and ``log(1 - P)`` on its area's nodes (rows ``2j``, ``2j + 1``).

        The nodes of area ``d`` are ``prior_mean[d] + prior_sd[d] * grid``. Cached per prior and
        grid, so that a configuration rebuilt at every step (same prior) does not recompute it.
        """
        key = (tuple(prior_mean.tolist()), tuple(prior_sd.tolist()), tuple(grid.tolist()))
        cached = self._table_cache.get(key)
        if cached is not None:
            return cached
        nodes = prior_mean[self.areas, None] + prior_sd[self.areas, None] * grid[None, :]
        parameters = (
            self.discrimination[:, None],
            self.difficulty[:, None],
            self.guessing[:, None],
        )
        table = np.empty((2 * self.n_items, grid.size))
        table[0::2] = log_likelihood_terms(nodes, *parameters, True)
        table[1::2] = log_likelihood_terms(nodes, *parameters, False)
        table.flags.writeable = False
        self._table_cache[key] = table
        return table

    def eligible(
        self, language: str | None, accessible_only: bool, excluded: frozenset[str]
    ) -> BoolArray:
        """Items that may be shown: right language, accessible if required, not excluded.

        Items without a language label are eligible in every language. The mask is cached per
        filter (banks are immutable), so the adaptive step does not rebuild it at each answer.
        """
        key = (language, accessible_only, excluded)
        cached = self._eligibility_cache.get(key)
        if cached is not None:
            return cached
        mask = np.ones(self.n_items, dtype=bool)
        if language is not None:
            mask &= np.array([lang is None or lang == language for lang in self.languages])
        if accessible_only:
            mask &= self.accessible
        for item_id in excluded:
            position = self._index.get(item_id)
            if position is not None:
                mask[position] = False
        mask.flags.writeable = False
        self._eligibility_cache[key] = mask
        return mask
