"""The result in words: a level against the level expected for the learner's curriculum, and
how sure it is, for the result page and the PDF (no scores, no jargon).

- Precision (`precision_words`): a level reported alone with at least `SURE_PROBABILITY` is
  "niveau sûr", alone below it "niveau probable"; a pair is "entre le niveau 2 et le
  niveau 3" (the level report of `results.py`, docs/assessments.md).
- Gap (`gap_sentence`): "Niveau 3, attendu 4 : un niveau à gagner." For a pair, the levels to
  gain are a range ("1 ou 2 niveaux à gagner"), or "peut-être déjà atteint" when the expected
  level is the higher of the two.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from palier.accounts.models import User
from palier.assessments.results import AreaMeasure
from palier.frameworks.models import Population
from palier.frameworks.queries import population_targets

# A level reported alone is "sûr" from this probability on (below it, "probable").
SURE_PROBABILITY = 0.8


def precision_words(measure: AreaMeasure) -> str:
    """How sure the reported level is, in a few words."""
    if measure.between_levels is not None:
        low, high = measure.between_levels
        return _("entre le niveau %(low)s et le niveau %(high)s") % {"low": low, "high": high}
    if (measure.level_probability or 0.0) >= SURE_PROBABILITY:
        return _("niveau sûr")
    return _("niveau probable")


def _to_gain(count: int) -> str:
    return ngettext("un niveau à gagner", "%(count)s niveaux à gagner", count) % {"count": count}


def gap_sentence(measure: AreaMeasure, target: int | None) -> str:
    """The reported level, the expected one and the gap between them, in one sentence."""
    if measure.between_levels is None:
        level = measure.level
        if target is None:
            return _("Niveau %(level)s.") % {"level": level}
        shown = {"level": level, "target": target}
        if level < target:
            return _("Niveau %(level)s, attendu %(target)s : %(gap)s.") % {
                **shown,
                "gap": _to_gain(target - level),
            }
        if level == target:
            return (
                _("Niveau %(level)s, attendu %(target)s : le niveau attendu est atteint.") % shown
            )
        return _("Niveau %(level)s, attendu %(target)s : au-delà du niveau attendu.") % shown
    low, high = measure.between_levels
    shown = {"low": low, "high": high, "target": target}
    if target is None:
        return _("Entre le niveau %(low)s et le niveau %(high)s.") % shown
    if target <= low:
        return (
            _(
                "Entre le niveau %(low)s et le niveau %(high)s, attendu %(target)s : "
                "le niveau attendu est atteint."
            )
            % shown
        )
    if target == high:
        return (
            _(
                "Entre le niveau %(low)s et le niveau %(high)s, attendu %(target)s : "
                "peut-être déjà atteint, sinon un niveau à gagner."
            )
            % shown
        )
    return _(
        "Entre le niveau %(low)s et le niveau %(high)s, attendu %(target)s : "
        "%(fewest)s ou %(most)s niveaux à gagner."
    ) % {**shown, "fewest": target - high, "most": target - low}


def curriculum_of(user: User) -> Population | None:
    """The learner's curriculum (population) from their profile, None when not chosen."""
    profile = getattr(user, "profile", None)
    return getattr(profile, "population", None) if profile is not None else None


def expected_levels(user: User, framework_id: int) -> dict[str, int]:
    """The level expected in each area (code) for the learner's curriculum ({} without one)."""
    profile = getattr(user, "profile", None)
    return population_targets(framework_id, getattr(profile, "population_id", None))
