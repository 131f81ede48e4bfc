"""Reads for the catalogue and the learning plan."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from django.db.models import BooleanField, Case, Count, Prefetch, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from palier.accounts.models import LearnerProfile, User
from palier.assessments.models import Attempt
from palier.assessments.queries import attempts_of
from palier.assessments.services import retake_allowed_from
from palier.frameworks.models import Area, Framework, Population
from palier.organisations.models import Organisation
from palier.training.audience import (
    fits_status,
    names_population,
    population_q,
    region_q,
    status_q,
)
from palier.training.funding import (
    FundingRoute,
    declared_routes,
    module_routes,
    offers_route_q,
    routes_for,
)
from palier.training.funding_guide import GUIDES, RouteGuide
from palier.training.models import Module, ModuleSession, PlanEntry

K = TypeVar("K", int, str)
# Grouped plan rows read from the database at a time (steering reads whole years).
GROUP_CHUNK = 20000


@dataclass(frozen=True)
class CatalogueFilters:
    q: str = ""
    area: str = ""
    competence: str = ""
    format: str = ""
    max_hours: Decimal | None = None
    route: str = ""  # a FundingRoute code
    language: str = ""
    region: str = ""
    population: str = ""
    status: str = ""


def catalogue(filters: CatalogueFilters) -> QuerySet[Module]:
    modules = Module.objects.filter(status=Module.Status.PUBLISHED).select_related("provider")
    if filters.q:
        modules = modules.filter(
            Q(title_fr__icontains=filters.q)
            | Q(title_en__icontains=filters.q)
            | Q(summary_fr__icontains=filters.q)
        )
    if filters.area:
        modules = modules.filter(capacities__competence__area__code=filters.area)
    if filters.competence:
        modules = modules.filter(capacities__competence__code=filters.competence)
    if filters.format:
        modules = modules.filter(format=filters.format)
    if filters.max_hours is not None:
        modules = modules.filter(hours__lte=filters.max_hours)
    if filters.route:
        modules = modules.filter(offers_route_q(filters.route))
    if filters.language:
        modules = modules.filter(language=filters.language)
    if filters.region:
        modules = modules.filter(region_q(filters.region))
    if filters.population:
        modules = modules.filter(population_q(filters.population))
    if filters.status:
        modules = modules.filter(status_q(filters.status))
    return modules.distinct().order_by("title_fr")


@dataclass(frozen=True)
class Card:
    """A module of the catalogue with what is true of it for the learner looking."""

    module: Module
    reasons: list[str]  # "status", "population": the labels of training/_module_card.html


def catalogue_cards(modules: QuerySet[Module], profile: LearnerProfile | None) -> list[Card]:
    """The catalogue's modules with, for a learner, the labels that are true for them:
    "status" when the module fits their situation, "population" when it names their
    curriculum. An anonymous visitor or an empty profile gets no label."""
    status = profile.status if profile else ""
    population_id = profile.population_id if profile else None
    if population_id is not None:
        modules = modules.prefetch_related("populations")
    return [
        Card(
            module,
            [
                reason
                for reason, true in (
                    ("status", fits_status(module, status)),
                    ("population", names_population(module, population_id)),
                )
                if true
            ],
        )
        for module in modules
    ]


@dataclass(frozen=True)
class AreaHours:
    area: Area
    planned: Decimal
    done: Decimal

    @property
    def reference(self) -> Decimal:
        return self.area.reference_hours

    @property
    def percent_done(self) -> int:
        """Completed hours as a share of the area's reference hours, at most 100."""
        if not self.reference:
            return 0
        return min(100, int(self.done * 100 / self.reference))


@dataclass(frozen=True)
class PlanProgress:
    """Hours per area against the framework's reference volume: 28 h over the five areas
    of the national framework (docs/training.md, "Progress against the 28 hours")."""

    areas: list[AreaHours]

    @property
    def reference(self) -> Decimal:
        return sum((row.reference for row in self.areas), Decimal(0))

    @property
    def planned(self) -> Decimal:
        return sum((row.planned for row in self.areas), Decimal(0))

    @property
    def done(self) -> Decimal:
        return sum((row.done for row in self.areas), Decimal(0))

    @property
    def done_towards_reference(self) -> Decimal:
        """Completed hours that count towards the reference: an area's hours beyond its own
        reference do not make up for another area."""
        return sum((min(row.done, row.reference) for row in self.areas), Decimal(0))


def in_plan(user: User, module: Module) -> bool:
    """Whether the signed-in learner already has `module` in their plan."""
    return user.is_authenticated and PlanEntry.objects.filter(user=user, module=module).exists()


def plan_entries(user: User) -> QuerySet[PlanEntry]:
    return (
        PlanEntry.objects.filter(user=user)
        .select_related("module__provider", "resource__competence__area")
        .prefetch_related("module__capacities__competence__area")
    )


