"""C1 (LT-ADMM converges to a neighbourhood ``B ~ gamma tau sigma^2``; transient ``O(1/(K tau))``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...verify import checks
from ...verify.result import CheckResult
from ..figures import fmt
from ..plots import plot_spec, series
from .common import Case, ClaimOutcome, Instances, cases, labelled

CLAIM = "C1"
XLABELS = {"sigma2": "noise level sigma^2 (squared gradient units)",
           "gamma": "step size gamma (dimensionless)", "tau": "local steps tau (count)"}


def select(config: dict[str, Any], instances: Instances) -> list[Case]:
    """Every problem of ``checks.problems`` on ``checks.graph`` with its base LT-ADMM."""
    return cases(config, instances, CLAIM)


def sweeps(config: dict[str, Any], case: Case) -> list[tuple[str, list[float], float | None]]:
    """``(parameter, values, fixed sigma^2)`` of the three floor sweeps."""
    c = config["checks"]
    sig_max = max(c["sigma2"])
    return [("sigma2", list(c["sigma2"]), None),
            ("gamma", [f * case.gamma_crit for f in c["gamma_fractions"]], sig_max),
            ("tau", list(c["tau"]), sig_max)]


def check(config: dict[str, Any], case: Case) -> list[CheckResult]:
    """The floor slopes, the vanishing floor and the summable transient on one case."""
    alg, p, n = case.lt_admm, case.problem, case.network
    out = [checks.check_c1_floor(alg, p, n, parameter, values, sigma2=level, mc=case.mc)
           for parameter, values, level in sweeps(config, case)]
    out.append(checks.check_c1_vanishing(alg, p, n, config["checks"]["sigma2"], mc=case.mc))
    out.append(checks.check_c1_transient(alg, p, n, mc=case.mc))
    return [labelled(r, case.name) for r in out]


def figures(config: dict[str, Any], case: Case, results: list[CheckResult]) -> list[dict[str, Any]]:
    """Floor against each swept parameter (with the fit), and ``Mbar_K`` against ``K tau``."""
    plots = []
    for (parameter, values, _), r in zip(sweeps(config, case), results, strict=False):
        ev = r.evidence
        if "values" not in ev:
            continue
        floors = ev.get("floors", ev.get("mean_floor"))
        xs = list(ev["values"])
        plots.append(plot_spec(f"C1 floor vs {parameter}: {case.name}", XLABELS[parameter],
                               "noise floor B = lim E[M_k]",
                               [series(f"measured floor (limit slope {fmt(r.measured)})", xs, floors,
                                       kind="points")],
                               xscale="log", yscale="log",
                               xticks=values if parameter == "tau" else None))
    sig_max = max(config["checks"]["sigma2"])
    curves = []
    for t in config["checks"]["tau"]:
        curve, how = case.mean_curve(case.lt_admm.with_values(tau=int(t)), sigma2=sig_max)
        k = np.arange(1, curve.size)
        curves.append(series(f"tau = {t} ({how})", k * t, np.cumsum(curve[:-1]) / k))
    plots.append(plot_spec(f"C1 Mbar_K vs K tau: {case.name}", "local steps K tau (count)",
                           "Mbar_K = (1/K) sum E[M_k]", curves, xscale="log", yscale="log"))
    return plots


def section(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """Checks, figures and notes of every selected case."""
    outcome = ClaimOutcome([])
    sig_max = max(config["checks"]["sigma2"])
    for case in select(config, instances):
        results = check(config, case)
        outcome.results += results
        outcome.plots += figures(config, case, results)
        outcome.seeds = outcome.seeds or case.seeds(case.lt_admm)
        alg = case.lt_admm
        outcome.notes.append(
            f"{case.label}: LT-ADMM gamma = {fmt(alg.gamma)} ({fmt(config['checks']['gamma_fraction'])}"
            f" x gamma_crit = {fmt(case.gamma_crit)}, {case.how}), tau = {alg.tau}, full local "
            f"gradients + Gaussian noise; sigma^2 = {fmt(sig_max)} in the gamma and tau sweeps and "
            "the curves.")
    return outcome
