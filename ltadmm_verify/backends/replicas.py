"""``R`` independent copies of a network in one state: the transport of a run of replicas.

A run of ``R`` replicas (Monte Carlo seeds) of the same algorithm, problem and network keeps one
state whose rows are the pairs ``(agent i, replica r)``, **agent-major**: row ``i R + r`` (edge rows
likewise, ``e R + r``). Reshaped to ``(rows / R, R d)`` such a state is the state of the wrapped
backend with ``R d`` columns, replica ``r`` in columns ``r d .. (r + 1) d - 1``; every transport
call is one call of the wrapped backend on that view (no copy). The replicas never mix: the
wrapped backend's kernels act on each column separately (sparse products and permutations of
rows), so column ``j`` of the result is the same sequence of floating-point operations as in a
single run, and replica ``r`` gets the numbers of a run with its own seed **bit for bit**.
It wraps the simulator and the MPI backend alike (on MPI every rank holds its agents' rows of all
replicas).

Counters are per replica: ``messages`` is that of the wrapped backend, which counts each call once.
"""

from __future__ import annotations

import numpy as np

from ..problems.base import FloatArray
from .base import Backend, Fallback


class Replicated(Backend):
    """``replicas`` copies of the agents of ``inner``, rows ``(agent, replica)`` agent-major.

    Parameters
    ----------
    inner : Backend
        The backend of one copy (simulator or MPI).
    replicas : int
        ``R >= 1``.

    Attributes
    ----------
    agents : ndarray of int, shape (n_local R,)
        Global agent index of every row (``inner.agents`` repeated ``R`` times each).
    degrees : ndarray of int, shape (n_local R,)
    edge_source : ndarray of int, shape (e_local R,)
        Row ``e R + r`` (edge ``e`` of replica ``r``) leaves row ``source(e) R + r``.
    edge_ids : ndarray of int, shape (e_local R,)
        Global index of the directed edge of every edge row.
    """

    def __init__(self, inner: Backend, replicas: int) -> None:
        self.inner = inner
        self.replicas = int(replicas)
        self.name = inner.name
        self.network = inner.network
        self.is_root = inner.is_root
        copies = np.arange(self.replicas, dtype=np.int64)
        self.agents = np.repeat(inner.agents, self.replicas)
        self.degrees = np.repeat(inner.degrees, self.replicas)
        self.edge_source = (inner.edge_source[:, None] * self.replicas + copies[None, :]).ravel()
        self.edge_ids = np.repeat(inner.edge_ids, self.replicas)

    @property
    def messages(self) -> int:  # type: ignore[override]  # read-only: counted by the wrapped backend
        """Vectors sent per replica (those of the wrapped backend)."""
        return self.inner.messages

    def _wide(self, values: FloatArray) -> FloatArray:
        """``(rows R, d)`` -> ``(rows, R d)``: replica ``r`` in the ``r``-th block of columns."""
        return values.reshape(values.shape[0] // self.replicas, -1)

    def _tall(self, values: FloatArray) -> FloatArray:
        """The inverse of :meth:`_wide`."""
        return values.reshape(values.shape[0] * self.replicas, -1)

    def edge_sum(self, edge_values: FloatArray) -> FloatArray:
        return self._tall(self.inner.edge_sum(self._wide(edge_values)))

    def exchange(self, edge_values: FloatArray, fallback: Fallback = None) -> FloatArray:
        return self._tall(self.inner.exchange(self._wide(edge_values)))

    def mix(self, agent_values: FloatArray) -> FloatArray:
        return self._tall(self.inner.mix(self._wide(agent_values)))

    def gather(self, agent_values: FloatArray) -> FloatArray | None:
        """All agents' rows ``(N R, d)`` (agent-major) on the root, ``None`` elsewhere."""
        full = self.inner.gather(self._wide(agent_values))
        return None if full is None else self._tall(full)

    def local_rows(self, full: FloatArray) -> FloatArray:
        return self._tall(self.inner.local_rows(self._wide(full)))

    def any(self, flag: bool) -> bool:
        return self.inner.any(flag)

    def total(self, count: int) -> int:
        return self.inner.total(count)
