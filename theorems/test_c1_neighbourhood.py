"""C1: LT-ADMM converges to a neighbourhood, ``Mbar_K <= A/(K tau) + B`` with ``B ~ gamma tau sigma^2``.

Quadratics: exact analysis (stationary Lyapunov covariance, exact expected curves). Logistic:
simulation with Student-t confidence intervals over independent seeds.
"""

from __future__ import annotations

import math

from hypothesis import given, note, settings, target
from hypothesis import strategies as st

from ltadmm_verify import LTADMM
from ltadmm_verify.verify import Verdict, checks
from ltadmm_verify.verify import strategies as lst
from ltadmm_verify.verify.experiments import MonteCarlo, floor_sweep

TAUS = (1, 2, 4, 8)
SIM_EXAMPLES = max(2, settings.default.max_examples // 3)


@given(data=st.data(), instance=lst.instances("quadratic", max_nodes=12, max_dim=3))
def test_c1_floor_scaling_exact(data, instance, record):
    """Floor vs sigma^2 (slope >= 1), vs gamma (slope >= 1), vs tau (slope <= 1), B(0) = 0 and a
    summable transient, on quadratics with an admissible step for every tau of the sweep."""
    problem, network = instance
    alg = data.draw(lst.ltadmm_algorithms(problem, network, critical_taus=TAUS))
    sigma2 = data.draw(lst.noise_levels(), label="sigma2")
    note(f"network {network.describe()}, algorithm {alg.parameters()}, sigma2 {sigma2}")
    results = [
        checks.check_c1_floor(alg, problem, network, "sigma2", [sigma2 / 100, sigma2 / 10, sigma2]),
        checks.check_c1_floor(alg, problem, network, "gamma", [alg.gamma / 4, alg.gamma / 2, alg.gamma],
                              sigma2=sigma2),
        checks.check_c1_floor(alg, problem, network, "tau", TAUS, sigma2=sigma2),
        checks.check_c1_vanishing(alg, problem, network),
        checks.check_c1_transient(alg, problem, network, mc=MonteCarlo(rounds=400)),
    ]
    if math.isfinite(results[1].measured):
        target(-results[1].measured, label="C1.gamma slope (smaller is worse)")
    if math.isfinite(results[2].measured):
        target(results[2].measured, label="C1.tau slope (larger is worse)")
    for r in results:
        record(r)
        note(f"{r.claim}: {r.verdict} measured {r.measured:.6g} {r.relation} {r.bound} +- {r.tolerance:.3g}")
    assert not any(r.verdict == Verdict.FAIL for r in results), [r.line() for r in results]


@settings(max_examples=SIM_EXAMPLES)
@given(instance=lst.instances("logistic", min_nodes=2, max_nodes=6, max_dim=3),
       tau=st.integers(1, 3), fraction=st.floats(0.1, 0.5))
def test_c1_floor_scaling_logistic_simulated(instance, tau, fraction, record):
    """Logistic regression with Gaussian gradient noise: floor slope in sigma^2 >= 1 and the
    sigma^2-independent part <= 0, from tail means of independent runs (Student-t intervals)."""
    problem, network = instance
    L = problem.smoothness().per_sample
    gamma = fraction / (tau * (L + network.max_degree))
    alg = LTADMM(gamma, gamma, 1.0, tau)
    mc = MonteCarlo(seeds=4, rounds=200)
    sweep = floor_sweep(alg, problem, network, "sigma2", [0.01, 0.1, 1.0], mc)
    results = [checks.check_c1_floor(alg, problem, network, "sigma2", sweep.values, mc=mc, sweep=sweep),
               checks.check_c1_vanishing(alg, problem, network, mc=mc, sweep=sweep)]
    for r in results:
        record(r)
        note(f"{r.claim}: {r.verdict} measured {r.measured:.6g} {r.relation} {r.bound} +- {r.tolerance:.3g}")
    assert not any(r.verdict == Verdict.FAIL for r in results), [r.line() for r in results]