def module_hours_by_area(hours: Decimal, areas: Collection[K]) -> dict[K, Decimal]:
    """A module's hours spread over the areas its capacities cover, in equal shares (a
    module with no capacity counts in no area). `areas` are ids or codes, as the caller
    keys them. The one place this rule lives: the learner's plan and the campaign
    dashboards' plan aggregates both use it."""
    if not areas:
        return {}
    share = hours / len(areas)
    return {area: share for area in areas}


def hours_per_area(user: User, framework: Framework) -> list[AreaHours]:
    """Module hours planned and completed per area; a module covering several areas counts
    its hours in equal shares."""
    planned: dict[int, Decimal] = defaultdict(Decimal)
    done: dict[int, Decimal] = defaultdict(Decimal)
    for entry in plan_entries(user).filter(module__isnull=False):
        area_ids = {c.competence.area_id for c in entry.module.capacities.all()}
        for area_id, share in module_hours_by_area(entry.module.hours, area_ids).items():
            planned[area_id] += share
            if entry.progress == PlanEntry.Progress.COMPLETED:
                done[area_id] += share
    return [
        AreaHours(
            area, planned[area.pk].quantize(Decimal("0.1")), done[area.pk].quantize(Decimal("0.1"))
        )
        for area in Area.objects.filter(framework=framework).order_by("number")
    ]


@dataclass(frozen=True)
class PlanAreaTotals:
    """Plans of a group of learners in one area."""

    planned: Decimal
    done: Decimal
    modules_completed: int
    learners: int  # learners with at least one module of the area in their plan


def plan_totals_per_area(users: QuerySet) -> dict[str, PlanAreaTotals]:
    """Module hours planned and completed, and modules completed, per area code, summed over
    the plans of `users` (a query of user ids, run as a subquery). Three queries whatever
    the number of learners: entries are counted per module and progress in SQL, then each
    module's hours are spread over its areas by `module_hours_by_area`."""
    entries = PlanEntry.objects.filter(user_id__in=users, module__isnull=False)
    module_areas: dict[int, set[str]] = defaultdict(set)
    for module_id, area_code in (
        Module.capacities.through.objects.filter(module_id__in=entries.values("module_id"))
        .values_list("module_id", "capacity__competence__area__code")
        .distinct()
    ):
        module_areas[module_id].add(area_code)
    planned: dict[str, Decimal] = defaultdict(Decimal)
    done: dict[str, Decimal] = defaultdict(Decimal)
    completed: dict[str, int] = defaultdict(int)
    for row in entries.values("module_id", "module__hours", "progress").annotate(count=Count("id")):
        is_completed = row["progress"] == PlanEntry.Progress.COMPLETED
        spread = module_hours_by_area(row["module__hours"], module_areas[row["module_id"]])
        for area_code, share in spread.items():
            planned[area_code] += share * row["count"]
            if is_completed:
                done[area_code] += share * row["count"]
                completed[area_code] += row["count"]
    learners = dict(
        entries.filter(module__capacities__isnull=False)
        .values("module__capacities__competence__area__code")
        .annotate(count=Count("user_id", distinct=True))
        .values_list("module__capacities__competence__area__code", "count")
    )
    return {
        code: PlanAreaTotals(
            planned[code].quantize(Decimal("0.1")),
            done[code].quantize(Decimal("0.1")),
            completed[code],
            count,
        )
        for code, count in learners.items()
    }


def confirmation_requests(organisation: Organisation) -> QuerySet[PlanEntry]:
    """Completed plan entries on the organisation's modules whose learners asked it to confirm
    them: what its admins may see (name and e-mail) to confirm them. Nothing else of a plan is
    shown to a provider: not completions nobody asked it to confirm, not planned or started
    entries, not other providers' modules, not erased accounts."""
    return (
        PlanEntry.objects.filter(
            module__provider=organisation,
            progress=PlanEntry.Progress.COMPLETED,
            confirmation_requested_at__isnull=False,
            user__erased_at__isnull=True,
        )
        .select_related("module", "user")
        .order_by(
            "module__title_fr",
            "module_id",
            "confirmed_by_provider",
            "confirmation_requested_at",
            "pk",
        )
    )


def upcoming_sessions() -> Prefetch:
    """Prefetch of a module's sessions that have not ended, as `module.upcoming_sessions`."""
    return Prefetch(
        "sessions",
        queryset=ModuleSession.objects.filter(end__gte=timezone.localdate()).order_by("start"),
        to_attr="upcoming_sessions",
    )


