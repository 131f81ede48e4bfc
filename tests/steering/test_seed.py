"""The plan's targets seeded by `palier seed`, and the demo denominators of
`palier seed --demo`: idempotent, deterministic, never undoing steering's edits."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from palier.frameworks.models import Population
from palier.organisations.choices import OrganisationType
from palier.steering.demo import DEMO_SOURCE, demo_years, load_demo_denominators
from palier.steering.models import Enrolment, NationalTotal, Target
from palier.steering.seed import SEED_TARGETS, load_target_seed
from palier.steering.target_services import add_target_version, targets_in_force
from tests.factories import make_organisation

pytestmark = pytest.mark.django_db


def test_the_seed_command_loads_the_plans_targets_once(framework):
    out = StringIO()
    call_command("seed", "targets", stdout=out)
    assert "Steering targets: 6 added, 0 already there." in out.getvalue()
    call_command("seed", "targets", stdout=out)
    assert "Steering targets: 0 added, 6 already there." in out.getvalue()
    assert Target.objects.count() == len(SEED_TARGETS) == 6


def test_the_seeded_targets_say_what_they_count_and_where_they_come_from(framework):
    load_target_seed()
    targets = {target.code: target for target in targets_in_force()}
    reach_2027 = targets["apprenants-sante-100-pct-2027"]
    assert (reach_2027.kind, reach_2027.value, reach_2027.year) == ("share", 100, 2026)
    assert reach_2027.population_kinds == ["higher_education", "vocational"]
    students = targets["etudiants-sante-70000-par-an"]
    assert (students.kind, students.value, students.year, students.yearly) == (
        "count",
        70000,
        2024,
        True,
    )
    assert targets["apprenants-sante-social-130000-2027"].population_kinds == [
        "higher_education",
        "vocational",
        "social_work",
    ]
    assert targets["professionnels-10-pct-2027"].population_kinds == ["continuing"]
    for target in targets.values():
        assert "à vérifier" in target.source and "Santé numérique" in target.source
        assert target.title_en


def test_seeding_again_keeps_steerings_edits(framework):
    load_target_seed()
    add_target_version("professionnels-10-pct-2027", None, {"value": 12})
    report = load_target_seed()
    assert (report.created, report.kept) == (0, 6)
    current = {target.code: target for target in targets_in_force()}
    assert current["professionnels-10-pct-2027"].value == 12
    assert Target.objects.count() == 7


def test_demo_denominators_are_deterministic_and_loaded_once(framework):
    institute = make_organisation("IFSI démo", slug="demo-ifsi", is_demo=True)
    university = make_organisation(
        "Université démo", slug="demo-univ", is_demo=True, type=OrganisationType.UNIVERSITY
    )
    real = make_organisation("IFSI réel", slug="vrai-ifsi")
    first = load_demo_denominators()
    years = demo_years(timezone.localdate())
    assert first.enrolments == 3 * 3 + (6 + 5) * 3
    assert set(Enrolment.objects.values_list("academic_year", flat=True)) == set(years)
    assert not Enrolment.objects.filter(organisation=real).exists()
    nursing = Enrolment.objects.filter(organisation=institute, population__code="soins-infirmiers")
    values = sorted(nursing.values_list("academic_year", "year_of_study", "learners"))
    assert all(300 < learners < 380 for _year, _study, learners in values)
    medicine = Enrolment.objects.filter(organisation=university, population__code="medecine")
    assert medicine.count() == 6 * 3
    populations = Population.objects.count()
    assert first.national_totals == populations * 3
    assert set(NationalTotal.objects.values_list("source", flat=True)) == {DEMO_SOURCE}
    # A second run adds nothing and changes nothing.
    again = load_demo_denominators()
    assert (again.enrolments, again.national_totals) == (0, 0)
    assert sorted(nursing.values_list("academic_year", "year_of_study", "learners")) == values
    # The figures depend only on the cells: the same after deleting and loading again.
    Enrolment.objects.all().delete()
    load_demo_denominators()
    assert sorted(nursing.values_list("academic_year", "year_of_study", "learners")) == values
