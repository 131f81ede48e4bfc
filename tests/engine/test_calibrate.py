import numpy as np
import pytest

from palier.engine import Priors, calibrate
from tests.engine.factories import simulate_responses


def rmse(estimate, truth):
    return float(np.sqrt(np.mean((estimate - truth) ** 2)))


def true_items(n_items, seed):
    rng = np.random.default_rng(seed)
    return rng.lognormal(0.0, 0.3, n_items), rng.normal(0.0, 1.0, n_items)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (([0, 1], [0, 1, 2], [1, 0, 1]), "equal lengths"),
        (([0.5, 1, 2], [0, 1, 2], [1, 0, 1]), "person must hold integer"),
        (([0, 1, 2], [0, -1, 2], [1, 0, 1]), "non-negative"),
        (([0, 1, 2], [0, 1, 2], [1, 2, 1]), "0/1"),
        (([0, 1, 2], [0, 1, 2], [0.5, 0.0, 1.0]), "boolean or 0/1"),
        (([], [], []), "no responses"),
        (([0, 0], [1, 1], [1, 1]), "twice"),
        (([0, 0], [1, 1], [1, 0]), "twice"),
    ],
)
def test_bad_long_format_data_is_refused_with_a_clear_message(arguments, message):
    with pytest.raises(ValueError, match=message):
        calibrate(*(np.asarray(values) for values in arguments))


def test_an_unknown_model_is_refused():
    with pytest.raises(ValueError, match="model"):
        calibrate(np.array([0]), np.array([0]), np.array([1]), model="4pl")  # type: ignore[arg-type]


def small_data(seed=0, n_persons=3000, n_items=20, per_person=20):
    a, b = true_items(n_items, seed)
    rng = np.random.default_rng(seed + 1)
    person, item, correct, _ = simulate_responses(a, b, n_persons, per_person, rng)
    return a, b, person, item, correct


def test_a_small_complete_two_pl_calibration_recovers_the_parameters_roughly():
    a, b, person, item, correct = small_data()
    result = calibrate(person, item, correct)
    assert result.converged and result.iterations < 200
    assert rmse(result.discrimination, a) < 0.12
    assert rmse(result.difficulty, b) < 0.12
    assert result.guessing is None
    assert np.all(result.se_discrimination > 0) and np.all(result.se_difficulty > 0)


def test_without_priors_the_em_never_decreases_the_marginal_log_likelihood():
    _, _, person, item, correct = small_data(seed=3, n_persons=800)
    result = calibrate(person, item, correct, priors=Priors(None, None), tolerance=1e-6)
    history = np.array(result.log_likelihood_history)
    assert np.all(np.diff(history) >= -1e-6 * np.abs(history[1:]))
    assert result.log_likelihood >= history[-1] - 1e-6


def test_person_ids_need_not_be_contiguous():
    _, _, person, item, correct = small_data(seed=4, n_persons=500)
    dense = calibrate(person, item, correct, standard_errors=False)
    sparse_ids = calibrate(person * 1_000_003 + 17, item, correct, standard_errors=False)
    assert np.allclose(dense.discrimination, sparse_ids.discrimination)


def test_the_result_does_not_depend_on_the_number_of_threads_or_chunks():
    _, _, person, item, correct = small_data(seed=5, n_persons=600)
    one = calibrate(person, item, correct, workers=1, standard_errors=False)
    two = calibrate(person, item, correct, workers=2, chunk_responses=1000, standard_errors=False)
    assert np.allclose(one.discrimination, two.discrimination, atol=1e-10)
    assert np.allclose(one.difficulty, two.difficulty, atol=1e-10)


def test_single_precision_gives_the_same_parameters_to_four_decimals():
    _, _, person, item, correct = small_data(seed=6, n_persons=600)
    double = calibrate(person, item, correct, standard_errors=False)
    single = calibrate(person, item, correct, standard_errors=False, single_precision=True)
    assert np.allclose(double.discrimination, single.discrimination, atol=1e-4)
    assert np.allclose(double.difficulty, single.difficulty, atol=1e-4)


