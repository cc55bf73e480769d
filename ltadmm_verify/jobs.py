"""Independent jobs, run one after the other, on local processes, or on MPI ranks.

A sweep (the values of a parameter, the sections of a report, the grid points of a reproduction,
the instances of a calibration) is a list of independent jobs: :func:`map_jobs` runs
``function(item)`` for every item and returns the results **in the order of the items**, whatever
ran where and whenever it finished. Because every job is a function of its item alone (its own
seeds), the results, and any JSON written from them, do not depend on how the jobs were spread.

Where the jobs run (``workers``):

- ``None`` (default): on the ranks of an MPI job when the program was started under
  ``mpi4py.futures`` with more than one rank::

      mpirun -n 4 python -m mpi4py.futures -m ltadmm_verify report ...
      mpirun -n 4 python -m mpi4py.futures my_script.py

  (rank 0 runs the program, the other ranks execute its jobs through
  :class:`mpi4py.futures.MPIPoolExecutor`); otherwise one after the other in this process;
- ``1``: one after the other in this process;
- ``n > 1``: on ``n`` local processes (``fork``).

A job that itself calls :func:`map_jobs` runs its own jobs one after the other when it already runs
on a worker (no nested pools). The function and the items must be picklable for the parallel modes
(module-level functions, :func:`functools.partial` of them, dataclasses, arrays).
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

from ._validation import integer_at_least

T = TypeVar("T")
R = TypeVar("R")

#: true inside a job that runs on a worker of a parallel :func:`map_jobs`
_on_worker = False


def under_mpi_futures() -> bool:
    """Whether this program runs under ``python -m mpi4py.futures`` with more than one rank."""
    core = sys.modules.get("mpi4py.futures._core")
    if core is None or getattr(core, "SharedPool", None) is None:
        return False
    from mpi4py import MPI

    return bool(MPI.COMM_WORLD.Get_size() > 1)


def _run_on_worker(function: Callable[[T], R], item: T) -> R:
    """``function(item)`` with nested :func:`map_jobs` calls kept sequential."""
    global _on_worker
    previous, _on_worker = _on_worker, True
    try:
        return function(item)
    finally:
        _on_worker = previous


def _executor(workers: int | None) -> Executor | None:
    """The pool for ``workers`` (module docstring), ``None`` for sequential execution."""
    if _on_worker:
        return None
    if workers is None:
        if not under_mpi_futures():
            return None
        from mpi4py.futures import MPIPoolExecutor

        return MPIPoolExecutor()
    workers = integer_at_least("workers", workers, 1)
    if workers == 1:
        return None
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))


def map_jobs(
    function: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int | None = None,
    on_done: Callable[[int], Any] | None = None,
) -> list[R]:
    """``[function(item) for item in items]``, the jobs spread as ``workers`` says (module docstring).

    Parameters
    ----------
    function : callable
        A job, ``function(item) -> result``.
    items : iterable
        One item per job.
    workers : int or None
        ``None``: MPI ranks under ``mpi4py.futures``, else sequential; ``1``: sequential; ``n``:
        ``n`` local processes.
    on_done : callable, optional
        Called with the index of every job as it finishes (e.g. to advance a progress bar).

    Returns
    -------
    list
        The results in the order of ``items``. The first exception of a job is raised.
    """
    jobs = list(items)
    pool = _executor(workers) if len(jobs) > 1 else None
    if pool is None:
        results = []
        for index, item in enumerate(jobs):
            results.append(function(item))
            if on_done is not None:
                on_done(index)
        return results
    with pool:
        futures: dict[Future[R], int] = {
            pool.submit(_run_on_worker, function, item): index for index, item in enumerate(jobs)}
        done: dict[int, R] = {}
        for future in as_completed(futures):
            index = futures[future]
            done[index] = future.result()
            if on_done is not None:
                on_done(index)
    return [done[index] for index in range(len(jobs))]
