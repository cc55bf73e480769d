"""A simulated noise-floor sweep whose values run as independent jobs, written as JSON.

Usage: ``mpirun -n P python -m mpi4py.futures sweep.py OUT.json`` (the jobs go to ranks 1..P-1
through :func:`ltadmm_verify.jobs.map_jobs`) or ``python sweep.py OUT.json`` (one process).
``OUT.json`` holds the sweep (``"sweep"``: must not depend on ``P``) and the MPI ranks that ran
jobs (``"ranks"``).
"""

from __future__ import annotations

import json
import sys

import numpy as np

import ltadmm_verify as lv
from ltadmm_verify.jobs import map_jobs
from ltadmm_verify.verify.experiments import MonteCarlo, floor_sweep


def _rank(_: int) -> int:
    try:
        from mpi4py import MPI
    except ImportError:
        return 0
    return int(MPI.COMM_WORLD.Get_rank())


def sweep() -> dict[str, object]:
    """Floors of LT-ADMM on a logistic problem along ``sigma2`` and ``tau`` (simulated, 3 seeds)."""
    problem = lv.random_logistic(5, 3, 6, seed=2)
    network = lv.network.ring(5)
    algorithm = lv.LTADMM(gamma=0.05, beta=0.05, rho=1.0, tau=2)
    mc = MonteCarlo(seeds=3, rounds=40, base_seed=5)
    out = {}
    for parameter, values, sigma2 in (("sigma2", [0.01, 0.1, 1.0], None), ("tau", [1, 2, 3], 0.1)):
        result = floor_sweep(algorithm, problem, network, parameter, values, mc, sigma2=sigma2)
        out[parameter] = {**result.evidence(), "floors": np.asarray(result.floors).tolist()}
    return out


if __name__ == "__main__":
    document = {"sweep": sweep(), "ranks": sorted(set(map_jobs(_rank, range(8))))}
    with open(sys.argv[1], "w") as handle:
        json.dump(document, handle, sort_keys=True)
