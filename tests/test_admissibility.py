"""Admissible step sizes, the pre-run check of ``lv.run`` and the ``bounds`` command."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sympy as sp

import ltadmm_verify as lv
from ltadmm_verify.cli import main
from ltadmm_verify.theory.admissibility import AdmissibilityWarning, assess_step_size
from ltadmm_verify.theory.cards import SYMBOLS, Condition, Constant, TheoremCard

N, DIM, TAU = 6, 2, 5


@pytest.fixture(scope="module")
def instance() -> tuple[lv.Quadratic, lv.Network, float]:
    problem = lv.random_quadratic(N, DIM, seed=1)
    network = lv.make_network("ring", N)
    return problem, network, lv.theory.critical_step_size(problem, network, tau=TAU, rho=1.0)


def _algo(gamma: float, **kw: object) -> lv.LTADMM:
    return lv.LTADMM(gamma=gamma, beta=gamma, rho=1.0, tau=TAU, **kw)  # type: ignore[arg-type]


def test_check_raises_above_and_passes_below_critical(instance) -> None:
    problem, network, critical = instance
    verdict = lv.check_step_size(_algo(0.99 * critical), problem, network)
    assert verdict.ok and verdict.spectral_radius is not None and verdict.spectral_radius < 1
    # the calibrated C3 bound is far below, but the exact analysis supersedes it: no warning
    assert not verdict.warnings
    with pytest.raises(lv.InadmissibleStepSize) as info:
        lv.check_step_size(_algo(1.01 * critical), problem, network)
    text = str(info.value)
    assert f"{1.01 * critical:.6g}" in text and f"{critical:.6g}" in text
    assert "diverges" in text and "spectral radius" in text and 'check="off"' in text
    assert "Traceback" not in text and "Relational" not in text


def test_check_also_covers_minibatch_and_noise_means(instance) -> None:
    problem, network, critical = instance
    with pytest.raises(lv.InadmissibleStepSize):
        lv.check_step_size(_algo(1.05 * critical), problem, network, noise=lv.GaussianNoise(0.1))
    vr = lv.LTADMMVR(gamma=1.05 * critical, beta=1.05 * critical, rho=1.0, tau=TAU)
    with pytest.raises(lv.InadmissibleStepSize):
        lv.check_step_size(vr, problem, network)


def test_run_check_modes(instance) -> None:
    problem, network, critical = instance
    bad = _algo(1.2 * critical)
    with pytest.raises(lv.InadmissibleStepSize):
        lv.run(bad, problem, network, 5)
    with pytest.warns(AdmissibilityWarning, match="not admissible"):
        lv.run(bad, problem, network, 5, check="warn")
    result = lv.run(bad, problem, network, 2000, check="off", x0=np.ones(DIM))
    assert result.status == "diverged"
    with pytest.raises(lv.InvalidParameterError, match="check"):
        lv.run(bad, problem, network, 5, check="maybe")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lv.run(_algo(0.5 * critical), problem, network, 5).status == "completed"


def test_calibrated_violation_only_warns() -> None:
    problem = lv.random_logistic(6, 3, seed=0)
    network = lv.make_network("ring", 6)
    algo = lv.LTADMM(gamma=0.05, beta=0.05, rho=1.0, tau=5)
    verdict = assess_step_size(algo, problem, network)
    assert verdict.ok and len(verdict.warnings) == 1 and verdict.spectral_radius is None
    with pytest.warns(AdmissibilityWarning, match="calibrated") as record:
        result = lv.run(algo, problem, network, 3)
    assert result.status == "completed"
    bound = verdict.warnings[0].largest
    assert bound is not None and f"{bound:.6g}" in str(record[0].message)


def _user_card(value: float | None, provenance: str | None) -> TheoremCard:
    c = sp.Symbol("c_user", positive=True)
    g, L, tau = SYMBOLS["gamma"], SYMBOLS["L"], SYMBOLS["tau"]
    return TheoremCard(
        id="user-step", title="a user's step condition", statement="test",
        algorithms=("lt-admm",), provenance="user test card",
        conditions=(Condition("user step", sp.Le(g, c / (L * tau)), "gamma <= c_user / (L tau)", "user"),),
        constants=(Constant(c, "user constant", value, provenance, "test"),),
    )


def test_paper_constant_violation_raises(clean_registry: None) -> None:
    problem = lv.random_logistic(6, 3, seed=0)
    network = lv.make_network("ring", 6)
    lv.theory.register(_user_card(0.1, "paper"))
    L = problem.smoothness().per_sample
    limit = 0.1 / (L * TAU)
    lv.check_step_size(_algo(0.9 * limit), problem, network)
    with pytest.raises(lv.InadmissibleStepSize, match="user-step") as info:
        lv.run(_algo(1.1 * limit), problem, network, 3)
    assert f"{limit:.6g}" in str(info.value)


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
    assert report.critical_step == pytest.approx(critical, rel=1e-12)
    assert report.conservativeness == pytest.approx(critical / expected, rel=1e-12)
    # the calibrated constant is the minimum over instances: never above the exact limit there
    assert report.gamma_max <= critical
    assert "exact critical step size" in report.summary()
    vr = lv.admissible_step_size(problem, network, tau=TAU, rho=1.0, algorithm="lt-admm-vr")
    assert vr.binding is not None and vr.binding.card == "C3-VR"
    assert vr.gamma_max is not None and vr.gamma_max < report.gamma_max


def test_exact_check_is_skipped_above_size_limit(instance) -> None:
    problem, network, critical = instance
    verdict = assess_step_size(_algo(1.5 * critical), problem, network, exact_limit=N * DIM - 1)
    assert verdict.spectral_radius is None
    assert any("exact analysis skipped" in n for n in verdict.notes)


def test_baselines_are_not_checked() -> None:
    problem = lv.random_least_squares(4, 2, 5, seed=0)
    network = lv.make_network("ring", 4)
    verdict = assess_step_size(lv.LocalDSGD(gamma=10.0, tau=2), problem, network)
    assert verdict.ok and not verdict.violations


def test_bounds_command(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["bounds", "--problem", "quadratic", "--graph", "ring", "--agents", "6", "--dim", "2",
            "--tau", "5", "--rho", "1"]
    assert main([*args, "--gamma", "0.01"]) == 0
    out = capsys.readouterr().out
    for word in ("lambda_l", "c_gamma", "calibrated", "exact critical step size", "admissible"):
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
