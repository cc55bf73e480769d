"""LT-ADMM on the MPI backend where rank 1 fails at round 3 while the others keep communicating.

Usage: ``mpirun -n P python fail_on_rank.py {raise,kill}`` (P >= 2). ``raise``: an uncaught exception (the
backend's excepthook must abort the job); ``kill``: the rank dies from SIGKILL (mpirun must end the
job). Either way the job must end promptly with a non-zero status instead of hanging.
"""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass

import ltadmm_verify as lv
from ltadmm_verify.algorithms import LTADMM, GradientOracle, State
from ltadmm_verify.backends.base import Backend
from ltadmm_verify.problems.base import Problem

MODE = sys.argv[1]


@dataclass(frozen=True)
class FailingLTADMM(LTADMM):
    """LT-ADMM whose rank 1 fails at the start of round 3."""

    def step(
        self, state: State, k: int, problem: Problem, backend: Backend, oracle: GradientOracle
    ) -> State:
        if k == 3 and getattr(backend, "rank", 0) == 1:
            if MODE == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            raise RuntimeError("deliberate failure on rank 1 at round 3")
        return super().step(state, k, problem, backend, oracle)


network = lv.network.ring(8)
problem = lv.problems.random_least_squares(8, 3, 5, seed=0)
lv.run(FailingLTADMM(gamma=0.05, beta=0.05, rho=1.0, tau=2), problem, network, 1000, backend="mpi")
