r"""K rounds of a traced algorithm in Gram coordinates: the performance estimation problem (SPEC 10).

The traced round (:class:`~ltadmm_verify.theory.trace.RoundMap`, ``d = 1``) is linear in the state
and the oracle outputs, and acts on ``d``-dimensional vectors through its Kronecker product with
``I_d``. Unrolling ``K`` rounds from the consensual start ``x_{i,0} = x_bar_0`` therefore writes
every point where an agent's oracle is queried, every model ``x_{i,k}`` and every average
``x_bar_k`` as a fixed linear combination of a few *Gram vectors*:

- ``x_bar_0`` (only when the iteration depends on where the origin is, see :func:`depends_on_origin`;
  otherwise ``x_bar_0 = 0`` without loss of generality);
- every oracle output of every round (entry ``c N + i`` of round ``k``: call ``c`` of agent ``i``);
- the gradient of every ``f_i`` at every ``x_bar_k``, ``k = 0..K`` (the extra points of the metric);
- optionally the reduced state ``s_k`` of every round (*lifted*): then a point is a short combination
  of ``s_k`` and the round's own outputs instead of a dense one over all earlier outputs, and the
  state obeys the round's equations ``s_{k+1} = A s_k + B w_k`` as linear constraints on the Gram
  matrix (:attr:`Unrolled.relations`). Lifting keeps the interpolation constraints sparse.

A query point that equals an earlier point of the same agent (for every instance: the coefficient
rows agree to :data:`MERGE_RTOL`) is the *same* point: its output column is the earlier gradient,
so it adds no symbol and no interpolation constraint (e.g. LT-ADMM's first local step queries
``x_bar_0``).

Interpolation (Taylor, Hendrickx, Glineur 2017): a set of triples ``(x_p, g_p, f_p)`` of one agent
is interpolated by an ``L``-smooth function with curvature at least ``mu`` (``-L <= mu < L``) iff for
every ordered pair ``(a, b)``

.. math::

    f_a \ge f_b + \langle g_b, x_a - x_b\rangle + \frac{1}{2(1 - \mu/L)}\Big(\frac{1}{L}\|g_a - g_b\|^2
        + \mu \|x_a - x_b\|^2 - \frac{2\mu}{L}\langle g_a - g_b, x_a - x_b\rangle\Big).

``mu = -L`` is the class of ``L``-smooth (possibly nonconvex) functions, where this reads
``f_a - f_b >= -L/4 ||dx||^2 + 1/2 <g_a + g_b, dx> + 1/(4L) ||dg||^2`` (Theorem 3.10 of that paper);
``mu = 0`` the smooth convex and ``mu > 0`` the smooth strongly convex functions. Each inequality is
``f_a - f_b >= <Q_ab, G>`` with ``G`` the Gram matrix of the Gram vectors: a linear constraint.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import InvalidParameterError
from ..problems.base import FloatArray
from .trace import NonlinearRoundError, RoundMap

#: Two points of one agent are the same point when their coefficient rows agree to this relative
#: accuracy (the rows are exact up to the rounding of the trace and its reduction, ~1e-15).
MERGE_RTOL = 1e-10
#: The origin check: the iteration is translation-equivariant when, with every oracle output 0,
#: the start ``x_0 = 1`` queries and models ``1`` at every round up to this relative accuracy.
ORIGIN_RTOL = 1e-9

IntArray = np.ndarray


def depends_on_origin(system: RoundMap, rounds: int) -> bool:
    """Whether the first ``rounds`` rounds depend on where the origin is.

    A translation-equivariant method moves every point by ``v`` when the start and the costs move by
    ``v`` (``f_i(x - v)``); with linear rounds this holds iff, with every oracle output zero, the
    start ``x_{i,0} = 1`` gives queries and models equal to ``1``. Then ``x_bar_0 = 0`` loses no
    generality. LT-ADMM with ``rho != 1`` is not: its start ``z_ij = x_i`` gives
    ``c_{i,0} = (rho - 1) d_i x_i`` (SPEC 10).
    """
    n = system.n_agents
    ones = np.ones(n)
    s = system.A0 @ ones
    seen = [system.C0 @ ones]
    for k in range(1, rounds + 1):
        seen.append(system.output @ s)
        if k < rounds:
            seen.append(system.C @ s)
            s = system.A @ s
    values = np.concatenate(seen)
    return not np.allclose(values, 1.0, rtol=0.0, atol=ORIGIN_RTOL)


@dataclass(frozen=True)
class Unrolled:
    r"""``K`` rounds written over Gram vectors (module docstring).

    Rows are coefficient vectors over the ``n_vectors`` Gram vectors (``d = 1``). ``leaf_*`` rows are
    over the *leaves* only (``x_bar_0``, the outputs, the gradients at the averages: the first
    ``n_leaves`` Gram vectors), whatever the lifting; they define a witness.

    Attributes
    ----------
    n_vectors, n_leaves : int
        Gram vectors in all, and how many of them are leaves (the first ones).
    origin : int or None
        Index of ``x_bar_0`` among the Gram vectors (``None``: ``x_bar_0 = 0``).
    positions, gradients : ndarray, shape (n_points, n_vectors)
        Every distinct point of every agent and its gradient.
    leaf_positions, leaf_gradients : ndarray, shape (n_points, n_leaves)
    agent : ndarray of int, shape (n_points,)
    labels : list of str
        Where each point comes from (``"k=2 call 1"``, ``"x_bar_3"``).
    at_average : ndarray of int, shape (K + 1, N)
        Point index of ``x_bar_k`` for agent ``i``.
    models, leaf_models : ndarray, shape (K + 1, N, n_vectors) / (K + 1, N, n_leaves)
        ``x_{i,k}``.
    relations : ndarray, shape (n_relations, n_vectors)
        Lifted states only: rows ``r`` with ``r . v = 0`` (``s_{k+1} - A s_k - B w_k``), imposed as
        ``R G = 0``.
    merged : int
        Query points identified with an earlier point of the same agent.
    """

    n_vectors: int
    n_leaves: int
    origin: int | None
    positions: FloatArray
    gradients: FloatArray
    leaf_positions: FloatArray
    leaf_gradients: FloatArray
    agent: IntArray
    labels: list[str]
    at_average: IntArray
    models: FloatArray
    leaf_models: FloatArray
    relations: FloatArray
    merged: int

    @property
    def n_points(self) -> int:
        """Distinct points over all agents."""
        return int(self.agent.size)

    @property
    def rounds(self) -> int:
        """``K``."""
        return int(self.at_average.shape[0] - 1)

    def pairs(self) -> tuple[IntArray, IntArray]:
        """Every ordered pair ``(a, b)``, ``a != b``, of points of the same agent."""
        a_all, b_all = [], []
        for i in np.unique(self.agent):
            idx = np.flatnonzero(self.agent == i)
            a, b = np.nonzero(~np.eye(idx.size, dtype=bool))
            a_all.append(idx[a])
            b_all.append(idx[b])
        return np.concatenate(a_all), np.concatenate(b_all)


def count_points(system: RoundMap, rounds: int) -> tuple[int, int]:
    """Upper bounds on ``(points per agent, Gram vectors without lifting)`` before unrolling."""
    n, m = system.n_agents, system.n_outputs
    per_agent = rounds * system.calls + rounds + 1
    return per_agent, 1 + rounds * m + (rounds + 1) * n


class _Columns:
    """Hands out Gram-vector indices in order, with room for ``capacity``."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.used = 0

    def take(self, count: int = 1) -> int:
        start = self.used
        self.used += count
        assert self.used <= self.capacity
        return start


