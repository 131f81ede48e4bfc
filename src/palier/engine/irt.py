"""Item response functions of the two- and three-parameter logistic models.

For an item with discrimination ``a`` (> 0, usually 0.5 to 2.5), difficulty ``b`` (logits,
usually -3 to 3) and lower asymptote ``c`` (guessing, 0 <= c < 1, usually 0 to 0.3):

    P(theta) = c + (1 - c) / (1 + exp(-a (theta - b)))            (Birnbaum, 1968)

Fisher information of one item about ``theta`` (Lord, 1980, ch. 5):

    I(theta) = a^2 * (P - c)^2 / (1 - c)^2 * (1 - P) / P

which reduces to ``a^2 P (1 - P)`` for the 2PL and peaks at ``theta = b`` with value ``a^2 / 4``.

References: Birnbaum, A. (1968). Some latent trait models. In Lord & Novick, *Statistical
theories of mental test scores*. Lord, F. M. (1980). *Applications of item response theory to
practical testing problems*. Erlbaum.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit, log_expit

from palier.engine.arrays import FloatArray

#: Probabilities are kept this far from 0 and 1 before taking logarithms.
PROBABILITY_FLOOR = 1e-12


def probability(
    theta: ArrayLike, discrimination: ArrayLike, difficulty: ArrayLike, guessing: ArrayLike = 0.0
) -> FloatArray:
    """Probability of a correct answer, ``c + (1 - c) * logistic(a (theta - b))``.

    Arguments broadcast together (numpy rules).
    """
    a = np.asarray(discrimination, dtype=np.float64)
    c = np.asarray(guessing, dtype=np.float64)
    logistic = expit(a * (np.asarray(theta, dtype=np.float64) - np.asarray(difficulty)))
    return np.asarray(c + (1.0 - c) * logistic, dtype=np.float64)


def information(
    theta: ArrayLike, discrimination: ArrayLike, difficulty: ArrayLike, guessing: ArrayLike = 0.0
) -> FloatArray:
    """Fisher information ``a^2 (P - c)^2 / (1 - c)^2 * (1 - P) / P`` (Lord, 1980, ch. 5)."""
    a = np.asarray(discrimination, dtype=np.float64)
    c = np.asarray(guessing, dtype=np.float64)
    z = a * (np.asarray(theta, dtype=np.float64) - np.asarray(difficulty))
    logistic = expit(z)
    p = c + (1.0 - c) * logistic
    # (P - c) / (1 - c) is the logistic itself, and 1 - P = (1 - c) logistic(-z) is computed
    # without cancellation, so the information stays exact in the tails.
    q = (1.0 - c) * expit(-z)
    return np.asarray(a * a * logistic * logistic * q / p, dtype=np.float64)


def information_2pl(
    theta: ArrayLike, discrimination: ArrayLike, difficulty: ArrayLike
) -> FloatArray:
    """2PL information ``a^2 P (1 - P)``, written ``a^2 e / (1 + e)^2`` with ``e = exp(-|z|)``.

    Same value as :func:`information` with ``c = 0``, in fewer operations (the adaptive step
    evaluates it for every candidate item) and without overflow for large ``|z|``.
    """
    a = np.asarray(discrimination, dtype=np.float64)
    e = np.exp(-np.abs(a * (np.asarray(theta, dtype=np.float64) - np.asarray(difficulty))))
    one_plus = 1.0 + e
    return np.asarray(a * a * e / (one_plus * one_plus), dtype=np.float64)


def log_likelihood_terms(
    theta: ArrayLike,
    discrimination: ArrayLike,
    difficulty: ArrayLike,
    guessing: ArrayLike,
    correct: ArrayLike,
) -> FloatArray:
    """``log P`` where the answer is correct and ``log(1 - P)`` where it is not.

    Both are computed without cancellation (``log_expit``), so they stay exact far in the tails.
    """
    a = np.asarray(discrimination, dtype=np.float64)
    c = np.asarray(guessing, dtype=np.float64)
    x = np.asarray(correct, dtype=bool)
    z = a * (np.asarray(theta, dtype=np.float64) - np.asarray(difficulty))
    if not np.any(c):
        return np.asarray(log_expit(np.where(x, z, -z)), dtype=np.float64)
    # log(1 - P) = log(1 - c) + log(logistic(-z)): exact far in the upper tail, where 1 - P
    # computed directly would cancel.
    log_right = np.log(np.maximum(c + (1.0 - c) * expit(z), PROBABILITY_FLOOR))
    log_wrong = np.log1p(-c) + log_expit(-z)
    return np.asarray(np.where(x, log_right, log_wrong), dtype=np.float64)


def score_and_information(
    theta: ArrayLike,
    discrimination: ArrayLike,
    difficulty: ArrayLike,
    guessing: ArrayLike,
    correct: ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """Derivative of each answer's log-likelihood in ``theta`` and the item's Fisher information.

    Score of one answer (Lord, 1980, eq. for the 3PL likelihood equation):

        d/dtheta log L = a (x - P) (P - c) / (P (1 - c))

    which is ``a (x - P)`` for the 2PL.
    """
    a = np.asarray(discrimination, dtype=np.float64)
    c = np.asarray(guessing, dtype=np.float64)
    x = np.asarray(correct, dtype=np.float64)
    z = a * (np.asarray(theta, dtype=np.float64) - np.asarray(difficulty))
    logistic = expit(z)
    p = c + (1.0 - c) * logistic
    q = (1.0 - c) * expit(-z)  # 1 - P without cancellation
    # x - P written as x Q - (1 - x) P, exact for both answers.
    score = a * (x * q - (1.0 - x) * p) * logistic / p
    info = a * a * logistic * logistic * q / p
    return np.asarray(score, dtype=np.float64), np.asarray(info, dtype=np.float64)
