"""``ltadmm-verify constants``: graph and problem constants (lambda_l, lambda_u, L, mu)."""

from __future__ import annotations

import argparse

from .._io import atomic_write_json, check_output_file
from ..smoothness import estimate_smoothness
from .common import add_instance_options, build_instance, count


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    parser = sub.add_parser("constants", help="graph spectrum and smoothness constants")
    add_instance_options(parser)
    parser.add_argument("--points", type=count(1, 10_000), default=8,
                        help="random points for the estimates (default 8)")
    parser.add_argument("--out", help="also write the numbers to this JSON file")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print the constants (and write them as JSON with ``--out``)."""
    if args.out is not None:
        check_output_file("--out", args.out)
    problem, network = build_instance(args)
    graph = network.describe()
    estimate = estimate_smoothness(problem, n_points=args.points, seed=args.data_seed)
    print(f"graph {args.graph}: N={graph['n_agents']} |E|={graph['n_edges']} "
          f"degrees {graph['min_degree']}..{graph['max_degree']}")
    print(f"  lambda_l = {network.lambda_l:.6g}   (smallest nonzero Laplacian eigenvalue)")
    print(f"  lambda_u = {network.lambda_u:.6g}   (largest Laplacian eigenvalue)")
    print(f"problem {problem.name}: d={problem.dim}, m_i in "
          f"{int(problem.n_samples.min())}..{int(problem.n_samples.max())}, convex={problem.is_convex}")
    for row in estimate.rows():
        print(f"  L {row['level']:<16} {row['method']:<19} {row['value']:.6g}")
    mu = estimate.certified.mu
    print(f"  mu (min_i mu_i)   {'unknown / nonconvex' if mu is None else f'{mu:.6g}'}")
    if args.out:
        atomic_write_json(args.out, {"graph": graph, "problem": problem.describe(),
                                     "smoothness": estimate.rows()})
        print(f"wrote {args.out}")
    return 0
