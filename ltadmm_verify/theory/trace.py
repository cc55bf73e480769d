r"""Trace an algorithm's round into a linear map: one description per algorithm (SPEC 7).

An algorithm touches the agents only through the backend (``edge_sum``, ``exchange``, ``mix``,
``degrees``, ``edge_source``) and the oracle primitives of
:class:`~ltadmm_verify.algorithms.oracles.Oracle`; all of them are linear and act row-wise on
``(rows, d)`` arrays. So ``initialize`` and one ``step`` can be *run on coefficient arrays*: replace
``d`` by the number of symbols, give every scalar of the state its own symbol (a unit coefficient
row), and let an oracle on symbols answer each query. The rows the round returns are then the
coefficients of the next state over the symbols: the round map, read off the code itself.

This module holds what every such trace shares: the layout of a state (which fields are traced),
symbol allocation with a counting pass, the checks that the round is linear and time-invariant, and
the generic reduction of a traced map to the part that is reachable from the start and observable in
the output (a Kalman decomposition with an SVD rank rule). Two oracles use it:

- :class:`SymbolicOracle` (here): every gradient output is a fresh symbol and every query point is
  recorded. The result, :class:`RoundMap` (``d = 1``; the ``d``-dimensional map is its Kronecker
  product with ``I_d``), is

  .. math::

      s_{k+1} = A s_k + B w_k, \qquad y_k = C s_k + D w_k, \qquad x_k = X s_k,

  with ``w_k`` the oracle outputs of round ``k`` (entry ``c N + i``: call ``c`` of agent ``i``) and
  ``y_k`` the points where they were queried. ``D`` is strictly causal for explicit methods; an
  implicit step (``local_solve``) gives a feed-through on its own output. It serves the class-wide
  analyses (certificates, worst case).
- :class:`~ltadmm_verify.theory.linear.QuadraticOracle`: exact gradients of a quadratic in ``d``
  dimensions on coefficients, giving the closed-loop affine map of :mod:`.linear`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar, cast

import numpy as np

from ..algorithms.base import Algorithm, State
from ..algorithms.gradient_tables import OracleMemory
from ..algorithms.oracles import Oracle
from ..backends.base import Backend
from ..backends.simulator import Simulator
from ..errors import InvalidParameterError
from ..network import Network
from ..problems.base import FloatArray, Problem

T = TypeVar("T")

#: Relative singular-value threshold of the rank rule used by the reductions: a new Krylov direction
#: counts when its part outside the current span exceeds ``RANK_RTOL`` times the block's norm. Near
#: ``sqrt(eps)`` (as MATLAB's ``minreal``): traced coefficients carry rounding that a Krylov sweep
#: amplifies to about 1e-10 (LED near ``gamma = 1/L`` picked up its unreachable conserved
#: ``sum_i y_i`` at 1e-12, tests/test_exact.py); a mode reached only below this level is dropped.
RANK_RTOL = 1e-8


class NonlinearRoundError(InvalidParameterError):
    """The round is not linear and time-invariant in the state and the oracle outputs."""


class TraceTooLargeError(InvalidParameterError):
    """The symbolic trace of a round would exceed a size limit (checked by a counting pass)."""


# ---------------------------------------------------------------------------- state layout
@dataclass(frozen=True)
class StateLayout:
    """Which fields of a state are traced, and how many rows each has.

    A traced field is a 2-D array ``(rows, d)``; every other field must be an
    :class:`~ltadmm_verify.algorithms.oracles.OracleMemory` or ``None`` (kept from the template).
    """

    fields: tuple[tuple[str, int], ...]
    template: State

    @property
    def rows(self) -> int:
        """Total number of traced rows (the state dimension for ``d = 1``)."""
        return sum(rows for _, rows in self.fields)

    def offsets(self) -> dict[str, int]:
        """First row of each traced field in the stacked state."""
        out, start = {}, 0
        for name, rows in self.fields:
            out[name] = start
            start += rows
        return out

    def stack(self, state: State) -> FloatArray:
        """The traced fields of ``state`` stacked row-wise."""
        parts = []
        for name, rows in self.fields:
            value = getattr(state, name)
            if not isinstance(value, np.ndarray) or value.ndim != 2 or value.shape[0] != rows:
                raise NonlinearRoundError(
                    f"state field {name!r} must stay a ({rows}, d) array through the round, got "
                    f"{getattr(value, 'shape', type(value).__name__)}")
            parts.append(value)
        return np.vstack(parts)

    def unstack(self, stacked: FloatArray) -> State:
        """A state with the traced fields taken from the rows of ``stacked``."""
        values, start = {}, 0
        for name, rows in self.fields:
            values[name] = np.array(stacked[start:start + rows])
            start += rows
        return dataclasses.replace(self.template, **values)


def state_layout(state: State) -> StateLayout:
    """The layout of ``state`` (raises when a field is neither an array nor an oracle memory)."""
    fields = []
    for f in dataclasses.fields(state):
        value = getattr(state, f.name)
        if isinstance(value, np.ndarray) and value.ndim == 2:
            fields.append((f.name, int(value.shape[0])))
        elif not (value is None or isinstance(value, OracleMemory)):
            raise NonlinearRoundError(
                f"state field {f.name!r} of {type(state).__name__} is a {type(value).__name__}: a "
                "traceable state holds (rows, d) arrays and oracle memories only")
    if not fields or fields[0][0] != "x":
        raise NonlinearRoundError("the first field of a state must be the models x (n, d)")
    return StateLayout(tuple(fields), state)


# ---------------------------------------------------------------------------- symbols
class SymbolAllocator:
    """Hands out symbol columns; in a counting pass (``width=None``) it only counts them."""

    def __init__(self, width: int | None, first: int) -> None:
        self.width = width
        self.next = first

    def take(self, count: int) -> int | None:
        """The first of ``count`` fresh columns (``None`` in a counting pass)."""
        start = self.next
        self.next += count
        if self.width is None:
            return None
        if self.next > self.width:
            raise NonlinearRoundError("the round asked for more symbols than in its counting pass: "
                                      "it is not the same computation twice")
        return start


@dataclass(frozen=True)
class OracleCall:
    """One oracle call of a traced round: its kind and where it was queried.

    ``kind`` is ``"gradient"`` (a stochastic gradient: noise enters here) or ``"solve"`` (an exact
    local minimisation, no noise). ``query`` holds the coefficients of the query points ``(N, width)``
    and ``column`` the first of the ``N`` output symbols.
    """

    kind: str
    query: FloatArray
    column: int


class _NoMemory(OracleMemory):
    """The SAGA memory on symbols: the mean map of the estimate does not need it."""


class SymbolicOracle(Oracle):
    """The oracle on symbols: every call returns ``N`` fresh output symbols and records its query.

    The variance-reduced estimate is unbiased given the past, so its *mean* is the exact gradient
    (SPEC 7: an algorithm that draws minibatches keeps its mean map); it is traced as a gradient.
    ``local_solve`` returns ``x = (v - w) / r`` with ``w`` the gradient at the output point: an
    implicit step, recorded with its feed-through.
    """

    def __init__(self, n_agents: int, symbols: SymbolAllocator, scale: float = 1.0) -> None:
        self.n_agents = n_agents
        self.symbols = symbols
        self.scale = scale
        self.calls: list[OracleCall] = []

    def _outputs(self, like: FloatArray) -> tuple[FloatArray, int]:
        column = self.symbols.take(self.n_agents)
        out = np.zeros_like(like)
        if column is not None:
            out[np.arange(self.n_agents), column + np.arange(self.n_agents)] = self.scale
        return out, -1 if column is None else column

    def gradient(self, X: FloatArray, k: int, t: int) -> FloatArray:
        out, column = self._outputs(X)
        self.calls.append(OracleCall("gradient", X.copy(), column))
        return out

    def gradient_table(self, X: FloatArray, updates: int | None = None) -> OracleMemory:
        return _NoMemory()

    def variance_reduced_gradient(self, X: FloatArray, table: OracleMemory, k: int, t: int) -> FloatArray:
        return self.gradient(X, k, t)

    def local_solve(self, V: FloatArray, r: FloatArray, start: FloatArray, k: int,
                    inner_steps: int) -> FloatArray:
        W, column = self._outputs(V)
        X = (V - W) / r
        self.calls.append(OracleCall("solve", X.copy(), column))
        return X

    def local_steps(self, x: FloatArray, *, steps: int, k: int, step: float,
                    drift: FloatArray | float = 0.0, shrink: FloatArray | None = None,
                    table: OracleMemory | None = None) -> FloatArray:
        if self.symbols.width is None:  # counting pass: the symbols, without the loop
            self.symbols.take(steps * self.n_agents)
            return np.zeros_like(x)
        return super().local_steps(x, steps=steps, k=k, step=step, drift=drift, shrink=shrink,
                                   table=table)


# ---------------------------------------------------------------------------- tracing
def _problem_arg(problem: Problem | None) -> Problem:
    return cast(Problem, problem)


def trace_state(
    algorithm: Algorithm,
    network: Network,
    problem: Problem | None,
    make_oracle: Callable[[SymbolAllocator], Oracle],
    basis: Callable[[int, int], FloatArray],
    n_basis: int,
) -> tuple[State, Oracle, int]:
    """Run ``initialize`` on symbolic initial models and return the state, its oracle and width.

    ``basis(width, n_agents)`` gives the ``(N, width)`` coefficients of the initial models; its
    symbols occupy the first ``n_basis`` columns. Counting pass first, then the real pass.
    """
    n = network.n_agents
    counter = SymbolAllocator(None, n_basis)
    algorithm.initialize(basis(n_basis, n), _problem_arg(problem), Simulator(network),
                         make_oracle(counter))
    width = counter.next
    symbols = SymbolAllocator(width, n_basis)
    oracle = make_oracle(symbols)
    state = algorithm.initialize(basis(width, n), _problem_arg(problem), Simulator(network), oracle)
    return state, oracle, width


def trace_round(
    algorithm: Algorithm,
    network: Network,
    problem: Problem | None,
    template: State,
    make_oracle: Callable[[SymbolAllocator], Oracle],
    state_symbols: Callable[[StateLayout, int], FloatArray],
    n_state_symbols: int,
    k: int = 0,
    max_width: int | None = None,
    make_backend: Callable[[SymbolAllocator], Backend] | None = None,
) -> tuple[FloatArray, Oracle, int, StateLayout]:
    """Run one ``step`` on a symbolic state; returns the stacked next state, the oracle and width.

    ``state_symbols(layout, width)`` gives the stacked coefficient rows of the state (its symbols in
    the first ``n_state_symbols`` columns). A counting pass sizes the trace first; beyond
    ``max_width`` symbols it raises :class:`TraceTooLargeError` before the real pass.
    ``make_backend(symbols)`` gives the transport of each pass (default: the simulator; a backend
    may take symbols of its own from the allocator it is given, e.g. for channel noise).
    """
    if make_backend is None:
        def make_backend(symbols: SymbolAllocator) -> Backend:
            return Simulator(network)
    layout = state_layout(template)
    counter = SymbolAllocator(None, n_state_symbols)
    algorithm.step(layout.unstack(state_symbols(layout, n_state_symbols)), k, _problem_arg(problem),
                   make_backend(counter), make_oracle(counter))
    width = counter.next
    if max_width is not None and width > max_width:
        raise TraceTooLargeError(
            f"one round of {type(algorithm).__name__} has {width} symbols (state and oracle outputs) "
            f"> {max_width}: too large to trace symbol by symbol")
    symbols = SymbolAllocator(width, n_state_symbols)
    oracle = make_oracle(symbols)
    nxt = algorithm.step(layout.unstack(state_symbols(layout, width)), k, _problem_arg(problem),
                         make_backend(symbols), oracle)
    return layout.stack(nxt), oracle, width, layout


def check_linear(run: Callable[[float, int], tuple[FloatArray, T]], what: str) -> tuple[FloatArray, T]:
    """Run a trace at scale 1 and 2 (exact in floating point) and at round 1; they must agree.

    ``run(scale, k)`` returns the traced coefficients (and anything else, returned for scale 1,
    round 0). A linear round gives exactly twice the coefficients when every symbol is doubled; an
    added constant or a product of state arrays does not. A round that changes with ``k`` is not
    time-invariant.
    """
    once, extra = run(1.0, 0)
    if not np.array_equal(run(2.0, 0)[0], 2.0 * once):
        raise NonlinearRoundError(
            f"{what} is not linear in the state and the oracle outputs (doubling every input did not "
            "double the result): the traced analyses need a round written with the linear "
            "primitives of ltadmm_verify.algorithms.base (no added constants, no products of state "
            "arrays)")
    if not np.array_equal(run(1.0, 1)[0], once):
        raise NonlinearRoundError(f"{what} depends on the round index k: it is not time-invariant")
    return once, extra


# ---------------------------------------------------------------------------- reduction
def orthonormal_span(columns: FloatArray, rtol: float = RANK_RTOL) -> FloatArray:
    """An orthonormal basis of the span of ``columns`` (each scaled to unit norm first)."""
    norms = np.linalg.norm(columns, axis=0)
    keep = norms > 0
    if not keep.any():
        return np.zeros((columns.shape[0], 0))
    scaled = columns[:, keep] / norms[keep]
    u, sv, _ = np.linalg.svd(scaled, full_matrices=False)
    rank = int((sv > rtol * sv[0]).sum())
    return np.asarray(u[:, :rank])


def krylov_span(A: FloatArray | Sequence[FloatArray], start: FloatArray,
                rtol: float = RANK_RTOL) -> FloatArray:
    """Orthonormal basis of ``span{start, A start, A^2 start, ...}`` (the smallest A-invariant
    subspace containing the columns of ``start``). ``A`` may be a sequence of matrices: the
    smallest subspace invariant under each of them.

    Block Arnoldi: the generators are scaled to unit norm (their span does not depend on their
    scale); each new block ``A F`` is orthogonalised twice against the basis, and its singular
    values count as new directions above ``rtol`` times ``||A F||`` (rounding noise stays below).
    """
    family = [A] if isinstance(A, np.ndarray) else list(A)
    basis = orthonormal_span(start, rtol)
    frontier = basis
    while frontier.shape[1] and basis.shape[1] < start.shape[0]:
        image = np.hstack([M @ frontier for M in family])
        scale = float(np.linalg.norm(image, 2))
        if scale == 0.0:
            break
        for _ in range(2):
            image = image - basis @ (basis.T @ image)
        u, sv, _ = np.linalg.svd(image, full_matrices=False)
        new = int((sv > rtol * scale).sum())
        frontier = u[:, :new]
        basis = np.hstack([basis, frontier])
    return basis


@dataclass(frozen=True)
class Reduction:
    """Coordinates ``z = P s`` of the reachable, observable part, and ``s ~ E z`` back.

    ``P E = I``; for any reachable ``s``, the outputs of ``s`` and of ``E P s`` agree at every round.
    """

    P: FloatArray
    E: FloatArray

    @property
    def size(self) -> int:
        """The reduced dimension."""
        return int(self.P.shape[0])


def reduce(A: FloatArray | Sequence[FloatArray], reach: FloatArray, observe: FloatArray,
           rtol: float = RANK_RTOL) -> Reduction:
    """Kalman reduction: reachable from the columns of ``reach``, observable through the rows of
    ``observe``, under ``s+ = A s`` (under every matrix of ``A`` when it is a sequence: a switched
    system, e.g. one matrix per message-loss pattern).

    ``V`` spans the reachable subspace; inside it, ``U`` spans the observable quotient (the row
    space of the observability matrix of ``(V^T A V, observe V)``), so ``z = (V U)^T s`` and
    ``E = V U`` (orthonormal columns, ``P = E^T``).
    """
    family = [A] if isinstance(A, np.ndarray) else list(A)
    V = krylov_span(family, reach, rtol)
    U = krylov_span([(V.T @ M @ V).T for M in family], (observe @ V).T, rtol)
    E = V @ U
    return Reduction(E.T, E)


# ---------------------------------------------------------------------------- the open-loop map
@dataclass(frozen=True)
class RoundMap:
    r"""The linear description of one round of an algorithm (``d = 1``), traced from its code.

    .. math::

        s_{k+1} = A s_k + B w_k, \qquad y_k = C s_k + D w_k, \qquad x_k = X s_k \quad (k \ge 1),

    on the reduced state ``s`` (reachable from the start and the oracle outputs, observable in the
    models and the query points); entry ``c N + i`` of ``w`` and ``y`` is oracle call ``c`` of agent
    ``i`` (``kinds[c]``: ``"gradient"`` or ``"solve"``). The first round starts from the unreduced
    initial state: ``s_1 = A_0 x_0 + B w_0`` and ``y_0 = C_0 x_0 + D w_0`` (``x_0`` the initial
    models; initialisations that call the oracle are not supported here).

    Attributes
    ----------
    A, B, C, D, output : ndarray
        The reduced round (shapes ``(n, n)``, ``(n, m)``, ``(m, n)``, ``(m, m)``, ``(N, n)``,
        ``m = N * calls``).
    A0, C0 : ndarray
        The first round from ``x_0``: ``(n, N)`` and ``(m, N)``.
    kinds : tuple of str
        Kind of each oracle call of a round.
    n_agents : int
    full_size : int
        Dimension of the unreduced traced state (``sum`` of the traced fields' rows).
    fields : tuple of (str, int)
        The traced fields of the state and their rows.
    """

    A: FloatArray
    B: FloatArray
    C: FloatArray
    D: FloatArray
    output: FloatArray
    A0: FloatArray
    C0: FloatArray
    kinds: tuple[str, ...]
    n_agents: int
    full_size: int
    fields: tuple[tuple[str, int], ...]

    @property
    def size(self) -> int:
        """Dimension of the reduced state."""
        return int(self.A.shape[0])

    @property
    def n_outputs(self) -> int:
        """Oracle outputs per round, ``N * calls``."""
        return int(self.B.shape[1])

    @property
    def calls(self) -> int:
        """Oracle calls per round (each for all ``N`` agents)."""
        return len(self.kinds)

    @property
    def explicit(self) -> bool:
        """Whether every query depends only on earlier outputs (``D`` strictly lower triangular)."""
        return bool(np.allclose(np.triu(self.D), 0.0))

    @property
    def n_z(self) -> int:
        """Dimension of ``z = (s, w)``: the state and one round's oracle outputs."""
        return self.size + self.n_outputs

    @property
    def AB(self) -> FloatArray:
        """``[A B]``: ``s+ = AB z``."""
        return np.hstack([self.A, self.B])

    @property
    def Y(self) -> FloatArray:
        """``[C D]``: the query points ``y = Y z``."""
        return np.hstack([self.C, self.D])

    @property
    def G(self) -> FloatArray:
        """``[0 I]``: the oracle outputs ``w = G z``."""
        return np.hstack([np.zeros((self.n_outputs, self.size)), np.eye(self.n_outputs)])

    def closed_loop(self, curvature: FloatArray) -> FloatArray:
        """The round map of the state for ``w = h y`` (``f_i = h_i x^2 / 2``, ``d = 1``).

        ``w = diag(h) (C s + D w)`` is solved for ``w``: ``s+ = (A + B (I - H D)^{-1} H C) s``.
        """
        h = np.tile(np.asarray(curvature, dtype=np.float64), self.calls)
        gain = np.linalg.solve(np.eye(h.size) - h[:, None] * self.D, h[:, None] * self.C)
        return np.asarray(self.A + self.B @ gain)

    def quadratic_rate(self, curvature: FloatArray) -> float:
        """Spectral radius of :meth:`closed_loop`: the exact rate on that quadratic."""
        return float(np.abs(np.linalg.eigvals(self.closed_loop(curvature))).max())


def _identity_rows(width: int, rows: int, scale: float = 1.0) -> FloatArray:
    out = np.zeros((rows, width))
    out[np.arange(rows), np.arange(rows)] = scale
    return out


def state_rows(algorithm: Algorithm, network: Network, problem: Problem | None = None) -> int:
    """Rows of the algorithm's traced state (``d = 1``; times ``d`` for the scalar dimension), from
    ``initialize`` alone (cheap at any ``tau``)."""
    n = network.n_agents
    oracle = SymbolicOracle(n, SymbolAllocator(None, 1))  # shapes only: no symbols
    state = algorithm.initialize(np.zeros((n, 1)), _problem_arg(problem), Simulator(network), oracle)
    return state_layout(state).rows


def round_map(algorithm: Algorithm, network: Network, problem: Problem | None = None, *,
              max_outputs: int | None = None) -> RoundMap:
    """Trace ``initialize`` and one ``step`` of ``algorithm`` into its :class:`RoundMap`.

    Parameters
    ----------
    algorithm : Algorithm
        Any algorithm written with the documented primitives (a user's subclass included).
    network : Network
    problem : Problem, optional
        Passed to ``validate_for``, ``initialize`` and ``step`` (a traceable round does not use it
        for arithmetic).
    max_outputs : int, optional
        Refuse (:class:`TraceTooLargeError`, before tracing) a round with more oracle outputs
        (``N`` per call): the symbolic trace costs one pass over every local step.

    Raises
    ------
    NonlinearRoundError
        If the round is not linear and time-invariant in the state and the oracle outputs, or its
        state holds something else than arrays and oracle memories.
    """
    if not isinstance(algorithm, Algorithm):
        raise InvalidParameterError(f"algorithm must be an Algorithm, got {type(algorithm).__name__}")
    if not isinstance(network, Network):
        raise InvalidParameterError(f"network must be a Network, got {type(network).__name__}")
    if problem is not None:
        algorithm.validate_for(problem)
    n = network.n_agents

    def make_oracle(symbols: SymbolAllocator) -> Oracle:
        return SymbolicOracle(n, symbols)

    state, init_oracle, _ = trace_state(algorithm, network, problem, make_oracle,
                                        lambda width, rows: _identity_rows(width, rows), n)
    if cast(SymbolicOracle, init_oracle).calls:
        raise NonlinearRoundError(f"{type(algorithm).__name__}.initialize calls the oracle: the traced "
                                  "map supports initialisations that do not")
    layout = state_layout(state)
    S0 = layout.stack(state)[:, :n]
    ns = layout.rows

    limit = None if max_outputs is None else ns + max_outputs

    def run(scale: float, k: int) -> tuple[FloatArray, list[OracleCall]]:
        nxt, oracle, _, _ = trace_round(
            algorithm, network, problem, state, lambda alloc: SymbolicOracle(n, alloc, scale),
            lambda lay, width: _identity_rows(width, lay.rows, scale), ns, k, limit)
        calls = cast(SymbolicOracle, oracle).calls
        return np.vstack([nxt, *(call.query for call in calls)]), calls

    stacked, calls = check_linear(run, f"the round of {type(algorithm).__name__}")
    nxt, query = stacked[:ns], stacked[ns:]
    A, B = nxt[:, :ns], nxt[:, ns:]
    C, D = query[:, :ns], query[:, ns:]
    output = np.zeros((n, ns))
    output[np.arange(n), layout.offsets()["x"] + np.arange(n)] = 1.0
    red = reduce(A, np.hstack([A @ S0, B]), np.vstack([output, C]))
    E, P = red.E, red.P
    return RoundMap(
        A=P @ A @ E, B=P @ B, C=C @ E, D=D, output=output @ E, A0=P @ A @ S0, C0=C @ S0,
        kinds=tuple(call.kind for call in calls), n_agents=n, full_size=ns, fields=layout.fields,
    )


__all__ = [
    "RANK_RTOL",
    "NonlinearRoundError",
    "OracleCall",
    "Reduction",
    "RoundMap",
    "StateLayout",
    "SymbolAllocator",
    "SymbolicOracle",
    "TraceTooLargeError",
    "check_linear",
    "krylov_span",
    "orthonormal_span",
    "reduce",
    "round_map",
    "state_layout",
    "state_rows",
    "trace_round",
    "trace_state",
]
