import numpy as np
import pytest

from palier.engine import information, mantel_haenszel, matching_strata, probability


def test_mantel_haenszel_matches_a_hand_computed_two_strata_example():
    # Stratum 0: reference 30 right / 10 wrong, focal 20 right / 20 wrong.
    # Stratum 1: reference 40 right / 5 wrong, focal 30 right / 10 wrong.
    rows = []
    for stratum, counts in enumerate([(30, 10, 20, 20), (40, 5, 30, 10)]):
        ref_right, ref_wrong, foc_right, foc_wrong = counts
        rows += [(0, 1, 0, stratum)] * ref_right + [(0, 0, 0, stratum)] * ref_wrong
        rows += [(0, 1, 1, stratum)] * foc_right + [(0, 0, 1, stratum)] * foc_wrong
    item, correct, focal, stratum = (np.array(column) for column in zip(*rows, strict=True))
    result = mantel_haenszel(item, correct, focal, stratum)
    alpha = (30 * 20 / 80 + 40 * 10 / 85) / (10 * 20 / 80 + 5 * 30 / 85)
    assert result.alpha[0] == pytest.approx(alpha)
    assert result.delta[0] == pytest.approx(-2.35 * np.log(alpha))
    expected = 40 * 50 / 80 + 45 * 70 / 85
    variance = 40 * 40 * 50 * 30 / (80**2 * 79) + 45 * 40 * 70 * 15 / (85**2 * 84)
    assert result.statistic[0] == pytest.approx((abs(70 - expected) - 0.5) ** 2 / variance)
    assert result.n_reference[0] == 85 and result.n_focal[0] == 80


def test_an_item_harder_for_the_focal_group_is_flagged_c_and_fair_items_a():
    rng = np.random.default_rng(3)
    n_persons, n_items = 6000, 12
    theta = rng.normal(size=n_persons)
    focal = rng.random(n_persons) < 0.4
    b = np.linspace(-1.5, 1.5, n_items)
    person = np.repeat(np.arange(n_persons), n_items)
    item = np.tile(np.arange(n_items), n_persons)
    shift = np.where((item == 0) & focal[person], 1.0, 0.0)
    p = 1 / (1 + np.exp(-(theta[person] - b[item] - shift)))
    correct = rng.random(p.size) < p
    strata = matching_strata(theta, 10)
    result = mantel_haenszel(item, correct, focal[person], strata[person])
    assert result.ets_class[0] == "C" and result.delta[0] < -1.5
    assert result.ets_class[1:].count("A") >= n_items - 2


def adaptive_answers(a, b, theta, focal_shift, rng, test_length=12, randomesque=10):
    """Answers to a maximum-information adaptive test (randomesque among the best items), with
    the EAP after each answer; ``focal_shift[p, j]`` is added to item j's difficulty for p."""
    n_persons = theta.size
    grid = np.linspace(-5, 5, 81)
    log_posterior = np.tile(-(grid**2) / 2, (n_persons, 1))
    estimate = np.zeros(n_persons)
    seen = np.zeros((n_persons, a.size), dtype=bool)
    rows = np.arange(n_persons)
    person, item, correct = [], [], []
    for _ in range(test_length):
        info = information(estimate[:, None], a, b)
        info[seen] = -np.inf
        best = np.argsort(-info, axis=1, kind="stable")[:, :randomesque]
        chosen = best[rows, rng.integers(0, randomesque, n_persons)]
        seen[rows, chosen] = True
        answer = rng.random(n_persons) < probability(
            theta, a[chosen], b[chosen] + focal_shift[rows, chosen]
        )
        on_grid = probability(grid, a[chosen, None], b[chosen, None])
        log_posterior += np.log(np.where(answer[:, None], on_grid, 1 - on_grid))
        weights = np.exp(log_posterior - log_posterior.max(axis=1, keepdims=True))
        estimate = weights @ grid / weights.sum(axis=1)
        person.append(rows)
        item.append(chosen)
        correct.append(answer)
    return np.concatenate(person), np.concatenate(item), np.concatenate(correct), estimate


def test_on_adaptive_data_matched_on_estimated_abilities_only_the_dif_item_is_flagged():
    # Sparse adaptive data: 12 of 30 items per person, chosen by information at the current
    # EAP; the focal group is less able on average (impact is not DIF) and finds item 15
    # harder by 0.8 logit. Persons are matched on their final EAP, as the application does.
    rng = np.random.default_rng(0)
    n_items, n_persons, dif_item = 30, 6000, 15
    a = rng.lognormal(0.0, 0.25, n_items)
    b = np.linspace(-2, 2, n_items)
    a[dif_item] = 1.0
    focal = rng.random(n_persons) < 0.4
    theta = rng.normal(np.where(focal, -0.3, 0.0), 1.0)
    shift = np.zeros((n_persons, n_items))
    shift[focal, dif_item] = 0.8
    person, item, correct, estimate = adaptive_answers(a, b, theta, shift, rng)
    assert item.size == 12 * n_persons
    strata = matching_strata(estimate, 10)
    result = mantel_haenszel(item, correct, focal[person], strata[person], n_items=n_items)
    assert result.ets_class[dif_item] in ("B", "C") and result.delta[dif_item] < -1
    others = [label for index, label in enumerate(result.ets_class) if index != dif_item]
    assert others == ["A"] * (n_items - 1)


def test_mismatched_dif_inputs_are_refused():
    with pytest.raises(ValueError, match="equal length"):
        mantel_haenszel(np.array([0, 1]), np.array([1]), np.array([0, 1]), np.array([0, 0]))


def test_matching_strata_have_equal_counts():
    strata = matching_strata(np.arange(1000.0), 4)
    assert np.bincount(strata).tolist() == [250, 250, 250, 250]
