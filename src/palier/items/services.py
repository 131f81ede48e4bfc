"""Writes on the item bank: create and edit items and stimuli (versioning), workflow moves,
reviews, media, problem reports, provisional calibrations. Each function is one transaction;
what authors write is validated and sanitised first (items/content.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.roles import Role, has_role
from palier.frameworks.models import Capacity
from palier.items.content import (
    ItemContent,
    StimulusContent,
    clean_content,
    clean_enemy_group,
    clean_stimulus,
)
from palier.items.errors import ItemError
from palier.items.formats import DefinitionError, validate_definition
from palier.items.models import (
    LEVEL_MAX,
    LEVEL_MIN,
    Item,
    ItemVersion,
    LevelReview,
    Media,
    ProblemReport,
    ReviewComment,
    Stimulus,
    StimulusVersion,
)
from palier.items.seed_schema import ITEM_CODE as STIMULUS_CODE
from palier.items.seed_schema import MAX_REVIEWER
from palier.items.workflow import AUTHORING_ROLES, EDITABLE, is_self_review, roles_for


def _classification(
    capacity: Capacity | None, intended_level: Any, fallback: ItemVersion | Item | None
) -> tuple[Capacity, int]:
    """The capacity and level a version will measure; refused before anything is written."""
    capacity = capacity if capacity is not None else getattr(fallback, "capacity", None)
    level = (
        intended_level if intended_level is not None else getattr(fallback, "intended_level", None)
    )
    problems: dict[str, list[str]] = {}
    if capacity is None:
        problems["capacity"] = [_("Choisissez une capacité.")]
    if not isinstance(level, int) or isinstance(level, bool) or not LEVEL_MIN <= level <= LEVEL_MAX:
        problems["intended_level"] = [_("Le niveau visé va de 1 à 5.")]
    if problems:
        raise ItemError("invalid_item", _("L'item contient des erreurs."), problems)
    return capacity, level  # type: ignore[return-value]


def _require(user: User | None, *roles: str) -> None:
    if user is not None and not has_role(user, *roles):
        raise ItemError("permission_denied", _("Vous n'avez pas les droits pour cette opération."))


def _version_values(
    values: dict[str, Any], capacity: Capacity, intended_level: int
) -> dict[str, Any]:
    stimulus = values["stimulus"]
    return {
        **values,
        "stimulus_version": stimulus.latest_version() if stimulus is not None else None,
        "capacity": capacity,
        "intended_level": intended_level,
    }


def _unchanged(version: ItemVersion, values: dict[str, Any]) -> bool:
    def key(value: Any) -> Any:
        return value.pk if hasattr(value, "pk") else value

    return all(key(getattr(version, name)) == key(value) for name, value in values.items())


def _mirror_classification(item: Item, version: ItemVersion, status: str | None = None) -> None:
    """The item row shows its latest version's classification (for lists and coverage)."""
    item.capacity = version.capacity
    item.intended_level = version.intended_level
    fields = ["capacity", "intended_level", "updated_at"]
    if status is not None and item.status != status:
        item.status = status
        fields.append("status")
    item.save(update_fields=fields)


@dataclass(frozen=True)
class NewItem:
    """One item to create: its code, what it measures and its first version's content."""

    code: str
    capacity: Capacity
    intended_level: int
    content: ItemContent


class ItemBatchError(Exception):
    """Some items of a batch were refused; `errors` maps their positions to the refusal."""

    def __init__(self, errors: dict[int, ItemError]):
        super().__init__(f"{len(errors)} items refused")
        self.errors = errors


# Generated codes: the area's code, a hyphen and a number of at least this many digits.
ITEM_NUMBER_DIGITS = 4
# Tries to take the next free code when others create items at the same moment.
CODE_ATTEMPTS = 5


