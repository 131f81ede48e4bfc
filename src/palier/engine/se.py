"""Standard errors of calibrated item parameters.

The information matrix is estimated by the cross-product of the persons' score vectors
("XPD"; Mislevy, 1986): a person's score for an item parameter is the posterior mean of the
complete-data score of their answer (Louis, 1982). The priors' curvature is added, the matrix
of all free parameters ``(a, d, logit c)`` is inverted as a whole, and the delta method gives
the SEs of ``a``, ``b = -d / a`` and ``c``.

References: Louis, T. A. (1982). Finding the observed information matrix when using the EM
algorithm. *JRSS B*, 44, 226-233. Mislevy, R. J. (1986). Bayes modal estimation in item
response models. *Psychometrika*, 51, 177-195.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from palier.engine.arrays import BoolArray, FloatArray
from palier.engine.em import Design, chunk_posterior, interleave, log_table, normal_log_prior
from palier.engine.mstep import Priors

#: Persons per block when computing score cross-products.
SE_PERSON_BLOCK = 4096


def item_score_tables(
    nodes: FloatArray, a: FloatArray, d: FloatArray, gamma: FloatArray | None
) -> FloatArray:
    """``(k, 2 n_items, Q)``: derivative of each column's log-probability in each parameter."""
    s = expit(a[:, None] * nodes[None, :] + d[:, None])
    c = np.zeros((a.size, 1)) if gamma is None else expit(gamma)[:, None]
    p = np.clip(c + (1 - c) * s, 1e-12, 1 - 1e-12)
    slope = (1 - c) * s * (1 - s)
    derivatives = [slope * nodes[None, :], slope]
    if gamma is not None:
        derivatives.append(c * (1 - c) * (1 - s))
    right = [derivative / p for derivative in derivatives]
    wrong = [-derivative / (1 - p) for derivative in derivatives]
    return np.stack([interleave(r, w) for r, w in zip(right, wrong, strict=True)])


def standard_errors(
    design: Design,
    nodes: FloatArray,
    parameters: tuple[FloatArray, FloatArray, FloatArray | None],
    population: tuple[float, float],
    free: BoolArray,
    priors: Priors,
    dtype: type[np.floating],
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """SEs from the cross-product of person scores (XPD) plus prior curvature; delta method.

    Reference: Louis, T. A. (1982). Finding the observed information matrix when using the EM
    algorithm. *JRSS B*, 44, 226-233.
    """
    a, d, gamma = parameters
    k = 2 if gamma is None else 3
    n_items = design.n_items
    position = np.full(n_items, -1)
    position[free] = np.arange(int(free.sum()))
    n_params = int(free.sum()) * k
    scores = item_score_tables(nodes, a, d, gamma)
    c = np.zeros_like(a) if gamma is None else expit(gamma)
    table = log_table(nodes, a, d, c, dtype)
    log_prior = normal_log_prior(nodes, *population)
    cross = np.zeros((n_params, n_params))
    for chunk in design.chunks:
        weights = chunk_posterior(chunk, table, log_prior)
        rows = np.repeat(np.arange(chunk.shape[0]), np.diff(chunk.indptr))
        columns = chunk.indices
        values = np.empty((rows.size, k))
        # A person's score for an item parameter is the posterior mean of the answer's score
        # (Louis, 1982): one dense product per block of persons, then read where answered.
        for start in range(0, chunk.shape[0], SE_PERSON_BLOCK):
            stop = min(start + SE_PERSON_BLOCK, chunk.shape[0])
            span = slice(chunk.indptr[start], chunk.indptr[stop])
            local_rows = rows[span] - start
            for t in range(k):
                person_item = weights[start:stop] @ scores[t].T
                values[span, t] = person_item[local_rows, columns[span]]
        item_of = columns >> 1
        keep = position[item_of] >= 0
        rows, item_of, values = rows[keep], item_of[keep], values[keep]
        parameter_columns = (position[item_of][:, None] * k + np.arange(k)[None, :]).ravel()
        person_scores = sp.csr_matrix(
            (values.ravel(), (np.repeat(rows, k), parameter_columns)),
            shape=(chunk.shape[0], n_params),
        )
        cross += (person_scores.T @ person_scores).toarray()
    free_index = np.flatnonzero(free)
    prior_curvature = np.zeros((free_index.size, k))
    if priors.log_discrimination is not None:
        prior_curvature[:, 0] = 1 / (priors.log_discrimination[1] ** 2 * a[free_index] ** 2)
    if gamma is not None and priors.guessing is not None:
        cc = expit(gamma[free_index])
        prior_curvature[:, 2] = max(sum(priors.guessing) - 2, 0.0) * cc * (1 - cc)
    cross[np.diag_indices(n_params)] += prior_curvature.ravel()
    try:
        covariance = np.linalg.inv(cross)
    except np.linalg.LinAlgError:
        covariance = np.linalg.pinv(cross)
    blocks = (
        np.stack(
            [covariance[i * k : (i + 1) * k, i * k : (i + 1) * k] for i in range(free_index.size)]
        )
        if free_index.size
        else np.zeros((0, k, k))
    )
    se_a = np.full(n_items, np.nan)
    se_b = np.full(n_items, np.nan)
    se_c = None if gamma is None else np.full(n_items, np.nan)
    af, df = a[free_index], d[free_index]
    se_a[free_index] = np.sqrt(np.maximum(blocks[:, 0, 0], 0))
    jac = np.stack([df / af**2, -1 / af], axis=1)
    var_b = np.einsum("ik,ikl,il->i", jac, blocks[:, :2, :2], jac)
    se_b[free_index] = np.sqrt(np.maximum(var_b, 0))
    if se_c is not None and gamma is not None:
        cc = expit(gamma[free_index])
        se_c[free_index] = cc * (1 - cc) * np.sqrt(np.maximum(blocks[:, 2, 2], 0))
    return se_a, se_b, se_c
