"""Correlation between areas, estimated after the per-area calibrations.

Under between-item multidimensionality each area's items can be calibrated on their own (the
marginal of a multivariate normal is normal). With item parameters fixed, the correlation of
two areas maximises the bivariate marginal likelihood of the persons who answered both:

    l(rho) = sum_p log sum_{q, r} L_p1(theta_q) L_p2(theta_r) phi_2(theta_q, theta_r; rho)

with ``L_pd`` person ``p``'s likelihood of their answers in area ``d`` on the quadrature nodes
(pairwise composite likelihood; Varin, Reid & Firth, 2011). At most ``CORRELATION_PERSONS``
persons per pair are used, spread evenly (no randomness). Eigenvalue clipping keeps the matrix
positive definite.

Reference: Varin, C., Reid, N., & Firth, D. (2011). An overview of composite likelihood
methods. *Statistica Sinica*, 21, 5-42.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import expit

from palier.engine.arrays import FloatArray, IntArray
from palier.engine.em import Design, log_table

#: Persons used to estimate each correlation between areas.
CORRELATION_PERSONS = 50_000


def area_likelihoods(
    design: Design,
    nodes: FloatArray,
    parameters: tuple[FloatArray, FloatArray, FloatArray | None],
    persons: IntArray,
    dtype: type[np.floating],
) -> FloatArray:
    """Each selected person's likelihood of their answers in one area on the nodes (rescaled)."""
    a, d, gamma = parameters
    c = np.zeros_like(a) if gamma is None else expit(gamma)
    table = log_table(nodes, a, d, c, dtype)
    rows = []
    for chunk, offset in zip(design.chunks, design.offsets, strict=True):
        inside = persons[(persons >= offset) & (persons < offset + chunk.shape[0])] - offset
        if inside.size:
            values = np.asarray(chunk[inside] @ table, dtype=np.float64)
            rows.append(np.exp(values - values.max(axis=1, keepdims=True)))
    return np.concatenate(rows) if rows else np.zeros((0, nodes.size))


def pair_correlation(first: FloatArray, second: FloatArray, nodes: FloatArray) -> float:
    """Maximise the bivariate normal marginal likelihood of two areas' answers over rho."""
    grid_x, grid_y = np.meshgrid(nodes, nodes, indexing="ij")

    def negative_log_likelihood(rho: float) -> float:
        exponent = (grid_x**2 - 2 * rho * grid_x * grid_y + grid_y**2) / (2 * (1 - rho**2))
        density = np.exp(-exponent)
        density /= density.sum()
        joint = np.einsum("pq,qr,pr->p", first, density, second)
        return -float(np.log(np.maximum(joint, 1e-300)).sum())

    result = minimize_scalar(
        negative_log_likelihood, bounds=(-0.995, 0.995), method="bounded", options={"xatol": 1e-5}
    )
    return float(result.x)


def nearest_correlation(matrix: FloatArray) -> FloatArray:
    """Clip eigenvalues to keep a pairwise-estimated correlation matrix positive definite."""
    values, vectors = np.linalg.eigh(matrix)
    if values.min() > 1e-6:
        return matrix
    fixed = vectors @ np.diag(np.maximum(values, 1e-6)) @ vectors.T
    scale = np.sqrt(np.diag(fixed))
    return np.asarray(fixed / np.outer(scale, scale), dtype=np.float64)


def estimate_correlation(
    designs: list[Design],
    parameters: list[tuple[FloatArray, FloatArray, FloatArray | None]],
    nodes: FloatArray,
    dtype: type[np.floating],
) -> FloatArray:
    """Correlation matrix between areas, pair by pair, from per-area designs and parameters."""
    n_areas = len(designs)
    correlation = np.eye(n_areas)
    counts = [
        np.concatenate([np.diff(chunk.indptr) for chunk in design.chunks]) for design in designs
    ]
    for first in range(n_areas):
        for second in range(first + 1, n_areas):
            both = np.flatnonzero((counts[first] > 0) & (counts[second] > 0))
            if both.size > CORRELATION_PERSONS:
                both = both[np.linspace(0, both.size - 1, CORRELATION_PERSONS).astype(np.intp)]
            if both.size < 2:
                continue
            rho = pair_correlation(
                area_likelihoods(designs[first], nodes, parameters[first], both, dtype),
                area_likelihoods(designs[second], nodes, parameters[second], both, dtype),
                nodes,
            )
            correlation[first, second] = correlation[second, first] = rho
    return nearest_correlation(correlation)
