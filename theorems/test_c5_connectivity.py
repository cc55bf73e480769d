"""C5: poor connectivity (small ``lambda_l``) slows convergence.

Same quadratic and parameters on several graphs of the same size (path, ring, random tree,
Erdos-Renyi, complete, and one generated graph), frozen penalty, a step inside the theorem's region
on every graph; exact asymptotic rates (squared spectral radius of the round map); the speed
``1 - r`` must not decrease with ``lambda_l`` (log-log slope >= 0 within its confidence interval).
"""

from __future__ import annotations

from hypothesis import event, given, note, target
from hypothesis import strategies as st

from ltadmm_verify import LTADMM, make_network
from ltadmm_verify.theory.admissibility import admissible_step_size
from ltadmm_verify.verify import checks
from ltadmm_verify.verify import strategies as lst

FAMILIES = ("path", "ring", "tree", "erdos-renyi", "complete")


@given(data=st.data(), n=st.integers(4, 12))
def test_c5_rate_versus_connectivity(data, n, record):
    problem = data.draw(lst.quadratics(n, max_dim=2))
    networks = [make_network(f, n) for f in FAMILIES] + [data.draw(lst.graphs(n, n), label="extra graph")]
    rho = data.draw(lst.log_uniform(0.1, 10.0), label="rho")
    tau = data.draw(st.integers(1, 8), label="tau")
    fraction = data.draw(lst.step_fractions())
    limits = []
    for net in networks:
        crit = checks.critical_step(LTADMM(1e-3, 1e-3, rho, tau), problem, net)[0]
        law = admissible_step_size(problem, net, tau=tau, rho=rho, exact=False).gamma_max
        limits.append(min(crit, law if law is not None else crit))
    g = fraction * min(limits)
    alg = LTADMM(g, g, rho, tau)
    result = checks.check_c5_connectivity(alg, problem, networks)
    record(result)
    target(-result.measured, label="C5 slope (smaller is worse)")
    event(f"C5 slowdown significant: {result.evidence.get('significant')}")
    lambdas = [round(x["lambda_l"], 4) for x in result.evidence["networks"]]
    note(f"{result.verdict}: slope {result.measured:.4g} >= 0 - {result.tolerance:.3g}; lambda_l "
         f"{lambdas}, rates {result.evidence['rates']}")
    assert result.passed, result.to_dict()
