"""The traced round map (SPEC 7) against hand derivations and simulation, for every algorithm."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest

import ltadmm_verify as lv
from ltadmm_verify.algorithms import KGT, LED, Algorithm, ExactADMM, LocalDSGD, State
from ltadmm_verify.algorithms.parameters import Constraints, NonNegative, Positive
from ltadmm_verify.algorithms.run import run_loop
from ltadmm_verify.theory import exact, round_map
from ltadmm_verify.theory.exact import power_sums
from ltadmm_verify.theory.trace import NonlinearRoundError
from tests.reference_maps import lt_admm_lifted, lt_admm_model

GRAPHS = ("ring", "star", "path", "complete", "erdos-renyi", "grid")


def _instance(index: int) -> tuple[lv.LTADMM, lv.Quadratic, lv.Network]:
    """Instance ``index`` of the 60 generated comparisons (graph, size, parameters, problem)."""
    rng = np.random.default_rng(index)
    n = int(rng.integers(3, 8))
    graph = GRAPHS[index % len(GRAPHS)]
    network = lv.make_network(graph, n if graph != "grid" else 6, seed=index)
    n = network.n_agents
    d = int(rng.integers(1, 4))
    problem = lv.random_quadratic(n, d, mu=float(rng.uniform(0.1, 1)), L=2.0, seed=index)
    gamma = float(rng.uniform(0.01, 0.2))
    alg = lv.LTADMM(gamma=gamma, beta=gamma * float(rng.uniform(0.3, 3)),
                    rho=float(rng.uniform(0.3, 3)), tau=int(rng.integers(1, 7)),
                    alpha=float(rng.choice([0.5, 0.3, 0.7])),
                    penalty=str(rng.choice(["frozen", "inner"])))
    return alg, problem, network


@pytest.mark.parametrize("block", range(6))
def test_traced_map_equals_the_hand_derivation_on_60_instances(block: int) -> None:
    for index in range(10 * block, 10 * block + 10):
        alg, problem, network = _instance(index)
        hand = lt_admm_model(alg, problem, network)
        traced = exact.affine_map(alg, problem, network, noisy=True)
        radius = hand.spectral_radius()
        assert traced.spectral_radius() == pytest.approx(radius, rel=1e-10, abs=1e-12), index
        # the mean and the covariance agree round by round (for as long as a divergent instance
        # amplifies rounding by less than 1e4)
        rounds = 30 if radius <= 1 else max(1, min(30, int(np.log(1e4) / np.log(radius))))
        x0 = np.random.default_rng(index).standard_normal((network.n_agents, problem.dim))
        noise = lv.GaussianNoise(0.3)
        expected = exact.expected_metrics(alg, problem, network, rounds, x0=x0, noise=noise)
        q = hand.initial_state(x0)
        cov = np.zeros((q.size, q.size))
        W = noise.sigma2 * hand.E @ hand.noise_cov @ hand.E.T
        nd = network.n_agents * problem.dim
        for _ in range(rounds):
            q = hand.T @ q + hand.b
            cov = hand.T @ cov @ hand.T.T + W
        metric = exact._MetricMap(problem)(q[:nd], cov[:nd, :nd])
        for name, value in metric.items():  # rounding is relative to the trajectory's scale
            scale = float(np.abs(expected[name]).max())
            assert expected[name][-1] == pytest.approx(value, rel=1e-10, abs=1e-12 * scale), (index, name)


def test_reduction_reproduces_the_hand_reduction() -> None:
    for graph in GRAPHS:
        network = lv.make_network(graph, 6, seed=1)
        n = network.n_agents
        half = round_map(lv.LTADMM(gamma=0.1, beta=0.1, rho=1.0, tau=3), network)
        assert half.size == 2 * n - 1, graph  # (x, v): the cycle space of z is gone
        assert half.full_size == n + network.n_directed_edges
        other = round_map(lv.LTADMM(gamma=0.1, beta=0.1, rho=1.0, tau=3, alpha=0.3), network)
        assert 2 * n - 1 < other.size <= 3 * n - 1, graph  # (x, s, v), less on bipartite graphs


@pytest.mark.parametrize("penalty", ["frozen", "inner"])
@pytest.mark.parametrize("alpha", [0.5, 0.3])
def test_traced_lifted_system_equals_the_hand_one(penalty: str, alpha: float) -> None:
    rng = np.random.default_rng(0)
    for graph in ("ring", "star", "erdos-renyi"):
        network = lv.make_network(graph, 5, seed=2)
        alg = lv.LTADMM(gamma=0.15, beta=0.1, rho=0.8, tau=3, alpha=alpha, penalty=penalty)
        traced, hand = round_map(alg, network), lt_admm_lifted(alg, network)
        assert traced.calls == hand.tau and traced.explicit
        if alpha == 0.5:
            assert traced.n_z == hand.AB.shape[1]
        for _ in range(5):
            h = rng.uniform(0.2, 3.0, network.n_agents)
            assert traced.quadratic_rate(h) == pytest.approx(hand.quadratic_rate(h), rel=1e-10)


BUILTINS = [
    lv.LTADMM(gamma=0.05, beta=0.05, rho=1.0, tau=3),
    lv.LTADMM(gamma=0.05, beta=0.03, rho=1.5, tau=3, penalty="inner", alpha=0.4),
    lv.LTADMMVR(gamma=0.05, beta=0.05, rho=1.0, tau=3),
    LocalDSGD(gamma=0.05, tau=3),
    LED(gamma=0.05, beta=0.05, tau=3),
    KGT(eta_c=0.05, eta_s=1.0, tau=3),
    ExactADMM(rho=1.0),
]


@pytest.mark.parametrize("algorithm", BUILTINS, ids=lambda a: f"{a.name}-{getattr(a, 'penalty', '')}")
def test_traced_expectation_equals_simulation(algorithm: Algorithm) -> None:
    problem = lv.random_quadratic(6, 2, seed=4)
    network = lv.make_network("erdos-renyi", 6, seed=4)
    x0 = np.random.default_rng(1).standard_normal((6, 2))
    expected = exact.expected_metrics(algorithm, problem, network, 25, x0=x0)
    simulated = run_loop(algorithm, problem, network, 25, x0=x0).history
    for name, values in expected.items():
        scale = np.abs(simulated[name]).max()
        np.testing.assert_allclose(values, simulated[name], rtol=0, atol=1e-11 * scale, err_msg=name)


@pytest.mark.parametrize("algorithm", [a for a in BUILTINS if a.step_parameters],
                         ids=lambda a: f"{a.name}-{getattr(a, 'penalty', '')}")
def test_critical_step_separates_convergence_from_divergence(algorithm: Algorithm) -> None:
    problem = lv.random_quadratic(6, 2, seed=2)
    network = lv.make_network("ring", 6)
    critical = lv.theory.critical_step_size(algorithm, problem, network)
    x0 = np.ones(2)
    for factor, converges in ((0.97, True), (1.03, False)):
        alg = algorithm.with_step(factor * critical)
        radius = lv.theory.spectral_radius(alg, problem, network)
        assert (radius < 1) == converges
        rounds = int(min(20_000, 40 / abs(1 - radius)))
        result = run_loop(alg, problem, network, rounds, x0=x0, record_every=rounds)
        if converges:
            assert result.status == "completed"
            # the iterates settle at the fixed point (x* for exact methods, a biased one for DSGD)
            step = run_loop(alg, problem, network, rounds + 1, x0=x0, record_every=rounds + 1).x
            assert np.abs(step - result.x).max() < 1e-8 * (1 + np.abs(result.x).max())
        else:
            assert result.status == "diverged"


def test_exact_admm_has_no_step_size() -> None:
    with pytest.raises(lv.InvalidParameterError, match="no step parameter"):
        lv.theory.critical_step_size(ExactADMM(rho=1.0), lv.random_quadratic(4, 2),
                                     lv.make_network("ring", 4))


# ---------------------------------------------------------------------------- a user's algorithm
@dataclass
class HeavyBallState(State):
    previous: np.ndarray


@dataclass(frozen=True)
class HeavyBallDGD(Algorithm):
    """A user's algorithm: decentralised gradient descent with heavy-ball momentum,
    ``x+ = W x - gamma g(x) + m (x - x_prev)``."""

    gamma: float
    momentum: float

    name = "heavy-ball-dgd"
    parameter_constraints: ClassVar[Constraints] = {"gamma": Positive(), "momentum": NonNegative()}
    step_parameters = ("gamma",)

    def initialize(self, x0, problem, backend, oracle):
        return HeavyBallState(x=x0.copy(), previous=x0.copy())

    def step(self, state, k, problem, backend, oracle):
        x = state.x
        new = backend.mix(x) - self.gamma * oracle.gradient(x, k, 0) + self.momentum * (x - state.previous)
        return HeavyBallState(x=new, previous=x)


def test_a_users_algorithm_gets_the_analyses() -> None:
    problem = lv.random_quadratic(5, 2, seed=0)
    network = lv.make_network("ring", 5)
    alg = HeavyBallDGD(gamma=0.05, momentum=0.3)
    assert round_map(alg, network).fields == (("x", 5), ("previous", 5))
    critical = lv.theory.critical_step_size(alg, problem, network)
    for factor, status in ((0.97, "completed"), (1.03, "diverged")):
        res = run_loop(alg.with_step(factor * critical), problem, network, 4000, x0=np.ones(2))
        assert res.status == status
    with pytest.raises(lv.InadmissibleStepSize, match="heavy-ball-dgd"):
        lv.run(alg.with_step(1.5 * critical), problem, network, 10)


@dataclass(frozen=True)
class PlusConstant(LocalDSGD):
    def step(self, state, k, problem, backend, oracle):
        state.x = backend.mix(state.x) - self.gamma * oracle.gradient(state.x, k, 0) + 1.0
        return state


@dataclass(frozen=True)
class Decaying(LocalDSGD):
    def step(self, state, k, problem, backend, oracle):
        state.x = backend.mix(state.x) - self.gamma / (k + 1) * oracle.gradient(state.x, k, 0)
        return state


@dataclass(frozen=True)
class Squared(LocalDSGD):
    def step(self, state, k, problem, backend, oracle):
        state.x = backend.mix(state.x) - self.gamma * oracle.gradient(state.x * state.x, k, 0)
        return state


@pytest.mark.parametrize(("cls", "words"), [(PlusConstant, "not linear"), (Decaying, "round index"),
                                            (Squared, "not linear")])
def test_a_round_that_is_not_linear_is_refused_by_the_tracer(cls: type, words: str) -> None:
    with pytest.raises(NonlinearRoundError, match=words):
        round_map(cls(gamma=0.1, tau=1), lv.make_network("ring", 4))


def test_power_sums_equal_the_loop() -> None:
    rng = np.random.default_rng(0)
    M = 0.4 * rng.standard_normal((3, 2, 2))
    for n in (0, 1, 2, 5, 13):
        P, S, W = power_sums(M, n)
        power = np.broadcast_to(np.eye(2), M.shape).copy()
        S_ref, W_ref = np.zeros_like(M), np.zeros_like(M)
        for _ in range(n):
            S_ref += power
            W_ref += power @ power.transpose(0, 2, 1)
            power = M @ power
        np.testing.assert_allclose(P, power, atol=1e-14)
        np.testing.assert_allclose(S, S_ref, atol=1e-13)
        np.testing.assert_allclose(W, W_ref, atol=1e-13)


def test_the_exact_map_costs_log_tau() -> None:
    # a billion local steps: the trace evaluates the local loop by squaring (O(log tau) products);
    # a loop over the steps would not finish
    problem = lv.random_quadratic(4, 2, seed=0)
    network = lv.make_network("ring", 4)
    alg = lv.LTADMM(gamma=1e-10, beta=1e-10, rho=1.0, tau=10**9)
    radius = lv.theory.spectral_radius(alg, problem, network)
    assert 0 < radius < 1
    verdict = lv.theory.assess_step_size(alg, problem, network)
    assert verdict.ok and verdict.spectral_radius == pytest.approx(radius)
