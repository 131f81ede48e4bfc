"""E-step machinery of marginal maximum likelihood: sparse design, chunked posterior, counts.

Responses in long format (person, item, correct) become a sparse indicator matrix ``X`` of
shape ``(n_persons, 2 n_items)``: column ``2j`` marks a correct answer to item ``j`` and column
``2j + 1`` a wrong one (adjacent, so that a repeated item is cheap to detect). With ``T`` the
``(2 n_items, Q)`` table of ``log P_j(theta_q)`` and ``log(1 - P_j(theta_q))`` on the quadrature
nodes, every person's log-likelihood at every node
is one sparse product, and the expected counts of the Bock-Aitkin EM are another:

    log L = X T,    W = posterior weights (rows of exp(log L) * prior, normalised),
    [r; w] = X' W   (r_jq: expected correct answers to item j at node q, w_jq: wrong ones).

Persons are processed in chunks of about ``chunk_responses`` answers, so the dense matrices
(``chunk persons x Q``) stay small however large the data set (Bock & Aitkin, 1981).

Reference: Bock, R. D., & Aitkin, M. (1981). Marginal maximum likelihood estimation of item
parameters: application of an EM algorithm. *Psychometrika*, 46, 443-459.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from palier.engine.arrays import FloatArray, IntArray

#: Answers per chunk: 500,000 keeps each dense chunk (persons x 61 nodes) near 10-40 MB and
#: gives the worker threads several chunks to share.
DEFAULT_CHUNK_RESPONSES = 500_000
MIN_CHUNKS = 8
MIN_CHUNK_RESPONSES = 50_000


@dataclass(frozen=True, eq=False)
class Design:
    """Responses as sparse chunks of the indicator matrix ``X`` (module docstring)."""

    n_persons: int
    n_items: int
    chunks: tuple[sp.csr_matrix, ...]
    offsets: tuple[int, ...]
    person_codes: IntArray
    responses_per_item: IntArray
    correct_per_item: IntArray

    @property
    def n_responses(self) -> int:
        return int(self.responses_per_item.sum())


def validate_long_format(
    person: ArrayLike, item: ArrayLike, correct: ArrayLike, n_items: int | None
) -> tuple[IntArray, IntArray, NDArray[np.bool_], int]:
    """Check the three long-format arrays and return them as (int, int, bool) arrays."""
    person_array = np.asarray(person)
    item_array = np.asarray(item)
    correct_array = np.asarray(correct)
    if not (person_array.ndim == item_array.ndim == correct_array.ndim == 1):
        raise ValueError("person, item and correct must be one-dimensional arrays")
    if not (person_array.size == item_array.size == correct_array.size):
        raise ValueError(
            "person, item and correct must have equal lengths, got "
            f"{person_array.size}, {item_array.size} and {correct_array.size}"
        )
    if person_array.size == 0:
        raise ValueError("no responses to calibrate")
    for name, array in (("person", person_array), ("item", item_array)):
        if array.dtype.kind not in "iu":
            raise ValueError(f"{name} must hold integer indices, got dtype {array.dtype}")
        if array.min() < 0:
            raise ValueError(f"{name} indices must be non-negative")
    if correct_array.dtype.kind == "b":
        correct_bool = correct_array
    elif correct_array.dtype.kind in "iu":
        if np.any((correct_array != 0) & (correct_array != 1)):
            raise ValueError("correct must hold 0/1 or booleans")
        correct_bool = correct_array.astype(bool)
    else:
        raise ValueError(
            f"correct must be boolean or 0/1 integers, got dtype {correct_array.dtype}"
        )
    found = int(item_array.max()) + 1
    if n_items is None:
        n_items = found
    elif n_items < found:
        raise ValueError(f"n_items={n_items} but an item index is {found - 1}")
    return (
        _compact(person_array),
        _compact(item_array),
        correct_bool,
        n_items,
    )


def _compact(array: NDArray[np.integer]) -> IntArray:
    """Indices as int32 when they fit (halves the memory of national-scale data), else int64."""
    dtype = np.int32 if int(array.max()) < np.iinfo(np.int32).max else np.int64
    return array.astype(dtype, copy=False)  # type: ignore[return-value]


def person_codes(person: IntArray) -> tuple[IntArray, int]:
    """Map person ids to ``0 .. n_persons - 1`` (linear time when ids are dense)."""
    top = int(person.max()) + 1
    if top <= 4 * person.size + 1024:
        present = np.bincount(person, minlength=top) > 0
        lookup = _compact(np.cumsum(present) - 1)
        return lookup[person], int(present.sum())
    unique, codes = np.unique(person, return_inverse=True)
    return _compact(codes), int(unique.size)


def build_design(
    person: IntArray,
    item: IntArray,
    correct: NDArray[np.bool_],
    n_items: int,
    chunk_responses: int = DEFAULT_CHUNK_RESPONSES,
    dtype: type[np.floating] = np.float64,
    codes: IntArray | None = None,
    n_persons: int | None = None,
) -> Design:
    """Sparse design chunks; ``ValueError`` if a person answered the same item twice.

    ``codes``/``n_persons`` pass person codes computed beforehand, so that the rows of several
    designs (one per area) refer to the same persons.
    """
    if codes is None or n_persons is None:
        codes, n_persons = person_codes(person)
    columns = 2 * item + ~correct
    matrix = sp.csr_matrix(
        (np.ones(codes.size, dtype=dtype), (codes, columns)), shape=(n_persons, 2 * n_items)
    )
    del columns
    matrix.sum_duplicates()
    if matrix.nnz != codes.size:
        raise ValueError("a person answered the same item twice (with the same answer)")
    # Columns 2j and 2j + 1 of one row are adjacent once indices are sorted: a person who
    # answered item j both right and wrong shows up as two neighbours with the same j.
    same_item = (matrix.indices[1:] >> 1) == (matrix.indices[:-1] >> 1)
    row_starts = matrix.indptr[1:-1]
    same_item[row_starts[(row_starts > 0) & (row_starts < matrix.nnz)] - 1] = False
    if same_item.any():
        raise ValueError("a person answered the same item twice (with different answers)")
    del same_item
    responses = np.bincount(item, minlength=n_items)
    rights = np.bincount(item[correct], minlength=n_items)
    # At least MIN_CHUNKS chunks (when large enough) so that worker threads share the work.
    chunk_responses = min(chunk_responses, max(MIN_CHUNK_RESPONSES, -(-codes.size // MIN_CHUNKS)))
    indptr = matrix.indptr
    chunks: list[sp.csr_matrix] = []
    offsets: list[int] = []
    start = 0
    while start < n_persons:
        stop = int(np.searchsorted(indptr, indptr[start] + chunk_responses, side="right")) - 1
        stop = min(max(stop, start + 1), n_persons)
        # Views on the full matrix's arrays: no copy of the answers.
        low, high = indptr[start], indptr[stop]
        chunks.append(
            sp.csr_matrix(
                (matrix.data[low:high], matrix.indices[low:high], indptr[start : stop + 1] - low),
                shape=(stop - start, 2 * n_items),
                copy=False,
            )
        )
        offsets.append(start)
        start = stop
    return Design(
        n_persons=n_persons,
        n_items=n_items,
        chunks=tuple(chunks),
        offsets=tuple(offsets),
        person_codes=codes,
        responses_per_item=responses,
        correct_per_item=rights,
    )


def interleave(right: FloatArray, wrong: FloatArray) -> FloatArray:
    """Rows ``2j`` from ``right[j]`` and ``2j + 1`` from ``wrong[j]`` (the design's columns)."""
    table = np.empty((2 * right.shape[0], *right.shape[1:]), dtype=np.result_type(right, wrong))
    table[0::2] = right
    table[1::2] = wrong
    return table


def log_table(
    nodes: FloatArray,
    discrimination: FloatArray,
    intercept: FloatArray,
    guessing: FloatArray,
    dtype: type[np.floating] = np.float64,
) -> NDArray[np.floating]:
    """``(2 n_items, Q)`` table: row ``2j`` holds ``log P_j``, row ``2j + 1`` ``log(1 - P_j)``."""
    from scipy.special import expit, log_expit

    z = discrimination[:, None] * nodes[None, :] + intercept[:, None]
    if not np.any(guessing):
        table = interleave(log_expit(z), log_expit(-z))
    else:
        c = guessing[:, None]
        log_right = np.log(np.maximum(c + (1 - c) * expit(z), 1e-300))
        table = interleave(log_right, np.log1p(-c) + log_expit(-z))
    return table.astype(dtype, copy=False)


@dataclass(frozen=True, eq=False)
class EStep:
    """Expected counts per item and node, the marginal log-likelihood and posterior moments."""

    correct_counts: FloatArray
    total_counts: FloatArray
    log_likelihood: float
    mean: float
    second_moment: float


def _chunk_pass(
    chunk: sp.csr_matrix,
    table: NDArray[np.floating],
    prior: NDArray[np.floating],
    nodes: FloatArray,
) -> tuple[FloatArray, float, float, float]:
    weights = chunk @ table
    weights += prior
    peak = weights.max(axis=1, keepdims=True)
    weights -= peak
    np.exp(weights, out=weights)
    total = weights.sum(axis=1, keepdims=True)
    log_likelihood = float(np.log(total).sum(dtype=np.float64) + peak.sum(dtype=np.float64))
    weights /= total
    counts = np.asarray(chunk.T @ weights, dtype=np.float64)
    marginal = weights.sum(axis=0, dtype=np.float64)
    return counts, log_likelihood, float(marginal @ nodes), float(marginal @ nodes**2)


def e_step(
    design: Design,
    table: NDArray[np.floating],
    nodes: FloatArray,
    log_prior: FloatArray,
    executor: Executor | None = None,
) -> EStep:
    """One pass over the chunks: posterior weights and the expected counts ``X' W``.

    With an ``executor`` the chunks run in threads (scipy's sparse products and numpy's
    ufuncs release the GIL); partial sums are added in chunk order, so the result does not
    depend on the number of threads.
    """
    prior = log_prior.astype(table.dtype)
    chunks = design.chunks
    if executor is None:
        parts: Iterable[tuple[FloatArray, float, float, float]] = (
            _chunk_pass(chunk, table, prior, nodes) for chunk in chunks
        )
    else:
        parts = executor.map(
            _chunk_pass, chunks, *zip(*[(table, prior, nodes)] * len(chunks), strict=True)
        )
    counts = np.zeros((2 * design.n_items, nodes.size))
    log_likelihood = first = second = 0.0
    for part_counts, part_log_likelihood, part_first, part_second in parts:
        counts += part_counts
        log_likelihood += part_log_likelihood
        first += part_first
        second += part_second
    correct_counts = counts[0::2]
    total_counts = correct_counts + counts[1::2]
    return EStep(
        correct_counts=correct_counts,
        total_counts=total_counts,
        log_likelihood=log_likelihood,
        mean=first / design.n_persons,
        second_moment=second / design.n_persons,
    )


def normal_log_prior(nodes: FloatArray, mean: float, sd: float) -> FloatArray:
    """Log weights of ``N(mean, sd^2)`` discretised on the nodes (they sum to one)."""
    log_density = -0.5 * ((nodes - mean) / sd) ** 2
    return np.asarray(log_density - np.log(np.exp(log_density).sum()), dtype=np.float64)


def chunk_posterior(chunk: Any, table: NDArray[np.floating], log_prior: FloatArray) -> FloatArray:
    """Posterior weights on the nodes of the persons of one chunk (rows sum to one)."""
    weights = np.asarray(chunk @ table, dtype=np.float64) + log_prior
    weights = np.exp(weights - weights.max(axis=1, keepdims=True))
    return np.asarray(weights / weights.sum(axis=1, keepdims=True), dtype=np.float64)


def posteriors(design: Design, table: NDArray[np.floating], log_prior: FloatArray) -> FloatArray:
    """Posterior weights of every person on the nodes, ``(n_persons, Q)`` (for item fit)."""
    return np.concatenate([chunk_posterior(chunk, table, log_prior) for chunk in design.chunks])
