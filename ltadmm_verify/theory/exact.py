r"""Exact analysis of any algorithm on a quadratic problem, traced from its code (SPEC 3 and 7).

For ``f_i(x) = x^T H_i x / 2 - h_i^T x`` with exact local gradients (plus Gaussian noise
``xi ~ N(0, sigma2/d I_d)`` per gradient call), one round of any traceable algorithm is an affine,
time-invariant map. :func:`affine_map` obtains it by running the algorithm's own ``initialize`` and
``step`` on coefficient arrays (:mod:`.trace`) with :class:`QuadraticOracle`, which answers every
query with the exact gradient on coefficients; the state is then reduced to the part that is
reachable from the start and observable in the models ``x`` (the hand reduction of SPEC 3, which
drops the cycle space of LT-ADMM's ``z``, is one instance). What follows from the map:

- :func:`spectral_radius`: ``< 1`` iff the deterministic iteration converges; the exact linear rate.
- :func:`critical_step_size`: the largest step (the algorithm's declared step parameters scaled
  together, ratios kept) keeping the radius below 1: scan, then bisection.
- :func:`expected_metrics`, :func:`stationary_covariance`, :func:`noise_floor`: the exact mean and
  covariance recursions ``m+ = T m + b``, ``C+ = T C T^T + (sigma2/d) G G^T``, their stationary
  solution (discrete Lyapunov equation) and the expected metrics of every round.

The local loop :meth:`~ltadmm_verify.algorithms.oracles.Oracle.local_steps` is evaluated by powers by
squaring, ``phi^tau = M^tau x + S_tau (eta h - delta)`` with ``M = (1 - s) I - eta H``,
``S_tau = sum_{t<tau} M^t``, and the noise it accumulates, ``-eta sum_t M^{tau-1-t} xi_t``, as ``d``
fresh noise symbols per agent with covariance ``(sigma2/d) eta^2 W_tau``, ``W_tau = sum_t M^t M^{tT}``:
the trace costs ``O(log tau)``. A round that loops over ``oracle.gradient`` itself is traced step by
step (``O(tau)``).

Minibatches and the SAGA estimate: the stochastic gradient of a quadratic is affine in the iterate
with random coefficients independent of it, so the *mean* of the iterates follows the same map
(radius ``>= 1``: the mean, hence the run, diverges). The covariance recursion is exact only for
exact gradients plus Gaussian noise (``batch_size=None``, or every ``m_i = 1``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg as sla
import scipy.optimize as so

from .._validation import integer_at_least, positive_float
from ..algorithms.base import Algorithm
from ..algorithms.gradient_tables import OracleMemory
from ..algorithms.oracles import GaussianNoise, Oracle
from ..algorithms.run import _initial_models
from ..backends.base import Backend
from ..errors import InvalidParameterError, InvalidProblemError
from ..network import Network
from ..problems.base import FloatArray, Problem
from .trace import (
    NonlinearRoundError,
    Reduction,
    StateLayout,
    SymbolAllocator,
    TraceTooLargeError,
    check_linear,
    reduce,
    state_layout,
    trace_round,
    trace_state,
)

#: Largest scalar state dimension (traced rows times ``d``) the dense exact analysis accepts.
#: Measured (one core): a critical step at dimension 600 (N = 10, d = 20, LT-ADMM ring) takes 4 s,
#: the eigenvalues of the reduced map dominate (cubic in the dimension).
MAX_STATE_DIMENSION = 1500
#: Scan points between the first stable and the first unstable step size (critical_step_size).
SCAN_POINTS = 24


class NoStableStepError(InvalidParameterError):
    """The critical-step search found no stable step, or no unstable one."""


# ---------------------------------------------------------------------------- problem data
def quadratic_data(problem: Problem) -> tuple[FloatArray, FloatArray]:
    """``(H, h)`` of a quadratic problem, raising a clear error for any other problem."""
    form = getattr(problem, "quadratic_form", None)
    if form is None:
        raise InvalidProblemError(
            "exact analysis needs a quadratic problem with a quadratic_form() (LeastSquares or "
            f"Quadratic), got {type(problem).__name__}")
    H, h = form()
    return np.asarray(H, dtype=np.float64), np.asarray(h, dtype=np.float64)


def is_quadratic(problem: Problem) -> bool:
    """Whether ``problem`` exposes ``quadratic_form()`` (the exact analysis applies to its mean)."""
    return callable(getattr(problem, "quadratic_form", None))


def exact_gradients(algorithm: Any, problem: Problem) -> bool:
    """Whether every local step uses the exact local gradient (plus optional Gaussian noise).

    True for ``batch_size=None`` and for problems with ``m_i = 1`` for every agent (a minibatch then
    is the whole local data set and the SAGA estimate reduces to the plain gradient).
    """
    return getattr(algorithm, "batch_size", None) is None or int(problem.n_samples.max()) == 1


# ---------------------------------------------------------------------------- the oracle
class _NoMemory(OracleMemory):
    """The SAGA memory of the exact-gradient trace (its mean map does not need it)."""


def power_sums(M: FloatArray, n: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``(M^n, sum_{t<n} M^t, sum_{t<n} M^t M^{tT})`` for a stack ``(N, d, d)``, by squaring.

    Combining counts ``a`` and ``b``: ``P_{a+b} = P_a P_b``, ``S_{a+b} = S_a + P_a S_b``,
    ``W_{a+b} = W_a + P_a W_b P_a^T``: ``O(log n)`` batched products.
    """
    eye = np.broadcast_to(np.eye(M.shape[1]), M.shape)

    def combine(x: tuple[FloatArray, FloatArray, FloatArray],
                y: tuple[FloatArray, FloatArray, FloatArray]) -> tuple[FloatArray, FloatArray, FloatArray]:
        P, S, W = x
        return P @ y[0], S + P @ y[1], W + P @ y[2] @ P.transpose(0, 2, 1)

    result = (eye.copy(), np.zeros_like(M), np.zeros_like(M))
    square = (M.copy(), eye.copy(), eye.copy())
    while n:
        if n & 1:
            result = combine(result, square)
        n >>= 1
        if n:
            square = combine(square, square)
    return result


