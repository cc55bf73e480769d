r"""The transport of a run on an unreliable network: a backend seen through a :class:`Channel`.

:class:`ChannelTransport` wraps the backend of a run (the simulator or MPI, possibly replicated)
and implements SPEC 8 with the wrapped backend's own kernels, so that every rank of an MPI run, and
every replica of a run of replicas, computes the numbers of the single-process run bit for bit:

- ``exchange(v, fallback)``: every sent row is compressed and noised at the sender, moved by the
  wrapped ``exchange``, and replaced by ``fallback`` at the receiver when the message was lost or
  its sender inactive:

  .. math:: r_{ij} = \delta_{ji}\,(C(v_{ji}) + n_{ji}) + (1 - \delta_{ji})\,f_{ij}.

- ``mix(v)``: agent ``j`` broadcasts ``C(v_j)`` (compressed once), every directed message gets its
  own noise and loss, and a lost value is replaced by the receiver's own:

  .. math:: (Wv)_i = w_{ii} v_i + \textstyle\sum_{j \in N_i} w_{ij}\,
            \big[\delta_{ji}(C(v_j) + n_{ji}) + (1 - \delta_{ji}) v_i\big]

  (the wrapped ``exchange`` moves the broadcast copies, the wrapped ``edge_sum`` adds them).

Random events are counter-based (:mod:`.randomness`), keyed by the seed of the row, the *global*
index of the directed edge of the message (or of the agent), the round ``k`` and the number of the
call within the round: a lost message ``j -> i`` is decided at the receiver from the key of edge
``j -> i``, without communication. The run loop calls :meth:`ChannelTransport.start_round` before
every round and :meth:`ChannelTransport.skip_inactive` after it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..backends.base import Backend, Fallback, resolve_fallback
from ..errors import InvalidParameterError
from ..problems.base import FloatArray
from .base import State
from .channel import Channel, GilbertElliott
from .gradient_tables import OracleMemory
from .randomness import RowStreams

#: stream ids of the channel's random events (those of the oracle are 1 and 2)
STREAM_LOSS, STREAM_ACTIVATION, STREAM_BURST, STREAM_COMPRESS, STREAM_CHANNEL_NOISE = 3, 4, 5, 6, 7

BoolArray = NDArray[np.bool_]


class ChannelTransport(Backend):
    """``inner`` seen through ``channel`` (rows as in ``inner``; replica ``r`` keyed by ``seeds[r]``).

    Parameters
    ----------
    inner : Backend
        The transport of the run (a :class:`~ltadmm_verify.backends.replicas.Replicated` for
        several seeds).
    channel : Channel
    seeds : sequence of int
        The seed of every replica (rows are agent-major: row ``i R + r`` is replica ``r``).

    Attributes
    ----------
    sent, delivered, floats : ndarray of int, shape (R,)
        Per replica: messages sent by active agents, messages that arrived, floats sent.
    active : ndarray of bool, shape (n_local R,)
        Whether the agent of each row is active in the current round.
    """

    def __init__(self, inner: Backend, channel: Channel, seeds: NDArray[np.int64]) -> None:
        self.inner = inner
        self.channel = channel
        self.name = inner.name
        self.network = inner.network
        self.is_root = inner.is_root
        self.agents, self.degrees = inner.agents, inner.degrees
        self.edge_source, self.edge_ids = inner.edge_source, inner.edge_ids
        self.replicas = len(seeds)
        seeds = np.asarray(seeds, dtype=np.int64)
        net = self.network
        agent_seeds = np.tile(seeds, self.agents.size // self.replicas)
        edge_seeds = np.tile(seeds, self.edge_ids.size // self.replicas)
        incoming = net.edge_reverse[self.edge_ids]  # the message j -> i received at edge i -> j
        self._agent_keys = RowStreams(agent_seeds, self.agents)
        self._sent_keys = RowStreams(edge_seeds, self.edge_ids)
        self._incoming_keys = RowStreams(edge_seeds, incoming)
        self._neighbour_keys = RowStreams(edge_seeds, net.edge_target[self.edge_ids])
        self._edge_replica = np.tile(np.arange(self.replicas), self.edge_ids.size // self.replicas)
        degrees = net.degrees
        self._edge_weight = (1.0 / (1.0 + np.maximum(degrees[net.edge_source[self.edge_ids]],
                                                     degrees[net.edge_target[self.edge_ids]])))[:, None]
        self._self_weight = net.mixing_matrix.diagonal()[self.agents][:, None]
        self.sent = np.zeros(self.replicas, dtype=np.int64)
        self.delivered = np.zeros(self.replicas, dtype=np.int64)
        self.floats = np.zeros(self.replicas, dtype=np.int64)
        self.active = np.ones(self.agents.size, dtype=bool)
        self._sender_active = np.ones(self.edge_ids.size, dtype=bool)
        self._bad: BoolArray | None = None
        self._round = 0
        self._call = 0

    @property
    def messages(self) -> int:  # type: ignore[override]  # read-only: the sent messages of replica 0
        """Messages sent (by active agents) in replica 0; per replica: :attr:`sent`."""
        return int(self.sent[0])

    # ------------------------------------------------------------------ per round
    def start_round(self, k: int) -> None:
        """Draw the round's activity and burst states; the calls of the round count from 0."""
        self._round, self._call = k, 0
        q = self.channel.activation
        if q < 1.0:
            self.active = self._agent_keys.uniforms(STREAM_ACTIVATION, k, 0, 1)[:, 0] < q
            self._sender_active = self._neighbour_keys.uniforms(STREAM_ACTIVATION, k, 0, 1)[:, 0] < q
        loss = self.channel.loss
        if isinstance(loss, GilbertElliott):
            u = self._incoming_keys.uniforms(STREAM_BURST, k, 0, 1)[:, 0]
            if self._bad is None:
                self._bad = u < loss.stationary_bad
            else:
                self._bad = np.where(self._bad, u >= loss.bad_to_good, u < loss.good_to_bad)

    def _arrived(self, t: int) -> BoolArray:
        """Whether the message received at each local edge in call ``t`` arrived."""
        loss = self.channel.loss
        arrived = self._sender_active.copy()
        if isinstance(loss, GilbertElliott):
            u = self._incoming_keys.uniforms(STREAM_LOSS, self._round, t, 1)[:, 0]
            assert self._bad is not None
            arrived &= ~(self._bad & (u < loss.p_bad))
        elif loss > 0.0:
            arrived &= self._incoming_keys.uniforms(STREAM_LOSS, self._round, t, 1)[:, 0] >= loss
        return arrived

    def _compress(self, values: FloatArray, keys: RowStreams, t: int) -> FloatArray:
        compressor = self.channel.compression
        if compressor is None:
            return values
        uniforms = (keys.uniforms(STREAM_COMPRESS, self._round, t, values.shape[1])
                    if compressor.randomised else None)
        return compressor.apply(values, uniforms)

    def _noise(self, values: FloatArray, t: int) -> FloatArray:
        if self.channel.noise == 0.0:
            return values
        d = values.shape[1]
        noise = self._sent_keys.normals(STREAM_CHANNEL_NOISE, self._round, t, d)
        return values + np.sqrt(self.channel.noise / d) * noise

    def _count(self, arrived: BoolArray, d: int) -> None:
        sending = self.active[self.edge_source]
        sent = np.bincount(self._edge_replica[sending], minlength=self.replicas)
        self.sent += sent
        self.delivered += np.bincount(self._edge_replica[arrived], minlength=self.replicas)
        per_vector = d if self.channel.compression is None else self.channel.compression.floats(d)
        self.floats += per_vector * sent

    # ------------------------------------------------------------------ transport
    def exchange(self, edge_values: FloatArray, fallback: Fallback = None) -> FloatArray:
        t = self._call
        self._call += 1
        arrived = self._arrived(t)
        if fallback is None and not arrived.all():
            raise InvalidParameterError(
                "this algorithm's exchange gives no fallback for a lost message: it cannot run on a "
                "channel with loss or inactive agents (pass fallback= to backend.exchange)")
        sent = self._noise(self._compress(edge_values, self._sent_keys, t), t)
        received = self.inner.exchange(sent)
        self._count(arrived, edge_values.shape[1])
        kept = resolve_fallback(fallback)
        if kept is None:
            return received
        return np.where(arrived[:, None], received, kept)

    def mix(self, agent_values: FloatArray) -> FloatArray:
        t = self._call
        self._call += 1
        arrived = self._arrived(t)
        broadcast = self._compress(agent_values, self._agent_keys, t)[self.edge_source]
        received = self.inner.exchange(self._noise(broadcast, t))
        self._count(arrived, agent_values.shape[1])
        received = np.where(arrived[:, None], received, agent_values[self.edge_source])
        return np.asarray(self._self_weight * agent_values
                          + self.inner.edge_sum(self._edge_weight * received))

    def edge_sum(self, edge_values: FloatArray) -> FloatArray:
        return self.inner.edge_sum(edge_values)

    def gather(self, agent_values: FloatArray) -> FloatArray | None:
        return self.inner.gather(agent_values)

    def local_rows(self, full: FloatArray) -> FloatArray:
        return self.inner.local_rows(full)

    def any(self, flag: bool) -> bool:
        return self.inner.any(flag)

    def total(self, count: int) -> int:
        return self.inner.total(count)

    # ------------------------------------------------------------------ inactive agents
    def skip_inactive(self, before: State, after: State) -> State:
        """``after`` with the rows of the inactive agents (and of their edges) taken from ``before``.

        Every array field of the state (and of an oracle memory in it) is restored row-wise: fields
        with one row per local agent by the agents' activity, fields with one row per local edge by
        the activity of the edge's source.
        """
        if self.active.all():
            return after
        edge_active = self.active[self.edge_source]
        return _restore(before, after, self.active, edge_active)


