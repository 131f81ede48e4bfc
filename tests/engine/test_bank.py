import numpy as np
import pytest

from palier.engine import ItemBank


def bank_arguments(**overrides):
    arguments = {
        "item_ids": ["a", "b", "c"],
        "areas": [0, 0, 1],
        "discrimination": [1.0, 1.2, 0.8],
        "difficulty": [0.0, -1.0, 1.0],
    }
    arguments.update(overrides)
    return arguments


def test_a_valid_bank_exposes_read_only_arrays_and_its_area_count():
    bank = ItemBank(**bank_arguments())
    assert bank.n_items == 3 and bank.n_areas == 2 and not bank.is_3pl
    with pytest.raises(ValueError):
        bank.discrimination[0] = 5.0


def test_a_bank_with_guessing_is_three_pl():
    assert ItemBank(**bank_arguments(guessing=[0.2, 0.1, 0.0])).is_3pl


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"item_ids": ["a", "a", "c"]}, "unique"),
        ({"item_ids": ["a", "", "c"]}, "non-empty"),
        ({"discrimination": [1.0, 1.2]}, "discrimination has shape"),
        ({"difficulty": [0.0, np.nan, 1.0]}, "NaN"),
        ({"difficulty": [0.0, np.inf, 1.0]}, "NaN or infinite"),
        ({"discrimination": [1.0, 0.0, 1.0]}, "strictly positive"),
        ({"discrimination": [1.0, -0.5, 1.0]}, "strictly positive"),
        ({"guessing": [0.2, 1.0, 0.0]}, r"\[0, 1\)"),
        ({"areas": [0, -1, 1]}, "non-negative"),
        ({"areas": [0, 0.5, 1]}, "integer"),
        ({"areas": [0, 1]}, "areas has shape"),
        ({"item_ids": []}, "at least one item"),
        ({"competences": ["x"]}, "competences has 1"),
    ],
)
def test_a_bad_bank_is_refused_with_a_clear_message(overrides, message):
    with pytest.raises(ValueError, match=message):
        ItemBank(**bank_arguments(**overrides))


def test_index_of_an_unknown_item_is_a_value_error():
    with pytest.raises(ValueError, match="unknown item id 'zz'"):
        ItemBank(**bank_arguments()).index_of("zz")


def test_eligibility_filters_language_accessibility_and_exclusions():
    bank = ItemBank(
        **bank_arguments(), languages=["fr", "en", None], accessible=[True, True, False]
    )
    assert bank.eligible("fr", False, frozenset()).tolist() == [True, False, True]
    assert bank.eligible("fr", True, frozenset()).tolist() == [True, False, False]
    assert bank.eligible(None, False, frozenset({"a"})).tolist() == [False, True, True]
