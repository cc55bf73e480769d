r"""Exact linear analysis of LT-ADMM on quadratic problems (SPEC section 3).

For ``f_i(x) = x^T H_i x / 2 - h_i^T x (+ const)`` (:class:`~ltadmm_verify.problems.Quadratic`,
:class:`~ltadmm_verify.problems.LeastSquares`) with full local gradients, one round of LT-ADMM
(:class:`~ltadmm_verify.algorithms.LTADMM`) is an affine, time-invariant map. This module builds it,
derived from the code of ``algorithms/ltadmm.py`` (the reference), not from the paper.

Derivation (our own)
--------------------
Write ``y_i = sum_{j in N_i} z_ij``, ``w_i = sum_{j in N_i} z_ji``, ``D`` the degree matrix, ``A`` the
adjacency matrix and ``L_G = D - A``. With ``R`` the edge reversal, the z-update of the code is
``z+ = (1 - alpha) z - alpha R z + 2 alpha rho x+_{target}``; summing over the edges that leave
(enter) each agent gives the closed system

.. math::

    y_{k+1} &= (1-\alpha) y_k - \alpha w_k + 2\alpha\rho A x_{k+1}, \qquad
    w_{k+1} = (1-\alpha) w_k - \alpha y_k + 2\alpha\rho D x_{k+1},\\
    s_{k+1} &= (1 - 2\alpha) s_k + 2\alpha\rho (D + A) x_{k+1}, \qquad
    u_{k+1} = u_k - 2\alpha\rho L_G x_{k+1},

for ``s = y + w`` and ``u = y - w``; ``y = (s + u)/2``. The part of ``z`` on the graph's cycle space
(antisymmetric flows without divergence) never reaches ``x`` and is not represented. The
initialisation ``z_{ij,0} = x_{i,0}`` gives ``s_0 = (D + A) x_0`` and ``u_0 = L_G x_0``; ``u`` stays in
``1^perp (x) R^d`` and is stored as ``v = Q^T u`` with ``Q`` an orthonormal basis of ``1^perp``.

Local steps, all matrices block diagonal over agents (``(x)`` a Kronecker product with ``I_d``):

- ``penalty="frozen"``: ``c = rho D x - y`` and ``phi^{t+1} = M phi^t + gamma h - beta c - gamma xi_t``
  with ``M = I - gamma H``, hence ``x+ = (M^tau - beta rho S D) x + beta S y + gamma S h - gamma
  sum_t M^{tau-1-t} xi_t``, ``S = sum_{s<tau} M^s``.
- ``penalty="inner"``: ``phi^{t+1} = M' phi^t + gamma (h + y) - gamma xi_t`` with
  ``M' = I - gamma (H + rho D)``, hence ``x+ = M'^tau x + gamma S' (y + h) - gamma sum_t
  M'^{tau-1-t} xi_t``.

So ``x+ = P x + Y y + b + n`` and the lifted state ``q = (x, s, v)`` of dimension ``(3N - 1) d``
evolves as ``q+ = T q + E b + E n`` with ``E = [I; 2 alpha rho (D+A); -2 alpha rho Q^T L_G]``. For
``alpha = 1/2`` one has ``s_k = rho (D + A) x_k`` for ``k >= 1`` (SPEC's reduction); the spectrum
of ``T`` is then that of the ``(2N - 1) d`` map on ``(x, v)`` plus zeros, which is what
:func:`spectral_radius` uses (it is cheaper).

With :class:`~ltadmm_verify.algorithms.GaussianNoise` ``(sigma2)``, ``xi_t ~ N(0, sigma2/d I)`` i.i.d.
per agent and local step, so ``Cov(n) = gamma^2 sigma2/d sum_{t<tau} M^t M^{tT}``; the mean and the
covariance obey ``m+ = T m + E b`` and ``C+ = T C T^T + E Cov(n) E^T``. Every recorded metric is a
quadratic function of ``x`` and its expectation follows from ``(m, C)``.

Minibatches: for LT-ADMM (and LT-ADMM-VR) on a quadratic, the stochastic gradient is affine in the
iterate with random coefficients independent of it, so the *mean* still follows ``T``: a spectral
radius ``>= 1`` means the mean (hence the run) diverges. The covariance recursion is exact only for
exact gradients plus Gaussian noise (``batch_size=None`` or every ``m_i = 1``, e.g. ``Quadratic``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg as sla

from .._validation import choice, integer_at_least, open_unit_float, positive_float
from ..algorithms.ltadmm import LTADMM, PENALTIES
from ..algorithms.oracles import GaussianNoise
from ..algorithms.run import _initial_models
from ..errors import InvalidParameterError, InvalidProblemError
from ..network import Network
from ..problems.base import FloatArray, Problem

#: Scan points between the first stable and the first unstable step size (critical_step_size).
SCAN_POINTS = 48


@dataclass(frozen=True)
class Parameters:
    """The step parameters the linear map depends on (those of :class:`LTADMM`)."""

    gamma: float
    beta: float
    rho: float
    tau: int
    alpha: float = 0.5
    penalty: str = "frozen"

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name in ("gamma", "beta", "rho"):
            set_(self, name, positive_float(name, getattr(self, name)))
        set_(self, "tau", integer_at_least("tau", self.tau, 1))
        set_(self, "alpha", open_unit_float("alpha", self.alpha))
        set_(self, "penalty", choice("penalty", self.penalty, PENALTIES))

    @classmethod
    def of(cls, algorithm: Any) -> Parameters:
        """The parameters of an :class:`LTADMM` (or LT-ADMM-VR) instance."""
        if not isinstance(algorithm, LTADMM):
            raise InvalidParameterError(
                "exact analysis covers LT-ADMM and LT-ADMM-VR only, got "
                f"{type(algorithm).__name__}"
            )
        return cls(algorithm.gamma, algorithm.beta, algorithm.rho, algorithm.tau, algorithm.alpha,
                   algorithm.penalty)


def quadratic_data(problem: Problem) -> tuple[FloatArray, FloatArray]:
    """``(H, h)`` of a quadratic problem, raising a clear error for any other problem."""
    form = getattr(problem, "quadratic_form", None)
    if form is None:
        raise InvalidProblemError(
            "exact analysis needs a quadratic problem with a quadratic_form() (LeastSquares or "
            f"Quadratic), got {type(problem).__name__}"
        )
    H, h = form()
    return np.asarray(H, dtype=np.float64), np.asarray(h, dtype=np.float64)


def is_quadratic(problem: Problem) -> bool:
    """Whether ``problem`` exposes ``quadratic_form()`` (the exact analysis applies to its mean)."""
    return callable(getattr(problem, "quadratic_form", None))


def exact_gradients(algorithm: Any, problem: Problem) -> bool:
    """Whether every local step uses the exact local gradient (plus optional Gaussian noise).

    True for ``batch_size=None`` and for problems with ``m_i = 1`` for every agent (a minibatch then
    is the whole local data set and the VR estimate reduces to the plain gradient).
    """
    return getattr(algorithm, "batch_size", None) is None or int(problem.n_samples.max()) == 1


def consensus_complement_basis(n_agents: int) -> FloatArray:
    r"""``Q``, ``(N, N - 1)``: an orthonormal basis of ``1^perp`` (``Q^T 1 = 0``, ``Q^T Q = I``).

    The lifted states of this module and of :mod:`.certify` store ``u = y - w`` (which stays in
    ``1^perp``) as ``v = Q^T u``; both use this basis (``scipy.linalg.null_space`` of ``1^T``).
    """
    return np.asarray(sla.null_space(np.ones((1, n_agents))))


def _blockdiag(blocks: FloatArray) -> FloatArray:
    """``(N, d, d)`` blocks -> ``(N d, N d)`` block-diagonal matrix."""
    n, d, _ = blocks.shape
    out = np.zeros((n, d, n, d))
    idx = np.arange(n)
    out[idx, :, idx, :] = blocks
    return out.reshape(n * d, n * d)


@dataclass(frozen=True)
class LinearModel:
    r"""The affine map of one LT-ADMM round on the lifted state ``q = (x, s, v)``.

    ``q_{k+1} = T q_k + b + E n_k`` with ``n_k`` the accumulated gradient noise of the round
    (covariance ``sigma2 * noise_cov``). ``x = q[:N d]`` (agent-major, as ``X.ravel()``).

    Attributes
    ----------
    T : ndarray, shape (n, n)
        Linear part, ``n = (3N - 1) d``.
    b : ndarray, shape (n,)
        Affine part (the ``h`` terms).
    E : ndarray, shape (n, N d)
        How a perturbation of ``x_{k+1}`` propagates to the lifted state.
    noise_cov : ndarray, shape (N d, N d)
        ``Cov(n_k)`` per unit ``sigma2``: ``gamma^2/d sum_{t<tau} M^t M^{tT}``.
    reduced : ndarray or None
        For ``alpha = 1/2``: the ``(2N - 1) d`` map on ``(x, v)`` with the same nonzero spectrum.
    """

    T: FloatArray
    b: FloatArray
    E: FloatArray
    noise_cov: FloatArray
    reduced: FloatArray | None
    n_agents: int
    dim: int
    Q: FloatArray
    degrees: FloatArray
    adjacency: FloatArray

    @property
    def size(self) -> int:
        """Dimension of the lifted state."""
        return int(self.T.shape[0])

    def initial_state(self, X0: FloatArray) -> FloatArray:
        """Lifted state of round 0 for models ``X0`` ``(N, d)`` and ``z_{ij,0} = x_{i,0}``."""
        d = self.dim
        Dk = np.kron(np.diag(self.degrees), np.eye(d))
        Ak = np.kron(self.adjacency, np.eye(d))
        x = X0.ravel()
        s = (Dk + Ak) @ x
        v = np.kron(self.Q.T, np.eye(d)) @ ((Dk - Ak) @ x)
        return np.concatenate([x, s, v])

    def fixed_point(self) -> FloatArray:
        """The unique fixed point ``q* = (I - T)^{-1} b`` (exists when 1 is not an eigenvalue)."""
        return np.asarray(np.linalg.solve(np.eye(self.size) - self.T, self.b))

    def spectral_radius(self) -> float:
        """``max |eig(T)|`` (on the reduced map when there is one)."""
        mat = self.T if self.reduced is None else self.reduced
        return float(np.abs(np.linalg.eigvals(mat)).max())


def linear_model(params: Parameters, problem: Problem, network: Network) -> LinearModel:
    """Build the exact affine map of one round (see the module docstring for the derivation)."""
    H, h = quadratic_data(problem)
    if network.n_agents != H.shape[0]:
        raise InvalidProblemError(
            f"problem has {H.shape[0]} agents but network has {network.n_agents} nodes; they must match"
        )
    n, d = h.shape
    gamma, beta, rho, tau, alpha = params.gamma, params.beta, params.rho, params.tau, params.alpha
    deg = network.degrees.astype(np.float64)
    eye_d = np.eye(d)
    if params.penalty == "frozen":
        M = eye_d - gamma * H
    else:
        M = eye_d - gamma * (H + rho * deg[:, None, None] * eye_d)
    power = np.broadcast_to(eye_d, M.shape).copy()
    S = np.zeros_like(M)
    cov = np.zeros_like(M)
    for _ in range(tau):
        S += power
        cov += power @ power.transpose(0, 2, 1)
        power = M @ power
    if params.penalty == "frozen":
        P_blocks = power - beta * rho * deg[:, None, None] * S
        Y_blocks = beta * S
    else:
        P_blocks = power
        Y_blocks = gamma * S
    b_x = gamma * np.einsum("nij,nj->ni", S, h).ravel()
    P, Y = _blockdiag(P_blocks), _blockdiag(Y_blocks)
    adjacency = network.adjacency.toarray()
    Q = consensus_complement_basis(n)
    Qk = np.kron(Q, eye_d)
    Gk = np.kron(np.diag(deg) + adjacency, eye_d)
    Lk = np.kron(network.laplacian, eye_d)
    nd = n * d
    E = np.vstack([np.eye(nd), 2 * alpha * rho * Gk, -2 * alpha * rho * Qk.T @ Lk])
    x_row = np.hstack([P, Y / 2, Y @ Qk / 2])
    memory = sla.block_diag(np.zeros((nd, nd)), (1 - 2 * alpha) * np.eye(nd), np.eye(Qk.shape[1]))
    T = E @ x_row + memory
    reduced = None
    if alpha == 0.5:
        E_red = np.vstack([np.eye(nd), -rho * Qk.T @ Lk])
        x_red = np.hstack([P + rho / 2 * Y @ Gk, Y @ Qk / 2])
        reduced = E_red @ x_red + sla.block_diag(np.zeros((nd, nd)), np.eye(Qk.shape[1]))
    return LinearModel(
        T=T, b=E @ b_x, E=E, noise_cov=gamma**2 / d * _blockdiag(cov), reduced=reduced,
        n_agents=n, dim=d, Q=Q, degrees=deg, adjacency=adjacency,
    )


def spectral_radius(algorithm: Any, problem: Problem, network: Network) -> float:
    """Spectral radius of the exact round map: the asymptotic linear rate of LT-ADMM on a quadratic.

    ``< 1`` iff the deterministic (full-gradient) iteration converges, and then
    ``||x_k - 1 x*|| = O((r + eps)^k)`` for every ``eps > 0``: ``r`` is the exact linear rate on this
    instance (for strongly convex quadratics this is open question O1 answered for one instance).
    With minibatches or noise it is the rate of the mean.

    Parameters
    ----------
    algorithm : LTADMM or LTADMMVR
    problem : LeastSquares or Quadratic
    network : Network
    """
    return linear_model(Parameters.of(algorithm), problem, network).spectral_radius()


def _radius_at(gamma: float, problem: Problem, network: Network, tau: int, rho: float,
               ratio: float, penalty: str, alpha: float) -> float:
    params = Parameters(gamma, ratio * gamma, rho, tau, alpha, penalty)
    return linear_model(params, problem, network).spectral_radius()


def critical_step_size(
    problem: Problem,
    network: Network,
    *,
    tau: int,
    rho: float,
    beta_ratio: float = 1.0,
    penalty: str = "frozen",
    alpha: float = 0.5,
    rtol: float = 1e-6,
) -> float:
    r"""The exact stability limit of ``gamma`` (with ``beta = beta_ratio * gamma``).

    Returns ``gamma_c = sup{g : r(T(g')) < 1 for every g' in (g_0, g]}``, the end of the first
    stable interval, where ``r`` is :func:`spectral_radius`. Because ``r`` need not be monotone in
    ``gamma``, the search is: find a stable ``g_0`` (halving from ``1 / (tau (L + rho d_max))``),
    double until unstable, scan :data:`SCAN_POINTS` geometric points in between, then bisect between
    the last stable and the first unstable scan point to relative accuracy ``rtol``. An unstable
    window narrower than the scan spacing (ratio ``(g_hi/g_0)^(1/SCAN_POINTS)``) could be missed.

    Raises
    ------
    InvalidProblemError
        If ``sum_i H_i`` is singular (the radius is then 1 for every step) or no stable step exists.
    """
    tau = integer_at_least("tau", tau, 1)
    rho = positive_float("rho", rho)
    beta_ratio = positive_float("beta_ratio", beta_ratio)
    penalty = choice("penalty", penalty, PENALTIES)
    alpha = open_unit_float("alpha", alpha)
    rtol = positive_float("rtol", rtol)
    if problem.optimum() is None:
        raise InvalidProblemError(
            "critical_step_size needs sum_i H_i positive definite (a unique optimum); "
            "the spectral radius is 1 for every step size otherwise"
        )

    def stable(g: float) -> bool:
        return _radius_at(g, problem, network, tau, rho, beta_ratio, penalty, alpha) < 1.0

    H, _ = quadratic_data(problem)
    scale = float(np.abs(np.linalg.eigvalsh(H)).max()) + rho * network.max_degree * max(beta_ratio, 1.0)
    low = 1.0 / (tau * scale)
    for _ in range(60):
        if stable(low):
            break
        low /= 2
    else:
        raise InvalidProblemError("no stable step size found (tried down to 2^-60 / (tau L))")
    high = 2 * low
    while stable(high):
        low, high = high, 2 * high
        if high > 1e12:
            raise InvalidProblemError("the iteration is stable for every step size tried up to 1e12")
    grid = np.geomspace(low, high, SCAN_POINTS)
    lo = grid[0]
    for g in grid[1:]:
        if not stable(float(g)):
            high = float(g)
            break
        lo = float(g)
    while high - lo > rtol * lo / 4:
        mid = 0.5 * (lo + high)
        if stable(mid):
            lo = mid
        else:
            high = mid
    return float(lo)


def _check_noise(noise: GaussianNoise | None) -> float:
    if noise is None:
        return 0.0
    if not isinstance(noise, GaussianNoise):
        raise InvalidParameterError(f"noise must be GaussianNoise or None, got {noise!r}")
    return noise.sigma2


def _require_exact(algorithm: Any, problem: Problem) -> None:
    if not exact_gradients(algorithm, problem):
        raise InvalidParameterError(
            "exact expectations need exact local gradients (batch_size=None, or one sample per "
            f"agent), got batch_size={algorithm.batch_size} with up to {problem.max_samples} samples"
        )


class _MetricMap:
    """Expected metrics of a Gaussian lifted state ``(mean, cov)`` (formulas of ``metrics.py``)."""

    def __init__(self, problem: Problem) -> None:
        H, _ = quadratic_data(problem)
        n, d = problem.n_agents, problem.dim
        self.problem = problem
        self.nd = n * d
        self.H_tot = H.sum(axis=0)
        self.J = np.kron(np.ones((1, n)) / n, np.eye(d))
        self.Pi = np.kron(np.eye(n) - np.ones((n, n)) / n, np.eye(d))
        self.n = n
        self.x_star = problem.optimum()
        self.f_star = None if self.x_star is None else problem.objective(self.x_star)

    def __call__(self, mean: FloatArray, cov: FloatArray) -> dict[str, float]:
        mx, Cx = mean[: self.nd], cov[: self.nd, : self.nd]
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
    algorithm: Any,
    problem: Problem,
    network: Network,
    rounds: int,
    *,
    x0: Any = None,
    noise: GaussianNoise | None = None,
    record_every: int = 1,
) -> dict[str, np.ndarray]:
    r"""Exact ``E[M_k]`` of every recorded metric, as ``RunResult.history`` would hold it.

    Propagates ``m_{k+1} = T m_k + b`` and ``C_{k+1} = T C_k T^T + sigma2 E W E^T`` from
    ``m_0 = q(x_0)``, ``C_0 = 0``, and evaluates, with ``x_bar = J x``,
    ``E||grad F(x_bar)||^2 = ||grad F(E x_bar)||^2 + tr(H C_bar H)``,
    ``E consensus = (||Pi m_x||^2 + tr(Pi C_x)) / N``, ``E F(x_bar) = F(E x_bar) + tr(H C_bar)/2``,
    ``E||x_bar - x*||^2 = ||E x_bar - x*||^2 + tr(C_bar)`` (``H = sum_i H_i``). Rounds recorded as in
    :func:`ltadmm_verify.algorithms.run.run`: ``0, r, 2r, ...`` and ``rounds``.

    Returns
    -------
    dict of str to ndarray
        ``round`` and the metrics of :mod:`ltadmm_verify.algorithms.metrics` (``opt_gap`` and
        ``dist_sq`` when ``x*`` exists).
    """
    rounds = integer_at_least("rounds", rounds, 1)
    record_every = integer_at_least("record_every", record_every, 1)
    sigma2 = _check_noise(noise)
    _require_exact(algorithm, problem)
    model = linear_model(Parameters.of(algorithm), problem, network)
    metric = _MetricMap(problem)
    mean = model.initial_state(_initial_models(x0, problem))
    cov = np.zeros((model.size, model.size))
    W = sigma2 * model.E @ model.noise_cov @ model.E.T
    rows = [{"round": 0.0, **metric(mean, cov)}]
    for k in range(1, rounds + 1):
        mean = model.T @ mean + model.b
        if sigma2 > 0:
            cov = model.T @ cov @ model.T.T + W
        if k % record_every == 0 or k == rounds:
            rows.append({"round": float(k), **metric(mean, cov)})
    history = {name: np.array([row[name] for row in rows]) for name in rows[0]}
    history["round"] = history["round"].astype(np.int64)
    return history


def stationary_covariance(
    algorithm: Any, problem: Problem, network: Network, noise: GaussianNoise
) -> FloatArray:
    r"""Stationary covariance of the models ``x`` (``(N d, N d)``, agent-major) under Gaussian noise.

    Solves the discrete Lyapunov equation ``C = T C T^T + sigma2 E W E^T`` on the lifted state
    (``scipy.linalg.solve_discrete_lyapunov``) and returns its ``x`` block. Needs spectral radius < 1.
    """
    return _stationary(algorithm, problem, network, noise)[1][: problem.n_agents * problem.dim,
                                                                : problem.n_agents * problem.dim]


def _stationary(algorithm: Any, problem: Problem, network: Network,
                noise: GaussianNoise) -> tuple[FloatArray, FloatArray]:
    sigma2 = _check_noise(noise)
    _require_exact(algorithm, problem)
    model = linear_model(Parameters.of(algorithm), problem, network)
    radius = model.spectral_radius()
    if radius >= 1.0:
        raise InvalidParameterError(
            f"no stationary distribution: the exact spectral radius is {radius:.6g} >= 1 "
            "(the iteration diverges); lower gamma"
        )
    W = sigma2 * model.E @ model.noise_cov @ model.E.T
    cov = sla.solve_discrete_lyapunov(model.T, 0.5 * (W + W.T))
    return model.fixed_point(), 0.5 * (cov + cov.T)


def noise_floor(
    algorithm: Any, problem: Problem, network: Network, noise: GaussianNoise
) -> dict[str, float]:
    """The exact stationary expectation ``lim_k E[M_k]`` of every recorded metric (the noise floor).

    The mean converges to the fixed point (``x_i = x*`` for every agent), so the floor is the
    trace part of the expected metrics at the stationary covariance (:func:`stationary_covariance`).
    """
    mean, cov = _stationary(algorithm, problem, network, noise)
    return _MetricMap(problem)(mean, cov)


__all__ = [
    "LinearModel",
    "Parameters",
    "consensus_complement_basis",
    "critical_step_size",
    "exact_gradients",
    "expected_metrics",
    "is_quadratic",
    "linear_model",
    "noise_floor",
    "quadratic_data",
    "spectral_radius",
    "stationary_covariance",
]
