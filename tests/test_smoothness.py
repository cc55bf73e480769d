"""Smoothness estimates: secant lower bounds below the certificate, power iteration at the certificate
for quadratics (where the Hessian is constant and the certified constant is its top eigenvalue)."""

from __future__ import annotations

import numpy as np
import pytest

from ltadmm_verify import estimate_smoothness, random_least_squares, random_logistic
from ltadmm_verify.errors import LTADMMVerifyError
from ltadmm_verify.problems import random_quadratic
from tests.test_problems import softmax

# Central differences of an affine gradient are exact up to rounding (~1e-16 |g| / step with
# step ~1e-5): a relative 1e-6 leaves a wide margin for it.
FD_RTOL = 1e-6


@pytest.mark.parametrize(
    "problem",
    [random_quadratic(5, 4, mu=0.2, L=3.0, seed=1), random_least_squares(5, 4, 12, seed=2)],
    ids=["quadratic", "least-squares"],
)
def test_power_iteration_matches_certified_for_quadratics(problem) -> None:
    est = estimate_smoothness(problem, n_points=2, iterations=200, seed=0)
    cert = est.certified
    np.testing.assert_allclose(est.power_per_agent, cert.per_agent, rtol=FD_RTOL)
    assert est.power_global == pytest.approx(cert.global_, rel=FD_RTOL)
    # secants never exceed the certificate
    assert est.secant_per_sample <= cert.per_sample * (1 + 1e-12)
    assert np.all(est.secant_per_agent <= cert.per_agent * (1 + 1e-12))
    assert est.secant_global <= cert.global_ * (1 + 1e-12)


@pytest.mark.parametrize(
    "problem", [random_logistic(4, 5, 15, l2=0.05, seed=3), softmax()], ids=["logistic", "softmax"]
)
def test_estimates_below_certificate_for_nonquadratic(problem) -> None:
    est = estimate_smoothness(problem, n_points=4, iterations=40, seed=1)
    cert = est.certified
    assert est.secant_per_sample <= cert.per_sample
    assert np.all(est.secant_per_agent <= cert.per_agent)
    assert est.secant_global <= cert.global_
    assert np.all(est.power_per_agent <= cert.per_agent * (1 + FD_RTOL))
    assert est.power_global <= cert.global_ * (1 + FD_RTOL)
    assert np.all(est.secant_per_agent > 0)


def test_rows_are_labelled() -> None:
    est = estimate_smoothness(random_least_squares(3, 2, 5, seed=0), n_points=1)
    rows = est.rows()
    methods = {(r["level"], r["method"]) for r in rows}
    assert ("global F", "power iteration") in methods and ("per sample", "secant lower bound") in methods
    assert all(isinstance(r["how"], str) and r["how"] for r in rows)


@pytest.mark.parametrize("arg, value", [("n_points", 0), ("radius", -1.0), ("iterations", 0)])
def test_estimate_validates_arguments(arg: str, value) -> None:
    with pytest.raises(LTADMMVerifyError, match=arg):
        estimate_smoothness(random_least_squares(3, 2, 5, seed=0), **{arg: value})
