"""Monte Carlo experiments the claim checks are built on: repeated runs, floors and sweeps.

A *trace* is the curve ``M_k`` (``stationarity`` of :mod:`ltadmm_verify.algorithms.metrics`) of one
run, recorded every round. Seeds are independent across the points of a sweep (point ``i``, replicate
``s`` uses seed ``base_seed + i * seeds + s``), so ordinary least squares over the per-run values
has a valid confidence interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from .._validation import choice, integer_at_least, positive_float
from ..algorithms import Algorithm, GaussianNoise
from ..algorithms.run import replica_loop
from ..jobs import map_jobs
from ..network import Network
from ..problems import Problem
from ..problems.base import FloatArray
from .statistics import Estimate, tail_floor

SWEEP_PARAMETERS = ("sigma2", "gamma", "tau")
METRIC = "stationarity"
#: Relative accuracy to which the noise-free transient must have settled before a floor is measured.
BURN_IN_RTOL = 1e-9
#: A burn-in is at most this many times the measuring window.
BURN_IN_CAP = 4


@dataclass(frozen=True)
class MonteCarlo:
    """How much simulation a check does.

    Attributes
    ----------
    seeds : int
        Independent replicates per configuration.
    rounds : int
        Communication rounds ``K`` of each run (a check may scale it, e.g. with ``1/gamma``).
    base_seed : int
        First seed; replicate ``s`` of configuration ``i`` uses ``base_seed + i * seeds + s``.
    confidence : float
        Level of every confidence interval.
    """

    seeds: int = 4
    rounds: int = 400
    base_seed: int = 0
    confidence: float = 0.95

    def __post_init__(self) -> None:
        object.__setattr__(self, "seeds", integer_at_least("seeds", self.seeds, 2))
        object.__setattr__(self, "rounds", integer_at_least("rounds", self.rounds, 20))
        object.__setattr__(self, "base_seed", integer_at_least("base_seed", self.base_seed, 0))

    def seed(self, config: int, replicate: int) -> int:
        """Seed of replicate ``replicate`` of configuration ``config``."""
        return self.base_seed + config * self.seeds + replicate


@dataclass(frozen=True)
class Trace:
    """``M_k`` for ``k = 0..K`` of one run (shorter when the run diverged)."""

    values: FloatArray
    diverged_at: int | None
    seed: int

    @property
    def diverged(self) -> bool:
        """Whether the run stopped as diverged."""
        return self.diverged_at is not None

    def floor(self, start: int, n_batches: int = 10, confidence: float = 0.95) -> Estimate:
        """Mean of ``M_k`` for ``k > start`` with a batch-means interval
        (:func:`~ltadmm_verify.verify.statistics.tail_floor`); ``inf`` if diverged."""
        if self.diverged:
            return Estimate(float("inf"), float("inf"), 0, confidence)
        return tail_floor(self.values[start + 1:], 1.0, n_batches, confidence)


def simulate_seeds(
    algorithm: Algorithm,
    problem: Problem,
    network: Network,
    rounds: int,
    seeds: Sequence[int],
    sigma2: float = 0.0,
    x0: Any = None,
) -> list[Trace]:
    """One run per seed, recorded every round, all seeds in one run of replicas.

    ``x0="optimum"`` starts every agent at ``x*`` (when known). The runs are those of the run loop
    without the pre-run step-size check: the checks run outside the admissible region on purpose
    (divergence is an outcome to measure, not an input error). Trace ``r`` equals the trace of a
    run with seed ``seeds[r]`` bit for bit (:func:`ltadmm_verify.run_replicas`).
    """
    if isinstance(x0, str) and x0 == "optimum":
        x0 = problem.optimum()
    noise = GaussianNoise(sigma2) if sigma2 > 0 else None
    results = replica_loop(algorithm, problem, network, rounds, seeds, x0=x0, noise=noise)
    return [Trace(np.asarray(result.history[METRIC], dtype=np.float64), result.diverged_at, seed)
            for result, seed in zip(results, seeds, strict=True)]


def simulate(
    algorithm: Algorithm,
    problem: Problem,
    network: Network,
    rounds: int,
    seed: int,
    sigma2: float = 0.0,
    x0: Any = None,
) -> Trace:
    """One run recorded every round (:func:`simulate_seeds` with one seed)."""
    return simulate_seeds(algorithm, problem, network, rounds, [seed], sigma2, x0)[0]


def replicate(
    algorithm: Algorithm,
    problem: Problem,
    network: Network,
    mc: MonteCarlo,
    config: int = 0,
    sigma2: float = 0.0,
    rounds: int | None = None,
    x0: Any = None,
) -> list[Trace]:
    """``mc.seeds`` independent runs of one configuration (one run of replicas)."""
    k = mc.rounds if rounds is None else rounds
    return simulate_seeds(algorithm, problem, network, k,
                          [mc.seed(config, s) for s in range(mc.seeds)], sigma2, x0)


@dataclass(frozen=True)
class FloorSweep:
    """Noise floors ``B`` (mean of ``M_k`` after the burn-in of each run) along one parameter.

    Attributes
    ----------
    parameter : {"sigma2", "gamma", "tau"}
    values : ndarray, shape (P,)
    floors : ndarray, shape (P, S)
        Per-run means after the burn-in (``inf`` for a diverged run).
    run_half_widths : ndarray, shape (P, S)
        Batch-means confidence half-width of each run's floor (its own Monte Carlo error).
    rounds : list of int
        Rounds of the runs at each value (burn-in included).
    burn_in : list of int
        Rounds discarded at each value (:func:`burn_in`).
    seeds : ndarray of int, shape (P, S)
    sigma2 : float or None
        Fixed noise level (``None`` when ``parameter == "sigma2"``).
    algorithm : dict
        Parameters of the algorithm the sweep started from.
    """

    parameter: str
    values: FloatArray
    floors: FloatArray
    run_half_widths: FloatArray
    rounds: list[int]
    burn_in: list[int]
    seeds: np.ndarray
    sigma2: float | None
    algorithm: dict[str, Any] = field(default_factory=dict)

    def points(self) -> tuple[FloatArray, FloatArray]:
        """``(x, y)`` per run: the parameter value and the run's floor."""
        x = np.repeat(self.values, self.floors.shape[1])
        return x, self.floors.ravel()

    def evidence(self) -> dict[str, Any]:
        """JSON-ready description (means per value, seeds, rounds)."""
        return {
            "parameter": self.parameter,
            "values": self.values.tolist(),
            "mean_floor": self.floors.mean(axis=1).tolist(),
            "run_batch_means_half_width": self.run_half_widths.max(axis=1).tolist(),
            "rounds": self.rounds,
            "burn_in": self.burn_in,
            "seeds": self.seeds.tolist(),
            "sigma2": self.sigma2,
            "algorithm": self.algorithm,
        }


