r"""Claim checks: one function per claim of SPEC section 4, each returning a :class:`CheckResult`.

Every check states the measured number, the bound it is held to, the tolerance and the evidence.
Where the problem is quadratic, the algorithm is exactly :class:`~ltadmm_verify.LTADMM` or
:class:`~ltadmm_verify.LTADMMVR` and the gradients are exact (plus optional Gaussian noise), the
exact analysis of :mod:`ltadmm_verify.theory.exact` is used (``method="auto"``); otherwise the check
simulates with several seeds and takes its tolerance from the confidence intervals of
:mod:`ltadmm_verify.verify.statistics`. Subclasses of the algorithms (e.g. deliberately broken
variants) are always simulated.

The measure is ``M_k = ||grad F(x_bar_k)||^2 + (1/N) sum_i ||x_{i,k} - x_bar_k||^2``
(``stationarity``) and ``Mbar_K = (1/K) sum_{k<K} E[M_k]``.

Relations (see :class:`CheckResult`): ``"<="`` / ``">="`` pass unless the measurement is beyond the
bound by more than the tolerance; ``"<"`` / ``">"`` pass only if it is beyond the bound by more than
the tolerance (a significant decrease or increase).

Summability test (C1 transient, C2, O3): the theorems' ``O(1/(K tau))`` terms say
``sum_k M_k < inf``. On a finite horizon we fit ``log M_k = a + b log k`` over the last three
quarters of the rounds before ``M_k`` reaches :data:`PRECISION_FLOOR` times its peak (averaged over
:data:`WINDOW_BLOCKS` consecutive blocks) and require ``b <= -1``: a floor
gives ``b ~ 0``, a ``k^{-p}`` decay with ``p < 1`` gives ``b ~ -p``, geometric decay a steep ``b``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..algorithms import LTADMM, LTADMMVR, Algorithm, GaussianNoise
from ..errors import InvalidParameterError
from ..network import Network
from ..problems import Problem
from ..problems.base import FloatArray
from ..theory import cards, exact
from ..theory.calibrate import empirical_critical_step
from .experiments import FloorSweep, MonteCarlo, floor_sweep, replicate, simulate
from .result import CheckResult
from .statistics import Estimate, geometric_rate, linear_fit, loglog_slope, mean_ci

#: Relative accuracy attributed to exact (linear-algebra) computations: the tolerance of a check
#: whose numbers come from the exact analysis (Lyapunov solves, eigenvalues), relative to their scale.
NUMERICAL_RTOL = 1e-8
#: ``M_k`` below this fraction of its peak is treated as converged to machine precision (``M`` is a
#: square, so double precision bottoms out near ``1e-32`` relative; this keeps 12 orders of margin).
PRECISION_FLOOR = 1e-20
METHODS = ("auto", "exact", "simulate")
#: Exact floor sweeps toward 0 (sigma^2, gamma) are extended this many factors of 4 below the
#: smallest requested value, so that the limit slope is read where the local slope has settled.
EXACT_EXTENSION = 3
#: Longest exact expected curve computed by the summability test.
EXACT_MAX_ROUNDS = 200_000
#: The summability window is averaged over this many consecutive blocks before the log-log fit.
WINDOW_BLOCKS = 8


# ---------------------------------------------------------------------------- helpers
def uses_exact(algorithm: Algorithm, problem: Problem, method: str = "auto") -> bool:
    """Whether a check on ``(algorithm, problem)`` uses the exact analysis.

    ``"auto"``: yes iff the algorithm's class is exactly LTADMM or LTADMMVR (not a subclass), the
    problem is quadratic and the gradients are exact. ``"exact"`` raises if that is not the case.
    """
    if method not in METHODS:
        raise InvalidParameterError(f"method must be one of {list(METHODS)}, got {method!r}")
    possible = (
        type(algorithm) in (LTADMM, LTADMMVR)
        and exact.is_quadratic(problem)
        and exact.exact_gradients(algorithm, problem)
    )
    if method == "exact" and not possible:
        raise InvalidParameterError(
            "method='exact' needs LTADMM/LTADMMVR (not a subclass) with exact gradients on a "
            f"quadratic problem, got {type(algorithm).__name__} on {type(problem).__name__}"
        )
    return possible and method != "simulate"


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


def _exact_stable(algorithm: Algorithm, problem: Problem, network: Network) -> float:
    return exact.spectral_radius(algorithm, problem, network)


def _failed(claim: str, statement: str, bound: float, relation: str, reason: str,
            evidence: dict[str, Any]) -> CheckResult:
    """A check whose measurement could not be made because a run diverged: FAIL with NaN."""
    nan = float("nan")
    return CheckResult(claim, statement, nan, bound, nan, relation, False, evidence, reason)


def summability_window(values: FloatArray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Rounds ``k`` and ``M_k`` of the fit window of the summability test (see module docstring).

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


def _tail_slope(values: FloatArray, confidence: float) -> tuple[Estimate, dict[str, Any]]:
    """Log-log slope of ``M_k`` over the summability window, fitted to :data:`WINDOW_BLOCKS`
    block means (block averaging removes most of the round-to-round noise of a stochastic run)."""
    k, m, reached = summability_window(values)
    if k.size >= 2 * WINDOW_BLOCKS:
        k = np.array([b.mean() for b in np.array_split(k, WINDOW_BLOCKS)])
        m = np.array([b.mean() for b in np.array_split(m, WINDOW_BLOCKS)])
    fit = loglog_slope(k, m, confidence)
    info = {"window": [int(k[0]), int(k[-1])], "reached_precision": reached,
            "orders_of_magnitude": float(np.log10(values[0] / max(m[-1], np.finfo(float).tiny)))
            if values[0] > 0 else float("nan")}
    return fit.slope, info


# ---------------------------------------------------------------------------- C1: noise floor
def _floors(
    algorithm: Algorithm, problem: Problem, network: Network, parameter: str,
    values: Sequence[float], sigma2: float | None, mc: MonteCarlo, method: str,
    sweep: FloorSweep | None = None,
) -> tuple[FloatArray, FloatArray, dict[str, Any], bool]:
    """Per-point ``(x, floor)`` of a floor sweep, exact or simulated (or the given ``sweep``)."""
    evidence: dict[str, Any] = {}
    if sweep is None and uses_exact(algorithm, problem, method):
        if parameter != "tau":
            # the claims are limits toward 0: exact floors are cheap, so extend the sweep
            values = sorted({*values, *(min(values) * 4.0**-j for j in range(1, EXACT_EXTENSION + 1))})
        floors = []
        for v in values:
            alg, level = algorithm, float(v) if parameter == "sigma2" else float(sigma2 or 0.0)
            if parameter == "gamma":
                alg = algorithm.with_step(v)
            elif parameter == "tau":
                alg = algorithm.with_values(tau=int(v))
            if _exact_stable(alg, problem, network) >= 1.0:
                floors.append(float("inf"))
                continue
            floors.append(exact.noise_floor(alg, problem, network, GaussianNoise(level))["stationarity"])
        evidence.update({"method": "exact (stationary Lyapunov covariance)", "values": list(values),
                         "floors": floors, "sigma2": sigma2})
        return np.asarray(values, dtype=float), np.asarray(floors), evidence, True
    if sweep is None:
        sweep = floor_sweep(algorithm, problem, network, parameter, list(values), mc, sigma2=sigma2)
    elif sweep.parameter != parameter:
        raise InvalidParameterError(f"sweep is along {sweep.parameter!r}, this check needs {parameter!r}")
    evidence.update({"method": f"simulation, {mc.seeds} seeds per value, mean after the burn-in",
                     **sweep.evidence()})
    x, y = sweep.points()
    return x, y, evidence, False


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
    ``B = lim E[M_k]`` (exact Lyapunov solution on quadratics, tail means otherwise) along one
    parameter and fit ``log B = a + s log(parameter)``:

    - ``parameter="sigma2"``: ``B <= C sigma^2`` for small ``sigma^2`` needs ``s >= 1``;
    - ``parameter="gamma"`` (``beta / gamma`` fixed): ``B <= C gamma`` as ``gamma -> 0`` needs ``s >= 1``;
    - ``parameter="tau"`` (``gamma`` fixed): ``B <= C tau`` as ``tau`` grows needs ``s <= 1``.

    The claims are about ``sigma^2, gamma -> 0`` and ``tau`` growing: with exact floors the measured
    slope is the limit of the local slope (extrapolated from the two pairs of values nearest the
    limit, see :func:`_limit_slope`; toward 0 the sweep is first extended :data:`EXACT_EXTENSION`
    factors of 4 below the smallest value) and the tolerance the size of that extrapolation (at least
    :data:`NUMERICAL_RTOL`); simulated floors are
    fitted by least squares over all runs and the tolerance is the slope's confidence half-width.
    A diverged run makes the check FAIL. A precomputed simulated
    ``sweep`` (:func:`~ltadmm_verify.verify.experiments.floor_sweep`) may be passed instead of
    ``values`` to share runs between checks.
    """
    mc = mc or MonteCarlo()
    claim = f"C1.{parameter}"
    relation = "<=" if parameter == "tau" else ">="
    statement = (
        f"LT-ADMM noise floor B grows {'at most' if parameter == 'tau' else 'at least'} linearly "
        f"in {parameter} (log-log slope {relation} 1)"
    )
    x, y, evidence, is_exact = _floors(algorithm, problem, network, parameter, values, sigma2, mc,
                                       method, sweep)
    evidence["instance"] = _instance(problem, network)
    evidence["algorithm"] = algorithm.parameters()
    if not np.all(np.isfinite(y)):
        return _failed(claim, statement, 1.0, relation, "a run diverged (step not admissible)", evidence)
    if np.any(y <= 0):
        return _failed(claim, statement, 1.0, relation, "a floor was not positive", evidence)
    if is_exact:
        slope, tol = _limit_slope(x, y, toward_zero=parameter != "tau")
        evidence["limit_slope"] = {"value": slope, "extrapolation_error": tol}
        return CheckResult.compare(claim, statement, slope, 1.0, max(tol, NUMERICAL_RTOL), relation,
                                   evidence)
    fit = loglog_slope(x, y, mc.confidence)
    evidence["fit"] = fit.to_dict()
    return CheckResult.compare(claim, statement, fit.slope.value, 1.0, fit.slope.half_width, relation,
                               evidence)