class QuadraticOracle(Oracle):
    r"""Exact gradients of ``f_i = x^T H_i x / 2 - h_i^T x`` on coefficient arrays.

    An array of the trace has shape ``(rows, d S)``: entry ``[r, a S + s]`` is the coefficient of
    scalar symbol ``s`` in coordinate ``a`` of row ``r``. Symbol ``const`` is the constant 1 (it
    carries ``h``); with ``noisy=True`` every gradient call (and every ``local_steps`` call) adds
    fresh noise symbols, each of variance ``sigma2 / d``. ``scale`` multiplies every input symbol
    (the linearity check of :func:`~.trace.check_linear`).
    """

    def __init__(self, H: FloatArray, h: FloatArray, symbols: SymbolAllocator, const: int,
                 noisy: bool, scale: float = 1.0) -> None:
        self.H, self.h = H, h
        self.n, self.d = h.shape
        self.symbols = symbols
        self.const = const
        self.noisy = noisy
        self.scale = scale
        self._inverse: dict[bytes, FloatArray] = {}

    def _view(self, X: FloatArray) -> FloatArray:
        return X.reshape(self.n, self.d, -1)

    def _add_noise(self, G: FloatArray, coefficient: FloatArray) -> None:
        """Add ``coefficient_i @ nu_i`` with ``d`` fresh noise symbols ``nu_i`` per agent."""
        column = self.symbols.take(self.n * self.d)
        if column is None:
            return
        cols = column + np.arange(self.n * self.d).reshape(self.n, self.d)
        G[np.arange(self.n)[:, None, None], np.arange(self.d)[None, :, None], cols[:, None, :]] += (
            self.scale * coefficient)

    def gradient(self, X: FloatArray, k: int, t: int) -> FloatArray:
        G = np.einsum("nab,nbs->nas", self.H, self._view(X))
        G[:, :, self.const] -= self.scale * self.h
        if self.noisy:
            self._add_noise(G, np.broadcast_to(np.eye(self.d), (self.n, self.d, self.d)))
        return G.reshape(X.shape)

    def gradient_table(self, X: FloatArray, updates: int | None = None) -> OracleMemory:
        return _NoMemory()

    def variance_reduced_gradient(self, X: FloatArray, table: OracleMemory, k: int, t: int) -> FloatArray:
        return self.gradient(X, k, t)

    def local_solve(self, V: FloatArray, r: FloatArray, start: FloatArray, k: int,
                    inner_steps: int) -> FloatArray:
        key = r.tobytes()
        if key not in self._inverse:
            self._inverse[key] = np.asarray(np.linalg.inv(self.H + r[:, :, None] * np.eye(self.d)),
                                            dtype=np.float64)
        inverse = self._inverse[key]
        X = np.einsum("nab,nbs->nas", inverse, self._view(V))
        X[:, :, self.const] += self.scale * np.einsum("nab,nb->na", inverse, self.h)
        return X.reshape(V.shape)

    def local_steps(self, x: FloatArray, *, steps: int, k: int, step: float,
                    drift: FloatArray | float = 0.0, shrink: FloatArray | None = None,
                    table: OracleMemory | None = None) -> FloatArray:
        s = np.zeros(self.n) if shrink is None else np.broadcast_to(shrink, (self.n, 1))[:, 0]
        M = (1.0 - s)[:, None, None] * np.eye(self.d) - step * self.H
        P, S, W = power_sums(M, steps)
        forcing = -np.broadcast_to(drift, x.shape).reshape(self.n, self.d, -1).copy()
        forcing[:, :, self.const] += self.scale * step * self.h
        phi = (np.einsum("nab,nbs->nas", P, self._view(x))
               + np.einsum("nab,nbs->nas", S, forcing))
        if self.noisy and steps > 0:
            self._add_noise(phi, np.asarray(-step * np.linalg.cholesky(W), dtype=np.float64))
        return phi.reshape(x.shape)


