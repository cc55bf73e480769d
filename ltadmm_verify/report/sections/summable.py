"""C2 and O3 (LT-ADMM-VR converges exactly, with and without the memory reset): ``M_k`` summable."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...algorithms import LTADMM, Algorithm
from ...verify import checks
from ...verify.result import CheckResult
from ..figures import fmt
from ..plots import plot_spec, series
from .common import Case, ClaimOutcome, Instances, cases, labelled

CHECKS = {"C2": checks.check_c2_exact_convergence, "O3": checks.check_o3_no_reset}


def select(claim: str, config: dict[str, Any], instances: Instances) -> list[Case]:
    """Every problem of ``checks.problems`` on ``checks.graph`` with its base LT-ADMM-VR."""
    return cases(config, instances, claim)


def check(claim: str, case: Case) -> CheckResult:
    """The summability test of the claim on one case."""
    return labelled(CHECKS[claim](case.vr, case.problem, case.network, mc=case.mc), case.name)


def compared(claim: str, case: Case) -> list[tuple[str, Algorithm]]:
    """The curves drawn beside the check: VR against plain LT-ADMM (C2), reset against none (O3)."""
    vr = case.vr
    if claim == "C2":
        plain = LTADMM(gamma=vr.gamma, beta=vr.beta, rho=vr.rho, tau=vr.tau, penalty=vr.penalty,
                       batch_size=vr.batch_size)
        return [("LT-ADMM-VR (reset)", vr), ("LT-ADMM, same gamma and |B|", plain)]
    return [("LT-ADMM-VR with reset", vr), ("LT-ADMM-VR without reset", vr.with_values(reset=False))]


def figures(claim: str, case: Case) -> list[dict[str, Any]]:
    """``E[M_k]`` of the compared algorithms against rounds."""
    lines = []
    for label, algorithm in compared(claim, case):
        curve, how = case.mean_curve(algorithm)
        lines.append(series(f"{label} ({how})", np.arange(curve.size), curve))
    return [plot_spec(f"{claim}: {case.name}", "communication round k", "E[M_k] (stationarity measure)",
                      lines, yscale="log")]


def section(claim: str, config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """Check, figure and note of every selected case."""
    outcome = ClaimOutcome([])
    for case in select(claim, config, instances):
        result = check(claim, case)
        outcome.results.append(result)
        outcome.plots += figures(claim, case)
        outcome.seeds = outcome.seeds or case.seeds(case.vr)
        k_tau = result.evidence.get("K_tau_Mbar", {})
        outcome.notes.append(
            f"{case.label}: LT-ADMM-VR gamma = {fmt(case.vr.gamma)} "
            f"({fmt(config['checks']['vr_gamma_fraction'])} x gamma_crit), tau = {case.vr.tau}, "
            f"|B| = {case.vr.batch_size}; K tau Mbar_K at K/2 and K: {fmt(k_tau.get('K/2'))}, "
            f"{fmt(k_tau.get('K'))} (bounded if the rate is O(1/(K tau))).")
    return outcome


def c2(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """C2: LT-ADMM-VR converges exactly (M_k summable)."""
    return section("C2", config, instances)


def o3(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """O3 (open): LT-ADMM-VR without memory reset converges exactly."""
    return section("O3", config, instances)
