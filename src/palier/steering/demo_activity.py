"""Demo activity for the national dashboard (`palier demo_steering`, development and demos
only): about thirty fictitious institutions across France, overseas included, whose
generated learners took positioning tests, completed training modules and gave opinions
over the academic years of the plan, so that the steering account sees a living dashboard.

Everything is demo data and marked so: organisations `is_demo`, accounts under the demo
domain with unusable passwords (`campaigns/generate.py`), attempts with `stop_reason`
"demo" and no responses (psychometric calibration reads responses only, so it never sees
them; `palier rescore` reports "No stored responses."). Deterministic (a seeded numpy
Generator per institution and year) and idempotent: an institution's year is generated
once, with its campaign; a second run adds nothing. Written in bulk.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zlib
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from palier.accounts.models import LearnerProfile
from palier.assessments.models import Attempt, Purpose
from palier.assessments.results import (
    AreaMeasure,
    AttemptResult,
    precision_word,
    with_level_reports,
)
from palier.assessments.services import current_settings
from palier.campaigns.generate import generate_participants
from palier.campaigns.models import Campaign, Participation
from palier.campaigns.services import create_campaign
from palier.engine import level
from palier.engine.score import REPORT_THRESHOLD
from palier.frameworks.queries import current_framework, cut_scores_by_area
from palier.items.models import Calibration
from palier.organisations.choices import OrganisationType as Type
from palier.organisations.demo import DEMO_ORGANISATION_SLUG
from palier.organisations.models import Organisation
from palier.steering import award_services
from palier.steering.award_access import CAMPAIGN, SESSION, attachable
from palier.steering.choices import FeedbackSubject
from palier.steering.demo import load_demo_denominators
from palier.steering.demo_places import DEMO_SLUG_PREFIX, Institution, demo_institutions
from palier.steering.indicators import PRACTISING_STATUSES, moments
from palier.steering.models import Award, Feedback
from palier.steering.years import academic_year
from palier.training.models import Module, PlanEntry

FIRST_YEAR = 2023
BATCH = 2000
DEMO_STOP_REASON = "demo"
# Share of an institution's learners (its size, spread over the years) in each academic
# year, by age: 0 is the current year, under way.
YEAR_SHARES = {0: 0.2, 1: 0.3, 2: 0.27, 3: 0.23}
# Shares of learners: of those who finished a test, who also completed a module; of those
# who did not, who completed one anyway; of tests and modules, who gave an opinion.
TRAINED_AFTER_TEST = 0.35
TRAINED_WITHOUT_TEST = 0.3
RESULT_OPINIONS = 0.2
MODULE_OPINIONS = 0.3
COMMENTS = (
    "Test clair, les questions sur la messagerie sécurisée m'ont appris des choses.",
    "Un peu long, mais le résultat par domaine est utile pour choisir une formation.",
    "Le module était concret et bien adapté à ma pratique.",
    "J'aurais aimé plus d'exemples sur le dossier médical partagé.",
)


@dataclass(frozen=True)
class DemoActivity:
    institutions: int
    campaigns: int
    learners: int
    attempts: int
    plan_entries: int
    feedback: int


def demo_activity_years(today: dt.date | None = None) -> list[int]:
    """The academic years with demo activity: from 2023 to the current one."""
    return list(range(FIRST_YEAR, academic_year(today or timezone.localdate()) + 1))


def _seed(*key: object) -> int:
    return zlib.crc32("/".join(map(str, key)).encode())


@dataclass
class _Context:
    framework: object
    calibration: Calibration | None
    cuts: dict
    engine_settings: object
    modules: dict[int | None, list[Module]]
    now: dt.datetime
    measures: dict = field(default_factory=dict)


def _context(framework: object) -> _Context:
    mapped = Module.objects.filter(is_demo=True, capacities__isnull=False).distinct()
    modules: dict[int | None, list[Module]] = {None: list(mapped.order_by("code"))}
    for module in modules[None]:
        for population_id in module.populations.values_list("pk", flat=True):
            modules.setdefault(population_id, []).append(module)
    return _Context(
        framework=framework,
        calibration=Calibration.objects.filter(framework=framework, is_active=True).first(),
        cuts=cut_scores_by_area(framework.pk),
        engine_settings=current_settings(),
        modules=modules,
        now=timezone.now(),
    )


@transaction.atomic
def load_demo_activity(scale: float = 1.0, years: list[int] | None = None) -> DemoActivity:
    """Demo institutions and, for each of `years` (default: 2023 to the current year) not
    generated yet, their learners' campaign, tests, modules and opinions. `scale`
    multiplies every size (tests use a small one)."""
    framework = current_framework()
    places = demo_institutions()
    load_demo_denominators()
    context = _context(framework)
    years = years or demo_activity_years()
    current = academic_year(timezone.localdate())
    totals = np.zeros(5, dtype=int)
    for place in places:
        base = place.size or int(
            np.random.default_rng(_seed(place.organisation.slug)).integers(40, 401)
        )
        for year in years:
            count = max(round(base * YEAR_SHARES.get(current - year, 0.5) * scale), 3)
            totals += _institution_year(place, year, count, context)
    totals[2] += _demo_organisation(context)
    return DemoActivity(len(places), *(int(total) for total in totals))


def _demo_organisation(context: _Context) -> int:
    """The demo organisation of `palier seed --demo`, whose staff see its award's page:
    a demo attempt behind each finished participation of its campaigns that has none (the
    generated participants of `campaigns.demo` have no attempt, so none counted as
    reached), and its campaigns and certification sessions created since the award seed
    (`palier demo_certification` runs after it) attached to its award. Returns the
    attempts added (none on a second run)."""
    organisation = Organisation.objects.filter(slug=DEMO_ORGANISATION_SLUG, is_demo=True).first()
    if organisation is None:
        return 0
    added = 0
    for campaign in Campaign.objects.filter(organisation=organisation).order_by("pk"):
        waiting = list(
            Participation.objects.filter(
                campaign=campaign, finished_at__isnull=False, attempt__isnull=True
            ).order_by("pk")
        )
        if waiting:
            rng = np.random.default_rng(_seed(organisation.slug, campaign.name))
            added += len(_attempts(waiting, campaign, rng, context))
    award = Award.objects.filter(organisation=organisation, is_demo=True).first()
    if award is not None:
        for kind in (CAMPAIGN, SESSION):
            for target in attachable(award, kind):
                award_services.attach(award, kind, target.pk)
    return added


def _campaign_name(year: int) -> str:
    return f"Positionnement {year}-{year + 1} (démonstration)"


def _institution_year(place: Institution, year: int, count: int, context: _Context) -> list:
    """One institution's year, once: its campaign and what its learners did."""
    organisation = place.organisation
    name = _campaign_name(year)
    if Campaign.objects.filter(organisation=organisation, name=name).exists():
        return [0, 0, 0, 0, 0]
    rng = np.random.default_rng(_seed(organisation.slug, year))
    campaign = create_campaign(
        organisation,
        None,  # type: ignore[arg-type]
        {
            "name": name,
            "purpose": "Campagne fictive : données de démonstration du tableau de bord national.",
            "kind": Campaign.Kind.ASSESSMENT,
            "areas": [area.code for area in context.framework.areas.order_by("number")],
            "framework": context.framework,
            "target_population": place.populations[0],
            "opens_on": dt.date(year, 9, 15),
            "closes_on": dt.date(year + 1, 6, 30),
            "external_id_label": "",
            "sharing": Campaign.Sharing.CONSENT,
        },
        place.populations,
    )
    generate_participants(
        campaign, count, seed=_seed(organisation.slug, year), populations=place.populations
    )
    _attach_to_award(campaign)
    participations = list(
        Participation.objects.filter(campaign=campaign).select_related("user__profile")
    )
    _set_profiles(participations, organisation, rng)
    attempts = _attempts(participations, campaign, rng, context)
    entries = _plan_entries(participations, year, rng, context)
    feedback = _feedback(attempts, entries, rng)
    return [1, len(participations), len(attempts), len(entries), feedback]


