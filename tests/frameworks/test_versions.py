import pytest

from palier.frameworks.admin import next_version_name
from palier.frameworks.models import Area, Capacity, Framework, FrameworkFrozenError
from palier.frameworks.services import freeze_framework, new_framework_version

pytestmark = pytest.mark.django_db


def test_a_version_learners_were_assessed_against_cannot_be_edited_in_place(framework):
    freeze_framework(framework)
    capacity = Capacity.objects.filter(competence__area__framework=framework).first()
    capacity.title_fr = "Autre chose"
    with pytest.raises(FrameworkFrozenError):
        capacity.save()
    with pytest.raises(FrameworkFrozenError):
        capacity.delete()
    framework.title_fr = "Renommé"
    with pytest.raises(FrameworkFrozenError):
        framework.save()
    assert Capacity.objects.get(pk=capacity.pk).title_fr != "Autre chose"


def test_a_draft_version_can_still_be_edited(framework):
    area = framework.areas.first()
    area.title_en = "Edited"
    area.save()
    assert Area.objects.get(pk=area.pk).title_en == "Edited"


def test_a_new_version_copies_the_whole_framework_and_is_editable(framework):
    freeze_framework(framework)
    copy = new_framework_version(framework, next_version_name(framework))
    assert copy.version == "2026.1-r2"
    assert copy.status == Framework.Status.DRAFT and not copy.is_frozen
    assert copy.areas.count() == framework.areas.count()
    assert (
        Capacity.objects.filter(competence__area__framework=copy).count()
        == Capacity.objects.filter(competence__area__framework=framework).count()
    )
    assert copy.target_levels.count() == framework.target_levels.count()
    area = copy.areas.get(code="D1")
    area.title_fr = "Données de santé (révisé)"
    area.save()
    assert framework.areas.get(code="D1").title_fr == "Données de santé"


def test_version_names_do_not_collide(framework):
    new_framework_version(framework, "2026.1-r2")
    assert next_version_name(framework) == "2026.1-r3"
