r"""Exact mean-square analysis under i.i.d. message loss, and the exact floor under channel noise.

Setting (SPEC 8): a deterministic algorithm (exact gradients) on a quadratic, every directed message
lost independently with probability ``p`` (:class:`~ltadmm_verify.algorithms.channel.Channel`
semantics: an ``exchange`` falls back to the algorithm's value, ``mix`` substitutes the receiver's
own). Messages are numbered ``m = c |E_dir| + e``: call ``c`` of the round, directed edge ``e``
(sender to receiver). With ``l_m ~ Bernoulli(p)`` the loss indicators, one round is

.. math::

    s_{k+1} = T(\ell) s_k + b(\ell),\qquad T(\ell) = T + \sum_m \ell_m D_m,\quad
    b(\ell) = b + \sum_m \ell_m c_m,

obtained from the algorithm's own code: the round is traced (:func:`~.exact.trace_quadratic`)
with no message lost (``T, b``) and with each single message lost (``T + D_m, b + c_m``); the
trace with *every* message lost must equal ``T + sum_m D_m`` (no products of indicators within a
round, checked). The state is reduced to the part reachable from the start and observable in ``x``
under *every* ``T(l)`` (a switched-system Kalman reduction, :func:`~.trace.reduce`): the
circulations of LT-ADMM's ``z`` are invariant under each ``T(l)`` and never reach ``x``, so they
are quotiented out.

Moments, with ``Tbar = T + p sum_m D_m``, ``bbar = b + p sum_m c_m`` and ``v = p (1 - p)``:

.. math::

    E[s_{k+1}] &= \bar T E[s_k] + \bar b\\
    E[s_{k+1} s_{k+1}^T] &= \bar T Q \bar T^T + v \textstyle\sum_m D_m Q D_m^T
        + (\text{affine terms in } E[s_k], b, c_m),

so the **mean-square radius** is the spectral radius of
``L_p(Q) = Tbar Q Tbar^T + v sum_m D_m Q D_m^T`` (the linear part of the second moment;
``E[T (x) T] = Tbar (x) Tbar + v sum_m D_m (x) D_m``). At ``p = 0`` it is the square of the
spectral radius. ``L_p`` maps positive semidefinite matrices to positive semidefinite matrices,
so its spectral radius is its Perron eigenvalue (Arnoldi, ``scipy.sparse.linalg.eigs``; for small
states dense eigenvalues of the Kronecker form restricted to the symmetric matrices). ``D_m`` has
low rank (a lost message changes a few rows): it is applied as ``U_m V_m^T``.

Size limits (refused before the expensive part, with a clear message): at most
:data:`MAX_MESSAGES` messages per round (one trace each) and a reduced state of at most
:data:`MAX_MEAN_SQUARE_SIZE` (the operator acts on ``n x n`` matrices).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg as sla
import scipy.sparse.linalg as spla

from .._validation import nonnegative_float, positive_float, probability
from ..algorithms.base import Algorithm
from ..algorithms.run import _initial_models
from ..backends.base import Fallback, resolve_fallback
from ..backends.simulator import Simulator
from ..errors import InvalidParameterError, InvalidProblemError
from ..network import Network
from ..problems.base import FloatArray, Problem
from .exact import (
    AffineMap,
    TracedRound,
    _first_stable_interval,
    _MetricMap,
    _require_exact,
    trace_quadratic,
)
from .trace import NonlinearRoundError, SymbolAllocator, TraceTooLargeError, reduce

#: Most messages per round the analysis traces (one trace of the round per message).
MAX_MESSAGES = 4000
#: Largest reduced state (the second-moment operator acts on ``n x n`` matrices).
MAX_MEAN_SQUARE_SIZE = 300
#: Up to this reduced size the operator's eigenvalues are computed densely, on the symmetric matrices
#: (``n (n + 1) / 2 <= 300``); above it by Arnoldi (the leading eigenvalue).
DENSE_SIZE = 24
#: Restarts of the Arnoldi iteration before it is given up, up to :data:`DENSE_FALLBACK_SIZE`
#: (``20 n^2`` above it). A symmetric graph can give the
#: operator a cluster of nearly equal leading eigenvalues (a 6-star: 0.90071, 0.90056, 0.90050,
#: ...) on which it does not converge; up to :data:`DENSE_FALLBACK_SIZE` the dense eigenvalues
#: then decide (about 0.2 s at ``n = 32``).
ARNOLDI_RESTARTS = 2000
DENSE_FALLBACK_SIZE = 40


def _flat(F: FloatArray) -> FloatArray:
    """``(M, n, r) -> (n, M r)``: the factors of every message side by side."""
    return F.transpose(1, 0, 2).reshape(F.shape[1], -1)


def _sum_products(U: FloatArray, V: FloatArray) -> FloatArray:
    """``sum_m U_m V_m^T``."""
    return np.asarray(_flat(U) @ _flat(V).T)


def _symmetric_basis(n: int) -> FloatArray:
    r"""An orthonormal basis of the symmetric ``n x n`` matrices, as the columns of their ``vec``
    (``n^2 x n (n + 1) / 2``): ``E_ii`` and ``(E_ij + E_ji) / sqrt 2``, ``i < j``.

    ``L_p`` maps symmetric matrices to symmetric ones and the positive semidefinite cone into
    itself, so its spectral radius is an eigenvalue with a positive semidefinite eigenvector
    (Krein-Rutman): the restriction to the symmetric matrices has the same radius, on about half
    the dimension.
    """
    i, j = np.triu_indices(n)
    columns = np.arange(i.size)
    scale = np.where(i == j, 1.0, np.sqrt(0.5))
    basis = np.zeros((n * n, i.size))
    basis[i * n + j, columns] = scale
    basis[j * n + i, columns] = scale
    return basis


def _dense_radius(Tbar: FloatArray, U: FloatArray, V: FloatArray, v: float) -> float:
    """Spectral radius of ``Tbar (x) Tbar + v sum_m D_m (x) D_m`` on the symmetric matrices."""
    K = np.kron(Tbar, Tbar)
    for m in range(U.shape[0]):
        D = U[m] @ V[m].T
        K += v * np.kron(D, D)
    P = _symmetric_basis(Tbar.shape[0])
    return float(np.abs(np.linalg.eigvals(P.T @ K @ P)).max())


def _sandwich(U: FloatArray, V: FloatArray, Q: FloatArray) -> FloatArray:
    """``sum_m D_m Q D_m^T`` with ``D_m = U_m V_m^T``: ``O(M n^2 r)``."""
    inner = np.swapaxes(V, 1, 2) @ Q @ V  # (M, r, r)
    return np.asarray(_flat(U @ inner) @ _flat(U).T)


def _apply_each(U: FloatArray, V: FloatArray, s: FloatArray) -> FloatArray:
    """``D_m s`` for every ``m``, shape ``(M, n)``."""
    if not U.shape[0]:
        return np.zeros((0, s.size))
    return np.asarray(U @ (np.swapaxes(V, 1, 2) @ s)[:, :, None])[:, :, 0]


class LossPattern(Simulator):
    """The simulator with a fixed set of lost messages, and optional channel-noise symbols.

    Parameters
    ----------
    network : Network
    lost : frozenset of int
        Messages lost in this round, numbered ``c |E_dir| + e`` (call ``c``, directed edge ``e``
        from sender to receiver).
    symbols : SymbolAllocator, optional
        With ``dim``: every delivered message gets ``dim`` fresh symbols added (channel noise, one
        per coordinate); their first columns are listed in :attr:`noise_columns`.
    dim : int
        Columns per symbol block of the traced arrays (``d``).
    """

    def __init__(self, network: Network, lost: frozenset[int] = frozenset(),
                 symbols: SymbolAllocator | None = None, dim: int = 1) -> None:
        super().__init__(network)
        self.lost = lost
        self.symbols = symbols
        self.dim = dim
        self.calls = 0
        self.noise_columns: list[int] = []

    def _lost_rows(self, call: int) -> np.ndarray:
        """Receiving edge rows (``i -> j`` receives ``j -> i``) of the messages lost in ``call``."""
        edges = self.network.n_directed_edges
        lost = np.array(sorted(m - call * edges for m in self.lost if 0 <= m - call * edges < edges),
                        dtype=np.int64)
        return self.network.edge_reverse[lost]

    def _receive(self, sent_along_reverse: FloatArray) -> FloatArray:
        """The received rows with channel-noise symbols added (one block per message)."""
        out = np.array(sent_along_reverse)
        if self.symbols is None:
            return out
        edges, d = self.network.n_directed_edges, self.dim
        column = self.symbols.take(edges * d)
        if column is None:
            return out
        width = out.shape[1] // d
        view = out.reshape(edges, d, width)
        rows = np.arange(edges)
        # the message received at edge i -> j travelled along j -> i
        first = column + self.network.edge_reverse * d
        for a in range(d):
            view[rows, a, first + a] += 1.0
        self.noise_columns.append(column)
        return out

    def exchange(self, edge_values: FloatArray, fallback: Fallback = None) -> FloatArray:
        call, self.calls = self.calls, self.calls + 1
        self.messages += self.network.n_directed_edges
        out = self._receive(edge_values[self.network.edge_reverse])
        rows = self._lost_rows(call)
        if rows.size:
            kept = resolve_fallback(fallback)
            if kept is None:
                raise InvalidParameterError(
                    "this algorithm's exchange gives no fallback for a lost message: it has no "
                    "semantics under message loss")
            out[rows] = kept[rows]
        return out

    def mix(self, agent_values: FloatArray) -> FloatArray:
        call, self.calls = self.calls, self.calls + 1
        net = self.network
        self.messages += net.n_directed_edges
        received = self._receive(agent_values[net.edge_target])
        rows = self._lost_rows(call)
        received[rows] = agent_values[net.edge_source[rows]]
        d = net.degrees
        weights = 1.0 / (1.0 + np.maximum(d[net.edge_source], d[net.edge_target]))
        own = net.mixing_matrix.diagonal()[:, None] * agent_values
        return np.asarray(own + net.incidence_out @ (weights[:, None] * received))


@dataclass(frozen=True)
class LossModel:
    r"""One round under message loss, reduced: ``s+ = (T + sum_m l_m D_m) s + b + sum_m l_m c_m``.

    Attributes
    ----------
    T, b : ndarray
        The round with every message delivered (reduced coordinates).
    U, V : ndarray, shape (M, n, r)
        ``D_m = U_m V_m^T`` (low-rank factors, zero-padded to a common rank ``r``).
    c : ndarray, shape (M, n)
    X : ndarray
        The models ``x = X s``.
    T0, b0, D0, c0 : ndarray
        The first round from ``x_0``: ``s_1 = (T0 + sum_m l_m D0_m) x_0 + b0 + sum_m l_m c0_m``.
    G : ndarray
        Channel-noise input per unit variance ``sigma_c^2 / d`` (every message delivered), or an
        empty matrix when not traced.
    messages : int
        ``M``: messages per round.
    ideal_radius : float
        The spectral radius of the round with no loss on its own reachable part (the radius of
        :func:`~.exact.spectral_radius`).
    fixed : ndarray, shape (n, f)
        Orthonormal basis of the directions fixed by *every* loss pattern (``T u = u`` and
        ``D_m u = 0``): a continuum of fixed points shared by all ``T(l)``. They decide where the
        iterates settle, not whether they converge: :meth:`radius` acts on the quotient by them.
    """

    T: FloatArray
    b: FloatArray
    U: FloatArray
    V: FloatArray
    c: FloatArray
    X: FloatArray
    T0: FloatArray
    b0: FloatArray
    D0: FloatArray
    c0: FloatArray
    G: FloatArray
    messages: int
    fixed: FloatArray
    ideal_radius: float

    @property
    def size(self) -> int:
        """Reduced state dimension ``n``."""
        return int(self.T.shape[0])

    def mean_map(self, p: float) -> tuple[FloatArray, FloatArray]:
        """``(Tbar, bbar) = (T + p sum_m D_m, b + p sum_m c_m)``."""
        D_sum = _sum_products(self.U, self.V)
        return self.T + p * D_sum, self.b + p * self.c.sum(axis=0)

    def second_moment(self, p: float, Q: FloatArray) -> FloatArray:
        """``L_p(Q) = Tbar Q Tbar^T + p (1 - p) sum_m D_m Q D_m^T`` (the linear part)."""
        Tbar, _ = self.mean_map(p)
        out = Tbar @ Q @ Tbar.T
        if 0.0 < p < 1.0 and self.U.shape[0]:
            out = out + p * (1 - p) * _sandwich(self.U, self.V, Q)
        return np.asarray(out)

    def quotient(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``(T, U, V)`` on the quotient by :attr:`fixed` (``Q^T T Q``, ``Q^T U_m``, ``Q^T V_m``)."""
        if not self.fixed.shape[1]:
            return self.T, self.U, self.V
        Q = sla.null_space(self.fixed.T)
        return Q.T @ self.T @ Q, Q.T @ self.U, Q.T @ self.V

    def radius(self, p: float) -> float:
        """The mean-square radius at loss ``p``: spectral radius of the second-moment operator on
        the quotient by the shared fixed directions (module docstring).

        At ``p = 0`` no message is lost and the state stays in the part the ideal round reaches:
        the radius is ``ideal_radius ** 2``. For ``p > 0`` a loss can excite modes the ideal round
        never reaches (on a complete graph with ``W = 11^T / N``, disagreement between agents), so
        the radius may jump at ``p = 0+``.
        """
        if p == 0.0:
            return self.ideal_radius ** 2
        T, U, V = self.quotient()
        n = int(T.shape[0])
        if n == 0:
            return 0.0
        v = p * (1 - p)
        Tbar = T + p * _sum_products(U, V)
        if n <= DENSE_SIZE:
            return _dense_radius(Tbar, U, V, v)

        def apply(vector: FloatArray) -> FloatArray:
            Q = np.asarray(vector).reshape(n, n)
            out = Tbar @ Q @ Tbar.T
            if v > 0 and U.shape[0]:
                out = out + v * _sandwich(U, V, Q)
            return np.asarray(out).ravel()

        op = spla.LinearOperator((n * n, n * n), dtype=np.float64, matvec=apply)
        try:
            restarts = ARNOLDI_RESTARTS if n <= DENSE_FALLBACK_SIZE else 20 * n * n
            values = spla.eigs(op, k=1, which="LM", tol=1e-12, maxiter=restarts,
                               v0=np.eye(n).ravel(), return_eigenvectors=False)
        except spla.ArpackNoConvergence as error:
            if n <= DENSE_FALLBACK_SIZE:
                return _dense_radius(Tbar, U, V, v)
            raise InvalidParameterError(
                f"the mean-square radius did not converge (Arnoldi, n = {n}): {error}") from None
        return float(np.abs(values).max())

    def iterate_moments(self, p: float, x0: FloatArray) -> Iterator[tuple[FloatArray, FloatArray]]:
        r"""``(E[s_k], E[s_k s_k^T])`` for ``k = 1, 2, ...`` (exact, with the affine terms), without end.

        .. math::
            E[s_{k+1}] = \bar T E[s_k] + \bar b, \qquad
            E[s_{k+1} s_{k+1}^T] = L_p(E[s_k s_k^T]) + \text{affine terms}

        with :meth:`mean_map` and :meth:`second_moment`.
        """
        v = p * (1 - p)
        mean = self.T0 @ x0 + self.b0 + p * (self.D0 @ x0 + self.c0).sum(axis=0)
        jumps = self.D0 @ x0 + self.c0  # (M, n): what each lost message adds in round 1
        second = np.outer(mean, mean) + v * jumps.T @ jumps
        Tbar, bbar = self.mean_map(p)
        while True:
            yield mean, second
            Dm = _apply_each(self.U, self.V, mean)  # D_m E[s]
            cross = Tbar @ np.outer(mean, bbar) + v * Dm.T @ self.c
            second = (self.second_moment(p, second) + cross + cross.T + np.outer(bbar, bbar)
                      + v * self.c.T @ self.c)
            mean = Tbar @ mean + bbar

    def moments(self, p: float, x0: FloatArray, rounds: int) -> list[tuple[FloatArray, FloatArray]]:
        """``(E[s_k], E[s_k s_k^T])`` for ``k = 1..rounds`` (:meth:`iterate_moments`)."""
        return list(itertools.islice(self.iterate_moments(p, x0), rounds))

    def squared_distance(self, mean: FloatArray, second: FloatArray, target: FloatArray) -> float:
        """``E||x - target||^2`` of the models ``x = X s`` from the moments of ``s``."""
        mx = self.X @ mean
        return float(np.trace(self.X @ second @ self.X.T) - 2 * target @ mx + target @ target)

    def limit(self, p: float, x0: FloatArray, tol: float = 1e-13,
              max_rounds: int = 10**6) -> tuple[FloatArray, FloatArray, int]:
        """``(E[s], E[s s^T], rounds)`` in the limit from ``x_0``: the moment recursion run until the
        second moment stops changing (relative change ``< tol``). Needs :meth:`radius` ``< 1``.

        With shared fixed directions the limit depends on ``x_0`` and on the loss path (the
        iterates settle at a random fixed point); the recursion gives its exact moments.
        """
        previous = None
        for k, (mean, second) in enumerate(self.iterate_moments(p, x0), start=1):
            if previous is not None:
                change = float(np.abs(second - previous).max())
                if change <= tol * max(1.0, float(np.abs(second).max())):
                    return mean, 0.5 * (second + second.T), k - 1
            if k > max_rounds:
                break
            previous = second
        raise InvalidParameterError(f"the moments did not settle within {max_rounds} rounds")


