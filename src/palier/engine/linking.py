"""Scale linking: put a new calibration on the scale of a reference one through anchor items.

A new calibration ("draft") fixes its scale by its own population (ability mean 0, SD 1), so
its parameters differ from the reference calibration's by a linear change of scale. With the
linking constants ``A`` (slope) and ``B`` (intercept):

    theta_ref = A theta_new + B
    a_ref = a_new / A,    b_ref = A b_new + B,    c_ref = c_new          (Kolen & Brennan, 2014)

**Stocking-Lord** (Stocking & Lord, 1983) chooses ``(A, B)`` so that the anchors' test
characteristic curves agree: with ``TCC(theta) = sum_j P_j(theta)`` over the anchors kept,

    F(A, B) = sum_q w_q (TCC_ref(theta_q) - TCC_new*(theta_q))^2

where ``TCC_new*`` uses the new parameters transformed by ``(A, B)``. The points ``theta_q``
are 41 equally spaced values on +-4 of the reference scale with weights proportional to the
N(0, 1) density (normalised to sum 1): the reference scale is the one the active calibration
fixed to N(0, 1), and the weights concentrate the agreement where the learners are. With
``symmetric=True`` the criterion adds the reverse term (reference anchors transformed onto the
new scale, compared with ``TCC_new`` on the same points of the new scale; Haebara, 1980, used
this symmetry; Kim & Lee, 2006). ``F`` is minimised as a nonlinear least-squares problem with
its analytic Jacobian (``scipy.optimize.least_squares``, trust-region reflective, ``A`` kept in
``[0.01, 100]``) started from the mean/sigma constants: deterministic, no random start.

**Mean/sigma** (Marco, 1977), reported as a check: ``A = sd(b_ref) / sd(b_new)``,
``B = mean(b_ref) - A mean(b_new)`` on the anchors kept.

**Drift** (anchors whose parameters changed between the two calibrations, e.g. an item that
became known): after each link, each anchor's displacement is
``d_j = (A b_new_j + B) - b_ref_j``. Among the anchors kept, the one with the largest ``|d_j|``
is dropped when both

- ``|d_j| > drift_threshold`` (default 0.3 logit, a displacement that changes a learner's
  level near a cut score; 0.3 logit is the usual displacement rule of Rasch-based programmes),
- and its robust z, ``(d_j - median(d)) / (0.74 IQR(d))`` with the median and interquartile
  range of all the anchors given, exceeds ``robust_z`` in absolute value (default 1.645;
  Huynh & Meyer, 2010), so that an item is only dropped when it stands out from the others.
  The median and IQR are those of every anchor (dropped ones included, at the current link):
  over the anchors kept, the spread would shrink with each drop and the rule would go on
  dropping sound anchors;

then the link is recomputed and the rule applied again, never below ``min_anchors`` anchors.
``robust_z=None`` uses the logit threshold alone. Ties in ``|d_j|`` (within the engine's tie
tolerance) drop the anchor given first.

References: Stocking, M. L., & Lord, F. M. (1983). Developing a common metric in item response
theory. *Applied Psychological Measurement*, 7, 201-210. Marco, G. L. (1977). Item
characteristic curve solutions to three intractable testing problems. *Journal of Educational
Measurement*, 14, 139-160. Haebara, T. (1980). Equating logistic ability scales by a weighted
least squares method. *Japanese Psychological Research*, 22, 144-149. Kim, S., & Lee, W.-C.
(2006). An extension of four IRT linking methods for mixed-format tests. *Journal of
Educational Measurement*, 43, 53-76. Huynh, H., & Meyer, P. (2010). Use of robust z in
detecting unstable items in item response theory models. *Practical Assessment, Research &
Evaluation*, 15(2). Kolen, M. J., & Brennan, R. L. (2014). *Test equating, scaling, and
linking* (3rd ed.), ch. 6. Springer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import least_squares
from scipy.special import expit

from palier.engine.arrays import FloatArray
from palier.engine.ties import first_best, tolerance

#: Quadrature of the Stocking-Lord criterion: points on +-bound of the reference scale.
DEFAULT_QUADRATURE_POINTS = 41
DEFAULT_QUADRATURE_BOUND = 4.0
#: An anchor whose displacement exceeds this (logits) may be dropped for drift.
DEFAULT_DRIFT_THRESHOLD = 0.3
#: ... if its robust z also exceeds this (Huynh & Meyer, 2010).
DEFAULT_ROBUST_Z = 1.645
#: Fewest anchors a link may use (and may be given).
DEFAULT_MIN_ANCHORS = 5
#: 0.74 IQR estimates the SD of a normal distribution (IQR = 1.349 SD).
IQR_TO_SD = 0.74
#: Bounds of the slope during optimisation (a wider change of scale is a data error).
MIN_SLOPE, MAX_SLOPE = 0.01, 100.0
#: Convergence tolerance of the least-squares solver (on A, B and the criterion).
SOLVER_TOLERANCE = 1e-12


@dataclass(frozen=True, eq=False)
class Linking:
    """Constants putting a new calibration on the reference scale, and how they were found.

    ``theta_ref = slope * theta_new + intercept``; :func:`transform` applies them to items.
    """

    slope: float
    intercept: float
    #: Mean/sigma constants on the anchors kept (a check on the Stocking-Lord ones).
    mean_sigma_slope: float
    mean_sigma_intercept: float
    #: Positions in the anchor arrays given, increasing.
    anchors_used: tuple[int, ...]
    #: Positions dropped for drift, in the order they were dropped.
    anchors_dropped: tuple[int, ...]
    #: Per anchor given (kept or dropped): ``slope * b_new + intercept - b_ref``, final link.
    displacement: FloatArray
    #: Stocking-Lord criterion at the solution (weights sum to 1, so a mean squared TCC gap).
    criterion: float


def _parameters(
    a: ArrayLike, b: ArrayLike, c: ArrayLike | None, name: str, size: int | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    discrimination = np.asarray(a, dtype=np.float64)
    difficulty = np.asarray(b, dtype=np.float64)
    if discrimination.ndim != 1 or difficulty.shape != discrimination.shape:
        raise ValueError(f"{name}_a and {name}_b must be 1-D arrays of equal length")
    if size is not None and discrimination.size != size:
        raise ValueError(
            f"new and reference anchors must have equal lengths, got {size} and "
            f"{discrimination.size}"
        )
    if not (np.all(np.isfinite(discrimination)) and np.all(np.isfinite(difficulty))):
        raise ValueError(f"{name} anchor parameters must be finite")
    if np.any(discrimination <= 0):
        raise ValueError(f"{name} anchor discriminations must be > 0")
    if c is None:
        guessing = np.zeros_like(discrimination)
    else:
        guessing = np.asarray(c, dtype=np.float64)
        if guessing.shape != discrimination.shape:
            raise ValueError(f"{name}_c must have the length of {name}_a")
        if not np.all((guessing >= 0) & (guessing < 1)):
            raise ValueError(f"{name} anchor guessing parameters must lie in [0, 1)")
    return discrimination, difficulty, guessing


def transform(
    a: ArrayLike, b: ArrayLike, slope: float, intercept: float
) -> tuple[FloatArray, FloatArray]:
    """Item parameters onto the reference scale: ``a / A`` and ``A b + B`` (``c`` unchanged)."""
    if not (np.isfinite(slope) and slope > 0 and np.isfinite(intercept)):
        raise ValueError("slope must be finite and > 0, intercept finite")
    discrimination = np.asarray(a, dtype=np.float64)
    difficulty = np.asarray(b, dtype=np.float64)
    return (
        np.asarray(discrimination / slope, dtype=np.float64),
        np.asarray(slope * difficulty + intercept, dtype=np.float64),
    )


def mean_sigma(new_b: ArrayLike, ref_b: ArrayLike) -> tuple[float, float]:
    """Mean/sigma constants (Marco, 1977): ``A = sd(b_ref) / sd(b_new)``,
    ``B = mean(b_ref) - A mean(b_new)``, from the anchors' difficulties on both scales."""
    new = np.asarray(new_b, dtype=np.float64)
    ref = np.asarray(ref_b, dtype=np.float64)
    if new.ndim != 1 or new.shape != ref.shape:
        raise ValueError("new_b and ref_b must be 1-D arrays of equal length")
    if new.size < 2:
        raise ValueError("mean/sigma needs at least 2 anchors")
    if not (np.all(np.isfinite(new)) and np.all(np.isfinite(ref))):
        raise ValueError("anchor difficulties must be finite")
    new_sd = float(np.std(new))
    if new_sd <= float(tolerance(np.max(np.abs(new)))):
        raise ValueError("the anchors' new difficulties are all equal: the scale is not defined")
    slope = float(np.std(ref)) / new_sd
    return slope, float(np.mean(ref)) - slope * float(np.mean(new))


