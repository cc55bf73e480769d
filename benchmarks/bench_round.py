"""Seconds per LT-ADMM round: vectorised simulator vs a per-agent loop vs the bare gradient cost.

Setting (issue 2): N in {10, 100, 1000, 10000} agents on a ring and on a connected Erdos-Renyi
graph (``p = 2 log N / N``), ``d = 64``, ``m_i = 32`` samples per agent, minibatch ``|B| = 16``,
``tau = 10`` local steps, least squares and logistic regression.

For every case three numbers are measured (best of a few repeats of the process CPU time,
``time.process_time``, single-threaded BLAS; CPU time rather than wall clock because the
machine may be shared):

- **vectorised**: one round of :class:`ltadmm_verify.LTADMM` on the simulator backend (``step``
  only; metrics are not recorded);
- **loop**: one round of the plain per-agent, per-edge loop reference ``tests/reference_loops.py``
  (only for ``N <= 1000``; fewer rounds are timed there);
- **bare gradients**: ``tau`` calls of ``problem.sample_gradients`` on ``(N, |B|)`` index arrays,
  the gradient work a round cannot avoid. (The round itself calls
  ``problem.mean_sample_gradients``, which for linear models sums the batch inside one batched
  matmul instead of forming the ``(N, |B|, d)`` per-sample gradients; so it can be below 1.)

At ``N = 10000`` the peak memory allocated by the rounds (``tracemalloc``, on top of the problem
data and the state) is printed and compared with ``(N + |E|) d`` floats.

Run ``python benchmarks/bench_round.py`` (``--markdown`` prints the table as Markdown, ``--sizes``
selects N, ``--breakdown N`` prints where the time of a round goes at that N). Not part of the
test suite: timings belong here, not in tests.
"""

from __future__ import annotations

import argparse
import os
import sys
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

# single-threaded BLAS so that CPU time is comparable between the three measurements
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import (  # noqa: E402
    BATCH,
    DIM,
    SAMPLES,
    TAU,
    best_time,
    make_network,
    make_problem,
    print_table,
    rounds_and_repeats,
    seconds_per_round,
)
from ltadmm_verify import LTADMM, Network  # noqa: E402
from ltadmm_verify.algorithms.oracles import GradientOracle  # noqa: E402
from ltadmm_verify.backends.simulator import Simulator  # noqa: E402
from ltadmm_verify.problems import Problem  # noqa: E402
from tests.reference_loops import ReferenceConfig, model_from_problem, reference_run  # noqa: E402

PARAMS = dict(gamma=0.01, beta=0.01, rho=1.0, tau=TAU, batch_size=BATCH)
LOOP_LIMIT = 1000


@dataclass
class Row:
    problem: str
    graph: str
    n: int
    edges: int
    vectorised: float
    loop: float | None
    bare: float

    @property
    def speedup(self) -> float | None:
        return None if self.loop is None else self.loop / self.vectorised

    @property
    def ratio(self) -> float:
        return self.vectorised / self.bare


def vectorised_round(problem: Problem, network: Network, rounds: int, repeats: int) -> float:
    """CPU seconds per round of :class:`LTADMM` with :data:`PARAMS` (:func:`seconds_per_round`)."""
    return seconds_per_round(LTADMM(**PARAMS), problem, network, rounds, repeats)  # type: ignore[arg-type]


def loop_round(problem: Problem, network: Network, rounds: int) -> float:
    model = model_from_problem(problem)
    cfg = ReferenceConfig(**PARAMS)  # type: ignore[arg-type]
    x0 = np.random.default_rng(0).standard_normal((problem.n_agents, DIM))
    # subtract the set-up (neighbour lists, z dictionary) by timing 1 and 1 + rounds rounds
    short = best_time(lambda: reference_run(model, network, cfg, 1, x0, metrics=False), 1)
    long = best_time(lambda: reference_run(model, network, cfg, 1 + rounds, x0, metrics=False), 1)
    return max(long - short, 0.0) / rounds


def bare_gradients(problem: Problem, repeats: int) -> float:
    n = problem.n_agents
    rng = np.random.default_rng(1)
    X = rng.standard_normal((n, DIM))
    batches = [rng.integers(0, SAMPLES, (n, BATCH)) for _ in range(TAU)]

    def block() -> None:
        for idx in batches:
            problem.sample_gradients(X, idx)

    block()
    return best_time(block, repeats)


