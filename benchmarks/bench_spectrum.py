"""Seconds to compute ``lambda_l`` and ``lambda_u`` (:mod:`ltadmm_verify.spectrum`) at large ``N``.

Graphs: path, ring and random geometric graph (``make_network("geometric", N)``: unit square,
radius ``2 sqrt(log N / (pi N))``), ``N`` in {10^3, 10^4, 10^5}. For each: which stage of the
sparse method answered (``krylov`` or ``inverse``), the wall-clock seconds of ``lambda_l`` and of
``lambda_u`` (single-threaded BLAS; each includes the thin-graph test, reverse Cuthill-McKee),
and for path and ring the relative error against the closed
forms ``lambda_l = 4 sin^2(pi / (2N))`` (path), ``4 sin^2(pi / N)`` (ring).

    python benchmarks/bench_spectrum.py            # about 2 minutes, most of it building graphs
    python benchmarks/bench_spectrum.py --sizes 1000 10000
"""

from __future__ import annotations

import argparse
import math
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from ltadmm_verify import spectrum
from ltadmm_verify.network import make_network

CLOSED_FORM = {
    "path": lambda n: 4 * math.sin(math.pi / (2 * n)) ** 2,
    "ring": lambda n: 4 * math.sin(math.pi / n) ** 2,
}


def _timed(function, *args):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    value = function(*args)
    return value, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10**3, 10**4, 10**5])
    parser.add_argument("--graphs", nargs="+", default=["path", "ring", "geometric"])
    args = parser.parse_args()
    print("| graph | N | |E| | build s | lambda_l | stage | lambda_l s | rel. error | lambda_u | stage "
          "| lambda_u s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for graph in args.graphs:
        for n in args.sizes:
            net, build = _timed(make_network, graph, n)
            lap, upper = net.laplacian_sparse, 2.0 * net.max_degree
            bar = spectrum.ProgressBar(4, "", enabled=False)
            order, t_order = _timed(spectrum.thin_ordering, lap)
            (low, stage_low), t_low = _timed(spectrum.smallest_nonzero, lap, upper, bar, order)
            (high, stage_high), t_high = _timed(spectrum.largest, lap, upper, bar, order)
            t_low, t_high = t_low + t_order, t_high + t_order
            error = (f"{abs(low / CLOSED_FORM[graph](n) - 1):.1e}" if graph in CLOSED_FORM else "-")
            print(f"| {graph} | {n} | {net.n_edges} | {build:.1f} | {low:.6e} | {stage_low} | "
                  f"{t_low:.2f} | {error} | {high:.6f} | {stage_high} | {t_high:.2f} |", flush=True)


if __name__ == "__main__":
    main()
