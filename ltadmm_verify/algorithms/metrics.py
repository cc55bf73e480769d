"""Metrics recorded along a run, computed outside the algorithms from the agents' models.

With ``x_bar = (1/N) sum_i x_i`` (SPEC section 4):

- ``grad_norm_sq``  = ``||grad F(x_bar)||^2`` (``F = sum_i f_i``);
- ``consensus``     = ``(1/N) sum_i ||x_i - x_bar||^2``;
- ``stationarity``  = ``grad_norm_sq + consensus`` (the measure ``M_k`` of the theorems);
- ``objective``     = ``F(x_bar)``;
- ``opt_gap``       = ``F(x_bar) - F*`` and ``dist_sq`` = ``||x_bar - x*||^2`` when ``x*`` is known.
"""

from __future__ import annotations

import numpy as np

from ..problems.base import FloatArray, Problem

BASE_METRICS = ("grad_norm_sq", "consensus", "stationarity", "objective")
OPTIMUM_METRICS = ("opt_gap", "dist_sq")


class MetricRecorder:
    """Evaluate the metrics of a full state ``X`` ``(N, d)`` for a problem."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.x_star = problem.optimum()
        self.f_star = None if self.x_star is None else problem.objective(self.x_star)

    @property
    def names(self) -> tuple[str, ...]:
        """The metric names this recorder produces."""
        return BASE_METRICS + (OPTIMUM_METRICS if self.x_star is not None else ())

    def __call__(self, X: FloatArray) -> dict[str, float]:
        x_bar = X.mean(axis=0)
        grad = self.problem.gradient(x_bar)
        grad_norm_sq = float(grad @ grad)
        consensus = float(((X - x_bar) ** 2).sum(axis=1).mean())
        objective = self.problem.objective(x_bar)
        out = {
            "grad_norm_sq": grad_norm_sq,
            "consensus": consensus,
            "stationarity": grad_norm_sq + consensus,
            "objective": objective,
        }
        if self.x_star is not None and self.f_star is not None:
            out["opt_gap"] = objective - self.f_star
            out["dist_sq"] = float(((x_bar - self.x_star) ** 2).sum())
        return out


def nan_metrics(names: tuple[str, ...]) -> dict[str, float]:
    """Metrics of a state that is no longer finite."""
    return dict.fromkeys(names, np.nan)
