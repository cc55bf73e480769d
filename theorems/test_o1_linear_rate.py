"""O1 (open question): LT-ADMM-VR converges linearly on strongly convex problems.

Least squares (strongly convex when ``sum_i A_i^T A_i`` is nonsingular) and l2-regularised logistic
regression; geometric fit per seed, Student-t interval over seeds; on least squares the exact
spectral radius of the mean map is in the evidence (the rate of ``E[M_k]`` is its square).
"""

from __future__ import annotations

from hypothesis import given, note, target
from hypothesis import strategies as st
from test_c2_vr_exact import VR_INSTANCES, vr_algorithm

from ltadmm_verify.verify import Verdict, checks
from ltadmm_verify.verify.experiments import MonteCarlo


@given(instance=VR_INSTANCES, tau=st.integers(1, 4), batch=st.integers(1, 2),
       fraction=st.floats(0.2, 0.9))
def test_o1_vr_linear_rate(instance, tau, batch, fraction, record):
    problem, network = instance
    alg = vr_algorithm(problem, network, tau, batch, fraction)
    result = checks.check_o1_linear_rate(alg, problem, network, mc=MonteCarlo(seeds=3, rounds=300))
    record(result)
    target(result.measured, label="O1 rate (larger is worse)")
    note(f"{result.verdict}: rate {result.measured:.6g} < 1 - {result.tolerance:.3g}; exact radius of "
         f"the mean {result.evidence.get('exact_spectral_radius')}")
    assert result.verdict != Verdict.FAIL, result.line()
