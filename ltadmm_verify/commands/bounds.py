"""``ltadmm-verify bounds``: constants, theorem conditions, admissible and exact critical step sizes."""

from __future__ import annotations

import argparse

import sympy as sp

from ..theory.admissibility import admissible_step_size
from ..theory.cards import Instance, registered_cards
from ..theory.prerun import assess_step_size
from .common import (
    add_algorithm_options,
    add_instance_options,
    build_algorithm,
    build_instance,
    check_algorithm_options,
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    parser = sub.add_parser(
        "bounds", help="theorem conditions, admissible step size and exact critical step size"
    )
    add_instance_options(parser)
    add_algorithm_options(parser, gamma_default=None, gamma_help="a step size to check (optional)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print constants, conditions, admissible gamma, exact critical step and the verdict."""
    check_algorithm_options(args)
    problem, network = build_instance(args)
    ratio = 1.0 if args.beta is None or args.gamma is None else args.beta / args.gamma
    report = admissible_step_size(problem, network, tau=args.tau, rho=args.rho,
                                  algorithm=args.algorithm, beta_ratio=ratio, penalty=args.penalty)
    print(f"instance: {problem.name} on {args.graph}, N={network.n_agents}, d={problem.dim}")
    print("constants:")
    for name, value in report.values.items():
        print(f"  {name:<9} = {value:.6g}")
    for card in registered_cards(args.algorithm):
        print(f"\n{card.id}: {card.title}")
        shown = [(f"condition {c.name}", c.relation) for c in card.conditions]
        shown += [("claimed bound", sp.Le(sp.Symbol(name), expr)) for name, expr in card.bounds.items()]
        for title, relation in shown:
            print(f"  {title}:")
            print("    " + sp.pretty(relation, use_unicode=False).replace("\n", "\n    "))
        for const in card.constants:
            print(f"  constant {const.describe()}")
    print()
    print(report.summary())
    if args.gamma is None:
        return 0
    algorithm = build_algorithm(args, problem)
    verdict = assess_step_size(algorithm, problem, network)
    hypotheses = [f"{card.id}: {h.name} {'fails' if r.holds is False else 'not verified'} ({r.detail})"
                  for card in registered_cards(args.algorithm)
                  for h, r in card.check_hypotheses(Instance(problem, network, algorithm))
                  if r.holds is not True]
    print()
    if verdict.spectral_radius is not None:
        print(f"exact spectral radius at gamma = {args.gamma:g}: {verdict.spectral_radius:.6g}")
    for line in hypotheses:
        print(f"hypothesis {line}")
    if verdict.errors:
        print("verdict: NOT ADMISSIBLE\n" + verdict.message())
        return 1
    if verdict.warnings:
        print("verdict: not ruled out by exact analysis or a paper/user condition, but outside the "
              "calibrated range (warning)\n" + verdict.message(verdict.warnings))
        return 0
    print(f"verdict: gamma = {args.gamma:g} is admissible")
    return 0
