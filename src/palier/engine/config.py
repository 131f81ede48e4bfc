"""The adaptive-test configuration: versioned, immutable data validated when it is built."""

from __future__ import annotations

import itertools
import math
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, TypedDict

import numpy as np
from numpy.typing import ArrayLike

from palier.engine.arrays import BoolArray, FloatArray, IntArray
from palier.engine.bank import ItemBank
from palier.engine.ties import at_most

Estimator = Literal["eap", "map"]
Selection = Literal["auto", "max_info", "d_optimal", "a_optimal"]

#: Default grid for unidimensional quadrature: 61 nodes over +-6 prior SDs (spacing 0.2 SD).
#: The trapezoid rule on a smooth, Gaussian-like posterior is exponentially accurate, so this
#: grid keeps EAP and posterior SD within 1e-6 of exact even for posterior SDs near 0.2.
DEFAULT_QUADRATURE_POINTS = 61
DEFAULT_QUADRATURE_BOUND = 6.0
#: Gauss-Hermite nodes per dimension for the adaptive quadrature of the correlated model.
DEFAULT_MV_QUADRATURE_POINTS = 4
#: Highest share of certification candidates who may see one item (issue 12's target).
CERTIFICATION_MAX_EXPOSURE = 0.25


def _per_area(name: str, value: float | Sequence[float], n_areas: int) -> FloatArray:
    array = np.array(value, dtype=np.float64)
    if array.ndim == 0:
        return np.full(n_areas, float(array))
    if array.shape != (n_areas,):
        raise ValueError(f"{name} has {array.size} values but the bank has {n_areas} areas")
    return array


def _check_positive(name: str, value: float | Sequence[float]) -> None:
    array = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(array)) or np.any(array <= 0):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")


