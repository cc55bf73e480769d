"""The public runs: :func:`run` (one seed) and :func:`run_replicas` (many seeds at once).

Both check the step size before the first round with
:func:`ltadmm_verify.theory.prerun.apply_check`, then call the run loop
(:func:`ltadmm_verify.algorithms.run.run_loop` / :func:`~ltadmm_verify.algorithms.run.replica_loop`).
The algorithms package must not import the theory layer (DESIGN: data flows one way), so the check
lives here, above both. Under MPI every rank checks (so that every rank refuses the same run) but
only rank 0 shows the check's warnings: once per job.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Sequence
from typing import Any

from .algorithms.base import Algorithm
from .algorithms.run import RunResult, replica_loop, run_loop
from .network import Network
from .problems.base import Problem
from .theory.prerun import apply_check


def run(
    algorithm: Algorithm,
    problem: Problem,
    network: Network,
    rounds: int,
    *,
    check: str = "raise",
    **options: Any,
) -> RunResult:
    """Check the step size, then run ``algorithm`` for ``rounds`` rounds.

    Parameters
    ----------
    algorithm, problem, network, rounds
        As in :func:`ltadmm_verify.algorithms.run.run_loop`.
    check : {"raise", "warn", "off"}, default "raise"
        ``"raise"``: raise :class:`~ltadmm_verify.errors.InadmissibleStepSize` before the first
        round when the analysis of the algorithm's traced round shows the run diverges (exact on
        a quadratic, at any size; linearised at ``x0`` and at the optimum otherwise), or when a
        theorem condition whose constant has provenance ``"paper"`` or ``"user"`` fails; only warn
        (:class:`~ltadmm_verify.theory.prerun.AdmissibilityWarning`) when a failed condition's
        constant is ``"calibrated"`` and no exact evidence decides (:mod:`ltadmm_verify.theory.prerun`).
        ``"warn"``: warn in every case.
        ``"off"``: no check (use it to run above the stability limit on purpose, e.g. to study
        divergence). The check analyses the ideal network, whatever ``channel`` says: under message
        loss the exact limit is :func:`ltadmm_verify.theory.mean_square_critical_step`, which may
        lie on either side of the ideal one.
    **options
        Every keyword of :func:`~ltadmm_verify.algorithms.run.run_loop` (``x0, seed, noise,
        record_every, backend, progress, divergence_factor, observers, channel``; ``channel`` an
        unreliable network, :class:`~ltadmm_verify.algorithms.channel.Channel`).

    Returns
    -------
    RunResult
    """
    _check(check, algorithm, problem, network, options, x0=options.get("x0"))
    return run_loop(algorithm, problem, network, rounds, **options)


def run_replicas(
    algorithm: Algorithm,
    problem: Problem,
    network: Network,
    rounds: int,
    seeds: Sequence[int],
    *,
    check: str = "raise",
    **options: Any,
) -> list[RunResult]:
    """Check the step size once, then run ``algorithm`` for every seed of ``seeds`` in one state.

    ``run_replicas(algorithm, problem, network, rounds, seeds, **options)[r]`` equals
    ``run(algorithm, problem, network, rounds, seed=seeds[r], **options)`` bit for bit (every
    history array and ``x``), for every algorithm that uses only the documented primitives, at a
    fraction of the cost of ``len(seeds)`` separate runs: the replicas are one vectorised state
    (rows ``(agent, replica)``, :class:`~ltadmm_verify.backends.replicas.Replicated`), so the
    Python overhead of a round is paid once. A replica that diverges stops recording where its own
    run would have stopped; the others go on.

    Parameters
    ----------
    algorithm, problem, network, rounds
        As in :func:`run`.
    seeds : sequence of int
        One distinct seed per replica.
    check : {"raise", "warn", "off"}, default "raise"
        The pre-run check of :func:`run`, made once for all the replicas.
    **options
        Every keyword of :func:`run` except ``seed`` (``x0, noise, record_every, backend,
        progress, divergence_factor, observers, channel``); ``backend="mpi"`` spreads the agents (of
        every replica) over the MPI ranks.

    Returns
    -------
    list of RunResult
        One per seed, in the order of ``seeds``.
    """
    _check(check, algorithm, problem, network, options)
    return replica_loop(algorithm, problem, network, rounds, seeds, **options)


def _check(check: str, algorithm: Algorithm, problem: Problem, network: Network,
           options: dict[str, Any], **extra: Any) -> None:
    """The pre-run check; its warnings point at the caller of ``run`` and stay silent on the MPI
    ranks other than 0."""
    with warnings.catch_warnings():
        if not _is_root_rank(options.get("backend", "simulator")):
            warnings.simplefilter("ignore")
        apply_check(check, algorithm, problem, network, noise=options.get("noise"), stacklevel=4,
                    **extra)


def _is_root_rank(backend: Any) -> bool:
    """False on the ranks other than 0 of an MPI run."""
    if backend != "mpi":
        return bool(getattr(backend, "is_root", True))
    try:
        from mpi4py import MPI
    except ImportError:  # the run loop reports the missing extra
        return True
    return bool(MPI.COMM_WORLD.Get_rank() == 0)


def _signature() -> inspect.Signature:
    """The run loop's signature with ``check`` added (shown by ``help(lv.run)``)."""
    base = inspect.signature(run_loop)
    params = list(base.parameters.values())
    check = inspect.Parameter("check", inspect.Parameter.KEYWORD_ONLY, default="raise", annotation="str")
    return base.replace(parameters=[*params[:4], check, *params[4:]])


run.__signature__ = _signature()  # type: ignore[attr-defined]
