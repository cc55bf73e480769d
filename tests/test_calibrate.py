"""Calibration of unknown constants: values, evidence, scaling-law flags, stored defaults."""

from __future__ import annotations

import pytest
import sympy as sp

import ltadmm_verify as lv
from ltadmm_verify.theory import _calibration
from ltadmm_verify.theory.calibrate import CalibrationCase, calibrate, default_cases
from ltadmm_verify.theory.cards import SYMBOLS, Condition, Constant, TheoremCard

PROBLEM = lv.random_quadratic(6, 2, seed=3)
NETWORK = lv.make_network("ring", 6)


def _tau_family(taus: tuple[int, ...] = (1, 2, 5, 10)) -> list[CalibrationCase]:
    return [CalibrationCase(PROBLEM, NETWORK, tau, label=f"tau={tau}") for tau in taus]


def test_calibrated_constant_is_the_smallest_implied_value() -> None:
    cal = calibrate(lv.theory.get_card("C3"), _tau_family())
    L = PROBLEM.smoothness().per_sample
    implied = []
    for point, tau in zip(cal.points, (1, 2, 5, 10), strict=True):
        crit = lv.theory.critical_step_size(lv.LTADMM(0.01, 0.01, 1.0, tau), PROBLEM, NETWORK)
        assert point.threshold == pytest.approx(crit, rel=1e-6)  # two searches, accuracy 1e-6
        assert point.method == "exact critical step"
        assert point.implied == pytest.approx(point.threshold * L * tau**2 / NETWORK.lambda_l, rel=1e-10)
        implied.append(point.implied)
    assert cal.value == min(implied)
    # C3's 1/tau^2 law holds along tau: the constant grows, nothing is flagged
    trend = {t.parameter: t for t in cal.trends}["tau"]
    assert trend.slope > 0 and not trend.flagged and not cal.scaling_law_fails
    card = cal.apply(lv.theory.get_card("C3"))
    const = card.constant("c_gamma")
    assert const.provenance == "calibrated" and const.value == cal.value
    assert isinstance(const.evidence, dict) and len(const.evidence["points"]) == 4
    assert cal.card_id in cal.describe()


def test_wrong_scaling_law_is_flagged() -> None:
    c = sp.Symbol("c_flat", positive=True)
    g, lam, L = SYMBOLS["gamma"], SYMBOLS["lambda_l"], SYMBOLS["L"]
    flat = TheoremCard(
        id="flat", title="no tau dependence", statement="gamma <= c lambda_l / L",
        algorithms=("lt-admm",), provenance="test card",
        conditions=(Condition("flat", sp.Le(g, c * lam / L), "gamma <= c lambda_l / L", "test"),),
        constants=(Constant(c, "test constant"),),
    )
    cal = calibrate(flat, _tau_family())
    trend = {t.parameter: t for t in cal.trends}["tau"]
    # the exact critical step falls roughly like 1/tau, so a tau-free bound cannot hold
    assert trend.slope < -0.5 and trend.flagged and cal.scaling_law_fails
    assert "drifts to 0" in trend.note


def test_empirical_threshold_brackets_the_exact_one() -> None:
    case = [CalibrationCase(PROBLEM, NETWORK, 2, label="tau=2")]
    card = lv.theory.get_card("C3")
    exact = calibrate(card, case, method="exact").points[0].threshold
    empirical = calibrate(card, case, method="empirical", rounds=400, rtol=1e-2).points[0]
    assert empirical.method.startswith("empirical")
    # a finite horizon can only miss slow divergence: the empirical value is not below the exact
    # one (up to the bisection tolerance) and, with 400 rounds, not far above it
    assert 0.99 * exact <= empirical.threshold <= 1.1 * exact


def test_empirical_calibration_of_a_non_quadratic() -> None:
    problem = lv.random_logistic(4, 2, seed=0)
    network = lv.make_network("ring", 4)
    cal = calibrate(lv.theory.get_card("C3"), [CalibrationCase(problem, network, 2)], rounds=200)
    point = cal.points[0]
    assert point.method.startswith("empirical")
    algo = lv.LTADMM(gamma=point.threshold, beta=point.threshold, rho=1.0, tau=2)
    assert lv.run(algo, problem, network, 200, check="off", divergence_factor=1e3).status == "completed"
    above = lv.LTADMM(gamma=1.05 * point.threshold, beta=1.05 * point.threshold, rho=1.0, tau=2)
    assert lv.run(above, problem, network, 200, check="off", divergence_factor=1e3).status == "diverged"


def test_exact_method_rejects_non_quadratics() -> None:
    case = CalibrationCase(lv.random_logistic(4, 2, seed=0), lv.make_network("ring", 4), 2)
    with pytest.raises(lv.InvalidParameterError, match="exact"):
        calibrate(lv.theory.get_card("C3"), [case], method="exact")
    with pytest.raises(lv.InvalidParameterError, match="at least one"):
        calibrate(lv.theory.get_card("C3"), [])


@pytest.mark.parametrize("name", ["c_gamma", "c_vr"])
def test_stored_defaults_are_consistent_and_reproducible(name: str) -> None:
    record = _calibration.CALIBRATIONS[name]
    points = record["points"]
    assert record["value"] == min(p["implied"] for p in points)
    card = lv.theory.get_card(record["card"])
    const = card.constant(name)
    assert const.value == record["value"] and const.provenance == "calibrated"
    cases = default_cases()
    assert [c.label for c in cases] == [p["label"] for p in points]
    # recompute the binding instance and one other from scratch
    binding = min(range(len(points)), key=lambda i: points[i]["implied"])
    for i in (binding, 7):
        fresh = calibrate(card, [cases[i]]).points[0]
        assert fresh.implied == pytest.approx(points[i]["implied"], rel=1e-6)
