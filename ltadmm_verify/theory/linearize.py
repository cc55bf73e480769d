r"""Linearisation and matrix-free analysis of an algorithm's round, at any size (SPEC 7).

The exact analysis of :mod:`.exact` builds the reduced round map densely; beyond
:data:`~ltadmm_verify.theory.exact.MAX_STATE_DIMENSION` this module applies the round instead. With
exact gradients replaced by their linear part at a point ``x_hat`` (``grad f_i(x_hat + v) ~
grad f_i(x_hat) + H_i v``; exact for a quadratic), the round on *deviations* is linear, and one round
on a deviation state is one matrix-vector product: the algorithm's own ``step`` run on numbers with
:class:`LinearizedOracle`. Arnoldi iteration (``scipy.sparse.linalg.eigs``) started from a
deviation the algorithm can reach estimates the largest eigenvalues.

Hessians: ``H_i v`` is ``grad f_i(v) - grad f_i(0)`` on a quadratic (exact up to rounding) and the
central difference ``(grad f_i(x_hat + e v) - grad f_i(x_hat - e v)) / (2 e)`` otherwise
(``e = 1e-5 (1 + |x_hat|) / |v|`` per agent, error ``O(e^2)``); :func:`local_hessians` assembles the
dense ``(N, d, d)`` matrices from ``d`` such products when they are small enough to store.

Unreachable parts of the state (LT-ADMM's circulations of ``z``, LED's and K-GT's conserved sums)
keep an eigenvalue 1 that says nothing; in exact arithmetic a Krylov space started from a reachable
deviation never leaves the reachable subspace. In floating point they can only appear with
modulus 1, never above: the estimate is read as "diverges" only above ``1 + RADIUS_TOL``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse.linalg as spla

from ..algorithms.base import Algorithm, State
from ..algorithms.gradient_tables import OracleMemory
from ..algorithms.oracles import Oracle
from ..backends.simulator import Simulator
from ..network import Network
from ..problems.base import FloatArray, Problem
from .exact import is_quadratic, quadratic_data
from .trace import StateLayout, state_layout

#: Relative finite-difference step of the Hessian-vector products (non-quadratic problems).
FD_STEP = 1e-5
#: A dense ``(N, d, d)`` stack of local Hessians is assembled up to this many entries.
MAX_DENSE_HESSIAN_ENTRIES = 2_000_000
#: Largest scalar state dimension (traced rows times ``d``) of the matrix-free estimate.
MAX_MATRIX_FREE_DIMENSION = 50_000_000
#: Growth test: rounds applied to a reachable deviation, and the growth that means divergence (the
#: run loop's ``divergence_factor``).
GROWTH_ROUNDS = 20
GROWTH_LIMIT = 1e6
#: Arnoldi settings: eigenvalues wanted, Krylov dimension, restarts, relative tolerance. With the
#: growth test, at most 20 + 12 + 2 * 10 = 52 rounds.
ARNOLDI_K = 2
ARNOLDI_NCV = 12
ARNOLDI_MAXITER = 2
ARNOLDI_TOL = 1e-6
#: Work budget of one estimate: rounds applied times the scalar state dimension. Up to a state of
#: about 7 * 10^5 scalars every estimate gets the full 52 rounds; above, fewer (at least
#: :data:`MIN_BUDGET_ROUNDS`), so that the check at N = 10^4, d = 64, tau = 10 (state 1.9 * 10^6)
#: applies 20 rounds, under 10 s of one core (benchmarks/bench_prerun.py).
MATRIX_FREE_WORK = 38_400_000
MIN_BUDGET_ROUNDS = 16


# ---------------------------------------------------------------------------- Hessian action
class HessianAction:
    """``V -> (H_1 v_1, ..., H_N v_N)``: the local Hessians of ``problem`` at ``X_hat`` acting row-wise."""

    def __init__(self, problem: Problem, X_hat: FloatArray) -> None:
        self.problem = problem
        self.X_hat = np.asarray(X_hat, dtype=np.float64)
        self.quadratic = is_quadratic(problem)
        self.dense: FloatArray | None = None
        n, d = self.X_hat.shape
        if self.quadratic and n * d * d <= MAX_DENSE_HESSIAN_ENTRIES:
            self.dense = quadratic_data(problem)[0]
        self.zero = problem.local_gradients(np.zeros_like(self.X_hat)) if self.quadratic else self.X_hat

    def __call__(self, V: FloatArray) -> FloatArray:
        if self.dense is not None:
            return np.asarray(np.einsum("nab,nb->na", self.dense, V))
        if self.quadratic:
            return np.asarray(self.problem.local_gradients(V) - self.zero)
        norms = np.linalg.norm(V, axis=1, keepdims=True)
        scale = np.where(norms > 0, FD_STEP * (1.0 + np.abs(self.X_hat).max(axis=1, keepdims=True))
                         / np.where(norms > 0, norms, 1.0), 0.0)
        plus = self.problem.local_gradients(self.X_hat + scale * V)
        minus = self.problem.local_gradients(self.X_hat - scale * V)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.where(scale > 0, (plus - minus) / (2 * np.where(scale > 0, scale, 1.0)),
                                       0.0))


def local_hessians(problem: Problem, X_hat: FloatArray) -> FloatArray:
    """The dense local Hessians ``(N, d, d)`` at ``X_hat`` (``d`` Hessian-vector products)."""
    if is_quadratic(problem):
        return quadratic_data(problem)[0]
    act = HessianAction(problem, X_hat)
    n, d = act.X_hat.shape
    cols = [act(np.broadcast_to(e, (n, d)).copy()) for e in np.eye(d)]
    H = np.stack(cols, axis=2)
    return np.asarray(0.5 * (H + H.transpose(0, 2, 1)))


def linear_model(problem: Problem, X_hat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``(H, h)`` of the quadratic model ``f_i(x) ~ x^T H_i x / 2 - h_i^T x + const`` at ``X_hat``:
    ``H_i`` the Hessian and ``h_i = H_i x_hat_i - grad f_i(x_hat_i)`` (same gradient at ``x_hat``)."""
    H = local_hessians(problem, X_hat)
    g = problem.local_gradients(X_hat)
    return H, np.asarray(np.einsum("nab,nb->na", H, X_hat) - g)


