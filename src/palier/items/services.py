"""Writes on the item bank: create and edit items (versioning), workflow moves, reviews,
problem reports, provisional calibrations. Each function is one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.roles import Role, has_role
from palier.core.errors import ServiceError
from palier.frameworks.models import Capacity, Framework
from palier.items.formats import DefinitionError, validate_definition
from palier.items.html import UnsafeHtmlError, clean_html
from palier.items.models import (
    Calibration,
    Item,
    ItemParameter,
    ItemVersion,
    Media,
    ProblemReport,
    ReviewComment,
    Stimulus,
)
from palier.items.workflow import AUTHORING_ROLES, EDITABLE, roles_for

# Provisional difficulty of an item of intended level k: the middle of level k's band on the
# logit scale, the open-ended extreme levels taken one logit wide (PROVISIONAL_BAND_WIDTH).
PROVISIONAL_DISCRIMINATION = 1.0
PROVISIONAL_BAND_WIDTH = 1.0


class ItemError(ServiceError):
    """An item operation was refused. `fields` maps field names to messages."""

    STATUS = {
        "permission_denied": 403,
        "invalid_transition": 409,
        "own_item": 409,
        "duplicate_code": 409,
        "duplicate_report": 409,
        "too_many_reports": 429,
    }

    def __init__(self, code: str, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(self.STATUS.get(code, 422), code, message, fields)


@dataclass(frozen=True)
class ItemContent:
    """Everything an author writes for one version (texts in French and English)."""

    format: str
    stem_fr: str
    definition: dict[str, Any]
    stem_en: str = ""
    feedback_fr: str = ""
    feedback_en: str = ""
    source: str = ""
    estimated_seconds: int = 60
    screen_reader_ok: bool = True
    colour_independent: bool = True
    stimulus: Stimulus | None = None

    @classmethod
    def from_version(cls, version: ItemVersion) -> ItemContent:
        return cls(**{name: getattr(version, name) for name in CONTENT_FIELDS})


# The fields an author writes for a version, in form order (ItemContent's fields).
CONTENT_FIELDS = (
    "format",
    "stimulus",
    "stem_fr",
    "stem_en",
    "definition",
    "feedback_fr",
    "feedback_en",
    "source",
    "estimated_seconds",
    "screen_reader_ok",
    "colour_independent",
)


def definition_texts(definition: Any) -> list[tuple[str, str]]:
    """Every text a learner will see inside an answer definition (options, unit), by path."""
    found: list[tuple[str, str]] = []
    if not isinstance(definition, dict):
        return found
    for key in ("options", "left", "right"):
        for index, option in enumerate(definition.get(key) or []):
            text = option.get("text") if isinstance(option, dict) else None
            for language, value in (text or {}).items() if isinstance(text, dict) else []:
                found.append((f"{key}[{index}].text.{language}", str(value)))
    unit = definition.get("unit")
    for language, value in unit.items() if isinstance(unit, dict) else []:
        found.append((f"unit.{language}", str(value)))
    return found


def clean_content(content: ItemContent) -> dict[str, Any]:
    """Validate and sanitise; raise ItemError with every problem found, by field."""
    problems: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for field in ("stem_fr", "stem_en", "feedback_fr", "feedback_en"):
        try:
            cleaned[field] = clean_html(getattr(content, field) or "")
        except UnsafeHtmlError as error:
            problems.setdefault(field, []).append(
                _("Contenu refusé : %(what)s.") % {"what": ", ".join(error.problems)}
            )
    if not (content.stem_fr or "").strip():
        problems.setdefault("stem_fr", []).append(_("L'énoncé en français est obligatoire."))
    try:
        validate_definition(content.format, content.definition)
    except DefinitionError as error:
        problems.setdefault(f"definition.{error.field}", []).append(error.message)
    for path, text in definition_texts(content.definition):
        try:
            clean_html(text)
        except UnsafeHtmlError as error:
            problems.setdefault(f"definition.{path}", []).append(
                _("Contenu refusé : %(what)s.") % {"what": ", ".join(error.problems)}
            )
    if problems:
        raise ItemError("invalid_item", _("L'item contient des erreurs."), problems)
    return {
        **cleaned,
        "format": content.format,
        "definition": content.definition,
        "source": content.source.strip(),
        "estimated_seconds": content.estimated_seconds,
        "screen_reader_ok": content.screen_reader_ok,
        "colour_independent": content.colour_independent,
        "stimulus": content.stimulus,
    }


def _require(user: User | None, *roles: str) -> None:
    if user is not None and not has_role(user, *roles):
        raise ItemError("permission_denied", _("Vous n'avez pas les droits pour cette opération."))


@transaction.atomic
def create_item(
    author: User | None,
    code: str,
    capacity: Capacity,
    intended_level: int,
    content: ItemContent,
    *,
    is_seed: bool = False,
) -> Item:
    _require(author, *AUTHORING_ROLES)
    if Item.objects.filter(code=code).exists():
        raise ItemError(
            "duplicate_code", _("Un item porte déjà ce code."), {"code": [_("Code déjà utilisé.")]}
        )
    values = clean_content(content)
    item = Item.objects.create(
        code=code, capacity=capacity, intended_level=intended_level, author=author, is_seed=is_seed
    )
    ItemVersion.objects.create(item=item, number=1, created_by=author, **values)
    return item


@transaction.atomic
def edit_item(editor: User | None, item: Item, content: ItemContent) -> ItemVersion:
    """Change an item's content. A version already shown to learners is never touched: the
    change becomes a new version, and the item goes back to draft for review."""
    _require(editor, *AUTHORING_ROLES)
    item = Item.objects.select_for_update().get(pk=item.pk)
    values = clean_content(content)
    latest = item.latest_version()
    if latest is not None and latest.frozen_at is None and item.status in EDITABLE:
        for field, value in values.items():
            setattr(latest, field, value)
        latest.save()
        return latest
    version = ItemVersion.objects.create(
        item=item, number=(latest.number + 1) if latest else 1, created_by=editor, **values
    )
    if item.status != Item.Status.DRAFT:
        item.status = Item.Status.DRAFT
        item.save(update_fields=["status", "updated_at"])
    return version


def missing_for_review(version: ItemVersion) -> dict[str, list[str]]:
    """What must be filled in before an item can be sent to review."""
    missing: dict[str, list[str]] = {}
    required = {
        "stem_fr": _("L'énoncé en français est obligatoire."),
        "feedback_fr": _("L'explication de la bonne réponse est obligatoire."),
        "source": _("La référence (texte ou recommandation) est obligatoire."),
    }
    for field, message in required.items():
        if not str(getattr(version, field)).strip():
            missing[field] = [message]
    try:
        validate_definition(version.format, version.definition)
    except DefinitionError as error:
        missing[f"definition.{error.field}"] = [error.message]
    return missing


@transaction.atomic
def change_status(user: User, item: Item, target: str, comment: str = "") -> Item:
    """Move an item along the workflow, checking the role and the rules of each move."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    allowed = roles_for(item.status, target)
    if not allowed:
        raise ItemError("invalid_transition", _("Ce changement de statut n'est pas possible."))
    _require(user, *allowed)
    version = item.latest_version()
    if target == Item.Status.REVIEW and version is not None:
        missing = missing_for_review(version)
        if missing:
            raise ItemError("incomplete_item", _("L'item est incomplet."), missing)
    if item.status == Item.Status.REVIEW and target in (Item.Status.PRETEST, Item.Status.DRAFT):
        if version is not None and version.created_by_id == user.pk:
            raise ItemError(
                "own_item", _("Un item doit être relu par une autre personne que son auteur.")
            )
        if target == Item.Status.DRAFT and not comment.strip():
            raise ItemError(
                "comment_required",
                _("Expliquez les modifications demandées."),
                {"comment": [_("Commentaire obligatoire.")]},
            )
    if comment.strip() and version is not None:
        kind = {
            Item.Status.PRETEST: ReviewComment.Kind.APPROVAL,
            Item.Status.DRAFT: ReviewComment.Kind.CHANGES,
        }.get(target, ReviewComment.Kind.COMMENT)
        ReviewComment.objects.create(
            item=item, version=version, author=user, kind=kind, body=comment.strip()
        )
    item.status = target
    item.save(update_fields=["status", "updated_at"])
    return item


