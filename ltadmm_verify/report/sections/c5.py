"""C5 (poor connectivity slows convergence): rate versus ``lambda_l`` over the set-up graphs."""

from __future__ import annotations

from typing import Any

from ...verify import checks
from ...verify.result import CheckResult
from ..figures import fmt
from ..plots import plot_spec, series
from .common import Case, ClaimOutcome, Instances, cases, fit_line, labelled

CLAIM = "C5"


def select(config: dict[str, Any], instances: Instances) -> list[Case]:
    """Every problem of ``checks.problems`` with its base LT-ADMM; compared on every set-up graph."""
    return cases(config, instances, CLAIM)


def check(instances: Instances, case: Case) -> CheckResult:
    """The rate-versus-connectivity fit on one problem."""
    networks = list(instances.networks.values())
    return labelled(checks.check_c5_connectivity(case.lt_admm, case.problem, networks, mc=case.mc),
                    case.name)


def figures(instances: Instances, case: Case, result: CheckResult) -> list[dict[str, Any]]:
    """``1 - r`` against ``lambda_l`` with the fit."""
    rates = result.evidence.get("rates", [])
    if not rates:
        return []
    lam = [n.lambda_l for n in instances.networks.values()]
    line = fit_line(result.evidence, lam)
    return [plot_spec(f"C5 speed vs connectivity: {case.name}", "algebraic connectivity lambda_l",
                      "1 - r (r: rate of M_k per round)",
                      [series(", ".join(instances.networks), lam, [1.0 - x for x in rates],
                              kind="points"), *([line] if line else [])],
                      xscale="log", yscale="log")]


def section(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """Check, figure and note of every selected case."""
    outcome = ClaimOutcome([])
    for case in select(config, instances):
        result = check(instances, case)
        outcome.results.append(result)
        outcome.plots += figures(instances, case, result)
        outcome.seeds = outcome.seeds or case.seeds(case.lt_admm)
        outcome.notes.append(
            f"{case.name}: LT-ADMM gamma = {fmt(case.lt_admm.gamma)}, tau = {case.lt_admm.tau} on "
            + ", ".join(f"{g} (lambda_l = {fmt(n.lambda_l)})" for g, n in instances.networks.items()))
    return outcome
