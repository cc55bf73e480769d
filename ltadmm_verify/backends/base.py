"""What an algorithm needs from the place its agents run: local agents, edge and neighbour transport.

An algorithm's round is written once against this interface; the single-process simulator and the
MPI backend implement it. "Local" means the agents (and the directed edges leaving them) that this
process holds; edge values are ordered like the network's directed edges restricted to those agents.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from ..network import Network
from ..problems.base import FloatArray, IntArray

#: what a receiver keeps for a lost message: an array, or a function computing it (called only when
#: a message is lost, so that an ideal network pays nothing), or ``None`` (no semantics under loss)
Fallback = FloatArray | Callable[[], FloatArray] | None


def resolve_fallback(fallback: Fallback) -> FloatArray | None:
    """The fallback array (calling ``fallback`` if it is a function)."""
    return fallback() if callable(fallback) else fallback


class Backend(ABC):
    """Transport of edge and neighbour values for the agents held by one process.

    Attributes
    ----------
    network : Network
        The whole communication graph.
    agents : ndarray of int, shape (n_local,)
        Global indices of the agents held here (ascending).
    degrees : ndarray of int, shape (n_local,)
        Their degrees ``d_i``.
    edge_source : ndarray of int, shape (e_local,)
        For each directed edge leaving a local agent, the *local* index of that agent.
    edge_ids : ndarray of int, shape (e_local,)
        The global index (in the network's directed edges) of each of those edges.
    messages : int
        Vectors sent so far by the local agents (one per directed edge per exchange).
    is_root : bool
        Whether this process records metrics and returns the full history.
    """

    name: str
    network: Network
    agents: IntArray
    degrees: IntArray
    edge_source: IntArray
    edge_ids: IntArray
    messages: int
    is_root: bool

    @abstractmethod
    def edge_sum(self, edge_values: FloatArray) -> FloatArray:
        """``sum_{j in N_i} v_ij`` for every local agent: ``(e_local, d) -> (n_local, d)``."""

    @abstractmethod
    def exchange(self, edge_values: FloatArray, fallback: Fallback = None) -> FloatArray:
        """Send ``v_ij`` along every edge ``i -> j``; return, at edge ``i -> j``, the ``v_ji`` received.

        ``fallback`` ``(e_local, d)``, or a function returning it: what edge ``i -> j`` gets instead
        when the message ``j -> i`` is lost on an unreliable channel
        (:mod:`ltadmm_verify.algorithms.channel`); an ideal transport never uses (nor computes)
        it. ``None``: the algorithm cannot run on a lossy channel.
        Counts one message per directed edge leaving a local agent.
        """

    @abstractmethod
    def mix(self, agent_values: FloatArray) -> FloatArray:
        """``sum_j w_ij v_j`` with the Metropolis-Hastings weights (one broadcast per agent).

        Counts ``d_i`` messages per local agent.
        """

    @abstractmethod
    def gather(self, agent_values: FloatArray) -> FloatArray | None:
        """All agents' rows ``(N, d)`` in global order on the root, ``None`` elsewhere."""

    @abstractmethod
    def local_rows(self, full: FloatArray) -> FloatArray:
        """The local agents' rows of a global ``(N, ...)`` array."""

    @abstractmethod
    def any(self, flag: bool) -> bool:
        """Whether ``flag`` is true on any process (known everywhere)."""

    @abstractmethod
    def total(self, count: int) -> int:
        """Sum of ``count`` over the processes (known everywhere)."""