def _attach_to_award(campaign: Campaign) -> None:
    award = Award.objects.filter(organisation=campaign.organisation, is_demo=True).first()
    if award is not None:
        award_services.attach_campaign(award, campaign.pk)


def _set_profiles(participations: list, organisation: Organisation, rng) -> None:
    """Region of the institution; practising statuses for continuing education."""
    users = [participation.user_id for participation in participations]
    LearnerProfile.objects.filter(user_id__in=users).update(region=organisation.region)
    if organisation.type != Type.CONTINUING_EDUCATION:
        return
    statuses = rng.choice(len(PRACTISING_STATUSES), len(users))
    for index, status in enumerate(PRACTISING_STATUSES):
        chosen = [user for user, drawn in zip(users, statuses, strict=True) if drawn == index]
        LearnerProfile.objects.filter(user_id__in=chosen).update(status=status, year_of_study=None)


def _measure(code: str, theta: float, se: float, context: _Context) -> AreaMeasure:
    """One area's measure with its level report, as `assessments.results` computes it
    (thetas rounded to 0.1 logit and SEs to 0.01: demo figures, computed once per value)."""
    key = (code, round(theta, 1), round(se, 2))
    found = context.measures.get(key)
    if found is None:
        cuts = context.cuts.get(code, ())
        plain = AreaMeasure(
            code=code,
            theta=key[1],
            se=key[2],
            level=int(level(key[1], cuts)) + 1,
            level_probabilities=(),
            precision=precision_word(key[2]),
        )
        found = with_level_reports(AttemptResult(areas=(plain,)), {code: cuts}).areas[0]
        context.measures[key] = found
    return found


