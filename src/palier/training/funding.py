"""Funding routes of a training module, and which of them apply to a learner: the one place
these rules live (the explanation of each route is in funding_guide.py).

A module declares the routes a learner can use to have it paid for (`Module.funding_routes`,
space-separated codes, like `Module.statuses`); "free" is not declared but follows the price
(a module priced 0 is free for everyone). Each module-side rule has two faces that must
agree, a `Q` for the catalogue and a predicate for a loaded module
(tests/training/test_funding.py checks them on every module of the test catalogue).

Which route applies to which learner, by status (accounts.choices.LearnerStatus) and
profession (the profile's population):

| route | statuses | profession |
|---|---|---|
| DPC (continuing professional development) | self-employed, public, private | health only |
| ANFH (public hospitals' training fund) | public sector | any |
| OPCO (private-sector skills operator) | private sector | any |
| FIF-PL (self-employed professionals' fund) | self-employed | not physicians (FAF-PM) |
| CPF (personal training account) | self-employed, public, private | any |
| employer plan | public, private | any |
| free | every status, students included | any |

DPC is open whatever the mode of practice, within the ANDPC's rules: the agency pays for
self-employed professionals and the employees of health centres; other employees follow DPC
actions paid by their employer's fund. Students have no funding route of their own: their
institution's courses are free to them. A learner who has not told their status sees every
route of a module (the plan asks them to complete their profile).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from palier.accounts.choices import LearnerStatus
from palier.frameworks.models import Population

if TYPE_CHECKING:
    from palier.training.models import Module


class FundingRoute(models.TextChoices):
    # Codes never contain one another: `Module.funding_routes` is filtered with `contains`
    # (tests/training/test_funding.py checks it).
    DPC = "dpc", _("Développement professionnel continu (DPC)")
    ANFH = "anfh", _("Fonds de formation des hôpitaux publics (ANFH)")
    OPCO = "opco", _("Opérateur de compétences (OPCO)")
    FIFPL = "fifpl", _("Fonds des professionnels libéraux (FIF-PL)")
    CPF = "cpf", _("Compte personnel de formation (CPF)")
    EMPLOYER_PLAN = "employer_plan", _("Plan de développement des compétences de l'employeur")
    FREE = "free", _("Gratuit")


# What a provider declares; "free" follows the price.
DECLARED_ROUTES = [route for route in FundingRoute if route != FundingRoute.FREE]

_PRACTISING = frozenset(
    {LearnerStatus.SELF_EMPLOYED, LearnerStatus.PUBLIC_SECTOR, LearnerStatus.PRIVATE_SECTOR}
)
_EMPLOYEES = frozenset({LearnerStatus.PUBLIC_SECTOR, LearnerStatus.PRIVATE_SECTOR})

ROUTE_STATUSES: dict[str, frozenset[str]] = {
    FundingRoute.DPC: _PRACTISING,
    FundingRoute.ANFH: frozenset({LearnerStatus.PUBLIC_SECTOR}),
    FundingRoute.OPCO: frozenset({LearnerStatus.PRIVATE_SECTOR}),
    FundingRoute.FIFPL: frozenset({LearnerStatus.SELF_EMPLOYED}),
    FundingRoute.CPF: _PRACTISING,
    FundingRoute.EMPLOYER_PLAN: _EMPLOYEES,
    FundingRoute.FREE: frozenset(LearnerStatus.values),
}

# Health professions (Code de la santé publique, fourth part) are the curricula of the
# health courses and the practising professionals; social work and administrative staff
# are not under the DPC obligation.
HEALTH_PROFESSION_KINDS = frozenset(
    {
        Population.Kind.HIGHER_EDUCATION,
        Population.Kind.VOCATIONAL,
        Population.Kind.CONTINUING,
    }
)
# Self-employed physicians have their own fund (FAF-PM), not the FIF-PL.
PHYSICIAN_POPULATIONS = frozenset({"medecine"})


def validate_declared_routes(value: str) -> None:
    """A module's stored routes: codes of the list, "free" excepted (it follows the price)."""
    unknown = set(value.split()) - {route.value for route in DECLARED_ROUTES}
    if unknown:
        raise ValidationError(
            _("Financement inconnu : %(codes)s."), params={"codes": ", ".join(sorted(unknown))}
        )


def route_applies(route: str, status: str, population: Population | None) -> bool:
    """Whether `route` can pay for a learner of `status` and profession `population` (None:
    not told). False when the status is unknown: see `routes_for`."""
    if status not in ROUTE_STATUSES[route]:
        return False
    if population is None:
        return True
    if route == FundingRoute.DPC:
        return population.kind in HEALTH_PROFESSION_KINDS
    if route == FundingRoute.FIFPL:
        return population.code not in PHYSICIAN_POPULATIONS
    return True


def routes_for(routes: Iterable[str], status: str, population: Population | None) -> list[str]:
    """The routes among `routes` that apply to this learner; all of them when the status is
    unknown (the learner is asked to tell it)."""
    if not status:
        return list(routes)
    return [route for route in routes if route_applies(route, status, population)]


def declared_routes(funding_routes: str, is_free: bool) -> list[str]:
    """A module's routes in the order of FundingRoute, from its stored codes and whether it
    is free."""
    codes = set(funding_routes.split())
    if is_free:
        codes.add(FundingRoute.FREE)
    return [route.value for route in FundingRoute if route in codes]


def module_routes(module: Module) -> list[str]:
    return declared_routes(module.funding_routes, module.is_free)


def offers_route_q(route: str) -> Q:
    """Modules that declare `route` (free: priced 0)."""
    if route == FundingRoute.FREE:
        return Q(price_cents=0)
    return Q(funding_routes__contains=route)


def offers_route(module: Module, route: str) -> bool:
    return route in module_routes(module)