def test_items_without_any_response_get_nan_parameters():
    _, _, person, item, correct = small_data(seed=7, n_persons=300)
    result = calibrate(person, item, correct, n_items=25, standard_errors=False)
    assert np.all(np.isnan(result.discrimination[20:])) and np.all(
        np.isfinite(result.discrimination[:20])
    )
    assert result.responses_per_item[20:].sum() == 0


def test_fixed_items_keep_their_parameters():
    a, b, person, item, correct = small_data(seed=8, n_persons=1500)
    fixed = {index: (a[index], b[index]) for index in range(10)}
    result = calibrate(person, item, correct, fixed=fixed, standard_errors=False)
    assert np.allclose(result.discrimination[:10], a[:10])
    assert np.allclose(result.difficulty[:10], b[:10])
    assert (
        np.all(np.isnan(result.se_discrimination[:10]))
        if result.se_discrimination is not None
        else True
    )


def test_fixed_items_are_validated():
    _, _, person, item, correct = small_data(seed=9, n_persons=50)
    with pytest.raises(ValueError, match="non-positive"):
        calibrate(person, item, correct, fixed={0: (0.0, 1.0)})
    with pytest.raises(ValueError, match="outside"):
        calibrate(person, item, correct, fixed={99: (1.0, 1.0)})


@pytest.mark.slow
def test_sparse_two_pl_calibration_recovers_parameters_with_honest_standard_errors():
    n_items = 100
    a, b = true_items(n_items, seed=11)
    rng = np.random.default_rng(12)
    person, item, correct, _ = simulate_responses(a, b, 20_000, 30, rng)
    result = calibrate(person, item, correct)
    assert result.converged
    # 6,000 answers per item: sampling SDs near 0.04 for a and b.
    assert rmse(result.discrimination, a) < 0.06
    assert rmse(result.difficulty, b) < 0.07
    for estimate, truth, se in (
        (result.discrimination, a, result.se_discrimination),
        (result.difficulty, b, result.se_difficulty),
    ):
        ratio = rmse(estimate, truth) / float(np.sqrt(np.mean(se**2)))
        assert 0.8 < ratio < 1.25


@pytest.mark.slow
def test_three_pl_calibration_recovers_parameters_on_complete_data():
    n_items = 30
    rng = np.random.default_rng(21)
    a = rng.lognormal(0.2, 0.25, n_items)
    b = rng.normal(0.3, 1.0, n_items)
    c = rng.uniform(0.1, 0.3, n_items)
    person, item, correct, _ = simulate_responses(a, b, 10_000, n_items, rng, guessing=c)
    result = calibrate(person, item, correct, model="3pl", standard_errors=False)
    assert result.guessing is not None
    assert rmse(result.difficulty, b) < 0.2
    assert rmse(result.discrimination, a) < 0.2
    assert rmse(result.guessing, c) < 0.06


@pytest.mark.slow
def pretest_answers(a, b, n_operational, theta, rng, routing=5, operational=15, pretest=2):
    """Long-format answers to a two-stage operational test plus pretest slots.

    Each person answers ``routing`` random operational items, then the operational items whose
    difficulty is closest to an ability guessed from the routing score (selection depends on
    observed answers only, as in an adaptive test, so it is ignorable for the likelihood), then
    ``pretest`` random new items: sparse data, each new item seen by a fraction of persons.
    """
    n_persons = theta.size
    rows = np.arange(n_persons)[:, None]

    def answer(items):
        return rng.random(items.shape) < 1 / (1 + np.exp(-a[items] * (theta[rows] - b[items])))

    first = np.argsort(rng.random((n_persons, n_operational)), axis=1)[:, :routing]
    first_correct = answer(first)
    score = first_correct.sum(axis=1)
    guess = np.log((score + 0.5) / (routing - score + 0.5))
    distance = np.abs(b[None, :n_operational] - guess[:, None])
    distance[rows, first] = np.inf
    targeted = np.argsort(distance, axis=1, kind="stable")[:, : operational - routing]
    n_new = a.size - n_operational
    new = n_operational + np.argsort(rng.random((n_persons, n_new)), axis=1)[:, :pretest]
    items = np.concatenate([first, targeted, new], axis=1)
    correct = np.concatenate([first_correct, answer(items[:, routing:])], axis=1)
    return np.repeat(np.arange(n_persons), items.shape[1]), items.ravel(), correct.ravel()


