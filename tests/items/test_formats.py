import pytest
from hypothesis import given
from hypothesis import strategies as st

from palier.items.formats import (
    AnswerError,
    DefinitionError,
    Score,
    answer_from_form,
    edit_distance,
    normalise,
    normalise_answer,
    score,
    shuffled_option_ids,
    validate_definition,
)
from tests.items.sample import ITEMS

DEFINITIONS = {item["format"]: item["definition"] for item in ITEMS}


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item["format"])
def test_every_sample_definition_is_valid(item):
    validate_definition(item["format"], item["definition"])


@pytest.mark.parametrize(
    ("item_format", "definition", "field"),
    [
        ("single_choice", {"options": [], "correct": "a"}, "options"),
        (
            "single_choice",
            {
                "options": [{"id": "a", "text": {"fr": "x"}}, {"id": "b", "text": {"fr": "y"}}],
                "correct": "z",
            },
            "correct",
        ),
        (
            "single_choice",
            {
                "options": [
                    {"id": "a", "text": {"fr": "Même"}},
                    {"id": "b", "text": {"fr": "même"}},
                ],
                "correct": "a",
            },
            "options",
        ),
        (
            "multiple_response",
            {
                "options": [{"id": "a", "text": {"fr": "x"}}, {"id": "a", "text": {"fr": "y"}}],
                "correct": ["a"],
            },
            "options",
        ),
        (
            "multiple_response",
            {
                "options": [{"id": "a", "text": {"fr": "x"}}, {"id": "b", "text": {"fr": "y"}}],
                "correct": [],
            },
            "correct",
        ),
        ("short_text", {"accepted": {"fr": []}}, "accepted"),
        ("short_text", {"accepted": {"fr": ["ok"]}, "max_typos": 5}, "max_typos"),
        ("numeric", {"value": "72"}, "value"),
        ("numeric", {"value": 72, "tolerance": -1}, "tolerance"),
        (
            "ordering",
            {
                "options": [{"id": "a", "text": {"fr": "x"}}, {"id": "b", "text": {"fr": "y"}}],
                "correct": ["a"],
            },
            "correct",
        ),
        (
            "matching",
            {
                "left": [{"id": "a", "text": {"fr": "x"}}, {"id": "b", "text": {"fr": "y"}}],
                "right": [{"id": "c", "text": {"fr": "z"}}, {"id": "d", "text": {"fr": "w"}}],
                "correct": {"a": "c"},
            },
            "correct",
        ),
        ("hotspot", {}, "format"),
        ("single_choice", ["not", "an", "object"], "definition"),
    ],
)
def test_invalid_definitions_name_the_faulty_field(item_format, definition, field):
    with pytest.raises(DefinitionError) as error:
        validate_definition(item_format, definition)
    assert error.value.field == field


def test_single_choice_is_right_or_wrong():
    assert score("single_choice", DEFINITIONS["single_choice"], "b") == Score(True, 1.0)
    assert score("single_choice", DEFINITIONS["single_choice"], "a") == Score(False, 0.0)


def test_skipped_or_timed_out_answers_are_wrong_in_every_format():
    for item_format, definition in DEFINITIONS.items():
        assert score(item_format, definition, None) == Score(False, 0.0)


def test_multiple_response_gives_partial_credit_and_penalises_wrong_picks():
    definition = DEFINITIONS["multiple_response"]
    assert score("multiple_response", definition, ["a", "b"]) == Score(True, 1.0)
    assert score("multiple_response", definition, ["a"]) == Score(False, 0.5)
    assert score("multiple_response", definition, ["a", "c"]) == Score(False, 0.0)
    assert score("multiple_response", definition, "a") == Score(False, 0.0)


@pytest.mark.parametrize(
    "typed",
    ["MSSanté", "mssante", " MSSANTÉ ", "Messagerie securisee de sante", "MSSante", "msante"],
)
def test_short_text_ignores_case_accents_spacing_and_one_typo(typed):
    assert score("short_text", DEFINITIONS["short_text"], typed).correct


@pytest.mark.parametrize("typed", ["", "DMP", "messagerie", "   "])
def test_short_text_refuses_other_answers(typed):
    assert not score("short_text", DEFINITIONS["short_text"], typed).correct


def test_short_words_must_be_typed_exactly():
    definition = {"accepted": {"fr": ["INS"]}, "max_typos": 2}
    assert score("short_text", definition, "ins").correct
    assert not score("short_text", definition, "ios").correct


