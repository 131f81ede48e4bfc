"""Enemy groups: items testing the same fact are never both shown in one test."""

import numpy as np
import pytest

from palier.engine import Answer, CatConfig, ItemBank, next_step


def bank_with_enemies(groups):
    n = len(groups)
    return ItemBank(
        item_ids=[f"i{index}" for index in range(n)],
        areas=[0] * n,
        discrimination=[2.0] * 2 + [0.5] * (n - 2),
        difficulty=[0.0] * n,
        enemy_groups=groups,
    )


def test_an_answered_item_removes_its_enemies_even_the_most_informative():
    bank = bank_with_enemies(["HDS", "HDS", None, None, None, None])
    config = CatConfig(min_items=1, max_items=5, se_target=0.01)
    # i1 is as informative as i0 and far above the others: without the group it comes next.
    for seed in range(20):
        step = next_step(bank, [Answer("i0", True)], config, np.random.default_rng(seed))
        assert step.item_id not in ("i0", "i1")
    plain = bank_with_enemies([None] * 6)
    step = next_step(plain, [Answer("i0", True)], config, np.random.default_rng(0))
    assert step.item_id == "i1"


def test_a_whole_test_never_shows_two_items_of_a_group():
    groups = ["A", "A", "A", "B", "B", None, None, None, None, None]
    bank = bank_with_enemies(groups)
    config = CatConfig(min_items=10, max_items=10, se_target=0.01)
    answers: list[Answer] = []
    rng_answers = np.random.default_rng(3)
    while True:
        step = next_step(bank, answers, config, np.random.default_rng(7))
        if step.finished:
            break
        answers.append(Answer(step.item_id, bool(rng_answers.random() < 0.5)))
    shown = [bank.index_of(answer.item_id) for answer in answers]
    shown_groups = [groups[index] for index in shown if groups[index]]
    assert sorted(shown_groups) == ["A", "B"]
    assert len(shown) == 7  # 10 items, of which 3 are enemies of one already shown


def test_enemy_groups_must_have_one_label_per_item():
    with pytest.raises(ValueError, match="enemy_groups"):
        ItemBank(["i0", "i1"], [0, 0], [1.0, 1.0], [0.0, 0.0], enemy_groups=["A"])
