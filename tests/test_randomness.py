"""Counter-based random numbers: the hash is the documented one (checked against a pure-Python
reference), rows with their own seeds draw the numbers of single runs, and the outputs are uniform /
standard normal and per-agent (independent of which other agents are evaluated).

Statistical tests use fixed seeds and significance ``ALPHA`` (two-sided where it applies): with a
correct generator each fails with probability ``ALPHA`` for a random seed; with the fixed seeds the
outcome is deterministic, and a broken mixing (e.g. a wrong constant or shift) fails them.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from ltadmm_verify.algorithms import randomness
from ltadmm_verify.algorithms.randomness import STREAM_BATCH, STREAM_NOISE, normals, uniforms

ALPHA = 1e-3
Z = float(stats.norm.ppf(1 - ALPHA / 2))  # two-sided critical value, ~3.29
AGENTS = np.arange(10, dtype=np.int64)
N_PER_AGENT = 20_000  # 200_000 numbers per sample


MASK = 2**64 - 1


def mix_reference(z: int) -> int:
    """The SplitMix64 finaliser on a Python int (64-bit arithmetic by masking)."""
    z = ((z ^ (z >> 30)) * randomness.M1) & MASK
    z = ((z ^ (z >> 27)) * randomness.M2) & MASK
    return z ^ (z >> 31)


def word_reference(seed: int, stream: int, agent: int, k: int, t: int, j: int) -> int:
    """The hash of the module docstring, one number at a time in Python ints."""
    w = seed
    for part in (stream, k, t):
        w = mix_reference((((w + part) & MASK) * randomness.GOLDEN + randomness.GOLDEN) & MASK)
    a = mix_reference(w ^ mix_reference(((agent + 1) * randomness.GOLDEN) & MASK))
    return mix_reference((a + (j + 1) * randomness.GOLDEN) & MASK)


def test_mix_agrees_with_the_python_reference() -> None:
    rng = np.random.default_rng(0)
    words = rng.integers(0, 2**64, size=10_000, dtype=np.uint64, endpoint=False)
    edges = np.array([0, 1, 2**32, 2**63, 2**64 - 1], dtype=np.uint64)
    words = np.concatenate([words, edges])
    mixed = randomness._mix(words)
    assert [int(w) for w in mixed] == [mix_reference(int(w)) for w in words]


def test_mix_matches_the_splitmix64_reference_output() -> None:
    # SplitMix64 (Steele, Lea, Flood 2014; Vigna's splitmix64.c) seeded with 0: first output is the
    # finaliser of the golden-ratio increment.
    assert mix_reference(randomness.GOLDEN) == 0xE220A8397B1DCDAF
    assert int(randomness._mix(np.array([randomness.GOLDEN], dtype=np.uint64))[0]) == 0xE220A8397B1DCDAF


@pytest.mark.parametrize("seed, stream, k", [(0, STREAM_BATCH, 0), (2**63 - 1, STREAM_NOISE, 10**6)])
def test_words_follow_the_documented_hash(seed: int, stream: int, k: int) -> None:
    agents = np.array([0, 5, 2**40], dtype=np.int64)
    streams = randomness.RowStreams(seed, agents)
    for t in (0, 3, 1, 7):  # out of order and beyond the keys computed so far
        words = streams.words(stream, k, t, 4)
        expected = [[word_reference(seed, stream, int(a), k, t, j) for j in range(4)] for a in agents]
        assert words.tolist() == expected


def test_rows_with_their_own_seeds_draw_the_numbers_of_their_single_runs() -> None:
    seeds = [3, 17, 2**62 + 5]
    rows_seed = np.tile(seeds, AGENTS.size)  # row (agent i, replica r) = i * 3 + r
    rows_agent = np.repeat(AGENTS, len(seeds))
    streams = randomness.RowStreams(rows_seed, rows_agent)
    for k in (0, 1, 5):
        for t in (0, 2, 1):
            for stream, draw, method in ((STREAM_BATCH, uniforms, streams.uniforms),
                                         (STREAM_NOISE, normals, streams.normals)):
                got = method(stream, k, t, 5)
                for r, seed in enumerate(seeds):
                    assert np.array_equal(got[r::len(seeds)], draw(seed, stream, AGENTS, k, t, 5))


def test_uniforms_lie_in_the_half_open_unit_interval() -> None:
    u = uniforms(7, STREAM_BATCH, AGENTS, 3, 1, N_PER_AGENT)
    assert u.shape == (AGENTS.size, N_PER_AGENT) and u.dtype == np.float64
    assert u.min() >= 0.0 and u.max() < 1.0
    # the largest 53-bit value maps strictly below 1
    assert float((np.uint64(2**64 - 1) >> np.uint64(11)).astype(np.float64) * (1.0 / 2**53)) < 1.0


@pytest.mark.parametrize("seed, k, t", [(0, 0, 0), (12345, 17, 4), (2**63 - 1, 10**6, 99)])
def test_uniforms_pass_chi_square_and_ks(seed: int, k: int, t: int) -> None:
    u = uniforms(seed, STREAM_BATCH, AGENTS, k, t, N_PER_AGENT).ravel()
    counts = np.bincount((u * 100).astype(np.int64), minlength=100)
    assert stats.chisquare(counts).pvalue > ALPHA
    assert stats.kstest(u, "uniform").pvalue > ALPHA


def test_uniforms_are_uncorrelated_across_positions_agents_and_rounds() -> None:
    u = uniforms(3, STREAM_BATCH, AGENTS, 5, 2, N_PER_AGENT)
    nxt = uniforms(3, STREAM_BATCH, AGENTS, 6, 2, N_PER_AGENT)
    other_stream = uniforms(3, STREAM_NOISE, AGENTS, 5, 2, N_PER_AGENT)
    n = u.size
    pairs = {
        "neighbouring positions": (u[:, :-1].ravel(), u[:, 1:].ravel()),
        "neighbouring agents": (u[:-1].ravel(), u[1:].ravel()),
        "next round": (u.ravel(), nxt.ravel()),
        "other stream": (u.ravel(), other_stream.ravel()),
    }
    for what, (a, b) in pairs.items():
        # under independence the sample correlation is ~ N(0, 1/n)
        assert abs(np.corrcoef(a, b)[0, 1]) < Z / np.sqrt(n), what


@pytest.mark.parametrize("n", [N_PER_AGENT, N_PER_AGENT + 1])
def test_normals_have_mean_zero_and_variance_one(n: int) -> None:
    x = normals(11, STREAM_NOISE, AGENTS, 2, 0, n)
    assert x.shape == (AGENTS.size, n)
    x = x.ravel()
    size = x.size
    assert abs(x.mean()) < Z / np.sqrt(size)  # sd of the mean: 1/sqrt(n)
    assert abs(x.var(ddof=1) - 1.0) < Z * np.sqrt(2.0 / (size - 1))  # sd of s^2 for N(0,1): sqrt(2/(n-1))
    assert stats.kstest(x, "norm").pvalue > ALPHA


@pytest.mark.parametrize("draw", [uniforms, normals])
def test_values_of_an_agent_do_not_depend_on_the_other_agents(draw) -> None:
    full = draw(5, STREAM_BATCH, np.arange(12, dtype=np.int64), 4, 3, 7)
    subsets = [np.array([9], dtype=np.int64), np.array([11, 2, 5], dtype=np.int64),
               np.arange(12, dtype=np.int64)[::-1], np.array([3, 3, 0], dtype=np.int64)]
    for agents in subsets:
        np.testing.assert_array_equal(draw(5, STREAM_BATCH, agents, 4, 3, 7), full[agents])
    # and an agent's numbers depend on its index (not just its position in the array)
    assert not np.array_equal(full[0], full[1])
