"""Demo denominators for `palier seed --demo` (development and demos only): enrolled
learners of the demo organisations over three academic years, and national totals per
population marked "Données de démonstration", so that the steering account sees a living
dashboard.

Deterministic: every figure is derived from its cell (a hash, no random state), and a
figure already given is never changed (a second run adds nothing). The national totals are
orders of magnitude made up for the demo, not statistics: steering enters the real ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from palier.frameworks.models import Population
from palier.organisations.choices import OrganisationType
from palier.organisations.models import Organisation
from palier.steering.choices import DenominatorSource
from palier.steering.denominator_services import (
    EnrolmentCell,
    save_national_total,
    set_enrolments,
)
from palier.steering.models import Enrolment, NationalTotal
from palier.steering.years import academic_year

DEMO_SOURCE = "Données de démonstration"
DEMO_YEARS = 3
# Learners per year of study an institution of each type enrols, by population code and
# number of years of study (demo figures; each cell varies by up to DEMO_SPREAD either way).
DEMO_INTAKES: dict[str, tuple[tuple[str, int, int], ...]] = {
    OrganisationType.HEALTH_TRAINING_INSTITUTE: (("soins-infirmiers", 3, 340),),
    OrganisationType.UNIVERSITY: (("medecine", 6, 420), ("maieutique", 5, 40)),
    OrganisationType.VOCATIONAL_INSTITUTE: (
        ("aide-soignant", 1, 120),
        ("auxiliaire-puericulture", 1, 45),
    ),
}
DEMO_SPREAD = 0.08
# National learners per population in the latest demo year (made up: demo data only).
DEMO_NATIONAL_TOTALS = {
    "medecine": 75_000,
    "odontologie": 7_500,
    "pharmacie-premier-cycle": 7_000,
    "pharmacie": 16_000,
    "maieutique": 4_000,
    "soins-infirmiers": 95_000,
    "ergotherapie": 4_000,
    "manipulateur-electroradiologie-de": 4_000,
    "imagerie-medicale-dts": 1_500,
    "pedicurie-podologie": 2_000,
    "orthoptie": 1_000,
    "masso-kinesitherapie": 12_000,
    "audioprothesiste": 600,
    "orthophonie": 4_500,
    "aide-soignant": 40_000,
    "auxiliaire-puericulture": 8_000,
    "travail-social-educateurs-assistants": 30_000,
    "travail-social-accompagnants": 25_000,
    "personnels-administratifs": 150_000,
    "professionnels-en-exercice": 1_200_000,
}
# Each earlier demo year has this much fewer learners nationally.
DEMO_YEARLY_GROWTH = 0.02


@dataclass(frozen=True)
class DemoDenominators:
    enrolments: int
    national_totals: int


def demo_years(today: dt.date) -> list[int]:
    """The current academic year and the two before it, oldest first."""
    current = academic_year(today)
    return list(range(current - DEMO_YEARS + 1, current + 1))


def _varied(base: int, *key: object) -> int:
    """`base` moved by up to DEMO_SPREAD either way, the same for the same key everywhere."""
    digest = hashlib.sha256("/".join(map(str, key)).encode()).digest()
    fraction = int.from_bytes(digest[:4], "big") / 0xFFFFFFFF  # 0 to 1
    return round(base * (1 + DEMO_SPREAD * (2 * fraction - 1)))


def _demo_cells(organisation: Organisation, years: list[int], populations: dict) -> list:
    cells = []
    for code, years_of_study, intake in DEMO_INTAKES.get(organisation.type, ()):
        population = populations.get(code)
        if population is None:
            continue
        for year in years:
            for year_of_study in range(1, years_of_study + 1):
                learners = _varied(intake, organisation.slug, code, year_of_study, year)
                cells.append(EnrolmentCell(population, year_of_study, year, learners))
    return cells


@transaction.atomic
def load_demo_denominators() -> DemoDenominators:
    """Enrolled learners of every demo organisation (by its type) and demo national totals
    for the last three academic years; figures already given are kept."""
    today = timezone.localdate()
    years = demo_years(today)
    populations = {population.code: population for population in Population.objects.all()}
    enrolments = 0
    for organisation in Organisation.objects.filter(is_demo=True).order_by("slug"):
        given = set(
            Enrolment.objects.filter(organisation=organisation).values_list(
                "population_id", "year_of_study", "academic_year"
            )
        )
        missing = [
            cell
            for cell in _demo_cells(organisation, years, populations)
            if (cell.population.pk, cell.year_of_study, cell.academic_year) not in given
        ]
        created, _replaced = set_enrolments(organisation, None, missing, DenominatorSource.FORM)
        enrolments += created
    totals = 0
    entered = set(NationalTotal.objects.values_list("population__code", "academic_year"))
    for code, latest in DEMO_NATIONAL_TOTALS.items():
        population = populations.get(code)
        if population is None:
            continue
        for age, year in enumerate(reversed(years)):
            if (code, year) in entered:
                continue
            learners = round(latest * (1 - DEMO_YEARLY_GROWTH) ** age)
            source_date = min(dt.date(year, 10, 15), today)
            save_national_total(None, population, year, learners, DEMO_SOURCE, source_date)
            totals += 1
    return DemoDenominators(enrolments=enrolments, national_totals=totals)


def remove_demo_national_totals() -> int:
    """Delete the national totals entered as demo data; returns how many."""
    deleted, _ = NationalTotal.objects.filter(source=DEMO_SOURCE).delete()
    return deleted
