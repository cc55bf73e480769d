"""Gradient oracles: minibatch sampling, variance reduction, local solves, noise, counting (SPEC 2.3).

An algorithm reaches the local costs only through the primitives of :class:`Oracle`:
``gradient`` (plain stochastic gradient), ``gradient_table`` and ``variance_reduced_gradient`` (the
SAGA-type estimate of LT-ADMM-VR) and ``local_solve`` (the exact local minimisation of distributed
ADMM). :class:`GradientOracle` computes them on numbers; the theory layer implements the same
primitives on symbols to trace a round into a linear map (SPEC 7).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .._validation import nonnegative_float
from ..errors import InvalidParameterError
from ..problems.base import FloatArray, IntArray, Problem
from .gradient_tables import FactoredGradientTable, GradientTable, OracleMemory, fill_table
from .randomness import STREAM_BATCH, STREAM_NOISE, RowStreams


@dataclass(frozen=True)
class GaussianNoise:
    r"""Additive Gaussian gradient noise with controlled variance.

    ``g_i(x) = grad_estimate_i(x) + xi``, ``xi ~ N(0, (sigma2 / d) I_d)``, so ``E||xi||^2 = sigma2``
    exactly, independently per agent and local step.
    """

    sigma2: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "sigma2", nonnegative_float("sigma2", self.sigma2))


class Oracle(ABC):
    """The primitives through which a round reaches the local costs ``f_i`` (all agents at once)."""

    @abstractmethod
    def gradient(self, X: FloatArray, k: int, t: int) -> FloatArray:
        """A stochastic gradient ``g_i(x_i)`` of every local cost at round ``k``, local step ``t``."""

    @abstractmethod
    def gradient_table(self, X: FloatArray, updates: int | None = None) -> OracleMemory:
        """A SAGA memory filled with every per-sample gradient at ``X``, for ``updates`` variance-reduced
        steps (``None``: as many as the run makes)."""

    @abstractmethod
    def variance_reduced_gradient(
        self, X: FloatArray, table: OracleMemory, k: int, t: int
    ) -> FloatArray:
        """The SAGA-type estimate at ``X`` with memory ``table`` (updated in place)."""

    @abstractmethod
    def local_solve(
        self, V: FloatArray, r: FloatArray, start: FloatArray, k: int, inner_steps: int
    ) -> FloatArray:
        """``argmin_x f_i(x) + r_i ||x||^2 / 2 - <x, v_i>`` for every agent."""

    def local_steps(
        self,
        x: FloatArray,
        *,
        steps: int,
        k: int,
        step: float,
        drift: FloatArray | float = 0.0,
        shrink: FloatArray | None = None,
        table: OracleMemory | None = None,
    ) -> FloatArray:
        r"""``steps`` local gradient steps from ``phi^0 = x`` (all agents in parallel):

        .. math::

            \phi^{t+1} = \phi^t - s_i \phi^t - \eta\, g_i(\phi^t) - \delta_i,
            \qquad t = 0, \dots, \tau - 1,

        with ``eta = step``, ``s = shrink`` (a column ``(n_local, 1)``, default 0), ``delta = drift``
        (frozen for the round) and ``g`` the plain stochastic gradient (:meth:`gradient`) or, with a
        ``table``, the SAGA estimate (:meth:`variance_reduced_gradient`). Returns ``phi^tau``.

        Written once here as a loop over :meth:`gradient`; the theory layer's oracles use the same
        loop on symbols, or powers by squaring on a quadratic (cost ``O(log tau)``).
        """
        phi = x.copy()
        for t in range(steps):
            g = (self.gradient(phi, k, t) if table is None
                 else self.variance_reduced_gradient(phi, table, k, t))
            if shrink is not None:
                phi -= shrink * phi
            phi -= np.multiply(g, step, out=g)
            phi -= drift
        return phi


class GradientOracle(Oracle):
    """Stochastic gradients for the agents a process holds, with exact evaluation counts.

    Parameters
    ----------
    problem : Problem
        The problem restricted to the local agents.
    agents : ndarray of int
        Global index of the agent of every row (they key the random numbers).
    batch_size : int or None
        ``|B|``; ``None`` means the full local gradient.
    replace : bool
        Draw minibatch indices with replacement (default) or without.
    noise : GaussianNoise or None
        Additive noise added to every gradient estimate.
    seed : int or ndarray of int
        Seed of the run, or the seed of every row (a run of replicas: row ``(agent i, replica r)``
        draws the numbers of agent ``i`` under seed ``seed_r``).

    Attributes
    ----------
    row_evals : ndarray of int, shape (rows,)
        Per-sample gradient evaluations made so far by each row (agent, or agent of a replica).
    active : ndarray of bool, shape (rows,), or None
        Rows whose evaluations count (``None``: all); an inactive agent skips its round
        (:class:`~ltadmm_verify.algorithms.channel.Channel`), so its evaluations, made and then
        discarded by the vectorised round, are not counted.
    """

    def __init__(
        self,
        problem: Problem,
        agents: IntArray,
        batch_size: int | None,
        replace: bool,
        noise: GaussianNoise | None,
        seed: int | IntArray,
    ) -> None:
        self.problem = problem
        self.agents = np.asarray(agents, dtype=np.int64)
        self.batch_size = batch_size
        self.replace = replace
        self.noise = noise
        self.seed = seed
        self.streams = RowStreams(seed, self.agents)
        self.row_evals = np.zeros(self.agents.size, dtype=np.int64)
        self.active: NDArray[np.bool_] | None = None
        self._m = problem.n_samples
        self._m_column = self._m[:, None].astype(np.float64)
        self._last_sample = self._m[:, None] - 1
        self._padding = np.arange(problem.max_samples)[None, :] >= self._m[:, None]
        self._solvers: dict[bytes, tuple[FloatArray, FloatArray]] = {}

    @property
    def evals(self) -> int:
        """Per-sample gradient evaluations made so far by the local agents (all rows)."""
        return int(self.row_evals.sum())

    def _count(self, per_row: int | IntArray) -> None:
        """Count ``per_row`` evaluations for every (active) row."""
        if self.active is None:
            self.row_evals += per_row
        else:
            self.row_evals += np.where(self.active, per_row, 0)

    def indices(self, k: int, t: int) -> IntArray:
        """Minibatch indices for round ``k``, local step ``t``: shape ``(n_local, |B|)``.

        With replacement: ``h = floor(u m_i)`` for i.i.d. uniforms ``u``. Without: the ``|B|``
        samples with the smallest uniform keys (a uniformly random subset).
        """
        assert self.batch_size is not None
        if self.replace:
            u = self.streams.uniforms(STREAM_BATCH, k, t, self.batch_size)
            u *= self._m_column
            idx = u.astype(np.int64)
            return np.minimum(idx, self._last_sample, out=idx)
        keys = self.streams.uniforms(STREAM_BATCH, k, t, self.problem.max_samples)
        keys[self._padding] = np.inf
        return np.argsort(keys, axis=1, kind="stable")[:, : self.batch_size].astype(np.int64)

    def full_gradients(self, X: FloatArray) -> FloatArray:
        """``grad f_i(x_i)`` (counted as ``sum_i m_i``)."""
        self._count(self._m)
        return self.problem.local_gradients(X)

    def add_noise(self, g: FloatArray, k: int, t: int) -> FloatArray:
        """``g + xi`` with the configured Gaussian noise (unchanged when there is none)."""
        if self.noise is None or self.noise.sigma2 == 0.0:
            return g
        d = g.shape[1]
        xi = self.streams.normals(STREAM_NOISE, k, t, d)
        return g + np.sqrt(self.noise.sigma2 / d) * xi

    def gradient(self, X: FloatArray, k: int, t: int) -> FloatArray:
        r"""The plain stochastic gradient ``g_i(x_i) = (1/|B|) sum_{h in B} grad f_{i,h}(x_i) (+ xi)``.

        ``batch_size=None`` gives the full local gradient ``grad f_i(x_i)`` (plus noise).
        """
        if self.batch_size is None:
            g = self.full_gradients(X)
        else:
            idx = self.indices(k, t)
            self._count(idx.shape[1])
            g = self.problem.mean_sample_gradients(X, idx)
        return self.add_noise(g, k, t)

    def gradient_table(self, X: FloatArray, updates: int | None = None) -> OracleMemory:
        """Every per-sample gradient at ``X`` and their means (counted as ``sum_i m_i``), in the
        memory that suits the problem (:func:`~.gradient_tables.fill_table`)."""
        self._count(self._m)
        return fill_table(self.problem, X, updates)

    def variance_reduced_gradient(
        self, X: FloatArray, table: OracleMemory, k: int, t: int
    ) -> FloatArray:
        r"""The SAGA-type estimate of LT-ADMM-VR (SPEC 2.2), then the table update.

        .. math::

            g_i(x_i) = \frac{1}{|B|}\sum_{h\in B}\big[\nabla f_{i,h}(x_i)
                - \nabla f_{i,h}(r_{i,h})\big] + \frac{1}{m_i}\sum_{h=1}^{m_i}\nabla f_{i,h}(r_{i,h})
                \;(+\ \xi),

        then ``r_{i,h} <- x_i`` for ``h in B``: the gradients just computed are stored (no extra
        cost) and the table mean is updated incrementally (``O(|B| d)``; an index drawn twice in one
        batch is counted once).
        """
        assert isinstance(table, GradientTable | FactoredGradientTable)
        idx = self.indices(k, t)
        self._count(idx.shape[1])
        delta = table.exchange(self.problem, X, idx)
        estimate = delta.mean(axis=1) + table.mean
        first = _first_occurrence(idx)
        table.mean = table.mean + np.einsum("nb,nbd->nd", first, delta) / self._m[:, None]
        return self.add_noise(estimate, k, t)

    def local_solve(
        self, V: FloatArray, r: FloatArray, start: FloatArray, k: int, inner_steps: int
    ) -> FloatArray:
        r"""``x_i = argmin_x f_i(x) + r_i ||x||^2 / 2 - <x, v_i>`` (``r`` of shape ``(n_local, 1)``).

        Problems with ``quadratic_form()`` (``f_i = x^T H_i x / 2 - h_i^T x``): the closed form
        ``x_i = (H_i + r_i I)^{-1} (h_i + v_i)`` (inverses computed once per ``r``; no gradient is
        evaluated, no noise is added). Any other problem: ``inner_steps`` gradient steps
        ``x <- x - s_i (g_i(x) + r_i x - v_i)`` from ``start`` with ``s_i = 1 / (L_i + r_i)``
        (``L_i`` the certified per-agent constant; each step is an oracle ``gradient`` call, counted
        and noisy like any other).
        """
        form = getattr(self.problem, "quadratic_form", None)
        if form is not None:
            key = r.tobytes()
            if key not in self._solvers:
                H, h = form()
                self._solvers[key] = (np.linalg.inv(H + r[:, :, None] * np.eye(H.shape[1])), h)
            inverse, h = self._solvers[key]
            return np.asarray(np.einsum("nij,nj->ni", inverse, h + V))
        step = 1.0 / (self.problem.smoothness().per_agent[:, None] + r)
        x = start
        for t in range(inner_steps):
            x = x - step * (self.gradient(x, k, t) + r * x - V)
        return x


def _first_occurrence(idx: IntArray) -> FloatArray:
    """1.0 where ``idx[i, s]`` is the first occurrence of its value in row ``i``, else 0.0.

    ``idx[i, s]`` repeats an earlier entry of its row iff it equals some ``idx[i, s']``, ``s' < s``:
    one comparison of every pair of batch positions (``|B|^2`` per row, cheap for minibatches).
    """
    earlier = np.tri(idx.shape[1], k=-1, dtype=bool)
    repeated = ((idx[:, :, None] == idx[:, None, :]) & earlier).any(axis=2)
    return (~repeated).astype(np.float64)


def check_batch_size(batch_size: int | None, n_samples: NDArray[np.int64]) -> None:
    """Reject a batch larger than the smallest local data set."""
    if batch_size is not None and batch_size > int(n_samples.min()):
        raise InvalidParameterError(
            f"batch_size must be at most the smallest local data set min_i m_i = "
            f"{int(n_samples.min())}, got {batch_size}"
        )
