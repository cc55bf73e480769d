"""Where verification spends its time: the round, Monte Carlo replicas and the pre-run check.

Three measurements (process CPU time, single-threaded BLAS, **median** of several repeats because
the machine may be shared):

1. **round**: milliseconds per round of LT-ADMM (``d = 64``, ``m_i = 32``, ``|B| = 16``,
   ``tau = 10``, least squares on a ring) at ``N = 10^2, 10^3, 10^4``: the bare ``step`` (as in
   ``bench_round.py``), its ratio to the bare gradient cost (``tau`` calls of
   ``problem.sample_gradients``), and a whole ``lv.run`` round (metrics recorded every round, no
   pre-run check);
   **gradient**: ms of one minibatch gradient (``|B| = 16``, ``d = 64``) with the batch rows
   gathered and with one pass over the data in place, at ``N = 10^2, 10^4`` and several ``m_i``;
   **vr**: ms per round of LT-ADMM-VR on the digits problem with the dense and the factored SAGA
   memory (:mod:`ltadmm_verify.algorithms.gradient_tables`);
2. **replicas**: 32 seeds of an 8-agent least-squares problem (ring, ``d = 5``, ``m_i = 20``,
   ``|B| = 4``, ``tau = 5``, 200 rounds, metrics every round): 32 separate ``lv.run`` calls versus
   one ``lv.run_replicas`` call (when the installed version has it), both with the pre-run check
   off, and both with it on (``check="raise"``: once per run versus once per call);
3. **check**: the cost of the pre-run step-size check of one ``lv.run`` (``check="raise"`` minus
   ``check="off"``), on a fresh problem and on a problem already checked once (whose constants a
   repeated run may reuse), for the ``N = 100`` case (50 rounds) and the 8-agent case.

Run ``python benchmarks/bench_speed.py`` (``--repeats R`` sets the number of repeats,
``--sizes`` the values of ``N``, ``--markdown`` prints Markdown tables). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import ltadmm_verify as lv  # noqa: E402
from benchmarks._common import BATCH, DIM, SAMPLES, TAU, print_table  # noqa: E402
from ltadmm_verify.algorithms.oracles import GradientOracle  # noqa: E402
from ltadmm_verify.backends.simulator import Simulator  # noqa: E402
from ltadmm_verify.network import ring  # noqa: E402

ROUND_PARAMS = dict(gamma=0.01, beta=0.01, rho=1.0, tau=TAU, batch_size=BATCH)
REPLICAS, REPLICA_AGENTS, REPLICA_ROUNDS = 32, 8, 200
REPLICA_PARAMS = dict(gamma=0.05, beta=0.05, rho=1.0, tau=5, batch_size=4)


def cpu_time(fn: Callable[[], object]) -> float:
    """Process CPU seconds of one call."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def median_time(fn: Callable[[], object], repeats: int) -> float:
    """Median process CPU seconds over ``repeats`` calls, after one warm-up call."""
    fn()
    return statistics.median(cpu_time(fn) for _ in range(repeats))


# ------------------------------------------------------------------------------- 1. the round
def round_costs(n: int, repeats: int) -> dict[str, float]:
    """Seconds per ``step``, per bare gradient work and per ``lv.run`` round at ``N = n``."""
    problem = lv.random_least_squares(n, DIM, SAMPLES, seed=0)
    network = ring(n)
    algorithm = lv.LTADMM(**ROUND_PARAMS)  # type: ignore[arg-type]
    rounds = 20 if n <= 100 else 4 if n <= 1000 else 2
    backend = Simulator(network)
    oracle = GradientOracle(problem, backend.agents, BATCH, True, None, 0)
    x0 = np.random.default_rng(0).standard_normal((n, DIM))
    state = algorithm.initialize(x0, problem, backend, oracle)
    counter = iter(range(10**9))

    def steps() -> None:
        nonlocal state
        for _ in range(rounds):
            state = algorithm.step(state, next(counter), problem, backend, oracle)

    rng = np.random.default_rng(1)
    X = rng.standard_normal((n, DIM))
    batches = [rng.integers(0, SAMPLES, (n, BATCH)) for _ in range(TAU)]

    def bare() -> None:
        for idx in batches:
            problem.sample_gradients(X, idx)

    def whole_run() -> None:
        lv.run(algorithm, problem, network, rounds, x0=x0, check="off")

    return {"step": median_time(steps, repeats) / rounds, "bare": median_time(bare, repeats),
            "run": median_time(whole_run, repeats) / rounds}


