"""Seconds per worst case (theory.worst_case) versus the SDP's size, and the table W(K, tau).

Setting (issue 16): LT-ADMM with gamma = beta = 0.1, rho = 1, alpha = 1/2 on a ring of N agents, the
smooth nonconvex class with L = 1, metric min_k M_k; K = 1..8, tau = 1..4 (cells beyond the size
limit are refused and shown as "-"). For every cell: the Gram dimension, the number of
interpolation constraints, the wall-clock seconds (build, solve), the solver's status and the
witness's relative accuracy. The sizes and times set ``MAX_GRAM_DIMENSION`` and ``MAX_PAIRS`` of
``ltadmm_verify/theory/worst_case.py``.

Run ``python benchmarks/bench_worst_case.py --agents 3 --out ring3.json`` (one BLAS thread:
``OMP_NUM_THREADS=1``). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import ltadmm_verify as lv
from ltadmm_verify.verify.worst_case_law import (
    check_rate_law,
    exponent_fits,
    law_summary,
    worst_case_table,
)

GAMMA, BETA, RHO, L = 0.1, 0.1, 1.0, 1.0


def main() -> None:
    """Compute the table on the N-ring, print it with the sizes and times, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=3)
    parser.add_argument("--rounds", type=int, nargs="+", default=list(range(1, 9)))
    parser.add_argument("--taus", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    net = lv.make_network("ring", args.agents)
    cells: list[dict[str, Any]] = []

    def record(tau: int, K: int, res: Any) -> None:
        if res is None:
            print(f"tau={tau} K={K}: refused (size limit)", flush=True)
            return
        row = {"tau": tau, "K": K, "value": res.value, "status": res.status,
               "accuracy": res.accuracy, "verified": res.verified, **res.size, **res.timings}
        cells.append(row)
        print(json.dumps(row), flush=True)

    start = time.perf_counter()
    table = worst_case_table(lv.LTADMM(gamma=GAMMA, beta=BETA, rho=RHO, tau=1), net,
                             rounds=args.rounds, taus=args.taus, L=L, graph="ring",
                             on_cell=record)
    print(table.table())
    checks = check_rate_law(table)
    for check in checks:
        print(check.line())
    print(f"law: {law_summary(checks)}; total {time.perf_counter() - start:.0f} s")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump({"table": table.to_dict(), "cells": cells,
                       "exponents": [f.to_dict() for f in exponent_fits(table)],
                       "checks": [c.to_dict() for c in checks], "law": law_summary(checks)},
                      handle, indent=1)


if __name__ == "__main__":
    main()