def _quadrature(points: int, bound: float) -> tuple[FloatArray, FloatArray]:
    nodes = np.linspace(-bound, bound, points)
    density = np.exp(-0.5 * nodes * nodes)
    return nodes, np.sqrt(density / density.sum())


def _sl_residuals_and_jacobian(
    constants: FloatArray,
    new: tuple[FloatArray, FloatArray, FloatArray],
    ref: tuple[FloatArray, FloatArray, FloatArray],
    nodes: FloatArray,
    root_weights: FloatArray,
    symmetric: bool,
) -> tuple[FloatArray, FloatArray]:
    """Weighted TCC gaps at the nodes and their derivatives in ``(A, B)``.

    Forward term: ``z = a_new (u - b_new)`` with ``u = (theta - B) / A``, so
    ``dz/dA = -a_new u / A`` and ``dz/dB = -a_new / A``. Reverse term (reference items on the
    new scale): ``z = a_ref (A theta + B - b_ref)``, ``dz/dA = a_ref theta``, ``dz/dB = a_ref``.
    """
    slope, intercept = float(constants[0]), float(constants[1])
    a_new, b_new, c_new = new
    a_ref, b_ref, c_ref = ref
    column = nodes[:, None]

    def curve(a: FloatArray, b: FloatArray, c: FloatArray, theta: FloatArray) -> FloatArray:
        return np.asarray((c + (1 - c) * expit(a * (theta - b))).sum(axis=1), dtype=np.float64)

    u = (column - intercept) / slope
    logistic = expit(a_new * (u - b_new))
    slope_term = (1 - c_new) * logistic * (1 - logistic) * a_new
    transformed = (c_new + (1 - c_new) * logistic).sum(axis=1)
    residual = root_weights * (curve(a_ref, b_ref, c_ref, column) - transformed)
    jacobian = np.column_stack(
        (
            root_weights * (slope_term * u).sum(axis=1) / slope,
            root_weights * slope_term.sum(axis=1) / slope,
        )
    )
    if not symmetric:
        return residual, jacobian
    reverse_logistic = expit(a_ref * (slope * column + intercept - b_ref))
    reverse_term = (1 - c_ref) * reverse_logistic * (1 - reverse_logistic) * a_ref
    reverse_transformed = (c_ref + (1 - c_ref) * reverse_logistic).sum(axis=1)
    reverse_residual = root_weights * (curve(a_new, b_new, c_new, column) - reverse_transformed)
    reverse_jacobian = np.column_stack(
        (
            -root_weights * (reverse_term * column).sum(axis=1),
            -root_weights * reverse_term.sum(axis=1),
        )
    )
    return (
        np.concatenate((residual, reverse_residual)),
        np.vstack((jacobian, reverse_jacobian)),
    )


