"""The single-process, vectorised reference backend: every agent lives in one array."""

from __future__ import annotations

import numpy as np

from ..network import Network
from ..problems.base import FloatArray
from .base import Backend, Fallback


class Simulator(Backend):
    """All ``N`` agents in one process; transport is indexing and one sparse product per call.

    ``edge_sum`` is ``S z`` with the ``N x 2|E|`` out-incidence matrix ``S``; ``exchange`` is a
    permutation of the edge rows (``v[reverse]``); ``mix`` is ``W v``.
    """

    name = "simulator"
    is_root = True

    def __init__(self, network: Network) -> None:
        self.network = network
        self.agents = np.arange(network.n_agents, dtype=np.int64)
        self.degrees = network.degrees
        self.edge_source = network.edge_source
        self.edge_ids = np.arange(network.n_directed_edges, dtype=np.int64)
        self.messages = 0

    def edge_sum(self, edge_values: FloatArray) -> FloatArray:
        return np.asarray(self.network.incidence_out @ edge_values)

    def exchange(self, edge_values: FloatArray, fallback: Fallback = None) -> FloatArray:
        self.messages += self.network.n_directed_edges
        return edge_values[self.network.edge_reverse]

    def mix(self, agent_values: FloatArray) -> FloatArray:
        self.messages += self.network.n_directed_edges
        return np.asarray(self.network.mixing_matrix @ agent_values)

    def gather(self, agent_values: FloatArray) -> FloatArray:
        return agent_values

    def local_rows(self, full: FloatArray) -> FloatArray:
        return full

    def any(self, flag: bool) -> bool:
        return bool(flag)

    def total(self, count: int) -> int:
        return int(count)