@transaction.atomic
def bulk_change_status(user: User, items: list[Item], target: str) -> int:
    """Psychometricians only; all or nothing: one refused move refuses the whole batch."""
    _require(user, Role.PSYCHOMETRICIAN)
    for item in items:
        change_status(user, item, target)
    return len(items)


@transaction.atomic
def add_comment(user: User, item: Item, body: str) -> ReviewComment:
    _require(user, *AUTHORING_ROLES)
    if not body.strip():
        raise ItemError(
            "comment_required",
            _("Le commentaire est vide."),
            {"body": [_("Commentaire obligatoire.")]},
        )
    version = item.latest_version()
    return ReviewComment.objects.create(item=item, version=version, author=user, body=body.strip())


@transaction.atomic
def upload_media(user: User, upload: Any, alt_fr: str, alt_en: str = "") -> Media:
    """Store an image for items after checking it; the French text alternative is required."""
    from palier.items.media import MediaError, check_image

    _require(user, *AUTHORING_ROLES)
    if not alt_fr.strip():
        raise ItemError(
            "invalid_input",
            _("Le texte alternatif est obligatoire."),
            {"alt_fr": [_("Décrivez l'image pour qui ne la voit pas.")]},
        )
    try:
        check_image(upload)
    except MediaError as error:
        raise ItemError("invalid_input", error.message, {error.field: [error.message]}) from error
    return Media.objects.create(
        file=upload, alt_fr=alt_fr.strip(), alt_en=alt_en.strip(), uploaded_by=user
    )


