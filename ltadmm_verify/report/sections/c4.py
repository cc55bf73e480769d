"""C4 (local training saves communication): the verdict from the fixed-``K`` sweep; the sweep at
fixed computation ``K tau`` (a trade-off the paper does not claim) is shown without a verdict."""

from __future__ import annotations

from typing import Any

from ...verify import checks
from ...verify.checks import TauSweep
from ...verify.result import CheckResult
from ..figures import fmt
from ..plots import plot_spec, series
from .common import Case, ClaimOutcome, Instances, cases, labelled

CLAIM = "C4"


def select(config: dict[str, Any], instances: Instances) -> list[Case]:
    """Every problem of ``checks.problems`` on ``checks.graph`` with its base LT-ADMM."""
    return cases(config, instances, CLAIM)


def sweep(config: dict[str, Any], case: Case, fixed: str) -> TauSweep:
    """The measure along ``checks.tau`` at fixed rounds or fixed computation (smallest sigma^2)."""
    c = config["checks"]
    return checks.local_training_sweep(case.lt_admm, case.problem, case.network, c["tau"],
                                       sigma2=min(c["sigma2"]), fixed=fixed, mc=case.mc)


def check(config: dict[str, Any], case: Case, rounds: TauSweep) -> CheckResult:
    """The claim: fixed ``K``."""
    c = config["checks"]
    return labelled(checks.check_c4_local_training(case.lt_admm, case.problem, case.network, c["tau"],
                                                   sigma2=min(c["sigma2"]), mc=case.mc, sweep=rounds),
                    case.name)


def figures(case: Case, sweeps: list[TauSweep]) -> list[dict[str, Any]]:
    """Both measures against ``tau``."""
    lines = [series(f"fixed {s.fixed}: {s.measure}" + ("" if s.fixed == "rounds" else " (no verdict)"),
                    s.taus, s.means(), kind="points") for s in sweeps]
    return [plot_spec(f"C4 value of local training: {case.name}", "local steps tau (count)",
                      "stationarity measure", lines, xscale="log", yscale="log",
                      xticks=sweeps[0].taus)]


def table(case: Case, computation: TauSweep) -> dict[str, Any]:
    """The fixed-computation sweep as a table (shown, not judged)."""
    return {"title": f"{case.name}: fixed computation K tau = {computation.rounds[0] * computation.taus[0]}"
                     " local steps (no verdict: the paper does not claim this trade-off)",
            "header": ["tau", "rounds K", "messages (relative)", computation.measure],
            "widths": [0.5, 0.8, 1.2, 1.5],
            "rows": [[str(t), str(k), fmt(k / computation.rounds[0]), fmt(m)]
                     for t, k, m in zip(computation.taus, computation.rounds, computation.means(),
                                        strict=True)]}


def section(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """Check, figure, table and note of every selected case."""
    outcome = ClaimOutcome([])
    c = config["checks"]
    for case in select(config, instances):
        rounds, computation = sweep(config, case, "rounds"), sweep(config, case, "computation")
        outcome.results.append(check(config, case, rounds))
        outcome.plots += figures(case, [rounds, computation])
        outcome.tables.append(table(case, computation))
        outcome.seeds = outcome.seeds or case.seeds(case.lt_admm)
        outcome.notes.append(
            f"{case.label}: LT-ADMM gamma = {fmt(case.lt_admm.gamma)}, full local gradients + Gaussian "
            f"noise sigma^2 = {fmt(min(c['sigma2']))}; verdict at K = {c['rounds']} rounds, tau = "
            f"{c['tau'][1]} against {c['tau'][0]}; the fixed-computation sweep (K tau = "
            f"{c['rounds'] * min(c['tau'])} local steps) is shown without a verdict.")
    return outcome
