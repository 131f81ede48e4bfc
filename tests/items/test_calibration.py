import pytest
from django.db import IntegrityError

from palier.items.models import Calibration, ItemParameter
from palier.items.services import create_provisional_calibration, provisional_difficulty

pytestmark = pytest.mark.django_db
CUTS = [-1.5, -0.5, 0.5, 1.5]


@pytest.mark.parametrize(
    ("level", "difficulty"), [(1, -2.0), (2, -1.0), (3, 0.0), (4, 1.0), (5, 2.0)]
)
def test_provisional_difficulty_is_the_middle_of_the_level_band(level, difficulty):
    assert provisional_difficulty(level, CUTS) == pytest.approx(difficulty)


def test_a_provisional_calibration_covers_every_item_and_is_the_only_active_one(bank, framework):
    first = create_provisional_calibration(framework)
    assert first.is_active and first.is_provisional
    parameters = ItemParameter.objects.filter(calibration=first)
    assert parameters.count() == 7
    assert {p.discrimination for p in parameters} == {1.0}
    assert {p.difficulty for p in parameters} == {0.0}  # the sample items are level 3
    second = create_provisional_calibration(framework)
    first.refresh_from_db()
    assert second.is_active and not first.is_active


def test_the_database_refuses_two_active_calibrations(bank, framework):
    create_provisional_calibration(framework)
    with pytest.raises(IntegrityError):
        Calibration.objects.create(
            name="x", framework=framework, source="estimated", is_active=True
        )
