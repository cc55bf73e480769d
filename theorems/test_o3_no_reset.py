"""O3 (open question): does LT-ADMM-VR without the memory reset (``reset=False``) converge exactly?

Same property as C2 with ``reset=False``.
"""

from __future__ import annotations

from hypothesis import given, note, target
from hypothesis import strategies as st
from test_c2_vr_exact import VR_INSTANCES, vr_algorithm

from ltadmm_verify.verify import Verdict, checks
from ltadmm_verify.verify.experiments import MonteCarlo


@given(instance=VR_INSTANCES, tau=st.integers(1, 4), batch=st.integers(1, 2),
       fraction=st.floats(0.2, 0.9))
def test_o3_no_reset_converges_exactly(instance, tau, batch, fraction, record):
    problem, network = instance
    alg = vr_algorithm(problem, network, tau, batch, fraction)
    result = checks.check_o3_no_reset(alg, problem, network, mc=MonteCarlo(seeds=3, rounds=300))
    record(result)
    target(result.measured, label="O3 tail slope (larger is worse)")
    note(f"{result.verdict}: slope {result.measured:.4g} <= -1 + {result.tolerance:.3g}; "
         f"windows {result.evidence.get('windows')}")
    assert result.verdict != Verdict.FAIL, result.line()