def _demo_result(areas: dict[str, tuple[float, float]], context: _Context, items: int) -> dict:
    """A stored result in the shape real results have (`assessments.results`), without
    competence scores (a demo attempt has no responses)."""
    return AttemptResult(
        areas=tuple(_measure(code, *values, context) for code, values in areas.items()),
        competences=(),
        engine_version=context.engine_settings.version,
        calibration=context.calibration.pk,
        stop_reason=DEMO_STOP_REASON,
        items=items,
        report_threshold=REPORT_THRESHOLD,
    ).to_json()


def _attempts(participations: list, campaign: Campaign, rng, context: _Context) -> list:
    """A finished positioning attempt behind each finished participation (none without an
    active calibration)."""
    if context.calibration is None:
        return []
    attempts = []
    for participation in participations:
        if participation.finished_at is None:
            continue
        shared = (participation.snapshot or {}).get("areas", {})
        areas = {
            code: (
                float(shared[code]["theta"]) if code in shared else float(rng.normal(0, 1)),
                float(shared[code]["se"]) if code in shared else float(rng.uniform(0.35, 0.55)),
            )
            for code in campaign.areas
        }
        attempt = Attempt(
            id=uuid.UUID(bytes=rng.bytes(16), version=4),
            user_id=participation.user_id,
            framework=context.framework,
            calibration=context.calibration,
            engine_settings=context.engine_settings,
            purpose=Purpose.POSITIONING,
            areas=list(campaign.areas),
            seed=int(rng.integers(0, 2**31)),
            status=Attempt.Status.FINISHED,
            finished_at=participation.finished_at,
            stop_reason=DEMO_STOP_REASON,
            result=_demo_result(areas, context, int(rng.integers(18, 40))),
        )
        attempts.append(attempt)
    Attempt.objects.bulk_create(attempts, batch_size=BATCH)
    made = Attempt.objects.filter(pk__in=[attempt.pk for attempt in attempts])
    # started_at is set on insert: moved back to the test's start.
    made.update(started_at=F("finished_at") - dt.timedelta(minutes=25))
    # Only the participations given an attempt here (a real one is never replaced).
    Participation.objects.filter(
        pk__in=[participation.pk for participation in participations],
        finished_at__isnull=False,
        attempt__isnull=True,
    ).update(attempt=Subquery(made.filter(user=OuterRef("user")).values("pk")[:1]))
    return attempts