def _limit_slope(x: FloatArray, y: FloatArray, toward_zero: bool) -> tuple[float, float]:
    """Limit of the local log-log slope of exact values as ``x -> 0`` (or ``x -> inf``).

    Local slopes ``s_1, s_2`` between the consecutive points nearest the limit, at the (geometric)
    midpoints ``m_1, m_2``. Toward 0, a smooth ``y`` has ``s(m) = s_0 + a m + O(m^2)``, so the limit is
    extrapolated linearly, ``s_0 = s_1 - (s_2 - s_1) m_1 / (m_2 - m_1)``, with the size of that
    correction, ``|s_2 - s_1|``, as its error. Toward infinity the extreme slope ``s_1`` is returned
    with the error ``|s_1 - s_2|``.
    """
    order = np.argsort(x)
    lx, ly = np.log(x[order]), np.log(y[order])
    local = np.diff(ly) / np.diff(lx)
    mids = np.exp(0.5 * (lx[1:] + lx[:-1]))
    if local.size < 2:
        return float(local[0]), float("inf")
    if not toward_zero:
        return float(local[-1]), float(abs(local[-1] - local[-2]))
    s1, s2, m1, m2 = local[0], local[1], mids[0], mids[1]
    return float(s1 - (s2 - s1) * m1 / (m2 - m1)), float(abs(s2 - s1))


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

    Exact: ``B(0)``, the metric at the fixed point of the noise-free iteration (0 iff the fixed
    point is the optimum), held to ``0`` with tolerance ``NUMERICAL_RTOL * B(max sigma^2)``.
    Simulation: regress ``B / sigma^2 = b + a / sigma^2`` (per run) and hold the
    ``sigma^2``-independent part ``a`` to ``a <= 0`` within its confidence half-width (runs may
    come from a precomputed ``sweep`` along ``sigma2``).
    """
    mc = mc or MonteCarlo()
    claim, relation = "C1.vanishing", "<="
    statement = "LT-ADMM noise floor vanishes as sigma^2 -> 0 (sigma^2-independent part of B <= 0)"
    if sweep is None and uses_exact(algorithm, problem, method):
        if _exact_stable(algorithm, problem, network) >= 1.0:
            return _failed(claim, statement, 0.0, relation, "step not admissible (radius >= 1)", {})
        b0 = exact.noise_floor(algorithm, problem, network, GaussianNoise(0.0))["stationarity"]
        top = exact.noise_floor(algorithm, problem, network, GaussianNoise(max(sigma2s)))["stationarity"]
        evidence = {"method": "exact fixed point", "B(0)": b0, "B(max sigma2)": top,
                    "instance": _instance(problem, network), "algorithm": algorithm.parameters()}
        return CheckResult.compare(claim, statement, b0, 0.0, NUMERICAL_RTOL * top, relation, evidence)
    x, y, evidence, _ = _floors(algorithm, problem, network, "sigma2", sigma2s, None, mc, "simulate",
                                sweep)
    evidence["instance"] = _instance(problem, network)
    if not np.all(np.isfinite(y)):
        return _failed(claim, statement, 0.0, relation, "a run diverged", evidence)
    fit = linear_fit(1.0 / x, y / x, mc.confidence)
    evidence["fit"] = fit.to_dict()
    return CheckResult.compare(claim, statement, fit.slope.value, 0.0, fit.slope.half_width,
                               relation, evidence)


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
    expected curve on quadratics (the run is then deterministic; its horizon is extended until
    ``M_k`` can fall by ``1 / PRECISION_FLOOR`` at the exact asymptotic rate, at most
    :data:`EXACT_MAX_ROUNDS`), otherwise one slope per seed (horizon ``mc.rounds``: a geometric decay
    slower than the horizon looks like a power law) and their mean with a Student-t interval.
    Evidence: orders of magnitude fallen, ``K tau Mbar_K`` at
    ``K/2`` and ``K``.
    """
    mc = mc or MonteCarlo()
    statement = (f"{algorithm.name}: M_k summable (tail log-log slope <= -1), so "
                 "Mbar_K = O(1/(K tau)) with no floor")
    tau = int(getattr(algorithm, "tau", 1))
    evidence: dict[str, Any] = {"instance": _instance(problem, network),
                                "algorithm": algorithm.parameters(), "rounds": mc.rounds}
    if uses_exact(algorithm, problem, method):
        radius = exact.spectral_radius(algorithm, problem, network)
        if radius >= 1.0:
            return _failed(claim, statement, -1.0, "<=", f"spectral radius {radius:.6g} >= 1", evidence)
        # horizon: long enough for M_k to fall by 1/PRECISION_FLOOR at the asymptotic rate radius^2
        rounds = int(min(EXACT_MAX_ROUNDS, max(mc.rounds, np.ceil(np.log(PRECISION_FLOOR)
                                                                  / (2 * np.log(radius))))))
        evidence.update(rounds=rounds, exact_spectral_radius=radius)
        curves = [exact.expected_metrics(algorithm, problem, network, rounds, x0=x0)["stationarity"]]
        evidence["method"] = "exact expected curve"
    elif getattr(algorithm, "batch_size", None) is None:
        trace = simulate(algorithm, problem, network, mc.rounds, mc.seed(0, 0), x0=x0)
        if trace.diverged:
            return _failed(claim, statement, -1.0, "<=", "the run diverged", evidence)
        curves = [trace.values]
        evidence["method"] = "simulation of the deterministic iteration (full gradients, no noise)"
    else:
        traces = replicate(algorithm, problem, network, mc, x0=x0)
        if any(t.diverged for t in traces):
            return _failed(claim, statement, -1.0, "<=", "a run diverged", evidence)
        curves = [t.values for t in traces]
        evidence["method"] = f"simulation, seeds {[t.seed for t in traces]}"
    if not all(np.all(np.isfinite(c)) for c in curves) or max(c[-1] / c[0] for c in curves) > 1e12:
        return _failed(claim, statement, -1.0, "<=", "the iteration diverged", evidence)
    slopes, infos = zip(*(_tail_slope(c, mc.confidence) for c in curves), strict=True)
    k = curves[0].size - 1
    evidence["K_tau_Mbar"] = {
        "K/2": float(np.mean([c[: k // 2].mean() * (k // 2) * tau for c in curves])),
        "K": float(np.mean([c[:k].mean() * k * tau for c in curves])),
    }
    evidence["windows"] = list(infos)
    if len(slopes) == 1:
        slope = slopes[0]
        tol = max(slope.half_width, NUMERICAL_RTOL)
    else:
        slope = mean_ci(np.array([s.value for s in slopes]), mc.confidence)
        tol = slope.half_width
    evidence["slope"] = slope.to_dict()
    return CheckResult.compare(claim, statement, slope.value, -1.0, tol, "<=", evidence)


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
    exact expected curve) and require ``r < 1`` significantly: ``r + half-width < 1``. On quadratics
    the exact spectral radius of the round map (the rate of the mean) is reported alongside.
    """
    mc = mc or MonteCarlo()
    claim, statement = "O1", f"{algorithm.name}: geometric decay of M_k, rate r < 1 (significantly)"
    evidence: dict[str, Any] = {"instance": _instance(problem, network),
                                "algorithm": algorithm.parameters(), "rounds": mc.rounds}
    if type(algorithm) in (LTADMM, LTADMMVR) and exact.is_quadratic(problem):
        radius = exact.spectral_radius(algorithm, problem, network)
        # E[x_k] converges at rate `radius`; M_k is quadratic in x_k, so its rate is radius^2.
        evidence["exact_spectral_radius"] = radius
        evidence["exact_rate_of_mean_metric"] = radius**2
    if uses_exact(algorithm, problem, method):
        curves = [exact.expected_metrics(algorithm, problem, network, mc.rounds)["stationarity"]]
        evidence["method"] = "exact expected curve"
    else:
        traces = replicate(algorithm, problem, network, mc)
        if any(t.diverged for t in traces):
            return _failed(claim, statement, 1.0, "<", "a run diverged", evidence)
        curves = [t.values for t in traces]
        evidence["method"] = f"simulation, seeds {[t.seed for t in traces]}"
    rates = []
    for c in curves:
        k, m, _ = summability_window(c)
        rate, _ = geometric_rate(k, m, mc.confidence)
        rates.append(rate)
    if len(rates) == 1:
        rate = rates[0]
        tol = max(rate.half_width, NUMERICAL_RTOL)
    else:
        rate = mean_ci(np.array([r.value for r in rates]), mc.confidence)
        tol = rate.half_width
    evidence["rate"] = rate.to_dict()
    evidence["per_run_rates"] = [r.value for r in rates]
    # A floor reached slowly also fits a rate < 1: linear convergence needs M_k -> 0 as well, i.e.
    # the summability test of C2 on the same curves.
    slopes = [_tail_slope(c, mc.confidence)[0].value for c in curves]
    summable = mean_ci(np.array(slopes), mc.confidence) if len(slopes) > 1 else None
    upper = slopes[0] if summable is None else summable.value - summable.half_width
    evidence["tail_loglog_slope"] = slopes
    result = CheckResult.compare(claim, statement, rate.value, 1.0, tol, "<", evidence)
    if result.passed and upper > -1.0:
        return dataclasses.replace(result, passed=False,
                                   reason="M_k does not tend to 0 (tail log-log slope > -1): a floor")
    return result


# ---------------------------------------------------------------------------- C3: step size
def critical_step(
    algorithm: Algorithm, problem: Problem, network: Network, *,
    method: str = "auto", rounds: int = 400, rtol: float = 1e-2,
) -> tuple[float, float, str]:
    """Stability threshold of ``gamma`` (``beta / gamma`` and the other parameters fixed).

    Returns ``(gamma_crit, relative_accuracy, how)``: the exact critical step of
    :func:`ltadmm_verify.theory.exact.critical_step_size` (relative accuracy ``1e-6``) when
    :func:`uses_exact` holds and the problem has a unique optimum, otherwise the empirical
    divergence threshold of the full-gradient iteration (relative accuracy ``rtol``).
    """
    params: Any = algorithm
    if uses_exact(algorithm, problem, method) and problem.optimum() is not None:
        g = exact.critical_step_size(problem, network, tau=params.tau, rho=params.rho,
                                     beta_ratio=params.beta / params.gamma, penalty=params.penalty,
                                     alpha=params.alpha, rtol=1e-6)
        return g, 1e-6, "exact critical step (spectral radius of the round map = 1)"
    g = empirical_critical_step(algorithm, problem, network, rounds=rounds, rtol=rtol,
                                x0=np.ones(problem.dim), divergence_factor=1e6, max_step=1e6)
    return g, rtol, f"empirical: largest step without blow-up in {rounds} rounds (bisection, rtol {rtol:g})"


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
    of ``c`` (calibrated, paper or user, with its provenance), relation ``>=``, tolerance
    ``c_i`` times the relative accuracy of ``gamma_crit``. Evidence: the conservativeness
    ``c_i / c`` (how many times larger the true critical step is than the law's step).
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
        return CheckResult(f"{card.id}", statement, implied, float("nan"), acc * implied, ">=", None,
                           evidence, f"{const.name} has no value (unknown constant)")
    return CheckResult.compare(card.id, statement, implied, const.value, acc * implied, ">=", evidence)


def check_c3_tau_exponent(
    algorithm: Algorithm, problem: Problem, network: Network, taus: Sequence[int] = (1, 2, 4, 8), *,
    method: str = "auto", rounds: int = 400, rtol: float = 1e-2, confidence: float = 0.95,
) -> CheckResult:
    r"""C3: the critical step shrinks no faster than the law says, ``gamma_crit ~ tau^s`` with
    ``s >= -2`` (LT-ADMM; ``-3`` for LT-ADMM-VR).

    Fit ``log gamma_crit = a + s log tau`` over ``taus``; tolerance: the slope's confidence
    half-width (the scatter about the power law) plus the relative accuracy of ``gamma_crit``.
    """
    power = 3.0 if isinstance(algorithm, LTADMMVR) else 2.0
    steps, hows = [], []
    for t in taus:
        g, acc, how = critical_step(algorithm.with_values(tau=int(t)), problem, network,
                                    method=method, rounds=rounds, rtol=rtol)
        steps.append(g)
        hows.append(how)
    fit = loglog_slope(np.asarray(taus, dtype=float), np.asarray(steps), confidence)
    tol = (fit.slope.half_width if np.isfinite(fit.slope.half_width) else 0.0) + acc
    statement = (f"{algorithm.name}: critical step decays no faster than tau^-{power:g} "
                 f"(log-log slope >= -{power:g})")
    evidence = {"taus": list(taus), "gamma_crit": steps, "how": hows[0], "fit": fit.to_dict(),
                "instance": _instance(problem, network), "algorithm": algorithm.parameters()}
    return CheckResult.compare("C3.tau", statement, fit.slope.value, -power, tol, ">=", evidence)


# ---------------------------------------------------------------------------- C4: local training
def _mbar_curves(
    algorithm: Algorithm, problem: Problem, network: Network, rounds: int, sigma2: float,
    mc: MonteCarlo, method: str,
) -> tuple[list[FloatArray], bool]:
    """Curves ``M_k`` (one exact expected curve, or one per seed with common seeds ``config=0``)."""
    if uses_exact(algorithm, problem, method):
        noise = GaussianNoise(sigma2) if sigma2 > 0 else None
        if exact.spectral_radius(algorithm, problem, network) >= 1.0:
            return [np.full(rounds + 1, np.inf)], True
        curve = exact.expected_metrics(algorithm, problem, network, rounds, noise=noise)["stationarity"]
        return [curve], True
    traces = replicate(algorithm, problem, network, mc, sigma2=sigma2, rounds=rounds)
    return [t.values if not t.diverged else np.full(rounds + 1, np.inf) for t in traces], False


def check_c4_local_training(
    algorithm: Algorithm, problem: Problem, network: Network, taus: Sequence[int] = (1, 2, 4, 8), *,
    sigma2: float = 0.0, fixed: str = "rounds", mc: MonteCarlo | None = None, method: str = "auto",
) -> CheckResult:
    r"""C4: local training saves communication.

    ``fixed="rounds"`` (the claim): at a fixed number of rounds ``K``, ``tau = taus[1]`` local steps
    give a smaller ``Mbar_K`` than ``tau = taus[0]``: the log-ratio
    ``log(Mbar_K(taus[1]) / Mbar_K(taus[0]))`` must be significantly negative (relation ``<``
    against 0). ``fixed="computation"``: at a fixed number of local steps ``K tau = mc.rounds *
    taus[0]``, the final ``E[M]`` with ``taus[1]`` is no worse than with ``taus[0]`` (relation ``<=``)
    while sending ``taus[1] / taus[0]`` times fewer messages.

    Simulation uses the same seeds for every ``tau`` (paired comparison: the log-ratio is computed per
    seed and averaged with a Student-t interval). The whole sweep over ``taus`` is in the evidence,
    with the first ``tau`` at which the measure stops improving (client drift).
    """
    mc = mc or MonteCarlo()
    if fixed not in ("rounds", "computation"):
        raise InvalidParameterError(f"fixed must be 'rounds' or 'computation', got {fixed!r}")
    per_tau: list[FloatArray] = []
    is_exact = False
    for t in taus:
        alg = algorithm.with_values(tau=int(t))
        k = mc.rounds if fixed == "rounds" else max(1, mc.rounds * int(taus[0]) // int(t))
        curves, is_exact = _mbar_curves(alg, problem, network, k, sigma2, mc, method)
        per_tau.append(np.array([c[:-1].mean() if fixed == "rounds" else c[-1] for c in curves]))
    measure = "Mbar_K" if fixed == "rounds" else "final E[M] at fixed K tau"
    claim = "C4" if fixed == "rounds" else "C4.computation"
    relation = "<" if fixed == "rounds" else "<="
    statement = (f"{algorithm.name}: {measure} with tau={taus[1]} is "
                 f"{'smaller than' if fixed == 'rounds' else 'no worse than'} with tau={taus[0]} "
                 "(log-ratio vs 0)")
    means = [float(np.mean(v)) for v in per_tau]
    drift = next((int(taus[i]) for i in range(1, len(taus)) if means[i] >= means[i - 1]), None)
    evidence: dict[str, Any] = {
        "taus": list(taus), measure: means, "drift_tau": drift, "sigma2": sigma2,
        "rounds": mc.rounds, "fixed": fixed, "instance": _instance(problem, network),
        "algorithm": algorithm.parameters(),
        "method": "exact expected curves" if is_exact else f"simulation, {mc.seeds} seeds",
    }
    if not (np.all(np.isfinite(per_tau[0])) and np.all(np.isfinite(per_tau[1]))):
        return _failed(claim, statement, 0.0, relation, "a run diverged", evidence)
    log_ratio = np.log(per_tau[1]) - np.log(per_tau[0])
    if is_exact:
        est, tol = float(log_ratio[0]), NUMERICAL_RTOL
    else:
        ci = mean_ci(log_ratio, mc.confidence)
        est, tol = ci.value, ci.half_width
        evidence["log_ratio"] = ci.to_dict()
    return CheckResult.compare(claim, statement, est, 0.0, tol, relation, evidence)


# ---------------------------------------------------------------------------- C5: connectivity
def _rate(algorithm: Algorithm, problem: Problem, network: Network, mc: MonteCarlo,
          method: str) -> tuple[float, str]:
    """Asymptotic per-round rate of ``M_k``: squared exact spectral radius, or a geometric fit
    (one deterministic run for full gradients, the mean over ``mc.seeds`` runs otherwise)."""
    if uses_exact(algorithm, problem, method):
        radius = exact.spectral_radius(algorithm, problem, network)
        if radius < 1.0:
            # the iteration converges to its fixed point; M_k -> 0 only if that point is optimal
            at_fixed_point = exact.noise_floor(algorithm, problem, network, GaussianNoise(0.0))
            scale = 1.0 + float(np.sum(problem.gradient(np.zeros(problem.dim)) ** 2))
            if at_fixed_point["stationarity"] > NUMERICAL_RTOL * scale:
                return 1.0, "exact: the fixed point is not optimal (M_k does not tend to 0)"
        return radius**2, "exact (spectral radius^2)"
    if getattr(algorithm, "batch_size", None) is None:
        traces = [simulate(algorithm, problem, network, mc.rounds, mc.seed(0, 0), x0=np.ones(problem.dim))]
    else:
        traces = replicate(algorithm, problem, network, mc, x0=np.ones(problem.dim))
    if any(t.diverged for t in traces):
        return float("inf"), "diverged"
    rates = [geometric_rate(*summability_window(t.values)[:2], mc.confidence)[0].value for t in traces]
    return float(np.mean(rates)), "geometric fit of simulated M_k"


def check_c5_connectivity(
    algorithm: Algorithm, problem: Problem, networks: Sequence[Network], *,
    mc: MonteCarlo | None = None, method: str = "auto",
) -> CheckResult:
    r"""C5: poor connectivity (small ``lambda_l``) slows convergence.

    For each network (same problem, same parameters) the asymptotic rate ``r`` of ``M_k``: exact
    (squared spectral radius of the round map) on quadratics, a geometric fit otherwise. Fit
    ``log(1 - r) = a + s log lambda_l`` across the networks. The claim is that a smaller
    ``lambda_l`` never makes convergence faster: ``s >= 0`` within the slope's confidence
    half-width. Whether the slowdown is significant (``s - half-width > 0``; it is not when another
    mode, e.g. ``gamma mu``, limits the rate on every graph) is in the evidence (``significant``).
    A network on which the iteration does not converge (``r >= 1``, e.g. a disconnected graph) makes
    the check FAIL.
    """
    mc = mc or MonteCarlo()
    claim, statement = "C5", (f"{algorithm.name}: convergence speed 1 - r does not decrease with "
                              "lambda_l (log-log slope >= 0)")
    lam = np.array([n.lambda_l for n in networks])
    rates, hows = zip(*(_rate(algorithm, problem, n, mc, method) for n in networks), strict=True)
    r = np.array(rates)
    evidence: dict[str, Any] = {
        "networks": [n.describe() for n in networks], "rates": r.tolist(), "how": hows[0],
        "algorithm": algorithm.parameters(), "problem": getattr(problem, "name", type(problem).__name__),
    }
    if np.any(~np.isfinite(r)) or np.any(r >= 1.0):
        return _failed(claim, statement, 0.0, ">=", "no convergence on some network (rate >= 1)", evidence)
    if np.any(lam <= 0.0):
        return _failed(claim, statement, 0.0, ">=", "a network is disconnected (lambda_l = 0)", evidence)
    if np.ptp(np.log(lam)) < 1e-9:
        return CheckResult.not_applicable(claim, statement, "all networks have the same lambda_l")
    fit = loglog_slope(lam, 1.0 - r, mc.confidence)
    evidence["fit"] = fit.to_dict()
    evidence["significant"] = bool(fit.slope.low > 0)
    return CheckResult.compare(claim, statement, fit.slope.value, 0.0, fit.slope.half_width, ">=", evidence)