@pytest.mark.parametrize(
    ("typed", "correct"),
    [
        (72, True),
        ("72", True),
        ("72,0", True),
        (72.5, False),
        ("soixante-douze", False),
        (True, False),
    ],
)
def test_numeric_accepts_french_decimal_commas_within_tolerance(typed, correct):
    assert score("numeric", DEFINITIONS["numeric"], typed).correct is correct


def test_ordering_gives_credit_for_each_pair_in_order():
    definition = DEFINITIONS["ordering"]
    assert score("ordering", definition, ["a", "c", "b"]) == Score(True, 1.0)
    assert score("ordering", definition, ["a", "b", "c"]) == Score(False, pytest.approx(2 / 3))
    assert score("ordering", definition, ["a", "b"]) == Score(False, 0.0)


def test_matching_gives_credit_per_right_pair():
    definition = DEFINITIONS["matching"]
    assert score("matching", definition, {"a": "x", "b": "y"}) == Score(True, 1.0)
    assert score("matching", definition, {"a": "x", "b": "x"}) == Score(False, 0.5)
    assert score("matching", definition, ["a", "x"]) == Score(False, 0.0)


def test_the_same_seed_shows_options_in_the_same_order():
    definition = {"options": [{"id": str(i)} for i in range(8)]}
    assert shuffled_option_ids(definition, 42) == shuffled_option_ids(definition, 42)
    orders = {tuple(shuffled_option_ids(definition, seed)) for seed in range(20)}
    assert len(orders) > 1


@given(st.text(max_size=20), st.text(max_size=20))
def test_edit_distance_is_symmetric_and_zero_only_for_equal_strings(first, second):
    limit = 40
    assert edit_distance(first, second, limit) == edit_distance(second, first, limit)
    assert (edit_distance(first, second, limit) == 0) == (first == second)


def test_normalise_folds_case_accents_apostrophes_and_spaces():
    assert normalise("  L\u2019Hébergeur  de-Données ") == "l hebergeur de donnees"


class Form(dict):
    """Posted form fields, each a list of values (as Django's QueryDict)."""

    def get(self, key, default=None):
        values = super().get(key)
        return values[-1] if values else default

    def getlist(self, key):
        return list(super().get(key, []))


@pytest.mark.parametrize(
    ("item_format", "fields", "raw"),
    [
        ("single_choice", {"answer": ["b"]}, "b"),
        ("multiple_response", {"answer": ["a", "b"]}, ["a", "b"]),
        ("short_text", {"answer": ["MSSanté"]}, "MSSanté"),
        ("numeric", {"answer": ["72"]}, "72"),
        ("ordering", {"order-a": ["1"], "order-b": ["3"], "order-c": ["2"]}, ["a", "c", "b"]),
        ("matching", {"match-a": ["x"], "match-b": ["y"]}, {"a": "x", "b": "y"}),
        ("single_choice", {"answer": ["b"], "dont_know": ["1"]}, None),
    ],
)
def test_each_format_reads_its_answer_from_the_question_form(item_format, fields, raw):
    definition = DEFINITIONS[item_format]
    assert answer_from_form(item_format, definition, Form(fields)) == raw
    assert score(item_format, definition, normalise_answer(item_format, definition, raw)) == (
        Score(raw is not None, 1.0 if raw is not None else 0.0)
    )


def test_an_ordering_form_with_two_equal_positions_is_refused():
    form = Form({"order-a": ["1"], "order-b": ["1"], "order-c": ["2"]})
    with pytest.raises(AnswerError):
        answer_from_form("ordering", DEFINITIONS["ordering"], form)


@pytest.mark.parametrize(
    ("item_format", "raw"),
    [
        ("single_choice", "z"),
        ("multiple_response", []),
        ("multiple_response", ["a", "a"]),
        ("short_text", "x" * 201),
        ("numeric", True),
        ("ordering", ["a", "b"]),
        ("matching", {"a": "x"}),
        ("hotspot", "a"),
    ],
)
def test_malformed_answers_are_refused_with_a_message(item_format, raw):
    with pytest.raises(AnswerError) as error:
        normalise_answer(item_format, DEFINITIONS.get(item_format, {}), raw)
    assert str(error.value)


def test_i_dont_know_is_kept_as_no_answer_in_every_format():
    for item_format, definition in DEFINITIONS.items():
        assert normalise_answer(item_format, definition, None) is None
