"""Calibration: marginal maximum likelihood by EM (Bock & Aitkin, 1981) for sparse data.

``calibrate(person, item, correct, model="2pl")`` takes long-format responses (one row per
answer; items never seen by a person are simply absent) and returns item parameters on the
scale of a ``N(0, 1)`` ability distribution. The E-step is two sparse products per chunk of
persons (:mod:`.em`); the M-step is vectorised Fisher scoring over all items (:mod:`.mstep`).

- Quadrature: ``quadrature_points`` equally spaced nodes on ``+-quadrature_bound``
  (default 61 on +-6, spacing 0.2). A coarse grid biases parameters when persons answer many
  items (their posteriors become narrower than the node spacing).
- Convergence: the largest change of any ``a``, ``b`` or ``c`` in a plain EM step is below
  ``tolerance`` (default 1e-4); ``converged`` is false when ``max_iterations`` E-steps are
  reached. SQUAREM extrapolation (Varadhan & Roland, 2008) cuts the number of E-steps.
- Standard errors: from the cross-product of the persons' score vectors (Mislevy, 1986; the
  "XPD" estimate of the information matrix) plus the priors' curvature, transformed to
  ``(a, b, c)`` by the delta method.
- Fixed-parameter calibration: items given in ``fixed`` keep their parameters; the mean and SD
  of the ability distribution are then estimated as well (Kim, 2006, multiple-weights
  updating), so new items land on the operational scale.
- Several areas (``item_areas``): each area's items are calibrated on their own (the marginal
  of a multivariate normal is normal, so this is consistent under between-item
  multidimensionality) and the correlation between two areas is estimated by maximising the
  bivariate marginal likelihood of the persons who answered both, with item parameters fixed
  (pairwise composite likelihood, :mod:`.correlation`). Standard errors: :mod:`.se`.

References: Bock, R. D., & Aitkin, M. (1981). *Psychometrika*, 46, 443-459. Mislevy, R. J.
(1986). Bayes modal estimation in item response models. *Psychometrika*, 51, 177-195. Kim, S.
(2006). A comparative study of IRT fixed parameter calibration methods. *Journal of Educational
Measurement*, 43, 355-381. Varin, C., Reid, N., & Firth, D. (2011). An overview of composite
likelihood methods. *Statistica Sinica*, 21, 5-42. Varadhan, R., & Roland, C. (2008). Simple
and globally convergent methods for accelerating the convergence of any EM algorithm.
*Scandinavian Journal of Statistics*, 35, 335-353.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit, logit, ndtri

from palier.engine.arrays import BoolArray, FloatArray, IntArray
from palier.engine.correlation import estimate_correlation
from palier.engine.em import (
    DEFAULT_CHUNK_RESPONSES,
    Design,
    build_design,
    e_step,
    log_table,
    normal_log_prior,
    person_codes,
    validate_long_format,
)
from palier.engine.mstep import Priors, log_prior, maximise
from palier.engine.se import standard_errors as parameter_standard_errors

Model = Literal["2pl", "3pl"]

DEFAULT_QUADRATURE_POINTS = 61
DEFAULT_QUADRATURE_BOUND = 6.0
DEFAULT_TOLERANCE = 1e-4
DEFAULT_MAX_ITERATIONS = 500
#: Logistic-to-normal-ogive scaling constant used for starting values (Camilli, 1994).
LOGISTIC_SCALE = 1.702
#: Default cap on E-step threads.
MAX_DEFAULT_WORKERS = 4


@dataclass(frozen=True, eq=False)
class Calibration:
    """Estimated item parameters with their standard errors and convergence diagnostics.

    Items without any response get NaN parameters. ``guessing`` (and ``se_guessing``) is
    ``None`` for the 2PL. ``log_likelihood`` is the marginal log-likelihood of the data at
    the returned parameters (summed over areas); ``log_likelihood_history`` traces the EM's
    log-posterior (log-likelihood plus log priors) at the start of each cycle.
    """

    model: str
    discrimination: FloatArray
    difficulty: FloatArray
    guessing: FloatArray | None
    se_discrimination: FloatArray | None
    se_difficulty: FloatArray | None
    se_guessing: FloatArray | None
    converged: bool
    iterations: int
    log_likelihood: float
    log_likelihood_history: tuple[float, ...]
    max_change: float
    responses_per_item: IntArray
    population_mean: FloatArray
    population_sd: FloatArray
    item_areas: IntArray
    correlation: FloatArray | None
    quadrature_nodes: FloatArray


@dataclass
class _AreaFit:
    a: FloatArray
    d: FloatArray
    gamma: FloatArray | None
    mean: float
    sd: float
    converged: bool
    iterations: int
    log_likelihood: float
    history: list[float]
    max_change: float
    se: tuple[FloatArray, FloatArray, FloatArray | None] | None


def _difficulty(a: FloatArray, d: FloatArray) -> FloatArray:
    return np.asarray(-d / a, dtype=np.float64)


def _starting_values(
    design: Design, three_pl: bool, priors: Priors
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """a = 1; d from the proportion correct through the normal-ogive approximation."""
    n = np.maximum(design.responses_per_item, 1)
    proportion = (design.correct_per_item + 0.5) / (n + 1.0)
    c0 = 0.0
    gamma = None
    if three_pl:
        alpha, beta = priors.guessing or (5.0, 17.0)
        c0 = alpha / (alpha + beta)
        gamma = np.full(design.n_items, float(logit(c0)))
    adjusted = np.clip((proportion - c0) / (1 - c0), 0.02, 0.98)
    a = np.ones(design.n_items)
    d = LOGISTIC_SCALE * ndtri(adjusted) * np.sqrt(1 + (1 / LOGISTIC_SCALE) ** 2)
    return a, d, gamma


@dataclass
class _State:
    """Parameters of one EM iterate: items ``(a, d, gamma)`` and the population mean and SD."""

    a: FloatArray
    d: FloatArray
    gamma: FloatArray | None
    mean: float
    sd: float


@dataclass
class _EmContext:
    design: Design
    nodes: FloatArray
    free: BoolArray
    estimate_population: bool
    priors: Priors
    dtype: type[np.floating]
    executor: Executor | None


def _em_map(state: _State, context: _EmContext) -> tuple[_State, float]:
    """One EM cycle from ``state``: the next iterate and the log-posterior at ``state``."""
    gamma = state.gamma
    c = np.zeros_like(state.a) if gamma is None else expit(gamma)
    table = log_table(context.nodes, state.a, state.d, c, context.dtype)
    expected = e_step(
        context.design,
        table,
        context.nodes,
        normal_log_prior(context.nodes, state.mean, state.sd),
        context.executor,
    )
    free = context.free
    penalty = float(log_prior(state.a[free], c[free], context.priors, gamma is not None).sum())
    new_a, new_d, new_gamma = maximise(
        context.nodes,
        expected.correct_counts,
        expected.total_counts,
        state.a,
        state.d,
        gamma,
        free,
        context.priors,
    )
    mean, sd = state.mean, state.sd
    if context.estimate_population:
        mean = expected.mean
        sd = float(np.sqrt(max(expected.second_moment - mean**2, 1e-6)))
    return _State(new_a, new_d, new_gamma, mean, sd), expected.log_likelihood + penalty


def _change(new: _State, old: _State, free: BoolArray) -> float:
    """Largest change of any free a, b or c, or of the population mean and SD."""
    change = float(np.max(np.abs(new.a - old.a)[free], initial=0.0))
    b_change = np.abs(_difficulty(new.a, new.d) - _difficulty(old.a, old.d))[free]
    change = max(change, float(np.max(b_change, initial=0.0)))
    if new.gamma is not None and old.gamma is not None:
        c_change = np.abs(expit(new.gamma) - expit(old.gamma))[free]
        change = max(change, float(np.max(c_change, initial=0.0)))
    return max(change, abs(new.mean - old.mean), abs(new.sd - old.sd))


def _pack(state: _State, free: BoolArray) -> FloatArray:
    parts = [np.log(state.a[free]), state.d[free]]
    if state.gamma is not None:
        parts.append(state.gamma[free])
    parts.append(np.array([state.mean, np.log(state.sd)]))
    return np.concatenate(parts)


def _unpack(vector: FloatArray, template: _State, free: BoolArray) -> _State:
    n = int(free.sum())
    a, d = template.a.copy(), template.d.copy()
    a[free] = np.exp(vector[:n])
    d[free] = vector[n : 2 * n]
    gamma = None
    if template.gamma is not None:
        gamma = template.gamma.copy()
        gamma[free] = vector[2 * n : 3 * n]
    return _State(a, d, gamma, float(vector[-2]), float(np.exp(vector[-1])))


def _em(
    design: Design,
    nodes: FloatArray,
    a: FloatArray,
    d: FloatArray,
    gamma: FloatArray | None,
    free: BoolArray,
    estimate_population: bool,
    priors: Priors,
    max_iterations: int,
    tolerance: float,
    dtype: type[np.floating],
    executor: Executor | None,
    accelerate: bool,
) -> _AreaFit:
    """EM cycles until convergence, accelerated by SQUAREM (Varadhan & Roland, 2008).

    Each accelerated cycle takes two EM steps ``t1 = F(t0)``, ``t2 = F(t1)``, extrapolates
    ``t' = t0 - 2 s r + s^2 v`` with ``r = t1 - t0``, ``v = t2 - t1 - r`` and
    ``s = min(-1, -|r| / |v|)`` (in ``log a``, ``d``, ``logit c``, mean, ``log SD``), and keeps
    ``F(t')`` only if the log-posterior at ``t'`` is at least that at ``t0``; otherwise it goes
    on from ``t2``. The log-posterior recorded at the start of each cycle therefore never
    decreases. Convergence is judged on plain EM steps.
    """
    context = _EmContext(design, nodes, free, estimate_population, priors, dtype, executor)
    state = _State(a, d, gamma, 0.0, 1.0)
    history: list[float] = []
    converged = False
    change = np.inf
    evaluations = 0
    while evaluations < max_iterations:
        first, value = _em_map(state, context)
        evaluations += 1
        history.append(value)
        change = _change(first, state, free)
        if change < tolerance:
            state, converged = first, True
            break
        if not accelerate or evaluations + 2 > max_iterations:
            state = first
            continue
        second, _ = _em_map(first, context)
        evaluations += 1
        start, one, two = _pack(state, free), _pack(first, free), _pack(second, free)
        step = one - start
        curvature = two - one - step
        norm = float(np.linalg.norm(curvature))
        if norm == 0 or not np.all(np.isfinite(two)):
            state = second
            continue
        scale = min(-1.0, -float(np.linalg.norm(step)) / norm)
        proposal = _unpack(start - 2 * scale * step + scale**2 * curvature, state, free)
        accepted, proposal_value = _em_map(proposal, context)
        evaluations += 1
        if np.isfinite(proposal_value) and proposal_value >= value and _finite(accepted):
            state = accepted
        else:
            state = second
    c = np.zeros_like(state.a) if state.gamma is None else expit(state.gamma)
    final = e_step(
        design,
        log_table(nodes, state.a, state.d, c, dtype),
        nodes,
        normal_log_prior(nodes, state.mean, state.sd),
        executor,
    )
    return _AreaFit(
        a=state.a,
        d=state.d,
        gamma=state.gamma,
        mean=state.mean,
        sd=state.sd,
        converged=converged,
        iterations=evaluations,
        log_likelihood=final.log_likelihood,
        history=history,
        max_change=change,
        se=None,
    )


def _finite(state: _State) -> bool:
    values = [state.a, state.d] + ([] if state.gamma is None else [state.gamma])
    return bool(all(np.all(np.isfinite(v)) for v in values) and np.all(state.a > 0))


def _summed_history(histories: list[list[float]]) -> tuple[float, ...]:
    """Log-likelihood per EM cycle summed over areas (an area that stopped keeps its last)."""
    if not histories:
        return ()
    length = max(len(history) for history in histories)
    padded = [history + [history[-1]] * (length - len(history)) for history in histories]
    return tuple(float(value) for value in np.sum(padded, axis=0))


def _parse_fixed(
    fixed: Mapping[int, Sequence[float]] | None, n_items: int, three_pl: bool
) -> tuple[BoolArray, FloatArray, FloatArray, FloatArray]:
    mask = np.zeros(n_items, dtype=bool)
    a = np.ones(n_items)
    b = np.zeros(n_items)
    c = np.zeros(n_items)
    for index, values in (fixed or {}).items():
        if not 0 <= int(index) < n_items:
            raise ValueError(f"fixed item index {index} outside 0..{n_items - 1}")
        params = [float(value) for value in values]
        if len(params) not in (2, 3) or not np.all(np.isfinite(params)):
            raise ValueError(f"fixed item {index} needs finite (a, b) or (a, b, c)")
        if params[0] <= 0:
            raise ValueError(f"fixed item {index} has non-positive discrimination")
        if len(params) == 3 and not 0 <= params[2] < 1:
            raise ValueError(f"fixed item {index} has guessing outside [0, 1)")
        if len(params) == 3 and params[2] > 0 and not three_pl:
            raise ValueError("fixed items with guessing need model='3pl'")
        mask[int(index)] = True
        a[int(index)], b[int(index)] = params[0], params[1]
        c[int(index)] = params[2] if len(params) == 3 else 0.0
    return mask, a, b, c


def calibrate(
    person: ArrayLike,
    item: ArrayLike,
    correct: ArrayLike,
    model: Model = "2pl",
    *,
    n_items: int | None = None,
    item_areas: ArrayLike | None = None,
    fixed: Mapping[int, Sequence[float]] | None = None,
    priors: Priors | None = None,
    quadrature_points: int = DEFAULT_QUADRATURE_POINTS,
    quadrature_bound: float = DEFAULT_QUADRATURE_BOUND,
    max_iterations: int = DEFAULT_MAX_ITERATIONS,
    tolerance: float = DEFAULT_TOLERANCE,
    standard_errors: bool = True,
    chunk_responses: int = DEFAULT_CHUNK_RESPONSES,
    single_precision: bool = False,
    workers: int | None = None,
    accelerate: bool = True,
) -> Calibration:
    """Calibrate items from long-format responses by marginal maximum likelihood (EM).

    ``person`` and ``item`` are integer indices (person ids need not be contiguous; items are
    ``0 .. n_items - 1``), ``correct`` booleans or 0/1, all of equal length. ``fixed`` maps item
    indices to ``(a, b)`` or ``(a, b, c)`` held fixed (pretest calibration). ``priors`` defaults
    to ``log a ~ N(0, 1)`` and, for the 3PL, ``c ~ Beta(5, 17)``. ``single_precision`` runs the
    E-step products in float32 (counts are still summed in float64). ``accelerate`` applies
    SQUAREM to the EM (same fixed point, fewer E-steps); ``iterations`` counts E-steps either
    way. ``workers`` threads share the chunks of the E-step (default: up to 4, as many as there
    are CPUs); the result does not depend on it.
    """
    if model not in ("2pl", "3pl"):
        raise ValueError(f"model must be '2pl' or '3pl', got {model!r}")
    if quadrature_points < 11:
        raise ValueError("quadrature_points must be at least 11")
    if not quadrature_bound >= 3:
        raise ValueError("quadrature_bound must be at least 3")
    if tolerance <= 0 or max_iterations < 1:
        raise ValueError("tolerance must be > 0 and max_iterations >= 1")
    if chunk_responses < 1:
        raise ValueError("chunk_responses must be positive")
    if workers is None:
        workers = min(MAX_DEFAULT_WORKERS, os.cpu_count() or 1)
    if workers < 1:
        raise ValueError("workers must be at least 1")
    priors = priors or Priors()
    three_pl = model == "3pl"
    dtype: type[np.floating] = np.float32 if single_precision else np.float64
    persons, items, answers, n_items = validate_long_format(person, item, correct, n_items)
    if item_areas is None:
        areas = np.zeros(n_items, dtype=np.intp)
    else:
        areas = np.asarray(item_areas)
        if areas.shape != (n_items,) or areas.dtype.kind not in "iu" or areas.min() < 0:
            raise ValueError(f"item_areas must hold {n_items} non-negative area indices")
        areas = areas.astype(np.intp)
    n_areas = int(areas.max()) + 1
    fixed_mask, fixed_a, fixed_b, fixed_c = _parse_fixed(fixed, n_items, three_pl)
    nodes = np.linspace(-quadrature_bound, quadrature_bound, quadrature_points)
    codes, n_persons = person_codes(persons)

    a_all = np.full(n_items, np.nan)
    b_all = np.full(n_items, np.nan)
    c_all = np.full(n_items, np.nan) if three_pl else None
    se = (np.full(n_items, np.nan), np.full(n_items, np.nan))
    se_c = np.full(n_items, np.nan) if three_pl else None
    responses_per_item = np.bincount(items, minlength=n_items)
    fits: list[_AreaFit] = []
    designs: list[Design] = []
    executor = ThreadPoolExecutor(workers) if workers > 1 else None
    try:
        for area in range(n_areas):
            in_area = slice(None) if n_areas == 1 else areas[items] == area
            design = build_design(
                persons[in_area],
                items[in_area],
                answers[in_area],
                n_items,
                chunk_responses,
                dtype,
                codes=codes[in_area],
                n_persons=n_persons,
            )
            area_items = (areas == area) & (responses_per_item > 0)
            free = area_items & ~fixed_mask
            a, d, gamma = _starting_values(design, three_pl, priors)
            a[fixed_mask] = fixed_a[fixed_mask]
            d[fixed_mask] = -fixed_a[fixed_mask] * fixed_b[fixed_mask]
            if gamma is not None:
                gamma[fixed_mask] = logit(np.clip(fixed_c[fixed_mask], 1e-9, 1 - 1e-9))
            if not area_items.any():
                continue
            estimate_population = bool((fixed_mask & area_items).any())
            fit = _em(
                design,
                nodes,
                a,
                d,
                gamma,
                free,
                estimate_population,
                priors,
                max_iterations,
                tolerance,
                dtype,
                executor,
                accelerate,
            )
            if standard_errors and free.any():
                fit.se = parameter_standard_errors(
                    design,
                    nodes,
                    (fit.a, fit.d, fit.gamma),
                    (fit.mean, fit.sd),
                    free,
                    priors,
                    dtype,
                )
                se[0][free], se[1][free] = fit.se[0][free], fit.se[1][free]
                if se_c is not None and fit.se[2] is not None:
                    se_c[free] = fit.se[2][free]
            a_all[area_items] = fit.a[area_items]
            b_all[area_items] = _difficulty(fit.a, fit.d)[area_items]
            if c_all is not None and fit.gamma is not None:
                c_all[area_items] = expit(fit.gamma[area_items])
                c_all[area_items & fixed_mask] = fixed_c[area_items & fixed_mask]
            fits.append(fit)
            designs.append(design)
    finally:
        if executor is not None:
            executor.shutdown()

    correlation = None
    if n_areas > 1 and len(fits) == n_areas:
        correlation = estimate_correlation(
            designs, [(fit.a, fit.d, fit.gamma) for fit in fits], nodes, dtype
        )

    return Calibration(
        model=model,
        discrimination=a_all,
        difficulty=b_all,
        guessing=c_all,
        se_discrimination=se[0] if standard_errors else None,
        se_difficulty=se[1] if standard_errors else None,
        se_guessing=se_c if standard_errors else None,
        converged=all(fit.converged for fit in fits),
        iterations=max((fit.iterations for fit in fits), default=0),
        log_likelihood=float(sum(fit.log_likelihood for fit in fits)),
        log_likelihood_history=_summed_history([fit.history for fit in fits]),
        max_change=max((fit.max_change for fit in fits), default=0.0),
        responses_per_item=responses_per_item,
        population_mean=np.array([fit.mean for fit in fits]),
        population_sd=np.array([fit.sd for fit in fits]),
        item_areas=areas,
        correlation=correlation,
        quadrature_nodes=nodes,
    )
