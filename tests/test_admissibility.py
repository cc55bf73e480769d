"""The step sizes the theorem cards admit beside the exact critical step, and the ``bounds`` command."""

from __future__ import annotations

import pytest
import sympy as sp

import ltadmm_verify as lv
from ltadmm_verify.cli import main
from ltadmm_verify.theory.cards import SYMBOLS, Condition, Constant, TheoremCard
from ltadmm_verify.theory.prerun import assess_step_size

N, DIM, TAU = 6, 2, 5


@pytest.fixture(scope="module")
def instance() -> tuple[lv.Quadratic, lv.Network, float]:
    problem = lv.random_quadratic(N, DIM, seed=1)
    network = lv.make_network("ring", N)
    return problem, network, lv.theory.critical_step_size(_algo(0.01), problem, network)


def _algo(gamma: float, **kw: object) -> lv.LTADMM:
    return lv.LTADMM(gamma=gamma, beta=gamma, rho=1.0, tau=TAU, **kw)  # type: ignore[arg-type]


def _user_card(value: float | None, provenance: str | None) -> TheoremCard:
    c = sp.Symbol("c_user", positive=True)
    g, L, tau = SYMBOLS["gamma"], SYMBOLS["L"], SYMBOLS["tau"]
    return TheoremCard(
        id="user-step", title="a user's step condition", statement="test",
        algorithms=("lt-admm",), provenance="user test card",
        conditions=(Condition("user step", sp.Le(g, c / (L * tau)), "gamma <= c_user / (L tau)", "user"),),
        constants=(Constant(c, "user constant", value, provenance, "test"),),
    )


def test_unknown_constant_is_reported_not_invented(clean_registry: None, instance) -> None:
    problem, network, _ = instance
    lv.theory.register(_user_card(None, None))
    report = lv.admissible_step_size(problem, network, tau=TAU, rho=1.0)
    user = [r for r in report.conditions if r.card == "user-step"]
    assert len(user) == 1 and user[0].bound is None and user[0].provenance == "unknown"
    assert report.binding is not None and report.binding.card == "C3"
    verdict = assess_step_size(_algo(0.01), problem, network)
    assert any("cannot be evaluated" in n for n in verdict.notes)


def test_admissible_report(instance) -> None:
    problem, network, critical = instance
    report = lv.admissible_step_size(problem, network, tau=TAU, rho=1.0)
    c = lv.theory.get_card("C3").constant("c_gamma").value
    assert c is not None
    expected = c * network.lambda_l / (problem.smoothness().per_sample * TAU**2)
    assert report.gamma_max == pytest.approx(expected, rel=1e-12)
    assert report.provenance == "calibrated" and report.binding is not None
    # two searches of the critical step to its documented accuracy (rtol 1e-6)
    assert report.critical_step == pytest.approx(critical, rel=1e-6)
    assert report.conservativeness == pytest.approx(critical / expected, rel=1e-6)
    # the calibrated constant is the minimum over instances: never above the exact limit there
    assert report.gamma_max <= critical
    assert "exact critical step size" in report.summary()
    vr = lv.admissible_step_size(problem, network, tau=TAU, rho=1.0, algorithm="lt-admm-vr")
    assert vr.binding is not None and vr.binding.card == "C3-VR"
    assert vr.gamma_max is not None and vr.gamma_max < report.gamma_max


def test_bounds_command(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["bounds", "--problem", "quadratic", "--graph", "ring", "--agents", "6", "--dim", "2",
            "--tau", "5", "--rho", "1"]
    assert main([*args, "--gamma", "0.01"]) == 0
    out = capsys.readouterr().out
    for word in ("lambda_l", "c_gamma", "calibrated", "exact critical step of this instance", "admissible"):
        assert word in out
    assert main([*args, "--gamma", "5"]) == 1
    assert "NOT ADMISSIBLE" in capsys.readouterr().out


def test_instances_outside_the_calibration_range_are_flagged() -> None:
    # complete graph, large rho: outside the calibrated family, where c_gamma is not evidence;
    # here the calibrated bound even exceeds the exact stability limit
    problem = lv.random_quadratic(13, 1, seed=0)
    network = lv.make_network("complete", 13)
    report = lv.admissible_step_size(problem, network, tau=5, rho=10.0)
    assert report.binding is not None
    outside = " ".join(report.binding.outside)
    assert "rho = 10" in outside and "lambda_l = 13" in outside
    assert report.conservativeness is not None and report.conservativeness < 1
    assert "outside the calibration range" in report.summary()
    inside = lv.admissible_step_size(lv.random_quadratic(6, 2, seed=1), lv.make_network("ring", 6),
                                     tau=5, rho=1.0)
    assert inside.binding is not None and not inside.binding.outside