def freeze_version(version: ItemVersion) -> None:
    """Called when a version is first shown to a learner (idempotent)."""
    ItemVersion.objects.filter(pk=version.pk, frozen_at__isnull=True).update(
        frozen_at=timezone.now()
    )


@transaction.atomic
def report_problem(
    reporter: User, version: ItemVersion, category: str, comment: str = ""
) -> ProblemReport:
    """File a learner's report on an item version they were shown (callers check that with
    assessments.access.access_shown_version). One open report per learner and version, and
    at most settings.PROBLEM_REPORTS_PER_HOUR per learner in any hour."""
    if category not in ProblemReport.Category.values:
        raise ItemError(
            "invalid_input",
            _("Catégorie inconnue."),
            {"category": [_("Choisissez une catégorie de la liste.")]},
        )
    # Lock the reporter so that two reports sent at once are counted one after the other.
    User.objects.select_for_update().filter(pk=reporter.pk).values_list("pk").first()
    mine = ProblemReport.objects.filter(reporter=reporter)
    if mine.filter(item_version=version, status=ProblemReport.Status.OPEN).exists():
        raise ItemError(
            "duplicate_report",
            _("Vous avez déjà signalé un problème sur cette question ; il est en cours d'examen."),
        )
    since = timezone.now() - timedelta(hours=1)
    if mine.filter(created_at__gte=since).count() >= settings.PROBLEM_REPORTS_PER_HOUR:
        raise ItemError(
            "too_many_reports",
            _("Trop de signalements en une heure : réessayez plus tard."),
        )
    return ProblemReport.objects.create(
        item_version=version, reporter=reporter, category=category, comment=comment.strip()
    )


def provisional_difficulty(level: int, cut_scores: list[float]) -> float:
    """Middle of level `level`'s band between the cut scores (1-based levels)."""
    bounds = [
        cut_scores[0] - PROVISIONAL_BAND_WIDTH,
        *cut_scores,
        cut_scores[-1] + PROVISIONAL_BAND_WIDTH,
    ]
    return (bounds[level - 1] + bounds[level]) / 2


@transaction.atomic
def create_provisional_calibration(
    framework: Framework, name: str | None = None, activate: bool = True
) -> Calibration:
    """Parameters from the intended levels (a = 1, b = middle of the level's band), for every
    deliverable item's latest version; clearly marked as provisional."""
    from palier.frameworks.models import Level
    from palier.items.queries import latest_versions

    cuts_by_area: dict[int, list[float]] = {}
    for area_id, cut in (
        Level.objects.filter(area__framework=framework, min_theta__isnull=False)
        .order_by("area_id", "rank")
        .values_list("area_id", "min_theta")
    ):
        cuts_by_area.setdefault(area_id, []).append(cut)
    calibration = Calibration.objects.create(
        framework=framework,
        source=Calibration.Source.PROVISIONAL,
        name=name or f"Provisoire {timezone.localdate():%Y-%m-%d}",
        notes="Paramètres provisoires : difficulté au milieu de la bande du niveau visé, "
        "discrimination 1. À remplacer par une calibration estimée sur des réponses.",
    )
    items = Item.objects.filter(capacity__competence__area__framework=framework).exclude(
        status=Item.Status.RETIRED
    )
    ItemParameter.objects.bulk_create(
        ItemParameter(
            calibration=calibration,
            item_version=version,
            discrimination=PROVISIONAL_DISCRIMINATION,
            difficulty=provisional_difficulty(
                version.item.intended_level,
                cuts_by_area[version.item.capacity.competence.area_id],
            ),
        )
        for version in latest_versions(items).values()
    )
    if activate:
        activate_calibration(calibration)
    return calibration


@transaction.atomic
def activate_calibration(calibration: Calibration) -> None:
    Calibration.objects.filter(framework=calibration.framework, is_active=True).exclude(
        pk=calibration.pk
    ).update(is_active=False)
    Calibration.objects.filter(pk=calibration.pk).update(is_active=True)
    calibration.is_active = True
