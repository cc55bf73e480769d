"""What several subcommands share: typed flags, the instance and the algorithm built from them.

Every number enters the command line through a flag type of this module, so a bad value ends in
one line naming the flag, the value and what is expected (exit status 2) before anything runs:
real values obey :mod:`ltadmm_verify._validation` (finite, magnitude at most ``1e15``), counts
have the ranges below. Flags that do not apply to the other flags given are refused, never ignored.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from .._validation import integer_at_least, nonnegative_float, open_unit_float, positive_float
from ..errors import InvalidParameterError, LTADMMVerifyError
from ..network import GENERATORS, MAX_AGENTS, Network, make_network
from ..problems import Problem
from ..problems.catalog import (
    DATA_PROBLEMS,
    DIGITS_MAX_AGENTS,
    MAX_DATA_ENTRIES,
    PROBLEMS,
    SAMPLED_PROBLEMS,
    make_problem,
)

#: largest seed (seeds are 63-bit integers)
MAX_SEED = 2**63 - 1
#: largest model dimension, samples per agent and minibatch of the synthetic problems
MAX_DIM, MAX_SAMPLES = 100_000, 1_000_000
#: largest number of local steps and of rounds accepted on the command line
MAX_TAU, MAX_ROUNDS = 1_000_000, 1_000_000_000


def _flag_type(check: Callable[[str, Any], Any], parse: Callable[[str], Any], noun: str
               ) -> Callable[[str], Any]:
    """An argparse ``type``: parse the text, then ``check`` it; argparse names the flag."""

    def convert(text: str) -> Any:
        try:
            value = parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {noun}, got {text!r}") from None
        try:
            return check("value", value)
        except LTADMMVerifyError as error:  # "value must be ..., got <parsed>": show the text typed
            expected = str(error).removeprefix("value ").rsplit(", got ", 1)[0]
            raise argparse.ArgumentTypeError(f"{expected}, got {text}") from None

    convert.__name__ = noun
    return convert


#: a real number > 0 (at most 1e15)
POSITIVE = _flag_type(positive_float, float, "a positive number")
#: a real number >= 0 (at most 1e15)
NONNEGATIVE = _flag_type(nonnegative_float, float, "a number >= 0")
#: a real number in (0, 1)
UNIT = _flag_type(open_unit_float, float, "a number in (0, 1)")


def count(minimum: int, maximum: int) -> Callable[[str], int]:
    """An argparse ``type`` for an integer in ``[minimum, maximum]``."""
    return _flag_type(lambda name, value: integer_at_least(name, value, minimum, maximum=maximum),
                      int, "an integer")


SEED = count(0, MAX_SEED)


def explicit(args: argparse.Namespace, flag: str) -> bool:
    """Whether ``--flag`` was given (its default is None)."""
    return getattr(args, flag.lstrip("-").replace("-", "_")) is not None


def refuse(flag: str, value: Any, reason: str) -> None:
    """Raise the error of a flag that does not apply to the other flags given."""
    shown = "" if value is True else f" {value}"
    raise InvalidParameterError(f"{flag}{shown} {reason}")


def add_instance_options(parser: argparse.ArgumentParser) -> None:
    """``--problem --graph --agents --dim --samples --data-seed`` (the instance a command works on)."""
    group = parser.add_argument_group("instance")
    group.add_argument("--problem", choices=PROBLEMS, default="least-squares",
                       help="finite-sum problem (synthetic unless digits; default least-squares)")
    group.add_argument("--graph", choices=sorted(GENERATORS), default="ring",
                       help="graph family (default ring)")
    group.add_argument("--agents", type=count(2, MAX_AGENTS), default=10,
                       help=f"number of agents N, 2..{MAX_AGENTS} (default 10)")
    group.add_argument("--dim", type=count(1, MAX_DIM), default=None,
                       help="model dimension d of the synthetic problems (default 5)")
    group.add_argument("--samples", type=count(1, MAX_SAMPLES), default=None,
                       help="samples per agent m_i of least-squares and logistic (default 20)")
    group.add_argument("--data-seed", type=SEED, default=0,
                       help="seed of the synthetic data and random graphs (default 0)")


def build_instance(args: argparse.Namespace) -> tuple[Problem, Network]:
    """The problem and network named by :func:`add_instance_options` (flags checked by name)."""
    if args.problem in DATA_PROBLEMS:
        for flag in ("--dim", "--samples"):
            if explicit(args, flag):
                refuse(flag, getattr(args, flag[2:]),
                       f"does not apply to --problem {args.problem} (its size comes from the data)")
        if args.agents > DIGITS_MAX_AGENTS:
            refuse("--agents", args.agents, f"is too many for --problem {args.problem}: at most "
                   f"{DIGITS_MAX_AGENTS} (one training image per agent)")
    if args.problem not in SAMPLED_PROBLEMS and explicit(args, "--samples"):
        refuse("--samples", args.samples, f"does not apply to --problem {args.problem}")
    dim = 5 if args.dim is None else args.dim
    samples = 20 if args.samples is None else args.samples
    if args.problem in SAMPLED_PROBLEMS and args.agents * samples * dim > MAX_DATA_ENTRIES:
        raise InvalidParameterError(
            f"--agents x --samples x --dim = {args.agents} x {samples} x {dim} data entries exceeds "
            f"{MAX_DATA_ENTRIES:.0e} (1.6 GB); use fewer agents, samples or dimensions")
    network = make_network(args.graph, args.agents, seed=args.data_seed)
    network.progress = not getattr(args, "quiet", False)
    problem = make_problem(args.problem, network.n_agents, dim=dim, samples=samples,
                           seed=args.data_seed)
    return problem, network