# ---------------------------------------------------------------------------- the affine map
@dataclass(frozen=True)
class AffineMap:
    r"""One round of an algorithm on a quadratic, reduced: ``z_{k+1} = T z_k + b + G nu_k``.

    ``nu_k`` are the round's noise symbols, i.i.d. ``N(0, sigma2/d)``; the models are
    ``x_k = X z_k`` (agent-major, as ``x.ravel()``) for ``k >= 1``. The first round leaves the
    unreduced initial state: ``z_1 = T0 x_0 + b0 + G nu_0``.

    Attributes
    ----------
    T, b, G, X, T0, b0 : ndarray
    n_agents, dim : int
    full_size : int
        Scalar dimension of the unreduced traced state.
    reduction : Reduction
        The reduced coordinates ``z = P s`` of the traced state ``s``.
    """

    T: FloatArray
    b: FloatArray
    G: FloatArray
    X: FloatArray
    T0: FloatArray
    b0: FloatArray
    n_agents: int
    dim: int
    full_size: int
    reduction: Reduction

    @property
    def size(self) -> int:
        """Dimension of the reduced state."""
        return int(self.T.shape[0])

    def spectral_radius(self) -> float:
        """``max |eig(T)|`` (0 for an empty reduced state)."""
        return float(np.abs(np.linalg.eigvals(self.T)).max()) if self.size else 0.0

    def fixed_point(self) -> FloatArray:
        """``z* = (I - T)^{-1} b`` (exists when 1 is not an eigenvalue of ``T``)."""
        return np.asarray(np.linalg.solve(np.eye(self.size) - self.T, self.b))

    def noise_input(self) -> FloatArray:
        """``G G^T``: the covariance added per round per unit ``sigma2 / d``."""
        return np.asarray(self.G @ self.G.T)


def _check_sizes(problem: Problem, network: Network, H: FloatArray) -> None:
    if network.n_agents != H.shape[0]:
        raise InvalidProblemError(
            f"problem has {H.shape[0]} agents but network has {network.n_agents} nodes; they must match")


@dataclass(frozen=True)
class TracedRound:
    """One round on a quadratic as traced, unreduced: ``s+ = A s + b + G nu``, ``x = X s``.

    The first round from the models ``x_0``: ``s_1 = A S0x x_0 + first + G nu_0``.
    """

    A: FloatArray
    b: FloatArray
    G: FloatArray
    X: FloatArray
    S0x: FloatArray
    first: FloatArray
    n_agents: int
    dim: int

    def reduce(self, basis: Reduction | None = None) -> AffineMap:
        """The reduced :class:`AffineMap` (reachable from the start and the inputs, observable in
        ``x``), or its restriction to the coordinates ``basis``."""
        A, X = self.A, self.X
        red = basis if basis is not None else reduce(
            A, np.column_stack([A @ self.S0x, self.first, self.b, self.G]), X)
        P, E = red.P, red.E
        return AffineMap(T=P @ A @ E, b=P @ self.b, G=P @ self.G, X=X @ E, T0=P @ A @ self.S0x,
                         b0=P @ self.first, n_agents=self.n_agents, dim=self.dim,
                         full_size=A.shape[0], reduction=red)


