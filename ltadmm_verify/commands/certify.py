"""``ltadmm-verify certify``: certified linear rates for every mu-strongly convex, L-smooth cost.

Any built-in algorithm (``--algorithm``, exact gradients; LT-ADMM-VR's certificate is that of its
mean, full-gradient LT-ADMM). With a step (``--gamma``, ``--eta-c`` for K-GT; several values
allowed): the certified rate (Lyapunov LMI over one round, SPEC section 6) for each
``(tau, step)``, the other step parameters scaled with the first (``--beta-ratio``). Without: the
certified region, the largest certified step per ``tau`` against the worst exact quadratic and the
constant of C3's law ``gamma <= c lambda_l / (L tau^2)``.
Sizes beyond :data:`~ltadmm_verify.theory.certify.MAX_LMI_DIMENSION` are refused up front.
"""

from __future__ import annotations

import argparse
from typing import Any

from .._io import atomic_write_json, check_output_file
from ..algorithms import ALGORITHMS, Algorithm
from ..network import GENERATORS, MAX_AGENTS, make_network
from ..theory.certify import MULTIPLIERS, SOLVERS, certified_rate, check_size
from ..theory.certify_region import certified_region, region_figure
from ..theory.trace import round_map
from .algorithm_options import add_algorithm_options, build_algorithm, check_algorithm_options
from .common import NONNEGATIVE, POSITIVE, SEED, UNIT, count, refuse

#: local steps certified when --tau is omitted
DEFAULT_TAUS = [1, 2, 5]
#: the step the algorithm is built with in region mode (the search scales it)
PROBE_STEP = 0.1

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
    add_algorithm_options(
        parser, several=("tau", "step"), exclude=("beta", "batch_size", "reset", "inner_steps"),
        notes={"gamma": ": several to certify (omit for the certified region)",
               "eta_c": ": several to certify (omit for the certified region)",
               "tau": " (several; default 1 2 5)"})
    parser.add_argument("--beta-ratio", type=POSITIVE, default=None,
                        help="second step parameter / first, kept when the steps scale (default 1) "
                             "[lt-admm, lt-admm-vr, led]")
    lmi = parser.add_argument_group("certificate")
    lmi.add_argument("--multipliers", choices=MULTIPLIERS, default="sector")
    lmi.add_argument("--solver", choices=SOLVERS, default="auto")
    lmi.add_argument("--rtol", type=UNIT, default=1e-3, help="bisection tolerance on the rate")
    parser.add_argument("--out", help="write every number as JSON to this file")
    parser.add_argument("--figure", help="region mode (no --gamma): write the figure to this file "
                        f"({', '.join(FIGURE_SUFFIXES)})")
    parser.set_defaults(handler=handle)


def _base(args: argparse.Namespace) -> tuple[Algorithm, list[int | None], list[float] | None]:
    """The algorithm of the flags, its ``tau`` values (``[None]`` without local steps) and its step
    values (``None``: the certified region; ``[]`` for an algorithm without step parameters)."""
    check_algorithm_options(args)
    cls = ALGORITHMS[args.algorithm]
    name = cls.step_parameters[0] if cls.step_parameters else None
    steps = None if name is None else getattr(args, name)
    has_tau = "tau" in cls.parameter_constraints
    taus: list[int | None] = list(args.tau or DEFAULT_TAUS) if has_tau else [None]
    base = build_algorithm(args, defaults={"step": steps[0] if steps else PROBE_STEP,
                                           "tau": taus[0]})
    if args.beta_ratio is not None:
        if len(cls.step_parameters) < 2:
            refuse("--beta-ratio", args.beta_ratio, f"does not apply to --algorithm "
                   f"{args.algorithm} (one step parameter)")
        if getattr(base, "penalty", "frozen") == "inner":
            refuse("--beta-ratio", args.beta_ratio, "does not apply to --penalty inner (one step "
                   "size, --gamma)")
        first, second = cls.step_parameters[:2]
        base = base.with_values(**{f"{second}/{first}": args.beta_ratio})
    return base, taus, [] if name is None else steps


def handle(args: argparse.Namespace) -> int:
    """Certify each ``(tau, step)`` (or compute the region) and print a table."""
    base, taus, steps = _base(args)
    if args.figure is not None:
        if steps is not None:
            refuse("--figure", args.figure, "draws the certified region: it does not apply with "
                   "a step to certify (omit it for the region)")
        check_output_file("--figure", args.figure, suffixes=FIGURE_SUFFIXES)
    if args.out is not None:
        check_output_file("--out", args.out)
    network = make_network(args.graph, args.agents, seed=args.data_seed)

    def at(tau: int | None) -> Algorithm:
        return base if tau is None else base.with_values(tau=tau)

    for tau in taus:  # refuse oversized problems before any work
        check_size(round_map(at(tau), network), multipliers=args.multipliers)
    params = base.parameters()
    steps_of = base.step_parameters
    name = steps_of[0] if steps_of else None
    fixed = [f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items()
             if k not in ("algorithm", "tau", "batch_size", "replace", *steps_of)]
    if params.get("penalty") != "inner":
        fixed += [f"{s}/{name}={params[s] / params[name]:g}" for s in steps_of[1:]
                  if name is not None]
    print(f"graph {args.graph}: N={network.n_agents}, lambda_l={network.lambda_l:.4g}; class: "
          f"mu={args.mu:g}, L={args.L:g}; {base.name} {' '.join(fixed)}; "
          f"multipliers={args.multipliers}")
    out: dict[str, Any] = {"graph": args.graph, "network": network.describe(),
                           "algorithm": base.name}
    if steps is None:
        region = certified_region(base, network, tau_values=[t for t in taus if t is not None],
                                  mu=args.mu, L=args.L, multipliers=args.multipliers,
                                  seed=args.data_seed)
        print(region.table())
        out["region"] = region.to_dict()
        if args.figure:
            print(f"wrote {region_figure(region, args.figure)}")
    else:
        print(f"{'tau':>4} {name or 'step':>9} {'certified':>10} {'worst quad':>10} "
              f"{'status':>15} {'margin':>9} {'seconds':>8}")
        rows = []
        for tau in taus:
            chosen: list[float | None] = list(steps) or [None]
            for step in chosen:
                alg = at(tau) if step is None else at(tau).with_step(step)
                res = certified_rate(alg, network, mu=args.mu, L=args.L,
                                     multipliers=args.multipliers, rtol=args.rtol,
                                     solver=args.solver)
                rate = "-" if res.rate is None else f"{res.rate:.4f}"
                margin = "-" if res.margin is None else f"{res.margin:.1e}"
                print(f"{'-' if tau is None else tau:>4} {'-' if step is None else f'{step:.4g}':>9} "
                      f"{rate:>10} {res.quadratic_rate:>10.4f} {res.status:>15} {margin:>9} "
                      f"{res.timings['total']:>8.2f}")
                rows.append(res.to_dict())
        out["certificates"] = rows
    if args.out:
        atomic_write_json(args.out, out)
        print(f"wrote {args.out}")
    return 0
