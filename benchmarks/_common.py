"""Shared setting and timing helpers of ``bench_round.py`` and ``bench_baselines.py``.

Setting (issues 2 and 6): ``d = 64``, ``m_i = 32`` samples per agent, minibatch ``|B| = 16``,
``tau = 10`` local steps; a ring or a connected Erdos-Renyi graph (``p = 2 log N / N``); least
squares or logistic regression. Times are the best of a few repeats of the process CPU time
(``time.process_time``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import networkx as nx
import numpy as np

from ltadmm_verify import Network, random_least_squares, random_logistic
from ltadmm_verify.algorithms import Algorithm
from ltadmm_verify.algorithms.oracles import GradientOracle
from ltadmm_verify.backends.simulator import Simulator
from ltadmm_verify.network import ring
from ltadmm_verify.problems import Problem

DIM, SAMPLES, BATCH, TAU = 64, 32, 16, 10


def erdos_renyi_fast(n: int, seed: int = 0) -> Network:
    """Connected G(n, 2 log n / n) drawn with networkx's O(n + |E|) sampler (same distribution as
    ``ltadmm_verify.network.erdos_renyi``, which uses the O(n^2) one)."""
    p = min(1.0, 2 * math.log(n) / n)
    for attempt in range(100):
        graph = nx.fast_gnp_random_graph(n, p, seed=seed + attempt)
        if nx.is_connected(graph):
            return Network(graph)
    raise RuntimeError(f"no connected G({n}, {p:.3g}) in 100 draws")


def make_network(graph: str, n: int) -> Network:
    """``ring(n)`` for ``graph == "ring"``, else :func:`erdos_renyi_fast` ``(n)``."""
    return ring(n) if graph == "ring" else erdos_renyi_fast(n)


def make_problem(kind: str, n: int) -> Problem:
    """``"least squares"`` or logistic regression with ``N = n``, ``d = DIM``, ``m_i = SAMPLES``."""
    if kind == "least squares":
        return random_least_squares(n, DIM, SAMPLES, seed=0)
    return random_logistic(n, DIM, SAMPLES, seed=0)


def rounds_and_repeats(n: int) -> tuple[int, int]:
    """Rounds per timed block and repeats: fewer for larger ``N``."""
    return (20, 5) if n <= 100 else (5, 3) if n <= 1000 else (2, 2)


def best_time(fn: Callable[[], object], repeats: int) -> float:
    """Smallest process CPU time of ``repeats`` calls."""
    best = math.inf
    for _ in range(repeats):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def seconds_per_round(algorithm: Algorithm, problem: Problem, network: Network, rounds: int,
                      repeats: int) -> float:
    """CPU seconds of one ``algorithm.step`` on the simulator (metrics not recorded): best of
    ``repeats`` blocks of ``rounds`` steps after a warm-up block, divided by ``rounds``."""
    backend = Simulator(network)
    oracle = GradientOracle(problem, backend.agents, algorithm.batch_size_or_none, True, None, 0)
    x0 = np.random.default_rng(0).standard_normal((problem.n_agents, DIM))
    state = algorithm.initialize(x0, problem, backend, oracle)
    counter = iter(range(10**9))

    def block() -> None:
        nonlocal state
        for _ in range(rounds):
            state = algorithm.step(state, next(counter), problem, backend, oracle)

    block()  # warm-up (caches: incidence matrix, sparse matrices, ...)
    return best_time(block, repeats) / rounds


def print_table(header: list[str], rows: list[list[str]], markdown: bool) -> None:
    """Print ``rows`` under ``header``, right-aligned columns or a Markdown table."""
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for line in rows:
            print("| " + " | ".join(line) + " |")
        return
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    for line in rows:
        print("  ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)))