# ------------------------------------------------------------------------ 1b. the gradient
GRADIENT_CASES = ((100, 32), (10_000, 16), (10_000, 32), (10_000, 64))


def gradient_costs(repeats: int) -> list[tuple[int, int, float, float]]:
    """ms of one minibatch gradient (``|B| = 16``, ``d = 64``) with the batch rows gathered and
    with one pass over the data in place (``FULL_PASS_BYTES`` set to force each way)."""
    from ltadmm_verify.problems import linear_models

    out = []
    saved = linear_models.FULL_PASS_BYTES
    try:
        for n, m in GRADIENT_CASES:
            times = []
            for threshold in (2**62, 0):  # gathered, in place
                linear_models.FULL_PASS_BYTES = threshold
                problem = lv.random_least_squares(n, DIM, m, seed=0)
                rng = np.random.default_rng(1)
                X = rng.standard_normal((n, DIM))
                idx = rng.integers(0, m, (n, BATCH))
                calls = 200 if n <= 1000 else 5
                times.append(median_time(lambda p=problem, X=X, idx=idx, c=calls: [
                    p.mean_sample_gradients(X, idx) for _ in range(c)], repeats) / calls)
            out.append((n, m, times[0], times[1]))
    finally:
        linear_models.FULL_PASS_BYTES = saved
    return out


# ----------------------------------------------------------------------- 1c. the SAGA memory
VR_TAUS = (1, 3, 10)


def vr_costs(repeats: int) -> list[tuple[int, float, float]]:
    """ms per round of LT-ADMM-VR on the reproduction's digits problem (10 agents on a ring,
    softmax regression with its regulariser, ``|B| = 8``, 20 rounds) with the dense memory of every
    per-sample gradient and with the factored memory of a linear model, at each ``tau``."""
    from ltadmm_verify.algorithms import oracles
    from ltadmm_verify.algorithms.gradient_tables import GradientTable, fill_table

    problem, network, rounds = lv.digits(10, "iid", seed=0), ring(10), 20
    out = []
    for tau in VR_TAUS:
        algorithm = lv.LTADMMVR(gamma=0.01, beta=0.01, rho=1.0, tau=tau, batch_size=8)
        times = []
        for memory in (lambda problem, X, updates=None: GradientTable.fill(problem, X), fill_table):
            oracles.fill_table = memory  # type: ignore[assignment]
            try:
                times.append(median_time(lambda a=algorithm: lv.run(a, problem, network, rounds, check="off"),
                                         repeats) / rounds)
            finally:
                oracles.fill_table = fill_table
        out.append((tau, times[0], times[1]))
    return out


# ----------------------------------------------------------------------------- 2. replicas
def replica_costs(repeats: int) -> dict[str, float | None]:
    """Seconds of 32 separate runs and of one replicated run, check off and on."""
    problem = lv.random_least_squares(REPLICA_AGENTS, 5, 20, seed=0)
    network = ring(REPLICA_AGENTS)
    algorithm = lv.LTADMM(**REPLICA_PARAMS)  # type: ignore[arg-type]
    seeds = list(range(REPLICAS))
    out: dict[str, float | None] = {}
    replicated = getattr(lv, "run_replicas", None)
    for check in ("off", "raise"):
        out[f"separate/{check}"] = median_time(
            lambda check=check: [lv.run(algorithm, problem, network, REPLICA_ROUNDS, seed=s, check=check)
                                 for s in seeds], repeats)
        out[f"replicas/{check}"] = None if replicated is None else median_time(
            lambda check=check: replicated(algorithm, problem, network, REPLICA_ROUNDS, seeds,
                                           check=check), repeats)
    return out


