"""Seconds per certified rate (theory.certify) versus the number of agents N and local steps tau.

Setting: ring of N agents, mu = 0.5, L = 2, rho = 1, beta = gamma = 0.5 / (tau (L + 2 rho)) (well
inside the stable region), sector multipliers, bisection tolerance 1e-3 (the default), solver
"auto" (Clarabel up to LMI dimension 30, SCS above). For each case: the LMI dimension
``n_z = 2N - 1 + N tau``, the wall-clock and process CPU seconds of one ``certified_rate`` call
(build + all solves of the search + verification), the number of SDP solves and the seconds of the
slowest solve, and the solvers' statuses. ``--interpolation`` adds the interpolation multipliers.

Wall clock is what a user waits for; CPU time is printed beside it because the machine may be
shared (a load average above the core count inflates the wall clock). Run
``python benchmarks/bench_certify.py [--sizes 4 6 10] [--taus 1 2 5 10] [--interpolation]``.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import time

import ltadmm_verify as lv
from ltadmm_verify.theory.certify import certified_rate

MU, L, RHO = 0.5, 2.0, 1.0


def bench(n: int, tau: int, multipliers: str) -> dict[str, object]:
    """Time one certified rate on the N-ring."""
    net = lv.network.ring(n)
    gamma = 0.5 / (tau * (L + RHO * net.max_degree))
    wall, cpu = time.perf_counter(), time.process_time()
    res = certified_rate(lv.LTADMM(gamma=gamma, beta=gamma, rho=RHO, tau=tau), net, mu=MU, L=L,
                         multipliers=multipliers)
    return {
        "N": n, "tau": tau, "n_z": res.lmi_dimension, "multipliers": multipliers,
        "gamma": gamma, "rate": res.rate, "quadratic_rate": res.quadratic_rate,
        "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
        "solves": len(res.solves), "max_solve": max((r.seconds for r in res.solves), default=0.0),
        "statuses": res.solver_statuses(),
    }


def main() -> None:
    """Print one row per (N, tau)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 6, 8, 10])
    parser.add_argument("--taus", type=int, nargs="+", default=[1, 2, 5, 10])
    parser.add_argument("--interpolation", action="store_true")
    args = parser.parse_args()
    kinds = ["sector", "interpolation"] if args.interpolation else ["sector"]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'N':>3} {'tau':>4} {'n_z':>4} {'mult':>13} {'rate':>7} {'quad':>7} {'wall s':>7} "
          f"{'cpu s':>7} {'solves':>6} {'max s':>6}  statuses")
    for kind in kinds:
        for n in args.sizes:
            for tau in args.taus:
                row = bench(n, tau, kind)
                rate = "-" if row["rate"] is None else f"{row['rate']:.4f}"
                print(f"{n:>3} {tau:>4} {row['n_z']:>4} {kind:>13} {rate:>7} "
                      f"{row['quadratic_rate']:>7.4f} {row['wall']:>7.2f} {row['cpu']:>7.2f} "
                      f"{row['solves']:>6} {row['max_solve']:>6.2f}  {row['statuses']}", flush=True)


if __name__ == "__main__":
    main()