def trace_quadratic(algorithm: Algorithm, problem: Problem, network: Network, *, noisy: bool = False,
                    hessians: tuple[FloatArray, FloatArray] | None = None, check: bool = True,
                    make_backend: Callable[[SymbolAllocator], Backend] | None = None) -> TracedRound:
    """Trace one round of ``algorithm`` on the quadratic ``problem``, unreduced (:class:`TracedRound`).

    Parameters as in :func:`affine_map`; ``make_backend`` is the transport of the trace
    (:func:`~.trace.trace_round`; default the simulator: an ideal network).

    Raises
    ------
    TraceTooLargeError
        When the traced state exceeds :data:`MAX_STATE_DIMENSION` (checked before the big trace).
    """
    H, h = quadratic_data(problem) if hessians is None else hessians
    _check_sizes(problem, network, H)
    algorithm.validate_for(problem)
    n, d = h.shape

    def init_basis(width: int, rows: int) -> FloatArray:
        out = np.zeros((rows, d, width))
        out[np.arange(rows)[:, None], np.arange(d)[None, :], np.arange(rows * d).reshape(rows, d)] = 1.0
        return out.reshape(rows, d * width)

    init_const = n * d

    def init_oracle(alloc: SymbolAllocator) -> Oracle:
        return QuadraticOracle(H, h, alloc, init_const, False)

    state, _, init_width = trace_state(algorithm, network, problem, init_oracle, init_basis, n * d + 1)
    layout = state_layout(state)
    ns = layout.rows * d
    if ns > MAX_STATE_DIMENSION:
        raise TraceTooLargeError(
            f"the exact analysis of {type(algorithm).__name__} on N={n}, d={d} has a traced state of "
            f"dimension {ns} > MAX_STATE_DIMENSION = {MAX_STATE_DIMENSION}; use the matrix-free "
            "estimate (theory.admissibility) or a smaller instance")
    S0 = layout.stack(state).reshape(ns, init_width)
    const = ns

    def state_symbols(scale: float) -> Callable[[StateLayout, int], FloatArray]:
        def build(lay: StateLayout, width: int) -> FloatArray:
            out = np.zeros((lay.rows, d, width))
            rows = np.arange(lay.rows)
            out[rows[:, None], np.arange(d)[None, :], (rows[:, None] * d + np.arange(d))] = scale
            return out.reshape(lay.rows, d * width)
        return build

    def run(scale: float, k: int) -> tuple[FloatArray, int]:
        nxt, _, width, _ = trace_round(
            algorithm, network, problem, state,
            lambda alloc: QuadraticOracle(H, h, alloc, const, noisy, scale), state_symbols(scale),
            ns + 1, k, make_backend=make_backend)
        return nxt.reshape(ns, width), width

    full, _ = check_linear(run, f"the round of {type(algorithm).__name__}") if check else run(1.0, 0)
    A, b_full, G_full = full[:, :ns], full[:, const], full[:, ns + 1:]
    X_full = np.zeros((n * d, ns))
    x_rows = layout.offsets()["x"] * d + np.arange(n * d)
    X_full[np.arange(n * d), x_rows] = 1.0
    S0x, S0c = S0[:, :n * d], S0[:, init_const]
    return TracedRound(A=A, b=b_full, G=G_full, X=X_full, S0x=S0x, first=A @ S0c + b_full,
                       n_agents=n, dim=d)