def _plan_entries(participations: list, year: int, rng, context: _Context) -> list:
    """Completed framework-mapped demo modules, inside the year and before now."""
    start, end = moments(year)
    last = min(end - dt.timedelta(hours=1), context.now - dt.timedelta(hours=1))
    entries = []
    for participation in participations:
        tested = participation.finished_at is not None
        if rng.random() >= (TRAINED_AFTER_TEST if tested else TRAINED_WITHOUT_TEST):
            continue
        population = participation.user.profile.population_id
        choices = context.modules.get(population) or context.modules[None]
        if not choices:
            continue
        module = choices[int(rng.integers(0, len(choices)))]
        after = participation.finished_at or participation.joined_at
        completed = min(after + dt.timedelta(days=float(rng.uniform(3, 120))), last)
        if completed < start or completed <= after:
            continue
        entries.append(
            PlanEntry(
                user_id=participation.user_id,
                module=module,
                progress=PlanEntry.Progress.COMPLETED,
                completed_at=completed,
            )
        )
    PlanEntry.objects.bulk_create(entries, batch_size=BATCH)
    # added_at is set on insert: moved back before the completion, inside the year.
    made = PlanEntry.objects.filter(pk__in=[entry.pk for entry in entries])
    made.update(added_at=F("completed_at") - dt.timedelta(days=14))
    made.filter(added_at__lt=start).update(added_at=start)
    return entries


def _feedback(attempts: list, entries: list, rng) -> int:
    """Opinions on some results and some completed modules, dated after them."""
    rows = []
    profiles = {
        row[0]: row[1:]
        for row in LearnerProfile.objects.filter(
            user_id__in={a.user_id for a in attempts} | {e.user_id for e in entries}
        ).values_list("user_id", "population_id", "status")
    }
    subjects = [(a.user_id, FeedbackSubject.RESULT, str(a.pk), a.finished_at) for a in attempts]
    subjects = [s for s in subjects if rng.random() < RESULT_OPINIONS]
    subjects += [
        (e.user_id, FeedbackSubject.MODULE, str(e.pk), e.completed_at)
        for e in entries
        if rng.random() < MODULE_OPINIONS
    ]
    for user_id, subject, reference, moment in subjects:
        population, status = profiles.get(user_id, (None, ""))
        usefulness = int(np.clip(round(rng.normal(3.9, 0.9)), 1, 5))
        rows.append(
            Feedback(
                user_id=user_id,
                subject=subject,
                subject_ref=reference,
                usefulness=usefulness,
                difficulty=int(rng.integers(2, 5)),
                clarity=int(np.clip(round(rng.normal(4.0, 0.8)), 1, 5)),
                comment=str(rng.choice(COMMENTS)) if rng.random() < 0.15 else "",
                population_id=population,
                status=status,
            )
        )
        rows[-1].given_at = moment + dt.timedelta(hours=1)
    saved = Feedback.objects.bulk_create(rows, batch_size=BATCH)
    for row in saved:  # created_at is set on insert: moved back to just after the subject
        row.created_at = row.given_at
    Feedback.objects.bulk_update(saved, ["created_at"], batch_size=BATCH)
    return len(saved)


def remove_demo_activity() -> int:
    """Delete the demo institutions (their campaigns and figures go with them; their
    learners are demo accounts, removed with them). Returns how many."""
    deleted = Organisation.objects.filter(slug__startswith=DEMO_SLUG_PREFIX, is_demo=True)
    count = deleted.count()
    deleted.delete()
    return count
