"""Every claim check on a fixed, documented set of instances: :func:`run_all_checks`.

This is what the verification report summarises. The instances (all seeded):

- ``quadratic``: ``random_quadratic(8, 2, mu=0.5, L=2, seed=0)`` on a ring of 8 (exact analysis);
- ``least squares``: ``random_least_squares(8, 3, 10, seed=0)`` on a ring of 8 (simulation);
- ``logistic``: ``random_logistic(6, 3, 10, l2=0.1, seed=0)`` on a ring of 6 (simulation).

Parameters: ``rho = 1``, ``beta = gamma``, frozen penalty. For LT-ADMM, ``gamma`` is half of the
smaller of the exact critical step and the step the theorem card C3 admits, both at ``tau = 8`` (so
every ``tau <= 8`` of a sweep is inside); on the simulated problems ``gamma = 0.5 / (tau_max (L + rho
d_max))``. LT-ADMM-VR: ``tau = 2``, ``batch_size = 1``, ``gamma = 0.5 / (tau (L + rho d_max))``.
C3 is evaluated on quadratics over graph families, ``rho`` and ``beta / gamma`` (including those
outside the calibration family of ``c_gamma``), C5 over path, ring, tree, Erdos-Renyi, grid and
complete graphs of the same size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._validation import integer_at_least
from ..algorithms import LTADMM, LTADMMVR
from ..network import Network, make_network
from ..problems import Problem, random_least_squares, random_logistic, random_quadratic
from ..theory.admissibility import admissible_step_size
from . import checks
from .experiments import MonteCarlo, floor_sweep
from .result import CheckResult
from .verdict import Verdict

#: ``progress(done, total, label)`` is called after every check.
Progress = Callable[[int, int, str], None]
TAUS = (1, 2, 4, 8)
SIGMA2S = (0.01, 0.1, 1.0)


@dataclass(frozen=True)
class SuiteConfig:
    """How much :func:`run_all_checks` does.

    Attributes
    ----------
    quick : bool
        Fewer seeds, rounds and instances (about a minute on two cores) instead of the full set.
    seeds, rounds : int or None
        Override the Monte Carlo size (defaults: 3 seeds and 200 rounds when quick, 8 and 600 else).
    base_seed : int
        First seed of every simulation.
    """

    quick: bool = True
    seeds: int | None = None
    rounds: int | None = None
    base_seed: int = 0

    def monte_carlo(self) -> MonteCarlo:
        """The Monte Carlo size of the simulated checks."""
        seeds = self.seeds if self.seeds is not None else (3 if self.quick else 8)
        rounds = self.rounds if self.rounds is not None else (200 if self.quick else 600)
        return MonteCarlo(seeds=integer_at_least("seeds", seeds, 2),
                          rounds=integer_at_least("rounds", rounds, 20), base_seed=self.base_seed)


def _admissible(problem: Problem, network: Network, tau: int) -> float:
    """Half the smaller of the exact critical step and the C3 card's step, at ``tau``."""
    crit, _, _ = checks.critical_step(LTADMM(1e-3, 1e-3, 1.0, tau), problem, network)
    law = admissible_step_size(problem, network, tau=tau, rho=1.0, exact=False).gamma_max
    return 0.5 * min(crit, crit if law is None else law)


def _heuristic(problem: Problem, network: Network, tau: int) -> float:
    return 0.5 / (tau * (problem.smoothness().per_sample + network.max_degree))


