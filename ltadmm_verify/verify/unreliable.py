r"""Checks of the claims about unreliable networks (R1-R4, SPEC 8), each a measured value against a bound.

These are not claims of the paper: they ask what survives when the network loses messages or adds
noise, and every answer is a finding with its evidence (verdicts by the one rule of
:mod:`.verdict`; a finding against the hypothesis is pinned in ``theorems/``, never hidden).

- **R1** (:func:`check_exact_under_loss` with LT-ADMM): with exact gradients and i.i.d. loss
  ``p``, LT-ADMM (edge variables held on loss) converges exactly. Exact part: the limit of the
  exact moment recursion (:meth:`~ltadmm_verify.theory.unreliable.LossModel.limit`),
  ``E||x_inf - 1 x*||^2 / ||x_0 - 1 x*||^2``, held to 0 with the accuracy of the recursion; Monte
  Carlo part (a condition): the same ratio after ``K`` rounds of runs on the lossy channel, ``K``
  such that the exact prediction is below :data:`PREDICTION_FLOOR`, held to :data:`CONVERGED`
  (INCONCLUSIVE when that needs more than :data:`MAX_HORIZON` x ``mc.rounds`` rounds).
- **R2** (:func:`check_vr_under_loss`): LT-ADMM-VR (minibatches) on a finite sum keeps exact
  convergence under loss: tail log-log slope of ``M_k`` ``<= -1`` (no floor), Monte Carlo.
- **R3** (:func:`check_exact_under_loss` with LED or K-GT): the same question for mixing
  algorithms, whose lost values are replaced by the receiver's own. Evidence also gives where the
  mean of the limit lies (``bias_sq``) against its spread.
- **R4** (:func:`check_noise_floor_linear`): the floor ``lim E[M_k]`` under channel noise of
  variance ``sigma_c^2`` grows linearly in it: Monte Carlo floors at several variances, log-log
  slope held to 1 from both sides with the equivalence margin :data:`SLOPE_MARGIN`; the exact
  floors (quadratics) in the evidence.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..algorithms.base import Algorithm
from ..algorithms.channel import Channel
from ..algorithms.run import replica_loop
from ..errors import InvalidParameterError
from ..network import Network
from ..problems.base import Problem
from ..theory import unreliable
from ..theory.exact import exact_gradients, is_quadratic
from .checks import _instance, _pooled, _tail_slope
from .experiments import MonteCarlo
from .result import CheckResult
from .statistics import loglog_slope, mean_ci

#: the claims, stated once (the report and the theorem files use these)
STATEMENTS = {
    "R1": "LT-ADMM with exact gradients converges exactly under i.i.d. message loss "
          "(a lost message holds the edge variable z_ij)",
    "R2": "LT-ADMM-VR keeps exact convergence on finite sums under i.i.d. message loss",
    "R3": "LED and K-GT converge exactly under i.i.d. message loss (a lost value is replaced by "
          "the receiver's own)",
    "R4": "the floor lim E[M_k] under additive channel noise grows linearly in its variance",
}
#: accuracy of the exact limit (relative): the moment recursion is run to a relative change 1e-13.
#: The limit is also known only to the rounding of the moments, about ``size x eps x max|E[s s^T]|``
#: in absolute terms: when ``x*`` is near 0 next to a state of order 1 (a small ``||x*||^2`` as the
#: unit), that is the margin when larger (``rounding_margin`` in the evidence).
EXACT_TOLERANCE = 1e-9
#: Monte Carlo: a mean final relative squared distance below this counts as converged
CONVERGED = 1e-6
#: the Monte Carlo horizon is chosen so that the exact prediction falls below this
PREDICTION_FLOOR = 1e-12
#: the Monte Carlo horizon is at most this many times ``mc.rounds`` (slower rates: INCONCLUSIVE)
MAX_HORIZON = 20
#: equivalence margin of the slope-1 claim (R4), and the smallest departure it must detect
SLOPE_MARGIN, SLOPE_RESOLUTION = 0.1, 0.5


def _distance_runs(algorithm: Algorithm, problem: Problem, network: Network, channel: Channel,
                   rounds: int, seeds: list[int], x0: np.ndarray) -> np.ndarray:
    x_star = problem.optimum()
    assert x_star is not None
    runs = replica_loop(algorithm, problem, network, rounds, seeds, x0=x0, channel=channel,
                        record_every=rounds,
                        observers={"dist_all": lambda X: float(((X - x_star) ** 2).sum())})
    return np.array([r.history["dist_all"][-1] if r.status == "completed" else np.inf for r in runs])


def _horizon(model: unreliable.LossModel, loss: float, x0: np.ndarray, target: np.ndarray,
             start: float, limit: float, radius: float, rounds: int, floor: float) -> tuple[int, str]:
    """Monte Carlo horizon of R1/R3 and, when it falls short, why.

    When the exact limit is below ``floor`` (relative to ``start``; :data:`PREDICTION_FLOOR`, or
    the rounding of the moments when larger), the first round at which the exact expected distance
    (:meth:`~.LossModel.iterate_moments`, transient included) is below it, at least 20; otherwise
    (the iterates settle away from ``x*``) the rounds the mean-square radius needs to shrink the
    transient by that factor. At most :data:`MAX_HORIZON` x ``rounds``.
    """
    most = MAX_HORIZON * rounds
    if limit / start <= floor:
        moments = itertools.islice(model.iterate_moments(loss, x0), most)
        for k, (mean, second) in enumerate(moments, start=1):
            if k >= 20 and model.squared_distance(mean, second, target) <= floor * start:
                return k, ""
        return most, (f"the exact expected distance is still above {floor:g} x the start "
                      f"after the Monte Carlo horizon {most} (at most {MAX_HORIZON} x mc.rounds)")
    needed = math.ceil(math.log(floor) / math.log(max(radius, 1e-300)))
    if needed > most:
        return most, (f"the Monte Carlo horizon {most} (at most {MAX_HORIZON} x mc.rounds) is shorter "
                      f"than the {needed} rounds the mean-square radius {radius:.6g} needs")
    return max(needed, 20), ""


def check_exact_under_loss(claim: str, algorithm: Algorithm, problem: Problem, network: Network, *,
                           loss: float, mc: MonteCarlo | None = None) -> CheckResult:
    """R1 / R3: ``algorithm`` (exact gradients, quadratic) converges exactly under i.i.d. loss.

    Measured: the exact limit ``E||x_inf - 1 x*||^2 / ||x_0 - 1 x*||^2`` from ``x_0 = 0`` (bound 0,
    margin :data:`EXACT_TOLERANCE` or the rounding of the moments, whichever is larger);
    condition: the Monte Carlo ratio after ``K`` rounds (bound
    :data:`CONVERGED`, Student-t interval over ``mc.seeds`` seeds). NOT APPLICABLE when the problem
    is not a quadratic with a unique optimum, the gradients are not exact, or the step is above the
    mean-square critical step (radius ``>= 1``).
    """
    mc = mc or MonteCarlo()
    statement = STATEMENTS.get(claim.split(".")[0], claim)
    x_star = problem.optimum()
    if not is_quadratic(problem) or x_star is None or not exact_gradients(algorithm, problem):
        return CheckResult.not_applicable(claim, statement, "needs exact gradients on a quadratic "
                                          "with a unique optimum")
    model = unreliable.loss_model(algorithm, problem, network, lossless=loss == 0.0)
    radius = model.radius(loss)
    evidence: dict[str, Any] = {"instance": _instance(problem, network),
                                "algorithm": algorithm.parameters(), "loss": loss,
                                "mean_square_radius": radius,
                                "ideal_radius_sq": model.ideal_radius ** 2}
    if radius >= 1.0:
        return CheckResult.not_applicable(
            claim, statement, f"mean-square radius {radius:.6g} >= 1 at loss {loss:g}: the step is "
            "above the mean-square critical step")
    x0 = np.zeros((network.n_agents, problem.dim))
    start = float(network.n_agents * (x_star ** 2).sum())
    target = np.tile(x_star, network.n_agents)
    try:
        mean, second, settled = model.limit(loss, x0.ravel())
    except InvalidParameterError as error:  # a mode of modulus ~1 keeps the moments moving
        return CheckResult(claim, statement, math.nan, 0.0, "<=", evidence=evidence,
                           undecided=f"the exact limit is not known: {error}")
    limit = model.squared_distance(mean, second, target)
    xbar = (model.X @ mean).reshape(network.n_agents, -1).mean(axis=0)
    rounding = model.size * float(np.finfo(np.float64).eps) * float(np.abs(second).max()) / start
    evidence.update({"exact_limit_ratio": limit / start, "rounds_to_settle": settled,
                     "rounding_margin": rounding,
                     "mean_limit_bias_ratio": float(((xbar - x_star) ** 2).sum()) / float(
                         (x_star ** 2).sum())})
    rounds, short = _horizon(model, loss, x0.ravel(), target, start, limit, radius, mc.rounds,
                             floor=max(PREDICTION_FLOOR, rounding))
    seeds = [mc.seed(0, s) for s in range(mc.seeds)]
    ratios = _distance_runs(algorithm, problem, network, Channel(loss=loss), rounds, seeds, x0) / start
    evidence["monte_carlo"] = {"rounds": rounds, "seeds": seeds, "ratios": ratios.tolist()}
    if not np.all(np.isfinite(ratios)):
        simulated = CheckResult.contradicted(f"{claim}.mc", statement, CONVERGED, "<=",
                                             "a run on the lossy channel diverged", evidence)
    else:
        estimate = mean_ci(ratios, mc.confidence)
        simulated = CheckResult(f"{claim}.mc", f"{statement}: Monte Carlo after {rounds} rounds",
                                estimate.value, CONVERGED, "<=", half_width=estimate.half_width,
                                evidence={"seeds": seeds, "rounds": rounds}, undecided=short)
    return CheckResult(claim, statement, limit / start, 0.0, "<=", margin=max(EXACT_TOLERANCE, rounding),
                       evidence=evidence, conditions=(simulated,))


def check_vr_under_loss(algorithm: Algorithm, problem: Problem, network: Network, *, loss: float,
                        mc: MonteCarlo | None = None) -> CheckResult:
    """R2: LT-ADMM-VR keeps exact convergence under i.i.d. loss: tail slope of ``M_k`` ``<= -1``.

    ``mc.seeds`` runs of ``mc.rounds`` rounds on ``Channel(loss=loss)``; one tail log-log slope
    per run over its summability window (as C2), their mean with a Student-t interval.
    """
    mc = mc or MonteCarlo()
    statement = STATEMENTS["R2"]
    seeds = [mc.seed(0, s) for s in range(mc.seeds)]
    runs = replica_loop(algorithm, problem, network, mc.rounds, seeds, channel=Channel(loss=loss))
    evidence: dict[str, Any] = {"instance": _instance(problem, network),
                                "algorithm": algorithm.parameters(), "loss": loss, "seeds": seeds,
                                "rounds": mc.rounds}
    curves = [np.asarray(r.history["stationarity"]) for r in runs]
    if any(r.status != "completed" for r in runs) or max(c[-1] / c[0] for c in curves) > 1e12:
        return CheckResult.contradicted("R2", statement, -1.0, "<=",
                                        "a run on the lossy channel diverged", evidence)
    slopes, infos = zip(*(_tail_slope(c, mc.confidence) for c in curves), strict=True)
    evidence["windows"] = list(infos)
    slope = _pooled(slopes, False, mc.confidence)
    evidence["slope"] = slope.to_dict()
    return CheckResult("R2", statement, slope.value, -1.0, "<=", half_width=slope.half_width,
                       evidence=evidence)


def check_noise_floor_linear(algorithm: Algorithm, problem: Problem, network: Network, *,
                             variances: Sequence[float], mc: MonteCarlo | None = None) -> CheckResult:
    """R4: the floor under channel noise ``sigma_c^2`` grows linearly: log-log slope 1.

    For each variance, ``mc.seeds`` runs of ``mc.rounds`` rounds from ``x*`` on
    ``Channel(noise=variance)``; the floor of a run is the mean of ``M_k`` over its second half,
    pooled over seeds. The slope of ``log floor`` against ``log sigma_c^2`` (least squares, with
    its interval) is held to 1 from both sides (margin :data:`SLOPE_MARGIN`). The exact floors
    (:func:`~ltadmm_verify.theory.unreliable.channel_noise_floor`) join the evidence on quadratics
    with exact gradients.
    """
    mc = mc or MonteCarlo()
    statement = STATEMENTS["R4"]
    x_star = problem.optimum()
    seeds = [mc.seed(0, s) for s in range(mc.seeds)]
    floors, half_widths = [], []
    for variance in variances:
        runs = replica_loop(algorithm, problem, network, mc.rounds, seeds, x0=x_star,
                            channel=Channel(noise=variance))
        tails = [np.asarray(r.history["stationarity"])[mc.rounds // 2:].mean() for r in runs]
        estimate = mean_ci(np.array(tails), mc.confidence)
        floors.append(estimate.value)
        half_widths.append(estimate.half_width)
    evidence: dict[str, Any] = {"instance": _instance(problem, network),
                                "algorithm": algorithm.parameters(), "variances": list(variances),
                                "floors": floors, "floor_half_widths": half_widths, "seeds": seeds,
                                "rounds": mc.rounds}
    if is_quadratic(problem) and exact_gradients(algorithm, problem):
        evidence["exact_floors"] = [
            unreliable.channel_noise_floor(algorithm, problem, network, variance=v)["stationarity"]
            for v in variances]
    if not all(np.isfinite(floors)) or min(floors) <= 0:
        return CheckResult.contradicted("R4", statement, 1.0, "<=", "a floor is not finite and positive",
                                        evidence)
    fit = loglog_slope(np.asarray(variances), np.asarray(floors), mc.confidence)
    evidence["slope"] = fit.to_dict()
    slope = fit.slope
    lower = CheckResult("R4.lower", f"{statement}: slope >= 1", slope.value, 1.0, ">=",
                        half_width=slope.half_width, margin=SLOPE_MARGIN, resolution=SLOPE_RESOLUTION)
    return CheckResult("R4", statement, slope.value, 1.0, "<=", half_width=slope.half_width,
                       margin=SLOPE_MARGIN, resolution=SLOPE_RESOLUTION, evidence=evidence,
                       conditions=(lower,))


__all__ = [
    "CONVERGED",
    "EXACT_TOLERANCE",
    "STATEMENTS",
    "check_exact_under_loss",
    "check_noise_floor_linear",
    "check_vr_under_loss",
]
