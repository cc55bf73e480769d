"""``ltadmm-verify worst-case``: the worst case after K rounds over a whole function class.

One ``--rounds`` and one ``--tau``: the worst case (performance estimation, SPEC 10) with the
solver's status, the re-checked witness and the timings. Several of either: the table ``W(K, tau)``,
``K tau W``, the fitted exponents and the verdict on the law ``A / (K tau)``
(:mod:`ltadmm_verify.verify.worst_case_law`). Sizes beyond the documented limit are refused before
any SDP is built.
"""

from __future__ import annotations

import argparse
from typing import Any

from .._io import atomic_write_json, check_output_file
from ..algorithms import KGT, LED, LTADMM, Algorithm, ExactADMM, LocalDSGD
from ..network import GENERATORS, MAX_AGENTS, make_network
from ..theory.worst_case import METRICS, SOLVERS, problem_size, worst_case
from ..verify.worst_case_law import check_rate_law, exponent_fits, law_summary, worst_case_table
from .common import MAX_TAU, NONNEGATIVE, POSITIVE, SEED, UNIT, count, refuse

#: --algorithm choices and the step flags each one takes
ALGORITHMS = {
    "lt-admm": ("gamma", "beta", "rho", "alpha", "penalty", "tau"),
    "led": ("gamma", "beta", "tau"),
    "local-dsgd": ("gamma", "tau"),
    "kgt": ("gamma", "eta_s", "tau"),
    "exact-admm": ("rho", "alpha"),
}
#: largest K on the command line (the size limit refuses far less)
MAX_WORST_ROUNDS = 1000


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    parser = sub.add_parser(
        "worst-case", help="worst case after K rounds over every L-smooth local cost (SDP)")
    algo = parser.add_argument_group("algorithm (exact gradients)")
    algo.add_argument("--algorithm", choices=sorted(ALGORITHMS), default="lt-admm")
    algo.add_argument("--gamma", type=POSITIVE, default=0.1,
                      help="step size (K-GT: eta_c) (default 0.1)")
    algo.add_argument("--beta", type=POSITIVE, default=None,
                      help="lt-admm / led: second step size (default gamma)")
    algo.add_argument("--rho", type=POSITIVE, default=None, help="ADMM penalty (default 1)")
    algo.add_argument("--alpha", type=UNIT, default=None, help="ADMM relaxation (default 0.5)")
    algo.add_argument("--penalty", choices=("frozen", "inner"), default=None,
                      help="lt-admm penalty variant (default frozen)")
    algo.add_argument("--eta-s", type=POSITIVE, default=None, help="kgt server step (default 1)")
    algo.add_argument("--tau", type=count(1, MAX_TAU), nargs="+", default=[1],
                      help="local steps (several: a table)")
    algo.add_argument("--rounds", type=count(1, MAX_WORST_ROUNDS), nargs="+", default=[2],
                      help="rounds K (several: a table)")
    graph = parser.add_argument_group("graph and function class")
    graph.add_argument("--graph", choices=sorted(GENERATORS), default="ring")
    graph.add_argument("--agents", type=count(2, MAX_AGENTS), default=3, help="agents N (default 3)")
    graph.add_argument("--data-seed", type=SEED, default=0, help="seed of random graphs")
    graph.add_argument("--L", type=POSITIVE, default=1.0, help="smoothness of every f_i (default 1)")
    graph.add_argument("--mu", type=NONNEGATIVE, default=None,
                       help="curvature lower bound (omit: smooth nonconvex; 0: convex)")
    pep = parser.add_argument_group("performance estimation")
    pep.add_argument("--metric", choices=METRICS, default="min",
                     help="min_k M_k or the average (1/K) sum_{k<K} M_k")
    pep.add_argument("--radius", type=POSITIVE, default=None,
                     help="bound on ||x_bar_0|| (only for methods that depend on the origin)")
    pep.add_argument("--solver", choices=SOLVERS, default="auto")
    parser.add_argument("--out", help="write every number as JSON to this file")
    parser.add_argument("--witness", action="store_true",
                        help="single case: include the witness's points in the JSON")
    parser.set_defaults(handler=handle)


