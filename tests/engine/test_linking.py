import numpy as np
import pytest

from palier.engine import Linking, mean_sigma, stocking_lord, transform

TRUE_SLOPE, TRUE_INTERCEPT = 1.25, -0.4


def reference_anchors(n_anchors=24, seed=5, three_pl=False):
    rng = np.random.default_rng(seed)
    a = rng.lognormal(0.15, 0.3, n_anchors)
    b = rng.normal(0.0, 1.0, n_anchors)
    c = rng.uniform(0.05, 0.25, n_anchors) if three_pl else None
    return a, b, c


def draft_of(a, b, rng, noise=0.0):
    """The same items calibrated on a scale where theta_new = (theta_ref - B) / A."""
    new_a = a * TRUE_SLOPE * np.exp(rng.normal(0.0, noise / 2, a.size))
    new_b = (b - TRUE_INTERCEPT) / TRUE_SLOPE + rng.normal(0.0, noise, b.size)
    return new_a, new_b


def test_a_shifted_and_scaled_draft_comes_back_on_the_reference_scale():
    a, b, _ = reference_anchors()
    new_a, new_b = draft_of(a, b, np.random.default_rng(6), noise=0.05)
    linking = stocking_lord(new_a, new_b, a, b)
    assert isinstance(linking, Linking)
    assert linking.slope == pytest.approx(TRUE_SLOPE, abs=0.03)
    assert linking.intercept == pytest.approx(TRUE_INTERCEPT, abs=0.03)
    assert linking.mean_sigma_slope == pytest.approx(TRUE_SLOPE, abs=0.1)
    assert linking.mean_sigma_intercept == pytest.approx(TRUE_INTERCEPT, abs=0.1)
    assert linking.anchors_used == tuple(range(a.size)) and linking.anchors_dropped == ()
    linked_a, linked_b = transform(new_a, new_b, linking.slope, linking.intercept)
    assert np.sqrt(np.mean((linked_b - b) ** 2)) < 0.1
    assert np.sqrt(np.mean((np.log(linked_a) - np.log(a)) ** 2)) < 0.1
    assert linking.displacement == pytest.approx(linked_b - b)


def test_exact_anchors_give_the_exact_constants_and_a_zero_criterion():
    a, b, _ = reference_anchors(n_anchors=8)
    new_a, new_b = draft_of(a, b, np.random.default_rng(0))
    linking = stocking_lord(new_a, new_b, a, b, symmetric=True)
    assert linking.slope == pytest.approx(TRUE_SLOPE, abs=1e-8)
    assert linking.intercept == pytest.approx(TRUE_INTERCEPT, abs=1e-8)
    assert linking.criterion < 1e-15
    assert np.max(np.abs(linking.displacement)) < 1e-8


def test_the_criterion_is_a_minimum_of_the_test_characteristic_curve_gap():
    a, b, _ = reference_anchors()
    new_a, new_b = draft_of(a, b, np.random.default_rng(8), noise=0.15)
    linking = stocking_lord(new_a, new_b, a, b, drift_threshold=np.inf)
    theta = np.linspace(-4, 4, 41)
    weights = np.exp(-(theta**2) / 2) / np.exp(-(theta**2) / 2).sum()

    def loss(slope, intercept):
        linked_a, linked_b = transform(new_a, new_b, slope, intercept)
        gap = (1 / (1 + np.exp(-a * (theta[:, None] - b)))).sum(axis=1) - (
            1 / (1 + np.exp(-linked_a * (theta[:, None] - linked_b)))
        ).sum(axis=1)
        return float(weights @ gap**2)

    assert linking.criterion == pytest.approx(loss(linking.slope, linking.intercept), rel=1e-9)
    for step in ([0.01, 0], [-0.01, 0], [0, 0.01], [0, -0.01]):
        assert loss(linking.slope + step[0], linking.intercept + step[1]) > linking.criterion


def test_two_drifted_anchors_are_dropped_and_the_others_kept():
    a, b, _ = reference_anchors()
    new_a, new_b = draft_of(a, b, np.random.default_rng(9), noise=0.05)
    drifted = [4, 17]
    new_b[drifted] += 0.8 / TRUE_SLOPE  # 0.8 logit harder on the reference scale
    linking = stocking_lord(new_a, new_b, a, b)
    assert sorted(linking.anchors_dropped) == drifted
    assert linking.anchors_used == tuple(j for j in range(a.size) if j not in drifted)
    assert linking.slope == pytest.approx(TRUE_SLOPE, abs=0.03)
    assert linking.intercept == pytest.approx(TRUE_INTERCEPT, abs=0.03)
    assert linking.displacement[drifted] == pytest.approx([0.8, 0.8], abs=0.15)
    kept = np.delete(linking.displacement, drifted)
    assert np.max(np.abs(kept)) < 0.3


def test_without_the_drift_rule_drifted_anchors_bias_the_link():
    a, b, _ = reference_anchors()
    new_a, new_b = draft_of(a, b, np.random.default_rng(9), noise=0.05)
    new_b[[4, 17]] += 0.8 / TRUE_SLOPE
    linking = stocking_lord(new_a, new_b, a, b, drift_threshold=np.inf)
    assert linking.anchors_dropped == ()
    # The drifted anchors look harder in the draft, so the link pulls every item down.
    assert linking.intercept - TRUE_INTERCEPT < -0.04


