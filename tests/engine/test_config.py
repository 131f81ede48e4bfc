import numpy as np
import pytest

from palier.engine import Answer, CatConfig, next_step
from tests.engine.factories import make_bank


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"se_target": 0.0}, "se_target"),
        ({"se_target": -0.3}, "se_target"),
        ({"se_target": (0.3, float("nan"))}, "se_target"),
        ({"prior_sd": 0.0}, "prior_sd"),
        ({"max_items": 0}, "max_items"),
        ({"min_items": 50, "max_items": 40}, "min_items"),
        ({"estimator": "mle"}, "estimator"),
        ({"selection": "kl"}, "selection"),
        ({"randomesque": 0}, "randomesque"),
        ({"correlation": [[1.0, 1.2], [1.2, 1.0]]}, "not positive definite"),
        ({"correlation": [[1.0, 0.5], [0.4, 1.0]]}, "symmetric"),
        ({"correlation": [[2.0, 0.5], [0.5, 1.0]]}, "diagonal"),
        ({"correlation": [[1.0, np.nan], [np.nan, 1.0]]}, "NaN"),
        ({"correlation": [1.0, 0.5]}, "square"),
        ({"exposure_control": {"item-0001": 0.0}}, "Sympson-Hetter"),
        ({"cut_scores": ((0.5, -0.5),)}, "increasing"),
        ({"classification_confidence": 0.95}, "needs cut_scores"),
        ({"cut_scores": ((0.0,),), "classification_confidence": 1.5}, r"\(0, 1\)"),
        ({"pretest_positions": (0,)}, "1-based"),
        ({"area_targets": (0.0, 0.0)}, "area_targets"),
        ({"version": ""}, "version"),
        ({"level_probability_target": 0.9}, "needs cut_scores"),
        ({"cut_scores": ((0.0,),), "level_probability_target": 1.0}, r"\(0, 1\)"),
        ({"cut_information": True}, "needs cut_scores"),
        ({"max_exposure_rate": 0.0}, "max_exposure_rate"),
        ({"exposure_rates": {"item-0001": 0.3}}, "needs max_exposure_rate"),
        ({"exposure_rates": {"item-0001": 1.5}, "max_exposure_rate": 0.25}, "proportions"),
        ({"a_strata": 1}, "a_strata"),
    ],
)
def test_a_bad_configuration_is_refused_when_it_is_built(arguments, message):
    with pytest.raises(ValueError, match=message):
        CatConfig(**arguments)


def test_a_configuration_is_frozen_and_carries_its_version():
    config = CatConfig(version="2026-11-pilot")
    assert config.version == "2026-11-pilot"
    with pytest.raises(AttributeError):
        config.max_items = 10  # type: ignore[misc]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"se_target": (0.3, 0.3, 0.3)}, "se_target has 3 values but the bank has 2 areas"),
        ({"correlation": np.eye(3)}, "correlation is 3x3 but the bank has 2 areas"),
        ({"cut_scores": ((0.0,),)}, "cut_scores has 1 areas"),
        ({"areas": (5,)}, "config.areas"),
    ],
)
def test_a_configuration_that_does_not_fit_the_bank_is_refused_at_the_first_step(
    arguments, message
):
    bank = make_bank(20, n_areas=2)
    with pytest.raises(ValueError, match=message):
        next_step(
            bank, [Answer("item-0000", True)], CatConfig(**arguments), np.random.default_rng(0)
        )


def test_a_configuration_rebuilt_at_every_step_reuses_the_banks_likelihood_table():
    bank = make_bank(30)
    history = [Answer("item-0000", True)]
    first = next_step(bank, history, CatConfig(version="a"), np.random.default_rng(0))
    again = next_step(bank, history, CatConfig(version="a"), np.random.default_rng(0))
    assert first.item_id == again.item_id and np.array_equal(first.theta, again.theta)
    assert len(bank._table_cache) == 1
    next_step(bank, history, CatConfig(prior_mean=0.5), np.random.default_rng(0))
    assert len(bank._table_cache) == 2


def test_the_certification_preset_restricts_items_that_reached_a_quarter_of_the_tests():
    from palier.engine.config import certification_exposure

    bank = make_bank(10)
    rates = {"item-0000": 0.3, "item-0001": 0.1}
    config = CatConfig(version="certification", **certification_exposure(rates))
    plan = config.plan(bank)
    assert config.max_exposure_rate == 0.25
    assert plan.overexposed is not None and np.flatnonzero(plan.overexposed).tolist() == [0]
    with pytest.raises(ValueError, match="max_rate"):
        certification_exposure(rates, max_rate=0.0)