# ---------------------------------------------------------------------------- the oracle
class _NoMemory(OracleMemory):
    """The SAGA memory of the linearised oracle (the mean map does not need it)."""


class LinearizedOracle(Oracle):
    """Exact gradients of the linearised deviation dynamics: ``g_i(v) = H_i v_i`` (no noise).

    ``local_solve`` solves ``(H_i + r_i I) x_i = v_i`` by conjugate gradients, batched over agents
    (the Hessians are positive semidefinite for the convex problems exact ADMM is meant for).
    """

    def __init__(self, hessian: HessianAction) -> None:
        self.hessian = hessian

    def gradient(self, X: FloatArray, k: int, t: int) -> FloatArray:
        return self.hessian(X)

    def gradient_table(self, X: FloatArray, updates: int | None = None) -> OracleMemory:
        return _NoMemory()

    def variance_reduced_gradient(self, X: FloatArray, table: OracleMemory, k: int, t: int) -> FloatArray:
        return self.hessian(X)

    def local_solve(self, V: FloatArray, r: FloatArray, start: FloatArray, k: int,
                    inner_steps: int) -> FloatArray:
        x = np.zeros_like(V)
        res = V - (self.hessian(x) + r * x)
        p = res.copy()
        rr = (res * res).sum(axis=1, keepdims=True)
        target = 1e-28 * np.maximum((V * V).sum(axis=1, keepdims=True), 1e-300)
        for _ in range(4 * V.shape[1] + 10):
            if np.all(rr <= target):
                break
            Ap = self.hessian(p) + r * p
            pAp = (p * Ap).sum(axis=1, keepdims=True)
            step = np.where(pAp > 0, rr / np.where(pAp > 0, pAp, 1.0), 0.0)
            x = x + step * p
            res = res - step * Ap
            rr_new = (res * res).sum(axis=1, keepdims=True)
            p = res + np.where(rr > 0, rr_new / np.where(rr > 0, rr, 1.0), 0.0) * p
            rr = rr_new
        return x


# ---------------------------------------------------------------------------- the round operator
class _BudgetSpent(Exception):
    """The round operator has applied its budget of rounds (:data:`MATRIX_FREE_WORK`)."""


class RoundOperator(spla.LinearOperator):
    """One round of the deviation dynamics on the flattened state (traced fields, ``rows * d``)."""

    def __init__(self, algorithm: Algorithm, problem: Problem, network: Network,
                 layout: StateLayout, oracle: LinearizedOracle, dim: int) -> None:
        self.algorithm, self.problem, self.network = algorithm, problem, network
        self.layout, self.oracle, self.d = layout, oracle, dim
        self.backend = Simulator(network)
        self.matvecs = 0
        self.budget: int | None = None
        size = layout.rows * dim
        super().__init__(np.float64, (size, size))

    def state(self, vector: FloatArray) -> State:
        """The state whose traced fields are ``vector`` (reshaped ``(rows, d)``)."""
        return self.layout.unstack(np.asarray(vector, dtype=np.float64).reshape(self.layout.rows, self.d))

    def _matvec(self, v: Any) -> FloatArray:
        if self.budget is not None and self.matvecs >= self.budget:
            raise _BudgetSpent
        self.matvecs += 1
        out = self.algorithm.step(self.state(np.real(v)), 0, self.problem, self.backend, self.oracle)
        return np.asarray(self.layout.stack(out).ravel())