def test_fixed_parameter_calibration_puts_new_items_on_the_operational_scale():
    # 80 operational items held at their (operational-scale) parameters, 12 pretest items
    # estimated; learners drawn from N(0.5, 1.2), not the N(0, 1) a free calibration assumes.
    # Each person answers 15 operational and 2 pretest items: about 950 answers per new item.
    n_operational, n_new = 80, 12
    a, b = true_items(n_operational + n_new, seed=31)
    rng = np.random.default_rng(32)
    b[:n_operational] = rng.normal(0.5, 1.3, n_operational)
    theta = rng.normal(0.5, 1.2, 6000)
    person, item, correct = pretest_answers(a, b, n_operational, theta, rng)
    assert np.bincount(item, minlength=a.size)[n_operational:].min() > 900
    fixed = {index: (a[index], b[index]) for index in range(n_operational)}
    result = calibrate(person, item, correct, fixed=fixed)
    new = slice(n_operational, None)
    assert result.discrimination[:n_operational] == pytest.approx(a[:n_operational])
    assert result.population_mean[0] == pytest.approx(0.5, abs=0.06)
    assert result.population_sd[0] == pytest.approx(1.2, abs=0.06)
    assert rmse(result.difficulty[new], b[new]) < 0.15
    assert rmse(result.discrimination[new], a[new]) < 0.18
    assert np.all(np.abs(result.difficulty[new] - b[new]) < 3 * result.se_difficulty[new])
    # Without the operational items fixed, the new items land on the sample's own N(0, 1)
    # scale, about half a logit away.
    free = calibrate(person, item, correct, standard_errors=False)
    assert rmse(free.difficulty[new], b[new]) > 0.3


@pytest.mark.slow
def test_the_correlation_between_two_areas_is_estimated():
    n_items = 40
    a, b = true_items(n_items, seed=41)
    rng = np.random.default_rng(42)
    theta = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], size=6000)
    areas = np.arange(n_items) % 2
    person = np.repeat(np.arange(6000), n_items)
    item = np.tile(np.arange(n_items), 6000)
    p = 1 / (1 + np.exp(-a[item] * (theta[person, areas[item]] - b[item])))
    correct = rng.random(p.size) < p
    result = calibrate(person, item, correct, item_areas=areas, standard_errors=False)
    assert result.correlation is not None
    assert result.correlation[0, 1] == pytest.approx(0.6, abs=0.04)
    assert rmse(result.difficulty, b) < 0.1


def test_the_same_item_answered_by_two_neighbouring_persons_is_not_a_duplicate():
    person = np.array([0, 1, 1, 2, 2])
    item = np.array([3, 3, 4, 3, 4])
    correct = np.array([1, 0, 1, 1, 0])
    result = calibrate(person, item, correct, standard_errors=False, max_iterations=5)
    assert result.responses_per_item[3] == 3


def test_acceleration_reaches_the_same_estimates_in_fewer_e_steps():
    _, _, person, item, correct = small_data(seed=10, n_persons=2000)
    plain = calibrate(
        person, item, correct, accelerate=False, tolerance=1e-6, standard_errors=False
    )
    fast = calibrate(person, item, correct, accelerate=True, tolerance=1e-6, standard_errors=False)
    assert fast.converged and plain.converged
    assert fast.iterations < plain.iterations
    assert np.allclose(fast.discrimination, plain.discrimination, atol=1e-4)
    assert np.allclose(fast.difficulty, plain.difficulty, atol=1e-4)
    assert fast.log_likelihood >= plain.log_likelihood - 1e-3
