import pytest
from django.db import IntegrityError

from palier.items.calibrations import create_provisional_calibration, provisional_difficulty
from palier.items.models import Calibration, ItemParameter

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


def test_activation_is_recorded_and_can_be_rolled_back_by_a_psychometrician(bank, framework):
    from palier.accounts.roles import Role
    from palier.items.calibrations import activate_calibration, roll_back_calibration
    from palier.items.models import CalibrationActivation
    from tests.factories import make_user

    first = create_provisional_calibration(framework)
    second = create_provisional_calibration(framework, activate=False)
    psychometrician = make_user("psy@example.org", roles=(Role.PSYCHOMETRICIAN,))
    event = activate_calibration(second, by=psychometrician, reason="Calibration 2027")
    assert (event.previous, event.by, event.action) == (first, psychometrician, "activate")
    back = roll_back_calibration(framework, psychometrician, "Dérive constatée")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_active and not second.is_active
    assert (back.calibration, back.previous, back.action) == (first, second, "roll_back")
    assert CalibrationActivation.objects.filter(framework=framework).count() == 3


@pytest.mark.parametrize(
    ("roles", "reason", "code"),
    [
        ([], "motif", "forbidden"),
        (["author"], "motif", "forbidden"),
        (["psychometrician"], " ", "reason_required"),
    ],
)
def test_activation_needs_a_psychometrician_and_a_reason(bank, framework, roles, reason, code):
    from palier.core.errors import ServiceError
    from palier.items.calibrations import activate_calibration
    from tests.factories import make_user

    first = create_provisional_calibration(framework)
    second = create_provisional_calibration(framework, activate=False)
    with pytest.raises(ServiceError) as refused:
        activate_calibration(
            second, by=make_user("u@example.org", roles=tuple(roles)), reason=reason
        )
    assert refused.value.code == code
    first.refresh_from_db()
    assert first.is_active and not Calibration.objects.get(pk=second.pk).is_active