@dataclass(frozen=True)
class RadiusEstimate:
    """Outcome of :func:`estimate_radius`.

    Attributes
    ----------
    radius : float
        Largest modulus among the converged Ritz values (``nan`` if none converged), or the observed
        growth rate ``(|s_k| / |s_0|)^(1/k)`` when the growth test decided.
    converged : int
        How many Ritz values converged (0 when the growth test decided or Arnoldi did not converge).
    growth : float
        ``|s_k| / |s_0|`` after the last round of the growth test.
    grew_at : int or None
        The round at which a reachable deviation grew by :data:`GROWTH_LIMIT` (then the run, whose
        divergence criterion is the same factor, diverges); ``None`` if it did not.
    matvecs : int
        Rounds applied in all.
    size : int
        Dimension of the (unreduced) deviation state.
    """

    radius: float
    converged: int
    growth: float
    grew_at: int | None
    matvecs: int
    size: int


def round_operator(algorithm: Algorithm, problem: Problem, network: Network,
                   X_hat: FloatArray) -> tuple[RoundOperator, FloatArray]:
    """The deviation round at ``X_hat`` and a reachable start (one round from a random ``x_0``)."""
    n, d = problem.n_agents, problem.dim
    backend = Simulator(network)
    oracle = LinearizedOracle(HessianAction(problem, X_hat))
    x0 = np.random.default_rng(0).standard_normal((n, d))
    state = algorithm.initialize(x0, problem, backend, oracle)
    layout = state_layout(state)
    op = RoundOperator(algorithm, problem, network, layout, oracle, d)
    start = op.matvec(layout.stack(state).ravel())
    return op, np.asarray(start)


def estimate_radius(algorithm: Algorithm, problem: Problem, network: Network,
                    X_hat: FloatArray) -> RadiusEstimate:
    """Does the deviation round at ``X_hat`` expand? Growth test, then Arnoldi (matrix-free).

    1. Growth: apply the round to a reachable deviation for up to :data:`GROWTH_ROUNDS` rounds; if
       its norm grows by :data:`GROWTH_LIMIT` (the run loop's divergence factor), the run diverges.
    2. Otherwise ``eigs(k=ARNOLDI_K, ncv=ARNOLDI_NCV, which="LM")`` from that deviation, at most
       ``ARNOLDI_MAXITER`` restarts; the converged Ritz values bound the radius from below.
    Cost: at most ``GROWTH_ROUNDS + ARNOLDI_NCV + ARNOLDI_MAXITER (ARNOLDI_NCV - ARNOLDI_K)`` rounds,
    fewer on large states (:data:`MATRIX_FREE_WORK`): then half the rounds for the growth test and
    the rest for Arnoldi, which stops (unconverged) when they are spent.
    """
    op, start = round_operator(algorithm, problem, network, X_hat)
    size = op.shape[0]
    full = GROWTH_ROUNDS + ARNOLDI_NCV + ARNOLDI_MAXITER * (ARNOLDI_NCV - ARNOLDI_K)
    budget = max(MIN_BUDGET_ROUNDS, min(full, MATRIX_FREE_WORK // size))
    growth_rounds, ncv, maxiter = (GROWTH_ROUNDS, ARNOLDI_NCV, ARNOLDI_MAXITER) if budget == full \
        else (budget // 2, min(ARNOLDI_NCV, budget - budget // 2), 1)
    op.budget = budget
    norm0 = float(np.linalg.norm(start))
    if norm0 == 0.0 or not np.isfinite(norm0):
        return RadiusEstimate(0.0 if norm0 == 0.0 else float("inf"), 0, 1.0, None, op.matvecs, size)
    v, growth = start / norm0, 1.0
    for k in range(1, growth_rounds + 1):
        v = op.matvec(v)
        step = float(np.linalg.norm(v))
        growth *= step
        if not np.isfinite(growth) or growth >= GROWTH_LIMIT:
            return RadiusEstimate(growth ** (1 / k), 0, growth, k, op.matvecs, size)
        if step == 0.0:
            return RadiusEstimate(0.0, 0, 0.0, None, op.matvecs, size)
        v = v / step
    k = min(ARNOLDI_K, size - 2)
    ncv = min(ncv, size - 1)
    try:
        values = spla.eigs(op, k=k, ncv=ncv, which="LM", v0=start / norm0, maxiter=maxiter,
                           tol=ARNOLDI_TOL, return_eigenvectors=False)
    except spla.ArpackNoConvergence as partial:
        values = partial.eigenvalues
    except _BudgetSpent:
        values = np.zeros(0)
    moduli = np.abs(np.asarray(values))
    radius = float(moduli.max()) if moduli.size else float("nan")
    return RadiusEstimate(radius, int(moduli.size), growth, None, op.matvecs, size)


__all__ = [
    "MAX_MATRIX_FREE_DIMENSION",
    "HessianAction",
    "LinearizedOracle",
    "RadiusEstimate",
    "RoundOperator",
    "estimate_radius",
    "linear_model",
    "local_hessians",
    "round_operator",
]
