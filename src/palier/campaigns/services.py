"""Writes of campaigns: create, join by code, take the test or bring a result, share, stop.

Every function is one transaction. A participation's status only moves forward
(joined → started → finished → shared); sharing freezes a snapshot that later changes to
the learner's results or profile never touch.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.assessments.competences import competence_signals
from palier.assessments.models import Attempt, Purpose
from palier.assessments.results import result_of
from palier.assessments.services import start_attempt
from palier.campaigns.codes import new_code, normalise
from palier.campaigns.models import (
    Campaign,
    CodeAttempt,
    Participation,
    SharedCompetence,
    SharedLevel,
    SharingStop,
)
from palier.core.errors import ServiceError
from palier.frameworks.queries import population_targets
from palier.organisations.models import Organisation

# A result older than this cannot be brought to a collection campaign.
RESULT_MAX_AGE_DAYS = 365
# Wrong codes allowed within the window, then 429: per signed-in user (one student's typos
# lock only that student), and a higher limit per client address (a whole classroom shares
# one address behind a school's NAT; the limit still stops enumeration from one place).
CODE_ATTEMPTS_LIMIT = 10
CODE_ATTEMPTS_PER_ADDRESS_LIMIT = 100
CODE_ATTEMPTS_WINDOW = timedelta(minutes=15)
CODE_GENERATION_TRIES = 8


class CampaignError(ServiceError):
    """A campaign write refused, with a stable code."""


# --- campaigns --------------------------------------------------------------------------


@transaction.atomic
def create_campaign(
    organisation: Organisation, user: User, fields: dict[str, Any], populations: Any = ()
) -> Campaign:
    """A new campaign with a fresh unique code. `fields` come from a validated CampaignForm."""
    for _try in range(CODE_GENERATION_TRIES):
        try:
            with transaction.atomic():
                campaign = Campaign.objects.create(
                    organisation=organisation, created_by=user, code=new_code(), **fields
                )
                break
        except IntegrityError:  # pragma: no cover - 30**9 codes; a clash is near impossible
            continue
    else:  # pragma: no cover
        raise CampaignError(409, "code_unavailable", _("Aucun code libre : réessayez."))
    campaign.populations.set(populations)
    return campaign


@transaction.atomic
def update_campaign(campaign: Campaign, fields: dict[str, Any], populations: Any = ()) -> Campaign:
    if campaign.participations.exists() and (
        fields.get("areas") != campaign.areas or fields.get("kind") != campaign.kind
    ):
        raise CampaignError(
            409,
            "campaign_started",
            _("Des apprenants ont déjà rejoint la campagne : ses domaines et son type sont figés."),
        )
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.save()
    campaign.populations.set(populations)
    return campaign


# --- joining ----------------------------------------------------------------------------


def _attempt_limits(user: User, ip: str | None) -> list[tuple[str, int]]:
    limits = [(f"user:{user.pk}", CODE_ATTEMPTS_LIMIT)]
    if ip:
        digest = hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()
        limits.append(("ip:" + digest, CODE_ATTEMPTS_PER_ADDRESS_LIMIT))
    return limits


def find_campaign(user: User, typed: str, ip: str | None) -> Campaign:
    """The campaign whose code was typed (or followed in a link).

    Wrong codes are counted per user and per client address (`core.http.client_ip`, stored
    hashed); past CODE_ATTEMPTS_LIMIT for the user, or CODE_ATTEMPTS_PER_ADDRESS_LIMIT for the
    address, within CODE_ATTEMPTS_WINDOW every try answers 429, right or wrong, so codes
    cannot be found by enumeration."""
    limits = _attempt_limits(user, ip)
    keys = [key for key, _limit in limits]
    since = timezone.now() - CODE_ATTEMPTS_WINDOW
    for key, limit in limits:
        if CodeAttempt.objects.filter(key=key, at__gte=since).count() >= limit:
            raise CampaignError(
                429,
                "too_many_attempts",
                _("Trop de codes erronés : réessayez dans un quart d'heure."),
            )
    code = normalise(typed)
    campaign = (
        Campaign.objects.select_related("organisation").filter(code=code).first() if code else None
    )
    if campaign is None:
        CodeAttempt.objects.bulk_create([CodeAttempt(key=key) for key in keys])
        raise CampaignError(
            404,
            "unknown_code",
            _("Ce code ne correspond à aucune campagne. Vérifiez-le auprès de votre organisme."),
            {"code": [_("Code inconnu.")]},
        )
    return campaign


@transaction.atomic
def join_campaign(user: User, campaign: Campaign, external_id: str = "") -> Participation:
    """Join (idempotent: joining twice returns the same participation)."""
    existing = Participation.objects.filter(campaign=campaign, user=user).first()
    if existing is not None:
        return existing
    if not campaign.is_open():
        raise CampaignError(
            409,
            "campaign_closed",
            _("Cette campagne n'est pas ouverte (du %(start)s au %(end)s).")
            % {
                "start": campaign.opens_on.strftime("%d/%m/%Y"),
                "end": campaign.closes_on.strftime("%d/%m/%Y"),
            },
        )
    external_id = external_id.strip()
    if campaign.external_id_label and not external_id:
        raise CampaignError(
            422,
            "invalid_input",
            _("Indiquez votre %(label)s.") % {"label": campaign.external_id_label},
            {"external_id": [_("Ce champ est obligatoire.")]},
        )
    if len(external_id) > 64:
        raise CampaignError(
            422,
            "invalid_input",
            _("Identifiant trop long."),
            {"external_id": [_("64 caractères au plus.")]},
        )
    try:
        with transaction.atomic():
            return Participation.objects.create(
                campaign=campaign, user=user, external_id=external_id
            )
    except IntegrityError:  # a concurrent join of the same learner
        return Participation.objects.get(campaign=campaign, user=user)


# --- taking part ------------------------------------------------------------------------


def _locked(participation: Participation) -> Participation:
    return (
        Participation.objects.select_for_update()
        .select_related("campaign__organisation")
        .get(pk=participation.pk)
    )


def _require_open(participation: Participation) -> None:
    if not participation.campaign.is_open():
        raise CampaignError(409, "campaign_closed", _("Cette campagne est close."))


@transaction.atomic
def start_campaign_test(participation: Participation, language: str = "fr") -> Attempt:
    """Start the campaign's test on its areas (or resume the one already started)."""
    participation = _locked(participation)
    if participation.attempt_id and participation.status == Participation.Status.STARTED:
        return participation.attempt  # type: ignore[return-value]
    if participation.status != Participation.Status.JOINED:
        raise CampaignError(
            409, "already_done", _("Vous avez déjà un résultat pour cette campagne.")
        )
    _require_open(participation)
    if participation.campaign.kind != Campaign.Kind.ASSESSMENT:
        raise CampaignError(
            409, "collection_only", _("Cette campagne recueille des résultats existants.")
        )
    if Attempt.objects.filter(
        user_id=participation.user_id,
        status=Attempt.Status.IN_PROGRESS,
        purpose=Purpose.POSITIONING,
    ).exists():
        raise CampaignError(
            409,
            "attempt_in_progress",
            _("Vous avez un test en cours : terminez-le avant de commencer celui de la campagne."),
        )
    attempt = start_attempt(participation.user, list(participation.campaign.areas), language)
    participation.attempt = attempt
    participation.status = Participation.Status.STARTED
    participation.started_at = timezone.now()
    if attempt.is_finished:  # pragma: no cover - a test always asks at least one question
        _finish(participation, attempt)
    participation.save()
    return attempt


