"""Targets of the plan as data: the only writers of targets, and the reads of versions.

A target is never edited: a change adds a version (the previous rows stay as they were),
and the highest version of a code is in force. A version with `is_active` false retires the
target; a later active version brings it back. The indicator, the kind and the populations
of a code are fixed by its first version (a different measure is a different target).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.core.errors import ServiceError
from palier.frameworks.models import Population
from palier.steering.models import Target

__all__ = [
    "EDITABLE_FIELDS",
    "TargetError",
    "TargetLine",
    "add_target_version",
    "create_target",
    "latest_targets",
    "target_versions",
    "targets_in_force",
]

# What a new version may change; the rest is copied from the version in force.
EDITABLE_FIELDS = ("title_fr", "title_en", "value", "year", "yearly", "source", "is_active")
# What a new target sets besides the editable fields.
IDENTITY_FIELDS = ("code", "indicator", "kind", "population_kinds")


class TargetError(ServiceError):
    """A target write refused, with a stable code."""


@dataclass(frozen=True)
class TargetLine:
    """A target's version in force and how many versions it has."""

    target: Target
    versions: int


def _validated(target: Target) -> Target:
    """`target` checked against its model (fields, share at most 100 %, value above 0) and
    its populations; TargetError 400 listing the problems otherwise."""
    kinds = target.population_kinds
    known = set(Population.Kind.values)
    problems: dict[str, list[str]] = {}
    if not isinstance(kinds, list) or not kinds or not set(kinds) <= known:
        problems["population_kinds"] = [_("Choisissez au moins une catégorie de publics.")]
    else:
        target.population_kinds = [kind for kind in Population.Kind.values if kind in kinds]
    try:
        target.full_clean(exclude=["created_by", "population_kinds"], validate_unique=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            problems.setdefault(name, []).extend(messages)
    if problems:
        raise TargetError(400, "invalid_target", _("La cible n'a pas été enregistrée."), problems)
    return target


def _save(target: Target) -> Target:
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as error:
        raise TargetError(
            409,
            "target_conflict",
            _("Cette cible a été modifiée entre-temps : rechargez la page et recommencez."),
        ) from error
    return target


@transaction.atomic
def create_target(user: User | None, fields: dict[str, Any]) -> Target:
    """A new target (version 1). `fields`: code, indicator, kind, population_kinds and the
    editable fields. TargetError 409 `code_taken` when the code already exists."""
    code = str(fields.get("code", ""))
    if Target.objects.filter(code=code).exists():
        raise TargetError(
            409,
            "code_taken",
            _("Une cible porte déjà le code « %(code)s ».") % {"code": code},
            {"code": [_("Ce code est déjà pris.")]},
        )
    values = {name: fields[name] for name in (*IDENTITY_FIELDS, *EDITABLE_FIELDS) if name in fields}
    target = Target(version=1, created_by=user, **values)
    return _save(_validated(target))


@transaction.atomic
def add_target_version(code: str, user: User | None, changes: dict[str, Any]) -> Target:
    """A new version of target `code`: the version in force with `changes` (editable fields
    only) applied. TargetError 404 for an unknown code, 400 when nothing changes or a value
    is refused; the versions already stored are never modified."""
    current = Target.objects.select_for_update().filter(code=code).order_by("-version").first()
    if current is None:
        raise TargetError(404, "unknown_target", _("Cible introuvable."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TargetError(
            400, "not_editable", _("Champs non modifiables : %(names)s.") % {"names": unknown}
        )
    target = Target(
        code=current.code,
        version=current.version + 1,
        created_by=user,
        **{name: getattr(current, name) for name in IDENTITY_FIELDS[1:] + EDITABLE_FIELDS},
    )
    for name, value in changes.items():
        setattr(target, name, value)
    _validated(target)
    if all(_same(getattr(current, name), getattr(target, name)) for name in EDITABLE_FIELDS):
        raise TargetError(
            400,
            "unchanged",
            _("Rien n'a changé : aucune version n'a été ajoutée."),
        )
    return _save(target)


def _same(left: object, right: object) -> bool:
    if isinstance(left, Decimal) or isinstance(right, Decimal):
        return Decimal(str(left)) == Decimal(str(right))
    return left == right


# --- reads ---------------------------------------------------------------------------------


def latest_targets() -> list[TargetLine]:
    """The last version of every target (in force or retired), by code, in two queries."""
    # Versions are numbered from 1 without gaps: the last one is also the count.
    last = Target.objects.values("code").annotate(last=Max("version"))
    versions = {row["code"]: row["last"] for row in last}
    rows = Target.objects.filter(
        code__in=list(versions), version__in=set(versions.values())
    ).order_by("year", "code")
    return [
        TargetLine(target, versions[target.code])
        for target in rows
        if target.version == versions[target.code]
    ]


def targets_in_force() -> list[Target]:
    """The version in force of every target not retired, by target year then code."""
    return [line.target for line in latest_targets() if line.target.is_active]


def target_versions(code: str) -> list[Target]:
    """Every version of target `code`, the newest first (empty for an unknown code)."""
    return list(Target.objects.filter(code=code).select_related("created_by").order_by("-version"))