def build(args: argparse.Namespace) -> Algorithm:
    """The algorithm of the flags; a flag the algorithm does not take is refused."""
    takes = ALGORITHMS[args.algorithm]
    for flag, dest in (("--beta", "beta"), ("--rho", "rho"), ("--alpha", "alpha"),
                       ("--penalty", "penalty"), ("--eta-s", "eta_s")):
        if getattr(args, dest) is not None and dest not in takes:
            refuse(flag, getattr(args, dest), f"does not apply to --algorithm {args.algorithm}")
    if "tau" not in takes and args.tau != [1]:
        refuse("--tau", args.tau, f"does not apply to --algorithm {args.algorithm}")
    beta = args.gamma if args.beta is None else args.beta
    rho = 1.0 if args.rho is None else args.rho
    alpha = 0.5 if args.alpha is None else args.alpha
    tau = args.tau[0]
    if args.algorithm == "lt-admm":
        if args.penalty == "inner" and args.beta is not None:
            refuse("--beta", args.beta, "does not apply to --penalty inner (one step size, --gamma)")
        return LTADMM(gamma=args.gamma, beta=beta, rho=rho, tau=tau, alpha=alpha,
                      penalty=args.penalty or "frozen")
    if args.algorithm == "led":
        return LED(gamma=args.gamma, beta=beta, tau=tau)
    if args.algorithm == "local-dsgd":
        return LocalDSGD(gamma=args.gamma, tau=tau)
    if args.algorithm == "kgt":
        return KGT(eta_c=args.gamma, eta_s=1.0 if args.eta_s is None else args.eta_s, tau=tau)
    return ExactADMM(rho=rho, alpha=alpha)


def handle(args: argparse.Namespace) -> int:
    """Compute the worst case (or the table) and print it."""
    if args.out is not None:
        check_output_file("--out", args.out)
    algorithm = build(args)
    network = make_network(args.graph, args.agents, seed=args.data_seed)
    rounds, taus = sorted(set(args.rounds)), sorted(set(args.tau))
    table_mode = len(rounds) > 1 or len(taus) > 1
    if args.witness and table_mode:
        refuse("--witness", True, "applies to a single --rounds and --tau")
    if not table_mode:  # refuse oversized problems before any work
        problem_size(algorithm, network, rounds[0])
    cls = "smooth nonconvex" if args.mu is None else f"mu = {args.mu:g}"
    print(f"{args.algorithm} {algorithm.parameters()}; graph {args.graph}, N={network.n_agents}; "
          f"class: {cls}, L = {args.L:g}; metric {args.metric}")
    out: dict[str, Any] = {"graph": args.graph, "network": network.describe()}
    if not table_mode:
        res = worst_case(algorithm, network, rounds=rounds[0], L=args.L, mu=args.mu,
                         metric=args.metric, radius=args.radius, solver=args.solver)
        value = "-" if res.value is None else f"{res.value:.8g}"
        print(f"K={rounds[0]}: worst case {value} ({res.status}, {res.solver}); witness "
              f"{'verified' if res.verified else 'NOT verified'}: relative accuracy "
              f"{res.accuracy if res.accuracy is None else f'{res.accuracy:.1e}'}, largest "
              f"interpolation violation "
              f"{'-' if res.witness is None else f'{res.witness.max_violation:.1e}'}; Gram "
              f"{res.size['gram']}, {res.size['pairs']} pairs; {res.timings['total']:.2f} s")
        for note in res.notes:
            print(f"note: {note}")
        out["worst_case"] = res.to_dict(witness=args.witness)
    else:
        def progress(tau: int, K: int, res: Any) -> None:
            shown = "refused (size limit)" if res is None else f"{res.value:.6g} ({res.status})"
            print(f"  tau={tau} K={K}: {shown}", flush=True)

        table = worst_case_table(algorithm, network, rounds=rounds, taus=taus, L=args.L,
                                 mu=args.mu, metric=args.metric, radius=args.radius,
                                 graph=args.graph, on_cell=progress)
        print(table.table())
        checks = check_rate_law(table)
        for fit in exponent_fits(table):
            print(f"exponent in {fit.direction} at fixed {'tau' if fit.direction == 'K' else 'K'}"
                  f"={fit.fixed}: {fit.exponent:.3f} +- {fit.half_width:.3f} (tail {fit.points}; "
                  f"whole range {fit.full_exponent:.3f})")
        for check in checks:
            print(check.line())
        print(f"law A/(K tau) at the worst case: {law_summary(checks)}")
        out["table"] = table.to_dict()
        out["exponents"] = [fit.to_dict() for fit in exponent_fits(table)]
        out["checks"] = [check.to_dict() for check in checks]
        out["law"] = law_summary(checks)
    if args.out:
        atomic_write_json(args.out, out)
        print(f"wrote {args.out}")
    return 0
