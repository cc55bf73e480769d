"""Exact linear analysis on quadratics (traced from the code) versus the simulator (SPEC 3)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import ltadmm_verify as lv
from ltadmm_verify.algorithms import LED
from ltadmm_verify.algorithms.oracles import GradientOracle
from ltadmm_verify.algorithms.run import COUNTERS, run_loop
from ltadmm_verify.backends.simulator import Simulator
from ltadmm_verify.network import make_network
from ltadmm_verify.theory import exact
from tests.reference_maps import lt_admm_model

GRAPHS = ("ring", "star", "grid", "erdos-renyi")
N_AGENTS, DIM = 6, 2


@pytest.fixture(scope="module")
def quadratic() -> lv.Quadratic:
    return lv.random_quadratic(N_AGENTS, DIM, seed=1)


# ----------------------------------------------------------------------------- trajectory
@pytest.mark.parametrize("penalty", ["frozen", "inner"])
@pytest.mark.parametrize("alpha", [0.5, 0.3])
@pytest.mark.parametrize("kind", ["quadratic", "least-squares"])
def test_map_reproduces_simulator(penalty: str, alpha: float, kind: str) -> None:
    problem = (lv.random_quadratic(5, 2, seed=1) if kind == "quadratic"
               else lv.random_least_squares(5, 3, seed=2))
    network = make_network("ring", 5)
    algo = lv.LTADMM(gamma=0.05, beta=0.03, rho=0.7, tau=3, penalty=penalty, alpha=alpha)
    x0 = np.random.default_rng(0).standard_normal((5, problem.dim))
    rounds = 40
    sim = run_loop(algo, problem, network, rounds, x0=x0)
    expected = exact.expected_metrics(algo, problem, network, rounds, x0=x0)
    assert set(expected) == set(sim.history) - set(COUNTERS)
    np.testing.assert_array_equal(expected["round"], sim.history["round"])
    for name, values in expected.items():
        np.testing.assert_allclose(values, sim.history[name], rtol=1e-10, atol=0, err_msg=name)
    model = lt_admm_model(algo, problem, network)  # the hand derivation, an independent reference
    q = model.initial_state(x0)
    for _ in range(rounds):
        q = model.T @ q + model.b
    np.testing.assert_allclose(q[: 5 * problem.dim], sim.x.ravel(), rtol=1e-10, atol=1e-12)


def test_record_every_matches_run(quadratic: lv.Quadratic) -> None:
    network = make_network("ring", N_AGENTS)
    algo = lv.LTADMM(gamma=0.05, beta=0.05, rho=1.0, tau=2)
    sim = run_loop(algo, quadratic, network, 23, record_every=5)
    expected = exact.expected_metrics(algo, quadratic, network, 23, record_every=5)
    np.testing.assert_array_equal(expected["round"], sim.history["round"])
    np.testing.assert_allclose(expected["stationarity"], sim.history["stationarity"], rtol=1e-10)


# ----------------------------------------------------------------------------- critical step
@pytest.mark.parametrize("graph", GRAPHS)
@pytest.mark.parametrize("tau", [1, 2, 5, 10])
def test_critical_step_separates_convergence_from_divergence(
    quadratic: lv.Quadratic, graph: str, tau: int
) -> None:
    network = make_network(graph, N_AGENTS, seed=3)
    critical = _critical(quadratic, network, tau)
    x0 = np.ones(DIM)
    for factor, converges in ((0.97, True), (1.03, False)):
        gamma = factor * critical
        algo = lv.LTADMM(gamma=gamma, beta=gamma, rho=1.0, tau=tau)
        radius = lv.theory.spectral_radius(algo, quadratic, network)
        assert (radius < 1) == converges
        # enough rounds for the dominant mode to change by a factor e^40
        rounds = int(min(20_000, 40 / abs(1 - radius)))
        result = run_loop(algo, quadratic, network, rounds, x0=x0, record_every=rounds)
        if converges:
            assert result.status == "completed"
            assert result.history["dist_sq"][-1] < 1e-12 * result.history["dist_sq"][0]
        else:
            assert result.status == "diverged"


def _critical(problem: lv.Problem, network: lv.Network, tau: int, penalty: str = "frozen") -> float:
    algo = lv.LTADMM(gamma=0.01, beta=0.01, rho=1.0, tau=tau, penalty=penalty)
    return lv.theory.critical_step_size(algo, problem, network)


def _simulator_map(algo: lv.LTADMM, problem: lv.Problem, network: lv.Network) -> np.ndarray:
    """The linear part of one simulated round on the full state ``(x, z)``, column by column.

    Built only from ``LTADMM.step`` and the Simulator (no use of the derivation in ``exact``).
    """
    n, d = problem.n_agents, problem.dim
    m = network.n_directed_edges
    backend = Simulator(network)
    oracle = GradientOracle(problem, backend.agents, None, True, None, 0)

    def apply(vec: np.ndarray) -> np.ndarray:
        state = algo.initialize(np.zeros((n, d)), problem, backend, oracle)
        state.x = vec[: n * d].reshape(n, d).copy()
        state.z = vec[n * d:].reshape(m, d).copy()
        out = algo.step(state, 0, problem, backend, oracle)
        return np.concatenate([out.x.ravel(), out.z.ravel()])

    size = (n + m) * d
    base = apply(np.zeros(size))
    return np.column_stack([apply(e) - base for e in np.eye(size)])


def _simulated_radius(algo: lv.LTADMM, problem: lv.Problem, network: lv.Network) -> float:
    """Spectral radius of the simulated round on the subspace reachable from ``z_{ij,0} = x_{i,0}``."""
    T = _simulator_map(algo, problem, network)
    n, d = problem.n_agents, problem.dim
    start = np.vstack([np.eye(n * d), np.kron(np.eye(n)[network.edge_source], np.eye(d))])
    basis = np.linalg.qr(start)[0]
    while True:
        grown = np.linalg.svd(np.hstack([basis, T @ basis]), full_matrices=False)
        rank = int((grown[1] > 1e-9 * grown[1][0]).sum())
        if rank == basis.shape[1]:
            break
        basis = grown[0][:, :rank]
    return float(np.abs(np.linalg.eigvals(basis.T @ T @ basis)).max())


@pytest.mark.parametrize(
    ("graph", "tau", "penalty", "kind"),
    [("ring", 5, "frozen", "quadratic"), ("star", 2, "frozen", "quadratic"),
     ("grid", 10, "inner", "quadratic"), ("erdos-renyi", 1, "frozen", "least-squares")],
)
def test_critical_step_matches_independent_bisection(
    graph: str, tau: int, penalty: str, kind: str
) -> None:
    network = make_network(graph, N_AGENTS, seed=3)
    problem = (lv.random_quadratic(N_AGENTS, DIM, seed=1) if kind == "quadratic"
               else lv.random_least_squares(N_AGENTS, DIM, 4, seed=5))
    critical = _critical(problem, network, tau, penalty)

    def stable(gamma: float) -> bool:
        algo = lv.LTADMM(gamma=gamma, beta=gamma, rho=1.0, tau=tau, penalty=penalty)
        return _simulated_radius(algo, problem, network) < 1

    lo, hi = 0.9 * critical, 1.1 * critical
    assert stable(lo) and not stable(hi)
    while hi - lo > 1e-5 * lo:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if stable(mid) else (lo, mid)
    assert abs(lo - critical) <= 1e-4 * critical


def test_critical_step_rejects_singular_problem() -> None:
    H = np.zeros((4, 2, 2))
    H[:, 0, 0] = 1.0
    problem = lv.Quadratic(H, np.zeros((4, 2)))
    with pytest.raises(lv.InvalidProblemError, match="positive definite"):
        _critical(problem, make_network("ring", 4), 2)


def test_exact_analysis_rejects_other_problems() -> None:
    problem = lv.random_logistic(4, 2, seed=0)
    algo = lv.LTADMM(gamma=0.1, beta=0.1, rho=1.0, tau=2)
    with pytest.raises(lv.InvalidProblemError, match="quadratic"):
        lv.theory.spectral_radius(algo, problem, make_network("ring", 4))


# ----------------------------------------------------------------------------- noise
NOISY = {"n": 4, "d": 2, "tau": 3, "sigma2": 0.2}


def _noisy_setup() -> tuple[lv.Quadratic, lv.Network, lv.LTADMM, lv.GaussianNoise]:
    problem = lv.random_quadratic(NOISY["n"], NOISY["d"], seed=7)
    network = make_network("ring", NOISY["n"])
    critical = _critical(problem, network, NOISY["tau"])
    gamma = 0.5 * critical
    algo = lv.LTADMM(gamma=gamma, beta=gamma, rho=1.0, tau=NOISY["tau"])
    return problem, network, algo, lv.GaussianNoise(NOISY["sigma2"])


def _t_halfwidth(samples: np.ndarray, level: float) -> float:
    n = samples.size
    return float(stats.t.ppf(0.5 + level / 2, n - 1) * samples.std(ddof=1) / np.sqrt(n))


def test_monte_carlo_floor_matches_exact_floor() -> None:
    problem, network, algo, noise = _noisy_setup()
    floor = lv.theory.noise_floor(algo, problem, network, noise)
    radius = lv.theory.spectral_radius(algo, problem, network)
    burn = int(np.ceil(np.log(1e-10) / np.log(radius)))
    window, seeds = 200, 30
    averages = {name: [] for name in ("stationarity", "consensus", "dist_sq")}
    for seed in range(seeds):
        hist = run_loop(algo, problem, network, burn + window, seed=seed, noise=noise).history
        for name, values in averages.items():
            values.append(hist[name][burn + 1:].mean())
    for name, values in averages.items():
        arr = np.asarray(values)
        # 99.9% Student-t interval, Bonferroni over the 3 metrics
        half = _t_halfwidth(arr, 1 - 1e-3 / 3)
        assert abs(arr.mean() - floor[name]) <= half, (name, arr.mean(), floor[name], half)
        # the interval is narrow enough to tell the floor from zero
        assert floor[name] > 5 * half, (name, floor[name], half)


def test_stationary_covariance_solves_lyapunov() -> None:
    problem, network, algo, noise = _noisy_setup()
    cov = lv.theory.stationary_covariance(algo, problem, network, noise)
    assert cov.shape == (NOISY["n"] * NOISY["d"],) * 2
    assert np.linalg.eigvalsh(cov).min() > -1e-12
    long = exact.expected_metrics(algo, problem, network, 3000, noise=noise, record_every=3000)
    floor = lv.theory.noise_floor(algo, problem, network, noise)
    for name in floor:
        np.testing.assert_allclose(long[name][-1], floor[name], rtol=1e-8, atol=1e-14)


def test_expected_curve_matches_monte_carlo_means() -> None:
    problem, network, algo, noise = _noisy_setup()
    checkpoints = np.array([1, 5, 20, 80])
    rounds = int(checkpoints[-1])
    x0 = np.full(NOISY["d"], 2.0)
    expected = lv.theory.expected_metrics(algo, problem, network, rounds, x0=x0, noise=noise)
    seeds = 40
    samples = np.array([
        run_loop(algo, problem, network, rounds, x0=x0, seed=s, noise=noise).history["stationarity"]
        for s in range(seeds)
    ])[:, checkpoints]
    for j, k in enumerate(checkpoints):
        half = _t_halfwidth(samples[:, j], 1 - 1e-3 / checkpoints.size)
        assert abs(samples[:, j].mean() - expected["stationarity"][k]) <= half, (k, half)
    # noise matters at the last checkpoint: the noiseless curve is outside the interval
    noiseless = lv.theory.expected_metrics(algo, problem, network, rounds, x0=x0)
    assert abs(samples[:, -1].mean() - noiseless["stationarity"][-1]) > half


def test_covariance_needs_exact_gradients() -> None:
    problem = lv.random_least_squares(4, 2, 5, seed=0)
    algo = lv.LTADMM(gamma=0.05, beta=0.05, rho=1.0, tau=2, batch_size=1)
    for noise in (None, lv.GaussianNoise(0.1)):
        with pytest.raises(lv.InvalidParameterError, match="exact local gradients"):
            lv.theory.expected_metrics(algo, problem, make_network("ring", 4), 5, noise=noise)
    # the mean still follows the exact map: its spectral radius is defined
    assert lv.theory.spectral_radius(algo, problem, make_network("ring", 4)) < 1


def test_reduction_drops_rounding_level_modes() -> None:
    """LED keeps ``sum_i y_i = 0`` (W doubly stochastic), so its eigenvalue-1 modes are unreachable.
    Close to ``gamma = 1/L`` (where ``1 - gamma L`` vanishes) the traced reachable directions had
    rounding-level components (1e-10) along them and a rank rule at 1e-12 kept them: the radius
    jumped to 1.0000007. It must stay continuous in ``gamma`` and below 1."""
    net = lv.network.ring(4)
    problem = lv.random_quadratic(4, 2, mu=0.5, L=2.0, seed=10)
    near = lv.theory.spectral_radius(LED(gamma=0.49999996912849276, beta=0.49999996912849276, tau=1),
                                     problem, net)
    at = lv.theory.spectral_radius(LED(gamma=0.5, beta=0.5, tau=1), problem, net)
    assert near < 1 and abs(near - at) < 1e-6
