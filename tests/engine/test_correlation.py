import numpy as np
import pytest

from palier.engine.correlation import nearest_correlation, pair_correlation


def test_an_indefinite_pairwise_matrix_is_made_positive_definite_with_unit_diagonal():
    matrix = np.array([[1.0, 0.9, 0.9], [0.9, 1.0, -0.9], [0.9, -0.9, 1.0]])
    fixed = nearest_correlation(matrix)
    assert np.all(np.linalg.eigvalsh(fixed) > 0)
    assert np.allclose(np.diag(fixed), 1.0)


def test_a_positive_definite_matrix_is_left_as_it_is():
    matrix = np.array([[1.0, 0.3], [0.3, 1.0]])
    assert nearest_correlation(matrix) is matrix


def test_pairwise_likelihood_recovers_the_correlation_of_precise_measurements():
    rng = np.random.default_rng(0)
    nodes = np.linspace(-6, 6, 61)
    theta = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], size=4000)
    # Each person's likelihood in each area: a normal curve of SD 0.3 around a noisy estimate.
    first = np.exp(
        -0.5 * ((nodes - (theta[:, :1] + 0.3 * rng.standard_normal((4000, 1)))) / 0.3) ** 2
    )
    second = np.exp(
        -0.5 * ((nodes - (theta[:, 1:] + 0.3 * rng.standard_normal((4000, 1)))) / 0.3) ** 2
    )
    assert pair_correlation(first, second, nodes) == pytest.approx(0.6, abs=0.04)
