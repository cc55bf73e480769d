"""MPI jobs that must fail promptly with a non-zero status instead of hanging.

Usage: ``mpirun -n P python failing_job.py MODE`` (``P >= 3``). LT-ADMM on the MPI backend where

* ``raise``: rank 1 raises an uncaught exception at round 3 while the others keep communicating
  (the backend's excepthook must abort the job);
* ``kill``: rank 1 dies from SIGKILL at round 3 (mpirun must end the job);
* ``too-many-ranks``: the network has 2 agents, fewer than the ranks (rejected on every rank
  before any communication).
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


n_agents = 2 if MODE == "too-many-ranks" else 8
network = lv.network.ring(n_agents)
problem = lv.problems.random_least_squares(n_agents, 3, 5, seed=0)
lv.run(FailingLTADMM(gamma=0.05, beta=0.05, rho=1.0, tau=2), problem, network, 1000, backend="mpi")
