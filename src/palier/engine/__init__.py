"""Palier's psychometric engine: a pure library (numpy and scipy, no Django, no I/O).

Phases of an adaptive test: estimate (:mod:`.estimate`), stop (:mod:`.stop`), select
(:mod:`.select`, :mod:`.exposure`), driven statelessly by :func:`next_step`. Calibration by
marginal maximum likelihood (:mod:`.calibrate`), item fit (:mod:`.fit`), DIF (:mod:`.dif`),
scoring to levels (:mod:`.score`) and Monte Carlo simulation (:mod:`.simulate`).
See docs/engine.md for the models, formulas, defaults and references.
"""

from palier.engine.bank import ItemBank
from palier.engine.calibrate import Calibration, calibrate
from palier.engine.cat import Answer, Step, next_step
from palier.engine.config import CatConfig, certification_exposure
from palier.engine.dif import DifResult, mantel_haenszel, matching_strata
from palier.engine.exposure_tuning import ExposureTuning, sympson_hetter_parameters
from palier.engine.fit import ItemFit, item_fit
from palier.engine.irt import information, probability
from palier.engine.linking import Linking, mean_sigma, stocking_lord, transform
from palier.engine.mstep import Priors
from palier.engine.score import (
    CERTIFICATION_THRESHOLD,
    CertifiedLevel,
    LevelReport,
    certified_level,
    level,
    level_probabilities,
    reported_level,
)
from palier.engine.simulate import SimulationResult, simulate
from palier.engine.standard_setting import (
    AreaCutScores,
    PanelResult,
    area_cut_scores,
    bookmark_cut,
    ordered_item_booklet,
    panel_cut_scores,
    rp_location,
)

__all__ = [
    "CERTIFICATION_THRESHOLD",
    "Answer",
    "AreaCutScores",
    "Calibration",
    "CatConfig",
    "CertifiedLevel",
    "DifResult",
    "ExposureTuning",
    "ItemBank",
    "ItemFit",
    "LevelReport",
    "Linking",
    "PanelResult",
    "Priors",
    "SimulationResult",
    "Step",
    "area_cut_scores",
    "bookmark_cut",
    "calibrate",
    "certification_exposure",
    "certified_level",
    "information",
    "item_fit",
    "level",
    "level_probabilities",
    "mantel_haenszel",
    "matching_strata",
    "mean_sigma",
    "next_step",
    "ordered_item_booklet",
    "panel_cut_scores",
    "probability",
    "reported_level",
    "rp_location",
    "simulate",
    "stocking_lord",
    "sympson_hetter_parameters",
    "transform",
]
