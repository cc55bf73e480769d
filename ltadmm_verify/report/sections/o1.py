"""O1 (open: linear rate of LT-ADMM-VR on strongly convex problems)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...verify import checks
from ...verify.result import CheckResult
from ..figures import fmt
from ..plots import plot_spec, series
from .common import Case, ClaimOutcome, Instances, cases, labelled

CLAIM = "O1"


def select(config: dict[str, Any], instances: Instances) -> list[Case]:
    """Every problem of ``checks.problems``; those not known to be strongly convex are kept (the
    check reports them NOT APPLICABLE)."""
    return cases(config, instances, CLAIM)


def check(case: Case) -> CheckResult:
    """The linear-rate check, or NOT APPLICABLE without strong convexity."""
    mu = case.problem.smoothness().mu
    if mu is None or mu <= 0:
        statement = f"{case.vr.name}: geometric decay of M_k, rate r < 1 (significantly)"
        return CheckResult.not_applicable(f"O1 ({case.name})", statement,
                                          "the problem is not known to be strongly convex")
    return labelled(checks.check_o1_linear_rate(case.vr, case.problem, case.network, mc=case.mc),
                    case.name)


def figures(case: Case, result: CheckResult) -> list[dict[str, Any]]:
    """``E[M_k]`` with the fitted geometric decay."""
    curve, how = case.mean_curve(case.vr)
    k = np.arange(curve.size)
    lines = [series(f"E[M_k] ({how})", k, curve)]
    rate = result.evidence.get("rate", {}).get("value")
    if rate is not None and np.isfinite(rate) and rate > 0:
        lines.append(series(f"r^k M_0, fitted r = {fmt(rate)}", k, curve[0] * rate**k))
    return [plot_spec(f"O1 linear rate: {case.name}", "communication round k",
                      "E[M_k] (stationarity measure)", lines, yscale="log")]


def section(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """Check, figure and note of every selected case."""
    outcome = ClaimOutcome([])
    for case in select(config, instances):
        result = check(case)
        outcome.results.append(result)
        if not result.applicable:
            continue
        outcome.plots += figures(case, result)
        outcome.seeds = outcome.seeds or case.seeds(case.vr)
        extra = result.evidence.get("exact_rate_of_mean_metric")
        outcome.notes.append(
            f"{case.label}: mu = {fmt(case.problem.smoothness().mu)}; LT-ADMM-VR gamma = "
            f"{fmt(case.vr.gamma)}, tau = {case.vr.tau}, |B| = {case.vr.batch_size}"
            + (f"; exact rate of the mean metric (spectral radius^2) = {fmt(extra)}"
               if extra is not None else "") + ".")
    return outcome
