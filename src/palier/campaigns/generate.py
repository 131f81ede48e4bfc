"""Generated participants for a campaign: the demo's living dashboard and the benchmark.

Everything is written in bulk (a few queries per thousand participants). Generated accounts
cannot log in (unusable password), have an address under the reserved `.example` domain,
and results drawn from a plausible model: a latent ability per learner, shifted by year of
study, plus an area effect, cut into the framework's five levels. They are demo data, never
real results, and have no attempt behind them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from palier.accounts.models import LearnerProfile, User
from palier.campaigns.models import (
    Campaign,
    ExpectedLearner,
    Participation,
    SharedCompetence,
    SharedLevel,
)
from palier.campaigns.services import shared_rows
from palier.frameworks.models import Competence, Population, TargetLevel

# Shares of generated participants by furthest status reached.
STATUS_SHARES = {"joined": 0.06, "started": 0.08, "finished": 0.10, "shared": 0.76}
CUTS = np.array([-1.5, -0.5, 0.5, 1.5])
BATCH = 2000
# Generated people get plausible names (demo data: the addresses say so).
FIRST_NAMES = [
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Jade",
    "Sarah",
    "Emma",
    "Lina",
    "Zoé",
    "Anaïs",
    "Clara",
    "Yasmine",
    "Océane",
    "Maëlle",
    "Lucas",
    "Hugo",
    "Nathan",
    "Louis",
    "Enzo",
    "Théo",
    "Adam",
    "Rayan",
    "Mathis",
    "Noah",
    "Karim",
    "Julien",
    "Thomas",
    "Maxime",
    "Élise",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Benali",
    "Nguyen",
    "Diallo",
    "Haddad",
    "Rousseau",
    "Blanc",
]


@dataclass(frozen=True)
class Generated:
    expected: int
    participations: int
    shared: int


def _when(campaign: Campaign, fraction: float) -> datetime:
    start = datetime.combine(campaign.opens_on, time(8, 0))
    days = max((campaign.closes_on - campaign.opens_on).days, 1)
    today = timezone.localdate()
    if campaign.closes_on > today:  # an open campaign: spread up to now
        days = max((today - campaign.opens_on).days, 1)
    moment = start + timedelta(days=days * fraction, hours=float(fraction * 9 % 9))
    return timezone.make_aware(moment)


@transaction.atomic
def generate_participants(
    campaign: Campaign,
    count: int,
    *,
    seed: int = 0,
    populations: list[Population] | None = None,
    expected_extra: float = 0.1,
) -> Generated:
    """`count` participants in `campaign` (and about `expected_extra` more expected learners
    who never joined, to show coverage)."""
    rng = np.random.default_rng(seed)
    populations = (
        populations
        or list(campaign.populations.all())
        or [campaign.target_population or Population.objects.order_by("code").first()]
    )
    competences = list(
        Competence.objects.filter(area__framework=campaign.framework, area__code__in=campaign.areas)
        .select_related("area")
        .order_by("code")
    )
    targets = {
        (population_id, area): level
        for population_id, area, level in TargetLevel.objects.filter(
            framework=campaign.framework, area__code__in=campaign.areas
        ).values_list("population_id", "area__code", "level_rank")
    }
    password = make_password(None)
    tag = f"{campaign.code.lower()}-{seed}"
    first_names = rng.choice(FIRST_NAMES, count)
    last_names = rng.choice(LAST_NAMES, count)
    users = [
        User(
            # The index leads so that ordering by address is ordering by index.
            email=f"{index:05d}.{slugify(first_names[index])}.{tag}@demo.palier.example",
            first_name=str(first_names[index]),
            last_name=str(last_names[index]),
            password=password,
            email_confirmed_at=timezone.now(),
        )
        for index in range(count)
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    users = list(
        User.objects.filter(email__endswith=f".{tag}@demo.palier.example").order_by("email")
    )
    population_of = rng.integers(0, len(populations), count)
    years = rng.integers(1, 4, count)
    LearnerProfile.objects.bulk_create(
        (
            LearnerProfile(
                user=user,
                population=populations[population_of[i]],
                status="student",
                year_of_study=int(years[i]),
            )
            for i, user in enumerate(users)
        ),
        batch_size=BATCH,
    )
    statuses = rng.choice(list(STATUS_SHARES), size=count, p=list(STATUS_SHARES.values()))
    ability = rng.normal(0, 0.9, count) + (years - 2) * 0.35
    area_effect = {area: rng.normal(0, 0.3) for area in campaign.areas}
    participations = []
    for i, user in enumerate(users):
        status = str(statuses[i])
        joined = _when(campaign, float(rng.uniform(0, 0.7)))
        started = joined + timedelta(minutes=5) if status != "joined" else None
        finished = started + timedelta(minutes=25) if status in ("finished", "shared") else None
        shared = finished + timedelta(minutes=1) if status == "shared" else None
        snapshot = None
        population = populations[population_of[i]]
        if status == "shared":
            areas = {}
            for area in campaign.areas:
                theta = float(ability[i] + area_effect[area] + rng.normal(0, 0.4))
                areas[area] = {
                    "level": int(np.searchsorted(CUTS, theta)) + 1,
                    "theta": round(theta, 4),
                    "se": round(float(rng.uniform(0.35, 0.55)), 4),
                    "precision": "fair",
                    "target": targets.get((population.pk, area)),
                }
            kinds = rng.choice(
                ["gap", "expected", "strength", "unknown"],
                len(competences),
                p=[0.2, 0.5, 0.15, 0.15],
            )
            snapshot = {
                "attempt_finished_at": finished.isoformat() if finished else None,
                "framework": f"{campaign.framework.code} {campaign.framework.version}",
                "population": population.code,
                "year_of_study": int(years[i]),
                "status": "student",
                "external_id": f"E{100000 + i}",
                "items": int(rng.integers(18, 40)),
                "areas": areas,
                "competences": {c.code: str(kinds[j]) for j, c in enumerate(competences)},
                "generated": True,
            }
        participations.append(
            Participation(
                campaign=campaign,
                user=user,
                external_id=f"E{100000 + i}" if campaign.external_id_label else "",
                status=status,
                joined_at=joined,
                started_at=started,
                finished_at=finished,
                shared_at=shared,
                plan_shared=bool(status == "shared" and rng.random() < 0.3),
                population_code=population.code if snapshot else "",
                year_of_study=int(years[i]) if snapshot else None,
                snapshot=snapshot,
            )
        )
    Participation.objects.bulk_create(participations, batch_size=BATCH)
    saved = Participation.objects.filter(campaign=campaign, user__in=users, status="shared")
    levels, signals = [], []
    for participation in saved.only("pk", "snapshot"):
        rows = shared_rows(participation.pk, participation.snapshot or {})
        levels += rows[0]
        signals += rows[1]
    SharedLevel.objects.bulk_create(levels, batch_size=BATCH)
    SharedCompetence.objects.bulk_create(signals, batch_size=BATCH)
    expected = [
        ExpectedLearner(
            campaign=campaign,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            external_id=f"E{100000 + i}",
            population=populations[population_of[i]],
            year_of_study=int(years[i]),
        )
        for i, user in enumerate(users)
    ]
    missing = round(count * expected_extra)
    expected += [
        ExpectedLearner(
            campaign=campaign,
            email=f"attendu-{index:05d}.{tag}@demo.palier.example",
            first_name=str(rng.choice(FIRST_NAMES)),
            last_name=str(rng.choice(LAST_NAMES)),
            population=populations[index % len(populations)],
            year_of_study=1 + index % 3,
        )
        for index in range(missing)
    ]
    ExpectedLearner.objects.bulk_create(expected, batch_size=BATCH, ignore_conflicts=True)
    return Generated(
        expected=len(expected), participations=count, shared=int((statuses == "shared").sum())
    )
