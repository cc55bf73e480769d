"""C3 (admissible step ``gamma <= c lambda_l / (L tau^2)``): implied constant per graph, tau exponent."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...verify import checks
from ...verify.result import CheckResult
from ...verify.suite import summarise
from ..figures import fmt
from ..plots import plot_spec, series
from .common import Case, ClaimOutcome, Instances, cases, fit_line, labelled

CLAIM = "C3"


def select(config: dict[str, Any], instances: Instances) -> list[Case]:
    """Every problem of ``checks.problems``; the constant is evaluated on every set-up graph."""
    return cases(config, instances, CLAIM)


def check(config: dict[str, Any], instances: Instances, case: Case) -> dict[str, list[CheckResult]]:
    """Card C3 on every graph, card C3-VR on the case's graph, the tau exponent of both."""
    rounds = config["theory"]["divergence_rounds"]
    constant = [labelled(checks.check_c3_step_constant(case.lt_admm, case.problem, network,
                                                       rounds=rounds), case.name, gname)
                for gname, network in instances.networks.items()]
    vr = labelled(checks.check_c3_step_constant(case.vr, case.problem, case.network, rounds=rounds),
                  case.name, case.network_name)
    exponent = [labelled(checks.check_c3_tau_exponent(alg, case.problem, case.network,
                                                      config["checks"]["tau"], rounds=rounds),
                         case.name, what)
                for alg, what in ((case.lt_admm, "LT-ADMM"), (case.vr, "LT-ADMM-VR"))]
    return {"constant": constant, "vr": [vr], "exponent": exponent}


def figures(config: dict[str, Any], instances: Instances, case: Case,
            results: dict[str, list[CheckResult]]) -> list[dict[str, Any]]:
    """Critical step against tau (with fits), implied constant against lambda_l."""
    tau_series = []
    for r, what in zip(results["exponent"], ("LT-ADMM", "LT-ADMM-VR"), strict=True):
        ev = r.evidence
        how = "exact" if ev["how"].startswith("exact") else "empirical"
        tau_series.append(series(f"{what} ({how})", ev["taus"], ev["gamma_crit"], kind="points"))
        line = fit_line(ev, ev["taus"])
        if line:
            tau_series.append({**line, "label": f"{what} {line['label']}"})
    const = results["constant"][0].evidence.get("constant", {})
    implied = [r.evidence.get("implied_constant") for r in results["constant"]]
    lam = [n.lambda_l for n in instances.networks.values()]
    return [
        plot_spec(f"C3 critical step vs tau: {case.label}", "local steps tau (count)",
                  "stability threshold gamma_crit", tau_series, xscale="log", yscale="log",
                  xticks=config["checks"]["tau"]),
        plot_spec(f"C3 implied constant vs lambda_l: {case.name}", "algebraic connectivity lambda_l",
                  "implied c = gamma_crit L tau^2 / lambda_l",
                  [series("implied by each graph", lam, implied, kind="points"),
                   series(f"card value {const.get('name', 'c')} = {fmt(const.get('value'))} "
                          f"({const.get('provenance')})", [0], [const.get("value") or np.nan],
                          kind="hline")],
                  xscale="log", yscale="log"),
    ]


def section(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """Checks, figures and notes of every selected case, and the constant over all instances."""
    outcome = ClaimOutcome([])
    constant_checks: list[CheckResult] = []
    rounds = config["theory"]["divergence_rounds"]
    for case in select(config, instances):
        results = check(config, instances, case)
        constant_checks += results["constant"]
        outcome.results += results["constant"] + results["vr"] + results["exponent"]
        outcome.plots += figures(config, instances, case, results)
        outcome.notes.append(
            f"{case.name}: base LT-ADMM tau = {case.lt_admm.tau}, beta/gamma = "
            f"{fmt(case.lt_admm.beta / case.lt_admm.gamma)}, rho = {fmt(case.lt_admm.rho)}; threshold: "
            "exact critical step on quadratics with full gradients, else the empirical divergence "
            f"threshold ({rounds} rounds; LT-ADMM-VR with |B| = {case.vr.batch_size}, card C3-VR: "
            "gamma <= c_vr lambda_l / (L tau^3)).")
    c3 = summarise(constant_checks).get("C3")
    if c3:
        low, high = c3["conservativeness_range"]
        outcome.notes.append(
            f"Card C3 over the {c3['instances']} instances: the largest constant consistent with every "
            f"instance is {fmt(c3['largest_constant_consistent_with_every_instance'])} (card value "
            f"{fmt(c3['calibrated_constant'])}); the true critical step is {fmt(low)} to {fmt(high)} "
            f"times the law's step; {len(c3['failing_instances'])} instance(s) admit a smaller "
            "constant than the card's.")
    return outcome
