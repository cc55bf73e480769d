r"""Baselines of the paper's comparison (SPEC 2.5): local DSGD, LED, K-GT and exact distributed ADMM.

Every baseline follows the interface of :class:`~ltadmm_verify.algorithms.base.Algorithm` and talks
to the other agents only through the backend (``mix``, ``exchange``, ``edge_sum``), so it runs
unchanged on the simulator and on MPI ranks. ``W`` is the Metropolis-Hastings matrix
``w_ij = 1 / (1 + max(d_i, d_j))``, ``w_ii = 1 - sum_j w_ij`` (``Backend.mix``).

Accounting (the conventions of :mod:`ltadmm_verify.algorithms.run`): the oracle counts per-sample
gradient evaluations; the backend counts vectors sent over edges, ``2|E|`` per ``mix`` (one broadcast
per agent, received by each neighbour) and ``2|E|`` per ``exchange``. Per round and network-wide:

=============  ===================================  ====================
algorithm      per-sample gradients                 vectors sent
=============  ===================================  ====================
LocalDSGD      ``tau |B| N``                        ``2|E|`` (one mix)
LED            ``tau |B| N``                        ``2|E|`` (one mix)
KGT            ``tau |B| N``                        ``4|E|`` (two mixes)
ExactADMM      0 (closed form) or                   ``2|E|`` (one exchange)
               ``inner_steps sum_i m_i``
=============  ===================================  ====================

(``|B|`` is replaced by ``m_i`` when ``batch_size=None``.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..backends.base import Backend
from ..problems.base import FloatArray, Problem
from .base import Algorithm, State
from .ltadmm import ADMMState
from .oracles import Oracle
from .parameters import Constraints, IntegerAtLeast, OpenUnit, OrNone, Positive, Range, Ranges

#: constraints shared by the local-training baselines
_TAU = IntegerAtLeast(1)
_BATCH = OrNone(IntegerAtLeast(1))


@dataclass
class LEDState(State):
    """``x`` ``(n_local, d)`` and the dual-like correction ``y`` ``(n_local, d)``."""

    y: FloatArray


@dataclass
class KGTState(State):
    """``x`` ``(n_local, d)`` and the tracking correction ``c`` ``(n_local, d)``."""

    c: FloatArray


@dataclass(frozen=True)
class LocalDSGD(Algorithm):
    r"""Decentralised SGD with ``tau`` local steps between gossip averages (local DSGD).

    Round ``k``, every agent ``i`` in parallel:

    .. math::

        \phi_i^0 = x_{i,k},\qquad \phi_i^{t+1} = \phi_i^t - \gamma\, g_i(\phi_i^t),\ t < \tau,
        \qquad x_{i,k+1} = \textstyle\sum_j w_{ij}\, \phi_j^{\tau}.

    Not exact: with heterogeneous data and ``tau > 1`` (or ``gamma`` fixed) its fixed point is
    biased away from the minimiser of ``F`` ("client drift").

    Parameters
    ----------
    gamma : float
        Local step size ``> 0``.
    tau : int
        Local steps per round, ``>= 1``.
    batch_size : int or None, default None
        ``|B|``; ``None`` means full local gradients.

    References
    ----------
    A. Koloskova, N. Loizou, S. Boreiri, M. Jaggi, S. Stich, "A Unified Theory of Decentralized SGD
    with Changing Topology and Local Updates", ICML 2020 (the local-update form of SPEC 2.5).
    """

    gamma: float
    tau: int
    batch_size: int | None = None

    name = "local-dsgd"
    parameter_constraints: ClassVar[Constraints] = {
        "gamma": Positive(), "tau": _TAU, "batch_size": _BATCH}
    step_parameters = ("gamma",)
    tuning_ranges: ClassVar[Ranges] = {
        "gamma": Range(1e-2, 100.0), "tau": Range(1, 10, "integer")}

    def initialize(self, x0: FloatArray, problem: Problem, backend: Backend, oracle: Oracle) -> State:
        return State(x=x0.copy())

    def step(self, state: State, k: int, problem: Problem, backend: Backend, oracle: Oracle) -> State:
        phi = oracle.local_steps(state.x, steps=self.tau, k=k, step=self.gamma)
        state.x = backend.mix(phi)
        return state


@dataclass(frozen=True)
class LED(Algorithm):
    r"""Local Exact-Diffusion (LED).

    Round ``k``, every agent ``i`` in parallel, with ``y_{i,0} = 0``:

    .. math::

        \phi_i^0 &= x_{i,k},\qquad
        \phi_i^{t+1} = \phi_i^t - \gamma\, g_i(\phi_i^t) - \beta\, y_{i,k},\ t < \tau\\
        x_{i,k+1} &= \textstyle\sum_j w_{ij}\, \phi_j^{\tau}\\
        y_{i,k+1} &= y_{i,k} + \phi_i^{\tau} - x_{i,k+1}

    One broadcast vector (``phi_i^tau``) per agent per round. Since ``W`` is doubly stochastic,
    ``sum_i y_i`` stays 0; at a fixed point the agents agree and (full gradients)
    ``gamma grad f_i(x*) = -beta y_i``, hence ``sum_i grad f_i(x*) = 0``: LED is exact.

    Parameters
    ----------
    gamma : float
        Local gradient step size (``alpha`` in the paper), ``> 0``.
    beta : float
        Step size of the correction (``beta`` in the paper), ``> 0``.
    tau : int
        Local steps per round, ``>= 1``.
    batch_size : int or None, default None

    Notes
    -----
    ``W`` is the Metropolis-Hastings matrix of SPEC 2.5 (symmetric, doubly stochastic; its
    eigenvalues may be negative). Conditions on ``W`` beyond these that the paper's analysis may
    impose are not enforced. ``y_0 = 0``.

    References
    ----------
    S. A. Alghunaim, "Local Exact-Diffusion for Decentralized Optimization and Learning", IEEE
    Transactions on Automatic Control, 2024 (arXiv 2302.00620), Algorithm 1.
    """

    gamma: float
    beta: float
    tau: int
    batch_size: int | None = None

    name = "led"
    parameter_constraints: ClassVar[Constraints] = {
        "gamma": Positive(), "beta": Positive(), "tau": _TAU, "batch_size": _BATCH}
    step_parameters = ("gamma", "beta")
    tuning_ranges: ClassVar[Ranges] = {
        "gamma": Range(1e-2, 100.0), "beta/gamma": Range(0.1, 10.0), "tau": Range(1, 10, "integer")}

    def initialize(self, x0: FloatArray, problem: Problem, backend: Backend, oracle: Oracle) -> State:
        return LEDState(x=x0.copy(), y=np.zeros_like(x0))

    def step(self, state: State, k: int, problem: Problem, backend: Backend, oracle: Oracle) -> State:
        assert isinstance(state, LEDState)
        phi = oracle.local_steps(state.x, steps=self.tau, k=k, step=self.gamma,
                                 drift=self.beta * state.y)
        state.x = backend.mix(phi)
        state.y = state.y + phi - state.x
        return state


@dataclass(frozen=True)
class KGT(Algorithm):
    r"""K-GT: decentralised gradient tracking with ``tau`` local steps.

    Round ``k``, every agent ``i`` in parallel, with ``c_{i,0} = 0``:

    .. math::

        \phi_i^0 &= x_{i,k},\qquad
        \phi_i^{t+1} = \phi_i^t - \eta_c\,\big(g_i(\phi_i^t) + c_{i,k}\big),\ t < \tau\\
        \Delta_i &= (x_{i,k} - \phi_i^{\tau}) / (\tau \eta_c)\\
        x_{i,k+1} &= \textstyle\sum_j w_{ij}\,(x_{j,k} - \tau \eta_c \eta_s \Delta_j)\\
        c_{i,k+1} &= c_{i,k} - \Delta_i + \textstyle\sum_j w_{ij} \Delta_j

    Two broadcast vectors per agent per round (``x_j - tau eta_c eta_s Delta_j`` and ``Delta_j``:
    two ``mix`` calls). ``sum_i c_i`` stays 0, and at a fixed point ``Delta_i`` is the same for all
    agents and 0, so (full gradients) ``grad f_i(x*) = -c_i`` and ``sum_i grad f_i(x*) = 0``: exact.

    Parameters
    ----------
    eta_c : float
        Local ("client") step size, ``> 0``.
    eta_s : float
        Outer ("server") step size, ``> 0`` (``eta_s = 1`` mixes the local iterates ``phi^tau``).
    tau : int
        Local steps per round, ``>= 1``.
    batch_size : int or None, default None

    Notes
    -----
    The authors' code mixes ``x_j`` and ``Delta_j`` separately and forms
    ``W x - tau eta_c eta_s W Delta``; that is the same vector (one fewer subtraction here) and the
    same two broadcasts. The correction starts at ``c_0 = 0`` (SPEC 2.5, and the authors' public code).

    References
    ----------
    Y. Liu, T. Lin, A. Koloskova, S. U. Stich, "Decentralized Gradient Tracking with Local Steps",
    Optimization Methods and Software, 2024, Algorithm 1 (K-GT).
    """

    eta_c: float
    eta_s: float
    tau: int
    batch_size: int | None = None

    name = "k-gt"
    parameter_constraints: ClassVar[Constraints] = {
        "eta_c": Positive(), "eta_s": Positive(), "tau": _TAU, "batch_size": _BATCH}
    step_parameters = ("eta_c",)
    tuning_ranges: ClassVar[Ranges] = {
        "eta_c": Range(1e-2, 100.0), "eta_s": Range(0.1, 10.0), "tau": Range(1, 10, "integer")}

    def initialize(self, x0: FloatArray, problem: Problem, backend: Backend, oracle: Oracle) -> State:
        return KGTState(x=x0.copy(), c=np.zeros_like(x0))

    def step(self, state: State, k: int, problem: Problem, backend: Backend, oracle: Oracle) -> State:
        assert isinstance(state, KGTState)
        x, c = state.x, state.c
        phi = oracle.local_steps(x, steps=self.tau, k=k, step=self.eta_c, drift=self.eta_c * c)
        delta = (x - phi) / (self.tau * self.eta_c)
        state.x = backend.mix(x - self.tau * self.eta_c * self.eta_s * delta)
        state.c = c - delta + backend.mix(delta)
        return state


@dataclass(frozen=True)
class ExactADMM(Algorithm):
    r"""Distributed ADMM with exact local minimisation (the ``tau -> infinity`` limit of LT-ADMM).

    Round ``k``, every agent ``i`` in parallel, with ``z_{ij,0} = x_{i,0}``:

    .. math::

        x_{i,k+1} &= \arg\min_x\ f_i(x) + \tfrac{\rho d_i}{2}\|x\|^2
                     - \big\langle x, \textstyle\sum_{j\in N_i} z_{ij,k}\big\rangle\\
        z_{ij,k+1} &= (1-\alpha) z_{ij,k} - \alpha (z_{ji,k} - 2\rho x_{j,k+1})

    (the z-update of LT-ADMM; one vector per directed edge per round, via ``exchange``; a lost
    message holds ``z_ij``, as in LT-ADMM).

    Local solve: the oracle's ``local_solve`` with ``r_i = rho d_i`` and ``v_i = sum_j z_ij``:

    - problems with ``quadratic_form()`` (``f_i = x^T H_i x / 2 - h_i^T x + const``: least squares,
      :class:`~ltadmm_verify.problems.Quadratic`): closed form
      ``x_i = (H_i + rho d_i I)^{-1} (h_i + sum_j z_ij)`` with the inverses computed once. No
      gradient is evaluated, so ``grad_evals`` stays 0; additive gradient noise is not applied.
    - any other problem: ``inner_steps`` gradient steps on the local subproblem,
      ``phi <- phi - s_i (g_i(phi) + rho d_i phi - sum_j z_ij)`` from ``phi = x_{i,k}``,
      with ``s_i = 1 / (L_i + rho d_i)`` (``L_i`` the certified per-agent constant). Each step costs
      ``m_i`` per-sample gradients (counted). The minimisation is then approximate: for a
      ``mu_i``-strongly convex ``f_i`` the error contracts by ``1 - (mu_i + rho d_i)/(L_i + rho d_i)``
      per inner step. It is the inner-penalty variant of LT-ADMM with ``tau = inner_steps``.
      The theory layer analyses the exact minimisation (SPEC 7: an implicit step).

    Parameters
    ----------
    rho : float
        ADMM penalty ``> 0``.
    alpha : float, default 0.5
        Relaxation of the z-update, in ``(0, 1)``.
    inner_steps : int, default 50
        Inner gradient steps when no closed form exists.

    References
    ----------
    N. Bastianello, R. Carli, L. Schenato, M. Todescato, "Asynchronous Distributed Optimization over
    Lossy Networks via Relaxed ADMM: Stability and Linear Convergence", IEEE TAC 2021 (the
    edge-variable form used by LT-ADMM); SPEC 2.5.
    """

    rho: float
    alpha: float = 0.5
    inner_steps: int = 50

    name = "exact-admm"
    parameter_constraints: ClassVar[Constraints] = {
        "rho": Positive(), "alpha": OpenUnit(), "inner_steps": IntegerAtLeast(1)}
    tuning_ranges: ClassVar[Ranges] = {
        "rho": Range(0.1, 10.0), "alpha": Range(0.1, 0.9, "linear")}

    def initialize(self, x0: FloatArray, problem: Problem, backend: Backend, oracle: Oracle) -> State:
        return ADMMState(x=x0.copy(), z=x0[backend.edge_source].copy())

    def step(self, state: State, k: int, problem: Problem, backend: Backend, oracle: Oracle) -> State:
        assert isinstance(state, ADMMState)
        z = state.z
        z_sum = backend.edge_sum(z)
        rho_d = self.rho * backend.degrees[:, None].astype(np.float64)
        x = oracle.local_solve(z_sum, rho_d, state.x, k, self.inner_steps)
        state.z = (1.0 - self.alpha) * z - self.alpha * backend.exchange(
            z - 2.0 * self.rho * x[backend.edge_source], fallback=z.__neg__
        )
        state.x = x
        return state