def measure(kind: str, graph: str, n: int) -> Row:
    problem = make_problem(kind, n)
    network = make_network(graph, n)
    rounds, repeats = rounds_and_repeats(n)
    vec = vectorised_round(problem, network, rounds, repeats)
    loop = None
    if n <= LOOP_LIMIT:
        loop = loop_round(problem, network, 5 if n <= 100 else 1)
    bare = bare_gradients(problem, repeats)
    return Row(kind, graph, n, network.n_edges, vec, loop, bare)


def peak_memory(n: int, graph: str) -> tuple[float, float, float, int]:
    """Peak bytes allocated by 2 rounds, state bytes (N + 2|E|) d, batch bytes N |B| d, |E|."""
    problem = make_problem("least squares", n)
    network = make_network(graph, n)
    algorithm = LTADMM(**PARAMS)  # type: ignore[arg-type]
    backend = Simulator(network)
    oracle = GradientOracle(problem, backend.agents, BATCH, True, None, 0)
    state = algorithm.initialize(np.zeros((n, DIM)), problem, backend, oracle)
    state = algorithm.step(state, 0, problem, backend, oracle)  # builds the cached matrices
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    for k in range(1, 3):
        state = algorithm.step(state, k, problem, backend, oracle)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    state_bytes = 8.0 * (n + network.n_directed_edges) * DIM
    return float(peak - base), state_bytes, 8.0 * n * BATCH * DIM, network.n_edges


def breakdown(kind: str, graph: str, n: int, repeats: int = 5) -> dict[str, float]:
    """CPU seconds per round of each part of an LT-ADMM round (the library's own calls)."""
    problem = make_problem(kind, n)
    network = make_network(graph, n)
    backend = Simulator(network)
    oracle = GradientOracle(problem, backend.agents, BATCH, True, None, 0)
    rng = np.random.default_rng(2)
    X = rng.standard_normal((n, DIM))
    z = rng.standard_normal((network.n_directed_edges, DIM))
    idx = oracle.indices(0, 0)
    drift = 0.01 * X

    def indices() -> None:
        for t in range(TAU):
            oracle.indices(0, t)

    def gradients() -> None:
        for _ in range(TAU):
            problem.mean_sample_gradients(X, idx)

    def local_update() -> None:
        phi = X.copy()
        for _ in range(TAU):
            g = X.copy()  # stands for the fresh gradient array
            phi -= np.multiply(g, 0.01, out=g)
            phi -= drift

    def communication() -> None:
        backend.edge_sum(z)
        outgoing = X[backend.edge_source]
        outgoing *= -2.0
        outgoing += z
        received = backend.exchange(outgoing)
        received *= 0.5
        new_z = 0.5 * z
        new_z -= received

    parts = {"minibatch indices": indices, "minibatch gradients": gradients,
             "local update arithmetic": local_update, "edge sum + exchange + z update": communication}
    out = {}
    for name, fn in parts.items():
        fn()
        out[name] = best_time(fn, repeats)
    out["whole round"] = vectorised_round(problem, network, 3, repeats)
    return out


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:.3g}{unit}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 10000])
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--breakdown", type=int, metavar="N",
                        help="only print where the time of a round goes at this N")
    args = parser.parse_args(argv)
    if args.breakdown:
        for kind in ("least squares", "logistic"):
            for graph in ("ring", "erdos-renyi"):
                parts = breakdown(kind, graph, args.breakdown)
                total = parts["whole round"]
                print(f"{kind}, {graph}, N={args.breakdown}: CPU s per round")
                for name, value in parts.items():
                    print(f"  {name:<32} {value:.3g}  ({100 * value / total:.0f}%)")
        return

    rows = [measure(kind, graph, n) for kind in ("least squares", "logistic")
            for graph in ("ring", "erdos-renyi") for n in args.sizes]
    header = ["problem", "graph", "N", "|E|", "vectorised s/round", "loop s/round",
              "speed-up vs loop", "bare gradients s/round", "ratio to bare"]
    table = [[r.problem, r.graph, str(r.n), str(r.edges), fmt(r.vectorised), fmt(r.loop),
              fmt(r.speedup, "x"), fmt(r.bare), f"{r.ratio:.2f}"] for r in rows]
    print_table(header, table, args.markdown)

    print()
    for n in [s for s in args.sizes if s >= 1000]:
        for graph in ("ring", "erdos-renyi"):
            peak, state, batch, edges = peak_memory(n, graph)
            print(f"peak memory of 2 rounds, least squares, {graph}, N={n}, |E|={edges}: "
                  f"{peak / 2**20:.1f} MiB = {peak / state:.2f} x (N + 2|E|) d floats "
                  f"({state / 2**20:.1f} MiB) = {peak / batch:.2f} x N |B| d floats "
                  f"({batch / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