def test_a_uniform_shift_of_every_anchor_is_a_change_of_scale_not_drift():
    a, b, _ = reference_anchors()
    new_a, new_b = draft_of(a, b, np.random.default_rng(10), noise=0.05)
    shifted = stocking_lord(new_a, new_b + 1.0, a, b)
    assert shifted.anchors_dropped == ()
    assert shifted.intercept == pytest.approx(TRUE_INTERCEPT - TRUE_SLOPE, abs=0.05)


def test_drift_never_leaves_fewer_than_min_anchors():
    a, b, _ = reference_anchors(n_anchors=8)
    new_a, new_b = draft_of(a, b, np.random.default_rng(11), noise=0.05)
    new_b[[0, 2, 5]] += np.array([1.5, -1.2, 1.0])
    linking = stocking_lord(new_a, new_b, a, b, min_anchors=6, robust_z=None)
    assert len(linking.anchors_used) == 6
    assert len(linking.anchors_dropped) == 2
    assert linking.anchors_dropped[0] == 0  # the largest displacement goes first


def test_the_order_of_the_anchors_does_not_change_the_result():
    a, b, c = reference_anchors(three_pl=True)
    new_a, new_b = draft_of(a, b, np.random.default_rng(12), noise=0.05)
    new_b[[3, 11]] += 0.9
    linking = stocking_lord(new_a, new_b, a, b, c, c)
    permutation = np.random.default_rng(13).permutation(a.size)
    permuted = stocking_lord(
        new_a[permutation], new_b[permutation], a[permutation], b[permutation],
        c[permutation], c[permutation],
    )  # fmt: skip
    assert permuted.slope == pytest.approx(linking.slope, abs=1e-9)
    assert permuted.intercept == pytest.approx(linking.intercept, abs=1e-9)
    assert permuted.mean_sigma_slope == pytest.approx(linking.mean_sigma_slope, abs=1e-12)
    assert permuted.criterion == pytest.approx(linking.criterion, rel=1e-6, abs=1e-15)
    assert sorted(permutation[list(permuted.anchors_dropped)]) == [3, 11]
    assert permuted.anchors_used == tuple(sorted(permuted.anchors_used))
    assert sorted(permutation[list(permuted.anchors_used)]) == list(linking.anchors_used)
    assert permuted.displacement == pytest.approx(linking.displacement[permutation], abs=1e-9)


def test_three_pl_anchors_are_linked_with_their_guessing_unchanged():
    a, b, c = reference_anchors(three_pl=True)
    new_a, new_b = draft_of(a, b, np.random.default_rng(14), noise=0.05)
    new_c = np.clip(c + np.random.default_rng(15).normal(0, 0.01, c.size), 0, 0.5)
    linking = stocking_lord(new_a, new_b, a, b, new_c, c)
    assert linking.slope == pytest.approx(TRUE_SLOPE, abs=0.03)
    assert linking.intercept == pytest.approx(TRUE_INTERCEPT, abs=0.03)
    assert linking.anchors_dropped == ()


def test_the_symmetric_criterion_agrees_with_the_one_sided_one_on_noisy_anchors():
    a, b, _ = reference_anchors()
    new_a, new_b = draft_of(a, b, np.random.default_rng(16), noise=0.05)
    one_sided = stocking_lord(new_a, new_b, a, b)
    symmetric = stocking_lord(new_a, new_b, a, b, symmetric=True)
    assert symmetric.slope == pytest.approx(one_sided.slope, abs=0.03)
    assert symmetric.intercept == pytest.approx(one_sided.intercept, abs=0.03)


def test_mean_sigma_matches_the_hand_computed_constants():
    new_b = np.array([-1.0, 0.0, 1.0])
    ref_b = np.array([-1.5, 0.5, 2.5])  # sd ratio 2, mean 0.5
    slope, intercept = mean_sigma(new_b, ref_b)
    assert slope == pytest.approx(2.0)
    assert intercept == pytest.approx(0.5)


def test_transform_moves_item_parameters_onto_the_reference_scale():
    linked_a, linked_b = transform([1.0, 2.0], [0.0, -1.0], 2.0, 0.5)
    assert linked_a.tolist() == [0.5, 1.0]
    assert linked_b.tolist() == [0.5, -1.5]


def test_too_few_anchors_are_refused():
    a, b, _ = reference_anchors(n_anchors=4)
    with pytest.raises(ValueError, match="4 anchors given, at least 5"):
        stocking_lord(a, b, a, b)
    with pytest.raises(ValueError, match="at least 2"):
        stocking_lord(a, b, a, b, min_anchors=1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ref_b": np.zeros(5)}, "ref_a and ref_b must be 1-D arrays of equal length"),
        ({"ref_a": np.ones(5), "ref_b": np.zeros(5)}, "equal lengths, got 6 and 5"),
        ({"new_a": -np.ones(6)}, "discriminations must be > 0"),
        ({"new_b": np.full(6, np.nan)}, "finite"),
        ({"new_c": np.full(6, 1.0)}, r"\[0, 1\)"),
        ({"ref_c": np.zeros(4)}, "ref_c"),
        ({"new_b": np.zeros(6)}, "all equal"),
        ({"robust_z": -1.0}, "robust_z"),
    ],
)
def test_invalid_anchors_are_refused_with_a_clear_message(change, message):
    a, b, _ = reference_anchors(n_anchors=6)
    arguments = {"new_a": a, "new_b": b, "ref_a": a, "ref_b": b} | change
    with pytest.raises(ValueError, match=message):
        stocking_lord(**arguments)