def snapshot(state: Any) -> Any:
    """A deep copy of the arrays of a state (and of its oracle memories), for :meth:`skip_inactive`."""
    values = {}
    for f in dataclasses.fields(state):
        value = getattr(state, f.name)
        if isinstance(value, np.ndarray):
            values[f.name] = value.copy()
        elif dataclasses.is_dataclass(value) and isinstance(value, OracleMemory):
            values[f.name] = snapshot(value)
    return dataclasses.replace(state, **values)


def _restore(before: Any, after: Any, agent_active: BoolArray, edge_active: BoolArray) -> Any:
    values = {}
    for f in dataclasses.fields(after):
        new, old = getattr(after, f.name), getattr(before, f.name)
        if isinstance(new, np.ndarray):
            if new.shape[0] == agent_active.size:
                mask = agent_active
            elif new.shape[0] == edge_active.size:
                mask = edge_active
            else:
                raise InvalidParameterError(
                    f"state field {f.name!r} has {new.shape[0]} rows, neither one per agent "
                    f"({agent_active.size}) nor one per edge ({edge_active.size}): inactive agents "
                    "cannot skip the round")
            values[f.name] = np.where(mask.reshape((-1,) + (1,) * (new.ndim - 1)), new, old)
        elif isinstance(new, OracleMemory) and dataclasses.is_dataclass(new) and old is not None:
            values[f.name] = _restore(old, new, agent_active, edge_active)
    return dataclasses.replace(after, **values)


__all__ = ["ChannelTransport", "snapshot"]