def _same_row(a: FloatArray, b: FloatArray) -> bool:
    scale = max(1.0, float(np.abs(a).max(initial=0.0)), float(np.abs(b).max(initial=0.0)))
    return bool(np.abs(a - b).max(initial=0.0) <= MERGE_RTOL * scale)


def _call_blocks(system: RoundMap) -> list[bool]:
    """For each call, whether its query depends on its own outputs (an implicit step); refuses a
    query that depends on a later call's outputs."""
    n, calls = system.n_agents, system.calls
    out = []
    for c in range(calls):
        rows = system.D[c * n:(c + 1) * n]
        if np.any(rows[:, (c + 1) * n:] != 0.0):
            raise NonlinearRoundError(
                f"oracle call {c} is queried at a point that depends on a later call's output: the "
                "round cannot be unrolled in order")
        out.append(bool(np.any(rows[:, c * n:(c + 1) * n] != 0.0)))
    return out


def unroll(system: RoundMap, rounds: int, *, anchored: bool, lift: bool) -> Unrolled:
    """Unroll ``rounds`` rounds of ``system`` from the consensual start (module docstring).

    Parameters
    ----------
    system : RoundMap
    rounds : int
        ``K >= 1``.
    anchored : bool
        Keep ``x_bar_0`` as a Gram vector (needed when :func:`depends_on_origin`); else it is 0.
    lift : bool
        Make the reduced state of rounds ``1..K-1`` Gram vectors (sparse constraints, more vectors).
    """
    if rounds < 1:
        raise InvalidParameterError(f"rounds must be >= 1, got {rounds}")
    n, m, ns, calls = system.n_agents, system.n_outputs, system.size, system.calls
    implicit = _call_blocks(system)
    n_leaf_max = int(anchored) + rounds * m + (rounds + 1) * n
    capacity = n_leaf_max + (rounds - 1) * ns * int(lift)
    cols = _Columns(capacity)
    origin = cols.take() if anchored else None
    X0 = np.zeros((n, capacity))
    if origin is not None:
        X0[:, origin] = 1.0

    positions: list[FloatArray] = []
    gradients: list[FloatArray] = []
    leaf_pos: list[FloatArray] = []
    agent: list[int] = []
    labels: list[str] = []
    owned: list[list[int]] = [[] for _ in range(n)]
    merged = 0
    relations: list[FloatArray] = []
    leaf_cols: list[int] = [] if origin is None else [origin]

    def new_leaf() -> FloatArray:
        row = np.zeros(capacity)
        col = cols.take()
        leaf_cols.append(col)
        row[col] = 1.0
        return row

    def add_point(i: int, pos: FloatArray, leaf: FloatArray, label: str,
                  grad: FloatArray | None) -> tuple[FloatArray, int]:
        """Register a point of agent ``i``; returns its gradient row and point index."""
        nonlocal merged
        if grad is None:
            for p in owned[i]:
                if _same_row(leaf_pos[p], leaf):
                    merged += 1
                    return gradients[p], p
            grad = new_leaf()
        positions.append(pos)
        leaf_pos.append(leaf)
        gradients.append(grad)
        agent.append(i)
        labels.append(label)
        owned[i].append(len(agent) - 1)
        return grad, len(agent) - 1

    at_average = np.zeros((rounds + 1, n), dtype=np.int64)
    models = np.zeros((rounds + 1, n, capacity))
    leaf_models = np.zeros((rounds + 1, n, capacity))

    def averages(k: int, x: FloatArray, x_leaf: FloatArray) -> None:
        models[k], leaf_models[k] = x, x_leaf
        bar, bar_leaf = x.mean(axis=0), x_leaf.mean(axis=0)
        for i in range(n):
            _, at_average[k, i] = add_point(i, bar, bar_leaf, f"x_bar_{k}", None)

    averages(0, X0, X0)
    S = S_leaf = np.zeros((ns, capacity))
    for k in range(rounds):
        if k == 0:
            base, base_leaf = system.C0 @ X0, system.C0 @ X0
        else:
            base, base_leaf = system.C @ S, system.C @ S_leaf
        W = np.zeros((m, capacity))
        for c in range(calls):
            block = slice(c * n, (c + 1) * n)
            if implicit[c]:
                for i in range(n):
                    W[c * n + i] = new_leaf()
            rows = base[block] + system.D[block] @ W
            rows_leaf = base_leaf[block] + system.D[block] @ W
            for i in range(n):
                given = W[c * n + i] if implicit[c] else None
                W[c * n + i], _ = add_point(i, rows[i], rows_leaf[i], f"k={k} call {c}", given)
        if k == 0:
            nxt = nxt_leaf = system.A0 @ X0 + system.B @ W
        else:
            nxt, nxt_leaf = system.A @ S + system.B @ W, system.A @ S_leaf + system.B @ W
        if lift and k < rounds - 1:
            start = cols.take(ns)
            S = np.zeros((ns, capacity))
            S[np.arange(ns), start + np.arange(ns)] = 1.0
            relations.append(S - nxt)
        else:
            S = nxt
        S_leaf = nxt_leaf
        averages(k + 1, system.output @ S, system.output @ S_leaf)

    used = cols.used
    leaf_index = np.array(leaf_cols, dtype=np.int64)
    order = np.concatenate([leaf_index, np.setdiff1d(np.arange(used), leaf_index)])

    def trim(a: FloatArray) -> FloatArray:
        return np.ascontiguousarray(a[..., order])

    n_leaves = leaf_index.size
    return Unrolled(
        n_vectors=used,
        n_leaves=n_leaves,
        origin=None if origin is None else 0,
        positions=trim(np.array(positions)),
        gradients=trim(np.array(gradients)),
        leaf_positions=trim(np.array(leaf_pos))[:, :n_leaves],
        leaf_gradients=trim(np.array(gradients))[:, :n_leaves],
        agent=np.array(agent, dtype=np.int64),
        labels=labels,
        at_average=at_average,
        models=trim(models),
        leaf_models=trim(leaf_models)[..., :n_leaves],
        relations=trim(np.array(relations).reshape(-1, capacity)) if relations
        else np.zeros((0, used)),
        merged=merged,
    )


