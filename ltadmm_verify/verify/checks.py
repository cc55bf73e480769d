r"""Checks: one function per claim of SPEC section 4, each returning a :class:`CheckResult`.

Every check states the measured number, the bound it is held to, its uncertainty (a confidence
half-width from seeds, or the precision of an exact computation) and the evidence; the verdict
follows from them by the one rule of :mod:`ltadmm_verify.verify.verdict`. What is measured comes
from :func:`ltadmm_verify.verify.measure.measurement`: the exact analysis where it applies
(``method="auto"``), simulation with several seeds otherwise. Subclasses of the algorithms (e.g.
deliberately broken variants) are always simulated.

The measure is ``M_k = ||grad F(x_bar_k)||^2 + (1/N) sum_i ||x_{i,k} - x_bar_k||^2``
(``stationarity``) and ``Mbar_K = (1/K) sum_{k<K} E[M_k]``.

Summability test (C1 transient, C2, O3): the theorems' ``O(1/(K tau))`` terms say
``sum_k M_k < inf``. On a finite horizon we fit ``log M_k = a + b log k`` over the last three
quarters of the rounds before ``M_k`` reaches :data:`~.measure.PRECISION_FLOOR` times its peak
(averaged over :data:`WINDOW_BLOCKS` consecutive blocks) and require ``b <= -1``: a floor gives
``b ~ 0``, a ``k^{-p}`` decay with ``p < 1`` gives ``b ~ -p``, geometric decay a steep ``b``. The
claim is about the limit of the slope, so its interval covers the slopes of the window's two halves
too: a geometric decay slower than the horizon (local slopes from above to below -1 across the
window) is INCONCLUSIVE, not a FAIL; the exact expected curve runs long enough to show it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..algorithms import LTADMMVR, Algorithm
from ..errors import InvalidParameterError
from ..network import Network
from ..problems import Problem
from ..problems.base import FloatArray
from ..theory import cards
from .experiments import FloorSweep, MonteCarlo
from .measure import (
    NUMERICAL_RTOL,
    PRECISION_FLOOR,
    FloorPoints,
    floor_points,
    mean_map_radius,
    measurement,
    summability_window,
)
from .result import CheckResult
from .statistics import (
    Estimate,
    geometric_rate,
    hull,
    limit_slope,
    local_slopes,
    loglog_slope,
    mean_ci,
)

#: The summability window is averaged over this many consecutive blocks before the log-log fit.
WINDOW_BLOCKS = 8
#: The exponent checks (C1 slopes) must tell the claimed exponent from one off by this much (e.g. a
#: floor ``B ~ sigma`` from ``B ~ sigma^2``); a coarser margin makes them INCONCLUSIVE.
SLOPE_RESOLUTION = 0.5
#: Equivalence margin of a *simulated* exponent check: the claimed exponent holds with equality
#: (``B`` exactly proportional to ``sigma^2``), which no finite interval can show to be ``>= 1``;
#: the check asks that it does not fall short by more than this, midway to the alternative it must
#: reject (SLOPE_RESOLUTION). Exact floors need no margin beyond their truncation error.
SLOPE_MARGIN = 0.25


# ---------------------------------------------------------------------------- helpers
def _instance(problem: Problem, network: Network) -> dict[str, Any]:
    smooth = problem.smoothness()
    return {
        "problem": getattr(problem, "name", type(problem).__name__),
        "n_agents": network.n_agents,
        "n_edges": network.n_edges,
        "dim": problem.dim,
        "lambda_l": network.lambda_l,
        "lambda_u": network.lambda_u,
        "L": smooth.per_sample,
        "mu": smooth.mu,
    }


def _tail_slope(values: FloatArray, confidence: float) -> tuple[Estimate, dict[str, Any]]:
    """Log-log slope of ``M_k`` over the summability window, fitted to :data:`WINDOW_BLOCKS`
    block means (block averaging removes most of the round-to-round noise of a stochastic run),
    and the slopes of the window's two halves (``info["local_slopes"]``, smaller first)."""
    k, m, reached = summability_window(values)
    if k.size >= 2 * WINDOW_BLOCKS:
        k = np.array([b.mean() for b in np.array_split(k, WINDOW_BLOCKS)])
        m = np.array([b.mean() for b in np.array_split(m, WINDOW_BLOCKS)])
    fit = loglog_slope(k, m, confidence)
    info = {"window": [int(k[0]), int(k[-1])], "reached_precision": reached,
            "orders_of_magnitude": float(np.log10(values[0] / max(m[-1], np.finfo(float).tiny)))
            if values[0] > 0 else float("nan"),
            "local_slopes": list(local_slopes(k, m, pieces=min(2, k.size - 1)))}
    return fit.slope, info