def next_item_code(area_code: str) -> str:
    """The next number of the area's sequence ("D1-0124" after "D1-0123"); numbers are never
    reused, even when an item was retired, and codes outside the sequence do not count."""
    prefix = f"{area_code}-"
    numbers = [
        int(suffix)
        for suffix in (
            code.removeprefix(prefix)
            for code in Item.objects.filter(code__startswith=prefix).values_list("code", flat=True)
        )
        if suffix.isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:0{ITEM_NUMBER_DIGITS}d}"


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
    """A new draft item with its version 1; everything is checked before anything is saved.

    An empty `code` takes the next free one of the capacity's area (`next_item_code`). Two
    authors saving at once may pick the same number: the unique constraint refuses the
    second, which tries the next number (each try in its own savepoint)."""
    if code or capacity is None:
        return _create_one(author, code, capacity, intended_level, content, is_seed)
    area_code = capacity.competence.area.code
    for _attempt in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return _create_one(
                    author, next_item_code(area_code), capacity, intended_level, content, is_seed
                )
        except IntegrityError:
            continue
        except ItemError as error:
            if error.code != "duplicate_code":
                raise
    raise ItemError(
        "duplicate_code", _("Aucun code libre n'a pu être attribué : enregistrez de nouveau.")
    )


def _create_one(
    author: User | None,
    code: str,
    capacity: Capacity,
    intended_level: int,
    content: ItemContent,
    is_seed: bool,
) -> Item:
    try:
        return create_items(author, [NewItem(code, capacity, intended_level, content)], is_seed)[0]
    except ItemBatchError as error:
        raise error.errors[0] from None


@transaction.atomic
def create_items(author: User | None, entries: list[NewItem], is_seed: bool = False) -> list[Item]:
    """New draft items, each with its version 1, written in one batch (imports, the seed).
    Every entry is checked before anything is saved: one refusal refuses the batch."""
    _require(author, *AUTHORING_ROLES)
    taken = set(
        Item.objects.filter(code__in=[entry.code for entry in entries]).values_list(
            "code", flat=True
        )
    )
    errors: dict[int, ItemError] = {}
    prepared: list[tuple[NewItem, dict[str, Any]]] = []
    for position, entry in enumerate(entries):
        try:
            if entry.code in taken:
                raise ItemError(
                    "duplicate_code",
                    _("Un item porte déjà ce code."),
                    {"code": [_("Code déjà utilisé.")]},
                )
            taken.add(entry.code)
            capacity, level = _classification(entry.capacity, entry.intended_level, None)
            prepared.append((entry, _version_values(clean_content(entry.content), capacity, level)))
        except ItemError as error:
            errors[position] = error
    if errors:
        raise ItemBatchError(errors)
    items = Item.objects.bulk_create(
        Item(
            code=entry.code,
            capacity=values["capacity"],
            intended_level=values["intended_level"],
            author=author,
            is_seed=is_seed,
        )
        for entry, values in prepared
    )
    ItemVersion.objects.bulk_create(
        ItemVersion(item=item, number=1, created_by=author, **values)
        for item, (_entry, values) in zip(items, prepared, strict=True)
    )
    return items


@transaction.atomic
def edit_item(
    editor: User | None,
    item: Item,
    content: ItemContent,
    *,
    capacity: Capacity | None = None,
    intended_level: int | None = None,
) -> ItemVersion:
    """Change an item's content and/or what it measures (capacity, level; None keeps them).

    Everything is validated before anything is written, so a refusal leaves the bank as it
    was. A version already shown to learners is never touched, and neither is one of an item
    past review: the change becomes a new version and the item goes back to draft for
    review. Sending the same content again changes nothing."""
    _require(editor, *AUTHORING_ROLES)
    item = Item.objects.select_for_update().get(pk=item.pk)
    latest = item.latest_version()
    capacity, intended_level = _classification(capacity, intended_level, latest or item)
    values = _version_values(clean_content(content), capacity, intended_level)
    if latest is not None and _unchanged(latest, values):
        return latest
    if latest is not None and latest.frozen_at is None and item.status in EDITABLE:
        for field, value in values.items():
            setattr(latest, field, value)
        latest.save()
        _mirror_classification(item, latest)
        return latest
    version = ItemVersion.objects.create(
        item=item, number=(latest.number + 1) if latest else 1, created_by=editor, **values
    )
    _mirror_classification(item, version, Item.Status.DRAFT)
    return version


def item_change_needed(
    item: Item,
    content: ItemContent,
    *,
    capacity: Capacity | None = None,
    intended_level: int | None = None,
) -> bool:
    """Whether `edit_item` with these arguments would change anything (imports report
    unchanged items with it). Raises ItemError on invalid content, like `edit_item`."""
    latest = item.latest_version()
    capacity, intended_level = _classification(capacity, intended_level, latest or item)
    values = _version_values(clean_content(content), capacity, intended_level)
    return latest is None or not _unchanged(latest, values)