def _trace(algorithm: Algorithm, problem: Problem, network: Network, lost: frozenset[int],
           channel_noise: bool = False) -> tuple[TracedRound, LossPattern]:
    holder: list[LossPattern] = []
    d = problem.dim

    def make(symbols: SymbolAllocator) -> LossPattern:
        backend = LossPattern(network, lost, symbols if channel_noise else None, d)
        holder.append(backend)
        return backend

    traced = trace_quadratic(algorithm, problem, network, check=False, make_backend=make)
    return traced, holder[-1]


def _low_rank(D: FloatArray, tol: float) -> tuple[FloatArray, FloatArray]:
    """``D = U V^T`` with the rank of ``D`` (singular values above ``tol``)."""
    u, sv, vt = np.linalg.svd(D)
    rank = int((sv > tol).sum())
    return u[:, :rank] * sv[:rank], vt[:rank].T


def loss_model(algorithm: Algorithm, problem: Problem, network: Network, *,
               channel_noise: bool = False, lossless: bool = False) -> LossModel:
    """Trace ``algorithm`` under every single-message loss into its reduced :class:`LossModel`.

    Parameters
    ----------
    algorithm : Algorithm
        Any traceable algorithm with exact gradients (``batch_size=None`` or one sample per agent);
        its ``exchange`` calls must give a fallback.
    problem : Problem
        A quadratic (``quadratic_form()``).
    network : Network
    channel_noise : bool
        Also trace the channel-noise inputs of every delivered message (for :func:`channel_noise_floor`).
    lossless : bool
        The model of ``p = 0``: no message is ever lost, so the state stays in the part the ideal
        round (and the channel noise) reaches. The loss terms are left out (``M = 0``). With them,
        the reduced state would also hold parts only a loss reaches, where the ideal round may be
        unstable (a step below the ideal critical step need not be stable there): rounding would
        excite them and the moments overflow.

    Raises
    ------
    TraceTooLargeError
        More than :data:`MAX_MESSAGES` messages per round, or a reduced state above
        :data:`MAX_MEAN_SQUARE_SIZE` (before the eigenvalue problem).
    NonlinearRoundError
        When losses of two messages of one round interact (a product of indicators).
    """
    _require_exact(algorithm, problem)
    trace_quadratic(algorithm, problem, network)  # linear and time-invariant (checked once)
    ideal, backend = _trace(algorithm, problem, network, frozenset(), channel_noise)
    M = 0 if lossless else backend.calls * network.n_directed_edges
    if M > MAX_MESSAGES:
        raise TraceTooLargeError(
            f"{type(algorithm).__name__} sends {M} messages per round on this network > MAX_MESSAGES "
            f"= {MAX_MESSAGES}: the exact mean-square analysis traces one round per message; use a "
            "smaller network or Monte Carlo (lv.run_replicas with a Channel)")
    singles = [_trace(algorithm, problem, network, frozenset([m]))[0] for m in range(M)]
    D_full = np.array([t.A - ideal.A for t in singles]).reshape(M, *ideal.A.shape)
    c_full = np.array([t.b - ideal.b for t in singles]).reshape(M, ideal.A.shape[0])
    first_full = np.array([t.first - ideal.first for t in singles]).reshape(M, ideal.A.shape[0])
    scale = 1.0 + float(np.abs(ideal.A).max())
    every = _trace(algorithm, problem, network, frozenset(range(M)))[0] if M else ideal
    if M and not np.allclose(every.A, ideal.A + D_full.sum(axis=0), rtol=0, atol=1e-9 * scale):
        raise NonlinearRoundError(
            f"in {type(algorithm).__name__} the losses of two messages of one round interact (a "
            "product of loss indicators): the mean-square analysis needs each message to enter "
            "the round linearly")
    G = ideal.G  # the oracle is noiseless: these are the channel-noise symbols, if traced
    family = [ideal.A, *D_full]
    S0x_first = ideal.A @ ideal.S0x
    reach = np.column_stack([S0x_first, ideal.first, ideal.b, *(c_full[m] for m in range(M)),
                             *(first_full[m] for m in range(M)), G,
                             *((D_full[m] @ ideal.S0x) for m in range(M))])
    red = reduce(family, reach, ideal.X)
    n = red.size
    if n > MAX_MEAN_SQUARE_SIZE:
        raise TraceTooLargeError(
            f"the reduced state under message loss has dimension {n} > MAX_MEAN_SQUARE_SIZE = "
            f"{MAX_MEAN_SQUARE_SIZE}: the second moment has {n * n} entries; use a smaller instance "
            "or Monte Carlo")
    P, E = red.P, red.E
    D = P @ D_full @ E if M else np.zeros((0, n, n))
    tol = 1e-11 * max(1.0, float(np.abs(D).max()) if M else 1.0)
    factors = [_low_rank(D[m], tol) for m in range(M)]
    rank = max([u.shape[1] for u, _ in factors], default=0)
    U = np.zeros((M, n, rank))
    V = np.zeros((M, n, rank))
    for m, (u, v) in enumerate(factors):
        U[m, :, :u.shape[1]], V[m, :, :v.shape[1]] = u, v
    amap: AffineMap = ideal.reduce(red)
    stacked = np.vstack([amap.T - np.eye(n), *(V[m].T for m in range(M))])
    fixed = sla.null_space(stacked, rcond=1e-9) if n else np.zeros((0, 0))
    return LossModel(
        T=amap.T, b=amap.b, U=U, V=V, c=c_full @ P.T, X=amap.X, T0=amap.T0, b0=amap.b0,
        D0=P @ D_full @ ideal.S0x if M else np.zeros((0, n, ideal.S0x.shape[1])),
        c0=first_full @ P.T, G=P @ G, messages=M, fixed=fixed,
        ideal_radius=ideal.reduce().spectral_radius())


