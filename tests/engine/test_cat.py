"""The stateless adaptive step, end to end."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from palier.engine import Answer, CatConfig, ItemBank, next_step
from palier.engine.irt import probability
from tests.engine.factories import make_bank


def run_test(bank, config, true_theta, seed):
    """Administer a whole test; answers drawn from the model at ``true_theta`` (one per area)."""
    rng = np.random.default_rng(seed)
    answers: list[Answer] = []
    while True:
        step = next_step(bank, answers, config, rng)
        if step.finished:
            return answers, step
        index = bank.index_of(step.item_id)
        p = probability(
            true_theta[bank.areas[index]],
            bank.discrimination[index],
            bank.difficulty[index],
            bank.guessing[index],
        )
        answers.append(Answer(step.item_id, bool(rng.random() < p)))


def test_the_first_item_is_the_most_informative_at_the_prior_mean(small_bank):
    step = next_step(small_bank, [], CatConfig(), np.random.default_rng(0))
    from palier.engine.irt import information

    info = information(0.0, small_bank.discrimination, small_bank.difficulty)
    assert step.item_id == small_bank.item_ids[int(np.argmax(info))]
    assert not step.finished and step.stop_reason is None


def test_unknown_item_ids_are_refused(small_bank):
    with pytest.raises(ValueError, match="unknown item id 'nope'"):
        next_step(small_bank, [Answer("nope", True)], CatConfig(), np.random.default_rng(0))


def test_a_repeated_item_id_is_refused(small_bank):
    answers = [Answer("item-0001", True), Answer("item-0001", False)]
    with pytest.raises(ValueError, match="appears twice"):
        next_step(small_bank, answers, CatConfig(), np.random.default_rng(0))


def test_a_non_boolean_answer_is_refused(small_bank):
    with pytest.raises(ValueError, match="True or False"):
        next_step(small_bank, [Answer("item-0001", "yes")], CatConfig(), np.random.default_rng(0))  # type: ignore[arg-type]


def test_the_generator_must_be_an_explicit_numpy_generator(small_bank):
    with pytest.raises(TypeError, match="Generator"):
        next_step(small_bank, [], CatConfig(), 42)  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.floats(-3, 3), st.integers(1, 5))
def test_no_item_is_ever_given_twice(seed, theta, randomesque):
    bank = make_bank(40, seed=seed % 7)
    config = CatConfig(max_items=40, se_target=0.05, randomesque=randomesque)
    answers, step = run_test(bank, config, np.array([theta]), seed)
    ids = [answer.item_id for answer in answers]
    assert len(ids) == len(set(ids))
    assert step.finished


def test_the_step_is_stateless_and_replays_exactly_with_the_same_seed(small_bank):
    config = CatConfig(randomesque=5)
    answers, _ = run_test(small_bank, config, np.array([0.7]), seed=3)
    first = next_step(small_bank, answers[:7], config, np.random.default_rng(99))
    again = next_step(small_bank, answers[:7], config, np.random.default_rng(99))
    assert first.item_id == again.item_id
    assert np.array_equal(first.theta, again.theta) and np.array_equal(first.se, again.se)


def test_the_test_stops_when_the_se_target_is_reached(small_bank):
    answers, step = run_test(small_bank, CatConfig(se_target=0.5, max_items=60), np.array([0.0]), 1)
    assert step.stop_reason == "se_target"
    assert step.se[0] <= 0.5
    shorter = next_step(
        small_bank, answers[:-1], CatConfig(se_target=0.5, max_items=60), np.random.default_rng(0)
    )
    assert shorter.se[0] > 0.5 and not shorter.finished


def test_the_test_stops_at_the_maximum_length(small_bank):
    answers, step = run_test(small_bank, CatConfig(se_target=0.01, max_items=7), np.array([0.0]), 1)
    assert len(answers) == 7 and step.stop_reason == "max_items" and step.n_items == 7


def test_the_minimum_length_holds_the_test_open_past_the_se_target(small_bank):
    config = CatConfig(se_target=0.9, min_items=5, max_items=30)
    answers, step = run_test(small_bank, config, np.array([0.0]), 1)
    assert len(answers) == 5 and step.stop_reason == "se_target"


def test_the_test_stops_when_the_bank_runs_out():
    bank = make_bank(5)
    answers, step = run_test(bank, CatConfig(se_target=0.01, max_items=40), np.array([0.0]), 1)
    assert len(answers) == 5 and step.stop_reason == "no_items"


def test_classification_stops_an_area_whose_interval_lies_within_one_level_band(small_bank):
    config = CatConfig(
        se_target=0.05, max_items=60, cut_scores=((-1.0, 1.0),), classification_confidence=0.9
    )
    _, step = run_test(small_bank, config, np.array([0.0]), 5)
    assert step.stop_reason == "classified"
    low, high = step.theta[0] - 1.645 * step.se[0], step.theta[0] + 1.645 * step.se[0]
    assert low >= -1.0 and high < 1.0


def test_per_area_maximum_and_minimum_lengths_are_respected():
    bank = make_bank(90, n_areas=3)
    config = CatConfig(
        se_target=0.2, max_items=30, max_items_per_area=(4, 8, 12), min_items_per_area=2
    )
    answers, step = run_test(bank, config, np.zeros(3), 2)
    counts = np.bincount(
        [bank.areas[bank.index_of(answer.item_id)] for answer in answers], minlength=3
    )
    assert counts.tolist() == [4, 8, 12]
    assert step.stop_reason == "max_items_per_area"


def test_only_the_assessed_areas_are_tested():
    bank = make_bank(60, n_areas=3)
    answers, step = run_test(bank, CatConfig(areas=(1,), se_target=0.5), np.zeros(3), 2)
    assert {int(bank.areas[bank.index_of(answer.item_id)]) for answer in answers} == {1}
    assert step.area_status[0] == "not_assessed" and step.area_status[1] == "se_target"


def test_eligibility_filters_keep_out_other_languages_inaccessible_and_excluded_items():
    rng = np.random.default_rng(0)
    n = 40
    bank = ItemBank(
        [f"i{k}" for k in range(n)],
        np.zeros(n, int),
        rng.lognormal(0, 0.3, n),
        rng.normal(0, 1, n),
        languages=["fr" if k % 2 else "en" for k in range(n)],
        accessible=[k % 3 != 0 for k in range(n)],
    )
    config = CatConfig(
        language="fr", accessible_only=True, excluded_items=frozenset({"i1", "i5"}), se_target=0.01
    )
    answers, _ = run_test(bank, config, np.array([0.0]), 1)
    for answer in answers:
        k = int(answer.item_id[1:])
        assert k % 2 == 1 and k % 3 != 0 and answer.item_id not in {"i1", "i5"}


def test_area_content_balancing_follows_the_target_proportions():
    bank = make_bank(150, n_areas=3)
    config = CatConfig(area_targets=(0.5, 0.3, 0.2), max_items=20, se_target=0.01)
    answers, _ = run_test(bank, config, np.zeros(3), 4)
    counts = np.bincount(
        [bank.areas[bank.index_of(answer.item_id)] for answer in answers], minlength=3
    )
    assert counts.tolist() == [10, 6, 4]


def test_competence_balancing_follows_the_target_proportions():
    competences = ["c1", "c2", "c3", "c4"] * 15
    bank = ItemBank(
        [f"i{k}" for k in range(60)],
        np.zeros(60, int),
        np.ones(60),
        np.linspace(-2, 2, 60),
        competences=competences,
    )
    config = CatConfig(
        competence_targets={"c1": 0.5, "c2": 0.25, "c3": 0.25}, max_items=12, se_target=0.01
    )
    answers, _ = run_test(bank, config, np.array([0.0]), 4)
    labels = [competences[bank.index_of(answer.item_id)] for answer in answers]
    assert labels.count("c1") == 6 and labels.count("c2") == 3 and labels.count("c3") == 3


def test_pretest_items_come_in_their_slots_and_do_not_change_the_score():
    rng = np.random.default_rng(0)
    n = 50
    pretest = np.zeros(n, dtype=bool)
    pretest[-5:] = True
    bank = ItemBank(
        [f"i{k}" for k in range(n)],
        np.zeros(n, int),
        rng.lognormal(0, 0.3, n),
        rng.normal(0, 1, n),
        pretest=pretest,
    )
    config = CatConfig(pretest_positions=(3, 6), max_items=10, se_target=0.01)
    answers, step = run_test(bank, config, np.array([0.0]), 7)
    is_pretest = [bool(pretest[bank.index_of(answer.item_id)]) for answer in answers]
    assert [position + 1 for position, flag in enumerate(is_pretest) if flag] == [3, 6]
    assert step.n_items == 10 and len(answers) == 12
    scored_only = [answer for answer, flag in zip(answers, is_pretest, strict=True) if not flag]
    again = next_step(bank, scored_only, config, np.random.default_rng(0))
    assert np.allclose(again.theta, step.theta) and np.allclose(again.se, step.se)


def test_a_multidimensional_test_reports_one_estimate_per_area():
    bank = make_bank(100, n_areas=4)
    config = CatConfig(correlation=np.full((4, 4), 0.5) + 0.5 * np.eye(4), se_target=0.5)
    _, step = run_test(bank, config, np.array([1.0, 0.5, 0.0, -0.5]), 3)
    assert step.theta.shape == (4,) and step.se.shape == (4,)
    assert np.all(step.se <= 0.5) and step.stop_reason == "se_target"


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_areas=st.integers(1, 3),
    correlated=st.booleans(),
    randomesque=st.integers(1, 4),
    with_exposure=st.booleans(),
    balanced=st.booleans(),
    estimator=st.sampled_from(["eap", "map"]),
)
def test_whatever_the_rules_no_item_repeats_and_only_eligible_items_are_given(
    seed, n_areas, correlated, randomesque, with_exposure, balanced, estimator
):
    rng = np.random.default_rng(seed)
    n = 45
    pretest = rng.random(n) < 0.1
    bank = ItemBank(
        [f"i{k}" for k in range(n)],
        np.arange(n) % n_areas,
        rng.lognormal(0, 0.3, n),
        rng.normal(0, 1, n),
        rng.uniform(0, 0.2, n) if seed % 2 else None,
        languages=["fr" if k % 5 else "en" for k in range(n)],
        pretest=pretest,
    )
    correlation = None
    if correlated and n_areas > 1:
        correlation = np.full((n_areas, n_areas), 0.5) + 0.5 * np.eye(n_areas)
    config = CatConfig(
        se_target=0.35,
        max_items=15,
        estimator=estimator,
        correlation=correlation,
        randomesque=randomesque,
        exposure_control={f"i{k}": float(rng.uniform(0.2, 1)) for k in range(0, n, 3)}
        if with_exposure
        else None,
        area_targets=tuple(rng.uniform(0.2, 1, n_areas)) if balanced else None,
        language="fr",
        excluded_items=frozenset({"i1"}),
        pretest_positions=(2, 5),
    )
    answers: list[Answer] = []
    attempt_seed = int(rng.integers(2**32))
    for _ in range(60):
        step = next_step(bank, answers, config, np.random.default_rng(attempt_seed))
        if step.finished:
            break
        assert step.item_id not in {answer.item_id for answer in answers}
        index = bank.index_of(step.item_id)
        assert step.item_id != "i1" and index % 5 != 0
        assert bool(pretest[index]) == step.pretest
        assert np.all(np.isfinite(step.theta)) and np.all(step.se > 0)
        answers.append(Answer(step.item_id, bool(rng.random() < 0.5)))
    assert step.finished
    assert step.n_items <= 15