def _link(
    new: tuple[FloatArray, FloatArray, FloatArray],
    ref: tuple[FloatArray, FloatArray, FloatArray],
    nodes: FloatArray,
    root_weights: FloatArray,
    symmetric: bool,
    start: tuple[float, float],
) -> tuple[float, float, float]:
    """Stocking-Lord constants and criterion for one set of anchors."""
    cache: dict[bytes, tuple[FloatArray, FloatArray]] = {}

    def evaluate(constants: FloatArray) -> tuple[FloatArray, FloatArray]:
        key = constants.tobytes()
        if key not in cache:
            cache.clear()
            cache[key] = _sl_residuals_and_jacobian(
                constants, new, ref, nodes, root_weights, symmetric
            )
        return cache[key]

    initial = np.array([min(max(start[0], MIN_SLOPE), MAX_SLOPE), start[1]])
    result = least_squares(
        lambda constants: evaluate(constants)[0],
        initial,
        jac=lambda constants: evaluate(constants)[1],
        bounds=([MIN_SLOPE, -np.inf], [MAX_SLOPE, np.inf]),
        method="trf",
        xtol=SOLVER_TOLERANCE,
        ftol=SOLVER_TOLERANCE,
        gtol=SOLVER_TOLERANCE,
    )
    if result.status <= 0:
        raise ValueError(f"Stocking-Lord linking did not converge: {result.message}")
    residual = evaluate(result.x)[0]
    return float(result.x[0]), float(result.x[1]), float(residual @ residual)