def _tail_interval(slope: Estimate, infos: Sequence[dict[str, Any]]) -> tuple[float, float]:
    """Where the limit of the tail slope can lie: the pooled slope's confidence interval widened
    to the slopes of the window's halves (per curve, averaged over the curves;
    :func:`~ltadmm_verify.verify.statistics.local_slopes`). A slow geometric decay read before it
    steepens, or a decay that is flattening onto a floor, is then undecided rather than judged."""
    spread = (float(np.mean([i["local_slopes"][0] for i in infos])),
              float(np.mean([i["local_slopes"][1] for i in infos])))
    return hull(slope, spread)


def _pooled(estimates: Sequence[Estimate], deterministic: bool, confidence: float) -> Estimate:
    """One estimate from one per curve: the single deterministic one, or the mean over seeds with
    its Student-t interval."""
    if deterministic or len(estimates) == 1:
        return estimates[0]
    return mean_ci(np.array([e.value for e in estimates]), confidence)


# ---------------------------------------------------------------------------- C1: noise floor
def _floor_points(algorithm: Algorithm, problem: Problem, network: Network, parameter: str,
                  values: Sequence[float], sigma2: float | None, mc: MonteCarlo, method: str,
                  sweep: FloorSweep | None) -> FloorPoints:
    if sweep is not None:
        if sweep.parameter != parameter:
            raise InvalidParameterError(
                f"sweep is along {sweep.parameter!r}, this check needs {parameter!r}")
        return floor_points(sweep, mc)
    return measurement(algorithm, problem, network, method=method, mc=mc).floors(
        algorithm, parameter, list(values), sigma2)


