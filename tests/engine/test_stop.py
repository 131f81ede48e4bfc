import numpy as np

from palier.engine import CatConfig
from palier.engine.estimate import Estimate
from palier.engine.stop import area_status, open_areas, overall_reason
from tests.engine.factories import make_bank


def status_for(config, se, counts, available):
    bank = make_bank(30, n_areas=3)
    plan = config.plan(bank)
    estimate = Estimate(
        np.zeros(3), np.asarray(se, float), np.diag(np.asarray(se, float) ** 2), np.zeros(3)
    )
    return area_status(plan, estimate, np.asarray(counts, float), np.asarray(available, float))


def test_each_area_reports_why_it_stopped():
    config = CatConfig(se_target=0.3, max_items_per_area=5)
    assert status_for(config, [0.2, 0.5, 0.5], [3, 5, 2], [5, 5, 0]) == (
        "se_target",
        "max_items_per_area",
        "no_items",
    )
    assert status_for(config, [0.5, 0.5, 0.5], [3, 3, 3], [5, 5, 5]) == (None, None, None)


def test_an_area_below_its_minimum_is_not_stopped_by_its_se():
    config = CatConfig(se_target=0.3, min_items_per_area=4)
    assert status_for(config, [0.2, 0.2, 0.2], [3, 4, 4], [5, 5, 5]) == (
        None,
        "se_target",
        "se_target",
    )


def test_areas_stopped_by_precision_reopen_while_the_test_is_below_its_minimum():
    status = ("se_target", "no_items", "max_items_per_area")
    assert open_areas(status, below_minimum=False).tolist() == [False, False, False]
    assert open_areas(status, below_minimum=True).tolist() == [True, False, False]


def test_the_test_reason_is_the_common_area_reason_or_areas_done():
    assert overall_reason(("se_target", "not_assessed", "se_target")) == "se_target"
    assert overall_reason(("se_target", "classified")) == "areas_done"


def test_an_area_whose_se_is_one_ulp_above_its_target_stops_on_it():
    config = CatConfig(se_target=0.3)
    just_above = float(np.nextafter(0.3, np.inf))
    status = status_for(config, [just_above, 0.5, 0.5], [5, 5, 5], [5, 5, 5])
    assert status == ("se_target", None, None)


def probability_status(target, theta, se, counts, min_per_area=0):
    bank = make_bank(30, n_areas=3)
    config = CatConfig(
        se_target=0.1,
        cut_scores=((-0.5, 0.5),) * 3,
        level_probability_target=target,
        min_items_per_area=min_per_area,
    )
    estimate = Estimate(
        np.asarray(theta, float),
        np.asarray(se, float),
        np.diag(np.asarray(se, float) ** 2),
        np.zeros(3),
    )
    plan = config.plan(bank)
    return area_status(plan, estimate, np.asarray(counts, float), np.full(3, 5.0))


def test_an_area_stops_once_its_most_probable_level_is_probable_enough():
    # theta 2.0, se 0.5: P(level 2) = Phi(3) = 0.9987; theta 0.0, se 0.5: P(level 1) = 0.68;
    # theta -1.2, se 0.5: P(level 0) = Phi(1.4) = 0.919.
    status = probability_status(0.9, [2.0, 0.0, -1.2], [0.5, 0.5, 0.5], [3, 3, 3])
    assert status == ("level_probability", None, "level_probability")
    assert probability_status(0.95, [2.0, 0.0, -1.2], [0.5] * 3, [3, 3, 3])[2] is None


def test_the_level_probability_rule_waits_for_the_areas_minimum_number_of_items():
    status = probability_status(0.9, [2.0, 2.0, 2.0], [0.5] * 3, [1, 2, 3], min_per_area=2)
    assert status == (None, "level_probability", "level_probability")


def test_a_level_probability_one_ulp_below_its_target_stops_the_area():
    from scipy.special import ndtr

    reached = float(ndtr(1.4))  # P(level 0) at theta -1.2, se 0.5 (cut -0.5)
    target = float(np.nextafter(reached, np.inf))
    assert probability_status(target, [-1.2, 0.0, 0.0], [0.5] * 3, [3, 3, 3])[0] == (
        "level_probability"
    )


def test_areas_stopped_by_their_level_probability_reopen_below_the_test_minimum():
    status = ("level_probability", "no_items")
    assert open_areas(status, below_minimum=True).tolist() == [True, False]