def _drifting(displacement: FloatArray, kept: list[int], threshold: float, z: float | None) -> int:
    """Position (in the anchors given) of the anchor to drop, or -1 if none drifts."""
    kept_displacement = displacement[kept]
    worst = first_best(np.abs(kept_displacement))
    size = abs(float(kept_displacement[worst]))
    if size - threshold <= float(tolerance(threshold)):
        return -1
    if z is not None:
        low, median, high = np.quantile(displacement, [0.25, 0.5, 0.75])
        spread = IQR_TO_SD * float(high - low)
        deviation = abs(float(kept_displacement[worst]) - float(median))
        # A zero spread (most anchors agree exactly) makes any deviating anchor stand out.
        if deviation <= z * spread:
            return -1
    return kept[worst]


def stocking_lord(
    new_a: ArrayLike,
    new_b: ArrayLike,
    ref_a: ArrayLike,
    ref_b: ArrayLike,
    new_c: ArrayLike | None = None,
    ref_c: ArrayLike | None = None,
    *,
    drift_threshold: float = DEFAULT_DRIFT_THRESHOLD,
    robust_z: float | None = DEFAULT_ROBUST_Z,
    min_anchors: int = DEFAULT_MIN_ANCHORS,
    symmetric: bool = False,
    quadrature_points: int = DEFAULT_QUADRATURE_POINTS,
    quadrature_bound: float = DEFAULT_QUADRATURE_BOUND,
) -> Linking:
    """Stocking-Lord linking of a new calibration to the reference scale, dropping drifted
    anchors (rule in the module docstring).

    Position ``j`` of every array is the same anchor item in the new and the reference
    calibration; ``new_c`` and ``ref_c`` are the 3PL lower asymptotes (zero when omitted).
    ``drift_threshold=inf`` keeps every anchor. Raises ``ValueError`` for invalid parameters,
    fewer than ``min_anchors`` anchors, or anchors whose new difficulties are all equal.
    """
    new = _parameters(new_a, new_b, new_c, "new", None)
    ref = _parameters(ref_a, ref_b, ref_c, "ref", new[0].size)
    if min_anchors < 2:
        raise ValueError("min_anchors must be at least 2 (a slope and an intercept)")
    if new[0].size < min_anchors:
        raise ValueError(f"{new[0].size} anchors given, at least {min_anchors} are needed")
    if not drift_threshold >= 0:
        raise ValueError("drift_threshold must be >= 0 (inf keeps every anchor)")
    if robust_z is not None and not robust_z >= 0:
        raise ValueError("robust_z must be >= 0 or None")
    if quadrature_points < 3 or not (np.isfinite(quadrature_bound) and quadrature_bound > 0):
        raise ValueError("quadrature_points must be >= 3 and quadrature_bound finite and > 0")
    nodes, root_weights = _quadrature(quadrature_points, quadrature_bound)
    kept = list(range(new[0].size))
    dropped: list[int] = []
    while True:
        start = mean_sigma(new[1][kept], ref[1][kept])
        slope, intercept, criterion = _link(
            (new[0][kept], new[1][kept], new[2][kept]),
            (ref[0][kept], ref[1][kept], ref[2][kept]),
            nodes,
            root_weights,
            symmetric,
            start,
        )
        displacement = slope * new[1] + intercept - ref[1]
        if len(kept) <= min_anchors:
            break
        drifting = _drifting(displacement, kept, drift_threshold, robust_z)
        if drifting < 0:
            break
        kept.remove(drifting)
        dropped.append(drifting)
    return Linking(
        slope=slope,
        intercept=intercept,
        mean_sigma_slope=start[0],
        mean_sigma_intercept=start[1],
        anchors_used=tuple(kept),
        anchors_dropped=tuple(dropped),
        displacement=np.asarray(displacement, dtype=np.float64),
        criterion=criterion,
    )
