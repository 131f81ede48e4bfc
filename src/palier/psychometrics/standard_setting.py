"""Bookmark standard setting: the access gates and the writes: studies and their panels,
panellists' bookmarks round by round, closing rounds, and the adoption of a round's cut
scores as a new framework version (docs/standard-setting.md). The only writer of
`BookmarkStudy` and `Bookmark`; reads (booklet, results) are in `standard_setting_queries`.

Who sees what (least privilege): psychometricians run every study and see everything;
panellists are the accounts a study lists, and see its booklet, their own bookmarks of the
round in progress, and the results of the rounds already closed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.roles import Role, has_role
from palier.core.errors import ServiceError
from palier.engine import area_cut_scores
from palier.engine.standard_setting import DEFAULT_RESPONSE_PROBABILITY
from palier.frameworks.models import Area, Framework, Level, code_validator
from palier.frameworks.services import new_framework_version
from palier.items.models import Calibration
from palier.psychometrics.models import Bookmark, BookmarkStudy
from palier.psychometrics.standard_setting_queries import (
    booklet_candidates,
    boundary_levels,
    round_results,
)

# Cut scores are stored with as many decimals as item parameters (four): more would be noise.
CUT_SCORE_DECIMALS = 4
# The panel's cut score for a boundary is the median of the panellists' cuts (robust to one
# outlying panellist; the mean is shown beside it).
ADOPTED_STATISTIC = "median"


class StandardSettingError(ServiceError):
    """A refused standard-setting operation (the message says why)."""


# --- access --------------------------------------------------------------------------------


def can_run_studies(user: Any) -> bool:
    """Psychometricians create studies, choose panels, close rounds and adopt cut scores."""
    return has_role(user, Role.PSYCHOMETRICIAN)


def studies_for(user: Any) -> QuerySet[BookmarkStudy]:
    """The studies a user may open: all for a psychometrician, else those they sit on."""
    studies = BookmarkStudy.objects.select_related("framework", "area", "calibration")
    if can_run_studies(user):
        return studies
    if not getattr(user, "is_authenticated", False):
        return studies.none()
    return studies.filter(panellists=user)


def access_study(user: Any, study_id: int) -> tuple[BookmarkStudy, bool]:
    """A study and whether the user runs it (True) or sits on its panel (False).

    404 for a study that does not exist, 403 for a signed-in user who is neither."""
    study = (
        BookmarkStudy.objects.select_related("framework", "area", "calibration")
        .filter(pk=study_id)
        .first()
    )
    if study is None:
        raise Http404
    if can_run_studies(user):
        return study, True
    if is_panellist(study, user):
        return study, False
    raise PermissionDenied


def access_managed_study(user: Any, study_id: int) -> BookmarkStudy:
    """A study for the operations only psychometricians may do (403 for anyone else)."""
    study, manages = access_study(user, study_id)
    if not manages:
        raise PermissionDenied
    return study


def is_panellist(study: BookmarkStudy, user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return study.panellists.filter(pk=user.pk).exists()


def _require_psychometrician(user: Any) -> None:
    if not can_run_studies(user):
        raise StandardSettingError(
            403, "forbidden", _("Seul un psychométricien peut conduire une séance de seuils.")
        )


def _require_open(study: BookmarkStudy) -> None:
    if study.status != BookmarkStudy.Status.OPEN:
        raise StandardSettingError(
            409, "study_not_open", _("Cette séance est terminée : elle ne change plus.")
        )


def _locked(study: BookmarkStudy) -> BookmarkStudy:
    """The study's row, locked until the end of the transaction (rounds and adoption are
    decided on the stored state, never on a copy loaded earlier)."""
    return (
        BookmarkStudy.objects.select_for_update()
        .select_related("framework", "area", "calibration")
        .get(pk=study.pk)
    )


# --- studies and panels ---------------------------------------------------------------------


@transaction.atomic
def create_study(
    by: User,
    *,
    area: Area,
    calibration: Calibration,
    name: str,
    response_probability: float = DEFAULT_RESPONSE_PROBABILITY,
    panellists: Iterable[User] = (),
) -> BookmarkStudy:
    """Open a study of one area under one calibration, with its booklet fixed now."""
    _require_psychometrician(by)
    name = name.strip()
    if not name:
        raise StandardSettingError(
            422, "name_required", _("Donnez un nom à la séance."), {"name": [_("Obligatoire.")]}
        )
    if calibration.framework_id != area.framework_id:
        raise StandardSettingError(
            422,
            "calibration_framework",
            _("La calibration choisie ne porte pas sur la version du référentiel de ce domaine."),
            {"calibration": [_("Autre version du référentiel.")]},
        )
    if not 0.5 <= response_probability <= 0.9:
        raise StandardSettingError(
            422,
            "response_probability",
            _("La probabilité de réussite retenue doit être comprise entre 0,5 et 0,9."),
            {"response_probability": [_("Entre 0,5 et 0,9.")]},
        )
    boundaries = boundary_levels(area)
    if not boundaries:
        raise StandardSettingError(
            422, "no_boundary", _("Ce domaine n'a qu'un niveau : aucun seuil à fixer.")
        )
    try:
        pages, _left_out = booklet_candidates(area, calibration, response_probability)
    except ValueError as error:  # a guessing parameter at or above the response probability
        raise StandardSettingError(
            422,
            "response_probability",
            _(
                "Une question a une probabilité de réponse au hasard supérieure ou égale à "
                "la probabilité de réussite retenue : choisissez une probabilité plus haute."
            ),
            {"response_probability": [str(error)]},
        ) from error
    if len(pages) < len(boundaries):
        raise StandardSettingError(
            422,
            "booklet_too_short",
            _(
                "Le livret n'aurait que %(pages)s page(s) pour %(boundaries)s seuils : il faut "
                "des questions opérationnelles calibrées dans ce domaine."
            )
            % {"pages": len(pages), "boundaries": len(boundaries)},
        )
    study = BookmarkStudy.objects.create(
        framework=area.framework,
        area=area,
        calibration=calibration,
        response_probability=response_probability,
        name=name,
        created_by=by,
        booklet=[page.version.pk for page in pages],
    )
    study.panellists.set(list(panellists))
    return study


@transaction.atomic
def add_panellist(study: BookmarkStudy, by: User, email: str) -> User:
    """Put the account with this e-mail address on the study's panel."""
    _require_psychometrician(by)
    locked = _locked(study)
    _require_open(locked)
    person = (
        User.objects.filter(email__iexact=email.strip(), is_active=True, erased_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if person is None:
        raise StandardSettingError(
            422,
            "unknown_account",
            _("Aucun compte actif n'a cette adresse : la personne doit d'abord créer son compte."),
            {"email": [_("Aucun compte actif n'a cette adresse.")]},
        )
    locked.panellists.add(person)
    return person


@transaction.atomic
def remove_panellist(study: BookmarkStudy, by: User, person: User) -> None:
    """Take a panellist off the panel; their bookmarks of the round in progress go with them
    (those of closed rounds stay: results already shown never change)."""
    _require_psychometrician(by)
    locked = _locked(study)
    _require_open(locked)
    Bookmark.objects.filter(study=locked, panellist=person, round=locked.current_round).delete()
    locked.panellists.remove(person)


@transaction.atomic
def close_study(study: BookmarkStudy, by: User) -> None:
    """End a study without adopting its cut scores."""
    _require_psychometrician(by)
    locked = _locked(study)
    _require_open(locked)
    locked.status = BookmarkStudy.Status.CLOSED
    locked.save(update_fields=["status"])
    study.status = locked.status


# --- bookmarks --------------------------------------------------------------------------------


def bookmark_page_errors(
    levels: list[int], pages: Mapping[int, int | None], page_count: int
) -> dict[str, list[str]]:
    """What is wrong with one panellist's bookmarks (`level rank -> page`), keyed by form
    field (`level_<rank>`, or `__all__`): every boundary needs a page from 1 to
    `page_count + 1` (after the last page), and pages must increase from one boundary to
    the next, or a level would have no item of its own."""
    errors: dict[str, list[str]] = {}
    last = page_count + 1
    for rank in levels:
        page = pages.get(rank)
        if page is None:
            errors.setdefault(f"level_{rank}", []).append(_("Indiquez une page."))
        elif not 1 <= page <= last:
            errors.setdefault(f"level_{rank}", []).append(
                _("La page doit être comprise entre 1 et %(last)s.") % {"last": last}
            )
    if errors:
        return errors
    for previous, rank in itertools.pairwise(levels):
        if pages[rank] <= pages[previous]:
            errors.setdefault("__all__", []).append(
                _(
                    "Les marque-pages doivent avancer d'un seuil au suivant : celui du niveau "
                    "%(level)s (page %(page)s) doit venir après celui du niveau %(previous)s "
                    "(page %(previous_page)s)."
                )
                % {
                    "level": rank,
                    "page": pages[rank],
                    "previous": previous,
                    "previous_page": pages[previous],
                }
            )
    return errors


@transaction.atomic
def place_bookmarks(
    study: BookmarkStudy, panellist: User, pages: Mapping[int, int | None]
) -> list[Bookmark]:
    """Place, or replace, a panellist's bookmarks of the round in progress: one page per
    level boundary (`level rank -> page`), checked by `bookmark_page_errors`."""
    locked = _locked(study)  # the round cannot close half-way through
    _require_open(locked)
    if not is_panellist(locked, panellist):
        raise StandardSettingError(
            403, "not_a_panellist", _("Seuls les panélistes de la séance placent des marque-pages.")
        )
    levels = [level.rank for level in boundary_levels(locked.area)]
    errors = bookmark_page_errors(levels, pages, len(locked.booklet))
    if errors:
        message = " ".join(error for messages in errors.values() for error in messages)
        raise StandardSettingError(422, "invalid_bookmarks", message, errors)
    placed = []
    for rank in levels:
        bookmark, _created = Bookmark.objects.update_or_create(
            study=locked,
            panellist=panellist,
            round=locked.current_round,
            level=rank,
            defaults={"page": pages[rank]},
        )
        placed.append(bookmark)
    return placed


@transaction.atomic
def close_round(study: BookmarkStudy, by: User) -> int:
    """Close the round in progress (its bookmarks never change again) and open the next;
    returns the number of the closed round. A round nobody bookmarked cannot close."""
    _require_psychometrician(by)
    locked = _locked(study)
    _require_open(locked)
    closed = locked.current_round
    if not Bookmark.objects.filter(study=locked, round=closed).exists():
        raise StandardSettingError(
            409, "empty_round", _("Aucun panéliste n'a encore placé ses marque-pages ce tour-ci.")
        )
    locked.current_round = closed + 1
    locked.save(update_fields=["current_round"])
    study.current_round = locked.current_round
    return closed


# --- adoption ---------------------------------------------------------------------------------


def _check_version(framework: Framework, version: str) -> str:
    version = version.strip()
    problem = None
    if not version or len(version) > Framework._meta.get_field("version").max_length:
        problem = _("Indiquez un nom de version de 1 à 32 caractères.")
    else:
        try:
            code_validator(version)
        except ValidationError:
            problem = _("Lettres, chiffres, points et tirets uniquement.")
    if problem is None and Framework.objects.filter(code=framework.code, version=version).exists():
        problem = _("Cette version du référentiel existe déjà.")
    if problem:
        raise StandardSettingError(422, "invalid_version", problem, {"version": [problem]})
    return version


@transaction.atomic
def adopt_cut_scores(study: BookmarkStudy, by: User, *, reason: str, version: str) -> Framework:
    """Adopt the last closed round's cut scores (the median per boundary): copy the study's
    framework into a new version `version` whose area levels start at those cut scores
    (other areas unchanged), and record it on the study. Refused, with nothing written,
    without a reason, without a closed round, or when the cut scores do not increase."""
    _require_psychometrician(by)
    reason = reason.strip()
    if not reason:
        raise StandardSettingError(
            422,
            "reason_required",
            _("Indiquez le motif de l'adoption."),
            {"reason": [_("Obligatoire.")]},
        )
    locked = _locked(study)
    _require_open(locked)
    adopted_round = locked.current_round - 1
    if adopted_round < 1:
        raise StandardSettingError(
            409,
            "no_closed_round",
            _("Clôturez d'abord un tour : ce sont ses seuils qui sont adoptés."),
        )
    levels = boundary_levels(locked.area)
    (result,) = round_results(locked, [adopted_round], levels=levels)
    if any(boundary.spread is None for boundary in result.boundaries):
        raise StandardSettingError(
            409, "missing_boundary", _("Un seuil n'a reçu aucun marque-page pendant ce tour.")
        )
    not_increasing = StandardSettingError(
        409,
        "cuts_not_increasing",
        _(
            "Les seuils du tour %(round)s ne croissent pas d'un niveau au suivant : un niveau "
            "serait vide. Faites un nouveau tour."
        )
        % {"round": adopted_round},
    )
    try:
        adopted = area_cut_scores(
            [boundary.cuts for boundary in result.boundaries], statistic=ADOPTED_STATISTIC
        )
    except ValueError as error:
        raise not_increasing from error
    cuts = [round(cut, CUT_SCORE_DECIMALS) for cut in adopted.cut_scores]
    if any(low >= high for low, high in itertools.pairwise(cuts)):
        raise not_increasing
    version = _check_version(locked.framework, version)

    framework = new_framework_version(locked.framework, version)
    new_area = Area.objects.get(framework=framework, code=locked.area.code)
    for level, cut in zip(levels, cuts, strict=True):
        Level.objects.filter(area=new_area, rank=level.rank).update(min_theta=cut)
    locked.status = BookmarkStudy.Status.ADOPTED
    locked.adopted_cut_scores = {
        str(level.rank): cut for level, cut in zip(levels, cuts, strict=True)
    }
    locked.adopted_framework = framework
    locked.adopted_round = adopted_round
    locked.adopted_by = by
    locked.adoption_reason = reason
    locked.adopted_at = timezone.now()
    locked.save(
        update_fields=[
            "status",
            "adopted_cut_scores",
            "adopted_framework",
            "adopted_round",
            "adopted_by",
            "adoption_reason",
            "adopted_at",
        ]
    )
    return framework
