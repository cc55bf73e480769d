"""Claim providers: adapters from the report's configuration to the toolkit's claim checks.

``CLAIM_PROVIDERS[claim](config, instances)`` returns a :class:`~ltadmm_verify.report.claims.ClaimOutcome`
built from the toolkit's own check functions (:mod:`ltadmm_verify.verify.checks`, C6 from
:mod:`ltadmm_verify.reproduce`), never a re-implementation. The adapters choose the instances and
parameters from the configuration and gather the curves the pages plot (exact expected curves from
:mod:`ltadmm_verify.theory.exact`, Monte Carlo means from :mod:`ltadmm_verify.verify.experiments`).
A claim absent from the mapping is reported NOT APPLICABLE ("not implemented").

Step sizes: ``gamma = fraction * gamma_crit`` with ``gamma_crit`` the stability threshold of the
full-gradient LT-ADMM iteration at the largest ``tau`` of ``checks.tau`` (exact critical step on
quadratics, empirical divergence threshold otherwise; :func:`ltadmm_verify.verify.checks.critical_step`),
so every ``tau`` of the sweeps is stable. ``beta = algorithm.beta_ratio * gamma``.

Seeds: claim ``c`` (index in :data:`~ltadmm_verify.report.config.CLAIMS`), problem ``p`` use the
Monte Carlo base seed ``report.seed * 100000 + 10000 c + 1000 p``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ConfigurationError, LTADMMVerifyError
from .claims import ClaimOutcome, ClaimProvider
from .config import CLAIMS
from .figures import fmt
from .plots import plot_spec, series
from .sections import Instances, require

#: ``[reproduction]`` keys passed unchanged to :class:`ltadmm_verify.reproduce.ReproductionConfig`
REPRODUCTION_FIELDS = ("split", "taus", "seeds", "rounds", "tune_rounds", "primary_grid",
                       "secondary_grid", "target_accuracy", "ratios", "record_every")
#: at most this many seeds for the curves drawn beside a simulated check
CURVE_SEEDS = 3


def _checks() -> Any:
    return require("ltadmm_verify.verify.checks", "critical_step")


def _exact(algorithm: Any, problem: Any, network: Any) -> bool:
    measure = require("ltadmm_verify.verify.measure", "exact_applies")
    return bool(measure.exact_applies(algorithm, problem, network))


def _experiments() -> Any:
    return require("ltadmm_verify.verify.experiments", "MonteCarlo", "replicate")


@dataclass
class Case:
    """One problem of ``checks.problems`` on ``checks.graph`` with its base parameters."""

    name: str
    problem: Any
    network: Any
    network_name: str
    gamma_crit: float
    how: str
    lt_admm: Any
    vr: Any
    mc: Any

    @property
    def label(self) -> str:
        """``problem on graph``."""
        return f"{self.name} on {self.network_name}"


def cases(config: dict[str, Any], instances: Instances, claim: str) -> list[Case]:
    """The base LT-ADMM / LT-ADMM-VR of every problem of ``checks.problems`` (module docstring)."""
    checks, exp = _checks(), _experiments()
    algorithms = require("ltadmm_verify.algorithms", "LTADMM", "LTADMMVR")
    c, alg = config["checks"], config["algorithm"]
    network = instances.networks[c["graph"]]
    out = []
    for index, name in enumerate(c["problems"]):
        problem = instances.problems[name]
        tau_max = max(c["tau"])
        smooth = problem.smoothness().per_sample
        guess = 1.0 / (tau_max * (smooth + alg["rho"] * network.max_degree))
        probe = algorithms.LTADMM(gamma=guess, beta=alg["beta_ratio"] * guess, rho=alg["rho"],
                                  tau=tau_max, penalty=alg["penalty"])
        g_crit, _, how = checks.critical_step(probe, problem, network,
                                              rounds=config["theory"]["divergence_rounds"])
        gamma = c["gamma_fraction"] * g_crit
        common = {"beta": alg["beta_ratio"] * gamma, "rho": alg["rho"], "tau": c["base_tau"],
                  "penalty": alg["penalty"]}
        lt = algorithms.LTADMM(gamma=gamma, **common)
        g_vr = c["vr_gamma_fraction"] * g_crit
        vr = algorithms.LTADMMVR(gamma=g_vr, **{**common, "beta": alg["beta_ratio"] * g_vr},
                                 batch_size=c["batch_size"])
        base_seed = config["report"]["seed"] * 100000 + 10000 * CLAIMS.index(claim) + 1000 * index
        mc = exp.MonteCarlo(seeds=c["seeds"], rounds=c["rounds"], base_seed=base_seed)
        out.append(Case(name, problem, network, c["graph"], g_crit, how, lt, vr, mc))
    return out


def _seeds(case: Case, *algorithms: Any) -> int | None:
    """Monte Carlo seeds per configuration if any of ``algorithms`` is simulated on ``case``."""
    simulated = any(not _exact(a, case.problem, case.network) for a in algorithms)
    return case.mc.seeds if simulated else None


def mean_curve(case: Case, algorithm: Any, *, sigma2: float = 0.0) -> tuple[np.ndarray, str]:
    """``E[M_k]``, ``k = 0..K``: exact expected curve when the check would use it, else the mean
    of at most :data:`CURVE_SEEDS` simulated runs (diverged runs padded with NaN)."""
    exp = _experiments()
    exact = require("ltadmm_verify.theory.exact", "expected_metrics")
    k = case.mc.rounds
    if _exact(algorithm, case.problem, case.network):
        noise_mod = require("ltadmm_verify.algorithms", "GaussianNoise")
        noise = noise_mod.GaussianNoise(sigma2) if sigma2 > 0 else None
        curve = exact.expected_metrics(algorithm, case.problem, case.network, k, noise=noise)
        return np.asarray(curve["stationarity"]), "exact expectation"
    mc = dataclasses.replace(case.mc, seeds=min(CURVE_SEEDS, case.mc.seeds))
    traces = exp.replicate(algorithm, case.problem, case.network, mc, sigma2=sigma2, rounds=k)
    padded = np.full((len(traces), k + 1), np.nan)
    for row, trace in zip(padded, traces, strict=True):
        row[: trace.values.size] = trace.values
    return np.nanmean(padded, axis=0), f"mean of {len(traces)} runs"


def _fit_line(evidence: dict[str, Any], x: list[float]) -> dict[str, Any] | None:
    fit = evidence.get("fit")
    if not fit:
        return None
    slope, intercept = fit["slope"]["value"], fit["intercept"]["value"]
    xs = np.geomspace(min(x), max(x), 20)
    return series(f"fit: slope {fmt(slope)} +- {fmt(fit['slope']['half_width'])}", xs,
                  np.exp(intercept) * xs**slope)


# ============================================================================ C1
def claim_c1(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """C1 (LT-ADMM neighbourhood B ~ gamma tau sigma^2; transient O(1/(K tau)))."""
    checks = require("ltadmm_verify.verify.checks", "check_c1_floor", "check_c1_vanishing",
                     "check_c1_transient")
    c = config["checks"]
    results, plots, notes = [], [], []
    seeds = None
    for case in cases(config, instances, "C1"):
        alg, p, n = case.lt_admm, case.problem, case.network
        sig_max = max(c["sigma2"])
        gammas = [f * case.gamma_crit for f in c["gamma_fractions"]]
        sweeps = [
            ("sigma2", c["sigma2"], None, "noise level sigma^2 (squared gradient units)"),
            ("gamma", gammas, sig_max, "step size gamma (dimensionless)"),
            ("tau", c["tau"], sig_max, "local steps tau (count)"),
        ]
        for parameter, values, level, xlabel in sweeps:
            r = checks.check_c1_floor(alg, p, n, parameter, values, sigma2=level, mc=case.mc)
            results.append(dataclasses.replace(r, claim=f"{r.claim} ({case.name})"))
            ev = r.evidence
            floors = ev.get("floors", ev.get("mean_floor"))
            if floors is not None:
                xs = list(ev["values"])
                line = _fit_line(ev, xs)
                plots.append(plot_spec(f"C1 floor vs {parameter}: {case.name}", xlabel,
                                       "noise floor B = lim E[M_k]",
                                       [series("measured floor", xs, floors, kind="points"),
                                        *([line] if line else [])],
                                       xscale="log", yscale="log",
                                       xticks=values if parameter == "tau" else None))
        for fn in (checks.check_c1_vanishing, checks.check_c1_transient):
            r = fn(alg, p, n, mc=case.mc)
            results.append(dataclasses.replace(r, claim=f"{r.claim} ({case.name})"))
        curves = []
        for t in c["tau"]:
            curve, how = mean_curve(case, alg.with_values(tau=int(t)), sigma2=sig_max)
            k = np.arange(1, curve.size)
            mbar = np.cumsum(curve[:-1]) / k
            curves.append(series(f"tau = {t} ({how})", k * t, mbar))
        plots.append(plot_spec(f"C1 Mbar_K vs K tau: {case.name}", "local steps K tau (count)",
                               "Mbar_K = (1/K) sum E[M_k]", curves, xscale="log", yscale="log"))
        seeds = seeds or _seeds(case, alg)
        notes.append(f"{case.label}: LT-ADMM gamma = {fmt(alg.gamma)} "
                     f"({fmt(c['gamma_fraction'])} x gamma_crit = {fmt(case.gamma_crit)}, {case.how}), "
                     f"tau = {alg.tau}, full local gradients + Gaussian noise; sigma^2 = "
                     f"{fmt(sig_max)} in the gamma and tau sweeps and the curves.")
    return ClaimOutcome(results, plots, notes, seeds=seeds)


# ============================================================================ C2, O3
def _summable_claim(claim: str, config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    checks = require("ltadmm_verify.verify.checks", "check_c2_exact_convergence", "check_o3_no_reset")
    fn = checks.check_c2_exact_convergence if claim == "C2" else checks.check_o3_no_reset
    results, plots, notes = [], [], []
    seeds = None
    for case in cases(config, instances, claim):
        r = fn(case.vr, case.problem, case.network, mc=case.mc)
        results.append(dataclasses.replace(r, claim=f"{r.claim} ({case.name})"))
        if claim == "C2":
            vr = case.vr
            plain = type(case.lt_admm)(gamma=vr.gamma, beta=vr.beta, rho=vr.rho, tau=vr.tau,
                                       penalty=vr.penalty, batch_size=vr.batch_size)
            compared = [("LT-ADMM-VR (reset)", vr), ("LT-ADMM, same gamma and |B|", plain)]
        else:
            compared = [("LT-ADMM-VR with reset", case.vr),
                        ("LT-ADMM-VR without reset", case.vr.with_values(reset=False))]
        lines = []
        for label, algorithm in compared:
            curve, how = mean_curve(case, algorithm)
            lines.append(series(f"{label} ({how})", np.arange(curve.size), curve))
        plots.append(plot_spec(f"{claim}: {case.name}", "communication round k",
                               "E[M_k] (stationarity measure)", lines, yscale="log"))
        k_tau = r.evidence.get("K_tau_Mbar", {})
        seeds = seeds or _seeds(case, case.vr)
        notes.append(f"{case.label}: LT-ADMM-VR gamma = {fmt(case.vr.gamma)} "
                     f"({fmt(config['checks']['vr_gamma_fraction'])} x gamma_crit), tau = "
                     f"{case.vr.tau}, |B| = {case.vr.batch_size}; K tau Mbar_K at K/2 and K: "
                     f"{fmt(k_tau.get('K/2'))}, {fmt(k_tau.get('K'))} (bounded if the rate is "
                     "O(1/(K tau))).")
    return ClaimOutcome(results, plots, notes, seeds=seeds)


def claim_c2(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """C2 (LT-ADMM-VR converges exactly, M_k summable)."""
    return _summable_claim("C2", config, instances)


def claim_o3(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """O3 (open: LT-ADMM-VR without memory reset converges exactly)."""
    return _summable_claim("O3", config, instances)


# ============================================================================ C3
def claim_c3(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """C3 (admissible step gamma <= c lambda_l / (L tau^2)): constant per instance, tau exponent."""
    checks = require("ltadmm_verify.verify.checks", "check_c3_step_constant", "check_c3_tau_exponent")
    c = config["checks"]
    rounds = config["theory"]["divergence_rounds"]
    results, plots, notes = [], [], []
    constant_checks = []  # card C3 (LT-ADMM) as the checks returned them, summarised below
    for case in cases(config, instances, "C3"):
        implied, lam = [], []
        for gname, network in instances.networks.items():
            r = checks.check_c3_step_constant(case.lt_admm, case.problem, network, rounds=rounds)
            constant_checks.append(r)
            results.append(dataclasses.replace(r, claim=f"{r.claim} ({case.name}, {gname})"))
            implied.append(r.evidence.get("implied_constant"))
            lam.append(network.lambda_l)
        const = r.evidence.get("constant", {})
        vr = checks.check_c3_step_constant(case.vr, case.problem, case.network, rounds=rounds)
        results.append(dataclasses.replace(vr, claim=f"{vr.claim} ({case.name}, {case.network_name})"))
        tau_series = []
        for algorithm, what in ((case.lt_admm, "LT-ADMM"), (case.vr, "LT-ADMM-VR")):
            r = checks.check_c3_tau_exponent(algorithm, case.problem, case.network, c["tau"],
                                             rounds=rounds)
            results.append(dataclasses.replace(r, claim=f"{r.claim} ({case.name}, {what})"))
            ev = r.evidence
            how = "exact" if ev["how"].startswith("exact") else "empirical"
            tau_series.append(series(f"{what} ({how})", ev["taus"], ev["gamma_crit"], kind="points"))
            line = _fit_line(ev, ev["taus"])
            if line:
                tau_series.append({**line, "label": f"{what} {line['label']}"})
        plots.append(plot_spec(f"C3 critical step vs tau: {case.label}", "local steps tau (count)",
                               "stability threshold gamma_crit", tau_series,
                               xscale="log", yscale="log", xticks=c["tau"]))
        plots.append(plot_spec(f"C3 implied constant vs lambda_l: {case.name}",
                               "algebraic connectivity lambda_l", "implied c = gamma_crit L tau^2 / lambda_l",
                               [series("implied by each graph", lam, implied, kind="points"),
                                series(f"card value {const.get('name', 'c')} = {fmt(const.get('value'))} "
                                       f"({const.get('provenance')})", [0], [const.get("value") or np.nan],
                                       kind="hline")],
                               xscale="log", yscale="log"))
        notes.append(f"{case.name}: base LT-ADMM tau = {case.lt_admm.tau}, beta/gamma = "
                     f"{fmt(case.lt_admm.beta / case.lt_admm.gamma)}, rho = {fmt(case.lt_admm.rho)}; "
                     "threshold: exact critical step on quadratics with full gradients, else the "
                     f"empirical divergence threshold ({rounds} rounds; LT-ADMM-VR with |B| = "
                     f"{case.vr.batch_size}, card C3-VR: gamma <= c_vr lambda_l / (L tau^3)).")
    suite = require("ltadmm_verify.verify.suite", "summarise")
    c3 = suite.summarise(constant_checks).get("C3")
    if c3:
        low, high = c3["conservativeness_range"]
        largest = c3["largest_constant_consistent_with_every_instance"]
        notes.append(f"Card C3 over the {c3['instances']} instances: the largest constant consistent "
                     f"with every instance is {fmt(largest)} (card value "
                     f"{fmt(c3['calibrated_constant'])}); the true critical step is {fmt(low)} to "
                     f"{fmt(high)} times the law's step; {len(c3['failing_instances'])} instance(s) "
                     "admit a smaller constant than the card's.")
    return ClaimOutcome(results, plots, notes, seeds=None)


# ============================================================================ C4
def claim_c4(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """C4 (local training: larger tau, smaller Mbar_K at fixed K; and at fixed computation)."""
    checks = require("ltadmm_verify.verify.checks", "check_c4_local_training", "local_training_sweep")
    c = config["checks"]
    sigma2 = min(c["sigma2"])
    results, plots, notes = [], [], []
    seeds = None
    for case in cases(config, instances, "C4"):
        lines = []
        for fixed in ("rounds", "computation"):
            sweep = checks.local_training_sweep(case.lt_admm, case.problem, case.network, c["tau"],
                                                sigma2=sigma2, fixed=fixed, mc=case.mc)
            if fixed == "rounds":
                r = checks.check_c4_local_training(case.lt_admm, case.problem, case.network, c["tau"],
                                                   sigma2=sigma2, mc=case.mc, sweep=sweep)
                results.append(dataclasses.replace(r, claim=f"{r.claim} ({case.name})"))
            lines.append(series(f"fixed {fixed}: {sweep.measure}", c["tau"], sweep.means(),
                                kind="points"))
        plots.append(plot_spec(f"C4 value of local training: {case.name}", "local steps tau (count)",
                               "stationarity measure", lines, xscale="log", yscale="log",
                               xticks=c["tau"]))
        seeds = seeds or _seeds(case, case.lt_admm)
        notes.append(f"{case.label}: LT-ADMM gamma = {fmt(case.lt_admm.gamma)}, full local gradients "
                     f"+ Gaussian noise sigma^2 = {fmt(sigma2)}; K = {c['rounds']} rounds (fixed "
                     f"rounds) or K tau = {c['rounds'] * min(c['tau'])} local steps (fixed computation).")
    return ClaimOutcome(results, plots, notes, seeds=seeds)


# ============================================================================ C5
def claim_c5(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """C5 (poor connectivity slows convergence): rate versus lambda_l over the set-up graphs."""
    checks = require("ltadmm_verify.verify.checks", "check_c5_connectivity")
    networks = list(instances.networks.values())
    results, plots, notes = [], [], []
    seeds = None
    for case in cases(config, instances, "C5"):
        r = checks.check_c5_connectivity(case.lt_admm, case.problem, networks, mc=case.mc)
        results.append(dataclasses.replace(r, claim=f"{r.claim} ({case.name})"))
        rates = r.evidence.get("rates", [])
        lam = [n.lambda_l for n in networks]
        if rates:
            speed = [1.0 - x for x in rates]
            line = _fit_line(r.evidence, lam)
            plots.append(plot_spec(f"C5 speed vs connectivity: {case.name}",
                                   "algebraic connectivity lambda_l", "1 - r (r: rate of M_k per round)",
                                   [series(", ".join(instances.networks), lam, speed, kind="points"),
                                    *([line] if line else [])], xscale="log", yscale="log"))
        seeds = seeds or _seeds(case, case.lt_admm)
        notes.append(f"{case.name}: LT-ADMM gamma = {fmt(case.lt_admm.gamma)}, tau = "
                     f"{case.lt_admm.tau} on " + ", ".join(f"{g} (lambda_l = {fmt(n.lambda_l)})"
                                                          for g, n in instances.networks.items()))
    return ClaimOutcome(results, plots, notes, seeds=seeds)


# ============================================================================ O1
def claim_o1(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """O1 (open: linear rate of LT-ADMM-VR on strongly convex problems)."""
    checks = require("ltadmm_verify.verify.checks", "check_o1_linear_rate")
    results, plots, notes = [], [], []
    seeds = None
    for case in cases(config, instances, "O1"):
        statement = f"{case.vr.name}: geometric decay of M_k, rate r < 1 (significantly)"
        mu = case.problem.smoothness().mu
        if mu is None or mu <= 0:
            results.append(require("ltadmm_verify.verify.result", "CheckResult").CheckResult
                           .not_applicable(f"O1 ({case.name})", statement,
                                           "the problem is not known to be strongly convex"))
            continue
        r = checks.check_o1_linear_rate(case.vr, case.problem, case.network, mc=case.mc)
        results.append(dataclasses.replace(r, claim=f"{r.claim} ({case.name})"))
        curve, how = mean_curve(case, case.vr)
        k = np.arange(curve.size)
        rate = r.evidence.get("rate", {}).get("value")
        lines = [series(f"E[M_k] ({how})", k, curve)]
        if rate is not None and np.isfinite(rate) and rate > 0:
            lines.append(series(f"r^k M_0, fitted r = {fmt(rate)}", k, curve[0] * rate**k))
        plots.append(plot_spec(f"O1 linear rate: {case.name}", "communication round k",
                               "E[M_k] (stationarity measure)", lines, yscale="log"))
        seeds = seeds or _seeds(case, case.vr)
        extra = r.evidence.get("exact_rate_of_mean_metric")
        notes.append(f"{case.label}: mu = {fmt(mu)}; LT-ADMM-VR gamma = {fmt(case.vr.gamma)}, tau = "
                     f"{case.vr.tau}, |B| = {case.vr.batch_size}"
                     + (f"; exact rate of the mean metric (spectral radius^2) = {fmt(extra)}"
                        if extra is not None else "") + ".")
    return ClaimOutcome(results, plots, notes, seeds=seeds)


# ============================================================================ C6
def reproduction_config(config: dict[str, Any]) -> Any:
    """The :class:`~ltadmm_verify.reproduce.ReproductionConfig` of the ``[reproduction]`` table.

    Raises
    ------
    ConfigurationError
        If the reproduction rejects a value, or ``verdict_ratio`` is not one of ``ratios``.
    """
    mod = require("ltadmm_verify.reproduce", "ReproductionConfig", "reproduce")
    table = config["reproduction"]
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in table.items()
              if k in REPRODUCTION_FIELDS}
    try:
        repro = dataclasses.replace(mod.ReproductionConfig(), n_agents=config["setup"]["agents"],
                                    data_seed=config["setup"]["data_seed"], **values)
    except LTADMMVerifyError as error:
        raise ConfigurationError(f"reproduction: {error}") from None
    if table["verdict_ratio"] not in repro.ratios:
        raise ConfigurationError(f"reproduction.verdict_ratio must be one of reproduction.ratios "
                                 f"{list(repro.ratios)}, got {table['verdict_ratio']!r}")
    return repro


def claim_c6(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """C6 from :func:`ltadmm_verify.reproduce.reproduce`: verdict at ``verdict_ratio``, table, curves."""
    mod = require("ltadmm_verify.reproduce", "reproduce", "modelled_time", "LT_FAMILY", "BASELINES")
    result = mod.reproduce(reproduction_config(config))
    verdict_ratio = config["reproduction"]["verdict_ratio"]
    ratios = list(result.config.ratios)
    check = result.c6_check(verdict_ratio)
    rows = result.table()
    table = {
        "title": f"Rounds and modelled time (units of t_grad) to {result.config.target_accuracy:.0%} "
                 "test accuracy, mean over seeds (inf: not reached by every seed)",
        "header": ["method", "tau", "reached", "rounds", *[f"T (r={r:g})" for r in ratios],
                   "final acc."],
        "rows": [[r["method"], str(r["tau"]), f"{r['seeds_reaching']}/{r['seeds']}",
                  fmt(r["rounds_to_target"]), *[fmt(r["time_to_target"][str(x)]) for x in ratios],
                  fmt(r["final_accuracy_mean"])] for r in rows],
    }
    methods = list(result.config.methods)
    best = {m: result.best((m,), verdict_ratio)[0] for m in methods}
    per_ratio = [series(m, ratios, [result.best((m,), r)[1] for r in ratios], kind="points")
                 for m in methods]

    def mean_curve(entry: Any, key: str) -> tuple[np.ndarray, np.ndarray]:
        runs = [{k: np.asarray(v, dtype=float) for k, v in h.items()} for h in entry.runs]
        n = min(len(h["round"]) for h in runs)
        x = mod.modelled_time(runs[0], verdict_ratio, result.grad_unit, result.comm_unit)[:n]
        return x, np.mean([h[key][:n] for h in runs], axis=0)

    acc, stat = [], []
    for m, entry in best.items():
        if entry is None:
            continue
        x, y = mean_curve(entry, "accuracy")
        acc.append(series(f"{m} (tau={entry.tau})", x, y))
        x, y = mean_curve(entry, "stationarity")
        stat.append(series(f"{m} (tau={entry.tau})", x, y))
    acc.append(series("target", [0], [result.config.target_accuracy], kind="hline"))
    xlabel = f"modelled time T (units of t_grad), t_comm/t_grad = {verdict_ratio:g}"
    plots = [
        plot_spec("Time to target (best tau per method)",
                  "t_comm / t_grad (dimensionless)", "modelled time to target (units of t_grad)",
                  per_ratio, xscale="log", yscale="log"),
        plot_spec("Test accuracy, mean over seeds", xlabel,
                  "test accuracy of x_bar (fraction)", acc),
        plot_spec("Stationarity, mean over seeds", xlabel,
                  r"$M_k$ (stationarity measure)", stat, yscale="log"),
    ]
    other = [result.c6_check(r) for r in ratios if r != verdict_ratio]
    notes = [f"Instance: {result.instance['problem']}, N = {result.instance['n_agents']} agents on a "
             f"{result.instance['graph']}, d = {result.instance['dim']}, |B| = "
             f"{result.config.batch_size}; step sizes chosen by the same grid search for every "
             "method (ltadmm_verify.reproduce). The verdict is held at t_comm/t_grad = "
             f"{verdict_ratio:g} (communication expensive); at the other ratios (informative): "
             + "; ".join(f"r = {c.evidence.get('ratio_t_comm_over_t_grad', '?')}: measured "
                         f"{fmt(c.measured)} -> {c.verdict}" for c in other) + "."]
    return ClaimOutcome([check], plots, notes, [table])


CLAIM_PROVIDERS: dict[str, ClaimProvider] = {
    "C1": claim_c1, "C2": claim_c2, "C3": claim_c3, "C4": claim_c4, "C5": claim_c5,
    "O1": claim_o1, "O3": claim_o3, "C6": claim_c6,
}


def check_configuration(config: dict[str, Any]) -> None:
    """Checks of the configuration that need the providers' own validation (before computing)."""
    c, setup = config["checks"], config["setup"]
    for name in c["problems"]:
        if name not in setup["problems"]:
            raise ConfigurationError(f"checks.problems must be a subset of setup.problems "
                                     f"{setup['problems']}, got {name!r}")
    if c["graph"] not in setup["graphs"]:
        raise ConfigurationError(f"checks.graph must be one of setup.graphs {setup['graphs']}, "
                                 f"got {c['graph']!r}")
    if len(c["tau"]) < 2 or len(c["sigma2"]) < 2 or len(c["gamma_fractions"]) < 2:
        raise ConfigurationError("checks.tau, checks.sigma2 and checks.gamma_fractions must hold at "
                                 "least two values each (slopes are fitted over them)")
    try:
        Instances.from_config(config)
    except LTADMMVerifyError as error:
        raise ConfigurationError(f"setup: {error}") from None
    if "C6" in config["report"]["claims"]:
        reproduction_config(config)
