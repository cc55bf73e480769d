"""``ltadmm-verify certify``: certified linear rates for every mu-strongly convex, L-smooth cost.

With ``--gamma``: the certified rate (Lyapunov LMI over one round, SPEC section 6) for each
``(tau, gamma)``. Without: the certified region, the largest certified ``gamma`` per ``tau`` against
the worst exact quadratic and the constant of C3's law ``gamma <= c lambda_l / (L tau^2)``.
Sizes beyond :data:`~ltadmm_verify.theory.certify.MAX_LMI_DIMENSION` are refused up front.
"""

from __future__ import annotations

import argparse
from typing import Any

from .._io import atomic_write_json, check_output_file
from ..algorithms import LTADMM
from ..network import GENERATORS, MAX_AGENTS, make_network
from ..theory.certify import MULTIPLIERS, SOLVERS, certified_rate, check_size
from ..theory.certify_region import certified_region, region_figure
from ..theory.trace import round_map
from .common import MAX_TAU, NONNEGATIVE, POSITIVE, SEED, UNIT, count, refuse

#: file types of ``--figure``
FIGURE_SUFFIXES = (".png", ".pdf", ".svg")


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    parser = sub.add_parser(
        "certify", help="certified linear rates / step-size region for the whole function class (LMI)")
    graph = parser.add_argument_group("graph and function class")
    graph.add_argument("--graph", choices=sorted(GENERATORS), default="ring",
                       help="graph family (default ring)")
    graph.add_argument("--agents", type=count(2, MAX_AGENTS), default=6,
                       help="number of agents N (default 6)")
    graph.add_argument("--data-seed", type=SEED, default=0, help="seed of random graphs (default 0)")
    graph.add_argument("--mu", type=NONNEGATIVE, default=0.5,
                       help="strong convexity of every f_i (default 0.5)")
    graph.add_argument("--L", type=POSITIVE, default=2.0, help="smoothness of every f_i (default 2)")
    algo = parser.add_argument_group("algorithm (full-gradient LT-ADMM)")
    algo.add_argument("--rho", type=POSITIVE, default=1.0, help="ADMM penalty (default 1)")
    algo.add_argument("--tau", type=count(1, MAX_TAU), nargs="+", default=[1, 2, 5],
                      help="local steps (default 1 2 5)")
    algo.add_argument("--gamma", type=POSITIVE, nargs="*", default=None,
                      help="step sizes to certify (omit for the certified region)")
    algo.add_argument("--beta-ratio", type=POSITIVE, default=1.0,
                      help="beta = ratio * gamma (default 1)")
    algo.add_argument("--penalty", choices=("frozen", "inner"), default="frozen")
    algo.add_argument("--alpha", type=UNIT, default=0.5, help="z-update relaxation (default 0.5)")
    lmi = parser.add_argument_group("certificate")
    lmi.add_argument("--multipliers", choices=MULTIPLIERS, default="sector")
    lmi.add_argument("--solver", choices=SOLVERS, default="auto")
    lmi.add_argument("--rtol", type=UNIT, default=1e-3, help="bisection tolerance on the rate")
    parser.add_argument("--out", help="write every number as JSON to this file")
    parser.add_argument("--figure", help="region mode (no --gamma): write the figure to this file "
                        f"({', '.join(FIGURE_SUFFIXES)})")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Certify each ``(tau, gamma)`` (or compute the region) and print a table."""
    if args.figure is not None:
        if args.gamma:
            refuse("--figure", args.figure, "draws the certified region: it does not apply with "
                   "--gamma (omit --gamma for the region)")
        check_output_file("--figure", args.figure, suffixes=FIGURE_SUFFIXES)
    if args.out is not None:
        check_output_file("--out", args.out)
    network = make_network(args.graph, args.agents, seed=args.data_seed)
    base = LTADMM(gamma=0.1, beta=0.1 * args.beta_ratio, rho=args.rho, tau=args.tau[0],
                  penalty=args.penalty, alpha=args.alpha)
    for tau in args.tau:  # refuse oversized problems before any work
        check_size(round_map(base.with_values(tau=tau), network), multipliers=args.multipliers)
    print(f"graph {args.graph}: N={network.n_agents}, lambda_l={network.lambda_l:.4g}; class: "
          f"mu={args.mu:g}, L={args.L:g}; rho={args.rho:g}, beta={args.beta_ratio:g} gamma, "
          f"penalty={args.penalty}, multipliers={args.multipliers}")
    out: dict[str, Any] = {"graph": args.graph, "network": network.describe()}
    if not args.gamma:
        region = certified_region(base, network, tau_values=args.tau, mu=args.mu, L=args.L,
                                  multipliers=args.multipliers, seed=args.data_seed)
        print(region.table())
        out["region"] = region.to_dict()
        if args.figure:
            print(f"wrote {region_figure(region, args.figure)}")
    else:
        print(f"{'tau':>4} {'gamma':>9} {'certified':>10} {'worst quad':>10} {'status':>15} "
              f"{'margin':>9} {'seconds':>8}")
        rows = []
        for tau in args.tau:
            for gamma in args.gamma:
                res = certified_rate(base.with_values(tau=tau).with_step(gamma), network, mu=args.mu,
                                     L=args.L, multipliers=args.multipliers, rtol=args.rtol,
                                     solver=args.solver)
                rate = "-" if res.rate is None else f"{res.rate:.4f}"
                margin = "-" if res.margin is None else f"{res.margin:.1e}"
                print(f"{tau:>4} {gamma:>9.4g} {rate:>10} {res.quadratic_rate:>10.4f} "
                      f"{res.status:>15} {margin:>9} {res.timings['total']:>8.2f}")
                rows.append(res.to_dict())
        out["certificates"] = rows
    if args.out:
        atomic_write_json(args.out, out)
        print(f"wrote {args.out}")
    return 0
