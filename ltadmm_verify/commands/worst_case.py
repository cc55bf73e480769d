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
from ..algorithms import Algorithm
from ..network import GENERATORS, MAX_AGENTS, make_network
from ..theory.worst_case import METRICS, SOLVERS, problem_size, worst_case
from ..verify.worst_case_law import check_rate_law, exponent_fits, law_summary, worst_case_table
from .algorithm_options import add_algorithm_options, build_algorithm
from .common import NONNEGATIVE, POSITIVE, SEED, count, refuse

#: --algorithm choices (exact gradients: LT-ADMM-VR's iterates are random)
CHOICES = ("lt-admm", "led", "local-dsgd", "k-gt", "exact-admm")
#: values of the omitted flags
DEFAULTS = {"step": 0.1, "tau": 1}
#: largest K on the command line (the size limit refuses far less)
MAX_WORST_ROUNDS = 1000


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    parser = sub.add_parser(
        "worst-case", help="worst case after K rounds over every L-smooth local cost (SDP)")
    add_algorithm_options(parser, choices=CHOICES, several=("tau",),
                          exclude=("batch_size", "inner_steps"),
                          notes={"gamma": " (default 0.1)", "eta_c": " (default 0.1)",
                                 "tau": " (several: a table; default 1)"})
    algo = parser.add_argument_group("rounds")
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


def handle(args: argparse.Namespace) -> int:
    """Compute the worst case (or the table) and print it."""
    if args.out is not None:
        check_output_file("--out", args.out)
    algorithm: Algorithm = build_algorithm(args, defaults=DEFAULTS)
    network = make_network(args.graph, args.agents, seed=args.data_seed)
    rounds, taus = sorted(set(args.rounds)), sorted(set(args.tau or [DEFAULTS["tau"]]))
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
