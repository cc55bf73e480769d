"""The rate claim at the worst case over the class (SPEC 10; C1's ``A / (K tau)`` with exact gradients).

:func:`ltadmm_verify.theory.worst_case` computes the largest ``min_{0<=k<=K} M_k`` that any choice
of ``L``-smooth (possibly nonconvex) local costs can force on LT-ADMM, normalised as SPEC 10.

- **sanity** (necessary): the worst case is never below what a concrete instance of the class
  attains (random quadratics with indefinite Hessians, run by the simulator, scaled to the
  normalisation); a worst case below an instance would be a bug in the formulation.
- **the law in K**: at fixed ``tau`` the tail exponent of ``W(K) ~ K^{-a}`` (``K = 1..4``; thorough
  profile ``1..6``) is not significantly below 1 (:mod:`ltadmm_verify.verify.worst_case_law`).
- **the law in tau at a fixed step** (pinned finding, strict xfail): on the 3-ring with
  ``gamma = beta = 0.1``, ``rho = 1``, ``L = 1``, ``K = 4``, the worst case decays like
  ``tau^{-0.75}`` over ``tau = 1..3`` (interval [0.67, 0.83]): ``K tau W`` grows with ``tau``,
  FAIL against ``b >= 1`` with margin 0.1. The paper's constants and step condition are unknown
  (a step shrinking with ``tau`` changes the comparison): a finding pinned to its parameters.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

import ltadmm_verify as lv
from ltadmm_verify.algorithms.run import run_loop
from ltadmm_verify.problems.quadratic import Quadratic
from ltadmm_verify.theory import worst_case
from ltadmm_verify.verify import CheckResult, Verdict
from ltadmm_verify.verify import strategies as lst
from ltadmm_verify.verify.worst_case_law import check_rate_law, worst_case_table

#: Clarabel solves these SDPs to ~1e-9 relative; the witness is re-checked to 1e-5.
VALUE_RTOL = 1e-6
GRAPHS = lst.graphs(min_nodes=2, max_nodes=3)
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
MAX_ROUNDS = 6 if THOROUGH else 4


def _indefinite_quadratic(n: int, dim: int, L: float, seed: int) -> Quadratic:
    rng = np.random.default_rng(seed)
    H = np.empty((n, dim, dim))
    for i in range(n):
        q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
        lam = rng.uniform(-L, L, dim)
        lam[0], lam[-1] = -L, L
        H[i] = (q * lam) @ q.T
    return Quadratic(H, rng.standard_normal((n, dim)))


@given(data=st.data(), network=GRAPHS)
def test_worst_case_bounds_every_instance(data, network, record) -> None:
    n = network.n_agents
    L = data.draw(st.floats(0.5, 2.0), label="L")
    tau = data.draw(st.integers(1, 2), label="tau")
    rounds = data.draw(st.integers(1, 3), label="K")
    gamma = data.draw(lst.log_uniform(0.05, 0.5), label="gamma L tau") / (L * tau)
    ratio = data.draw(st.sampled_from([0.5, 1.0, 2.0]), label="beta/gamma")
    seed = data.draw(st.integers(0, 2**16), label="seed")
    alg = lv.LTADMM(gamma=gamma, beta=ratio * gamma, rho=1.0, tau=tau)
    res = worst_case(alg, network, rounds=rounds, L=L)
    problem = _indefinite_quadratic(n, 2, L, seed)
    x0 = np.random.default_rng(seed).standard_normal(2)
    run = run_loop(alg, problem, network, rounds, x0=x0)
    M, F = run.history["stationarity"], run.history["objective"]
    g0 = problem.local_gradients(np.tile(x0, (n, 1)))
    ratio_norm = max(float(F[0] - F.min()), float(((g0 - g0.mean(axis=0)) ** 2).sum() / n))
    attained = float(M.min()) / ratio_norm
    note(f"N={n}, tau={tau}, K={rounds}, gamma={gamma:.4g}; worst {res.value}, instance {attained}")
    assert res.verified, res.to_dict()
    result = CheckResult(
        "S10.sanity", "worst case over the class >= the normalised metric of an instance in it",
        measured=attained, bound=float(res.value), relation="<=", margin=VALUE_RTOL * res.value,
        evidence={"instance": f"N={n} tau={tau} K={rounds} gamma={gamma:.4g}",
                  "accuracy": res.accuracy})
    record(result)
    assert result.verdict == Verdict.PASS, result.line()


#: Each example solves MAX_ROUNDS worst-case SDPs (seconds each): the thorough profile runs a fifth of
#: its examples here (40), the ci profile its usual number.
LAW_EXAMPLES = max(settings.default.max_examples // 5, min(10, settings.default.max_examples))


@settings(max_examples=LAW_EXAMPLES)
@given(data=st.data(), network=GRAPHS)
def test_rate_law_in_rounds(data, network, record) -> None:
    L = 1.0
    tau = data.draw(st.integers(1, 2), label="tau")
    gamma = data.draw(lst.log_uniform(0.05, 0.3), label="gamma L tau") / (L * tau)
    alg = lv.LTADMM(gamma=gamma, beta=gamma, rho=1.0, tau=tau)
    table = worst_case_table(alg, network, rounds=range(1, MAX_ROUNDS + 1), taus=[tau], L=L,
                             graph=f"N={network.n_agents}")
    note(table.table())
    assert table.verified.all()
    for check in check_rate_law(table):
        record(check)
        assert check.verdict != Verdict.FAIL, check.line()


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="finding: at a fixed step (3-ring, gamma = beta = 0.1, "
                   "rho = 1, L = 1, K = 4) the worst case decays like tau^-0.75 over tau = 1..3: "
                   "K tau W grows with tau")
def test_rate_law_in_tau_at_fixed_step(record) -> None:
    table = worst_case_table(lv.LTADMM(gamma=0.1, beta=0.1, rho=1.0, tau=1),
                             lv.make_network("ring", 3), rounds=[4], taus=[1, 2, 3], L=1.0,
                             graph="ring")
    (check,) = check_rate_law(table)
    record(check)
    assert check.verdict != Verdict.FAIL, check.line()
