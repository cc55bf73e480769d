"""Seconds per round of every algorithm (LT-ADMM, LT-ADMM-VR and the baselines) on the simulator.

Setting (issue 6, as ``bench_round.py``): N in {10, 100, 1000, 10000} agents on a ring and on a
connected Erdos-Renyi graph (``p = 2 log N / N``), ``d = 64``, ``m_i = 32`` samples per agent,
minibatch ``|B| = 16``, ``tau = 10`` local steps, least squares and logistic regression (l2 = 0.1).

One round = ``algorithm.step`` on the simulator backend (metrics not recorded), best of a few
repeats after a warm-up round, process CPU time (``benchmarks/_common.py``), one process.
ExactADMM solves the local problems in closed form on least squares (precomputed
``(H_i + rho d_i I)^{-1}``, one batched mat-vec per round) and with ``inner_steps = 10``
full-gradient steps on logistic regression (``10 m_i`` per-sample gradients per agent per round,
versus ``tau |B| = 160`` for the stochastic methods: it does twice the gradient work). LT-ADMM-VR
(reset) computes ``m_i = 32`` extra per-sample gradients per round.

The last table gives microseconds per agent per round (``s/round / N``): flat columns mean linear
scaling in ``N``.

Dense versus sparse *data* is not measured: the problem classes store features as dense padded
arrays (``LinearModelProblem``), so a sparse data set would run at the dense cost.

Run ``python benchmarks/bench_baselines.py`` (``--sizes`` selects N, ``--markdown`` for Markdown).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import (  # noqa: E402
    BATCH,
    TAU,
    make_network,
    make_problem,
    print_table,
    rounds_and_repeats,
    seconds_per_round,
)
from ltadmm_verify import KGT, LED, LTADMM, LTADMMVR, ExactADMM, LocalDSGD  # noqa: E402
from ltadmm_verify.algorithms import Algorithm  # noqa: E402

ALGORITHMS: dict[str, Callable[[], Algorithm]] = {
    "LT-ADMM": lambda: LTADMM(gamma=0.01, beta=0.01, rho=1.0, tau=TAU, batch_size=BATCH),
    "LT-ADMM-VR": lambda: LTADMMVR(gamma=0.01, beta=0.01, rho=1.0, tau=TAU, batch_size=BATCH),
    "local DSGD": lambda: LocalDSGD(gamma=0.01, tau=TAU, batch_size=BATCH),
    "LED": lambda: LED(gamma=0.01, beta=0.01, tau=TAU, batch_size=BATCH),
    "K-GT": lambda: KGT(eta_c=0.01, eta_s=1.0, tau=TAU, batch_size=BATCH),
    "ExactADMM": lambda: ExactADMM(rho=1.0, inner_steps=10),
}


def measure(kind: str, graph: str, n: int) -> tuple[int, dict[str, float]]:
    """``|E|`` and seconds per round of every algorithm."""
    problem = make_problem(kind, n)
    network = make_network(graph, n)
    rounds, repeats = rounds_and_repeats(n)
    times = {name: seconds_per_round(make(), problem, network, rounds, repeats)
             for name, make in ALGORITHMS.items()}
    return network.n_edges, times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 10000])
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args(argv)

    results = []
    for kind in ("least squares", "logistic"):
        for graph in ("ring", "erdos-renyi"):
            for n in args.sizes:
                edges, times = measure(kind, graph, n)
                results.append((kind, graph, n, edges, times))
                print(f"measured {kind} {graph} N={n}", file=sys.stderr, flush=True)
    names = list(ALGORITHMS)
    print("seconds per round")
    print_table(["problem", "graph", "N", "|E|", *names],
                [[k, g, str(n), str(e), *(f"{t[a]:.3g}" for a in names)]
                 for k, g, n, e, t in results], args.markdown)
    print()
    print("microseconds per agent per round (scaling in N)")
    print_table(["problem", "graph", "N", *names],
                [[k, g, str(n), *(f"{1e6 * t[a] / n:.3g}" for a in names)]
                 for k, g, n, _, t in results], args.markdown)


if __name__ == "__main__":
    main()
