import numpy as np
import pytest

from palier.engine.em import log_table
from palier.engine.se import item_score_tables


@pytest.mark.parametrize("three_pl", [False, True])
def test_score_tables_are_the_derivatives_of_the_log_table(three_pl):
    nodes = np.linspace(-4, 4, 17)
    a, d = np.array([1.1, 0.6]), np.array([0.2, -0.8])
    gamma = np.array([-1.5, -1.0]) if three_pl else None
    scores = item_score_tables(nodes, a, d, gamma)

    def table(a_, d_, gamma_):
        c = np.zeros(2) if gamma_ is None else 1 / (1 + np.exp(-gamma_))
        return log_table(nodes, a_, d_, c)

    step = 1e-6
    params = [a, d] + ([gamma] if three_pl else [])
    for k in range(len(params)):
        up = [p.copy() for p in params]
        down = [p.copy() for p in params]
        up[k] += step
        down[k] -= step
        numeric = (
            table(*up, *([] if three_pl else [None])) - table(*down, *([] if three_pl else [None]))
        ) / (2 * step)
        assert scores[k] == pytest.approx(numeric, rel=1e-5, abs=1e-6)
