"""E-step machinery of marginal maximum likelihood: sparse design, chunked posterior, counts.

Responses in long format (person, item, correct) become a sparse indicator matrix ``X`` of
shape ``(n_persons, 2 n_items)``: column ``j`` marks a correct answer to item ``j`` and column
``n_items + j`` a wrong one. With ``T`` the ``(2 n_items, Q)`` table of ``log P_j(theta_q)`` and
``log(1 - P_j(theta_q))`` on the quadrature nodes, every person's log-likelihood at every node
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

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

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
        person_array.astype(np.intp, copy=False),
        item_array.astype(np.intp, copy=False),
        correct_bool,
        n_items,
    )


def person_codes(person: IntArray) -> tuple[IntArray, int]:
    """Map person ids to ``0 .. n_persons - 1`` (linear time when ids are dense)."""
    top = int(person.max()) + 1
    if top <= 4 * person.size + 1024:
        present = np.bincount(person, minlength=top) > 0
        lookup = np.cumsum(present) - 1
        return lookup[person].astype(np.intp), int(present.sum())
    unique, codes = np.unique(person, return_inverse=True)
    return codes.astype(np.intp), int(unique.size)


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
    columns = item + np.where(correct, 0, n_items)
    matrix = sp.csr_matrix(
        (np.ones(codes.size, dtype=dtype), (codes, columns)), shape=(n_persons, 2 * n_items)
    )
    matrix.sum_duplicates()
    if matrix.nnz != codes.size:
        raise ValueError("a person answered the same item twice (with the same answer)")
    both = matrix[:, :n_items].multiply(matrix[:, n_items:])
    if both.nnz:
        raise ValueError("a person answered the same item twice (with different answers)")
    responses = np.bincount(item, minlength=n_items)
    rights = np.bincount(item[correct], minlength=n_items)
    del columns
    # At least MIN_CHUNKS chunks (when large enough) so that worker threads share the work.
    chunk_responses = min(chunk_responses, max(MIN_CHUNK_RESPONSES, -(-codes.size // MIN_CHUNKS)))
    indptr = matrix.indptr
    chunks: list[sp.csr_matrix] = []
    offsets: list[int] = []
    start = 0
    while start < n_persons:
        stop = int(np.searchsorted(indptr, indptr[start] + chunk_responses, side="right")) - 1
        stop = min(max(stop, start + 1), n_persons)
        chunks.append(matrix[start:stop])
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


def log_table(
    nodes: FloatArray,
    discrimination: FloatArray,
    intercept: FloatArray,
    guessing: FloatArray,
    dtype: type[np.floating] = np.float64,
) -> NDArray[np.floating]:
    """``(2 n_items, Q)`` table of ``log P`` (first half) and ``log(1 - P)`` (second half)."""
    from scipy.special import expit, log_expit

    z = discrimination[:, None] * nodes[None, :] + intercept[:, None]
    if not np.any(guessing):
        table = np.concatenate((log_expit(z), log_expit(-z)))
    else:
        p = guessing[:, None] + (1 - guessing[:, None]) * expit(z)
        p = np.clip(p, 1e-12, 1 - 1e-12)
        table = np.concatenate((np.log(p), np.log1p(-p)))
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
    n_items = design.n_items
    correct_counts = counts[:n_items]
    total_counts = correct_counts + counts[n_items:]
    return EStep(
        correct_counts=correct_counts,
        total_counts=total_counts,
        log_likelihood=log_likelihood,
        mean=first / design.n_persons,
        second_moment=second / design.n_persons,
    )


def posteriors(design: Design, table: NDArray[np.floating], log_prior: FloatArray) -> FloatArray:
    """Posterior weights of every person on the nodes, ``(n_persons, Q)`` (for fit and SEs)."""
    rows = []
    for chunk in design.chunks:
        weights = np.asarray(chunk @ table, dtype=np.float64) + log_prior
        weights = np.exp(weights - weights.max(axis=1, keepdims=True))
        rows.append(weights / weights.sum(axis=1, keepdims=True))
    return np.concatenate(rows)
