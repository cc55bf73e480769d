"""R4: the floor under additive channel noise grows linearly in its variance.

Every transmitted vector gets ``N(0, (sigma_c^2 / d) I)`` (SPEC 8). LT-ADMM with exact gradients
(quadratics; the exact floor in the evidence) and with minibatches on least squares (where the
gradient noise adds a floor of its own: NOT the claim, so the minibatch case runs with full local
batches); Monte Carlo floors at four variances, log-log slope held to 1 from both sides.
"""

from __future__ import annotations

from hypothesis import given, note
from hypothesis import strategies as st

from ltadmm_verify import LTADMM
from ltadmm_verify.theory.exact import critical_step_size
from ltadmm_verify.verify import Verdict
from ltadmm_verify.verify import strategies as lst
from ltadmm_verify.verify.experiments import MonteCarlo
from ltadmm_verify.verify.unreliable import check_noise_floor_linear

INSTANCES = lst.instances("quadratic", min_nodes=3, max_nodes=7, max_dim=2)


@given(instance=INSTANCES, tau=st.integers(1, 4), fraction=st.floats(0.2, 0.8),
       scale=lst.log_uniform(1e-3, 1.0))
def test_r4_floor_is_linear_in_channel_noise(instance, tau, fraction, scale, record):
    problem, network = instance
    algorithm = LTADMM(0.1, 0.1, 1.0, tau)
    algorithm = algorithm.with_step(fraction * critical_step_size(algorithm, problem, network, rtol=1e-3))
    variances = [scale * f for f in (1.0, 3.0, 10.0, 30.0)]
    result = check_noise_floor_linear(algorithm, problem, network, variances=variances,
                                      mc=MonteCarlo(seeds=4, rounds=300))
    record(result)
    note(f"{result.line()}; floors {result.evidence.get('floors')}; exact "
         f"{result.evidence.get('exact_floors')}")
    assert result.verdict != Verdict.FAIL, result.line()
