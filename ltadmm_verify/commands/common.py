"""Options shared by several subcommands: building the problem and the graph from the command line."""

from __future__ import annotations

import argparse

from .._validation import integer_at_least
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
