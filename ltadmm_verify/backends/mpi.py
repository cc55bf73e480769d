"""Agents on MPI ranks (mpi4py): contiguous blocks of agents, neighbour-only communication.

Run inside an MPI job, e.g. ``mpirun -n 4 python -m mpi4py my_script.py`` with
``lv.run(..., backend="mpi")``. Agents ``0..N-1`` are split into ``P`` contiguous blocks (the first
``N mod P`` ranks hold one agent more). Inside a rank the kernels are the simulator's: the same sparse
rows of ``S`` (out-incidence) and ``W`` (Metropolis-Hastings weights), restricted to the local
agents, with the columns of off-rank neighbours pointing into a halo buffer. Across ranks a
distributed-graph communicator connects exactly the ranks that share an edge, and every
:meth:`MPIBackend.exchange` / :meth:`MPIBackend.mix` is one ``Neighbor_alltoallv``:

* ``exchange``: the edge values ``v_ij`` whose reverse edge ``j -> i`` lives on another rank are sent
  to that rank, ordered by the receiver's edge index; intra-rank edges are a local permutation.
* ``mix``: every rank sends the rows of its boundary agents (those with a neighbour on the receiving
  rank), in ascending global order; the receiver appends them to its local rows (the halo).

Numerical identity with :class:`~ltadmm_verify.backends.simulator.Simulator`: **bit for bit**.
``exchange`` and ``gather`` only move numbers; ``edge_sum`` and ``mix`` evaluate each output row
with scipy's CSR kernel over the *same stored entries in the same order* as the simulator's global
matrices (the local matrix is a row block of the global one whose column indices are renumbered,
never re-sorted), so every row is the same sequence of floating-point operations
``y_i = ((0 + a_{i,c_1} v_{c_1}) + a_{i,c_2} v_{c_2}) + ...``. Metrics are computed on rank 0 from
the gathered full state, hence identical too. A whole run is then bit-identical as long as the
problem's per-agent kernels give the same rows for a block of agents (``Problem.restrict``) as for
all of them; ``tests/test_mpi.py`` checks this end to end (history and final models equal with
``np.array_equal``) for every algorithm on 2 and 4 ranks, with unequal local data sizes.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import numpy as np
import scipy.sparse as sp
from mpi4py import MPI

from ..errors import InvalidParameterError
from ..network import Network
from ..problems.base import FloatArray, IntArray
from .base import Backend, Fallback


def partition(n_agents: int, n_ranks: int) -> IntArray:
    """Block boundaries: rank ``r`` holds agents ``bounds[r] <= i < bounds[r + 1]``.

    ``bounds[r] = r floor(N / P) + min(r, N mod P)``: block sizes differ by at most one.
    """
    r = np.arange(n_ranks + 1, dtype=np.int64)
    return r * (n_agents // n_ranks) + np.minimum(r, n_agents % n_ranks)


@dataclass(frozen=True)
class _NeighbourPlan:
    """Rows to send to / receive from each neighbour rank, in the topology's neighbour order."""

    send_rows: IntArray
    send_counts: IntArray
    recv_rows: IntArray
    recv_counts: IntArray


def _abort_on_uncaught_exception() -> None:
    """Make an uncaught exception on this rank end the whole job (``MPI_Abort``) after its traceback.

    Without this, the other ranks would wait forever in their next neighbour exchange. Installed
    once per process; ``python -m mpi4py`` already aborts on uncaught exceptions and non-zero exits.
    """
    previous = sys.excepthook
    if getattr(previous, "ltadmm_verify_abort", False):
        return

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        previous(kind, value, tb)
        sys.stderr.flush()
        MPI.COMM_WORLD.Abort(1)

    hook.ltadmm_verify_abort = True  # type: ignore[attr-defined]
    sys.excepthook = hook


def _network_fingerprint(network: Network) -> str:
    digest = hashlib.sha256()
    digest.update(np.int64(network.n_agents).tobytes())
    digest.update(network.edge_source.tobytes())
    digest.update(network.edge_target.tobytes())
    return digest.hexdigest()


