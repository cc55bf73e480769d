"""Named problem families, built from a few numbers (used by the command line and the report)."""

from __future__ import annotations

from .._validation import choice, integer_at_least
from .base import Problem
from .datasets import digits, random_least_squares, random_logistic
from .quadratic import random_quadratic

#: names accepted by :func:`make_problem`
PROBLEMS = ("least-squares", "logistic", "quadratic", "digits", "digits-binary")
#: the problems built from the 8x8 digits data (their size comes from the data)
DATA_PROBLEMS = ("digits", "digits-binary")
#: the problems whose ``samples`` argument is used (a quadratic has no samples)
SAMPLED_PROBLEMS = ("least-squares", "logistic")
#: largest ``N d m_i`` (data entries, 8 bytes each: 1.6 GB) of a synthetic problem built by name
MAX_DATA_ENTRIES = 200_000_000
#: agents the digits problems can have: one training image each (1797 images, 20 % held out)
DIGITS_MAX_AGENTS = 1797 - round(0.2 * 1797)


def make_problem(name: str, n_agents: int, *, dim: int = 5, samples: int = 20, seed: int = 0) -> Problem:
    """A named problem over ``n_agents`` agents.

    ``"least-squares"``, ``"logistic"`` and ``"quadratic"`` are synthetic (:func:`random_least_squares`,
    :func:`random_logistic` with ``l2 = 0.1``, :func:`random_quadratic` with eigenvalues in
    ``[0.5, 2]``) of dimension ``dim`` with ``samples`` samples per agent; ``"digits"`` is the
    multiclass digits task of SPEC section 5 and ``"digits-binary"`` its binary variant (``dim`` and
    ``samples`` do not apply to them).
    """
    name = choice("problem", name, PROBLEMS)
    n_agents = integer_at_least("n_agents", n_agents, 1)
    dim = integer_at_least("dim", dim, 1)
    samples = integer_at_least("samples", samples, 1)
    if name == "least-squares":
        return random_least_squares(n_agents, dim, samples, seed=seed)
    if name == "logistic":
        return random_logistic(n_agents, dim, samples, seed=seed)
    if name == "quadratic":
        return random_quadratic(n_agents, dim, seed=seed)
    if name == "digits":
        return digits(n_agents, seed=seed)
    return digits(n_agents, task="binary", seed=seed)
