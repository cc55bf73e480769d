"""Counter-based random numbers: a pure function of ``(seed, stream, agent, round, step, j)``.

Every random number an algorithm uses is computed, not drawn from a stateful generator: it is a
SplitMix64-style hash of the seed, a stream id (minibatch indices, gradient noise, ...), the agent's
global index, the round ``k``, the local step ``t`` and the position ``j`` in the block. So a run gives
the same numbers whichever agents a process holds, in any order and on any backend, and the
computation is vectorised over agents without a Python loop.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .._validation import integer_at_least
from ..errors import InvalidParameterError

#: SplitMix64 constants as Python ints (for :func:`_mix_int`): the golden-ratio increment, the two
#: multipliers and the three shifts of the finaliser. :func:`_mix` uses the same numbers as uint64.
GOLDEN, M1, M2 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
SHIFTS = (30, 27, 31)
_GOLDEN, _M1, _M2 = np.uint64(GOLDEN), np.uint64(M1), np.uint64(M2)
_S1, _S2, _S3 = (np.uint64(s) for s in SHIFTS)
_MASK = (1 << 64) - 1

#: stream ids
STREAM_BATCH = 1
STREAM_NOISE = 2


def _mix(z: NDArray[np.uint64]) -> NDArray[np.uint64]:
    r"""SplitMix64 finaliser (a bijection of 64-bit words with good avalanche), elementwise.

    .. math:: z \leftarrow (z \oplus (z \gg 30)) M_1,\quad z \leftarrow (z \oplus (z \gg 27)) M_2,
              \quad z \oplus (z \gg 31) \pmod{2^{64}}.
    """
    z = (z ^ (z >> _S1)) * _M1
    z = (z ^ (z >> _S2)) * _M2
    return z ^ (z >> _S3)


def _mix_int(z: int) -> int:
    """:func:`_mix` on one 64-bit word held in a Python int (no numpy call overhead; same constants)."""
    s1, s2, s3 = SHIFTS
    z = ((z ^ (z >> s1)) * M1) & _MASK
    z = ((z ^ (z >> s2)) * M2) & _MASK
    return z ^ (z >> s3)


def _words(seed: int, stream: int, agents: NDArray[np.int64], k: int, t: int, n: int) -> NDArray[np.uint64]:
    # the scalar key of (seed, stream, k, t) in Python ints: same 64-bit arithmetic as _mix
    word = seed
    for part in (stream, k, t):
        word = _mix_int((((word + part) & _MASK) * GOLDEN + GOLDEN) & _MASK)
    key = np.array([word], dtype=np.uint64)
    agent_keys = _mix(key ^ _mix((agents.astype(np.uint64) + np.uint64(1)) * _GOLDEN))
    counters = (np.arange(n, dtype=np.uint64) + np.uint64(1)) * _GOLDEN
    return _mix(agent_keys[:, None] + counters[None, :])


def check_seed(seed: int) -> int:
    """Validate a seed (an integer in ``[0, 2**63)``)."""
    seed = integer_at_least("seed", seed, 0)
    if seed >= 2**63:
        raise InvalidParameterError(f"seed must be an integer in [0, 2**63), got {seed}")
    return seed


def uniforms(
    seed: int, stream: int, agents: NDArray[np.int64], k: int, t: int, n: int
) -> NDArray[np.float64]:
    """Uniform numbers in ``[0, 1)``, shape ``(len(agents), n)``, with 53 random bits each."""
    words = _words(seed, stream, agents, k, t, n)
    return (words >> np.uint64(11)).astype(np.float64) * (1.0 / 2**53)


def normals(
    seed: int, stream: int, agents: NDArray[np.int64], k: int, t: int, n: int
) -> NDArray[np.float64]:
    """Standard normal numbers, shape ``(len(agents), n)`` (Box-Muller on :func:`uniforms`)."""
    pairs = (n + 1) // 2
    u = uniforms(seed, stream, agents, k, t, 2 * pairs)
    radius = np.sqrt(-2.0 * np.log1p(-u[:, :pairs]))  # 1 - u in (0, 1]
    angle = 2.0 * np.pi * u[:, pairs:]
    return np.concatenate([radius * np.cos(angle), radius * np.sin(angle)], axis=1)[:, :n]
