r"""The worst case after ``K`` rounds over a whole function class (performance estimation, SPEC 10).

For given ``N``, graph, algorithm parameters and ``K``, the largest value of the stationarity
measure that *any* choice of local costs in the class can force is a semidefinite program (Drori and
Teboulle 2014; Taylor, Hendrickx, Glineur 2017), built here from the algorithm's own traced round
(:func:`~ltadmm_verify.theory.trace.round_map`) and unrolled by :mod:`.pep`:

.. math::

    \max\ \text{metric}\quad\text{s.t.}\quad
    &G \succeq 0,\ \ f_{i,a} - f_{i,b} \ge \langle Q_{ab}, G\rangle \ \ \text{(interpolation, every
      agent } i \text{, every pair of its points)},\\
    &F_{low} \le F(\bar x_k) = \textstyle\sum_i f_i(\bar x_k)\ (k = 0..K),\quad
      F(\bar x_0) - F_{low} \le 1,\\
    &\tfrac1N \textstyle\sum_i \|\nabla f_i(\bar x_0) - \nabla F(\bar x_0)/N\|^2 \le 1,
      \qquad (\|\bar x_0\|^2 \le R^2 \text{ when the method depends on the origin}),

with ``G`` the Gram matrix of the Gram vectors (:mod:`.pep`), start consensual
(``x_{i,0} = x_bar_0``, the rest of the state as the algorithm's ``initialize`` makes it) and
``M_k = ||grad F(x_bar_k)||^2 + (1/N) sum_i ||x_{i,k} - x_bar_k||^2``. Metric ``"min"``:
``min_{0<=k<=K} M_k``; ``"average"``: ``(1/K) sum_{k<K} M_k`` (the ``Mbar_K`` of SPEC 4). Exact
gradients (no noise): it is the deterministic part of the rate claims.

Why two normalisations: with the function gap alone, heterogeneous local steps can raise ``F`` and
the worst case of LT-ADMM is unbounded from ``K = 2``; the gradient dissimilarity at the start bounds
how different the agents' costs are. Why a radius: a method that is not translation-equivariant
(LT-ADMM with ``rho != 1``: ``z_{ij,0} = x_{i,0}`` gives ``c_{i,0} = (rho - 1) d_i x_{i,0}``) moves
differently from different starts, and the worst case is unbounded unless ``||x_bar_0||`` is
bounded: ``radius`` is then required (a finding about the initialisation, not about the class).

The witness
-----------
The solver's Gram matrix is factorised (``G = V^T V``, negative eigenvalues clipped) into the leaf
vectors: ``x_bar_0``, every oracle output and every gradient at an average, in ``R^r``. The witness's
points are then *recomputed* from them by the traced round in floating point, so they follow the
algorithm exactly, and the interpolation inequalities of every agent are re-checked on them
(:attr:`Witness.max_violation`, relative to the size of the terms). Its metric and normalisation
values are recomputed the same way; since every quantity is homogeneous of degree two in
``(vectors, values)``, dividing its metric by the largest normalisation value (when above 1) gives
a value attained by an instance that satisfies the normalisation: :attr:`Witness.value`.

Size limits
-----------
The SDP has one interpolation constraint per ordered pair of points of each agent
(``N (K (calls + 1))^2`` roughly) over a Gram matrix of ``1 + K N (calls + 1)`` vectors. Larger
problems are refused up front (:class:`WorstCaseTooLargeError`), before any SDP is built: from a
bound on the traced map when it exceeds the limits twice over, else from the exact sizes of the
unrolled rounds (cheap); see :data:`MAX_GRAM_DIMENSION`, :data:`MAX_PAIRS` (measured in
``benchmarks/bench_worst_case.py``).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._validation import choice, integer_at_least, positive_float, real_number
from ..algorithms.base import Algorithm
from ..errors import InvalidParameterError
from ..network import Network
from ..problems.base import FloatArray
from .pep import Unrolled, count_points, depends_on_origin, interpolation_forms, square_form, unroll
from .trace import TraceTooLargeError, round_map

METRICS = ("min", "average")
SOLVERS = ("auto", "clarabel", "scs")

#: Largest Gram matrix accepted (vectors: ``x_bar_0``, the oracle outputs of ``K`` rounds, the
#: gradients at the ``K + 1`` averages; lifted states come on top). Measured with Clarabel
#: (benchmarks/bench_worst_case.py, one core): 48 vectors 5 s, 54 15 s, 72 47 s, 96 280 s;
#: an interior-point iteration factorises a dense matrix of side ``~ n^2 / 2 + pairs``.
MAX_GRAM_DIMENSION = 100
#: Largest number of interpolation constraints accepted (ordered pairs of points of one agent).
MAX_PAIRS = 3000
#: SCS (first order, on the lifted formulation): accuracy and iteration cap. Measured: it needs
#: 10^5 iterations and more on these degenerate SDPs (1-3 min at 36-51 vectors where Clarabel takes
#: 1-3 s), so it is an option, not the default.
SCS_EPS = 1e-7
SCS_ITERS = 200_000
#: A witness is verified when every interpolation inequality holds to this accuracy relative to the
#: size of its terms, and the recomputed metric agrees with the solver's value to the same.
WITNESS_RTOL = 1e-5


class WorstCaseTooLargeError(InvalidParameterError):
    """The performance estimation problem exceeds :data:`MAX_GRAM_DIMENSION` or :data:`MAX_PAIRS`."""


# ---------------------------------------------------------------------------- the class
@dataclass(frozen=True)
class FunctionClass:
    """Every local cost ``f_i`` is ``L``-smooth with curvature at least ``mu`` (``None``: nonconvex)."""

    L: float
    mu: float | None

    @property
    def curvature(self) -> float:
        """Lower curvature bound used by the interpolation inequalities (``-L`` when nonconvex)."""
        return -self.L if self.mu is None else self.mu

    @property
    def name(self) -> str:
        """``"smooth nonconvex"``, ``"smooth convex"`` or ``"smooth strongly convex"``."""
        if self.mu is None:
            return "smooth nonconvex"
        return "smooth convex" if self.mu == 0 else "smooth strongly convex"

    def describe(self) -> str:
        """E.g. ``"smooth nonconvex (L = 1)"``."""
        mu = "" if self.mu is None else f", mu = {self.mu:g}"
        return f"{self.name} (L = {self.L:g}{mu})"


# ---------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Witness:
    """A worst instance: points, gradients and values of every agent, in ``R^dimension``.

    Attributes
    ----------
    points, gradients : ndarray, shape (n_points, dimension)
    values : ndarray, shape (n_points,)
    agent : ndarray of int
    labels : list of str
    models : ndarray, shape (K + 1, N, dimension)
        ``x_{i,k}`` recomputed from the leaves by the traced round.
    metrics : ndarray, shape (K + 1,)
        ``M_k`` of the witness.
    gap, dissimilarity, origin_norm_sq : float
        The normalisation quantities of the witness (``F(x_bar_0) - min_k F(x_bar_k)``, the gradient
        dissimilarity at the start, ``||x_bar_0||^2``).
    max_violation : float
        Largest violation of an interpolation inequality, relative to the size of its terms.
    value : float
        The witness's metric divided by its largest normalisation ratio (when above 1).
    """

    points: FloatArray
    gradients: FloatArray
    values: FloatArray
    agent: np.ndarray
    labels: list[str]
    models: FloatArray
    metrics: FloatArray
    gap: float
    dissimilarity: float
    origin_norm_sq: float
    max_violation: float
    value: float

    @property
    def dimension(self) -> int:
        """Dimension ``d`` of the witness (the rank kept from the Gram matrix)."""
        return int(self.points.shape[1])

    def per_agent(self, i: int) -> dict[str, Any]:
        """Points, gradients and values of agent ``i`` (JSON-ready)."""
        sel = self.agent == i
        return {"labels": [lab for lab, s in zip(self.labels, sel, strict=True) if s],
                "points": self.points[sel].tolist(), "gradients": self.gradients[sel].tolist(),
                "values": self.values[sel].tolist()}


@dataclass
class WorstCase:
    """Outcome of :func:`worst_case`.

    Attributes
    ----------
    value : float or None
        The solver's optimal value (``None`` when the solve failed).
    status : str
        The solver's status (``"optimal"``, ``"optimal_inaccurate"``, ``"unbounded"``, ...).
    accuracy : float or None
        ``|value - witness.value| / max(value, 1e-12)`` (how far the re-checked witness is from the
        solver's value).
    verified : bool
        The witness satisfies every interpolation inequality to :data:`WITNESS_RTOL` and attains
        the value to :data:`WITNESS_RTOL`.
    witness : Witness or None
    metric : str
    function_class : FunctionClass
    rounds : int
    radius : float or None
    per_round : ndarray or None
        ``M_k`` of the witness, ``k = 0..K``.
    size : dict
        Gram dimension, points, pairs, lifted or not.
    timings : dict
        Seconds: ``build``, ``solve``, ``total``.
    parameters : dict
    notes : list of str
    """

    value: float | None
    status: str
    accuracy: float | None
    verified: bool
    witness: Witness | None
    metric: str
    function_class: FunctionClass
    rounds: int
    radius: float | None
    size: dict[str, Any]
    timings: dict[str, float]
    parameters: dict[str, Any]
    solver: str
    notes: list[str] = field(default_factory=list)

    @property
    def per_round(self) -> FloatArray | None:
        """``M_k`` of the witness (``k = 0..K``)."""
        return None if self.witness is None else self.witness.metrics

    def to_dict(self, *, witness: bool = False) -> dict[str, Any]:
        """JSON-ready summary (the witness's points only with ``witness=True``)."""
        out: dict[str, Any] = {
            "value": self.value, "status": self.status, "accuracy": self.accuracy,
            "verified": self.verified, "metric": self.metric, "rounds": self.rounds,
            "class": self.function_class.describe(), "L": self.function_class.L,
            "mu": self.function_class.mu, "radius": self.radius, "solver": self.solver,
            "size": self.size, "timings": self.timings, "parameters": self.parameters,
            "notes": self.notes,
        }
        if self.witness is not None:
            w = self.witness
            out["witness"] = {
                "value": w.value, "max_violation": w.max_violation, "dimension": w.dimension,
                "per_round": w.metrics.tolist(), "gap": w.gap, "dissimilarity": w.dissimilarity,
                "origin_norm_sq": w.origin_norm_sq,
            }
            if witness:
                out["witness"]["agents"] = [w.per_agent(i) for i in np.unique(w.agent).tolist()]
        return out


# ---------------------------------------------------------------------------- size
#: Before unrolling, a problem whose size *bound* (points before merging) exceeds the limits by this
#: factor is refused without unrolling it; the exact sizes are checked after unrolling (cheap).
BOUND_FACTOR = 2


@dataclass(frozen=True)
class ProblemSize:
    """Size of the SDP (exact: after unrolling and merging coincident points)."""

    gram: int
    points_per_agent: int
    pairs: int
    lifted: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"gram": self.gram, "points_per_agent": self.points_per_agent, "pairs": self.pairs,
                "lifted": self.lifted}


def problem_size(algorithm: Algorithm, network: Network, rounds: int) -> ProblemSize:
    """The size of the worst-case SDP of ``rounds`` rounds, before any SDP is built.

    Raises :class:`WorstCaseTooLargeError` beyond :data:`MAX_GRAM_DIMENSION` or :data:`MAX_PAIRS`.
    """
    system = _traced(algorithm, network)
    return _sized(system, rounds, lifted=False, anchored=depends_on_origin(system, rounds))[1]


def _traced(algorithm: Algorithm, network: Network) -> Any:
    try:
        return round_map(algorithm, network, max_outputs=MAX_GRAM_DIMENSION)
    except TraceTooLargeError as error:
        raise WorstCaseTooLargeError(
            f"{error}; one round alone exceeds MAX_GRAM_DIMENSION = {MAX_GRAM_DIMENSION}: use fewer "
            "agents or local steps") from None


def _refuse(system: Any, rounds: int, gram: int, per_agent: int, pairs: int, factor: int) -> None:
    what = (f"the worst case of {rounds} rounds for N={system.n_agents} agents with "
            f"{system.calls} oracle calls per round")
    bound = "" if factor == 1 else " at least"
    if gram > factor * MAX_GRAM_DIMENSION:
        raise WorstCaseTooLargeError(
            f"{what} needs a Gram matrix of dimension{bound} {gram // factor} > MAX_GRAM_DIMENSION = "
            f"{MAX_GRAM_DIMENSION}; it would not solve in minutes. Use fewer rounds, agents or local "
            "steps")
    if pairs > factor * MAX_PAIRS:
        raise WorstCaseTooLargeError(
            f"{what} has{bound} {pairs // factor} interpolation constraints (about N x P x (P - 1), "
            f"P = {per_agent} points per agent) > MAX_PAIRS = {MAX_PAIRS}. Use fewer rounds, agents "
            "or local steps")


def _sized(system: Any, rounds: int, *, lifted: bool, anchored: bool) -> tuple[Unrolled, ProblemSize]:
    """Unroll (after a coarse check of the size bound) and check the exact size."""
    per_agent, gram = count_points(system, rounds)
    _refuse(system, rounds, gram, per_agent, system.n_agents * per_agent * (per_agent - 1),
            BOUND_FACTOR)
    unrolled = unroll(system, rounds, anchored=anchored, lift=lifted)
    counts = np.bincount(unrolled.agent)
    pairs = int((counts * (counts - 1)).sum())
    _refuse(system, rounds, unrolled.n_vectors, int(counts.max()), pairs, 1)
    return unrolled, ProblemSize(unrolled.n_vectors, int(counts.max()), pairs, lifted)


# ---------------------------------------------------------------------------- the SDP
@dataclass(frozen=True)
class _Forms:
    """Every linear map of the SDP on ``vec(G)`` (and the point values)."""

    interpolation: sp.csr_matrix
    a: np.ndarray
    b: np.ndarray
    dissimilarity: sp.csr_matrix
    metrics: sp.csr_matrix  # (K + 1) rows: M_k
    origin: sp.csr_matrix | None


def _metric_rows(unrolled: Unrolled, leaves: bool) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Forms of ``M_k`` (``K + 1`` rows) and of the dissimilarity at the start."""
    Gr = unrolled.leaf_gradients if leaves else unrolled.gradients
    X = unrolled.leaf_models if leaves else unrolled.models
    n_vec = Gr.shape[1]
    K1, N = unrolled.at_average.shape
    rows = []
    for k in range(K1):
        grad_F = Gr[unrolled.at_average[k]].sum(axis=0)
        spread = X[k] - X[k].mean(axis=0)
        stacked = np.vstack([grad_F[None, :], spread])
        rows.append(square_form(stacked, n_vec, np.r_[1.0, np.full(N, 1.0 / N)]))
    g0 = Gr[unrolled.at_average[0]]
    dis = square_form(g0 - g0.mean(axis=0), n_vec, np.full(N, 1.0 / N))
    return sp.vstack(rows).tocsr(), dis


def _forms(unrolled: Unrolled, cls: FunctionClass, leaves: bool = False) -> _Forms:
    Q, a, b = interpolation_forms(unrolled, mu=cls.curvature, L=cls.L, leaves=leaves)
    metrics, dis = _metric_rows(unrolled, leaves)
    origin = None
    if unrolled.origin is not None:
        n_vec = unrolled.n_leaves if leaves else unrolled.n_vectors
        e = np.zeros((1, n_vec))
        e[0, unrolled.origin] = 1.0
        origin = square_form(e, n_vec)
    return _Forms(Q, a, b, dis, metrics, origin)


def _average_weights(rounds: int, metric: str) -> FloatArray | None:
    if metric == "min":
        return None
    w = np.zeros(rounds + 1)
    w[:rounds] = 1.0 / rounds
    return w


def _solve_sdp(unrolled: Unrolled, forms: _Forms, *, metric: str, radius: float | None,
               solver: str) -> tuple[str, float | None, FloatArray | None, FloatArray | None, float]:
    """Build and solve the SDP; returns ``(status, value, G, f, seconds)``."""
    import cvxpy as cp  # imported here: cvxpy takes seconds to import

    nv, npts = unrolled.n_vectors, unrolled.n_points
    K = unrolled.rounds
    G = cp.Variable((nv, nv), PSD=True)
    f = cp.Variable(npts)
    F_low = cp.Variable()
    g = cp.vec(G, order="F")
    a, b = forms.a, forms.b
    pair_values = sp.csr_matrix(
        (np.r_[np.ones(a.size), -np.ones(b.size)], (np.r_[np.arange(a.size), np.arange(b.size)],
                                                    np.r_[a, b])), shape=(a.size, npts))
    averages = sp.csr_matrix((np.ones(unrolled.at_average.size),
                              (np.repeat(np.arange(K + 1), unrolled.at_average.shape[1]),
                               unrolled.at_average.ravel())), shape=(K + 1, npts))
    F_bar = averages @ f
    constraints = [
        forms.interpolation @ g <= pair_values @ f,
        F_low <= F_bar,
        F_bar[0] - F_low <= 1.0,
        forms.dissimilarity @ g <= 1.0,
    ]
    if forms.origin is not None:
        assert radius is not None
        constraints.append(forms.origin @ g <= radius**2)
    if unrolled.relations.shape[0]:
        constraints.append(sp.csr_matrix(unrolled.relations) @ G == 0)
    M = forms.metrics @ g
    weights = _average_weights(K, metric)
    if weights is None:
        t = cp.Variable()
        objective = cp.Maximize(t)
        constraints.append(t <= M)
    else:
        objective = cp.Maximize(weights @ M)
    problem = cp.Problem(objective, constraints)
    opts: dict[str, Any]
    if solver == "scs":
        opts = {"solver": cp.SCS, "eps_abs": SCS_EPS, "eps_rel": SCS_EPS, "max_iters": SCS_ITERS}
    else:
        # one thread: Clarabel's thread pool does not survive a fork, and the report and the job
        # runner fork worker processes (a forked child solving with the pool deadlocks)
        opts = {"solver": cp.CLARABEL, "tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10,
                "tol_feas": 1e-10, "max_iter": 500, "max_threads": 1}
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():  # inaccuracy is recorded in the status and re-checked
            warnings.simplefilter("ignore", UserWarning)
            problem.solve(**opts)
        status = str(problem.status)
    except cp.error.SolverError as error:
        status = f"solver error: {error}"
    seconds = time.perf_counter() - start
    value = problem.value if status in ("optimal", "optimal_inaccurate") else None
    G_val = None if G.value is None else np.asarray(G.value)
    f_val = None if f.value is None else np.asarray(f.value)
    return status, None if value is None else float(value), G_val, f_val, seconds


# ---------------------------------------------------------------------------- witness
def _factor(G: FloatArray, rtol: float = 1e-9) -> FloatArray:
    """``V`` with ``V^T V ~ G`` (columns: the vectors), eigenvalues below ``rtol`` max dropped."""
    w, U = np.linalg.eigh((G + G.T) / 2)
    keep = w > rtol * max(float(w[-1]), 0.0)
    return np.asarray((U[:, keep] * np.sqrt(w[keep])).T)


def interpolation_slack(points: FloatArray, gradients: FloatArray, values: FloatArray,
                        agent: np.ndarray, cls: FunctionClass) -> tuple[float, float]:
    """``(largest violation, largest relative violation)`` of the interpolation inequalities.

    The relative violation divides by the size of the pair's terms,
    ``|f_a| + |f_b| + ||g||^2 / L + L ||x||^2`` over the pair.
    """
    mu, L = cls.curvature, cls.L
    coef = 1.0 / (2.0 * (1.0 - mu / L))
    worst_abs = worst_rel = 0.0
    for i in np.unique(agent):
        sel = agent == i
        x, g, f = points[sel], gradients[sel], values[sel]
        dx = x[:, None, :] - x[None, :, :]
        dg = g[:, None, :] - g[None, :, :]
        rhs = (np.einsum("bd,abd->ab", g, dx)
               + coef * ((dg**2).sum(-1) / L + mu * (dx**2).sum(-1)
                         - 2 * mu / L * np.einsum("abd,abd->ab", dg, dx)))
        slack = f[:, None] - f[None, :] - rhs
        np.fill_diagonal(slack, 0.0)
        size = (np.abs(f)[:, None] + np.abs(f)[None, :] + ((g**2).sum(-1) / L)[:, None]
                + ((g**2).sum(-1) / L)[None, :] + L * ((x**2).sum(-1))[:, None]
                + L * ((x**2).sum(-1))[None, :])
        worst_abs = max(worst_abs, float(-slack.min()))
        worst_rel = max(worst_rel, float((-slack / np.maximum(size, 1e-300)).max()))
    return max(worst_abs, 0.0), max(worst_rel, 0.0)


def _witness(unrolled: Unrolled, G: FloatArray, f: FloatArray, cls: FunctionClass, metric: str,
             radius: float | None) -> Witness:
    nl = unrolled.n_leaves
    V = _factor(G[:nl, :nl])  # (r, n_leaves)
    points = unrolled.leaf_positions @ V.T
    grads = unrolled.leaf_gradients @ V.T
    models = unrolled.leaf_models @ V.T
    K = unrolled.rounds
    at = unrolled.at_average
    metrics = np.empty(K + 1)
    F_bar = np.empty(K + 1)
    for k in range(K + 1):
        grad_F = grads[at[k]].sum(axis=0)
        spread = models[k] - models[k].mean(axis=0)
        metrics[k] = grad_F @ grad_F + (spread**2).sum() / spread.shape[0]
        F_bar[k] = f[at[k]].sum()
    g0 = grads[at[0]]
    dissimilarity = float(((g0 - g0.mean(axis=0)) ** 2).sum() / g0.shape[0])
    gap = float(F_bar[0] - F_bar.min())
    origin = 0.0 if unrolled.origin is None else float(V[:, unrolled.origin] @ V[:, unrolled.origin])
    _, violation = interpolation_slack(points, grads, f, unrolled.agent, cls)
    weights = _average_weights(K, metric)
    raw = float(metrics.min() if weights is None else weights @ metrics)
    ratio = max(1.0, gap, dissimilarity, origin / radius**2 if radius else 0.0)
    return Witness(points, grads, np.asarray(f, dtype=np.float64), unrolled.agent, unrolled.labels,
                   models, metrics, gap, dissimilarity, origin, violation, raw / ratio)


# ---------------------------------------------------------------------------- public
def worst_case(
    algorithm: Algorithm,
    network: Network,
    *,
    rounds: int,
    L: float,
    mu: float | None = None,
    metric: str = "min",
    radius: float | None = None,
    solver: str = "auto",
) -> WorstCase:
    r"""The worst case of ``algorithm`` after ``rounds`` rounds over every choice of local costs in
    the class (performance estimation; the SDP of the module docstring).

    Parameters
    ----------
    algorithm : Algorithm
        Any algorithm the tracer handles (:func:`~.trace.round_map`): LT-ADMM (both penalties, any
        ``alpha``), LT-ADMM-VR (its mean map), local DSGD, LED, K-GT, exact ADMM, a user's subclass.
        Exact gradients: minibatch settings are ignored.
    network : Network
    rounds : int
        ``K >= 1``.
    L : float
        Every ``f_i`` is ``L``-smooth.
    mu : float or None
        ``None``: the smooth nonconvex class; ``0``: smooth convex; ``0 < mu < L``: smooth strongly
        convex.
    metric : {"min", "average"}
        ``min_{0<=k<=K} M_k`` or ``(1/K) sum_{k<K} M_k``.
    radius : float, optional
        Bound on ``||x_bar_0||``; required (and only accepted) when the iteration depends on the
        origin (:func:`~.pep.depends_on_origin`, e.g. LT-ADMM with ``rho != 1``).
    solver : {"auto", "clarabel", "scs"}
        ``"auto"`` and ``"clarabel"``: Clarabel (interior point) on the dense formulation;
        ``"scs"``: SCS (first order) on the lifted one (sparse constraints, slow to converge here).

    Returns
    -------
    WorstCase

    Raises
    ------
    WorstCaseTooLargeError
        Beyond :data:`MAX_GRAM_DIMENSION` or :data:`MAX_PAIRS` (before any SDP is built).
    InvalidParameterError
        For bad arguments, or a missing ``radius`` when the method depends on the origin.
    """
    start = time.perf_counter()
    if not isinstance(algorithm, Algorithm):
        raise InvalidParameterError(f"algorithm must be an Algorithm, got {type(algorithm).__name__}")
    if not isinstance(network, Network):
        raise InvalidParameterError(f"network must be a Network, got {type(network).__name__}")
    rounds = integer_at_least("rounds", rounds, 1)
    L = positive_float("L", L)
    if mu is not None:
        mu = real_number("mu", mu)
        if not 0.0 <= mu < L:
            raise InvalidParameterError(
                f"mu must be None (smooth nonconvex) or in [0, L) = [0, {L:g}), got {mu!r}")
    metric = choice("metric", metric, METRICS)
    solver = choice("solver", solver, SOLVERS)
    cls = FunctionClass(L, mu)
    system = _traced(algorithm, network)
    use_scs = solver == "scs"
    anchored = depends_on_origin(system, rounds)
    if radius is not None:
        radius = positive_float("radius", radius)
    if anchored and radius is None:
        raise InvalidParameterError(
            f"{type(algorithm).__name__}({_short(algorithm)}) depends on where the origin is (its "
            "start is not translation-equivariant, e.g. LT-ADMM with rho != 1: z_ij,0 = x_i,0 gives "
            "c_i,0 = (rho - 1) d_i x_i,0): the worst case is unbounded unless ||x_bar_0|| is "
            "bounded; pass radius=R")
    notes: list[str] = []
    if not anchored and radius is not None:
        notes.append("radius ignored: the iteration does not depend on the origin (x_bar_0 = 0 "
                     "without loss of generality)")
        radius = None
    if anchored:
        notes.append(f"the iteration depends on the origin: ||x_bar_0|| <= {radius:g} imposed")
    unrolled, size = _sized(system, rounds, lifted=use_scs, anchored=anchored)
    forms = _forms(unrolled, cls)
    build = time.perf_counter() - start
    name = "scs" if use_scs else "clarabel"
    status, value, G, f, seconds = _solve_sdp(unrolled, forms, metric=metric, radius=radius,
                                              solver=name)
    witness = None
    accuracy = None
    if G is not None and f is not None and value is not None:
        witness = _witness(unrolled, G, f, cls, metric, radius)
        accuracy = abs(value - witness.value) / max(abs(value), 1e-12)
    verified = (witness is not None and accuracy is not None and accuracy <= WITNESS_RTOL
                and witness.max_violation <= WITNESS_RTOL)
    params = {**algorithm.parameters(), "algorithm": type(algorithm).__name__,
              "n_agents": network.n_agents}
    sizes = {**size.to_dict(), "points": unrolled.n_points, "merged": unrolled.merged}
    return WorstCase(value, status, accuracy, verified, witness, metric, cls, rounds, radius, sizes,
                     {"build": build, "solve": seconds, "total": time.perf_counter() - start},
                     params, name, notes)


def _short(algorithm: Algorithm) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in algorithm.parameters().items())


__all__ = [
    "MAX_GRAM_DIMENSION",
    "MAX_PAIRS",
    "METRICS",
    "FunctionClass",
    "ProblemSize",
    "Witness",
    "WorstCase",
    "WorstCaseTooLargeError",
    "interpolation_slack",
    "problem_size",
    "worst_case",
]
