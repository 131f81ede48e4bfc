import pytest

from palier.frameworks.models import Competence
from palier.organisations.models import Organisation
from palier.training.models import Module, Resource
from palier.training.seed import load_catalogue_seed

pytestmark = pytest.mark.django_db


def test_the_demo_catalogue_covers_every_competence_and_loads_twice(framework):
    first = load_catalogue_seed(framework)
    assert first.providers >= 8 and first.modules >= 40
    assert Module.objects.filter(is_demo=True, status="published").count() == first.modules
    assert Organisation.objects.filter(is_demo=True).count() == first.providers
    for competence in Competence.objects.filter(area__framework=framework):
        assert Resource.objects.filter(competence=competence).count() >= 2, competence.code
        assert Module.objects.filter(capacities__competence=competence).exists(), competence.code
    assert set(Module.objects.values_list("format", flat=True)) == set(Module.Format.values)
    again = load_catalogue_seed(framework)
    assert again == first and Module.objects.count() == first.modules
    for module in Module.objects.prefetch_related("sessions"):
        assert all(session.end >= session.start for session in module.sessions.all())
        assert module.enrol_url.startswith("https://")