def _plan(config: SuiteConfig) -> list[tuple[str, Callable[[], list[CheckResult]]]]:
    """The checks to run, as ``(label, thunk)`` pairs."""
    mc = config.monte_carlo()
    n_quad = 8
    quad, ring = random_quadratic(n_quad, 2, mu=0.5, L=2.0, seed=0), make_network("ring", n_quad)
    lsq = random_least_squares(8, 3, 10, seed=0)
    logi, ring6 = random_logistic(6, 3, 10, l2=0.1, seed=0), make_network("ring", 6)
    g_quad = _admissible(quad, ring, max(TAUS))
    alg_quad = LTADMM(g_quad, g_quad, 1.0, 4)
    g_log = _heuristic(logi, ring6, max(TAUS))
    alg_log = LTADMM(g_log, g_log, 1.0, 2)

    def vr(problem: Problem, network: Network) -> LTADMMVR:
        g = _heuristic(problem, network, 2)
        return LTADMMVR(g, g, 1.0, 2, batch_size=1)

    def c1_logistic() -> list[CheckResult]:
        sweep = floor_sweep(alg_log, logi, ring6, "sigma2", list(SIGMA2S), mc)
        return [checks.check_c1_floor(alg_log, logi, ring6, "sigma2", SIGMA2S, mc=mc, sweep=sweep),
                checks.check_c1_vanishing(alg_log, logi, ring6, mc=mc, sweep=sweep)]

    def c3() -> list[CheckResult]:
        out = []
        sizes = (4, 8) if config.quick else (4, 8, 16)
        for n in sizes:
            problem = random_quadratic(n, 2, mu=0.5, L=2.0, seed=n)
            for family in ("ring", "path", "star", "complete"):
                network = make_network(family, n)
                for rho, ratio in ((1.0, 1.0), (2.0, 1.0), (1.0, 10.0)):
                    out.append(checks.check_c3_step_constant(
                        LTADMM(1e-3, 1e-3 * ratio, rho, 2), problem, network))
        out.append(checks.check_c3_tau_exponent(alg_quad, quad, ring, TAUS))
        return out

    def c4() -> list[CheckResult]:
        base = LTADMM(g_quad, g_quad, 1.0, 1)
        k = MonteCarlo(rounds=100)
        log1 = LTADMM(g_log, g_log, 1.0, 1, batch_size=2)
        return [checks.check_c4_local_training(base, quad, ring, TAUS, mc=k),
                checks.check_c4_local_training(log1, logi, ring6, TAUS,
                                               mc=MonteCarlo(mc.seeds, 100, mc.base_seed))]

    def c5() -> list[CheckResult]:
        nets = [make_network(f, n_quad) for f in ("path", "ring", "tree", "erdos-renyi", "grid",
                                                  "complete")]
        g = min(_admissible(quad, net, 4) for net in nets)
        out = [checks.check_c5_connectivity(LTADMM(g, g, 1.0, 4), quad, nets)]
        if not config.quick:
            log_nets = [make_network(f, 6) for f in ("path", "ring", "complete")]
            g_l = min(_heuristic(logi, net, 4) for net in log_nets)
            out.append(checks.check_c5_connectivity(LTADMM(g_l, g_l, 1.0, 4), logi, log_nets, mc=mc))
        return out

    def vr_checks(check: Callable[..., CheckResult]) -> Callable[[], list[CheckResult]]:
        return lambda: [check(vr(lsq, ring), lsq, ring, mc=mc), check(vr(logi, ring6), logi, ring6, mc=mc)]

    return [
        ("C1 floor vs sigma^2, gamma, tau (quadratic, exact)", lambda: [
            checks.check_c1_floor(alg_quad, quad, ring, "sigma2", SIGMA2S),
            checks.check_c1_floor(alg_quad, quad, ring, "gamma", [g_quad / 4, g_quad / 2, g_quad],
                                  sigma2=0.1),
            checks.check_c1_floor(alg_quad, quad, ring, "tau", TAUS, sigma2=0.1),
            checks.check_c1_vanishing(alg_quad, quad, ring),
            checks.check_c1_transient(alg_quad, quad, ring, mc=MonteCarlo(rounds=2000)),
        ]),
        ("C1 floor vs sigma^2 (logistic, simulated)", c1_logistic),
        ("C1 transient (logistic, simulated)", lambda: [
            checks.check_c1_transient(alg_log, logi, ring6, mc=MonteCarlo(2, 4 * mc.rounds))]),
        ("C2 exact convergence of LT-ADMM-VR", vr_checks(checks.check_c2_exact_convergence)),
        ("O3 LT-ADMM-VR without reset", vr_checks(checks.check_o3_no_reset)),
        ("O1 linear rate of LT-ADMM-VR", vr_checks(checks.check_o1_linear_rate)),
        ("C3 step-size law", c3),
        ("C4 local training", c4),
        ("C5 connectivity", c5),
    ]


def run_all_checks(
    config: SuiteConfig | None = None, *, progress: Progress | None = None
) -> list[CheckResult]:
    """Run every claim check of SPEC section 4 (except C6) on the documented instances.

    Parameters
    ----------
    config : SuiteConfig, optional
        ``SuiteConfig(quick=True)`` by default.
    progress : callable, optional
        ``progress(done, total, label)`` after each group of checks.

    Returns
    -------
    list of CheckResult
        In the order C1, C2, O3, O1, C3, C4, C5; each with its evidence (instance, seeds, CIs).
        (C4's fixed-computation sweep is not a claim of the paper and has no check.)
    """
    config = config or SuiteConfig()
    plan = _plan(config)
    results: list[CheckResult] = []
    for done, (label, thunk) in enumerate(plan, start=1):
        results.extend(thunk())
        if progress is not None:
            progress(done, len(plan), label)
    return results


def summarise(results: list[CheckResult]) -> dict[str, Any]:
    """Counts per verdict and, for C3, the constant consistent with every instance and the
    conservativeness range of the calibrated law."""
    c3 = [r for r in results if r.claim in ("C3", "C3-VR") and r.verdict != Verdict.NOT_APPLICABLE]
    out: dict[str, Any] = {str(v): sum(r.verdict == v for r in results) for v in Verdict}
    if c3:
        out["C3"] = {
            "largest_constant_consistent_with_every_instance": min(r.measured for r in c3),
            "calibrated_constant": c3[0].bound,
            "conservativeness_range": [min(r.measured / r.bound for r in c3),
                                       max(r.measured / r.bound for r in c3)],
            "instances": len(c3),
            "failing_instances": [r.evidence["instance"] | {"rho": r.evidence["algorithm"]["rho"],
                                                            "beta_ratio": r.evidence["algorithm"]["beta"]
                                                            / r.evidence["algorithm"]["gamma"]}
                                  for r in c3 if r.verdict == Verdict.FAIL],
        }
    return out
