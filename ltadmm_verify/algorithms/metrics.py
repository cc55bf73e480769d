"""Metrics recorded along a run, computed outside the algorithms from the agents' models.

With ``x_bar = (1/N) sum_i x_i`` (SPEC section 4):

- ``grad_norm_sq``  = ``||grad F(x_bar)||^2`` (``F = sum_i f_i``);
- ``consensus``     = ``(1/N) sum_i ||x_i - x_bar||^2``;
- ``stationarity``  = ``grad_norm_sq + consensus`` (the measure ``M_k`` of the theorems);
- ``objective``     = ``F(x_bar)``;
- ``opt_gap``       = ``F(x_bar) - F*`` and ``dist_sq`` = ``||x_bar - x*||^2`` when ``x*`` is known.

The metrics of ``R`` states (the replicas of a run) are evaluated at once, every state by the same
operations as a single one (:meth:`MetricRecorder.batch`): a run of replicas records, for each
replica, the numbers a single run records.
"""

from __future__ import annotations

import numpy as np

from ..problems.base import FloatArray, Problem

BASE_METRICS = ("grad_norm_sq", "consensus", "stationarity", "objective")
OPTIMUM_METRICS = ("opt_gap", "dist_sq")


class MetricRecorder:
    """Evaluate the metrics of full states ``X`` ``(N, d)`` (or ``(R, N, d)``) for a problem."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.x_star = problem.optimum()
        self.f_star = None if self.x_star is None else problem.objective(self.x_star)
        self._copies: dict[int, Problem] = {1: problem}

    @property
    def names(self) -> tuple[str, ...]:
        """The metric names this recorder produces."""
        return BASE_METRICS + (OPTIMUM_METRICS if self.x_star is not None else ())

    def _replicated(self, replicas: int) -> Problem:
        """The problem with ``replicas`` copies of its agents, copy-major (row ``r N + i``)."""
        if replicas not in self._copies:
            n = self.problem.n_agents
            self._copies[replicas] = self.problem.restrict(np.tile(np.arange(n), replicas))
        return self._copies[replicas]

    def batch(self, X: FloatArray) -> dict[str, FloatArray]:
        """The metrics of ``R`` states ``X`` ``(R, N, d)``: one array ``(R,)`` per metric.

        ``grad F(x_bar_r)`` and ``F(x_bar_r)`` are the sums over the agents of the local gradients
        and values at ``x_bar_r``, evaluated for all ``r`` in one call on ``R`` copies of the agents.
        """
        X = np.ascontiguousarray(X, dtype=np.float64)
        replicas, n, d = X.shape
        x_bar = X.mean(axis=1)
        at_mean = np.repeat(x_bar, n, axis=0)
        copies = self._replicated(replicas)
        grad = copies.local_gradients(at_mean).reshape(replicas, n, d).sum(axis=1)
        grad_norm_sq = np.einsum("rd,rd->r", grad, grad)
        consensus = ((X - x_bar[:, None, :]) ** 2).sum(axis=2).mean(axis=1)
        objective = copies.local_values(at_mean).reshape(replicas, n).sum(axis=1)
        out = {
            "grad_norm_sq": grad_norm_sq,
            "consensus": consensus,
            "stationarity": grad_norm_sq + consensus,
            "objective": objective,
        }
        if self.x_star is not None and self.f_star is not None:
            out["opt_gap"] = objective - self.f_star
            out["dist_sq"] = ((x_bar - self.x_star) ** 2).sum(axis=1)
        return out

    def __call__(self, X: FloatArray) -> dict[str, float]:
        """The metrics of one state ``X`` ``(N, d)``."""
        return {name: float(values[0]) for name, values in self.batch(np.asarray(X)[None]).items()}
