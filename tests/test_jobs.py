"""Independent jobs (``ltadmm_verify.jobs.map_jobs``): results in the order of the items, whatever
ran where; nested calls on a worker stay sequential; a failing job raises."""

from __future__ import annotations

import os
import time
from functools import partial

import pytest

from ltadmm_verify.errors import InvalidParameterError
from ltadmm_verify.jobs import map_jobs, under_mpi_futures


def _slow_square(delay: float, x: int) -> tuple[int, int]:
    """``x^2`` and the process id, later for small ``x`` (so the jobs finish out of order)."""
    time.sleep(delay * (5 - x))
    return x * x, os.getpid()


def _nested(x: int) -> list[int]:
    return map_jobs(abs, [-x, x], workers=2)


def _fail(x: int) -> int:
    if x == 2:
        raise ValueError("job 2 failed")
    return x


def test_sequential_and_process_pools_give_the_results_in_item_order() -> None:
    items = [0, 1, 2, 3, 4]
    done: list[int] = []
    sequential = map_jobs(partial(_slow_square, 0.0), items, workers=1, on_done=done.append)
    assert [r[0] for r in sequential] == [0, 1, 4, 9, 16] and done == items
    assert {pid for _, pid in sequential} == {os.getpid()}
    done.clear()
    parallel = map_jobs(partial(_slow_square, 0.05), items, workers=2, on_done=done.append)
    assert [r[0] for r in parallel] == [0, 1, 4, 9, 16]
    assert sorted(done) == items
    assert os.getpid() not in {pid for _, pid in parallel}


def test_default_is_sequential_outside_mpi_futures() -> None:
    assert not under_mpi_futures()
    assert {pid for _, pid in map_jobs(partial(_slow_square, 0.0), [1, 2])} == {os.getpid()}


def test_jobs_inside_a_parallel_job_run_sequentially() -> None:
    assert map_jobs(_nested, [1, 2, 3], workers=2) == [[1, 1], [2, 2], [3, 3]]


def test_a_failing_job_raises_and_bad_workers_are_rejected() -> None:
    with pytest.raises(ValueError, match="job 2 failed"):
        map_jobs(_fail, [1, 2, 3], workers=2)
    with pytest.raises(InvalidParameterError, match="workers"):
        map_jobs(abs, [1, 2], workers=0)