def affine_map(algorithm: Algorithm, problem: Problem, network: Network, *, noisy: bool = False,
               hessians: tuple[FloatArray, FloatArray] | None = None,
               check: bool = True, basis: Reduction | None = None) -> AffineMap:
    """Trace one round of ``algorithm`` on the quadratic ``problem`` into its reduced :class:`AffineMap`.

    Parameters
    ----------
    algorithm : Algorithm
    problem : Problem
        A quadratic (``quadratic_form()``), unless ``hessians`` gives the model to use.
    network : Network
    noisy : bool
        Allocate noise symbols for every gradient call (needed for covariances).
    hessians : (H, h), optional
        Use ``f_i = x^T H_i x / 2 - h_i^T x`` instead of the problem's own form (a linearisation).
    check : bool
        Check that the round is linear and time-invariant (three traces instead of one).
    basis : Reduction, optional
        Reuse the reduced coordinates of an earlier map of the same structure (same algorithm class
        and network, another step size) instead of computing them (what
        :func:`critical_step_size` does between verifications).

    Raises
    ------
    TraceTooLargeError
        When the traced state exceeds :data:`MAX_STATE_DIMENSION` (checked before the big trace).
    """
    return trace_quadratic(algorithm, problem, network, noisy=noisy, hessians=hessians,
                           check=check).reduce(basis)

# ---------------------------------------------------------------------------- what follows
def spectral_radius(algorithm: Algorithm, problem: Problem, network: Network) -> float:
    """Spectral radius of the exact round map: the asymptotic linear rate on a quadratic.

    ``< 1`` iff the deterministic (full-gradient) iteration converges, and then
    ``||x_k - 1 x*|| = O((r + eps)^k)`` for every ``eps > 0``. With minibatches or noise it is the
    rate of the mean. Any traceable algorithm (:func:`affine_map`).
    """
    return affine_map(algorithm, problem, network).spectral_radius()


def critical_step_size(
    algorithm: Algorithm,
    problem: Problem,
    network: Network,
    *,
    rtol: float = 1e-6,
    hessians: tuple[FloatArray, FloatArray] | None = None,
) -> float:
    r"""The exact stability limit of the algorithm's step, its step parameters scaled together.

    Returns, as the value of the first declared step parameter (``gamma``, or ``eta_c`` for K-GT),
    ``s_c = sup{s : r(s') < 1 for every s' in (s_0, s]}``: the end of the first stable interval, ``r``
    the spectral radius (:func:`spectral_radius`; of the model ``hessians`` if given) of the
    algorithm at step ``s`` (:meth:`~ltadmm_verify.algorithms.Algorithm.with_step`: ratios between
    the step parameters kept). Because ``r`` need not be monotone in ``s``, the search is: find a
    stable ``s_0`` (halving from the algorithm's own step), double until unstable, scan
    :data:`SCAN_POINTS` geometric points in between, then bisect between the last stable and the
    first unstable scan point to relative accuracy ``rtol``. An unstable window narrower than the
    scan spacing could be missed.

    The trials reuse the reduced coordinates of the first map (the reachable and observable
    subspaces do not depend on the step for a generic step); the two ends of the answer are then
    recomputed with their own reduction, and the search is repeated without reuse if they disagree.

    Raises
    ------
    InvalidParameterError
        If the algorithm declares no step parameter.
    NoStableStepError
        If no stable step exists down to ``2^-60`` times the algorithm's own, or every step up to
        ``1e12`` is stable.
    InvalidProblemError
        If ``sum_i H_i`` is singular (the radius is then 1 for every step).
    """
    rtol = positive_float("rtol", rtol)
    if not algorithm.step_parameters:
        raise InvalidParameterError(
            f"{type(algorithm).__name__} declares no step parameter: it has no critical step size")
    if hessians is None and problem.optimum() is None:
        raise InvalidProblemError(
            "critical_step_size needs sum_i H_i positive definite (a unique optimum); the spectral "
            "radius is 1 for every step size otherwise")
    basis = affine_map(algorithm, problem, network, hessians=hessians).reduction

    def radius(step: float, reuse: bool) -> float:
        return affine_map(algorithm.with_step(step), problem, network, hessians=hessians, check=False,
                          basis=basis if reuse else None).spectral_radius()

    lo, hi = _first_stable_interval(lambda step: radius(step, True), algorithm.step_size, rtol)
    if radius(lo, False) < 1.0 <= radius(hi, False):
        return lo
    return _first_stable_interval(lambda step: radius(step, False), algorithm.step_size, rtol)[0]