def check_c1_floor(
    algorithm: Algorithm,
    problem: Problem,
    network: Network,
    parameter: str,
    values: Sequence[float],
    *,
    sigma2: float | None = None,
    mc: MonteCarlo | None = None,
    method: str = "auto",
    sweep: FloorSweep | None = None,
) -> CheckResult:
    r"""C1: the neighbourhood ``B`` of LT-ADMM scales like ``gamma tau sigma^2``.

    Setting: LT-ADMM with additive Gaussian gradient noise ``E||xi||^2 = sigma^2``. The paper's bound
    ``Mbar_K <= A/(K tau) + B`` with ``B = O(gamma tau sigma^2)``. We measure the floor
    ``B = lim E[M_k]`` (exact Lyapunov solution on quadratics, tail means of independent runs
    otherwise) along one parameter; the claims are limits, so the measured number is the limit of
    the local log-log slope ``d log B / d log(parameter)``
    (:func:`~ltadmm_verify.verify.statistics.limit_slope`):

    - ``parameter="sigma2"``: ``B <= C sigma^2`` as ``sigma^2 -> 0`` needs a limit slope ``>= 1``;
    - ``parameter="gamma"`` (``beta / gamma`` fixed): ``B <= C gamma`` as ``gamma -> 0``: ``>= 1``;
    - ``parameter="tau"`` (``gamma`` fixed): ``B <= C tau`` as ``tau`` grows: ``<= 1``.

    Uncertainty: the slope's confidence half-width from the runs (simulation) and, as margin, the
    size of the extrapolation to the limit (at least :data:`~.measure.NUMERICAL_RTOL`; simulated
    slopes at least the equivalence margin :data:`SLOPE_MARGIN`); exact floors toward 0 are first
    extended below the smallest value. Resolution :data:`SLOPE_RESOLUTION`: an extrapolation larger
    than it makes the check INCONCLUSIVE. A
    diverged run refutes the claim (the step was inside its hypotheses). A precomputed simulated
    ``sweep`` (:func:`~ltadmm_verify.verify.experiments.floor_sweep`) may be passed to share runs.
    """
    mc = mc or MonteCarlo()
    claim = f"C1.{parameter}"
    relation = "<=" if parameter == "tau" else ">="
    statement = (
        f"LT-ADMM noise floor B grows {'at most' if parameter == 'tau' else 'at least'} linearly "
        f"in {parameter} (limit of the log-log slope {relation} 1)"
    )
    points = _floor_points(algorithm, problem, network, parameter, values, sigma2, mc, method, sweep)
    evidence = {**points.evidence, "instance": _instance(problem, network),
                "algorithm": algorithm.parameters()}
    if not np.all(np.isfinite(points.floors)):
        return CheckResult.contradicted(claim, statement, 1.0, relation,
                                        "a run diverged (step not admissible)", evidence)
    if np.any(points.floors.mean(axis=1) <= 0):
        return CheckResult(claim, statement, float("nan"), 1.0, relation, evidence=evidence,
                           reason="a floor was not positive: no slope can be measured")
    slope = limit_slope(points.values, points.floors, toward_zero=parameter != "tau",
                        confidence=mc.confidence)
    evidence["limit_slope"] = slope.to_dict()
    equivalence = NUMERICAL_RTOL if points.exact else SLOPE_MARGIN
    return CheckResult(claim, statement, slope.estimate.value, 1.0, relation,
                       half_width=slope.estimate.half_width,
                       margin=max(slope.truncation, equivalence),
                       resolution=SLOPE_RESOLUTION, evidence=evidence)


def check_c1_vanishing(
    algorithm: Algorithm,
    problem: Problem,
    network: Network,
    sigma2s: Sequence[float] = (0.01, 0.1, 1.0),
    *,
    mc: MonteCarlo | None = None,
    method: str = "auto",
    sweep: FloorSweep | None = None,
) -> CheckResult:
    r"""C1: the floor vanishes with the noise, ``B -> 0`` as ``sigma^2 -> 0``.

    The measured number is ``B(0)``, the metric at the limit of the noise-free iteration (exact:
    at the fixed point of the map; simulation: a noise-free run from ``x*`` until it settles,
    :meth:`~ltadmm_verify.verify.measure.Measurement.fixed_point_metric`), held to ``<= 0`` within
    the precision of that computation. The check must detect a ``B(0)`` as large as the smallest
    measured floor ``B(min sigma^2)`` (its resolution; the floors come from ``sweep`` when given).
    """
    mc = mc or MonteCarlo()
    claim, relation = "C1.vanishing", "<="
    statement = "LT-ADMM noise floor vanishes as sigma^2 -> 0 (floor of the noise-free iteration <= 0)"
    meter = measurement(algorithm, problem, network, method="simulate" if sweep is not None else method,
                        mc=mc)
    value, half, precision, how = meter.fixed_point_metric(algorithm)
    points = _floor_points(algorithm, problem, network, "sigma2", sigma2s, None, mc, method, sweep)
    smallest = float(points.floors.mean(axis=1)[np.argmin(points.values)])
    evidence = {"B(0)": how, "B(min sigma2)": smallest, "instance": _instance(problem, network),
                "algorithm": algorithm.parameters()}
    if not np.isfinite(value):
        return CheckResult.contradicted(claim, statement, 0.0, relation,
                                        "the noise-free iteration diverged", evidence)
    return CheckResult(claim, statement, value, 0.0, relation, half_width=half, margin=precision,
                       resolution=smallest, evidence=evidence)