def _local_csr(matrix: sp.csr_matrix, lo: int, hi: int, columns: IntArray, width: int) -> sp.csr_matrix:
    """Rows ``lo:hi`` of ``matrix`` with column ``c`` renamed ``columns[c]``; entry order kept."""
    start, stop = int(matrix.indptr[lo]), int(matrix.indptr[hi])
    return sp.csr_matrix(
        (
            matrix.data[start:stop].copy(),
            columns[matrix.indices[start:stop]].astype(matrix.indices.dtype),
            (matrix.indptr[lo : hi + 1] - start).astype(matrix.indptr.dtype),
        ),
        shape=(hi - lo, width),
    )


class MPIBackend(Backend):
    """The agents of one MPI rank, exchanging with neighbour ranks only.

    Parameters
    ----------
    network : Network
        The whole graph; must be the same on every rank (checked once with one ``allgather`` of a
        fingerprint).
    comm : mpi4py.MPI.Intracomm, optional
        Ranks to spread the agents over (default ``MPI.COMM_WORLD``); needs ``P <= N``.

    Attributes
    ----------
    rank, size : int
        This rank and ``P``.
    bounds : ndarray of int, shape (P + 1,)
        Block boundaries of :func:`partition`.
    neighbours : list of int
        Ranks holding an agent adjacent to a local agent (the distributed graph's neighbours).
    bytes_sent : int
        Payload bytes this rank has sent to other ranks by ``exchange`` and ``mix`` (not counting
        ``gather``, ``any`` and ``total``, which only serve metrics and control).

    Notes
    -----
    Results equal the simulator's bit for bit (module docstring). Every rank must call every method
    the same number of times in the same order (the run loop does). An uncaught exception on any
    rank ends the job with ``MPI_Abort`` after printing its traceback.
    """

    name = "mpi"

    def __init__(self, network: Network, comm: Any = None) -> None:
        _abort_on_uncaught_exception()
        if not isinstance(network, Network):
            raise InvalidParameterError(f"network must be a Network, got {type(network).__name__}")
        if comm is None:
            comm = MPI.COMM_WORLD
        if not isinstance(comm, MPI.Intracomm):
            raise InvalidParameterError(
                f"comm must be an mpi4py intracommunicator (e.g. MPI.COMM_WORLD), got {comm!r}"
            )
        n, size, rank = network.n_agents, comm.Get_size(), comm.Get_rank()
        if size > n:
            raise InvalidParameterError(
                f"the MPI job has {size} ranks but the network only {n} agents; every rank needs "
                f"at least one agent: start at most {n} ranks"
            )
        fingerprints = comm.allgather(_network_fingerprint(network))
        if len(set(fingerprints)) != 1:
            differing = [r for r, f in enumerate(fingerprints) if f != fingerprints[0]]
            raise InvalidParameterError(
                f"network must be identical on every rank, but ranks {differing} built a different "
                "graph than rank 0 (same generator, size and seed everywhere)"
            )
        self.network = network
        self.comm = comm
        self.rank, self.size = rank, size
        self.is_root = rank == 0
        self.bounds = partition(n, size)
        lo, hi = int(self.bounds[rank]), int(self.bounds[rank + 1])
        self._lo, self._hi = lo, hi
        e_lo, e_hi = (int(v) for v in np.searchsorted(network.edge_source, [lo, hi]))
        self.agents = np.arange(lo, hi, dtype=np.int64)
        self.degrees = network.degrees[lo:hi]
        self.edge_source = network.edge_source[e_lo:e_hi] - lo
        self.edge_ids = np.arange(e_lo, e_hi, dtype=np.int64)
        self.messages = 0
        self.bytes_sent = 0

        owner = np.repeat(np.arange(size, dtype=np.int64), np.diff(self.bounds))
        target = network.edge_target[e_lo:e_hi]
        reverse = network.edge_reverse[e_lo:e_hi]
        target_rank = owner[target]
        inner = target_rank == rank
        self.neighbours: list[int] = np.unique(target_rank[~inner]).tolist()

        # exchange: intra-rank edges by a local permutation, the rest through the neighbours
        self._inner_edges = np.flatnonzero(inner)
        self._inner_reverse = reverse[inner] - e_lo
        cross = np.flatnonzero(~inner)
        recv = cross[np.lexsort((cross, target_rank[cross]))]
        send = cross[np.lexsort((reverse[cross], target_rank[cross]))]
        counts = np.array([np.count_nonzero(target_rank == q) for q in self.neighbours], dtype=np.int64)
        self._edge_plan = _NeighbourPlan(send, counts, recv, counts)

        # mix: halo = off-rank neighbours of local agents, in ascending global order
        halo = np.unique(target[~inner])
        boundary = [np.unique(self.edge_source[target_rank == q]) for q in self.neighbours]
        self._agent_plan = _NeighbourPlan(
            np.concatenate(boundary) if boundary else np.zeros(0, dtype=np.int64),
            np.array([b.size for b in boundary], dtype=np.int64),
            np.arange(halo.size, dtype=np.int64),
            np.array([np.count_nonzero(owner[halo] == q) for q in self.neighbours], dtype=np.int64),
        )
        columns = np.full(n, -1, dtype=np.int64)
        columns[lo:hi] = np.arange(hi - lo)
        columns[halo] = hi - lo + np.arange(halo.size)
        self._mixing = _local_csr(network.mixing_matrix, lo, hi, columns, hi - lo + halo.size)
        edge_columns = np.full(network.n_directed_edges, -1, dtype=np.int64)
        edge_columns[e_lo:e_hi] = np.arange(e_hi - e_lo)
        self._incidence = _local_csr(network.incidence_out, lo, hi, edge_columns, e_hi - e_lo)

        self._topology = comm.Create_dist_graph_adjacent(
            self.neighbours, self.neighbours, reorder=False
        )

    # ------------------------------------------------------------------ transport
    def _neighbour_alltoallv(self, rows: FloatArray, plan: _NeighbourPlan) -> FloatArray:
        """Send ``rows[plan.send_rows]`` to the neighbours; the received rows, neighbour by neighbour."""
        tail = rows.shape[1:]
        width = int(np.prod(tail, dtype=np.int64))
        sendbuf = np.ascontiguousarray(rows[plan.send_rows], dtype=np.float64)
        recvbuf = np.empty((int(plan.recv_counts.sum()), *tail), dtype=np.float64)
        if self.neighbours:
            send_counts, recv_counts = plan.send_counts * width, plan.recv_counts * width
            self._topology.Neighbor_alltoallv(
                [sendbuf, (send_counts, np.cumsum(send_counts) - send_counts), MPI.DOUBLE],
                [recvbuf, (recv_counts, np.cumsum(recv_counts) - recv_counts), MPI.DOUBLE],
            )
        self.bytes_sent += sendbuf.nbytes
        return recvbuf

    def edge_sum(self, edge_values: FloatArray) -> FloatArray:
        return np.asarray(self._incidence @ edge_values)

    def exchange(self, edge_values: FloatArray, fallback: Fallback = None) -> FloatArray:
        self.messages += self.edge_source.size
        out = np.empty_like(edge_values, dtype=np.float64)
        out[self._inner_edges] = edge_values[self._inner_reverse]
        out[self._edge_plan.recv_rows] = self._neighbour_alltoallv(edge_values, self._edge_plan)
        return out

    def mix(self, agent_values: FloatArray) -> FloatArray:
        self.messages += self.edge_source.size
        halo = self._neighbour_alltoallv(agent_values, self._agent_plan)
        return np.asarray(self._mixing @ np.concatenate([agent_values, halo]))

    def gather(self, agent_values: FloatArray) -> FloatArray | None:
        tail = agent_values.shape[1:]
        width = int(np.prod(tail, dtype=np.int64))
        sendbuf = np.ascontiguousarray(agent_values, dtype=np.float64)
        if not self.is_root:
            self.comm.Gatherv(sendbuf, None, root=0)
            return None
        counts = np.diff(self.bounds) * width
        full = np.empty((self.network.n_agents, *tail), dtype=np.float64)
        self.comm.Gatherv(sendbuf, [full, (counts, self.bounds[:-1] * width), MPI.DOUBLE], root=0)
        return full

    def local_rows(self, full: FloatArray) -> FloatArray:
        return full[self._lo : self._hi]

    def any(self, flag: bool) -> bool:
        return bool(self.comm.allreduce(bool(flag), op=MPI.LOR))

    def total(self, count: int) -> int:
        return int(self.comm.allreduce(int(count), op=MPI.SUM))

    def __repr__(self) -> str:
        return (
            f"MPIBackend(rank={self.rank}/{self.size}, agents={self._lo}..{self._hi - 1}, "
            f"neighbours={self.neighbours})"
        )

