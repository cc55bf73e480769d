r"""Certified linear rates of LT-ADMM for a whole function class (SPEC section 6).

Exact analysis (:mod:`.exact`) gives the rate on *one* quadratic. This module certifies a rate for
*every* choice of local costs ``f_i`` that are ``mu``-strongly convex and ``L``-smooth, on a given
graph with given ``(gamma, beta, rho, tau)``, for deterministic (full-gradient) LT-ADMM: a quadratic
Lyapunov function over one round, found by a semidefinite program (cvxpy).

The round as a linear system (traced from the algorithm's code)
-------------------------------------------------------------------------
:func:`~ltadmm_verify.theory.trace.round_map` runs the algorithm's own ``initialize`` and ``step`` on
symbols: with the reduced state ``s`` (reachable and observable, so the cycle space of LT-ADMM's
``z`` is gone) and the round's oracle outputs ``w`` (entry ``c N + i``: call ``c`` of agent ``i``),
one round is ``s+ = A s + B w`` and the query points are ``y = C s + D w``. Shifting to a fixed
point (``s~ = s - s*``, ``w~ = w - w*``, ``y~ = y - y*``; the map is linear, so the deviations obey
the same equations) gives a system linear in ``z = (s~, w~)``: ``s~+ = [A B] z`` and ``y~ = [C D] z``.
By the Kronecker structure ``d = 1`` suffices: a certificate ``(P, lambda)`` for ``d = 1`` gives
``(P (x) I_d, lambda)`` for every ``d``. For LT-ADMM with ``alpha = 1/2`` the traced state has
dimension ``2N - 1``, the hand reduction of SPEC 6.

Multipliers
-----------
- ``"sector"``: for every agent ``i`` and oracle call ``c``,
  ``(g - mu y)(L y - g) >= 0`` with ``y = y~_{c,i}``, ``g = w~_{c,i}`` (the gradient of the shifted
  cost ``f_i(y* + .) - <grad f_i(y*), .>``, which vanishes at 0: valid around any fixed point).
- ``"interpolation"``: the smooth strongly convex interpolation inequalities of performance
  estimation (Taylor, Hendrickx, Glineur 2017) between every ordered pair ``(a, b)`` of the points
  ``{y_{0,i}, ..., y_{c-1,i}, x*}`` of the same agent (valid for methods whose fixed point queries
  every agent at ``x*``: :func:`queries_at_optimum`),

  .. math::

      f_a \ge f_b + g_b (y_a - y_b) + \frac{1}{2(1-\mu/L)}\Big(\frac{1}{L}(g_a-g_b)^2
          + \mu (y_a - y_b)^2 - \frac{2\mu}{L}(g_a - g_b)(y_a - y_b)\Big),

  with multipliers ``lambda_ab >= 0`` that conserve flow at every point
  (``sum_b lambda_ab = sum_b lambda_ba``) so that the unknown function values cancel. The sector
  inequality is the sum of the pair ``(t, *)`` and ``(*, t)`` (times ``L - mu``): this set contains
  the sector set and can only tighten the certificate.

Certificate
-----------
Rate ``r`` is certified if ``P > 0`` and multipliers ``lambda >= 0`` satisfy

.. math::

    M(r) = [A\ B]^T P [A\ B] - r^2 E^T P E + \sum_k \lambda_k F_k \preceq 0,

``E = [I 0]`` selecting the state and ``F_k`` the quadratic form (in ``z``) of constraint ``k``:
then ``V(s) = s^T P s`` satisfies ``V(s_{k+1}) <= r^2 V(s_k)`` for every admissible cost, so
``||s_k|| <= cond(P)^{1/2} r^k ||s_0||``. The rate is found by bisection on ``r``.

No verdict rests on the solver's word: every candidate ``(P, lambda)`` is re-checked in floating
point (:func:`verify_certificate`): ``lambda`` clipped to ``>= 0`` (and its flows re-balanced),
``P`` symmetrised, the best rate ``r'`` this candidate proves computed exactly (Schur complement on
the gradient block and a generalized eigenvalue), and ``lambda_max(M(r' + slack)) < 0`` checked with
a margin. Solver trouble that survives one re-solve is reported as "undecided", never as a rate.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from .._validation import choice, nonnegative_float, positive_float
from ..algorithms.base import Algorithm
from ..errors import InvalidParameterError
from ..network import Network
from ..problems.base import FloatArray
from .trace import RoundMap, TraceTooLargeError, round_map

MULTIPLIERS = ("sector", "interpolation")
SOLVERS = ("auto", "clarabel", "scs")

#: Largest LMI dimension ``n_z = n_state + N calls`` accepted (LT-ADMM, ``alpha = 1/2``:
#: ``(2N - 1) + N tau``).
#: Measured (benchmarks/bench_certify.py, 2 shared cores): a whole certificate at ``n_z = 119``
#: (N = tau = 10) takes ~20 s wall / 12 s CPU (4 SCS solves, slowest 3.8 s); an SCS iteration costs
#: ``O(n_z^3)``, so ``n_z = 200`` is ~5x that: one to two minutes.
MAX_LMI_DIMENSION = 200
#: Largest number of scalar multipliers accepted (interpolation: ``N tau (tau + 1)``). Measured:
#: interpolation at N = tau = 10 (1100 multipliers) takes ~3 min wall on 2 shared cores (sector:
#: ~10 s), at N = 10, tau = 5 (300) ~23 s.
MAX_MULTIPLIERS = 1200
#: Clarabel (interior point, dense KKT block of size ``n_z^2/2``) is the default solver up to this
#: LMI dimension; SCS (first order, ``O(n_z^3)`` per iteration) above. Measured: at ``n_z = 41``
#: Clarabel needs ~5 s, SCS ~0.3 s; at ``n_z = 23`` both ~0.2 s.
CLARABEL_MAX_DIMENSION = 30
#: Clarabel is tried as a fallback only up to this LMI dimension (beyond, a solve takes minutes).
CLARABEL_FALLBACK_MAX_DIMENSION = 60
#: SCS iteration caps (first pass, re-solve). Near the feasibility boundary SCS converges slowly;
#: a capped solve there proves nothing and is recorded as undecided (the bisection moves on).
SCS_ITERS = 10_000
SCS_ACCURATE_ITERS = 100_000
#: The verified rate is ``r' + RATE_SLACK``, where ``r'`` is the exact rate the candidate proves.
RATE_SLACK = 1e-6
#: A solver margin ``t`` above this is a claim of feasibility: if the check rejects it, re-solve.
CLAIMED_MARGIN = 1e-6
#: ``lambda_max(M)`` must be below ``-EIG_MARGIN * scale`` (``scale`` the norm of the LMI's terms).
EIG_MARGIN = 1e-10


#: A verified candidate: (rate it proves, its verification, P, lambda).
_Candidate = tuple[float, "Verification", Any, Any]


class CertificateTooLargeError(InvalidParameterError):
    """The LMI would exceed :data:`MAX_LMI_DIMENSION` or :data:`MAX_MULTIPLIERS`."""


# ---------------------------------------------------------------------------- the traced system
def lmi_dimension(system: RoundMap) -> int:
    """``n_z = n_state + N calls``: the LMI is ``n_z x n_z``."""
    return system.n_z


def queries_at_optimum(system: RoundMap, seed: int = 0) -> bool:
    """Whether the fixed point queries every agent at the optimum (all calls at ``x*``).

    Tested on a random instance of the class (``d = 1``, ``f_i = h_i x^2 / 2 - b_i x``): generic, so
    it holds for every instance if it holds for one. True for exact methods (LT-ADMM, LED, K-GT,
    exact ADMM), false for local DSGD (its local steps move at its biased fixed point).
    """
    rng = np.random.default_rng(seed)
    n = system.n_agents
    h = np.tile(rng.uniform(1.0, 2.0, n), system.calls)
    b = np.tile(rng.standard_normal(n), system.calls)
    lhs = np.eye(h.size) - h[:, None] * system.D
    gain = np.linalg.solve(lhs, h[:, None] * system.C)
    shift = np.linalg.solve(lhs, -b)
    T = system.A + system.B @ gain
    try:
        s_star = np.linalg.solve(np.eye(system.size) - T, system.B @ shift)
    except np.linalg.LinAlgError:
        return False
    y_star = (system.C @ s_star + system.D @ (gain @ s_star + shift)).reshape(system.calls, n)
    x_star = b[:n].sum() / h[:n].sum()
    return bool(np.allclose(y_star, x_star, rtol=1e-8, atol=1e-10 * (1 + abs(x_star))))


# ---------------------------------------------------------------------------- multipliers
@dataclass(frozen=True)
class ConstraintForms:
    """The quadratic forms ``F_k`` (``z^T F_k z >= 0`` for every admissible cost).

    Attributes
    ----------
    matrix : scipy.sparse matrix, shape (n_z^2, K)
        Column ``k`` is ``vec(F_k)`` (column-major).
    flow : scipy.sparse matrix or None, shape (n_points, K)
        Interpolation only: ``flow @ lambda = 0`` makes the function values cancel (row = point,
        +1 where the point is ``a`` of pair ``(a, b)``, -1 where it is ``b``).
    pairs : ndarray of int, shape (K, 2) or None
        Interpolation only: global point indices ``(a, b)`` of each multiplier.
    """

    matrix: sp.csc_matrix
    flow: sp.csr_matrix | None
    pairs: np.ndarray | None

    @property
    def count(self) -> int:
        """Number of scalar multipliers ``K``."""
        return int(self.matrix.shape[1])

    def combine(self, lam: FloatArray, n_z: int) -> FloatArray:
        """``sum_k lambda_k F_k`` as a dense symmetric ``n_z x n_z`` matrix."""
        out = np.asarray(self.matrix @ lam).reshape(n_z, n_z, order="F")
        return (out + out.T) / 2


def _outer_sym(a: FloatArray, b: FloatArray) -> FloatArray:
    """``(a_k b_k^T + b_k a_k^T) / 2`` for every row pair ``k``."""
    ab = np.einsum("ki,kj->kij", a, b)
    return (ab + ab.transpose(0, 2, 1)) / 2


def _to_columns(forms: FloatArray) -> sp.csc_matrix:
    k, n, _ = forms.shape
    dense = forms.transpose(0, 2, 1).reshape(k, n * n)  # column-major vec of each form
    dense[np.abs(dense) < 1e-300] = 0.0
    return sp.csc_matrix(dense.T)


def constraint_forms(system: RoundMap, *, mu: float, L: float, multipliers: str) -> ConstraintForms:
    """The forms ``F_k`` of the chosen multiplier set (see the module docstring)."""
    Y, G = system.Y, system.G
    if multipliers == "sector":
        F = (-np.einsum("ki,kj->kij", G, G) + (L + mu) * _outer_sym(G, Y)
             - mu * L * np.einsum("ki,kj->kij", Y, Y))
        return ConstraintForms(_to_columns(F), None, None)
    n, tau, nz = system.n_agents, system.calls, system.n_z
    # points of agent i: oracle calls t (row t N + i of Y and G) and the fixed point (zero row)
    Yp = np.vstack([Y, np.zeros((n, nz))])
    Gp = np.vstack([G, np.zeros((n, nz))])
    point = np.arange((tau + 1) * n).reshape(tau + 1, n)  # point[t, i], t = tau is x*
    a_t, b_t = np.nonzero(~np.eye(tau + 1, dtype=bool))
    a_idx = point[a_t].ravel()
    b_idx = point[b_t].ravel()
    coef = L / (2 * (L - mu))
    columns = []
    chunk = max(1, 4_000_000 // (nz * nz))
    for start in range(0, a_idx.size, chunk):
        a, b = a_idx[start:start + chunk], b_idx[start:start + chunk]
        dy, dg, gb = Yp[a] - Yp[b], Gp[a] - Gp[b], Gp[b]
        F = -_outer_sym(gb, dy) - coef * (
            np.einsum("ki,kj->kij", dg, dg) / L + mu * np.einsum("ki,kj->kij", dy, dy)
            - 2 * mu / L * _outer_sym(dg, dy)
        )
        columns.append(_to_columns(F))
    K = a_idx.size
    flow = sp.csr_matrix(
        (np.r_[np.ones(K), -np.ones(K)], (np.r_[a_idx, b_idx], np.r_[np.arange(K), np.arange(K)])),
        shape=((tau + 1) * n, K),
    )
    return ConstraintForms(sp.hstack(columns).tocsc(), flow, np.column_stack([a_idx, b_idx]))


def _balance_flows(forms: ConstraintForms, lam: FloatArray, n_agents: int) -> FloatArray:
    """Make ``lam >= 0`` conserve flow exactly, adding flow from deficit to surplus points.

    ``excess_p = outflow_p - inflow_p`` sums to zero over each agent's points (numbered
    ``t N + i``). Pair ``(q, p)`` of one agent receives ``deficit_q surplus_p / S_i`` with
    ``S_i`` the agent's total surplus: every excess becomes zero, flows only grow (``lam`` stays
    ``>= 0``) and the change has the size of the solver's residual.
    """
    if forms.flow is None or forms.pairs is None:
        return lam
    excess = np.asarray(forms.flow @ lam)
    surplus, deficit = np.maximum(excess, 0.0), np.maximum(-excess, 0.0)
    agent = np.arange(excess.size) % n_agents
    total = np.bincount(agent, surplus, minlength=n_agents)
    a, b = forms.pairs[:, 0], forms.pairs[:, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        add = np.where(total[agent[a]] > 0, deficit[a] * surplus[b] / total[agent[a]], 0.0)
    return np.asarray(lam + add)


# ---------------------------------------------------------------------------- verification
@dataclass(frozen=True)
class Verification:
    """Floating-point check of a candidate ``(P, lambda)``.

    Attributes
    ----------
    valid : bool
        ``P > 0`` and ``lambda_max(M(rate)) < -EIG_MARGIN * scale``.
    rate : float or None
        ``r' + RATE_SLACK`` with ``r'`` the smallest rate this candidate proves
        (``r'^2 = lambda_max(S, P)``, ``S`` the Schur complement of the gradient block of
        ``M(0)``); ``None`` when the candidate proves nothing.
    margin : float
        ``-lambda_max(M(rate)) / scale`` (positive when valid).
    p_condition : float
        ``cond(P)``: the constant in ``||s_k|| <= cond(P)^{1/2} r^k ||s_0||``.
    reason : str
    """

    valid: bool
    rate: float | None
    margin: float
    p_condition: float
    reason: str


def verify_certificate(
    system: RoundMap, forms: ConstraintForms, P: FloatArray, lam: FloatArray
) -> Verification:
    """Check a candidate certificate numerically and compute the rate it proves (module docstring)."""
    ns, nz = system.size, system.n_z
    P = (np.asarray(P, dtype=np.float64) + np.asarray(P, dtype=np.float64).T) / 2
    eig_p = np.linalg.eigvalsh(P)
    if not np.all(np.isfinite(eig_p)) or eig_p[0] <= 1e-12 * abs(eig_p[-1]):
        return Verification(False, None, float("nan"), float("inf"), "P is not positive definite")
    cond = float(eig_p[-1] / eig_p[0])
    lam = _balance_flows(forms, np.maximum(np.asarray(lam, dtype=np.float64), 0.0), system.n_agents)
    m_lam = forms.combine(lam, nz)
    M0 = system.AB.T @ P @ system.AB + m_lam
    M0 = (M0 + M0.T) / 2
    scale = float(np.linalg.norm(system.AB, 2) ** 2 * eig_p[-1] + np.linalg.norm(m_lam, 2))
    tol = EIG_MARGIN * scale
    m_ww = M0[ns:, ns:]
    if np.linalg.eigvalsh(m_ww)[-1] >= -tol:
        return Verification(False, None, float("nan"), cond,
                            "the gradient block of M is not negative definite")
    schur = M0[:ns, :ns] - M0[:ns, ns:] @ np.linalg.solve(m_ww, M0[ns:, :ns])
    r2 = float(sla.eigh((schur + schur.T) / 2, P, eigvals_only=True)[-1])
    rate = math.sqrt(max(r2, 0.0)) + RATE_SLACK
    M = M0.copy()
    M[:ns, :ns] -= rate**2 * P
    top = float(np.linalg.eigvalsh(M)[-1])
    if top >= -tol:
        return Verification(False, None, -top / scale, cond,
                            f"lambda_max(M) = {top:.3g} is not below -{tol:.3g}")
    return Verification(True, rate, -top / scale, cond, "verified")


# ---------------------------------------------------------------------------- the SDP
@dataclass(frozen=True)
class SolveRecord:
    """One SDP solve at a trial rate: what the solver said and what the check concluded.

    ``verdict`` is ``"certified"`` (verified; ``proved`` is the rate it proves), ``"infeasible"``
    (the solver's optimal margin ``t <= 0``: only a hint, never used as a proof) or ``"undecided"``
    (solver trouble, or a claimed margin that the check rejects).
    """

    trial_rate: float
    solver: str
    solver_status: str
    t: float | None
    verdict: str
    proved: float | None
    seconds: float
    note: str = ""


class _LMIProblem:
    r"""``max t`` s.t. ``t I <= P <= I``, ``M(r) <= -t I``, ``lambda >= 0`` (flows balanced).

    ``r^2`` is a cvxpy parameter, so the problem is compiled once and re-solved (warm-started) for
    every trial rate. Rate ``r`` is feasible iff the optimal ``t > 0``.
    """

    def __init__(self, system: RoundMap, forms: ConstraintForms) -> None:
        import cvxpy as cp  # imported here: cvxpy takes seconds to import

        self.cp = cp
        ns, nz = system.size, system.n_z
        self.P = cp.Variable((ns, ns), symmetric=True)
        self.lam = cp.Variable(forms.count, nonneg=True)
        self.t = cp.Variable()
        self.r2 = cp.Parameter(nonneg=True, value=1.0)
        E = np.zeros((ns, nz))
        E[:, :ns] = np.eye(ns)
        AB = system.AB
        M = (AB.T @ self.P @ AB - self.r2 * (E.T @ self.P @ E)
             + cp.reshape(forms.matrix @ self.lam, (nz, nz), order="F"))
        M = (M + M.T) / 2
        constraints = [self.P >> self.t * np.eye(ns), self.P << np.eye(ns), M << -self.t * np.eye(nz)]
        if forms.flow is not None:
            constraints.append(forms.flow @ self.lam == 0)
        self.problem = cp.Problem(cp.Maximize(self.t), constraints)

    def solve(self, r: float, solver: str, accurate: bool) -> tuple[str, float | None, Any, Any, float]:
        """Solve at rate ``r``; returns ``(status, t, P, lambda, seconds)``."""
        cp = self.cp
        self.r2.value = r * r
        opts: dict[str, Any]
        if solver == "scs":
            eps = 1e-8 if accurate else 1e-5
            opts = {"solver": cp.SCS, "eps_abs": eps, "eps_rel": eps,
                    "max_iters": SCS_ACCURATE_ITERS if accurate else SCS_ITERS, "warm_start": True}
        else:
            # one thread: Clarabel's thread pool does not survive a fork (jobs.map_jobs forks)
            opts = {"solver": cp.CLARABEL, "max_threads": 1}
            if accurate:
                opts.update(tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10, max_iter=400)
        start = time.perf_counter()
        try:
            with warnings.catch_warnings():  # inaccuracy is recorded in the status and checked
                warnings.simplefilter("ignore", UserWarning)
                self.problem.solve(**opts)
            status = str(self.problem.status)
        except cp.error.SolverError as error:
            status = f"solver error: {error}"
        seconds = time.perf_counter() - start
        t = None if self.t.value is None else float(self.t.value)
        return status, t, self.P.value, self.lam.value, seconds


# ---------------------------------------------------------------------------- certified rate
@dataclass
class CertifiedRate:
    """Outcome of :func:`certified_rate`.

    Attributes
    ----------
    rate : float or None
        The smallest verified certified rate found (``None``: no certificate).
    status : {"certified", "no certificate", "undecided"}
        ``"undecided"``: no certificate was verified and some solve ended in solver trouble, so
        "no certificate" could not be concluded.
    margin : float or None
        ``-lambda_max(M(rate)) / scale`` of the returned certificate.
    lower_bound : float
        Largest trial rate the solver found infeasible (a hint, not a proof), or the worst
        quadratic rate below.
    quadratic_rate : float
        The largest exact spectral radius among the ``d = 1`` quadratics ``f_i = h_i x^2 / 2``,
        ``h_i in {mu, L}`` (corners) and a few random ``h_i in [mu, L]``: a proven lower bound on
        any certified rate.
    worst_curvature : ndarray
        The ``h`` attaining ``quadratic_rate``.
    solves : list of SolveRecord
    timings : dict
        Seconds: ``build`` (lifted system, forms, compilation), ``solve``, ``total``.
    lmi_dimension : int
    multipliers : str
    parameters : dict
    P, lam : ndarray or None
        The verified certificate.
    """

    rate: float | None
    status: str
    margin: float | None
    lower_bound: float
    quadratic_rate: float
    worst_curvature: FloatArray
    solves: list[SolveRecord]
    timings: dict[str, float]
    lmi_dimension: int
    multipliers: str
    parameters: dict[str, Any]
    P: FloatArray | None = None
    lam: FloatArray | None = None
    p_condition: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        """``rate - quadratic_rate``: how far the certificate is above the worst instance found."""
        return None if self.rate is None else self.rate - self.quadratic_rate

    def solver_statuses(self) -> dict[str, int]:
        """How many solves ended in each ``solver: status / verdict``."""
        out: dict[str, int] = {}
        for rec in self.solves:
            key = f"{rec.solver}: {rec.solver_status} / {rec.verdict}"
            out[key] = out.get(key, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (without ``P`` and ``lam``)."""
        return {
            "rate": self.rate, "status": self.status, "margin": self.margin,
            "lower_bound": self.lower_bound, "quadratic_rate": self.quadratic_rate,
            "gap": self.gap, "lmi_dimension": self.lmi_dimension, "multipliers": self.multipliers,
            "parameters": self.parameters, "timings": self.timings, "p_condition": self.p_condition,
            "solver_statuses": self.solver_statuses(), "notes": self.notes,
            "solves": [rec.__dict__ for rec in self.solves],
        }


def check_size(system: RoundMap, *, multipliers: str = "sector") -> int:
    """Return the LMI dimension, raising :class:`CertificateTooLargeError` beyond the limits."""
    dim = lmi_dimension(system)
    calls, n = system.calls, system.n_agents
    count = n * calls * (calls + 1) if multipliers == "interpolation" else n * calls
    if dim > MAX_LMI_DIMENSION:
        raise CertificateTooLargeError(
            f"a certificate for N={n} agents with {calls} oracle calls per round needs an LMI of "
            f"dimension (state {system.size}) + N x calls = {dim} > MAX_LMI_DIMENSION = "
            f"{MAX_LMI_DIMENSION} ({dim * dim} entries); it would not solve in minutes. Use fewer "
            "agents or local steps")
    if count > MAX_MULTIPLIERS:
        raise CertificateTooLargeError(
            f"{multipliers} multipliers for N={n} agents with {calls} oracle calls per round number "
            f"{count} > MAX_MULTIPLIERS = {MAX_MULTIPLIERS}; use multipliers='sector' or fewer local "
            "steps")
    return dim


def worst_quadratic_rate(
    system: RoundMap, mu: float, L: float, *, n_random: int = 16, seed: int = 0
) -> tuple[float, FloatArray]:
    """Largest exact rate over ``d = 1`` quadratics ``h_i in {mu, L}`` (all corners up to N = 8,
    else the two homogeneous ones and random corners) and ``n_random`` uniform ``h in [mu, L]^N``.

    Every such instance is in the class, so any certified rate is at least the value returned.
    """
    n = system.n_agents
    rng = np.random.default_rng(seed)
    if n <= 8:
        corners = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    else:
        corners = np.vstack([np.zeros(n), np.ones(n), rng.integers(0, 2, size=(62, n))])
    cands = np.vstack([mu + (L - mu) * corners, rng.uniform(mu, L, size=(n_random, n))])
    rates = np.array([system.quadratic_rate(h) for h in cands])
    best = int(np.argmax(rates))
    return float(rates[best]), cands[best]


def _solver_order(solver: str, dim: int) -> list[str]:
    if solver == "auto":
        first = "clarabel" if dim <= CLARABEL_MAX_DIMENSION else "scs"
    else:
        first = solver
    other = "scs" if first == "clarabel" else "clarabel"
    if other == "clarabel" and dim > CLARABEL_FALLBACK_MAX_DIMENSION:
        return [first, first]  # second attempt: the same solver at tighter accuracy
    return [first, other]


def certified_rate(
    algorithm: Algorithm,
    network: Network,
    *,
    mu: float,
    L: float,
    multipliers: str = "sector",
    rtol: float = 1e-3,
    solver: str = "auto",
    keep_certificate: bool = False,
) -> CertifiedRate:
    r"""Smallest certified linear rate of ``algorithm`` (exact gradients) over all ``mu``-strongly
    convex, ``L``-smooth local costs (SPEC section 6; the LMI of the module docstring).

    The round is traced from the algorithm's code (:func:`~.trace.round_map`), so every traceable
    algorithm gets a certificate: LT-ADMM (both penalties, any ``alpha``), LT-ADMM-VR (its mean map,
    that of LT-ADMM), local DSGD (rate of convergence to its own, biased fixed point), LED, K-GT,
    exact ADMM, or a user's subclass.

    Search: the exact rate ``r_q`` of the worst ``d = 1`` quadratic found is a proven lower bound.
    Trial rates ``r_q + 4^j delta`` (``delta = max(2 rtol, 2e-3)``, capped at 1) are solved until one
    is certified; then bisection between the largest infeasible trial and the best verified rate
    until they are ``rtol`` apart. Every certified trial is re-checked by
    :func:`verify_certificate`, which also returns the (smaller) rate the candidate really proves.
    A solve whose claimed margin ``t > CLAIMED_MARGIN`` fails the check is repeated once at tighter
    accuracy (or with the other solver); if it still fails, or the solver ends inaccurate with a
    margin near 0, the trial counts as "not certified" and is recorded as undecided.

    Parameters
    ----------
    algorithm : Algorithm
        E.g. ``LTADMM(gamma=0.1, beta=0.1, rho=1.0, tau=5)``; minibatch settings are ignored (the
        certificate is about exact gradients).
    network : Network
    mu, L : float
        The class: every ``f_i`` is ``mu``-strongly convex and ``L``-smooth (``0 <= mu <= L``;
        ``mu < L`` for interpolation multipliers).
    multipliers : {"sector", "interpolation"}
        Interpolation multipliers need a method whose fixed point queries every agent at the
        optimum (:func:`queries_at_optimum`).
    rtol : float
        Bisection stops when the best verified rate is within ``rtol`` of the lower end.
    solver : {"auto", "clarabel", "scs"}
        ``"auto"``: Clarabel up to :data:`CLARABEL_MAX_DIMENSION`, SCS above (measured speeds).
    keep_certificate : bool
        Store ``P`` and ``lambda`` in the result.

    Returns
    -------
    CertifiedRate

    Raises
    ------
    CertificateTooLargeError
        When the LMI exceeds :data:`MAX_LMI_DIMENSION` or :data:`MAX_MULTIPLIERS` (checked on the
        traced map, before any SDP is built).
    """
    start = time.perf_counter()
    if not isinstance(network, Network):
        raise InvalidParameterError(f"network must be a Network, got {type(network).__name__}")
    mu = nonnegative_float("mu", mu)
    L = positive_float("L", L)
    multipliers = choice("multipliers", multipliers, MULTIPLIERS)
    rtol = positive_float("rtol", rtol)
    solver = choice("solver", solver, SOLVERS)
    if mu > L or (multipliers == "interpolation" and mu >= L):
        raise InvalidParameterError(
            f"need 0 <= mu {'<' if multipliers == 'interpolation' else '<='} L, got mu={mu}, L={L}"
        )
    try:
        system = round_map(algorithm, network, max_outputs=MAX_LMI_DIMENSION)
    except TraceTooLargeError as error:
        raise CertificateTooLargeError(
            f"{error}; a certificate needs an LMI of dimension above MAX_LMI_DIMENSION = "
            f"{MAX_LMI_DIMENSION}. Use fewer agents or local steps") from None
    dim = check_size(system, multipliers=multipliers)
    if multipliers == "interpolation" and not queries_at_optimum(system):
        raise InvalidParameterError(
            f"interpolation multipliers need a method whose fixed point queries every agent at the "
            f"optimum; {type(algorithm).__name__} does not (its local steps move at its fixed "
            "point): use multipliers='sector'")
    params = {**algorithm.parameters(), "mu": mu, "L": L, "n_agents": network.n_agents,
              "rtol": rtol}
    r_quad, worst_h = worst_quadratic_rate(system, mu, L)
    records: list[SolveRecord] = []
    notes: list[str] = []

    def result(rate: float | None, status: str, ver: Verification | None, lower: float,
               P: Any = None, lam: Any = None, build: float = 0.0) -> CertifiedRate:
        total = time.perf_counter() - start
        solve_s = sum(rec.seconds for rec in records)
        return CertifiedRate(
            rate, status, None if ver is None else ver.margin, lower, r_quad, worst_h, records,
            {"build": build, "solve": solve_s, "total": total}, dim, multipliers, params,
            P if keep_certificate else None, lam if keep_certificate else None,
            None if ver is None else ver.p_condition, notes)

    if r_quad >= 1.0:
        notes.append(f"a quadratic in the class has exact rate {r_quad:.6g} >= 1: no certificate "
                     "can exist (no SDP solved)")
        return result(None, "no certificate", None, r_quad)
    forms = constraint_forms(system, mu=mu, L=L, multipliers=multipliers)
    lmi = _LMIProblem(system, forms)
    build = time.perf_counter() - start
    order = _solver_order(solver, dim)

    def attempt(r: float) -> tuple[str, _Candidate | None]:
        """Verdict on trial rate ``r`` and the best verified candidate seen (it may prove a rate
        above ``r`` when the solver's margin is ~0: still a valid, looser certificate)."""
        found: _Candidate | None = None
        for i, name in enumerate(order):
            status, t, P, lam, secs = lmi.solve(r, name, i > 0)
            ver = None
            if P is not None and lam is not None and t is not None:
                ver = verify_certificate(system, forms, P, lam)
            if ver is not None and ver.valid and ver.rate is not None:
                if found is None or ver.rate < found[0]:
                    found = (ver.rate, ver, P, lam)
                if ver.rate <= r + rtol / 2:
                    records.append(SolveRecord(r, name, status, t, "certified", ver.rate, secs))
                    return "certified", found
            claimed = t is not None and t > CLAIMED_MARGIN
            proved = None if ver is None else ver.rate
            if status == "optimal" and not claimed:
                records.append(SolveRecord(r, name, status, t, "infeasible", proved, secs))
                return "infeasible", found
            note = "" if ver is None else (
                f"the candidate proves only {proved:.6g}" if ver.valid else ver.reason)
            records.append(SolveRecord(r, name, status, t, "undecided", proved, secs, note))
            if not claimed:
                return "undecided", found  # inaccurate near the boundary: no re-solve
        return "undecided", found

    best: _Candidate | None = None

    def keep(cand: _Candidate | None) -> None:
        nonlocal best
        if cand is not None and cand[0] < 1.0 and (best is None or cand[0] < best[0]):
            best = cand

    lower = r_quad
    delta = max(2 * rtol, 2e-3)
    trial = min(1.0, r_quad + delta)
    while True:
        verdict, cand = attempt(trial)
        keep(cand)
        if verdict != "certified":
            lower = trial
        if best is not None or trial >= 1.0:
            break
        delta *= 4
        trial = min(1.0, r_quad + delta)
    if best is None:
        undecided = any(rec.verdict == "undecided" for rec in records)
        notes.append("no rate < 1 could be certified")
        return result(None, "undecided" if undecided else "no certificate", None, lower, build=build)
    while best[0] - lower > rtol:
        mid = 0.5 * (lower + best[0])
        verdict, cand = attempt(mid)
        keep(cand)
        if verdict != "certified":
            lower = mid
    if best[0] < r_quad - 1e-6:
        raise AssertionError(  # a certificate below an instance's exact rate is a bug
            f"certified rate {best[0]:.6g} is below the exact rate {r_quad:.6g} of a quadratic "
            "in the class; the lifted system or the check is wrong"
        )
    if any(rec.verdict == "undecided" for rec in records):
        notes.append("some trial rates were undecided (solver trouble): the bisection treated "
                     "them as not certified, so the rate may be conservative")
    return result(best[0], "certified", best[1], lower, best[2], best[3], build)