def eligible_results(participation: Participation) -> list[Attempt]:
    """The learner's finished attempts that cover the campaign's areas and are recent enough."""
    since = timezone.now() - timedelta(days=RESULT_MAX_AGE_DAYS)
    attempts = Attempt.objects.filter(
        user_id=participation.user_id,
        status=Attempt.Status.FINISHED,
        purpose=Purpose.POSITIONING,
        framework_id=participation.campaign.framework_id,
        finished_at__gte=since,
    ).order_by("-finished_at")
    wanted = set(participation.campaign.areas)
    return [attempt for attempt in attempts if wanted <= set(attempt.areas)]


@transaction.atomic
def bring_result(participation: Participation, attempt_id: Any) -> Participation:
    """Use an existing recent result for this campaign."""
    participation = _locked(participation)
    if participation.status not in (Participation.Status.JOINED, Participation.Status.STARTED):
        raise CampaignError(
            409, "already_done", _("Vous avez déjà un résultat pour cette campagne.")
        )
    _require_open(participation)
    attempt = next(
        (a for a in eligible_results(participation) if str(a.pk) == str(attempt_id)), None
    )
    if attempt is None:
        raise CampaignError(
            422,
            "invalid_input",
            _("Choisissez un de vos résultats récents qui couvre les domaines de la campagne."),
            {"attempt": [_("Résultat non disponible pour cette campagne.")]},
        )
    participation.attempt = attempt
    participation.started_at = participation.started_at or attempt.started_at
    _finish(participation, attempt)
    participation.save()
    return participation


def attempt_finished(attempt: Attempt) -> None:
    """Called when an attempt finishes (assessments' signal, inside its transaction)."""
    for participation in (
        Participation.objects.select_for_update()
        .select_related("campaign__organisation")
        .filter(attempt=attempt, status=Participation.Status.STARTED)
    ):
        _finish(participation, attempt)
        participation.save()


def _finish(participation: Participation, attempt: Attempt) -> None:
    participation.status = Participation.Status.FINISHED
    participation.finished_at = attempt.finished_at or timezone.now()
    campaign = participation.campaign
    if campaign.sharing == Campaign.Sharing.AUTOMATIC and not sharing_stopped(
        participation.user_id, campaign.organisation_id
    ):
        _share(participation, attempt, plan=False)


