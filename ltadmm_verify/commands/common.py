"""Options shared by several subcommands: building the problem and the graph from the command line."""

from __future__ import annotations

import argparse

from .._validation import integer_at_least
from ..algorithms import LTADMM, LTADMMVR
from ..network import GENERATORS, Network, make_network
from ..problems import Problem
from ..problems.catalog import PROBLEMS, make_problem


def add_instance_options(parser: argparse.ArgumentParser) -> None:
    """``--problem --graph --agents --dim --samples --seed`` (the instance a command works on)."""
    group = parser.add_argument_group("instance")
    group.add_argument("--problem", choices=PROBLEMS, default="least-squares",
                       help="finite-sum problem (synthetic unless digits; default least-squares)")
    group.add_argument("--graph", choices=sorted(GENERATORS), default="ring",
                       help="graph family (default ring)")
    group.add_argument("--agents", type=int, default=10, help="number of agents N (default 10)")
    group.add_argument("--dim", type=int, default=5,
                       help="model dimension d of synthetic problems (default 5)")
    group.add_argument("--samples", type=int, default=20,
                       help="samples per agent m_i of synthetic problems (default 20)")
    group.add_argument("--data-seed", type=int, default=0,
                       help="seed of the synthetic data and random graphs (default 0)")


#: algorithms the ``run`` and ``bounds`` commands build
ALGORITHMS = ("lt-admm", "lt-admm-vr")


def add_algorithm_options(parser: argparse.ArgumentParser, *, gamma_default: float | None,
                          gamma_help: str) -> None:
    """``--algorithm --tau --gamma --beta --rho --batch-size --penalty --no-reset``."""
    algo = parser.add_argument_group("algorithm")
    algo.add_argument("--algorithm", choices=ALGORITHMS, default="lt-admm")
    algo.add_argument("--tau", type=int, default=5, help="local steps per round (default 5)")
    algo.add_argument("--gamma", type=float, default=gamma_default, help=gamma_help)
    algo.add_argument("--beta", type=float, default=None,
                      help="penalty step size (default gamma); beta/gamma is what the theory keeps")
    algo.add_argument("--rho", type=float, default=1.0, help="ADMM penalty (default 1)")
    algo.add_argument("--batch-size", type=int, default=None,
                      help="minibatch size (default: full local gradient; 1 for lt-admm-vr)")
    algo.add_argument("--penalty", choices=("frozen", "inner"), default="frozen")
    algo.add_argument("--no-reset", action="store_true", help="lt-admm-vr without memory reset")


def build_algorithm(args: argparse.Namespace) -> LTADMM:
    """The LT-ADMM or LT-ADMM-VR named by :func:`add_algorithm_options` (needs ``--gamma``)."""
    beta = args.gamma if args.beta is None else args.beta
    common = {"gamma": args.gamma, "beta": beta, "rho": args.rho, "tau": args.tau,
              "penalty": args.penalty}
    if args.algorithm == "lt-admm":
        return LTADMM(batch_size=args.batch_size, **common)
    batch = 1 if args.batch_size is None else args.batch_size
    return LTADMMVR(batch_size=batch, reset=not args.no_reset, **common)


def build_instance(args: argparse.Namespace) -> tuple[Problem, Network]:
    """The problem and network named by :func:`add_instance_options` (flags validated by name)."""
    integer_at_least("--agents", args.agents, 2)
    integer_at_least("--dim", args.dim, 1)
    integer_at_least("--samples", args.samples, 1)
    integer_at_least("--data-seed", args.data_seed, 0)
    network = make_network(args.graph, args.agents, seed=args.data_seed)
    problem = make_problem(args.problem, network.n_agents, dim=args.dim, samples=args.samples,
                           seed=args.data_seed)
    return problem, network
