import numpy as np
import pytest

from palier.engine.em import build_design, e_step, log_table, normal_log_prior, person_codes
from palier.engine.irt import log_likelihood_terms


def test_the_log_table_interleaves_right_and_wrong_answers():
    nodes = np.linspace(-4, 4, 9)
    a, d, c = np.array([1.2, 0.7]), np.array([0.3, -1.0]), np.array([0.0, 0.2])
    table = log_table(nodes, a, d, c)
    for item in range(2):
        b = -d[item] / a[item]
        right = log_likelihood_terms(nodes, a[item], b, c[item], True)
        wrong = log_likelihood_terms(nodes, a[item], b, c[item], False)
        assert np.allclose(table[2 * item], right) and np.allclose(table[2 * item + 1], wrong)


def test_expected_counts_add_up_to_the_answers_across_chunks():
    rng = np.random.default_rng(0)
    person = np.repeat(np.arange(300), 5)
    item = np.concatenate([rng.choice(12, 5, replace=False) for _ in range(300)])
    correct = rng.random(item.size) < 0.6
    design = build_design(person, item, correct, 12, chunk_responses=200)
    assert len(design.chunks) > 1
    nodes = np.linspace(-6, 6, 31)
    table = log_table(nodes, np.ones(12), np.zeros(12), np.zeros(12))
    counts = e_step(design, table, nodes, normal_log_prior(nodes, 0.0, 1.0))
    assert counts.total_counts.sum() == pytest.approx(item.size)
    assert counts.correct_counts.sum(axis=1) == pytest.approx(
        np.bincount(item[correct], minlength=12)
    )
    assert counts.total_counts.sum(axis=1) == pytest.approx(np.bincount(item, minlength=12))


def test_person_codes_are_dense_whatever_the_ids():
    codes, n = person_codes(np.array([7, 10**12, 7, 3]))
    assert n == 3 and codes.tolist() == [1, 2, 1, 0]


def test_the_discrete_prior_sums_to_one():
    nodes = np.linspace(-6, 6, 61)
    assert np.exp(normal_log_prior(nodes, 0.5, 1.2)).sum() == pytest.approx(1.0)
