"""``--algorithm`` and each algorithm's own flags, built from the algorithms' declarations.

Every built-in algorithm (:data:`ltadmm_verify.algorithms.ALGORITHMS`) declares its parameters and
their constraints (``parameter_constraints``); a flag exists for each parameter of
:data:`PARAMETER_FLAGS`, its type follows the constraint, and a flag given for an algorithm that
does not take it is refused (never ignored). Every flag's parser default is ``None`` so that "given"
can be told from "defaulted"; the values an algorithm gets when a flag is omitted are, in order:
the algorithm's own default (``alpha = 0.5``, ``penalty = frozen``, ...), then
:data:`FALLBACKS` (``rho = 1``, ``eta_s = 1``, every further step parameter equal to the first:
``beta = gamma``), then what the command passes (the first step parameter, ``tau``).
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Collection, Mapping
from typing import Any

from ..algorithms import ALGORITHMS, Algorithm
from ..algorithms.parameters import Constraint, IntegerAtLeast, OneOf, OpenUnit, OrNone
from ..problems import Problem
from .common import MAX_SAMPLES, MAX_TAU, POSITIVE, UNIT, count, refuse

#: parameter -> (flag, help); the help names which algorithms take the flag
PARAMETER_FLAGS: dict[str, tuple[str, str]] = {
    "gamma": ("--gamma", "local gradient step size"),
    "beta": ("--beta", "second step size: lt-admm's penalty step (--penalty frozen), led's "
                       "correction step (default gamma)"),
    "eta_c": ("--eta-c", "k-gt's local (client) step size"),
    "eta_s": ("--eta-s", "k-gt's outer (server) step size (default 1)"),
    "rho": ("--rho", "ADMM penalty (default 1)"),
    "alpha": ("--alpha", "relaxation of the z-update (default 0.5)"),
    "tau": ("--tau", "local steps per round"),
    "batch_size": ("--batch-size", "minibatch size (default: full local gradient; 1 for "
                                   "lt-admm-vr)"),
    "penalty": ("--penalty", "frozen (canonical; gamma and beta) or inner (one step size gamma)"),
    "reset": ("--no-reset", "lt-admm-vr without the memory reset of every round"),
    "inner_steps": ("--inner-steps", "exact-admm's inner gradient steps when no closed form "
                                     "exists (default 50)"),
}

#: values of parameters without a default of their own, when their flag is omitted
FALLBACKS: dict[str, float] = {"rho": 1.0, "eta_s": 1.0}

#: largest value of the integer flags
MAXIMA = {"tau": MAX_TAU, "batch_size": MAX_SAMPLES, "inner_steps": 1_000_000}


def takers(parameter: str, choices: Collection[str]) -> list[str]:
    """The algorithms among ``choices`` that take ``parameter``."""
    return [name for name in choices if parameter in ALGORITHMS[name].parameter_constraints]


def _constraint(parameter: str, choices: Collection[str]) -> Constraint:
    cls = ALGORITHMS[takers(parameter, choices)[0]]
    rule = cls.parameter_constraints[parameter]
    return rule.inner if isinstance(rule, OrNone) else rule


def add_algorithm_options(
    parser: argparse.ArgumentParser,
    *,
    choices: Collection[str] = tuple(ALGORITHMS),
    several: Collection[str] = (),
    exclude: Collection[str] = (),
    notes: Mapping[str, str] | None = None,
) -> None:
    """``--algorithm`` and the flag of every parameter an algorithm of ``choices`` takes.

    Parameters
    ----------
    parser : argparse.ArgumentParser
    choices : collection of str
        Algorithm names (keys of :data:`~ltadmm_verify.algorithms.ALGORITHMS`); default all.
    several : collection of str
        Parameters whose flag takes several values (``nargs="+"``); ``"step"`` stands for the
        first step parameter of every algorithm (``--gamma``, ``--eta-c``).
    exclude : collection of str
        Parameters without a flag in this command (they keep their defaults).
    notes : mapping of str to str, optional
        Extra help per parameter (the command's default, what several values mean).
    """
    notes = notes or {}
    group = parser.add_argument_group("algorithm (each algorithm takes only its own flags)")
    group.add_argument("--algorithm", choices=tuple(choices), default="lt-admm",
                       help="default lt-admm")
    steps = {ALGORITHMS[name].step_parameters[0] for name in choices
             if ALGORITHMS[name].step_parameters}
    for parameter, (flag, text) in PARAMETER_FLAGS.items():
        names = takers(parameter, choices)
        if not names or parameter in exclude:
            continue
        help_text = f"{text}{notes.get(parameter, '')} [{', '.join(names)}]"
        if parameter == "reset":
            group.add_argument(flag, dest="reset", action="store_const", const=False, default=None,
                               help=help_text)
            continue
        rule = _constraint(parameter, choices)
        kind: dict[str, Any]
        if isinstance(rule, OneOf):
            kind = {"choices": rule.choices}
        elif isinstance(rule, IntegerAtLeast):
            kind = {"type": count(rule.minimum, MAXIMA[parameter])}
        elif isinstance(rule, OpenUnit):
            kind = {"type": UNIT}
        else:
            kind = {"type": POSITIVE}
        multiple = parameter in several or ("step" in several and parameter in steps)
        group.add_argument(flag, dest=parameter, default=None, help=help_text,
                           nargs="+" if multiple else None, **kind)


def given(args: argparse.Namespace) -> dict[str, Any]:
    """The algorithm parameters whose flags were given (a list for the several-valued flags)."""
    return {p: getattr(args, p) for p in PARAMETER_FLAGS
            if getattr(args, p, None) is not None}


def check_algorithm_options(args: argparse.Namespace) -> None:
    """Refuse every flag the chosen algorithm does not take, and ``--beta`` with ``--penalty inner``."""
    cls = ALGORITHMS[args.algorithm]
    own = [PARAMETER_FLAGS[p][0] for p in PARAMETER_FLAGS
           if p in cls.parameter_constraints and hasattr(args, p)]
    for parameter, value in given(args).items():
        flag = PARAMETER_FLAGS[parameter][0]
        if parameter not in cls.parameter_constraints:
            shown = True if parameter == "reset" else _shown(value)
            refuse(flag, shown, f"does not apply to --algorithm {args.algorithm} (its flags: "
                   f"{' '.join(own) or 'none'})")
    if getattr(args, "penalty", None) == "inner" and getattr(args, "beta", None) is not None:
        refuse("--beta", _shown(args.beta), "does not apply to --penalty inner (one step size, --gamma)")


def _shown(value: Any) -> Any:
    return " ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value) \
        if isinstance(value, list) else value


def build_algorithm(
    args: argparse.Namespace,
    *,
    defaults: Mapping[str, Any],
    problem: Problem | None = None,
) -> Algorithm:
    """The algorithm named by ``--algorithm`` with the flags given (module docstring for omitted
    ones); a several-valued flag contributes its first value.

    Parameters
    ----------
    args : argparse.Namespace
    defaults : mapping of str to value
        The command's values for omitted flags: ``"step"`` (the first step parameter: ``gamma``,
        ``eta_c``), ``"tau"``.
    problem : Problem, optional
        ``--batch-size`` is checked against its smallest local data set.

    Raises
    ------
    InvalidParameterError
        A flag the algorithm does not take, or a value it refuses (named by its flag).
    """
    check_algorithm_options(args)
    cls = ALGORITHMS[args.algorithm]
    values = {p: (v[0] if isinstance(v, list) else v) for p, v in given(args).items()}
    if problem is not None and values.get("batch_size") is not None:
        smallest = int(problem.n_samples.min())
        if values["batch_size"] > smallest:
            refuse("--batch-size", values["batch_size"],
                   f"exceeds the smallest local data set: at most {smallest} (min_i m_i)")
    own = {f.name: f for f in dataclasses.fields(cls)}
    steps = cls.step_parameters
    for parameter in cls.parameter_constraints:
        if parameter in values or own[parameter].default is not dataclasses.MISSING:
            continue
        if steps and parameter == steps[0]:
            values[parameter] = defaults["step"]
        elif parameter in steps:
            values[parameter] = values[steps[0]]
        elif parameter in FALLBACKS:
            values[parameter] = FALLBACKS[parameter]
        else:
            values[parameter] = defaults[parameter]
    return cls(**values)