def _first_stable_interval(radius: Callable[[float], float], start: float,
                           rtol: float) -> tuple[float, float]:
    """``(lo, hi)``: the last stable and first unstable step of the search of
    :func:`critical_step_size`, ``hi - lo <= rtol lo / 4``.

    After the scan, the crossing ``r(s) = 1`` between the last stable and the first unstable scan
    point is located by Brent's method on ``r(s) - 1`` (superlinear; the bracket keeps one stable
    and one unstable end throughout).
    """
    low = start
    for _ in range(60):
        if radius(low) < 1.0:
            break
        low /= 2
    else:
        raise NoStableStepError(f"no stable step size found down to 2^-60 x {start:g}: the spectral "
                                "radius is >= 1 for every step tried")
    high = 2 * low
    while radius(high) < 1.0:
        low, high = high, 2 * high
        if high > 1e12:
            raise NoStableStepError("the iteration is stable for every step size tried up to 1e12: "
                                    "no critical step")
    lo = low
    for g in np.geomspace(low, high, SCAN_POINTS)[1:]:
        if radius(float(g)) >= 1.0:
            high = float(g)
            break
        lo = float(g)
    ends = {"lo": lo, "hi": high}

    def excess(step: float) -> float:
        value = radius(step) - 1.0
        ends["lo" if value < 0 else "hi"] = step
        return value

    so.brentq(excess, lo, high, xtol=rtol * lo / 8, rtol=4 * np.finfo(float).eps, maxiter=200)
    lo, high = ends["lo"], ends["hi"]
    while high - lo > rtol * lo / 4:  # brentq's last iterate may sit on one side only
        mid = 0.5 * (lo + high)
        if radius(mid) < 1.0:
            lo = mid
        else:
            high = mid
    return lo, high


def _sigma2(noise: GaussianNoise | None) -> float:
    if noise is None:
        return 0.0
    if not isinstance(noise, GaussianNoise):
        raise InvalidParameterError(f"noise must be GaussianNoise or None, got {noise!r}")
    return noise.sigma2


def _require_exact(algorithm: Any, problem: Problem) -> None:
    if not exact_gradients(algorithm, problem):
        raise InvalidParameterError(
            "exact expectations need exact local gradients (batch_size=None, or one sample per "
            f"agent), got batch_size={algorithm.batch_size} with up to {problem.max_samples} samples")


class _MetricMap:
    """Expected metrics of Gaussian models ``x ~ (mean, cov)`` (the formulas of ``metrics.py``)."""

    def __init__(self, problem: Problem) -> None:
        H, _ = quadratic_data(problem)
        n, d = problem.n_agents, problem.dim
        self.problem = problem
        self.H_tot = H.sum(axis=0)
        self.J = np.kron(np.ones((1, n)) / n, np.eye(d))
        self.Pi = np.kron(np.eye(n) - np.ones((n, n)) / n, np.eye(d))
        self.n = n
        self.x_star = problem.optimum()
        self.f_star = None if self.x_star is None else problem.objective(self.x_star)

    def __call__(self, mx: FloatArray, Cx: FloatArray) -> dict[str, float]:
        xb = self.J @ mx
        Cb = self.J @ Cx @ self.J.T
        g = self.problem.gradient(xb)
        grad_norm_sq = float(g @ g + np.trace(self.H_tot @ Cb @ self.H_tot))
        px = self.Pi @ mx
        consensus = float((px @ px + np.trace(self.Pi @ Cx)) / self.n)
        objective = self.problem.objective(xb) + 0.5 * float(np.trace(self.H_tot @ Cb))
        out = {"grad_norm_sq": grad_norm_sq, "consensus": consensus,
               "stationarity": grad_norm_sq + consensus, "objective": objective}
        if self.x_star is not None and self.f_star is not None:
            out["opt_gap"] = objective - self.f_star
            out["dist_sq"] = float(((xb - self.x_star) ** 2).sum() + np.trace(Cb))
        return out