# --- sharing ----------------------------------------------------------------------------


def sharing_stopped(user_id: int, organisation_id: int) -> bool:
    return SharingStop.objects.filter(user_id=user_id, organisation_id=organisation_id).exists()


@transaction.atomic
def share(participation: Participation, *, plan: bool = False) -> Participation:
    """Share the result with the campaign's organisation (idempotent once shared; sharing
    the plan later is allowed)."""
    participation = _locked(participation)
    if sharing_stopped(participation.user_id, participation.campaign.organisation_id):
        raise CampaignError(
            409,
            "sharing_stopped",
            _("Vous avez arrêté le partage avec cet organisme : reprenez-le d'abord."),
        )
    if participation.status == Participation.Status.SHARED:
        if plan and not participation.plan_shared:
            participation.plan_shared = True
            participation.save(update_fields=["plan_shared"])
        return participation
    if participation.status != Participation.Status.FINISHED or participation.attempt is None:
        raise CampaignError(409, "not_finished", _("Terminez d'abord le test de la campagne."))
    _share(participation, participation.attempt, plan=plan)
    participation.save()
    return participation


@transaction.atomic
def decline(participation: Participation) -> Participation:
    participation = _locked(participation)
    if participation.status == Participation.Status.FINISHED and participation.declined_at is None:
        participation.declined_at = timezone.now()
        participation.save(update_fields=["declined_at"])
    return participation


def _targets(participation: Participation, attempt: Attempt) -> dict[str, int]:
    population_id = participation.campaign.target_population_id or getattr(
        getattr(participation.user, "profile", None), "population_id", None
    )
    return population_targets(attempt.framework_id, population_id)


def build_snapshot(participation: Participation, attempt: Attempt) -> dict[str, Any]:
    """What the organisation will see, frozen: levels on the campaign's areas only."""
    profile = getattr(participation.user, "profile", None)
    targets = _targets(participation, attempt)
    result = result_of(attempt)
    areas = result.areas if result is not None else ()
    wanted = set(participation.campaign.areas)
    return {
        "attempt_finished_at": attempt.finished_at.isoformat() if attempt.finished_at else None,
        "framework": f"{attempt.framework.code} {attempt.framework.version}",
        "population": getattr(getattr(profile, "population", None), "code", "") or "",
        "year_of_study": getattr(profile, "year_of_study", None),
        "status": getattr(profile, "status", "") or "",
        "external_id": participation.external_id,
        "items": result.items if result is not None else None,
        "areas": {
            measure.code: {
                "level": measure.level,
                "theta": measure.theta,
                "se": measure.se,
                "precision": measure.precision,
                "target": targets.get(measure.code),
            }
            for measure in areas
            if measure.code in wanted
        },
        "competences": {
            signal.competence.code: signal.kind
            for signal in competence_signals(attempt)
            if signal.competence.area.code in wanted
        },
    }


def _share(participation: Participation, attempt: Attempt, *, plan: bool) -> None:
    """Freeze the snapshot and write its rows; the caller saves the participation."""
    snapshot = build_snapshot(participation, attempt)
    participation.snapshot = snapshot
    participation.status = Participation.Status.SHARED
    participation.shared_at = timezone.now()
    participation.declined_at = None
    participation.plan_shared = plan
    participation.population_code = snapshot["population"]
    participation.year_of_study = snapshot["year_of_study"]
    levels, signals = shared_rows(participation.pk, snapshot)
    SharedLevel.objects.bulk_create(levels)
    SharedCompetence.objects.bulk_create(signals)


def shared_rows(
    participation_id: int, snapshot: dict[str, Any]
) -> tuple[list[SharedLevel], list[SharedCompetence]]:
    """The rows that mirror a snapshot's levels and competence signals, for SQL aggregates."""
    levels = [
        SharedLevel(
            participation_id=participation_id,
            area=code,
            level=value["level"],
            target=value["target"],
            theta=value["theta"],
        )
        for code, value in snapshot["areas"].items()
    ]
    signals = [
        SharedCompetence(participation_id=participation_id, competence=code, kind=kind)
        for code, kind in snapshot["competences"].items()
    ]
    return levels, signals


@transaction.atomic
def stop_sharing(user: User, organisation: Organisation) -> SharingStop:
    """No new shares with `organisation` and its view of the learner's plan stops; snapshots
    already shared stay."""
    stop, _created = SharingStop.objects.get_or_create(user=user, organisation=organisation)
    Participation.objects.filter(user=user, campaign__organisation=organisation).update(
        plan_shared=False
    )
    return stop


@transaction.atomic
def resume_sharing(user: User, organisation: Organisation) -> None:
    SharingStop.objects.filter(user=user, organisation=organisation).delete()
