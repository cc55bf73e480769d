r"""Exact analysis where it applies, simulation elsewhere: the one branch every check goes through.

:func:`measurement` decides, once per check, whether ``(algorithm, problem)`` is measured by the
exact analysis of :mod:`ltadmm_verify.theory.exact` or by simulation, and returns an object with the
same methods either way (exact / simulated):

- :meth:`~Measurement.curves`: the exact expected curve ``E[M_k]`` / one run if the iteration is
  deterministic, else one per seed;
- :meth:`~Measurement.horizon`: long enough for ``M_k`` to fall by a given factor / the rounds asked;
- :meth:`~Measurement.floors`: stationary Lyapunov covariance per value / :func:`~.experiments.floor_sweep`;
- :meth:`~Measurement.fixed_point_metric`: ``M`` at the fixed point of the noise-free map / a
  noise-free run from ``x*`` until it settles;
- :meth:`~Measurement.rate`: squared spectral radius of the round map / geometric fit of ``M_k``;
- :meth:`~Measurement.critical_step`: exact critical step (radius 1) / empirical divergence threshold.

Every call into :mod:`ltadmm_verify.theory.exact` is in this module (:class:`ExactMeasurement` and
:func:`mean_map_radius`); :func:`exact_applies` says which algorithms it describes. Replacing the
exact analysis changes this module only. The exact analysis is that of the round traced from the
algorithm's own code (SPEC 7), so it applies to every algorithm written with the documented
primitives, not only to LT-ADMM.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..algorithms import Algorithm, GaussianNoise
from ..errors import InvalidParameterError
from ..network import Network
from ..problems import Problem
from ..problems.base import FloatArray
from ..theory import exact
from ..theory.calibrate import empirical_critical_step
from ..theory.trace import NonlinearRoundError, TraceTooLargeError
from .experiments import BURN_IN_CAP, BURN_IN_RTOL, MonteCarlo, floor_sweep, replicate, simulate
from .statistics import geometric_rate

METHODS = ("auto", "exact", "simulate")
#: Relative accuracy attributed to exact (linear-algebra) computations: Lyapunov solves, eigenvalues.
NUMERICAL_RTOL = 1e-8
#: Exact floor sweeps toward 0 (sigma^2, gamma) are extended this many factors of 4 below the
#: smallest requested value, so that the limit slope is read where the local slope has settled.
EXACT_EXTENSION = 3
#: Longest exact expected curve (see :meth:`ExactMeasurement.horizon`).
EXACT_MAX_ROUNDS = 200_000
#: Relative accuracy of the exact critical step (bisection on the spectral radius).
EXACT_STEP_RTOL = 1e-6
#: ``M_k`` below this fraction of its peak is treated as converged to machine precision (``M`` is a
#: square, so double precision bottoms out near ``1e-32`` relative; this keeps 12 orders of margin).
PRECISION_FLOOR = 1e-20


def summability_window(values: FloatArray) -> tuple[FloatArray, FloatArray, bool]:
    """Rounds ``k`` and ``M_k`` of the window over which a curve's decay is read.

    Returns ``(k, M_k, reached_precision)``; the window is ``[K_eff / 4, K_eff]`` with ``K_eff`` the
    last round before ``M_k`` first drops below ``PRECISION_FLOOR * max M`` (or the horizon).
    """
    v = np.asarray(values, dtype=np.float64)
    below = np.nonzero(v[1:] <= PRECISION_FLOOR * v.max())[0]
    reached = below.size > 0
    k_eff = int(below[0]) if reached else v.size - 1  # index in v of the last usable round
    k_eff = max(k_eff, 3)
    start = max(1, k_eff // 4)
    k = np.arange(start, k_eff + 1)
    return k.astype(np.float64), np.maximum(v[start:k_eff + 1], np.finfo(float).tiny), reached


def _traced_radius(algorithm: Algorithm, problem: Problem, network: Network) -> float | None:
    """Spectral radius of the traced round map on the quadratic ``problem`` (the map the mean
    iterate follows), or ``None`` when the round cannot be traced (not linear or time-invariant,
    e.g. a diminishing step) or exceeds the dense size limit."""
    if not exact.is_quadratic(problem):
        return None
    try:
        return exact.spectral_radius(algorithm, problem, network)
    except (NonlinearRoundError, TraceTooLargeError):
        return None


def exact_applies(algorithm: Algorithm, problem: Problem, network: Network) -> bool:
    """Whether the exact analysis describes ``algorithm`` on ``problem``: the problem is quadratic,
    the gradients are exact (plus optional Gaussian noise), and the algorithm's round traces into a
    linear, time-invariant map (:mod:`ltadmm_verify.theory.trace`: any algorithm written with the
    documented primitives, a user's subclass or a deliberately broken variant included)."""
    return exact.exact_gradients(algorithm, problem) and _traced_radius(algorithm, problem,
                                                                         network) is not None


def mean_map_radius(algorithm: Algorithm, problem: Problem, network: Network) -> float | None:
    """Spectral radius of the map the *mean* iterate follows (minibatches keep it), when the problem
    is quadratic and the round traces; ``None`` otherwise."""
    return _traced_radius(algorithm, problem, network)


@dataclass(frozen=True)
class Curves:
    """Curves ``M_k``, ``k = 0..K``: one exact expected curve, one deterministic run, or one per seed.

    Attributes
    ----------
    values : list of ndarray
        The curves (a diverged run is padded with ``inf``).
    deterministic : bool
        ``True`` when the curve is exact or the run has no randomness (full gradients, no noise):
        its numbers then carry rounding error only.
    diverged : bool
    method : str
        How the curves were obtained (for the evidence).
    seeds : list of int
        Seeds of the runs (empty for an exact curve).
    """

    values: list[FloatArray]
    deterministic: bool
    diverged: bool
    method: str
    seeds: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class FloorPoints:
    """Noise floors ``B`` along one parameter: per value, one exact floor or one floor per run."""

    parameter: str
    values: FloatArray
    floors: FloatArray  # (P, S): S = 1 for exact floors
    exact: bool
    evidence: dict[str, Any]

    def points(self) -> tuple[FloatArray, FloatArray]:
        """``(x, y)`` per run."""
        return np.repeat(self.values, self.floors.shape[1]), self.floors.ravel()


class Measurement(ABC):
    """What a check can measure on ``(problem, network)``; see the module docstring."""

    exact: bool = False

    def __init__(self, problem: Problem, network: Network, mc: MonteCarlo) -> None:
        self.problem, self.network, self.mc = problem, network, mc

    @abstractmethod
    def curves(self, algorithm: Algorithm, rounds: int, *, sigma2: float = 0.0, x0: Any = None,
               seeds: int | None = None) -> Curves:
        """``M_k`` for ``k = 0..rounds`` (at most ``seeds`` runs when simulated)."""

    @abstractmethod
    def horizon(self, algorithm: Algorithm, rounds: int, fall: float) -> int:
        """Rounds to record so that ``M_k`` can fall by the factor ``fall`` (at least ``rounds``)."""

    @abstractmethod
    def floors(self, algorithm: Algorithm, parameter: str, values: list[float],
               sigma2: float | None) -> FloorPoints:
        """Noise floors along ``parameter`` (``"sigma2"``, ``"gamma"`` or ``"tau"``)."""

    @abstractmethod
    def fixed_point_metric(self, algorithm: Algorithm) -> tuple[float, float, float, dict[str, Any]]:
        """``M`` at the limit of the noise-free iteration: ``(value, half_width, precision, evidence)``."""

    @abstractmethod
    def rate(self, algorithm: Algorithm, x0: Any = None) -> tuple[float, str]:
        """Asymptotic per-round rate of ``M_k`` (1 if ``M_k`` does not tend to 0; inf if diverged)."""

    def critical_step(self, algorithm: Algorithm, rounds: int, rtol: float) -> tuple[float, float, str]:
        """``(gamma_crit, relative_accuracy, how)``: stability threshold of the first step parameter,
        the others scaled with it."""
        return (empirical_critical_step(algorithm, self.problem, self.network, rounds=rounds,
                                        rtol=rtol, x0=np.ones(self.problem.dim),
                                        divergence_factor=1e6, max_step=1e6), rtol,
                f"empirical: largest step without blow-up in {rounds} rounds (bisection, rtol {rtol:g})")


def _swept(algorithm: Algorithm, parameter: str, value: float) -> Algorithm:
    if parameter == "gamma":
        return algorithm.with_step(value)
    if parameter == "tau":
        return algorithm.with_values(tau=int(value))
    return algorithm


class ExactMeasurement(Measurement):
    """Measurements from the exact analysis of :mod:`ltadmm_verify.theory.exact`."""

    exact = True

    def radius(self, algorithm: Algorithm) -> float:
        """Spectral radius of the reduced round map."""
        return exact.spectral_radius(algorithm, self.problem, self.network)

    def curves(self, algorithm: Algorithm, rounds: int, *, sigma2: float = 0.0, x0: Any = None,
               seeds: int | None = None) -> Curves:
        if self.radius(algorithm) >= 1.0:
            return Curves([np.full(rounds + 1, np.inf)], True, True, "exact (radius >= 1)")
        noise = GaussianNoise(sigma2) if sigma2 > 0 else None
        curve = exact.expected_metrics(algorithm, self.problem, self.network, rounds, x0=x0,
                                       noise=noise)["stationarity"]
        return Curves([np.asarray(curve)], True, False, "exact expected curve")

    def horizon(self, algorithm: Algorithm, rounds: int, fall: float) -> int:
        """At the asymptotic rate ``radius^2``, ``M_k`` falls by ``fall`` within the returned rounds
        (at most :data:`EXACT_MAX_ROUNDS`)."""
        radius = self.radius(algorithm)
        if not 0.0 < radius < 1.0:
            return rounds
        need = np.ceil(np.log(fall) / (-2.0 * np.log(radius)))  # radius^(2 k) = 1 / fall
        return int(min(EXACT_MAX_ROUNDS, max(rounds, need)))

    def floors(self, algorithm: Algorithm, parameter: str, values: list[float],
               sigma2: float | None) -> FloorPoints:
        """Exact floors; toward 0 (``sigma2``, ``gamma``) the sweep is first extended
        :data:`EXACT_EXTENSION` factors of 4 below the smallest value (exact floors are cheap)."""
        if parameter != "tau":
            values = sorted({*values, *(min(values) * 4.0**-j for j in range(1, EXACT_EXTENSION + 1))})
        floors = []
        for v in values:
            alg = _swept(algorithm, parameter, float(v))
            level = float(v) if parameter == "sigma2" else float(sigma2 or 0.0)
            if self.radius(alg) >= 1.0:
                floors.append(float("inf"))
                continue
            floors.append(exact.noise_floor(alg, self.problem, self.network,
                                            GaussianNoise(level))["stationarity"])
        evidence = {"method": "exact (stationary Lyapunov covariance)", "values": list(values),
                    "floors": floors, "sigma2": sigma2}
        return FloorPoints(parameter, np.asarray(values, dtype=float),
                           np.asarray(floors, dtype=float)[:, None], True, evidence)

    def fixed_point_metric(self, algorithm: Algorithm) -> tuple[float, float, float, dict[str, Any]]:
        """``M`` at the fixed point of the noise-free map (``inf`` if unstable); precision
        :data:`NUMERICAL_RTOL` times the metric at the start ``x = 0``."""
        if self.radius(algorithm) >= 1.0:
            return float("inf"), 0.0, 0.0, {"method": "exact: radius >= 1"}
        value = exact.noise_floor(algorithm, self.problem, self.network, GaussianNoise(0.0))["stationarity"]
        scale = 1.0 + float(np.sum(self.problem.gradient(np.zeros(self.problem.dim)) ** 2))
        return value, 0.0, NUMERICAL_RTOL * scale, {"method": "exact fixed point", "scale": scale}

    def rate(self, algorithm: Algorithm, x0: Any = None) -> tuple[float, str]:
        radius = self.radius(algorithm)
        if radius < 1.0:
            # the iteration converges to its fixed point; M_k -> 0 only if that point is optimal
            value, _, precision, _ = self.fixed_point_metric(algorithm)
            if value > precision:
                return 1.0, "exact: the fixed point is not optimal (M_k does not tend to 0)"
        return radius**2, "exact (spectral radius^2)"

    def critical_step(self, algorithm: Algorithm, rounds: int, rtol: float) -> tuple[float, float, str]:
        """Exact critical step when the problem has a unique optimum, else the empirical threshold."""
        if self.problem.optimum() is None:
            return super().critical_step(algorithm, rounds, rtol)
        try:
            g = exact.critical_step_size(algorithm, self.problem, self.network, rtol=EXACT_STEP_RTOL)
        except exact.NoStableStepError as error:  # e.g. a broken variant: radius >= 1 at every step
            g, acc, how = super().critical_step(algorithm, rounds, rtol)
            return g, acc, f"{how}; the exact map has no critical step ({error})"
        return g, EXACT_STEP_RTOL, "exact critical step (spectral radius of the round map = 1)"


class SimulatedMeasurement(Measurement):
    """Measurements from runs of :func:`ltadmm_verify.run` (seeds from ``mc``)."""

    exact = False

    def curves(self, algorithm: Algorithm, rounds: int, *, sigma2: float = 0.0, x0: Any = None,
               seeds: int | None = None) -> Curves:
        """One run when the iteration is deterministic (full gradients, no noise), else
        ``min(seeds, mc.seeds)`` runs with the seeds of configuration 0."""
        if algorithm.batch_size_or_none is None and sigma2 == 0.0:
            trace = simulate(algorithm, self.problem, self.network, rounds, self.mc.seed(0, 0), x0=x0)
            traces = [trace]
            method = "simulation of the deterministic iteration (full gradients, no noise)"
        else:
            mc = self.mc if seeds is None else dataclasses.replace(
                self.mc, seeds=max(2, min(seeds, self.mc.seeds)))
            traces = replicate(algorithm, self.problem, self.network, mc, sigma2=sigma2,
                               rounds=rounds, x0=x0)
            method = f"simulation, {len(traces)} seeds"
        values = []
        for t in traces:
            padded = np.full(rounds + 1, np.inf)
            padded[: t.values.size] = t.values
            values.append(padded if t.diverged else t.values)
        return Curves(values, len(traces) == 1, any(t.diverged for t in traces), method,
                      [t.seed for t in traces])

    def horizon(self, algorithm: Algorithm, rounds: int, fall: float) -> int:
        return rounds

    def floors(self, algorithm: Algorithm, parameter: str, values: list[float],
               sigma2: float | None) -> FloorPoints:
        sweep = floor_sweep(algorithm, self.problem, self.network, parameter, values, self.mc, sigma2)
        return floor_points(sweep, self.mc)

    def fixed_point_metric(self, algorithm: Algorithm) -> tuple[float, float, float, dict[str, Any]]:
        r"""Noise-free run from ``x*`` (from 0 if unknown) for ``BURN_IN_CAP * mc.rounds`` rounds.

        The limit is the mean of the last tenth; the run has settled when every value of its last
        half is within ``BURN_IN_RTOL`` of its peak from that limit (the precision). If it has not,
        the largest distance of the last half from the limit is the half-width.
        """
        x0 = "optimum" if self.problem.optimum() is not None else None
        rounds = BURN_IN_CAP * self.mc.rounds
        trace = simulate(algorithm, self.problem, self.network, rounds, seed=0, x0=x0)
        if trace.diverged:
            return float("inf"), 0.0, 0.0, {"method": "noise-free run diverged"}
        m = trace.values
        limit = float(m[-max(1, m.size // 10):].mean())
        spread = float(np.abs(m[m.size // 2:] - limit).max())
        precision = BURN_IN_RTOL * float(m.max())
        settled = spread <= precision
        evidence = {"method": f"noise-free run of {rounds} rounds from {x0 or 'x = 0'}",
                    "settled": settled, "peak": float(m.max()), "spread_last_half": spread}
        return limit, 0.0 if settled else spread, precision, evidence

    def rate(self, algorithm: Algorithm, x0: Any = None) -> tuple[float, str]:
        """Mean over the curves of the geometric rate fitted over the summability window."""
        curves = self.curves(algorithm, self.mc.rounds, x0=x0)
        if curves.diverged:
            return float("inf"), "diverged"
        rates = [geometric_rate(*summability_window(c)[:2], self.mc.confidence)[0].value
                 for c in curves.values]
        return float(np.mean(rates)), "geometric fit of simulated M_k"


def floor_points(sweep: Any, mc: MonteCarlo) -> FloorPoints:
    """A simulated :class:`~.experiments.FloorSweep` as :class:`FloorPoints`."""
    evidence = {"method": f"simulation, {mc.seeds} seeds per value, mean after the burn-in",
                **sweep.evidence()}
    return FloorPoints(sweep.parameter, sweep.values, sweep.floors, False, evidence)


def measurement(algorithm: Algorithm, problem: Problem, network: Network, *, method: str = "auto",
                mc: MonteCarlo | None = None) -> Measurement:
    """The one branch: exact analysis if it applies (``method="auto"``), else simulation.

    ``method="exact"`` raises if the exact analysis does not apply; ``"simulate"`` always simulates.
    """
    if method not in METHODS:
        raise InvalidParameterError(f"method must be one of {list(METHODS)}, got {method!r}")
    possible = exact_applies(algorithm, problem, network)
    if method == "exact" and not possible:
        raise InvalidParameterError(
            "method='exact' needs a traceable algorithm (linear, time-invariant round) with exact "
            f"gradients on a quadratic problem, got {type(algorithm).__name__} on "
            f"{type(problem).__name__}"
        )
    cls = ExactMeasurement if possible and method != "simulate" else SimulatedMeasurement
    return cls(problem, network, mc or MonteCarlo())


__all__ = [
    "EXACT_EXTENSION",
    "EXACT_MAX_ROUNDS",
    "METHODS",
    "NUMERICAL_RTOL",
    "PRECISION_FLOOR",
    "Curves",
    "ExactMeasurement",
    "FloorPoints",
    "Measurement",
    "SimulatedMeasurement",
    "exact_applies",
    "floor_points",
    "mean_map_radius",
    "measurement",
    "summability_window",
]
