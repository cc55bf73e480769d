"""Counter-based random numbers: a pure function of ``(seed, stream, agent, round, step, j)``.

Every random number an algorithm uses is computed, not drawn from a stateful generator: it is a
SplitMix64-style hash of the seed, a stream id (minibatch indices, gradient noise, ...), the agent's
global index, the round ``k``, the local step ``t`` and the position ``j`` in the block. So a run gives
the same numbers whichever agents a process holds, in any order and on any backend, and the
computation is vectorised over agents without a Python loop.

The hash of one number, with ``mix`` the SplitMix64 finaliser and ``G`` the golden-ratio increment:

.. math::

    w &\\leftarrow \\mathrm{seed};\\quad w \\leftarrow \\mathrm{mix}((w + p) G + G)
        \\ \text{for}\\ p = \\mathrm{stream}, k, t \\quad\text{(the key of the block)}\\
    a &= \\mathrm{mix}(w \\oplus \\mathrm{mix}((i + 1) G)) \\quad\text{(agent } i\text{)}\\
    \\mathrm{word}_j &= \\mathrm{mix}(a + (j + 1) G),\\qquad j = 0..n-1 \\pmod{2^{64}}.

:class:`RowStreams` evaluates it for many rows at once, each row with its own ``(seed, agent)``: a
run of ``R`` replicas (one seed each) draws the numbers of replica ``r``, agent ``i`` exactly as a
single run with seed ``seed_r`` draws those of agent ``i``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import integer_at_least
from ..errors import InvalidParameterError

#: SplitMix64 constants: the golden-ratio increment, the two multipliers and the three shifts of
#: the finaliser.
GOLDEN, M1, M2 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
SHIFTS = (30, 27, 31)
_GOLDEN, _M1, _M2 = np.uint64(GOLDEN), np.uint64(M1), np.uint64(M2)
_S1, _S2, _S3 = (np.uint64(s) for s in SHIFTS)
_UNIT = 1.0 / 2**53

#: stream ids
STREAM_BATCH = 1
STREAM_NOISE = 2


def _mix_in_place(z: NDArray[np.uint64]) -> NDArray[np.uint64]:
    r"""SplitMix64 finaliser (a bijection of 64-bit words with good avalanche), elementwise, in place.

    .. math:: z \leftarrow (z \oplus (z \gg 30)) M_1,\quad z \leftarrow (z \oplus (z \gg 27)) M_2,
              \quad z \oplus (z \gg 31) \pmod{2^{64}}.
    """
    tmp = np.right_shift(z, _S1)
    z ^= tmp
    z *= _M1
    np.right_shift(z, _S2, out=tmp)
    z ^= tmp
    z *= _M2
    np.right_shift(z, _S3, out=tmp)
    z ^= tmp
    return z


def _mix(z: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """:func:`_mix_in_place` on a copy."""
    return _mix_in_place(np.array(z, dtype=np.uint64))


def _chain(words: NDArray[np.uint64], part: ArrayLike) -> NDArray[np.uint64]:
    """One step of the key chain: ``mix((w + part) G + G)`` (broadcast, modulo ``2^64``)."""
    z = words + np.asarray(part, dtype=np.uint64)
    z *= _GOLDEN
    z += _GOLDEN
    return _mix_in_place(z)


def check_seed(seed: int) -> int:
    """Validate a seed (an integer in ``[0, 2**63)``)."""
    seed = integer_at_least("seed", seed, 0)
    if seed >= 2**63:
        raise InvalidParameterError(f"seed must be an integer in [0, 2**63), got {seed}")
    return seed


class RowStreams:
    """The counter-based numbers of many rows at once, row ``r`` keyed by ``(seeds[r], agents[r])``.

    Parameters
    ----------
    seeds : int or array of int, shape (rows,)
        The seed of every row (one int: the same for all rows); validated by the caller.
    agents : array of int, shape (rows,)
        The global agent index of every row.

    Notes
    -----
    The per-agent hash ``mix((i + 1) G)`` is computed once. The keys of the block depend only on
    ``(seed, stream, k, t)``: for each distinct seed they are computed for every local step ``t``
    of round ``k`` at once, when ``k`` first appears, and reused by the calls of that round.
    """

    def __init__(self, seeds: int | ArrayLike, agents: ArrayLike) -> None:
        agent_array = np.asarray(agents, dtype=np.int64).reshape(-1)
        seed_array = np.broadcast_to(np.asarray(seeds, dtype=np.uint64), agent_array.shape)
        self._seeds, self._which = np.unique(seed_array, return_inverse=True)
        self._which = self._which.reshape(-1)
        self._agent_hash = _mix((agent_array.astype(np.uint64) + np.uint64(1)) * _GOLDEN)
        self._stream_keys: dict[int, NDArray[np.uint64]] = {}
        self._round_keys: dict[int, tuple[int, NDArray[np.uint64]]] = {}
        self._counters: dict[int, NDArray[np.uint64]] = {}

    @property
    def rows(self) -> int:
        """Number of rows."""
        return int(self._which.size)

    def _keys(self, stream: int, k: int, t: int) -> NDArray[np.uint64]:
        """The key of ``(seed, stream, k, t)`` for every distinct seed, shape ``(S,)``."""
        cached = self._round_keys.get(stream)
        if cached is None or cached[0] != k or t >= cached[1].shape[1]:
            if stream not in self._stream_keys:
                self._stream_keys[stream] = _chain(self._seeds, stream)
            span = max(t + 1, 0 if cached is None else cached[1].shape[1])
            base = _chain(self._stream_keys[stream], k)
            steps = np.arange(span, dtype=np.uint64)
            cached = (k, _chain(base[:, None], steps[None, :]))
            self._round_keys[stream] = cached
        return cached[1][:, t]

    def words(self, stream: int, k: int, t: int, n: int) -> NDArray[np.uint64]:
        """``n`` random 64-bit words per row, shape ``(rows, n)``."""
        agent_keys = self._keys(stream, k, t)[self._which]
        agent_keys ^= self._agent_hash
        _mix_in_place(agent_keys)
        counters = self._counters.get(n)
        if counters is None:
            counters = self._counters[n] = (np.arange(n, dtype=np.uint64) + np.uint64(1)) * _GOLDEN
        return _mix_in_place(agent_keys[:, None] + counters[None, :])

    def uniforms(self, stream: int, k: int, t: int, n: int) -> NDArray[np.float64]:
        """Uniform numbers in ``[0, 1)``, shape ``(rows, n)``, with 53 random bits each."""
        words = self.words(stream, k, t, n)
        words >>= np.uint64(11)
        u = words.astype(np.float64)
        u *= _UNIT
        return u

    def normals(self, stream: int, k: int, t: int, n: int) -> NDArray[np.float64]:
        """Standard normal numbers, shape ``(rows, n)`` (Box-Muller on :meth:`uniforms`)."""
        pairs = (n + 1) // 2
        u = self.uniforms(stream, k, t, 2 * pairs)
        radius = np.sqrt(-2.0 * np.log1p(-u[:, :pairs]))  # 1 - u in (0, 1]
        angle = 2.0 * np.pi * u[:, pairs:]
        return np.concatenate([radius * np.cos(angle), radius * np.sin(angle)], axis=1)[:, :n]


def uniforms(
    seed: int, stream: int, agents: NDArray[np.int64], k: int, t: int, n: int
) -> NDArray[np.float64]:
    """Uniform numbers in ``[0, 1)``, shape ``(len(agents), n)``, with 53 random bits each."""
    return RowStreams(seed, agents).uniforms(stream, k, t, n)


def normals(
    seed: int, stream: int, agents: NDArray[np.int64], k: int, t: int, n: int
) -> NDArray[np.float64]:
    """Standard normal numbers, shape ``(len(agents), n)`` (Box-Muller on :func:`uniforms`)."""
    return RowStreams(seed, agents).normals(stream, k, t, n)
