"""The plan's targets, loaded by `palier seed` (steering edits them afterwards).

Idempotent and respectful of steering's work: a target whose code exists (whatever its
versions) is left as it is, so a second run adds nothing and never undoes an edit.

The figures are the stated targets of the national digital-health plan. Their exact
publication is not pinned down here: each source says so, for steering to check and
complete by adding a version.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from palier.frameworks.models import Population
from palier.steering.choices import Indicator, TargetKind
from palier.steering.models import Target
from palier.steering.target_services import create_target

STRATEGY = "Stratégie d'accélération « Santé numérique » (France 2030), feuille de route 2021-2025"
TO_CHECK = "cible annoncée ; référence exacte (texte, date) à vérifier par le pilotage"
STRATEGY_SOURCE = f"{STRATEGY} : {TO_CHECK}."
PUBLISHED_SOURCE = (
    f"{STRATEGY} et feuille de route du numérique en santé (Ségur du numérique) : {TO_CHECK}."
)

HEALTH_LEARNERS = [Population.Kind.HIGHER_EDUCATION, Population.Kind.VOCATIONAL]

# Academic years by their first year: "by 2025" is the year 2024-2025, "in 2027" 2026-2027.
SEED_TARGETS: tuple[dict[str, Any], ...] = (
    {
        "code": "apprenants-sante-60-pct-2025",
        "title_fr": "60 % des apprenants en santé sensibilisés au numérique en santé en 2025",
        "title_en": "60% of health learners reached by digital-health training by 2025",
        "indicator": Indicator.REACHED,
        "kind": TargetKind.SHARE,
        "population_kinds": HEALTH_LEARNERS,
        "value": Decimal(60),
        "year": 2024,
        "yearly": False,
        "source": STRATEGY_SOURCE,
    },
    {
        "code": "apprenants-sante-100-pct-2027",
        "title_fr": "100 % des apprenants en santé sensibilisés au numérique en santé en 2027",
        "title_en": "100% of health learners reached by digital-health training by 2027",
        "indicator": Indicator.REACHED,
        "kind": TargetKind.SHARE,
        "population_kinds": HEALTH_LEARNERS,
        "value": Decimal(100),
        "year": 2026,
        "yearly": False,
        "source": STRATEGY_SOURCE,
    },
    {
        "code": "etudiants-sante-70000-par-an",
        "title_fr": "70 000 étudiants en santé formés chaque année à partir de 2024",
        "title_en": "70,000 health students trained every year from 2024",
        "indicator": Indicator.REACHED,
        "kind": TargetKind.COUNT,
        "population_kinds": [Population.Kind.HIGHER_EDUCATION],
        "value": Decimal(70_000),
        "year": 2024,
        "yearly": True,
        "source": PUBLISHED_SOURCE,
    },
    {
        "code": "apprenants-sante-social-130000-2027",
        "title_fr": "130 000 apprenants en santé et en travail social formés en 2027",
        "title_en": "130,000 health and social-work learners trained in 2027",
        "indicator": Indicator.REACHED,
        "kind": TargetKind.COUNT,
        "population_kinds": [*HEALTH_LEARNERS, Population.Kind.SOCIAL_WORK],
        "value": Decimal(130_000),
        "year": 2026,
        "yearly": False,
        "source": PUBLISHED_SOURCE,
    },
    {
        "code": "professionnels-10-pct-2027",
        "title_fr": "10 % des professionnels en exercice formés en 2027",
        "title_en": "10% of practising professionals trained by 2027",
        "indicator": Indicator.REACHED,
        "kind": TargetKind.SHARE,
        "population_kinds": [Population.Kind.CONTINUING],
        "value": Decimal(10),
        "year": 2026,
        "yearly": False,
        "source": PUBLISHED_SOURCE,
    },
    {
        "code": "professionnels-100000-2027",
        "title_fr": "100 000 professionnels en exercice formés par an en 2027",
        "title_en": "100,000 practising professionals trained a year by 2027",
        "indicator": Indicator.REACHED,
        "kind": TargetKind.COUNT,
        "population_kinds": [Population.Kind.CONTINUING],
        "value": Decimal(100_000),
        "year": 2026,
        "yearly": False,
        "source": PUBLISHED_SOURCE,
    },
)


@dataclass(frozen=True)
class TargetSeedReport:
    created: int
    kept: int


@transaction.atomic
def load_target_seed() -> TargetSeedReport:
    """Create the plan's targets that do not exist yet (by code); keep the others as they
    are, edited or not."""
    existing = set(Target.objects.values_list("code", flat=True).distinct())
    created = 0
    for fields in SEED_TARGETS:
        if fields["code"] in existing:
            continue
        create_target(None, {**fields, "population_kinds": list(fields["population_kinds"])})
        created += 1
    return TargetSeedReport(created=created, kept=len(SEED_TARGETS) - created)