# -------------------------------------------------------------------------------- 3. check
def check_costs(repeats: int) -> dict[str, float]:
    """Seconds the pre-run check adds to one run: fresh problem, and problem already checked."""
    cases = {
        "N=100, d=64, 50 rounds": (lambda: lv.random_least_squares(100, DIM, SAMPLES, seed=0),
                                   ring(100), lv.LTADMM(**ROUND_PARAMS), 50),  # type: ignore[arg-type]
        "N=8, d=5, 200 rounds": (lambda: lv.random_least_squares(REPLICA_AGENTS, 5, 20, seed=0),
                                 ring(REPLICA_AGENTS), lv.LTADMM(**REPLICA_PARAMS), 200),  # type: ignore[arg-type]
    }
    out = {}
    for label, (make, network, algorithm, rounds) in cases.items():
        def fresh(check: str, make=make, network=network, algorithm=algorithm, rounds=rounds) -> float:
            problem = make()
            return cpu_time(lambda: lv.run(algorithm, problem, network, rounds, check=check))

        problem = make()
        lv.run(algorithm, problem, network, rounds)  # the first check of this problem

        def repeated(check: str, problem=problem, network=network, algorithm=algorithm,
                     rounds=rounds) -> float:
            return cpu_time(lambda: lv.run(algorithm, problem, network, rounds, check=check))

        for name, fn in (("fresh", fresh), ("repeated", repeated)):
            on = statistics.median(fn("raise") for _ in range(repeats))
            off = statistics.median(fn("off") for _ in range(repeats))
            out[f"{label}/{name}"] = on - off
            out[f"{label}/{name}/run"] = off
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--only", choices=("round", "gradient", "vr", "replicas", "check"), nargs="+",
                        default=["round", "gradient", "vr", "replicas", "check"])
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(f"ltadmm_verify from {Path(lv.__file__).parent}; median of {args.repeats} repeats, CPU time")
    if "round" in args.only:
        rows = []
        for n in args.sizes:
            c = round_costs(n, args.repeats if n <= 1000 else max(2, args.repeats // 2))
            rows.append([str(n), f"{1e3 * c['step']:.3g}", f"{1e3 * c['bare']:.3g}",
                         f"{c['step'] / c['bare']:.2f}", f"{1e3 * c['run']:.3g}"])
        print_table(["N", "step ms/round", "bare gradients ms/round", "ratio to bare",
                     "lv.run ms/round"], rows, args.markdown)
        print()
    if "gradient" in args.only:
        rows = [[str(n), str(m), f"{1e3 * gathered:.3g}", f"{1e3 * in_place:.3g}"]
                for n, m, gathered, in_place in gradient_costs(args.repeats)]
        print_table(["N", "m_i", "gathered ms", "in place ms"], rows, args.markdown)
        print()
    if "vr" in args.only:
        rows = [[str(tau), f"{1e3 * dense:.3g}", f"{1e3 * factored:.3g}", f"{dense / factored:.1f}x"]
                for tau, dense, factored in vr_costs(args.repeats)]
        print("LT-ADMM-VR on digits (10 agents, |B| = 8):")
        print_table(["tau", "dense memory ms/round", "factored memory ms/round", "speed-up"], rows,
                    args.markdown)
        print()
    if "replicas" in args.only:
        r = replica_costs(args.repeats)
        rows = []
        for check in ("off", "raise"):
            sep, rep = r[f"separate/{check}"], r[f"replicas/{check}"]
            assert sep is not None
            rows.append([check, f"{sep:.3g}", "-" if rep is None else f"{rep:.3g}",
                         "-" if rep is None else f"{sep / rep:.1f}x"])
        print(f"{REPLICAS} seeds, {REPLICA_AGENTS}-agent least squares, {REPLICA_ROUNDS} rounds:")
        print_table(["check", "separate runs s", "run_replicas s", "speed-up"], rows, args.markdown)
        print()
    if "check" in args.only:
        c = check_costs(args.repeats)
        rows = [[label, name, f"{1e3 * c[f'{label}/{name}']:.3g}",
                 f"{1e3 * c[f'{label}/{name}/run']:.3g}"]
                for label in dict.fromkeys(k.split("/")[0] for k in c) for name in ("fresh", "repeated")]
        print_table(["case", "problem", "check ms per run", "run without check ms"], rows, args.markdown)


if __name__ == "__main__":
    main()
