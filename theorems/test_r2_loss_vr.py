"""R2: LT-ADMM-VR keeps exact convergence on finite sums under i.i.d. message loss.

Minibatch LT-ADMM-VR (reset) on least squares and logistic regression, run on a lossy channel
(edge variables held on loss); one tail log-log slope of ``M_k`` per seed, Student-t interval
over seeds, held to ``<= -1`` (summable: no floor), as C2.
"""

from __future__ import annotations

from hypothesis import given, note
from hypothesis import strategies as st
from test_c2_vr_exact import VR_INSTANCES, vr_algorithm

from ltadmm_verify.verify import Verdict
from ltadmm_verify.verify.experiments import MonteCarlo
from ltadmm_verify.verify.unreliable import check_vr_under_loss


@given(instance=VR_INSTANCES, loss=st.floats(0.05, 0.5), tau=st.integers(1, 3),
       batch=st.integers(1, 2), fraction=st.floats(0.2, 0.8))
def test_r2_vr_converges_exactly_under_loss(instance, loss, tau, batch, fraction, record):
    problem, network = instance
    algorithm = vr_algorithm(problem, network, tau, batch, fraction)
    result = check_vr_under_loss(algorithm, problem, network, loss=loss,
                                 mc=MonteCarlo(seeds=3, rounds=400))
    record(result)
    note(f"{result.line()}; windows {result.evidence.get('windows')}")
    assert result.verdict != Verdict.FAIL, result.line()
