"""The pre-run step-size check of ``lv.run``: every algorithm, every problem, every size (SPEC 7)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pytest
import sympy as sp

import ltadmm_verify as lv
from ltadmm_verify.algorithms import KGT, LED, ExactADMM, LocalDSGD
from ltadmm_verify.algorithms.run import run_loop
from ltadmm_verify.theory import exact, linearize, prerun
from ltadmm_verify.theory.cards import SYMBOLS, Condition, Constant, TheoremCard
from ltadmm_verify.theory.prerun import AdmissibilityWarning, assess_step_size

N, DIM, TAU = 6, 2, 5


@pytest.fixture(scope="module")
def instance() -> tuple[lv.Quadratic, lv.Network, float]:
    problem = lv.random_quadratic(N, DIM, seed=1)
    network = lv.make_network("ring", N)
    return problem, network, lv.theory.critical_step_size(_algo(0.01), problem, network)


def _algo(gamma: float, **kw: object) -> lv.LTADMM:
    return lv.LTADMM(gamma=gamma, beta=gamma, rho=1.0, tau=TAU, **kw)  # type: ignore[arg-type]


def test_check_raises_above_and_passes_below_critical(instance) -> None:
    problem, network, critical = instance
    verdict = lv.check_step_size(_algo(0.99 * critical), problem, network)
    assert verdict.ok and verdict.spectral_radius is not None and verdict.spectral_radius < 1
    # the calibrated C3 bound is far below, but the exact analysis decides: a note, no warning
    assert not verdict.warnings and any("calibrated" in n for n in verdict.notes)
    assert "exact analysis" in verdict.conclusion
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


@pytest.mark.parametrize("algorithm", [LocalDSGD(gamma=0.05, tau=3), LED(gamma=0.05, beta=0.05, tau=3),
                                       KGT(eta_c=0.05, eta_s=1.0, tau=3)], ids=lambda a: a.name)
def test_every_algorithm_is_guarded(algorithm, instance) -> None:
    problem, network, _ = instance
    critical = lv.theory.critical_step_size(algorithm, problem, network)
    assert lv.check_step_size(algorithm.with_step(0.95 * critical), problem, network).ok
    with pytest.raises(lv.InadmissibleStepSize, match=algorithm.name) as info:
        lv.run(algorithm.with_step(1.05 * critical), problem, network, 5)
    assert f"{algorithm.step_parameters[0]} = {critical:.6g}" in str(info.value)
    exact_admm = assess_step_size(ExactADMM(rho=1.0), problem, network)
    assert exact_admm.ok and exact_admm.spectral_radius is not None and exact_admm.spectral_radius < 1


def test_led_with_a_large_step_is_refused() -> None:  # issue: LED(gamma=10) ran without a word
    problem = lv.random_least_squares(6, 3, 10, seed=0)
    network = lv.make_network("ring", 6)
    with pytest.raises(lv.InadmissibleStepSize, match="largest step size that converges is gamma"):
        lv.run(LED(gamma=10.0, beta=1.0, tau=2), problem, network, 10)


@dataclass(frozen=True)
class TripleStepLTADMM(lv.LTADMM):
    """A user's variant: local steps (gradient and penalty) three times longer than LT-ADMM's."""

    def step(self, state, k, problem, backend, oracle):
        three = lv.LTADMM(3 * self.gamma, 3 * self.beta, self.rho, self.tau, self.batch_size)
        return lv.LTADMM.step(three, state, k, problem, backend, oracle)


def test_a_users_subclass_is_checked_on_its_own_round(instance) -> None:
    problem, network, critical = instance
    variant = TripleStepLTADMM(gamma=0.7 * critical, beta=0.7 * critical, rho=1.0, tau=TAU)
    assert lv.check_step_size(_algo(0.7 * critical), problem, network).ok  # LT-ADMM's model: fine
    with pytest.raises(lv.InadmissibleStepSize, match="diverges"):
        lv.run(variant, problem, network, 100)
    assert run_loop(variant, problem, network, 3000, x0=np.ones(DIM)).status == "diverged"


def test_the_issues_least_squares_example_is_refused_with_its_limit() -> None:
    problem = lv.random_least_squares(10, 20, 20, seed=0)
    network = lv.make_network("ring", 10)
    alg = lv.LTADMM(gamma=1.0, beta=1.0, rho=1.0, tau=5)
    with pytest.raises(lv.InadmissibleStepSize) as info:
        lv.run(alg, problem, network, rounds=300)
    limit = lv.theory.critical_step_size(alg, problem, network)
    assert f"gamma = {limit:.6g}" in str(info.value)
    assert run_loop(alg.with_step(0.97 * limit), problem, network, 300).status == "completed"


def test_logistic_with_a_large_step_is_refused_by_linearisation() -> None:
    problem = lv.random_logistic(6, 3, 10, l2=0.1, seed=0)
    network = lv.make_network("ring", 6)
    with pytest.raises(lv.InadmissibleStepSize, match="linearisation at") as info:
        lv.run(lv.LTADMM(gamma=50.0, beta=50.0, rho=1.0, tau=5), problem, network, 10)
    assert "largest step size that converges" in str(info.value)
    assert run_loop(lv.LTADMM(gamma=50.0, beta=50.0, rho=1.0, tau=5), problem, network,
                    200).status == "diverged"
    small = assess_step_size(lv.LTADMM(gamma=0.01, beta=0.01, rho=1.0, tau=5), problem, network)
    assert small.ok and all(ev.converges for ev in small.evidence)
    assert {ev.source.split(" (")[0] for ev in small.evidence} >= {"linearisation at x0",
                                                                    "linearisation at the optimum"}


def test_matrix_free_estimate_beyond_the_dense_limit(instance, monkeypatch) -> None:
    problem, network, critical = instance
    monkeypatch.setattr(prerun, "MAX_STATE_DIMENSION", 10)
    with pytest.raises(lv.InadmissibleStepSize, match="matrix-free Arnoldi"):
        lv.check_step_size(_algo(1.5 * critical), problem, network)
    fine = assess_step_size(_algo(0.5 * critical), problem, network)
    assert fine.ok and not fine.errors


def test_beyond_every_limit_the_check_says_so_and_proceeds(instance, monkeypatch) -> None:
    problem, network, critical = instance
    monkeypatch.setattr(prerun, "MAX_STATE_DIMENSION", 10)
    monkeypatch.setattr(prerun, "MAX_MATRIX_FREE_DIMENSION", 10)
    verdict = assess_step_size(_algo(1.5 * critical), problem, network)
    assert not verdict.errors and any("skipped" in n for n in verdict.notes)
    # without exact evidence, the calibrated card is what is left: it warns
    assert verdict.warnings and "calibrated" in verdict.warnings[0].message
    with pytest.warns(AdmissibilityWarning):
        lv.run(_algo(1.5 * critical), problem, network, 2, check="raise")


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


def test_matrix_free_estimate_agrees_with_the_dense_radius(monkeypatch) -> None:
    problem = lv.random_least_squares(8, 4, 10, seed=3)
    network = lv.make_network("ring", 8)
    for gamma in (0.5, 2.0):
        alg = lv.LTADMM(gamma=gamma, beta=gamma, rho=1.0, tau=3)
        dense = exact.spectral_radius(alg, problem, network)
        estimate = linearize.estimate_radius(alg, problem, network, np.zeros((8, 4)))
        if dense > 1:  # the growth test or Arnoldi finds the expansion
            assert estimate.radius > 1 + prerun.RADIUS_TOL
        else:  # unreachable circulations carry modulus 1: the estimate never says more
            assert estimate.grew_at is None and not estimate.radius > 1 + prerun.RADIUS_TOL
    # Arnoldi alone (no growth test, more restarts) converges to the dense radius
    monkeypatch.setattr(linearize, "GROWTH_ROUNDS", 0)
    monkeypatch.setattr(linearize, "ARNOLDI_MAXITER", 200)
    alg = lv.LTADMM(gamma=2.0, beta=2.0, rho=1.0, tau=3)
    estimate = linearize.estimate_radius(alg, problem, network, np.zeros((8, 4)))
    assert estimate.converged and estimate.radius == pytest.approx(
        exact.spectral_radius(alg, problem, network), rel=1e-6)


def test_matrix_free_estimate_keeps_to_its_work_budget(monkeypatch) -> None:
    """On a state too large for the full 52 rounds the estimate applies at most its budget of rounds
    (half growth test, half Arnoldi), still finds a fast divergence, and draws no conclusion
    otherwise (it never calls a step stable without converged evidence)."""
    problem = lv.random_least_squares(8, 4, 10, seed=3)
    network = lv.make_network("ring", 8)
    size = (8 + 2 * 8) * 4
    monkeypatch.setattr(linearize, "MATRIX_FREE_WORK", 18 * size)  # a budget of 18 rounds
    stable = lv.LTADMM(gamma=0.5, beta=0.5, rho=1.0, tau=3)
    estimate = linearize.estimate_radius(stable, problem, network, np.zeros((8, 4)))
    assert estimate.matvecs <= 18 and estimate.grew_at is None
    assert not estimate.radius > 1 + prerun.RADIUS_TOL
    diverging = lv.LTADMM(gamma=20.0, beta=20.0, rho=1.0, tau=3)
    assert exact.spectral_radius(diverging, problem, network) > 10
    estimate = linearize.estimate_radius(diverging, problem, network, np.zeros((8, 4)))
    assert estimate.grew_at is not None and estimate.matvecs <= 9
