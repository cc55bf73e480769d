"""LT-ADMM and LT-ADMM-VR (Ren, Bastianello, Johansson, Parisini, arXiv 2501.13516), SPEC 2.1-2.2."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..backends.base import Backend
from ..problems.base import FloatArray, Problem
from .base import Algorithm, State
from .gradient_tables import OracleMemory
from .oracles import Oracle
from .parameters import (
    Boolean,
    Constraints,
    IntegerAtLeast,
    OneOf,
    OpenUnit,
    OrNone,
    Positive,
    Range,
    Ranges,
)

PENALTIES = ("frozen", "inner")


@dataclass
class ADMMState(State):
    """``x`` ``(n_local, d)`` and one ``z_ij`` per directed edge leaving a local agent."""

    z: FloatArray


@dataclass
class VRState(ADMMState):
    """ADMM state plus the SAGA memory of the oracle (``None`` until it is first filled)."""

    table: OracleMemory | None


@dataclass(frozen=True)
class LTADMM(Algorithm):
    r"""LT-ADMM: distributed ADMM with ``tau`` local stochastic gradient steps per round.

    Every agent ``i`` keeps ``x_i`` and one ``z_ij`` per neighbour (``2|E|`` vectors in all).
    Round ``k`` (all agents in parallel), with ``g_i`` the stochastic gradient oracle:

    .. math::

        c_{i,k} &= \rho d_i x_{i,k} - \textstyle\sum_{j \in N_i} z_{ij,k}
            \quad\text{(frozen for the round)}\\
        \phi^{0} &= x_{i,k},\qquad
        \phi^{t+1} = \phi^t - \gamma g_i(\phi^t) - \beta c_{i,k},\quad t = 0..\tau-1\\
        x_{i,k+1} &= \phi^{\tau}\\
        z_{ij,k+1} &= (1-\alpha) z_{ij,k} - \alpha (z_{ji,k} - 2\rho x_{j,k+1})

    Agent ``j`` sends ``z_{ji,k} - 2 rho x_{j,k+1}`` to ``i``: one vector per directed edge per round.
    On an unreliable channel (:class:`~ltadmm_verify.algorithms.channel.Channel`) a lost message
    holds the edge variable, ``z_{ij,k+1} = z_{ij,k}`` (the exchange's fallback is ``-z_ij``).
    Initialisation: ``z_{ij,0} = x_{i,0}``. At a fixed point ``z_ij + z_ji = 2 rho x*`` and
    ``sum_i grad f_i(x*) = 0``.

    With ``penalty="inner"`` the penalty is evaluated at the local iterate with one step size:
    ``phi^{t+1} = phi^t - gamma (g_i(phi^t) + rho d_i phi^t - sum_j z_{ij,k})`` (``beta`` unused).

    Parameters
    ----------
    gamma : float
        Gradient step size ``gamma > 0``.
    beta : float
        Penalty step size ``beta > 0`` (frozen variant).
    rho : float
        ADMM penalty ``rho > 0``.
    tau : int
        Local steps per round, ``tau >= 1``.
    batch_size : int or None, default None
        ``|B|`` per local step; ``None`` means full local gradients.
    alpha : float, default 0.5
        Relaxation of the z-update, in ``(0, 1)``.
    penalty : {"frozen", "inner"}, default "frozen"
    replace : bool, default True
        Minibatches drawn with replacement.

    References
    ----------
    S. Ren, N. Bastianello, K. H. Johansson, T. Parisini, "Communication-Efficient Stochastic
    Distributed Learning", arXiv 2501.13516 (LT-ADMM, Algorithm 1; the canonical form of SPEC 2.1).
    """

    gamma: float
    beta: float
    rho: float
    tau: int
    batch_size: int | None = None
    alpha: float = 0.5
    penalty: str = "frozen"
    replace: bool = True

    name = "lt-admm"
    parameter_constraints: ClassVar[Constraints] = {

        "gamma": Positive(), "beta": Positive(), "rho": Positive(), "tau": IntegerAtLeast(1),
        "batch_size": OrNone(IntegerAtLeast(1)), "alpha": OpenUnit(), "penalty": OneOf(PENALTIES),
        "replace": Boolean(),
    }
    step_parameters = ("gamma", "beta")
    tuning_ranges: ClassVar[Ranges] = {

        "gamma": Range(1e-2, 100.0), "beta/gamma": Range(1e-3, 10.0), "rho": Range(0.1, 10.0),
        "alpha": Range(0.1, 0.95, "linear"), "tau": Range(1, 10, "integer"),
    }

    # ----------------------------------------------------------------- round structure
    def initialize(self, x0: FloatArray, problem: Problem, backend: Backend, oracle: Oracle) -> State:
        return ADMMState(x=x0.copy(), z=x0[backend.edge_source].copy())

    def _round_table(self, state: ADMMState, oracle: Oracle) -> OracleMemory | None:
        """The SAGA memory the local steps use (``None``: plain stochastic gradients)."""
        return None

    def step(self, state: State, k: int, problem: Problem, backend: Backend, oracle: Oracle) -> State:
        assert isinstance(state, ADMMState)
        x, z = state.x, state.z
        z_sum = backend.edge_sum(z)
        rho_d = self.rho * backend.degrees[:, None].astype(np.float64)
        table = self._round_table(state, oracle)
        if self.penalty == "frozen":
            phi = oracle.local_steps(x, steps=self.tau, k=k, step=self.gamma,
                                     drift=self.beta * (rho_d * x - z_sum), table=table)
        else:
            phi = oracle.local_steps(x, steps=self.tau, k=k, step=self.gamma,
                                     shrink=self.gamma * rho_d, drift=-self.gamma * z_sum, table=table)
        # outgoing_ij = z_ij - 2 rho x_i' and z' = (1 - alpha) z - alpha received, computed with
        # two (2|E|, d) temporaries instead of six (same operations, bit-identical results)
        outgoing = phi[backend.edge_source]
        outgoing *= -2.0 * self.rho
        outgoing += z
        # a lost message holds z_ij: (1 - alpha) z_ij + alpha z_ij (exact for alpha = 1/2); the
        # fallback -z is computed only when a message is lost
        received = backend.exchange(outgoing, fallback=z.__neg__)
        received *= self.alpha
        new_z = (1.0 - self.alpha) * z
        new_z -= received
        state.z = new_z
        state.x = phi
        return state


@dataclass(frozen=True)
class LTADMMVR(LTADMM):
    r"""LT-ADMM-VR: LT-ADMM whose local gradient is a SAGA-type variance-reduced estimate.

    Agent ``i`` stores the gradients ``grad f_{i,h}(r_{i,h})`` of every local sample. At local step
    ``t`` with minibatch ``B``:

    .. math::

        g_i(\phi^t) = \frac{1}{|B|}\sum_{h\in B}\big[\nabla f_{i,h}(\phi^t)
            - \nabla f_{i,h}(r_{i,h})\big] + \frac{1}{m_i}\sum_{h=1}^{m_i}\nabla f_{i,h}(r_{i,h}),

    then ``r_{i,h} <- phi^t`` for ``h in B`` (the gradients just computed are stored: no extra cost).
    The mean of the table is kept up to date incrementally (``O(|B| d)`` per step; an index drawn
    twice in one batch is counted once).

    ``reset=True`` (default; the variant the paper's theorem covers): at the start of every round the
    table is refilled at ``x_{i,k}`` (``m_i`` per-sample gradients per agent per round).
    ``reset=False`` (the "outdated memory" variant, open question O3): filled once at ``x_{i,0}``.

    Parameters are those of :class:`LTADMM` (``batch_size`` defaults to 1 and must be set) plus
    ``reset``.
    """

    batch_size: int | None = 1
    reset: bool = True

    name = "lt-admm-vr"
    parameter_constraints: ClassVar[Constraints] = {

        **LTADMM.parameter_constraints, "batch_size": IntegerAtLeast(1), "reset": Boolean(),
    }

    def initialize(self, x0: FloatArray, problem: Problem, backend: Backend, oracle: Oracle) -> State:
        base = super().initialize(x0, problem, backend, oracle)
        assert isinstance(base, ADMMState)
        table = None if self.reset else oracle.gradient_table(base.x)
        return VRState(x=base.x, z=base.z, table=table)

    def _round_table(self, state: ADMMState, oracle: Oracle) -> OracleMemory | None:
        assert isinstance(state, VRState)
        if self.reset:
            state.table = oracle.gradient_table(state.x, updates=self.tau)
        return state.table