# ---------------------------------------------------------------------------- quadratic forms
def row_outer(U: sp.csr_matrix, V: sp.csr_matrix, n: int) -> sp.csr_matrix:
    """Row ``k`` is ``vec(u_k v_k^T)`` folded onto the upper triangle (index ``min * n + max``).

    ``<row_k, vec(G)> = u_k^T G v_k`` for every symmetric ``G``.
    """
    U, V = sp.csr_matrix(U), sp.csr_matrix(V)
    nu, nv = np.diff(U.indptr), np.diff(V.indptr)
    counts = nu * nv
    total = int(counts.sum())
    rows = np.repeat(np.arange(nu.size), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    p = np.arange(total) - first
    iu = U.indptr[rows] + p // np.maximum(nv[rows], 1)
    iv = V.indptr[rows] + p % np.maximum(nv[rows], 1)
    i, j = U.indices[iu], V.indices[iv]
    col = np.minimum(i, j) * n + np.maximum(i, j)
    out = sp.csr_matrix((U.data[iu] * V.data[iv], (rows, col)), shape=(nu.size, n * n))
    out.sum_duplicates()
    return out


def interpolation_forms(
    unrolled: Unrolled, *, mu: float, L: float, leaves: bool = False
) -> tuple[sp.csr_matrix, IntArray, IntArray]:
    """The forms ``Q_ab`` of every ordered pair: ``f_a - f_b >= Q @ vec(G)`` (module docstring).

    ``mu = -L`` for the smooth nonconvex class. Returns ``(Q, a, b)``; with ``leaves=True`` the forms
    act on the Gram matrix of the leaves.
    """
    P = unrolled.leaf_positions if leaves else unrolled.positions
    Gr = unrolled.leaf_gradients if leaves else unrolled.gradients
    n = P.shape[1]
    a, b = unrolled.pairs()
    dx = sp.csr_matrix(P[a] - P[b])
    dg = sp.csr_matrix(Gr[a] - Gr[b])
    gb = sp.csr_matrix(Gr[b])
    coef = 1.0 / (2.0 * (1.0 - mu / L))
    Q = (row_outer(gb, dx, n) + coef * (row_outer(dg, dg, n) / L + mu * row_outer(dx, dx, n)
                                        - (2.0 * mu / L) * row_outer(dg, dx, n)))
    return sp.csr_matrix(Q), a, b


def square_form(rows: FloatArray, n: int, weights: FloatArray | None = None) -> sp.csr_matrix:
    """One row: ``sum_k w_k ||r_k||^2`` as a form on ``vec(G)``."""
    R = sp.csr_matrix(rows)
    w = np.ones(R.shape[0]) if weights is None else weights
    return sp.csr_matrix(sp.csr_matrix(w[None, :]) @ row_outer(R, R, n))


__all__ = [
    "MERGE_RTOL",
    "ORIGIN_RTOL",
    "Unrolled",
    "count_points",
    "depends_on_origin",
    "interpolation_forms",
    "row_outer",
    "square_form",
    "unroll",
]