def retake_suggestion(user: User) -> dict[str, object]:
    """What the plan says once every module is completed: take the test if never taken,
    retake it if the delay between two tests is over, else the date from which it may be
    retaken (the delay of assessments' PALIER_RETAKE_COOLDOWN_DAYS)."""
    tested = attempts_of(user).filter(status=Attempt.Status.FINISHED).exists()
    return {"tested": tested, "allowed_from": retake_allowed_from(user) if tested else None}


@dataclass(frozen=True)
class EntryRoute:
    """A funding route of a plan's module that applies to its learner."""

    guide: RouteGuide
    action_number: str  # the DPC action number, else ""


def plan_routes(
    entries: Collection[PlanEntry], profile: LearnerProfile | None
) -> dict[int, list[EntryRoute]]:
    """For each module entry of a plan (by entry id), the module's funding routes that apply
    to the learner's status and profession; every route of the module when the status is
    not told (training/funding.py). No query: the modules are already loaded."""
    status = profile.status if profile else ""
    population = profile.population if profile and profile.population_id else None
    return {
        entry.pk: [
            EntryRoute(
                GUIDES[route],
                entry.module.dpc_action_number if route == FundingRoute.DPC else "",
            )
            for route in routes_for(module_routes(entry.module), status, population)
        ]
        for entry in entries
        if entry.module_id
    }


@dataclass(frozen=True)
class RouteHours:
    status: str  # a LearnerStatus value, "" when the learner has not told it
    route: str  # a FundingRoute value
    planned_hours: Decimal
    completed_hours: Decimal
    planned_learners: int  # learners with planned hours under the route
    completed_learners: int  # learners with completed hours under the route


@dataclass(frozen=True)
class LearnerRouteHours:
    """One learner's module hours under one funding route (for the steering aggregates,
    which count each learner in their scopes; never shown as such)."""

    user_id: int
    status: str
    route: str
    planned_hours: Decimal
    completed_hours: Decimal


def route_hours_per_learner(entries: QuerySet[PlanEntry]) -> Iterator[LearnerRouteHours]:
    """Module hours planned and completed per learner and funding route over `entries`,
    learner by learner. Planned hours are those of every module entry (planned, started or
    completed), completed hours those of completed entries; resources do not count.

    A module counts its hours under each of its routes that applies to its learner (status
    and profession, `funding.routes_for`), so a module with several routes is counted
    several times. A learner who has not told their status counts under every route of the
    module, with the status "".

    Two queries whatever the number of entries: the hours are summed in SQL per learner,
    status, population and module routes, streamed in learner order, then spread over the
    routes here."""
    groups = (
        entries.filter(module__isnull=False)
        .annotate(
            is_free=Case(
                When(module__price_cents=0, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .values(
            "user_id",
            "user__profile__status",
            "user__profile__population_id",
            "module__funding_routes",
            "is_free",
        )
        .annotate(
            planned=Sum("module__hours"),
            completed=Sum("module__hours", filter=Q(progress=PlanEntry.Progress.COMPLETED)),
        )
        .order_by("user_id")
    )
    populations = Population.objects.in_bulk()
    current: int | None = None
    status = ""
    hours: dict[str, list[Decimal]] = {}

    def flush() -> Iterator[LearnerRouteHours]:
        if current is None:
            return
        for route in sorted(hours):
            planned, completed = hours[route]
            yield LearnerRouteHours(current, status, route, planned, completed)

    for row in groups.iterator(chunk_size=GROUP_CHUNK):
        if row["user_id"] != current:
            yield from flush()
            current, hours = row["user_id"], {}
        status = row["user__profile__status"] or ""
        population = populations.get(row["user__profile__population_id"])
        routes = declared_routes(row["module__funding_routes"], row["is_free"])
        for route in routes_for(routes, status, population):
            sums = hours.setdefault(route, [Decimal(0), Decimal(0)])
            sums[0] += row["planned"] or Decimal(0)
            sums[1] += row["completed"] or Decimal(0)
    yield from flush()


def hours_by_status_and_route(entries: QuerySet[PlanEntry]) -> list[RouteHours]:
    """Module hours planned and completed, and the learners they come from, per learner
    status and funding route over `entries` (for the steering dashboards), with the rules
    of `route_hours_per_learner`: the routes' hours and learners do not add up to the
    plans' total. A learner counts under a row's planned (completed) learners when they
    have planned (completed) hours under it. Two queries."""
    planned: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    completed: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    planners: dict[tuple[str, str], int] = defaultdict(int)
    completers: dict[tuple[str, str], int] = defaultdict(int)
    for row in route_hours_per_learner(entries):
        key = (row.status, row.route)
        planned[key] += row.planned_hours
        completed[key] += row.completed_hours
        planners[key] += row.planned_hours > 0
        completers[key] += row.completed_hours > 0
    return [
        RouteHours(*key, planned[key], completed[key], planners[key], completers[key])
        for key in sorted(planned)
    ]