@transaction.atomic
def create_stimulus(author: User | None, code: str, content: StimulusContent) -> Stimulus:
    """A new stimulus with its version 1."""
    _require(author, *AUTHORING_ROLES)
    problems: dict[str, list[str]] = {}
    if not STIMULUS_CODE.match(code or ""):
        problems["code"] = [_("Code invalide (majuscules, chiffres et tirets).")]
    elif Stimulus.objects.filter(code=code).exists():
        raise ItemError(
            "duplicate_code",
            _("Une mise en situation porte déjà ce code."),
            {"code": [_("Code déjà utilisé.")]},
        )
    try:
        values = clean_stimulus(content)
    except ItemError as error:
        problems.update(error.fields)
    if problems:
        raise ItemError(
            "invalid_stimulus", _("La mise en situation contient des erreurs."), problems
        )
    stimulus = Stimulus.objects.create(code=code, kind=content.kind)
    StimulusVersion.objects.create(stimulus=stimulus, number=1, created_by=author, **values)
    return stimulus


def _editable_in_place(version: StimulusVersion) -> bool:
    """Nobody saw this stimulus version and only items still in draft or review show it."""
    if version.frozen_at is not None:
        return False
    users = ItemVersion.objects.filter(stimulus_version=version)
    return not users.filter(Q(frozen_at__isnull=False) | ~Q(item__status__in=EDITABLE)).exists()


@transaction.atomic
def update_stimulus(
    editor: User | None, stimulus: Stimulus, content: StimulusContent
) -> StimulusVersion:
    """Change a stimulus's texts. A version that learners saw, or that an item past review
    shows, is never touched: the change becomes a new version. Unseen item versions of items
    in draft or review follow the new version; the others keep theirs until their item is
    edited (a new item version, which goes through review). Same texts: nothing changes."""
    _require(editor, *AUTHORING_ROLES)
    stimulus = Stimulus.objects.select_for_update().get(pk=stimulus.pk)
    values = clean_stimulus(content)
    latest = stimulus.latest_version()
    if stimulus.kind != content.kind:
        stimulus.kind = content.kind
        stimulus.save(update_fields=["kind", "updated_at"])
    if latest is not None and all(getattr(latest, k) == v for k, v in values.items()):
        return latest
    if latest is not None and _editable_in_place(latest):
        for field, value in values.items():
            setattr(latest, field, value)
        latest.save()
        return latest
    version = StimulusVersion.objects.create(
        stimulus=stimulus,
        number=(latest.number + 1) if latest else 1,
        created_by=editor,
        **values,
    )
    ItemVersion.objects.filter(
        stimulus=stimulus, frozen_at__isnull=True, item__status__in=EDITABLE
    ).update(stimulus_version=version)
    stimulus.save(update_fields=["updated_at"])
    return version


def save_stimulus(user: User | None, code: str, content: StimulusContent) -> Stimulus:
    """Create the stimulus `code`, or update it (imports reuse codes)."""
    stimulus = Stimulus.objects.filter(code=code).first()
    if stimulus is None:
        return create_stimulus(user, code, content)
    update_stimulus(user, stimulus, content)
    return stimulus


# Stored (always in French, like the bank's content) where an import could not fill a text:
# an item still holding one cannot go to review.
TO_COMPLETE = "À compléter"
IMAGE_TO_DESCRIBE = "Image à décrire"


def missing_for_review(version: ItemVersion) -> dict[str, list[str]]:
    """What must be filled in before an item can be sent to review."""
    missing: dict[str, list[str]] = {}
    if str(version.source).startswith(TO_COMPLETE):
        missing["source"] = [_("La référence est encore à compléter.")]
    texts = (version.stem_fr, version.stem_en, json.dumps(version.definition, ensure_ascii=False))
    if any(IMAGE_TO_DESCRIBE in str(text) for text in texts):
        missing["stem_fr"] = [_("Une image n'a pas encore de description (texte alternatif).")]
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
        if is_self_review(user, item.status, target, version):
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
    if (
        item.status == Item.Status.REVIEW
        and target in (Item.Status.PRETEST, Item.Status.OPERATIONAL)
        and version is not None
    ):
        # Approving an item confirms its level against the written level definitions.
        name = user.get_full_name() or _("relecteur n° %(id)s") % {"id": user.pk}
        record_level_reviews([(version, name, timezone.localdate())], reviewer=user)
    item.status = target
    item.save(update_fields=["status", "updated_at"])
    return item