def _loss(loss: Any) -> float:
    return probability("loss", loss, one=False)


def mean_square_radius(algorithm: Algorithm, problem: Problem, network: Network, *,
                       loss: float) -> float:
    r"""The exact mean-square radius of ``algorithm`` under i.i.d. message loss ``p = loss``.

    The spectral radius of ``Q -> Tbar Q Tbar^T + p (1 - p) sum_m D_m Q D_m^T`` (module docstring):
    ``E||s_k - s*||^2`` decays like its ``k``-th power when the fixed point is invariant under
    every loss pattern, and the iteration converges in mean square iff it is ``< 1``. At
    ``p = 0`` it equals ``spectral_radius(algorithm, problem, network) ** 2``.

    Parameters
    ----------
    algorithm : Algorithm
        Deterministic (exact gradients), traceable.
    problem : Problem
        Quadratic.
    network : Network
    loss : float
        ``p in [0, 1)``.
    """
    p = _loss(loss)
    return loss_model(algorithm, problem, network, lossless=p == 0.0).radius(p)


def mean_square_critical_step(algorithm: Algorithm, problem: Problem, network: Network, *,
                              loss: float, rtol: float = 1e-6) -> float:
    """The largest step (declared step parameters scaled together) with mean-square radius ``< 1``.

    The end of the first stable interval, found as by :func:`~.exact.critical_step_size` (start
    from the algorithm's own step, halve until stable, double until unstable, scan, bisect), with
    :func:`mean_square_radius` at loss ``p`` in place of the spectral radius. At ``p = 0`` it is
    the critical step of :func:`~.exact.critical_step_size`.
    """
    p = _loss(loss)
    rtol = positive_float("rtol", rtol)
    if not algorithm.step_parameters:
        raise InvalidParameterError(
            f"{type(algorithm).__name__} declares no step parameter: it has no critical step size")
    if problem.optimum() is None:
        raise InvalidProblemError("the mean-square critical step needs sum_i H_i positive definite")

    def radius(step: float) -> float:
        return loss_model(algorithm.with_step(step), problem, network, lossless=p == 0.0).radius(p)

    return _first_stable_interval(radius, algorithm.step_size, rtol)[0]


