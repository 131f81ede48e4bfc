import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import expit

from palier.engine.irt import information, log_likelihood_terms, probability, score_and_information

thetas = st.floats(-6, 6)
discriminations = st.floats(0.2, 3.0)
difficulties = st.floats(-3, 3)
guessings = st.floats(0.0, 0.4)


@given(thetas, discriminations, difficulties, guessings)
def test_probability_lies_strictly_between_zero_and_one(theta, a, b, c):
    p = probability(theta, a, b, c)
    assert 0 < p < 1


@given(thetas, st.floats(0.01, 2.0), discriminations, difficulties, guessings)
def test_probability_increases_with_theta(theta, delta, a, b, c):
    assert probability(theta + delta, a, b, c) >= probability(theta, a, b, c)
    if abs(theta - b) < 4:
        assert probability(theta + delta, a, b, c) > probability(theta, a, b, c)


@given(discriminations, difficulties)
def test_two_pl_information_peaks_at_the_difficulty_with_value_a_squared_over_four(a, b):
    grid = np.linspace(b - 4, b + 4, 8001)
    info = information(grid, a, b)
    assert abs(grid[np.argmax(info)] - b) < 1e-3
    assert np.isclose(information(b, a, b), a * a / 4)


@given(thetas, discriminations, difficulties, guessings)
def test_information_is_the_squared_slope_over_the_binomial_variance(theta, a, b, c):
    # Slope and 1 - P written from the logistic and its complement, exact in the tails.
    logistic, complement = expit(a * (theta - b)), expit(-a * (theta - b))
    slope = (1 - c) * a * logistic * complement
    p, q = c + (1 - c) * logistic, (1 - c) * complement
    assert np.isclose(information(theta, a, b, c), slope**2 / (p * q), rtol=1e-9, atol=0)
    assert np.isclose(probability(theta, a, b, c), p, rtol=1e-12)


@given(thetas, discriminations, difficulties, guessings, st.booleans())
def test_score_is_the_derivative_of_the_log_likelihood(theta, a, b, c, correct):
    step = 1e-6
    numeric = (
        log_likelihood_terms(theta + step, a, b, c, correct)
        - log_likelihood_terms(theta - step, a, b, c, correct)
    ) / (2 * step)
    score, _ = score_and_information(theta, a, b, c, correct)
    assert np.isclose(score, numeric, rtol=1e-4, atol=1e-7)


def test_two_pl_log_likelihood_stays_finite_far_in_the_tails():
    terms = log_likelihood_terms(np.array([-60.0, 60.0]), 2.0, 0.0, 0.0, np.array([True, False]))
    assert np.all(np.isfinite(terms))
    assert np.allclose(terms, -120.0)
