"""The jury's automatic rules over every combination of incidents, answers and levels."""

from hypothesis import given
from hypothesis import strategies as st

from palier.certification.jury import MIN_ANSWERS, verdict
from palier.certification.models import Incident, JuryDecision

Outcome = JuryDecision.Outcome
levels = st.dictionaries(
    st.sampled_from(["D1", "D2", "D3", "D4", "D5"]),
    st.fixed_dictionaries(
        {
            "level": st.none() | st.integers(2, 5),
            "probability": st.floats(0.5, 1.0),
        }
    ),
)


@given(
    categories=st.sets(st.sampled_from(Incident.Category.values)),
    answered=st.integers(0, 32),
    levels=levels,
)
def test_the_rules_in_order(categories, answered, levels):
    decided = verdict(categories, answered, levels)
    certified = any(area["level"] is not None for area in levels.values())
    if Incident.Category.FRAUD in categories:
        assert decided.outcome == Outcome.TO_REVIEW
    elif answered < MIN_ANSWERS:
        expected = (
            Outcome.TO_REVIEW if Incident.Category.TECHNICAL in categories else Outcome.REJECTED
        )
        assert decided.outcome == expected
    else:
        assert decided.outcome == (Outcome.CERTIFIED if certified else Outcome.NOT_CERTIFIED)
    # A rejected result never carries levels; a certified one always has one.
    if decided.outcome == Outcome.REJECTED:
        assert decided.levels == {}
    if decided.outcome == Outcome.CERTIFIED:
        assert certified and answered >= MIN_ANSWERS and not categories & {"fraud"}


@given(answered=st.integers(MIN_ANSWERS, 32), levels=levels)
def test_a_technical_incident_alone_does_not_change_a_complete_test(answered, levels):
    assert verdict({"technical"}, answered, levels) == verdict(set(), answered, levels)
