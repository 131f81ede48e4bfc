import pytest

from palier.assessments.competences import THRESHOLD, competence_signals
from palier.assessments.models import Response
from palier.assessments.results import CompetenceScore
from palier.assessments.services import start_attempt
from tests.assessments.test_services import alternate, play
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def signal(observed: float, expected: float, answered: int = 4) -> CompetenceScore:
    return CompetenceScore("D2.C2", "D2", answered, observed, expected)


@pytest.mark.parametrize(
    ("observed", "expected", "kind"),
    [
        (4, 2, "strength"),
        (0, 2, "gap"),
        (2, 2.3, "expected"),
        (2 + 4 * THRESHOLD + 1e-9, 2, "strength"),
        (2 - 4 * THRESHOLD - 1e-9, 2, "gap"),
    ],
)
def test_a_competence_is_a_strength_or_a_gap_by_its_residual(observed, expected, kind):
    assert signal(observed, expected).kind == kind


def test_one_question_is_too_few_to_conclude():
    assert signal(1, 0.1, answered=1).kind == "unknown"


def test_signals_add_up_the_responses_of_each_competence(seeded):
    attempt = start_attempt(make_user())
    play(attempt, alternate)
    attempt.refresh_from_db()
    signals = competence_signals(attempt)
    assert sum(s.answered for s in signals) == Response.objects.filter(attempt=attempt).count()
    assert all(0 <= s.expected <= s.answered for s in signals)