def loss_limit(algorithm: Algorithm, problem: Problem, network: Network, *,
               loss: float, x0: Any = None) -> dict[str, float]:
    """Where the iterates settle under i.i.d. loss ``p`` from ``x0``: exact limit of the expected metrics.

    The moment recursion (:meth:`LossModel.limit`, with its affine terms) run to its limit, and the
    expected metrics of ``lim_k x_k`` (the formulas of :func:`~.exact.noise_floor`), plus
    ``bias_sq = ||E[x_bar] - x*||^2`` (where the mean settles), ``dist_sq`` (``E||x_bar - x*||^2``)
    and ``mean_square_radius``. A fixed point shared by every loss pattern and unique gives 0 for
    the distances; a continuum of shared fixed points (mixing algorithms: any consensus point with
    matching corrections) lets the loss path choose where the iterates settle.

    Raises
    ------
    InvalidParameterError
        If the mean-square radius is ``>= 1``.
    """
    p = _loss(loss)
    model = loss_model(algorithm, problem, network, lossless=p == 0.0)
    radius = model.radius(p)
    if radius >= 1.0:
        raise InvalidParameterError(
            f"no limit: the mean-square radius at loss {p:g} is {radius:.6g} >= 1")
    mean, second, _ = model.limit(p, _initial_models(x0, problem).ravel())
    mx = model.X @ mean
    cov = model.X @ (second - np.outer(mean, mean)) @ model.X.T
    out = _MetricMap(problem)(mx, 0.5 * (cov + cov.T))
    x_star = problem.optimum()
    n, d = problem.n_agents, problem.dim
    xbar = mx.reshape(n, d).mean(axis=0)
    out["bias_sq"] = float(((xbar - x_star) ** 2).sum()) if x_star is not None else float("nan")
    out["mean_square_radius"] = radius
    return out