def expected_metrics(
    algorithm: Algorithm,
    problem: Problem,
    network: Network,
    rounds: int,
    *,
    x0: Any = None,
    noise: GaussianNoise | None = None,
    record_every: int = 1,
) -> dict[str, np.ndarray]:
    r"""Exact ``E[M_k]`` of every recorded metric, as ``RunResult.history`` would hold it.

    Propagates ``m_1 = T0 x_0 + b0``, ``C_1 = s G G^T`` and ``m+ = T m + b``,
    ``C+ = T C T^T + s G G^T`` (``s = sigma2 / d``), and evaluates at ``x = X z``, with
    ``x_bar = J x``: ``E||grad F(x_bar)||^2 = ||grad F(E x_bar)||^2 + tr(H C_bar H)``,
    ``E consensus = (||Pi m_x||^2 + tr(Pi C_x)) / N``, ``E F(x_bar) = F(E x_bar) + tr(H C_bar)/2``,
    ``E||x_bar - x*||^2 = ||E x_bar - x*||^2 + tr(C_bar)`` (``H = sum_i H_i``). Rounds recorded as
    by the run loop: ``0, r, 2r, ...`` and ``rounds``.
    """
    rounds = integer_at_least("rounds", rounds, 1)
    record_every = integer_at_least("record_every", record_every, 1)
    sigma2 = _sigma2(noise)
    _require_exact(algorithm, problem)
    amap = affine_map(algorithm, problem, network, noisy=sigma2 > 0)
    metric = _MetricMap(problem)
    x_0 = _initial_models(x0, problem).ravel()
    rows = [{"round": 0.0, **metric(x_0, np.zeros((x_0.size, x_0.size)))}]
    W = sigma2 / problem.dim * amap.noise_input() if sigma2 > 0 else None
    mean = amap.T0 @ x_0 + amap.b0
    cov = W if W is not None else np.zeros((amap.size, amap.size))
    for k in range(1, rounds + 1):
        if k > 1:
            mean = amap.T @ mean + amap.b
            if W is not None:
                cov = amap.T @ cov @ amap.T.T + W
        if k % record_every == 0 or k == rounds:
            rows.append({"round": float(k), **metric(amap.X @ mean, amap.X @ cov @ amap.X.T)})
    history = {name: np.array([row[name] for row in rows]) for name in rows[0]}
    history["round"] = history["round"].astype(np.int64)
    return history


def _stationary(algorithm: Algorithm, problem: Problem, network: Network,
                noise: GaussianNoise) -> tuple[AffineMap, FloatArray, FloatArray]:
    sigma2 = _sigma2(noise)
    _require_exact(algorithm, problem)
    amap = affine_map(algorithm, problem, network, noisy=sigma2 > 0)
    radius = amap.spectral_radius()
    if radius >= 1.0:
        raise InvalidParameterError(
            f"no stationary distribution: the exact spectral radius is {radius:.6g} >= 1 "
            "(the iteration diverges); lower the step size")
    if sigma2 > 0:
        W = sigma2 / problem.dim * amap.noise_input()
        cov = sla.solve_discrete_lyapunov(amap.T, 0.5 * (W + W.T))
    else:
        cov = np.zeros((amap.size, amap.size))
    return amap, amap.fixed_point(), 0.5 * (cov + cov.T)


def stationary_covariance(algorithm: Algorithm, problem: Problem, network: Network,
                          noise: GaussianNoise) -> FloatArray:
    r"""Stationary covariance of the models ``x`` (``(N d, N d)``, agent-major) under Gaussian noise.

    Solves the discrete Lyapunov equation ``C = T C T^T + (sigma2/d) G G^T`` on the reduced state
    (``scipy.linalg.solve_discrete_lyapunov``) and returns ``X C X^T``. Needs spectral radius < 1.
    """
    amap, _, cov = _stationary(algorithm, problem, network, noise)
    return np.asarray(amap.X @ cov @ amap.X.T)


def noise_floor(algorithm: Algorithm, problem: Problem, network: Network,
                noise: GaussianNoise) -> dict[str, float]:
    """The exact stationary expectation ``lim_k E[M_k]`` of every recorded metric (the noise floor).

    The mean converges to the fixed point; the floor is the expected metrics at the fixed point and
    the stationary covariance (:func:`stationary_covariance`).
    """
    amap, mean, cov = _stationary(algorithm, problem, network, noise)
    return _MetricMap(problem)(amap.X @ mean, amap.X @ cov @ amap.X.T)


__all__ = [
    "MAX_STATE_DIMENSION",
    "SCAN_POINTS",
    "AffineMap",
    "NoStableStepError",
    "NonlinearRoundError",
    "QuadraticOracle",
    "TracedRound",
    "affine_map",
    "critical_step_size",
    "exact_gradients",
    "expected_metrics",
    "is_quadratic",
    "noise_floor",
    "power_sums",
    "quadratic_data",
    "spectral_radius",
    "stationary_covariance",
    "trace_quadratic",
]
