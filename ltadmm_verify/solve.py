"""``run`` with a step-size check before the first round: the public :func:`ltadmm_verify.run`.

The algorithms package must not import the theory layer (DESIGN: data flows one way), so the check
lives here, above both: :func:`run` checks the step size with
:func:`ltadmm_verify.theory.admissibility.apply_check`, then calls the one run loop
:func:`ltadmm_verify.algorithms.run.run` unchanged.
"""

from __future__ import annotations

import inspect
from typing import Any

from .algorithms.base import Algorithm
from .algorithms.run import RunResult
from .algorithms.run import run as run_loop
from .network import Network
from .problems.base import Problem
from .theory.admissibility import apply_check


def run(
    algorithm: Algorithm,
    problem: Problem,
    network: Network,
    rounds: int,
    *,
    check: str = "raise",
    **options: Any,
) -> RunResult:
    """Check the step size, then run ``algorithm`` for ``rounds`` rounds (see the run loop).

    Parameters
    ----------
    algorithm, problem, network, rounds
        As in :func:`ltadmm_verify.algorithms.run.run`.
    check : {"raise", "warn", "off"}, default "raise"
        ``"raise"``: raise :class:`~ltadmm_verify.errors.InadmissibleStepSize` before the first
        round when the exact analysis of a quadratic shows the run diverges (``N d <= 150``), or
        when a theorem condition whose constant has provenance ``"paper"`` or ``"user"`` fails;
        only warn (:class:`~ltadmm_verify.theory.admissibility.AdmissibilityWarning`) when the
        failed condition's constant is ``"calibrated"``. ``"warn"``: warn in every case.
        ``"off"``: no check (use it to run above the stability limit on purpose, e.g. to study
        divergence).
    **options
        Every keyword of :func:`ltadmm_verify.algorithms.run.run` (``x0, seed, noise,
        record_every, backend, progress, divergence_factor``).

    Returns
    -------
    RunResult
    """
    apply_check(check, algorithm, problem, network, noise=options.get("noise"), stacklevel=3)
    return run_loop(algorithm, problem, network, rounds, **options)


def _signature() -> inspect.Signature:
    """The run loop's signature with ``check`` added (shown by ``help(lv.run)``)."""
    base = inspect.signature(run_loop)
    params = [p for p in base.parameters.values()]
    check = inspect.Parameter("check", inspect.Parameter.KEYWORD_ONLY, default="raise", annotation="str")
    return base.replace(parameters=[*params[:4], check, *params[4:]])


run.__signature__ = _signature()  # type: ignore[attr-defined]