def check_summable(
    claim: str,
    algorithm: Algorithm,
    problem: Problem,
    network: Network,
    *,
    mc: MonteCarlo | None = None,
    method: str = "auto",
    x0: Any = None,
) -> CheckResult:
    r"""``sum_k M_k < inf`` (hence ``Mbar_K = O(1/K)``): tail log-log slope of ``M_k`` ``<= -1``.

    Used for C1's transient (LT-ADMM with full gradients and no noise, where ``B = 0``), for C2
    (LT-ADMM-VR, exact convergence on finite sums) and O3 (LT-ADMM-VR without reset). Exact
    expected curve on quadratics (its horizon extended until ``M_k`` can fall by
    ``1 / PRECISION_FLOOR`` at the exact asymptotic rate), otherwise one slope per seed (horizon
    ``mc.rounds``: a geometric decay slower than the horizon looks like a power law) and their mean
    with a Student-t interval; a single deterministic curve carries its fit's interval. Evidence:
    orders of magnitude fallen, ``K tau Mbar_K`` at ``K/2`` and ``K``.
    """
    mc = mc or MonteCarlo()
    statement = (f"{algorithm.name}: M_k summable (tail log-log slope <= -1), so "
                 "Mbar_K = O(1/(K tau)) with no floor")
    tau = int(getattr(algorithm, "tau", 1))
    meter = measurement(algorithm, problem, network, method=method, mc=mc)
    rounds = meter.horizon(algorithm, mc.rounds, 1.0 / PRECISION_FLOOR)
    evidence: dict[str, Any] = {"instance": _instance(problem, network),
                                "algorithm": algorithm.parameters(), "rounds": rounds}
    curves = meter.curves(algorithm, rounds, x0=x0)
    evidence["method"] = curves.method + (f", seeds {curves.seeds}" if curves.seeds else "")
    if curves.diverged or max(c[-1] / c[0] for c in curves.values) > 1e12:
        return CheckResult.contradicted(claim, statement, -1.0, "<=", "the iteration diverged", evidence)
    slopes, infos = zip(*(_tail_slope(c, mc.confidence) for c in curves.values), strict=True)
    k = curves.values[0].size - 1
    evidence["K_tau_Mbar"] = {
        "K/2": float(np.mean([c[: k // 2].mean() * (k // 2) * tau for c in curves.values])),
        "K": float(np.mean([c[:k].mean() * k * tau for c in curves.values])),
    }
    evidence["windows"] = list(infos)
    slope = _pooled(slopes, curves.deterministic, mc.confidence)
    evidence["slope"] = slope.to_dict()
    return CheckResult(claim, statement, slope.value, -1.0, "<=", half_width=slope.half_width,
                       bounds=_tail_interval(slope, infos),
                       margin=NUMERICAL_RTOL if curves.deterministic else 0.0, evidence=evidence)


def check_c1_transient(
    algorithm: Algorithm, problem: Problem, network: Network, *,
    mc: MonteCarlo | None = None, method: str = "auto",
) -> CheckResult:
    """C1: the transient part ``A/(K tau)`` of LT-ADMM's bound (full gradients, no noise: ``B = 0``).

    Runs ``algorithm`` with ``batch_size=None`` and checks :func:`check_summable`.
    """
    full = algorithm.with_values(batch_size=None)
    return check_summable("C1.transient", full, problem, network, mc=mc, method=method)


def check_c2_exact_convergence(
    algorithm: Algorithm, problem: Problem, network: Network, *,
    mc: MonteCarlo | None = None, method: str = "auto",
) -> CheckResult:
    """C2: LT-ADMM-VR converges exactly on finite sums, ``Mbar_K = O(1/(K tau))`` (no floor)."""
    return check_summable("C2", algorithm, problem, network, mc=mc, method=method)


def check_o3_no_reset(
    algorithm: Algorithm, problem: Problem, network: Network, *,
    mc: MonteCarlo | None = None, method: str = "auto",
) -> CheckResult:
    """O3 (open): the no-reset LT-ADMM-VR variant (``reset=False``) converges exactly, as C2."""
    no_reset = algorithm.with_values(reset=False)
    return check_summable("O3", no_reset, problem, network, mc=mc, method=method)


# ---------------------------------------------------------------------------- O1: linear rate
def check_o1_linear_rate(
    algorithm: Algorithm, problem: Problem, network: Network, *,
    mc: MonteCarlo | None = None, method: str = "auto",
) -> CheckResult:
    r"""O1 (open): LT-ADMM-VR converges linearly on strongly convex problems.

    Fit ``log M_k = log C + k log r`` over the window of the summability test (per seed, or on the
    exact expected curve) and require ``r < 1`` significantly. A floor reached slowly also fits a
    rate below 1: linear convergence needs ``M_k -> 0`` as well, so the summability test of C2 on
    the same curves is a condition of the verdict (``conditions``). On quadratics the exact spectral
    radius of the mean map is reported alongside.
    """
    mc = mc or MonteCarlo()
    claim, statement = "O1", f"{algorithm.name}: geometric decay of M_k, rate r < 1 (significantly)"
    evidence: dict[str, Any] = {"instance": _instance(problem, network),
                                "algorithm": algorithm.parameters(), "rounds": mc.rounds}
    radius = mean_map_radius(algorithm, problem, network)
    if radius is not None:
        # E[x_k] converges at rate `radius`; M_k is quadratic in x_k, so its rate is radius^2.
        evidence["exact_spectral_radius"] = radius
        evidence["exact_rate_of_mean_metric"] = radius**2
    curves = measurement(algorithm, problem, network, method=method, mc=mc).curves(algorithm, mc.rounds)
    evidence["method"] = curves.method + (f", seeds {curves.seeds}" if curves.seeds else "")
    if curves.diverged:
        return CheckResult.contradicted(claim, statement, 1.0, "<", "a run diverged", evidence)
    rates = [geometric_rate(*summability_window(c)[:2], mc.confidence)[0] for c in curves.values]
    rate = _pooled(rates, curves.deterministic, mc.confidence)
    evidence["rate"] = rate.to_dict()
    evidence["per_run_rates"] = [r.value for r in rates]
    slopes, infos = zip(*(_tail_slope(c, mc.confidence) for c in curves.values), strict=True)
    tail = _pooled(slopes, curves.deterministic, mc.confidence)
    vanishes = CheckResult("O1.vanishing", "M_k tends to 0 (tail log-log slope <= -1)", tail.value,
                           -1.0, "<=", half_width=tail.half_width, bounds=_tail_interval(tail, infos),
                           margin=NUMERICAL_RTOL if curves.deterministic else 0.0)
    return CheckResult(claim, statement, rate.value, 1.0, "<", half_width=rate.half_width,
                       margin=NUMERICAL_RTOL if curves.deterministic else 0.0,
                       evidence=evidence, conditions=(vanishes,))


# ---------------------------------------------------------------------------- C3: step size
def critical_step(
    algorithm: Algorithm, problem: Problem, network: Network, *,
    method: str = "auto", rounds: int = 400, rtol: float = 1e-2,
) -> tuple[float, float, str]:
    """Stability threshold of ``gamma`` (``beta / gamma`` and the other parameters fixed).

    Returns ``(gamma_crit, relative_accuracy, how)``: the exact critical step (relative accuracy
    :data:`~.measure.EXACT_STEP_RTOL`) when the exact analysis applies and the problem has a unique
    optimum, otherwise the empirical divergence threshold of the full-gradient iteration (relative
    accuracy ``rtol``, ``rounds`` rounds per bisection run).
    """
    return measurement(algorithm, problem, network, method=method).critical_step(algorithm, rounds, rtol)


def step_card(algorithm: Algorithm) -> Any:
    """The theorem card of the step-size condition for ``algorithm`` (C3 or C3-VR)."""
    return cards.get_card("C3-VR" if isinstance(algorithm, LTADMMVR) else "C3")


def check_c3_step_constant(
    algorithm: Algorithm, problem: Problem, network: Network, *,
    card: Any = None, method: str = "auto", rounds: int = 400, rtol: float = 1e-2,
) -> CheckResult:
    r"""C3: the admissible step law ``gamma <= c lambda_l / (L tau^2)`` (VR: ``tau^3``) on one instance.

    The instance's threshold ``gamma_crit`` (:func:`critical_step`) implies the constant
    ``c_i = gamma_crit / bound(c = 1)`` (``= gamma_crit L tau^2 / lambda_l`` for card C3); the law
    with constant ``c`` can only be right if ``c <= c_i``. Measured ``c_i``, bound the card's value
    of ``c`` (calibrated, paper or user, with its provenance), relation ``>=``, precision ``c_i``
    times the relative accuracy of ``gamma_crit``. Evidence: the conservativeness ``c_i / c`` (how
    many times larger the true critical step is than the law's step).
    """
    card = card or step_card(algorithm)
    params: Any = algorithm
    ratio = params.beta / params.gamma
    (const,) = [c for c in card.constants if c.symbol in card.step_bound(ratio).free_symbols]
    g_crit, acc, how = critical_step(algorithm, problem, network, method=method, rounds=rounds, rtol=rtol)
    values = cards.Instance(problem, network, algorithm.with_step(g_crit)).values()
    unit = card.evaluate(card.step_bound(ratio), {**values, const.symbol: 1.0})
    implied = g_crit / unit
    law = card.conditions[0].text.split("<=")[1].strip()
    statement = (f"{card.id}: the constant implied by this instance, gamma_crit / ({law} at "
                 f"{const.name} = 1), is at least the law's {const.name} ({const.provenance})")
    evidence = {
        "gamma_crit": g_crit, "how": how, "implied_constant": implied,
        "constant": {"name": const.name, "value": const.value, "provenance": const.provenance},
        "law_step": None if const.value is None else const.value * unit,
        "conservativeness": None if const.value is None else implied / const.value,
        "instance": _instance(problem, network), "algorithm": algorithm.parameters(),
    }
    if const.value is None:
        return CheckResult(card.id, statement, implied, float("nan"), ">=", margin=acc * implied,
                           evidence=evidence, reason=f"{const.name} has no value (unknown constant)",
                           applicable=False)
    return CheckResult(card.id, statement, implied, const.value, ">=", margin=acc * implied,
                       evidence=evidence)


def check_c3_tau_exponent(
    algorithm: Algorithm, problem: Problem, network: Network, taus: Sequence[int] = (1, 2, 4, 8), *,
    method: str = "auto", rounds: int = 400, rtol: float = 1e-2, confidence: float = 0.95,
) -> CheckResult:
    r"""C3: the critical step shrinks no faster than the law says, ``gamma_crit ~ tau^s`` with
    ``s >= -2`` (LT-ADMM; ``-3`` for LT-ADMM-VR).

    Fit ``log gamma_crit = a + s log tau`` over ``taus``; half-width: the slope's confidence
    half-width (the scatter about the power law); precision: the relative accuracy of ``gamma_crit``.
    """
    power = 3.0 if isinstance(algorithm, LTADMMVR) else 2.0
    steps, hows = [], []
    acc = 0.0
    for t in taus:
        g, acc, how = critical_step(algorithm.with_values(tau=int(t)), problem, network,
                                    method=method, rounds=rounds, rtol=rtol)
        steps.append(g)
        hows.append(how)
    fit = loglog_slope(np.asarray(taus, dtype=float), np.asarray(steps), confidence)
    statement = (f"{algorithm.name}: critical step decays no faster than tau^-{power:g} "
                 f"(log-log slope >= -{power:g})")
    evidence = {"taus": list(taus), "gamma_crit": steps, "how": hows[0], "fit": fit.to_dict(),
                "instance": _instance(problem, network), "algorithm": algorithm.parameters()}
    return CheckResult("C3.tau", statement, fit.slope.value, -power, ">=",
                       half_width=fit.slope.half_width, margin=acc, evidence=evidence)


# ---------------------------------------------------------------------------- C4: local training
FIXED = ("rounds", "computation")


@dataclass(frozen=True)
class TauSweep:
    """A measure of ``M_k`` along ``tau`` at fixed rounds ``K`` or fixed computation ``K tau``.

    ``per_tau[i]`` holds one value per curve (one exact or deterministic curve, or one per seed with
    the same seeds for every ``tau``): ``Mbar_K`` at fixed rounds, the final ``E[M]`` at fixed
    computation (``K = rounds * taus[0] / tau``).
    """

    taus: list[int]
    fixed: str
    per_tau: list[FloatArray]
    rounds: list[int]
    deterministic: bool
    method: str
    sigma2: float
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def measure(self) -> str:
        """Name of the measure."""
        return "Mbar_K" if self.fixed == "rounds" else "final E[M] at fixed K tau"

    def means(self) -> list[float]:
        """Mean over curves, per ``tau``."""
        return [float(np.mean(v)) for v in self.per_tau]

    def drift_tau(self) -> int | None:
        """First ``tau`` at which the measure stops improving (client drift), if any."""
        means = self.means()
        return next((self.taus[i] for i in range(1, len(self.taus)) if means[i] >= means[i - 1]), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {"taus": self.taus, "fixed": self.fixed, "measure": self.measure, "means": self.means(),
                "rounds": self.rounds, "drift_tau": self.drift_tau(), "method": self.method,
                "sigma2": self.sigma2, **self.evidence}


def local_training_sweep(
    algorithm: Algorithm, problem: Problem, network: Network, taus: Sequence[int] = (1, 2, 4, 8), *,
    sigma2: float = 0.0, fixed: str = "rounds", mc: MonteCarlo | None = None, method: str = "auto",
    x0: Any = None,
) -> TauSweep:
    """``Mbar_K`` (``fixed="rounds"``, ``K = mc.rounds``) or the final ``E[M]`` (``fixed=
    "computation"``, ``K tau = mc.rounds * taus[0]``) of ``algorithm`` for each ``tau`` in ``taus``,
    from the initial models ``x0`` (default 0).

    The fixed-computation sweep is a trade-off the paper does not claim: it is shown, never judged.
    """
    mc = mc or MonteCarlo()
    if fixed not in FIXED:
        raise InvalidParameterError(f"fixed must be one of {list(FIXED)}, got {fixed!r}")
    per_tau: list[FloatArray] = []
    rounds: list[int] = []
    deterministic, how = True, ""
    meter = measurement(algorithm, problem, network, method=method, mc=mc)
    for t in taus:
        alg = algorithm.with_values(tau=int(t))
        k = mc.rounds if fixed == "rounds" else max(1, mc.rounds * int(taus[0]) // int(t))
        curves = meter.curves(alg, k, sigma2=sigma2, x0=x0)
        deterministic, how = curves.deterministic, curves.method
        per_tau.append(np.array([c[:-1].mean() if fixed == "rounds" else c[-1] for c in curves.values]))
        rounds.append(k)
    return TauSweep([int(t) for t in taus], fixed, per_tau, rounds, deterministic, how, sigma2,
                    {"instance": _instance(problem, network), "algorithm": algorithm.parameters()})


def check_c4_local_training(
    algorithm: Algorithm, problem: Problem, network: Network, taus: Sequence[int] = (1, 2, 4, 8), *,
    sigma2: float = 0.0, mc: MonteCarlo | None = None, method: str = "auto",
    sweep: TauSweep | None = None, x0: Any = None,
) -> CheckResult:
    r"""C4: local training saves communication: at a fixed number of rounds ``K``, ``tau = taus[1]``
    local steps give a smaller ``Mbar_K`` than ``tau = taus[0]``.

    The measured number is the log-ratio ``log(Mbar_K(taus[1]) / Mbar_K(taus[0]))``, held to ``< 0``
    (a significant decrease; a tie is INCONCLUSIVE). Simulation uses the same seeds for every
    ``tau`` (paired comparison: the log-ratio per seed, averaged with a Student-t interval); an exact
    or deterministic curve has precision :data:`~.measure.NUMERICAL_RTOL`. The whole sweep over
    ``taus`` (:func:`local_training_sweep`, fixed rounds; may be passed as ``sweep``) is in the
    evidence, with the first ``tau`` at which the measure stops improving (client drift).
    """
    mc = mc or MonteCarlo()
    if sweep is None:
        sweep = local_training_sweep(algorithm, problem, network, taus, sigma2=sigma2, mc=mc,
                                     method=method, x0=x0)
    elif sweep.fixed != "rounds":
        raise InvalidParameterError("C4's verdict comes from the fixed-rounds sweep, got fixed="
                                    f"{sweep.fixed!r}")
    statement = (f"{algorithm.name}: Mbar_K with tau={sweep.taus[1]} is smaller than with "
                 f"tau={sweep.taus[0]} at the same K (log-ratio < 0)")
    evidence = {**sweep.to_dict(), "rounds": mc.rounds}
    first, second = sweep.per_tau[0], sweep.per_tau[1]
    if not (np.all(np.isfinite(first)) and np.all(np.isfinite(second))):
        return CheckResult.contradicted("C4", statement, 0.0, "<", "a run diverged", evidence)
    log_ratio = np.log(second) - np.log(first)
    if sweep.deterministic:
        return CheckResult("C4", statement, float(log_ratio[0]), 0.0, "<", margin=NUMERICAL_RTOL,
                           evidence=evidence)
    ci = mean_ci(log_ratio, mc.confidence)
    evidence["log_ratio"] = ci.to_dict()
    return CheckResult("C4", statement, ci.value, 0.0, "<", half_width=ci.half_width, evidence=evidence)


# ---------------------------------------------------------------------------- C5: connectivity
def check_c5_connectivity(
    algorithm: Algorithm, problem: Problem, networks: Sequence[Network], *,
    mc: MonteCarlo | None = None, method: str = "auto",
) -> CheckResult:
    r"""C5: poor connectivity (small ``lambda_l``) slows convergence.

    For each network (same problem, same parameters) the asymptotic rate ``r`` of ``M_k``
    (:meth:`~ltadmm_verify.verify.measure.Measurement.rate`: squared spectral radius of the round
    map on quadratics, a geometric fit otherwise). Fit ``log(1 - r) = a + s log lambda_l`` across
    the networks. The claim is that a smaller ``lambda_l`` never makes convergence faster:
    ``s >= 0``, judged with the slope's confidence half-width (the scatter of the networks about the
    power law). Whether the slowdown is significant (``s - half-width > 0``; it is not when another
    mode, e.g. ``gamma mu``, limits the rate on every graph) is in the evidence (``significant``). A
    network on which the iteration does not converge (``r >= 1``, e.g. a disconnected graph)
    refutes the claim.
    """
    mc = mc or MonteCarlo()
    claim, statement = "C5", (f"{algorithm.name}: convergence speed 1 - r does not decrease with "
                              "lambda_l (log-log slope >= 0)")
    lam = np.array([n.lambda_l for n in networks])
    measured = [measurement(algorithm, problem, n, method=method, mc=mc).rate(
        algorithm, x0=np.ones(problem.dim)) for n in networks]
    rates, hows = zip(*measured, strict=True)
    r = np.array(rates)
    evidence: dict[str, Any] = {
        "networks": [n.describe() for n in networks], "rates": r.tolist(), "how": hows[0],
        "algorithm": algorithm.parameters(), "problem": getattr(problem, "name", type(problem).__name__),
    }
    if np.any(~np.isfinite(r)) or np.any(r >= 1.0):
        return CheckResult.contradicted(claim, statement, 0.0, ">=",
                                        "no convergence on some network (rate >= 1)", evidence)
    if np.any(lam <= 0.0):
        return CheckResult.contradicted(claim, statement, 0.0, ">=",
                                        "a network is disconnected (lambda_l = 0)", evidence)
    if np.ptp(np.log(lam)) < 1e-9:
        return CheckResult.not_applicable(claim, statement, "all networks have the same lambda_l")
    fit = loglog_slope(lam, 1.0 - r, mc.confidence)
    evidence["fit"] = fit.to_dict()
    evidence["significant"] = bool(fit.slope.low > 0)
    return CheckResult(claim, statement, fit.slope.value, 0.0, ">=", half_width=fit.slope.half_width,
                       evidence=evidence)
