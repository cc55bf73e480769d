"""Every claim check can fail: each returns FAIL on a deliberately broken variant (and PASS on the
library's algorithm where the test shows both).

The broken variants are small subclasses defined here (never in the library): a wrong sign in the
z-update, a missing penalty, LT-ADMM-VR without its control variate, a diminishing step (sublinear
transient), a disconnected "network" that bypasses validation, and steps above the critical one.
Subclasses are always simulated by the checks (the exact analysis covers the library's classes only).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import pytest

import ltadmm_verify as lv
from ltadmm_verify import network as network_module
from ltadmm_verify.verify import Verdict, checks
from ltadmm_verify.verify.experiments import MonteCarlo
from ltadmm_verify.verify.measure import PRECISION_FLOOR, measurement

N, DIM = 4, 2
MC = MonteCarlo(seeds=4, rounds=200)


@dataclass(frozen=True)
class WrongSignZ(lv.LTADMM):
    """z-update with ``+ 2 rho x_j`` instead of ``- 2 rho x_j``: the fixed point is not optimal."""

    def step(self, state, k, problem, backend, oracle):
        x, z = state.x, state.z
        z_sum = backend.edge_sum(z)
        drift = self.beta * (self.rho * backend.degrees[:, None] * x - z_sum)
        phi = x
        for t in range(self.tau):
            phi = phi - self.gamma * oracle.gradient(phi, k, t) - drift
        outgoing = z + 2.0 * self.rho * phi[backend.edge_source]  # the broken sign
        state.z = (1.0 - self.alpha) * z - self.alpha * backend.exchange(outgoing)
        state.x = phi
        return state


@dataclass(frozen=True)
class NoPenalty(lv.LTADMM):
    """Local steps without the penalty term ``beta c_i``: agents never couple."""

    def step(self, state, k, problem, backend, oracle):
        phi = state.x
        for t in range(self.tau):
            phi = phi - self.gamma * oracle.gradient(phi, k, t)
        state.x = phi
        return state


@dataclass(frozen=True)
class DiminishingStep(lv.LTADMM):
    """Steps ``gamma / (k + 1)`` and ``beta / (k + 1)`` at round ``k``: a sublinear transient."""

    def step(self, state, k, problem, backend, oracle):
        slower = lv.LTADMM(self.gamma / (k + 1), self.beta / (k + 1), self.rho, self.tau,
                           self.batch_size)
        return lv.LTADMM.step(slower, state, k, problem, backend, oracle)


@dataclass(frozen=True)
class VRWithoutControlVariate(lv.LTADMMVR):
    """LT-ADMM-VR whose estimate is the plain minibatch gradient (no ``- grad f_ih(r) + mean``)."""

    def _round_table(self, state, oracle):
        return None  # no SAGA memory: the local steps use the plain minibatch gradient


def disconnected_network(monkeypatch, n):
    """Two paths of ``n / 2`` nodes as a Network, bypassing the connectivity validation."""
    monkeypatch.setattr(network_module.nx, "is_connected", lambda graph: True)
    graph = nx.disjoint_union(nx.path_graph(n // 2), nx.path_graph(n - n // 2))
    return lv.Network(graph)


@pytest.fixture(scope="module")
def quadratic():
    return lv.random_quadratic(N, DIM, mu=0.5, L=2.0, seed=3), lv.make_network("ring", N)


@pytest.fixture(scope="module")
def least_squares():
    return lv.random_least_squares(N, DIM, 8, seed=2), lv.make_network("ring", N)


def base(cls=lv.LTADMM, gamma=0.1, **kw):
    return cls(gamma=gamma, beta=gamma, rho=1.0, tau=kw.pop("tau", 2), **kw)


def assert_fails(result):
    assert result.verdict == Verdict.FAIL, result.line()


def assert_passes(result):
    assert result.verdict == Verdict.PASS, result.line()


# ------------------------------------------------------------------ C1
def test_c1_sigma2_and_vanishing_fail_with_wrong_sign(quadratic):
    problem, net = quadratic
    for alg, expect in ((base(), assert_passes), (base(WrongSignZ), assert_fails)):
        expect(checks.check_c1_floor(alg, problem, net, "sigma2", [0.01, 0.1, 1.0], mc=MC,
                                     method="simulate"))
        expect(checks.check_c1_vanishing(alg, problem, net, mc=MC, method="simulate"))


def test_c1_gamma_fails_without_penalty(quadratic):
    problem, net = quadratic
    assert_fails(checks.check_c1_floor(base(NoPenalty), problem, net, "gamma", [0.025, 0.05, 0.1],
                                       sigma2=0.1, mc=MC))


def test_c1_tau_fails_above_the_critical_step(quadratic):
    problem, net = quadratic
    crit8, _, _ = checks.critical_step(base(tau=8), problem, net)
    alg = base(gamma=1.5 * crit8, tau=1)
    assert_fails(checks.check_c1_floor(alg, problem, net, "tau", [1, 2, 4, 8], sigma2=0.1))


def test_c1_transient_fails_with_a_sublinear_transient(quadratic):
    problem, net = quadratic
    assert_passes(checks.check_c1_transient(base(), problem, net, mc=MC, method="simulate"))
    assert_fails(checks.check_c1_transient(base(DiminishingStep), problem, net, mc=MC))


def test_c1_transient_exact_curve_is_long_enough_to_show_a_slow_geometric_decay():
    """Radius 0.99917 (a small step): the exact expected curve runs until ``M_k`` has fallen by
    ``1 / PRECISION_FLOOR`` (about 2.8e4 rounds), where the decay is visibly faster than ``1/k``. A
    curve cut at ``mc.rounds`` (400) shows only the start of the decay, a log-log slope near -0.4,
    and FAILed a claim that the exact analysis shows to hold (the thorough profile's example)."""
    problem, net = lv.random_quadratic(2, 1, mu=1.0, L=1.0, seed=0), lv.make_network("path", 2)
    alg = lv.LTADMM(gamma=8.3265e-4, beta=8.3265e-3, rho=10.0, tau=1)
    meter = measurement(alg, problem, net, mc=MonteCarlo(rounds=400))
    radius = meter.radius(alg)
    assert 0.999 < radius < 1.0
    assert meter.horizon(alg, 400, 1.0 / PRECISION_FLOOR) >= math.log(1e20) / (-2.0 * math.log(radius))
    assert_passes(checks.check_c1_transient(alg, problem, net, mc=MonteCarlo(rounds=400)))


# ------------------------------------------------------------------ C2, O3, O1
@pytest.mark.parametrize("check", [checks.check_c2_exact_convergence, checks.check_o3_no_reset,
                                   checks.check_o1_linear_rate])
def test_vr_checks_fail_without_control_variate(least_squares, check):
    """Without the control variate the curve settles on a noise floor. The summability window
    ``[K/4, K]`` must lie on the floor: at ``K = 200`` its first half still shows the decay (slope
    -1.7, then +0.2: undecided), at ``K = 400`` both halves are flat."""
    problem, net = least_squares
    mc = MonteCarlo(seeds=4, rounds=400)
    assert_passes(check(base(lv.LTADMMVR, batch_size=1), problem, net, mc=mc))
    assert_fails(check(base(VRWithoutControlVariate, batch_size=1), problem, net, mc=mc))


def test_vr_checks_fail_above_the_critical_step(least_squares):
    problem, net = least_squares
    crit, _, _ = checks.critical_step(base(), problem, net)
    alg = base(lv.LTADMMVR, gamma=2 * crit, batch_size=1)
    assert_fails(checks.check_c2_exact_convergence(alg, problem, net, mc=MC))
    assert_fails(checks.check_o1_linear_rate(alg, problem, net, mc=MC))


# ------------------------------------------------------------------ C3
def test_c3_fails_on_a_less_stable_variant(quadratic):
    problem, net = quadratic
    assert_passes(checks.check_c3_step_constant(base(), problem, net))
    assert_fails(checks.check_c3_step_constant(base(WrongSignZ), problem, net, rounds=200))


def test_c3_tau_exponent_fails_when_the_step_shrinks_too_fast(quadratic):
    problem, net = quadratic

    @dataclass(frozen=True)
    class TauQuarticGradient(lv.LTADMM):
        """Gradient scaled by tau^4: the stable step shrinks like tau^-4."""

        def step(self, state, k, problem, backend, oracle):
            scaled = lv.LTADMM(self.gamma * self.tau**4, self.beta, self.rho, self.tau, self.batch_size)
            return lv.LTADMM.step(scaled, state, k, problem, backend, oracle)

    assert_fails(checks.check_c3_tau_exponent(base(TauQuarticGradient), problem, net, rounds=200))


# ------------------------------------------------------------------ C4
def test_c4_fails_without_penalty(quadratic):
    problem, net = quadratic
    assert_passes(checks.check_c4_local_training(base(gamma=0.02), problem, net, mc=MC,
                                                 method="simulate"))
    assert_fails(checks.check_c4_local_training(base(NoPenalty, gamma=0.02), problem, net, mc=MC))


# ------------------------------------------------------------------ C5
@pytest.mark.filterwarnings("ignore:Input \"a\" has an eigenvalue pair:RuntimeWarning")
def test_c5_fails_on_a_disconnected_graph(quadratic, monkeypatch):
    problem, _ = quadratic
    # a weak penalty (rho = 0.3): the network limits the rate, so the slowdown is significant
    nets = [lv.make_network(f, N) for f in ("path", "star", "ring", "complete")]
    alg = lv.LTADMM(gamma=0.1, beta=0.1, rho=0.3, tau=2)
    assert_passes(checks.check_c5_connectivity(alg, problem, nets))
    broken = disconnected_network(monkeypatch, N)
    assert broken.lambda_l == pytest.approx(0.0, abs=1e-12)
    assert_fails(checks.check_c5_connectivity(alg, problem, [*nets, broken]))
    assert_fails(checks.check_c5_connectivity(alg, problem, [*nets, broken], method="simulate",
                                              mc=MC))
