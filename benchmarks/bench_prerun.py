"""Seconds of the pre-run step-size check (``lv.theory.assess_step_size``) versus the number of agents.

Setting (issue 12): least squares with ``d = 64``, ``m_i = 32`` samples per agent, a ring of ``N``
agents, LT-ADMM with ``rho = 1``, ``tau = 10`` (``benchmarks/_common.py``), at a step that converges
(``gamma = 1e-3``) and at one that diverges (``gamma = 10``). For each case: the evidence the verdict
rests on (dense exact analysis, or the round applied matrix-free with Arnoldi), the rounds applied,
the verdict, and the process CPU seconds of one check (best of ``--repeats``; one BLAS thread).
Run ``OMP_NUM_THREADS=1 python benchmarks/bench_prerun.py [--sizes 100 1000 10000]``.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import time

from _common import TAU, make_network, make_problem

import ltadmm_verify as lv


def bench(n: int, gamma: float, repeats: int) -> dict[str, object]:
    """Time one pre-run check on the N-ring."""
    problem, network = make_problem("least squares", n), make_network("ring", n)
    problem.smoothness()
    problem.optimum()  # problem constants are cached: time the check itself
    algorithm = lv.LTADMM(gamma=gamma, beta=gamma, rho=1.0, tau=TAU)
    best, verdict = float("inf"), None
    for _ in range(repeats):
        start = time.process_time()
        verdict = lv.theory.assess_step_size(algorithm, problem, network)
        best = min(best, time.process_time() - start)
    assert verdict is not None
    evidence = "; ".join(ev.source for ev in verdict.evidence) or "; ".join(verdict.notes)
    return {"N": n, "gamma": gamma, "seconds": best, "ok": verdict.ok, "evidence": evidence,
            "radius": verdict.spectral_radius}


def main() -> None:
    """Print one row per (N, gamma)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    print(f"{'N':>6} {'gamma':>7} {'cpu s':>7} {'verdict':>9} {'radius':>9}  evidence")
    for n in args.sizes:
        for gamma in (1e-3, 10.0):
            row = bench(n, gamma, args.repeats)
            radius = "-" if row["radius"] is None else f"{row['radius']:.6f}"
            print(f"{n:>6} {gamma:>7g} {row['seconds']:>7.2f} {'ok' if row['ok'] else 'refused':>9} "
                  f"{radius:>9}  {row['evidence']}", flush=True)


if __name__ == "__main__":
    main()
