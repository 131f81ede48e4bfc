"""Who a module is for: the one rule behind the catalogue's filters by situation, curriculum
and region, the label "adapté à votre situation" and the recommendation's ranking.

Each rule has two faces that must agree: a `Q` for the catalogue's query and a predicate
for a module already loaded (the ranking, the labels). tests/training/test_audience.py
checks that they agree on every module of the test catalogue.

A module fits a learner's situation (student, self-employed, public or private sector) when

- it is open to that situation: its audience lists no situation (open to all) or lists it;
- and its price fits it: the module is free, or its provider names that situation in the
  audience (the offer was priced for them), or it is eligible to continuing-professional-
  development funding (DPC) and the learner is a practising professional (DPC funds
  practising professionals only, never students).

So a student is not offered a paid DPC course by default, and a practising professional is
not offered a paid course meant for students.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from palier.accounts.choices import LearnerStatus
from palier.training.funding import FundingRoute, offers_route, offers_route_q
from palier.training.models import IN_PERSON_FORMATS, Module


def is_practising(status: str) -> bool:
    return bool(status) and status != LearnerStatus.STUDENT


def status_q(status: str) -> Q:
    """Published modules that fit a learner of `status` (see the module docstring)."""
    # Status codes never contain each other, so `contains` on the space-separated field is
    # exact (models.Module.statuses).
    listed = Q(statuses__contains=status)
    priced = Q(price_cents=0) | listed
    if is_practising(status):
        priced |= offers_route_q(FundingRoute.DPC)
    return (Q(statuses="") | listed) & priced


def fits_status(module: Module, status: str) -> bool:
    """Whether `module` fits a learner of `status` (False when the status is unknown)."""
    if not status:
        return False
    listed = status in module.statuses.split()
    priced = (
        module.is_free
        or listed
        or (offers_route(module, FundingRoute.DPC) and is_practising(status))
    )
    return (not module.statuses or listed) and priced


def population_q(population_code: str) -> Q:
    """Modules open to a population: those that name it, and those open to all."""
    return Q(populations__code=population_code) | Q(populations__isnull=True)


def names_population(module: Module, population_id: int | None) -> bool:
    """Whether `module` is meant for this population by name (not merely open to all):
    the one case where "adapté à votre formation ou métier" is true and says something."""
    return population_id is not None and any(
        population.pk == population_id for population in module.populations.all()
    )


def region_q(region: str) -> Q:
    """Modules a learner can follow from `region`: those at a distance (e-learning, virtual
    classes), and those with a session in the region that has not ended."""
    return ~Q(format__in=IN_PERSON_FORMATS) | Q(
        sessions__region=region, sessions__end__gte=timezone.localdate()
    )
