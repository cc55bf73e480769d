"""``ltadmm-verify bounds``: constants, theorem conditions, the exact critical step and a verdict.

For any built-in algorithm: the instance's constants; the conditions of the theorem cards that cover
the algorithm (LT-ADMM, LT-ADMM-VR) with the largest step they admit; the exact critical step of the
algorithm's own round on quadratics (its step parameters scaled together); and, for a given step,
the pre-run check's verdict with the evidence it rests on. The cards' bound is a sufficient
condition with constants of stated provenance: it informs, and exact evidence decides.
"""

from __future__ import annotations

import argparse

import sympy as sp

from ..algorithms import ALGORITHMS
from ..errors import InvalidParameterError
from ..theory.admissibility import AdmissibilityReport, admissible_step_size
from ..theory.cards import Instance, registered_cards
from ..theory.exact import critical_step_size, is_quadratic
from ..theory.prerun import StepSizeVerdict, assess_step_size
from .algorithm_options import add_algorithm_options, build_algorithm, check_algorithm_options
from .common import add_instance_options, build_instance

#: the step the algorithm is built with when none is given: the critical-step search scales the
#: step parameters from any positive value, so its value does not matter
PROBE_STEP = 0.1


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the subcommand."""
    parser = sub.add_parser(
        "bounds", help="theorem conditions, admissible step size and exact critical step size"
    )
    add_instance_options(parser)
    add_algorithm_options(parser, notes={"gamma": " to check (optional)",
                                         "eta_c": " to check (optional)", "tau": " (default 5)"})
    parser.set_defaults(handler=handle)


def _print_cards(algorithm: str) -> None:
    for card in registered_cards(algorithm):
        print(f"\n{card.id}: {card.title}")
        shown = [(f"condition {c.name}", c.relation) for c in card.conditions]
        shown += [("claimed bound", sp.Le(sp.Symbol(name), expr)) for name, expr in card.bounds.items()]
        for title, relation in shown:
            print(f"  {title}:")
            print("    " + sp.pretty(relation, use_unicode=False).replace("\n", "\n    "))
        for const in card.constants:
            print(f"  constant {const.describe()}")


def _verdict_lines(verdict: StepSizeVerdict, name: str, value: float | None,
                   cards: AdmissibilityReport | None) -> tuple[list[str], int]:
    """The verdict, the evidence it rests on, and how it stands to the cards' bound."""
    shown = "the parameters are" if value is None else f"{name} = {value:g} is"
    if verdict.errors:
        return ["verdict: NOT ADMISSIBLE", verdict.message()], 1
    lines = []
    if verdict.warnings:
        lines.append(f"verdict: {shown} not ruled out by exact analysis or a paper/user "
                     "condition, but lies outside the calibrated range (warning)")
        lines.append(verdict.message(verdict.warnings))
    else:
        lines.append(f"verdict: {shown} admissible: {verdict.conclusion}")
    if cards is not None and cards.gamma_max is not None and value is not None \
            and value > cards.gamma_max and not verdict.warnings:
        lines.append(f"  it exceeds the theorem cards' bound gamma <= {cards.gamma_max:.6g} "
                     f"({cards.provenance}): that bound is a sufficient condition; it informs and "
                     "does not override the exact analysis")
    return lines, 0


def handle(args: argparse.Namespace) -> int:
    """Print constants, conditions, admissible step, exact critical step and the verdict."""
    check_algorithm_options(args)
    problem, network = build_instance(args)
    cls = ALGORITHMS[args.algorithm]
    name = cls.step_parameters[0] if cls.step_parameters else None
    value = None if name is None or getattr(args, name) is None else float(getattr(args, name))
    algorithm = build_algorithm(args, defaults={"step": value or PROBE_STEP, "tau": 5},
                                problem=problem)
    print(f"instance: {problem.name} on {args.graph}, N={network.n_agents}, d={problem.dim}")
    print("constants:")
    for symbol, number in Instance(problem, network).values().items():
        print(f"  {symbol.name:<9} = {number:.6g}")
    shown = {k: v for k, v in algorithm.parameters().items() if k != name or value is not None}
    print(f"algorithm: {algorithm.name} {shown}")
    cards = None
    if registered_cards(args.algorithm):
        _print_cards(args.algorithm)
        p = algorithm.parameters()
        cards = admissible_step_size(problem, network, tau=p["tau"], rho=p["rho"],
                                     algorithm=args.algorithm, beta_ratio=p["beta"] / p["gamma"],
                                     penalty=p["penalty"], exact=False)
        print()
        print("theorem cards:\n" + cards.summary())
    else:
        print(f"\nno theorem card covers {args.algorithm}: its steps are judged by the exact analysis")
    if name is not None:
        if is_quadratic(problem):
            try:
                critical = critical_step_size(algorithm, problem, network)
                others = cls.step_parameters[1:]
                scaled = f" ({', '.join(others)} scaled with it)" if others else ""
                print(f"exact critical step of this instance: {name} = {critical:.6g}{scaled}; "
                      "converges below, diverges above")
            except InvalidParameterError as error:
                print(f"exact critical step: not computed ({error})")
        else:
            print("exact critical step: defined for quadratics; for this problem the pre-run check "
                  f"linearises the round at a given --{name.replace('_', '-')}")
    if name is not None and value is None:
        return 0
    verdict = assess_step_size(algorithm, problem, network)
    hypotheses = [f"{card.id}: {h.name} {'fails' if r.holds is False else 'not verified'} ({r.detail})"
                  for card in registered_cards(args.algorithm)
                  for h, r in card.check_hypotheses(Instance(problem, network, algorithm))
                  if r.holds is not True]
    print()
    if verdict.spectral_radius is not None:
        print(f"exact spectral radius at these parameters: {verdict.spectral_radius:.6g}")
    for line in hypotheses:
        print(f"hypothesis {line}")
    lines, status = _verdict_lines(verdict, name or "", value, cards)
    print("\n".join(lines))
    return status