@transaction.atomic
def set_enemy_group(user: User | None, item: Item, group: str) -> bool:
    """Put the item in an enemy group ("" takes it out); True when something changed."""
    _require(user, *AUTHORING_ROLES)
    group = clean_enemy_group(group)
    stored = Item.objects.select_for_update().get(pk=item.pk)
    if stored.enemy_group == group:
        return False
    stored.enemy_group = item.enemy_group = group
    stored.save(update_fields=["enemy_group", "updated_at"])
    return True


@transaction.atomic
def record_level_reviews(
    reviews: list[tuple[ItemVersion, str, date]], reviewer: User | None = None
) -> set[int]:
    """Record that someone checked each version's level (who, when); reviews already
    recorded are kept as they are. Returns the ids of the versions given a new review."""
    for _version, reviewed_by, _on in reviews:
        if not reviewed_by.strip() or len(reviewed_by.strip()) > MAX_REVIEWER:
            raise ItemError(
                "invalid_level_review",
                _("Indiquez qui a vérifié le niveau."),
                {"level_review": [_("Nom obligatoire, 200 caractères au plus.")]},
            )
    wanted = {(version.pk, by.strip(), on): version for version, by, on in reviews}
    existing = set(
        LevelReview.objects.filter(
            version__in=[version for version, _by, _on in reviews]
        ).values_list("version_id", "reviewed_by", "reviewed_on")
    )
    new = [
        LevelReview(version=version, reviewed_by=by, reviewed_on=on, reviewer=reviewer)
        for (version_id, by, on), version in wanted.items()
        if (version_id, by, on) not in existing
    ]
    LevelReview.objects.bulk_create(new)
    return {review.version.pk for review in new}


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


@transaction.atomic
def update_media(
    user: User, media: Media, alt_fr: str, alt_en: str = "", upload: Any = None
) -> Media:
    """Change an image's text alternatives (and optionally its file, checked again)."""
    from palier.items.media import MediaError, check_image

    _require(user, *AUTHORING_ROLES)
    if not alt_fr.strip():
        raise ItemError(
            "invalid_input",
            _("Le texte alternatif est obligatoire."),
            {"alt_fr": [_("Décrivez l'image pour qui ne la voit pas.")]},
        )
    if upload is not None:
        try:
            check_image(upload)
        except MediaError as error:
            raise ItemError(
                "invalid_input", error.message, {error.field: [error.message]}
            ) from error
        media.file = upload
    media.alt_fr, media.alt_en = alt_fr.strip(), alt_en.strip()
    media.save()
    return media


def freeze_version(version: ItemVersion) -> None:
    """Called when a version is first shown to a learner (idempotent): the version and the
    stimulus version it shows never change again."""
    now = timezone.now()
    ItemVersion.objects.filter(pk=version.pk, frozen_at__isnull=True).update(frozen_at=now)
    if version.stimulus_version_id is not None:
        StimulusVersion.objects.filter(
            pk=version.stimulus_version_id, frozen_at__isnull=True
        ).update(frozen_at=now)


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


@transaction.atomic
def handle_problem_reports(user: User, report_ids: list[int], status: str) -> int:
    """Mark reports as resolved or dismissed (authoring roles); returns how many changed."""
    _require(user, *AUTHORING_ROLES)
    if status not in (ProblemReport.Status.RESOLVED, ProblemReport.Status.DISMISSED):
        raise ItemError("invalid_input", _("État inconnu."), {"status": [_("État inconnu.")]})
    return ProblemReport.objects.filter(pk__in=report_ids).update(
        status=status, handled_at=timezone.now()
    )


@transaction.atomic
def publish_seed_items() -> int:
    """Make the draft items of the seed bank operational. The seed bank was reviewed as a
    whole before being committed to the repository (a system action, not a workflow move)."""
    return Item.objects.filter(is_seed=True, status=Item.Status.DRAFT).update(
        status=Item.Status.OPERATIONAL
    )