def check_correlation(matrix: ArrayLike) -> FloatArray:
    """Validate a correlation matrix: square, symmetric, unit diagonal, positive definite."""
    array = np.array(matrix, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise ValueError(f"correlation must be a square matrix, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError("correlation contains NaN or infinite values")
    if not np.allclose(array, array.T, atol=1e-10):
        raise ValueError("correlation must be symmetric")
    if not np.allclose(np.diag(array), 1.0, atol=1e-10):
        raise ValueError("correlation must have ones on its diagonal")
    try:
        np.linalg.cholesky(array)
    except np.linalg.LinAlgError:
        raise ValueError("correlation matrix is not positive definite") from None
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class CatConfig:
    """Rules of one adaptive test. Stored by ``version`` so that any result can be recomputed.

    Per-area settings accept one number for every area or one number per area of the bank.

    - ``se_target``: an area stops when its posterior SD is at most this (logits).
    - ``max_items`` / ``min_items``: total operational items (pretest items come on top).
    - ``max_items_per_area`` / ``min_items_per_area``: per-area bounds (``None``: no bound).
    - ``areas``: areas assessed by this test (``None``: every area of the bank).
    - ``estimator``: ``"eap"`` (posterior mean) or ``"map"`` (posterior mode).
    - ``prior_mean``, ``prior_sd``: normal prior per area; ``correlation`` between areas makes
      it multivariate normal (answers in one area then inform the others).
    - ``selection``: ``"max_info"`` (Fisher information at theta), ``"d_optimal"`` or
      ``"a_optimal"`` (posterior information, Segall 1996); ``"auto"`` is max information for
      a one-area test and D-optimal otherwise.
    - ``randomesque``: choose at random among the best k items (Kingsbury & Zara, 1989).
    - ``exposure_control``: Sympson-Hetter parameters by item id (see
      :func:`palier.engine.exposure_tuning.sympson_hetter_parameters`); missing items have 1.
    - ``area_targets`` / ``competence_targets``: target proportions of the test for content
      balancing (Kingsbury & Zara, 1989).
    - ``cut_scores`` (per area, increasing thetas) with ``classification_confidence`` (e.g.
      0.95): an area also stops once its confidence interval lies inside one level band.
    - ``level_probability_target`` (needs ``cut_scores``, e.g. 0.9): an area also stops once
      the posterior probability of its most probable level reaches this value.
    - ``cut_information``: evaluate the selection criterion's item information at the cut
      score nearest to the area's estimate instead of at the estimate (Eggen, 1999; Thompson,
      2009); needs ``cut_scores``.
    - ``progressive``: progressive selection (Revuelta & Ponsoda, 1998): a random component
      whose weight falls as the test advances is added to the criterion.
    - ``exposure_rates`` (observed administration rate by item id, from item statistics or a
      simulation) with ``max_exposure_rate``: restricted selection (Revuelta & Ponsoda, 1998):
      items whose rate has reached the maximum are not selected while others are left.
    - ``a_strata`` (at least 2): a-stratification with b-blocking (Chang, Qian & Ying, 2001):
      each area's items form this many strata of increasing discrimination, each balanced in
      difficulty; an area's items come from stratum ``s`` in its stage ``s``.
    - ``language``, ``accessible_only``, ``excluded_items``: eligibility filters.
    - ``pretest_positions``: 1-based positions in the sequence where a pretest item is given.
    """

    version: str = "engine-1"
    se_target: float | tuple[float, ...] = 0.3
    max_items: int = 40
    min_items: int = 0
    max_items_per_area: int | tuple[int, ...] | None = None
    min_items_per_area: int | tuple[int, ...] = 0
    areas: tuple[int, ...] | None = None
    estimator: Estimator = "eap"
    prior_mean: float | tuple[float, ...] = 0.0
    prior_sd: float | tuple[float, ...] = 1.0
    correlation: ArrayLike | None = None
    quadrature_points: int = DEFAULT_QUADRATURE_POINTS
    quadrature_bound: float = DEFAULT_QUADRATURE_BOUND
    mv_quadrature_points: int = DEFAULT_MV_QUADRATURE_POINTS
    selection: Selection = "auto"
    randomesque: int = 1
    exposure_control: Mapping[str, float] | None = None
    area_targets: tuple[float, ...] | None = None
    competence_targets: Mapping[str, float] | None = None
    cut_scores: tuple[tuple[float, ...], ...] | None = None
    classification_confidence: float | None = None
    level_probability_target: float | None = None
    cut_information: bool = False
    progressive: bool = False
    exposure_rates: Mapping[str, float] | None = None
    max_exposure_rate: float | None = None
    a_strata: int | None = None
    language: str | None = None
    accessible_only: bool = False
    excluded_items: frozenset[str] = frozenset()
    pretest_positions: tuple[int, ...] = ()
    _plans: weakref.WeakKeyDictionary[ItemBank, Plan] = field(
        default_factory=weakref.WeakKeyDictionary, init=False, repr=False
    )

    def __post_init__(self) -> None:
        set_field = object.__setattr__
        if not isinstance(self.version, str) or not self.version:
            raise ValueError("version must be a non-empty string")
        _check_positive("se_target", self.se_target)
        _check_positive("prior_sd", self.prior_sd)
        if not np.all(np.isfinite(np.asarray(self.prior_mean, dtype=np.float64))):
            raise ValueError("prior_mean must be finite")
        if self.max_items < 1:
            raise ValueError("max_items must be at least 1")
        if not 0 <= self.min_items <= self.max_items:
            raise ValueError("min_items must lie between 0 and max_items")
        if self.max_items_per_area is not None and np.any(np.asarray(self.max_items_per_area) < 1):
            raise ValueError("max_items_per_area must be at least 1")
        if np.any(np.asarray(self.min_items_per_area) < 0):
            raise ValueError("min_items_per_area must be >= 0")
        if self.estimator not in ("eap", "map"):
            raise ValueError(f"estimator must be 'eap' or 'map', got {self.estimator!r}")
        if self.selection not in ("auto", "max_info", "d_optimal", "a_optimal"):
            raise ValueError(f"unknown selection rule {self.selection!r}")
        if self.quadrature_points < 11:
            raise ValueError("quadrature_points must be at least 11")
        if not (math.isfinite(self.quadrature_bound) and self.quadrature_bound >= 3):
            raise ValueError("quadrature_bound must be at least 3 prior SDs")
        if not 2 <= self.mv_quadrature_points <= 12:
            raise ValueError("mv_quadrature_points must lie between 2 and 12")
        if self.randomesque < 1:
            raise ValueError("randomesque must be at least 1")
        if self.correlation is not None:
            set_field(self, "correlation", check_correlation(self.correlation))
        if self.areas is not None:
            set_field(self, "areas", tuple(int(area) for area in self.areas))
            if not self.areas or min(self.areas) < 0 or len(set(self.areas)) != len(self.areas):
                raise ValueError("areas must be distinct, non-negative area indices")
        if self.exposure_control is not None:
            rates = dict(self.exposure_control)
            bad = [key for key, k in rates.items() if not (0 < k <= 1)]
            if bad:
                raise ValueError(f"Sympson-Hetter parameters must lie in (0, 1]: {bad[:5]}")
            set_field(self, "exposure_control", MappingProxyType(rates))
        if self.area_targets is not None:
            targets = np.asarray(self.area_targets, dtype=np.float64)
            if np.any(targets < 0) or not np.isfinite(targets).all() or targets.sum() <= 0:
                raise ValueError("area_targets must be non-negative proportions, not all zero")
        if self.competence_targets is not None:
            competences = dict(self.competence_targets)
            if any(not (0 <= value <= 1) for value in competences.values()):
                raise ValueError("competence_targets must be proportions in [0, 1]")
            set_field(self, "competence_targets", MappingProxyType(competences))
        if self.cut_scores is not None:
            cuts = tuple(tuple(float(cut) for cut in area_cuts) for area_cuts in self.cut_scores)
            for area_cuts in cuts:
                if not all(math.isfinite(cut) for cut in area_cuts):
                    raise ValueError("cut_scores must be finite")
                if any(low >= high for low, high in itertools.pairwise(area_cuts)):
                    raise ValueError("cut_scores of an area must be strictly increasing")
            set_field(self, "cut_scores", cuts)
        if self.classification_confidence is not None:
            if not 0 < self.classification_confidence < 1:
                raise ValueError("classification_confidence must lie in (0, 1)")
            if self.cut_scores is None:
                raise ValueError("classification_confidence needs cut_scores")
        if self.level_probability_target is not None:
            if not 0 < self.level_probability_target < 1:
                raise ValueError("level_probability_target must lie in (0, 1)")
            if self.cut_scores is None:
                raise ValueError("level_probability_target needs cut_scores")
        if self.cut_information and self.cut_scores is None:
            raise ValueError("cut_information needs cut_scores")
        if self.max_exposure_rate is not None and not 0 < self.max_exposure_rate <= 1:
            raise ValueError("max_exposure_rate must lie in (0, 1]")
        if self.exposure_rates is not None:
            if self.max_exposure_rate is None:
                raise ValueError("exposure_rates needs max_exposure_rate")
            observed = dict(self.exposure_rates)
            if any(not (0 <= rate <= 1) for rate in observed.values()):
                raise ValueError("exposure_rates must be proportions in [0, 1]")
            set_field(self, "exposure_rates", MappingProxyType(observed))
        if self.a_strata is not None and self.a_strata < 2:
            raise ValueError("a_strata must be at least 2")
        if any(position < 1 for position in self.pretest_positions):
            raise ValueError("pretest_positions are 1-based positions")
        set_field(self, "pretest_positions", tuple(sorted(set(self.pretest_positions))))
        set_field(self, "excluded_items", frozenset(self.excluded_items))

    def plan(self, bank: ItemBank) -> Plan:
        """This configuration resolved against ``bank`` (per-area arrays), cached per bank."""
        plan = self._plans.get(bank)
        if plan is None:
            plan = Plan.build(self, bank)
            self._plans[bank] = plan
        return plan


@dataclass(frozen=True, eq=False)
class Plan:
    """A :class:`CatConfig` resolved against one :class:`ItemBank`: arrays, no options left."""

    n_areas: int
    assessed: BoolArray
    se_target: FloatArray
    min_per_area: FloatArray
    max_per_area: FloatArray
    prior_mean: FloatArray
    prior_sd: FloatArray
    prior_covariance: FloatArray | None
    prior_precision: FloatArray
    cut_scores: tuple[FloatArray, ...] | None
    critical_value: float | None
    level_probability_target: float | None
    cut_information: bool
    progressive: bool
    exposure: FloatArray | None
    overexposed: BoolArray | None
    strata: IntArray | None
    stage_items: FloatArray | None
    area_targets: FloatArray | None
    competence_codes: IntArray | None
    competence_targets: FloatArray | None
    eligible: BoolArray
    operational: BoolArray
    grid: FloatArray
    nodes: FloatArray
    log_table: FloatArray | None
    selection: Selection

    @staticmethod
    def build(config: CatConfig, bank: ItemBank) -> Plan:
        from scipy.stats import norm

        n_areas = bank.n_areas
        assessed = np.zeros(n_areas, dtype=bool)
        if config.areas is None:
            assessed[:] = True
        else:
            if max(config.areas) >= n_areas:
                raise ValueError(f"config.areas names an area >= n_areas ({n_areas})")
            assessed[list(config.areas)] = True
        prior_mean = _per_area("prior_mean", config.prior_mean, n_areas)
        prior_sd = _per_area("prior_sd", config.prior_sd, n_areas)
        covariance: FloatArray | None = None
        if config.correlation is not None:
            correlation = np.asarray(config.correlation, dtype=np.float64)
            if correlation.shape != (n_areas, n_areas):
                raise ValueError(
                    f"correlation is {correlation.shape[0]}x{correlation.shape[1]} "
                    f"but the bank has {n_areas} areas"
                )
            covariance = correlation * np.outer(prior_sd, prior_sd)
            precision = np.asarray(np.linalg.inv(covariance), dtype=np.float64)
        else:
            precision = np.diag(1.0 / prior_sd**2)
        max_per_area = (
            np.full(n_areas, np.inf)
            if config.max_items_per_area is None
            else _per_area("max_items_per_area", config.max_items_per_area, n_areas)  # type: ignore[arg-type]
        )
        cut_scores = None
        if config.cut_scores is not None:
            if len(config.cut_scores) != n_areas:
                raise ValueError(f"cut_scores has {len(config.cut_scores)} areas, need {n_areas}")
            cut_scores = tuple(np.asarray(cuts, dtype=np.float64) for cuts in config.cut_scores)
        critical = None
        if config.classification_confidence is not None:
            critical = float(norm.ppf(0.5 + config.classification_confidence / 2))
        exposure = None
        if config.exposure_control is not None:
            exposure = np.ones(bank.n_items)
            for item_id, k in config.exposure_control.items():
                position = bank._index.get(item_id)
                if position is not None:
                    exposure[position] = k
        overexposed = None
        if config.exposure_rates is not None and config.max_exposure_rate is not None:
            overexposed = np.zeros(bank.n_items, dtype=bool)
            for item_id, rate in config.exposure_rates.items():
                position = bank._index.get(item_id)
                if position is not None:
                    overexposed[position] = at_most(config.max_exposure_rate, rate)
        area_targets = None
        if config.area_targets is not None:
            area_targets = _per_area("area_targets", config.area_targets, n_areas)  # type: ignore[arg-type]
            area_targets = area_targets / area_targets.sum()
        codes = targets = None
        if config.competence_targets:
            labels = sorted(config.competence_targets)
            lookup = {label: code for code, label in enumerate(labels)}
            codes = np.array([lookup.get(label or "", -1) for label in bank.competences])
            targets = np.array([config.competence_targets[label] for label in labels])
        eligible = bank.eligible(config.language, config.accessible_only, config.excluded_items)
        grid = np.linspace(
            -config.quadrature_bound, config.quadrature_bound, config.quadrature_points
        )
        # Every item's log P and log(1 - P) on its area's nodes, so that the adaptive step
        # gathers rows instead of evaluating the model (cached on the bank).
        log_table = (
            bank.log_likelihood_table(prior_mean, prior_sd, grid) if covariance is None else None
        )
        strata = stage_items = None
        if config.a_strata is not None:
            operational = eligible & ~bank.pretest
            strata = a_strata(bank, operational, config.a_strata)
            # Stage length per area: the area's share of the test spread over the strata.
            per_area = max_per_area.copy()
            share = config.max_items / max(int(assessed.sum()), 1)
            per_area[~np.isfinite(per_area)] = share
            stage_items = np.maximum(1.0, np.ceil(np.minimum(per_area, share) / config.a_strata))
        selection: Selection = config.selection
        if selection == "auto":
            selection = "max_info" if int(assessed.sum()) == 1 else "d_optimal"
        return Plan(
            n_areas=n_areas,
            assessed=assessed,
            se_target=_per_area("se_target", config.se_target, n_areas),
            min_per_area=_per_area("min_items_per_area", config.min_items_per_area, n_areas),  # type: ignore[arg-type]
            max_per_area=max_per_area,
            prior_mean=prior_mean,
            prior_sd=prior_sd,
            prior_covariance=covariance,
            prior_precision=precision,
            cut_scores=cut_scores,
            critical_value=critical,
            level_probability_target=config.level_probability_target,
            cut_information=config.cut_information,
            progressive=config.progressive,
            exposure=exposure,
            overexposed=overexposed,
            strata=strata,
            stage_items=stage_items,
            area_targets=area_targets,
            competence_codes=codes,
            competence_targets=targets,
            eligible=eligible,
            operational=eligible & ~bank.pretest,
            grid=grid,
            nodes=prior_mean[:, None] + prior_sd[:, None] * grid[None, :],
            log_table=log_table,
            selection=selection,
        )


class ExposureSettings(TypedDict):
    """``CatConfig`` keyword arguments of restricted selection."""

    max_exposure_rate: float
    exposure_rates: dict[str, float]


def certification_exposure(
    exposure_rates: Mapping[str, float], max_rate: float = CERTIFICATION_MAX_EXPOSURE
) -> ExposureSettings:
    """``CatConfig`` keyword arguments of the certification default exposure control.

    Restricted selection (Revuelta & Ponsoda, 1998): items whose observed exposure rate
    (share of the tests that gave them, from the item statistics) has reached ``max_rate``
    are left out while other items remain. Chosen by simulation (docs/performance.md,
    "Exposure control methods") over Sympson-Hetter, randomesque, progressive-restricted and
    a-stratified selection: on the benchmark bank it caps every item at 0.25 for about 20%
    more items than no control, less than Sympson-Hetter, needs no tuning simulation and
    keeps precision; a cap of 0.25 costs even an oracle that knows every theta 7.5% more
    items on that bank, so the issue's 10% is out of reach for any selection rule that must
    estimate theta. The rates must be refreshed often (the cap holds to within about
    ``tests between refreshes / tests`` of the rate).

    Usage: ``CatConfig(version=..., **certification_exposure(rates))``.
    """
    if not 0 < max_rate <= 1:
        raise ValueError("max_rate must lie in (0, 1]")
    return {"max_exposure_rate": max_rate, "exposure_rates": dict(exposure_rates)}


def a_strata(bank: ItemBank, usable: BoolArray, n_strata: int) -> IntArray:
    """Stratum (0 = lowest discrimination) of each item, a-stratification with b-blocking.

    Chang, Qian & Ying (2001): within each area the usable items are sorted by difficulty and
    cut into consecutive blocks of ``n_strata`` items; within a block the item with the k-th
    smallest discrimination goes to stratum k. Each stratum then spans the whole difficulty
    range while the strata rise in discrimination. Ties in difficulty or discrimination are
    broken by bank position, so the strata do not depend on the processor. Unusable items get
    -1.

    Reference: Chang, H.-H., Qian, J., & Ying, Z. (2001). a-Stratified multistage computerized
    adaptive testing with b blocking. *Applied Psychological Measurement*, 25, 333-341.
    """
    strata = np.full(bank.n_items, -1, dtype=np.intp)
    for area in range(bank.n_areas):
        members = np.flatnonzero(usable & (bank.areas == area))
        by_difficulty = members[np.lexsort((members, bank.difficulty[members]))]
        for start in range(0, by_difficulty.size, n_strata):
            block = by_difficulty[start : start + n_strata]
            block = block[np.lexsort((block, bank.discrimination[block]))]
            # A last, shorter block fills the strata evenly from both ends by rank.
            ranks = np.arange(block.size)
            if block.size < n_strata:
                ranks = np.round(ranks * (n_strata - 1) / max(block.size - 1, 1)).astype(np.intp)
            strata[block] = ranks
    return strata