def expected_distance(algorithm: Algorithm, problem: Problem, network: Network, *, loss: float,
                      rounds: int, x0: Any = None) -> FloatArray:
    """Exact ``E||x_k - 1 x*||^2`` (sum over agents) for ``k = 0..rounds`` under i.i.d. loss ``p``.

    The moment recursion of :meth:`LossModel.moments` with its affine terms, from ``x_0``.
    """
    p = _loss(loss)
    model = loss_model(algorithm, problem, network, lossless=p == 0.0)
    x_0 = _initial_models(x0, problem).ravel()
    x_star = problem.optimum()
    if x_star is None:
        raise InvalidProblemError("expected_distance needs a unique optimum")
    target = np.tile(x_star, problem.n_agents)
    out = [float(((x_0 - target) ** 2).sum())]
    out += [model.squared_distance(mean, second, target) for mean, second in model.moments(p, x_0, rounds)]
    return np.array(out)


def channel_noise_floor(algorithm: Algorithm, problem: Problem, network: Network, *,
                        variance: float) -> dict[str, float]:
    r"""The exact stationary expected metrics under channel noise ``sigma_c^2 = variance`` (no loss).

    Every message gets ``n ~ N(0, (sigma_c^2 / d) I_d)``; the covariance recursion
    ``C+ = T C T^T + (sigma_c^2 / d) G_c G_c^T`` (``G_c``: where each message's noise enters the
    round, traced) has the stationary solution of a discrete Lyapunov equation, and the floor is the
    expected metrics there (the mean settles at the fixed point). Its noise part is linear in
    ``sigma_c^2``.

    Raises
    ------
    InvalidParameterError
        If the round has an eigenvalue of modulus ``>= 1`` on the part the noise reaches: no floor.
        This is the case of LED and K-GT, whose invariant ``sum_i y_i = 0`` (``sum_i c_i = 0``) holds
        only for an exactly doubly stochastic mixing: under channel noise it random-walks.
    """
    variance = nonnegative_float("variance", variance)
    model = loss_model(algorithm, problem, network, channel_noise=True, lossless=True)
    n = model.size
    radius = float(np.abs(np.linalg.eigvals(model.T)).max()) if n else 0.0
    if radius >= 1.0:
        raise InvalidParameterError(
            f"no stationary distribution: the round has an eigenvalue of modulus {radius:.6g} >= 1 on "
            "the part the channel noise reaches (a mixing algorithm's sum of corrections, kept at 0 "
            "by an exact W, performs a random walk under channel noise: the iterates drift and "
            "E||x_k - 1 x*||^2 grows without bound)")
    W = variance / problem.dim * model.G @ model.G.T
    cov = sla.solve_discrete_lyapunov(model.T, 0.5 * (W + W.T))
    mean = np.linalg.solve(np.eye(n) - model.T, model.b)
    return _MetricMap(problem)(model.X @ mean, model.X @ cov @ model.X.T)


__all__ = [
    "ARNOLDI_RESTARTS",
    "DENSE_FALLBACK_SIZE",
    "DENSE_SIZE",
    "MAX_MEAN_SQUARE_SIZE",
    "MAX_MESSAGES",
    "LossModel",
    "LossPattern",
    "channel_noise_floor",
    "expected_distance",
    "loss_limit",
    "loss_model",
    "mean_square_critical_step",
    "mean_square_radius",
]
