"""Smoothness constants: certified bounds, power-iteration estimates and secant lower bounds.

Three numbers for each level (per sample ``f_{i,h}``, per agent ``f_i``, global ``F = sum_i f_i``):

- **certified**: the problem's closed form or proven bound (an upper bound on ``L``);
- **power iteration**: ``max |lambda(Hessian)|`` at sampled points, with Hessian-vector products by
  central differences of the gradient (an estimate, neither upper nor lower bound in general);
- **secant lower bound**: ``max ||grad f(x) - grad f(y)|| / ||x - y||`` over sampled pairs, a true
  lower bound on ``L``.

For a correct certificate, ``secant <= certified`` always, and ``power <= certified`` up to the
finite-difference error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import integer_at_least, positive_float
from .problems.base import FloatArray, Problem, SmoothnessConstants


@dataclass(frozen=True)
class SmoothnessEstimate:
    """Smoothness constants of a problem, each labelled with how it was obtained."""

    certified: SmoothnessConstants
    power_per_agent: FloatArray
    power_global: float
    secant_per_sample: float
    secant_per_agent: FloatArray
    secant_global: float
    n_points: int
    seed: int

    def rows(self) -> list[dict[str, object]]:
        """One row per (level, method) for tables and JSON."""
        c = self.certified
        return [
            {"level": "per sample", "method": "certified", "value": c.per_sample, "how": c.how},
            {"level": "per sample", "method": "secant lower bound", "value": self.secant_per_sample,
             "how": f"max over {self.n_points} random point pairs (seed {self.seed})"},
            {"level": "per agent (max)", "method": "certified", "value": float(c.per_agent.max()),
             "how": c.how},
            {"level": "per agent (max)", "method": "power iteration",
             "value": float(self.power_per_agent.max()),
             "how": f"Hessian-vector products by central differences at {self.n_points} points"},
            {"level": "per agent (max)", "method": "secant lower bound",
             "value": float(self.secant_per_agent.max()),
             "how": f"max over {self.n_points} random point pairs"},
            {"level": "global F", "method": "certified", "value": c.global_, "how": c.how},
            {"level": "global F", "method": "power iteration", "value": self.power_global,
             "how": f"Hessian-vector products by central differences at {self.n_points} points"},
            {"level": "global F", "method": "secant lower bound", "value": self.secant_global,
             "how": f"max over {self.n_points} random point pairs"},
        ]


def _power_iteration(
    grad: Callable[[FloatArray], FloatArray], X: FloatArray, rng: np.random.Generator, iterations: int
) -> FloatArray:
    """Largest ``|lambda|`` of the Hessian of each row's function at the rows of ``X``."""
    v = rng.standard_normal(X.shape)
    v /= np.linalg.norm(v, axis=-1, keepdims=True)
    step = 1e-5 * (1.0 + np.linalg.norm(X, axis=-1, keepdims=True))
    estimate = np.zeros(X.shape[0])
    for _ in range(iterations):
        hv = (grad(X + step * v) - grad(X - step * v)) / (2 * step)
        estimate = np.linalg.norm(hv, axis=-1)
        v = hv / np.maximum(estimate[:, None], 1e-300)
    return estimate


def _global_gradient(problem: Problem) -> Callable[[FloatArray], FloatArray]:
    """``grad F`` as a function of a one-row state ``(1, d)``."""
    return lambda Z: problem.gradient(Z[0])[None, :]


def estimate_smoothness(
    problem: Problem,
    *,
    n_points: int = 8,
    radius: float = 1.0,
    iterations: int = 30,
    seed: int = 0,
) -> SmoothnessEstimate:
    """Certified, estimated and lower-bound smoothness constants of ``problem``.

    Points are drawn as ``c + radius * N(0, I)`` with ``c = x*`` when known, else 0.

    Parameters
    ----------
    problem : Problem
    n_points : int
        Number of random points (and point pairs for the secants).
    radius : float
        Spread of the random points.
    iterations : int
        Power iterations per point.
    seed : int
    """
    n_points = integer_at_least("n_points", n_points, 1)
    radius = positive_float("radius", radius)
    iterations = integer_at_least("iterations", iterations, 1)
    rng = np.random.default_rng(seed)
    n, d = problem.n_agents, problem.dim
    x_star = problem.optimum()
    center = np.zeros(d) if x_star is None else x_star
    power_agent = np.zeros(n)
    power_global = 0.0
    sec_sample = 0.0
    sec_agent = np.zeros(n)
    sec_global = 0.0
    for _ in range(n_points):
        X = center + radius * rng.standard_normal((n, d))
        Y = center + radius * rng.standard_normal((n, d))
        power_agent = np.maximum(
            power_agent, _power_iteration(problem.local_gradients, X, rng, iterations)
        )
        power_global = max(
            power_global,
            float(_power_iteration(_global_gradient(problem), X[:1], rng, iterations)[0]),
        )
        gap = np.linalg.norm(X - Y, axis=1)
        diff = problem.all_sample_gradients(X) - problem.all_sample_gradients(Y)
        sec_sample = max(sec_sample, float((np.linalg.norm(diff, axis=2) / gap[:, None]).max()))
        local = problem.local_gradients(X) - problem.local_gradients(Y)
        sec_agent = np.maximum(sec_agent, np.linalg.norm(local, axis=1) / gap)
        total = problem.gradient(X[0]) - problem.gradient(Y[0])
        sec_global = max(sec_global, float(np.linalg.norm(total) / np.linalg.norm(X[0] - Y[0])))
    return SmoothnessEstimate(
        certified=problem.smoothness(),
        power_per_agent=power_agent,
        power_global=power_global,
        secant_per_sample=sec_sample,
        secant_per_agent=sec_agent,
        secant_global=sec_global,
        n_points=n_points,
        seed=seed,
    )