def burn_in(
    algorithm: Algorithm, problem: Problem, network: Network, cap: int, x0: Any = "optimum"
) -> int:
    r"""Rounds after which the noise-free iteration has settled: the first ``k`` with
    ``|M_j - M_lim| <= BURN_IN_RTOL max M`` for every ``j >= k``, ``M_lim`` the mean of the last
    tenth of a ``cap``-round noise-free run (``cap`` if it never settles or diverges).

    Discarding these rounds keeps the deterministic transient out of a noise floor: what remains
    of it is below ``BURN_IN_RTOL`` times the transient's peak.
    """
    trace = simulate(algorithm, problem, network, cap, seed=0, x0=x0)
    if trace.diverged:
        return cap
    m = trace.values
    limit = m[-max(1, m.size // 10):].mean()
    unsettled = np.nonzero(np.abs(m - limit) > BURN_IN_RTOL * m.max())[0]
    return int(unsettled[-1]) + 1 if unsettled.size else 0


def _floor_point(
    algorithm: Algorithm,
    problem: Problem,
    network: Network,
    parameter: str,
    mc: MonteCarlo,
    largest: float,
    sigma2: float | None,
    burn: int | None,
    point: tuple[int, float],
) -> tuple[list[float], list[float], int, int]:
    """Floors and their half-widths at value ``point = (i, v)``, its burn-in and its rounds."""
    i, v = point
    alg = algorithm
    if parameter == "gamma":
        alg = algorithm.with_step(v)
    elif parameter == "tau":
        alg = algorithm.with_values(tau=int(v))
    level = v if parameter == "sigma2" else float(sigma2)  # type: ignore[arg-type]
    k = int(np.ceil(mc.rounds * largest / v)) if parameter == "gamma" else mc.rounds
    b = burn_in(alg, problem, network, BURN_IN_CAP * k) if burn is None else burn
    traces = replicate(alg, problem, network, mc, config=i, sigma2=level, rounds=b + k, x0="optimum")
    estimates = [t.floor(start=b, confidence=mc.confidence) for t in traces]
    return [e.value for e in estimates], [e.half_width for e in estimates], b, b + k


def floor_sweep(
    algorithm: Algorithm,
    problem: Problem,
    network: Network,
    parameter: str,
    values: list[float] | tuple[float, ...],
    mc: MonteCarlo,
    sigma2: float | None = None,
    workers: int | None = None,
) -> FloorSweep:
    r"""Noise floors along ``sigma2``, ``gamma`` (``beta / gamma`` kept) or ``tau``.

    Each run starts at ``x*`` when it is known. For every value, the noise-free iteration fixes a
    burn-in (:func:`burn_in`, capped at ``BURN_IN_CAP * K``; one for all values of a ``sigma2``
    sweep, since the noise-free iteration does not depend on ``sigma2``); each noisy run then lasts
    burn-in ``+ K`` rounds and its floor is the mean of ``M_k`` over the last ``K``. For a ``gamma``
    sweep ``K = mc.rounds gamma_max / gamma`` (every run covers the same "time" ``K gamma``),
    otherwise ``K = mc.rounds``. The ``mc.seeds`` runs of a value are one run of replicas; the
    values are independent jobs (:func:`~ltadmm_verify.jobs.map_jobs` with ``workers``).
    """
    parameter = choice("parameter", parameter, SWEEP_PARAMETERS)
    vals = np.array([positive_float(parameter, v) for v in values], dtype=np.float64)
    if parameter != "sigma2":
        sigma2 = positive_float("sigma2", sigma2)
    shared_burn = (burn_in(algorithm, problem, network, BURN_IN_CAP * mc.rounds)
                   if parameter == "sigma2" else None)
    job = partial(_floor_point, algorithm, problem, network, parameter, mc, float(vals.max()), sigma2,
                  shared_burn)
    points = map_jobs(job, [(i, float(v)) for i, v in enumerate(vals)], workers=workers)
    floors = np.array([p[0] for p in points])
    run_half_widths = np.array([p[1] for p in points])
    burn = [p[2] for p in points]
    rounds_used = [p[3] for p in points]
    seeds = np.array([[mc.seed(i, s) for s in range(mc.seeds)] for i in range(vals.size)])
    return FloorSweep(parameter, vals, floors, run_half_widths, rounds_used, burn, seeds,
                      None if parameter == "sigma2" else sigma2, algorithm.parameters())
