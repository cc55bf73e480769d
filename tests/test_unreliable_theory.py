"""The exact mean-square analysis under message loss and the channel-noise floor, held against
Monte Carlo runs of the same algorithms on the same unreliable channel (SPEC 8)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from scipy import stats

import ltadmm_verify as lv
from ltadmm_verify.theory import exact, unreliable
from ltadmm_verify.theory.trace import TraceTooLargeError
from ltadmm_verify.verify.strategies import instances

#: two-sided z of the Monte Carlo comparisons (family-wise 1e-4 per comparison: no flaky failures)
Z = float(stats.norm.ppf(1 - 1e-4 / 2))


def _algorithms(step: float) -> dict[str, lv.Algorithm]:
    return {
        "lt-admm": lv.LTADMM(gamma=step, beta=step, rho=1.0, tau=3),
        "lt-admm-inner": lv.LTADMM(gamma=step, beta=step, rho=0.7, tau=2, penalty="inner", alpha=0.3),
        "led": lv.LED(gamma=step, beta=step, tau=3),
        "k-gt": lv.KGT(eta_c=step, eta_s=1.0, tau=3),
        "local-dsgd": lv.LocalDSGD(gamma=step, tau=3),
        "exact-admm": lv.ExactADMM(rho=1.0),
    }


@given(instance=instances("quadratic", min_nodes=3, max_nodes=6, max_dim=2),
       name=st.sampled_from(sorted(_algorithms(0.1))), fraction=st.floats(0.2, 0.9))
def test_at_no_loss_the_mean_square_radius_is_the_squared_spectral_radius(instance, name, fraction):
    problem, network = instance
    algorithm = _algorithms(0.1)[name]
    if algorithm.step_parameters:
        algorithm = algorithm.with_step(fraction * exact.critical_step_size(algorithm, problem, network))
    radius = exact.spectral_radius(algorithm, problem, network)
    model = unreliable.loss_model(algorithm, problem, network)
    note(f"radius {radius}, reduced {model.size}, messages {model.messages}")
    assert model.radius(0.0) == pytest.approx(radius ** 2, rel=1e-9, abs=1e-12)
    # continuity from the right where the ideal round already reaches every mode loss excites
    assert model.radius(1e-9) >= model.radius(0.0) - 1e-6


def _mc_distance(algorithm: lv.Algorithm, problem: lv.Problem, network: lv.Network, p: float,
                 rounds: int, x0: np.ndarray, seeds: int = 300) -> np.ndarray:
    x_star = problem.optimum()
    runs = lv.run_replicas(algorithm, problem, network, rounds, list(range(seeds)), x0=x0,
                           channel=lv.Channel(loss=p), check="off",
                           observers={"d2": lambda X: float(((X - x_star) ** 2).sum())})
    return np.array([r.history["d2"] for r in runs])


@pytest.mark.parametrize("name", ["lt-admm", "lt-admm-inner", "led", "k-gt", "local-dsgd", "exact-admm"])
def test_the_exact_second_moment_matches_monte_carlo(name: str) -> None:
    network = lv.make_network("ring", 5)
    problem = lv.random_quadratic(5, 2, seed=3)
    algorithm = _algorithms(0.1)[name]
    x0 = np.random.default_rng(0).standard_normal((5, 2))
    p, rounds = 0.3, 25
    predicted = unreliable.expected_distance(algorithm, problem, network, loss=p, rounds=rounds, x0=x0)
    samples = _mc_distance(algorithm, problem, network, p, rounds, x0)
    for k in (1, 3, 10, 25):
        mean, se = samples[:, k].mean(), samples[:, k].std(ddof=1) / np.sqrt(samples.shape[0])
        assert abs(mean - predicted[k]) <= Z * se + 1e-9 * predicted[k], (k, mean, predicted[k], se)
    # the comparison has power: the no-loss prediction is outside the interval for some round
    ideal = unreliable.expected_distance(algorithm, problem, network, loss=0.0, rounds=rounds, x0=x0)
    se = samples.std(axis=0, ddof=1) / np.sqrt(samples.shape[0])
    assert np.any(np.abs(samples.mean(axis=0) - ideal) > Z * se + 1e-9 * ideal)


@given(instance=instances("quadratic", min_nodes=3, max_nodes=5, max_dim=2),
       p=st.sampled_from([0.1, 0.3, 0.5]))
def test_generated_instances_second_moment_matches_monte_carlo(instance, p):
    problem, network = instance
    algorithm = lv.LTADMM(gamma=0.1, beta=0.1, rho=1.0, tau=2)
    algorithm = algorithm.with_step(0.5 * unreliable.mean_square_critical_step(
        algorithm, problem, network, loss=p, rtol=1e-3))
    x0 = np.zeros((network.n_agents, problem.dim))
    predicted = unreliable.expected_distance(algorithm, problem, network, loss=p, rounds=12, x0=x0)
    samples = _mc_distance(algorithm, problem, network, p, 12, x0, seeds=200)
    mean, se = samples[:, 12].mean(), samples[:, 12].std(ddof=1) / np.sqrt(samples.shape[0])
    note(f"exact {predicted[12]}, Monte Carlo {mean} +- {se}")
    assert abs(mean - predicted[12]) <= Z * se + 1e-9 * predicted[12]


def test_the_radius_is_the_decay_rate_of_the_second_moment() -> None:
    network = lv.make_network("complete", 5)
    problem = lv.random_quadratic(5, 1, seed=2)
    algorithm = lv.LTADMM(gamma=0.1, beta=0.1, rho=1.0, tau=3)
    p = 0.4
    curve = unreliable.expected_distance(algorithm, problem, network, loss=p, rounds=40)
    radius = unreliable.mean_square_radius(algorithm, problem, network, loss=p)
    assert radius > unreliable.mean_square_radius(algorithm, problem, network, loss=0.0)
    # (the curve stays far above the rounding floor of its trace formula up to round 40)
    assert (curve[40] / curve[20]) ** (1 / 20) == pytest.approx(radius, rel=2e-2)


def test_the_mean_square_critical_step_at_no_loss_is_the_critical_step() -> None:
    network = lv.make_network("ring", 6)
    problem = lv.random_quadratic(6, 1, seed=4)
    algorithm = lv.LED(gamma=0.1, beta=0.1, tau=2)
    ideal = exact.critical_step_size(algorithm, problem, network, rtol=1e-6)
    assert unreliable.mean_square_critical_step(algorithm, problem, network, loss=0.0) == \
        pytest.approx(ideal, rel=1e-5)
    lossy = unreliable.mean_square_critical_step(algorithm, problem, network, loss=0.3, rtol=1e-4)
    above = algorithm.with_step(1.05 * lossy)
    below = algorithm.with_step(0.95 * lossy)
    assert unreliable.mean_square_radius(above, problem, network, loss=0.3) > 1.0
    assert unreliable.mean_square_radius(below, problem, network, loss=0.3) < 1.0


def test_where_the_iterates_settle_under_loss() -> None:
    network = lv.make_network("ring", 5)
    problem = lv.random_quadratic(5, 2, seed=3)
    admm = unreliable.loss_limit(_algorithms(0.1)["lt-admm"], problem, network, loss=0.3)
    assert admm["dist_sq"] < 1e-20 and admm["stationarity"] < 1e-20
    led = unreliable.loss_limit(_algorithms(0.1)["led"], problem, network, loss=0.3)
    assert led["dist_sq"] > 1e-3 and led["bias_sq"] < 1e-20
    # without loss: x*, to the accuracy of the reduced model (rank rule 1e-8 relative, squared)
    lossless = unreliable.loss_limit(_algorithms(0.1)["led"], problem, network, loss=0.0)
    assert lossless["dist_sq"] <= 1e-14 * float((problem.optimum() ** 2).sum())


def test_the_channel_noise_floor_matches_monte_carlo() -> None:
    network = lv.make_network("ring", 4)
    problem = lv.random_quadratic(4, 2, seed=5)
    algorithm = lv.LTADMM(gamma=0.2, beta=0.2, rho=1.0, tau=2)
    variance = 0.05
    floor = unreliable.channel_noise_floor(algorithm, problem, network, variance=variance)
    twice = unreliable.channel_noise_floor(algorithm, problem, network, variance=2 * variance)
    assert twice["stationarity"] == pytest.approx(2 * floor["stationarity"], rel=1e-9)
    runs = lv.run_replicas(algorithm, problem, network, 600, list(range(40)), x0=problem.optimum(),
                           channel=lv.Channel(noise=variance), check="off")
    tails = np.array([r.history["stationarity"][200:].mean() for r in runs])
    se = tails.std(ddof=1) / np.sqrt(tails.size)
    assert abs(tails.mean() - floor["stationarity"]) <= Z * se
    assert abs(tails.mean() - 2 * floor["stationarity"]) > Z * se  # the test has power


def test_oversized_analyses_are_refused_before_the_traces(monkeypatch: pytest.MonkeyPatch) -> None:
    network = lv.make_network("complete", 6)
    problem = lv.random_quadratic(6, 1, seed=0)
    monkeypatch.setattr(unreliable, "MAX_MESSAGES", 10)
    with pytest.raises(TraceTooLargeError, match="MAX_MESSAGES = 10"):
        unreliable.mean_square_radius(lv.KGT(eta_c=0.1, eta_s=1.0, tau=2), problem, network, loss=0.1)


@dataclass(frozen=True)
class NoFallback(lv.ExactADMM):
    """Exact ADMM whose exchange gives no fallback: no semantics under loss."""

    def step(self, state, k, problem, backend, oracle):
        z = state.z
        rho_d = self.rho * backend.degrees[:, None].astype(np.float64)
        x = oracle.local_solve(backend.edge_sum(z), rho_d, state.x, k, self.inner_steps)
        state.z = (1.0 - self.alpha) * z - self.alpha * backend.exchange(
            z - 2.0 * self.rho * x[backend.edge_source])
        state.x = x
        return state


def test_an_exchange_without_fallback_has_no_loss_analysis() -> None:
    network = lv.make_network("ring", 4)
    problem = lv.random_quadratic(4, 1, seed=0)
    with pytest.raises(lv.InvalidParameterError, match="fallback"):
        unreliable.mean_square_radius(NoFallback(rho=1.0), problem, network, loss=0.1)


def test_bad_loss_values_are_refused() -> None:
    network = lv.make_network("ring", 4)
    problem = lv.random_quadratic(4, 1, seed=0)
    for bad in (1.0, -0.1, "x"):
        with pytest.raises(lv.InvalidParameterError, match="loss"):
            unreliable.mean_square_radius(lv.LocalDSGD(gamma=0.1, tau=1), problem, network, loss=bad)


def test_mixing_algorithms_have_no_floor_under_channel_noise() -> None:
    """LED's sum of corrections random-walks under channel noise: no stationary distribution (the
    analysis says so), and the simulated distance keeps growing."""
    network = lv.make_network("ring", 6)
    problem = lv.random_quadratic(6, 2, seed=0)
    led = lv.LED(gamma=0.1, beta=0.1, tau=3)
    with pytest.raises(lv.InvalidParameterError, match="random walk"):
        unreliable.channel_noise_floor(led, problem, network, variance=0.01)
    runs = lv.run_replicas(led, problem, network, 4000, list(range(64)), x0=problem.optimum(),
                           channel=lv.Channel(noise=0.01), check="off", record_every=500)
    distance = np.array([r.history["dist_sq"] for r in runs])  # rounds 0, 500, ..., 4000
    growth = distance[:, -1] - distance[:, 1]
    assert growth.mean() > Z * growth.std(ddof=1) / np.sqrt(growth.size)


def test_loss_can_stabilise_a_diverging_mixing_algorithm() -> None:
    """A lost value replaced by the receiver's own makes the expected mixing lazier: LED above its
    critical step diverges without loss and converges in mean square with 10 % loss."""
    network = lv.make_network("ring", 8)
    problem = lv.random_quadratic(8, 2, seed=0)
    led = lv.LED(gamma=0.8, beta=0.8, tau=5)
    assert exact.spectral_radius(led, problem, network) > 1.0
    assert unreliable.mean_square_radius(led, problem, network, loss=0.1) < 1.0
    runs = lv.run_replicas(led, problem, network, 300, list(range(6)), channel=lv.Channel(loss=0.1),
                           check="off", record_every=300)
    assert all(r.status == "completed" and r.history["dist_sq"][-1] < 1.0 for r in runs)
    assert lv.run(led, problem, network, 300, check="off").status == "diverged"


@pytest.mark.parametrize("name", ["led", "k-gt"])
def test_the_monte_carlo_horizon_of_r1_r3_comes_from_the_exact_curve(name):
    """The horizon is the first round at which the exact expected distance (transient included) is
    below the prediction floor: the asymptotic radius alone cut a slow transient short (a
    thorough-profile example measured 4.7e-6 against 1e-6 after 35 rounds)."""
    from ltadmm_verify.verify.experiments import MonteCarlo
    from ltadmm_verify.verify.unreliable import PREDICTION_FLOOR, check_exact_under_loss

    problem, network = lv.random_quadratic(3, 2, seed=0), lv.make_network("path", 3)
    algorithm = lv.LED(0.1, 0.1, 1) if name == "led" else lv.KGT(0.1, 1.0, 1)
    algorithm = algorithm.with_step(0.3 * exact.critical_step_size(algorithm, problem, network))
    result = check_exact_under_loss("R3.no-loss", algorithm, problem, network, loss=0.0,
                                    mc=MonteCarlo(seeds=2, rounds=100))
    rounds = result.conditions[0].evidence["rounds"]
    curve = unreliable.expected_distance(algorithm, problem, network, loss=0.0, rounds=rounds)
    assert curve[rounds] <= PREDICTION_FLOOR * curve[0]
    assert rounds == 20 or curve[rounds - 1] > PREDICTION_FLOOR * curve[0]
    assert result.conditions[0].measured <= 1e-6


def test_without_loss_the_moments_stay_on_the_part_the_ideal_round_reaches():
    """LED on the complete graph of 3 agents (``W = 11^T / 3``) at 0.75 x its critical step (2.2):
    only a lost message excites disagreement, and there the round is unstable (modulus 1.22). The
    model with the loss terms holds those parts, so at ``p = 0`` rounding excited them and the
    moments overflowed (a thorough-profile R3.no-loss example measured ``inf``); the lossless model
    acts on the ideal round's reachable part only."""
    H = np.array([[[0.97216554, -0.1417783], [-0.1417783, 0.27783446]],
                  [[0.4191667, 0.31346077], [0.31346077, 0.8308333]],
                  [[0.41731966, -0.31224009], [-0.31224009, 0.83268034]]])
    h = np.array([[0.41163054, 1.04251337], [-0.12853466, 1.36646347], [-0.66519467, 0.35151007]])
    problem, network = lv.Quadratic(H, h), lv.make_network("complete", 3)
    algorithm = lv.LED(0.1, 0.1, 1)
    algorithm = algorithm.with_step(0.75 * exact.critical_step_size(algorithm, problem, network))
    with_losses = unreliable.loss_model(algorithm, problem, network)
    lossless = unreliable.loss_model(algorithm, problem, network, lossless=True)
    assert np.abs(np.linalg.eigvals(with_losses.T)).max() > 1.2  # reached only through a loss
    assert np.abs(np.linalg.eigvals(lossless.T)).max() == pytest.approx(with_losses.ideal_radius)
    curve = unreliable.expected_distance(algorithm, problem, network, loss=0.0, rounds=3000)
    assert np.all(np.isfinite(curve)) and curve[-1] <= 1e-12 * curve[0]
    limit = unreliable.loss_limit(algorithm, problem, network, loss=0.0)["dist_sq"]
    assert limit <= 1e-14 * float((problem.optimum() ** 2).sum())  # reduced model's accuracy, squared


#: A quadratic on a 6-star whose second-moment operator has a cluster of leading eigenvalues
#: (0.90071, 0.90056, 0.90050, ...): found by the thorough profile (theorems/test_r1_loss_ltadmm.py,
#: LT-ADMM at half its critical step, loss 0.05), where Arnoldi on one eigenvalue did not converge.
STAR_H = [[[2.8637483663665426, -0.5184047377984831], [-0.5184047377984831, 0.32496401354691895]],
          [[0.8417377859914141, 1.1461524801330112], [1.1461524801330112, 2.346974593922048]],
          [[0.8349841546219113, -1.1416891352963847], [-1.1416891352963847, 2.353728225291551]],
          [[0.466823688052733, 0.7802374169779762], [0.7802374169779762, 2.721888691860729]],
          [[1.3304813799808692, 1.345537087694931], [1.345537087694931, 1.858230999932593]],
          [[0.2897405131239882, -0.4219927789247081], [-0.4219927789247081, 2.8989718667894744]]]
STAR_h = [[-0.939878626038863, -0.1863195984333561], [1.1269647382131611, 2.1468072712548434],
          [-1.8099067023996729, 2.1762654261874026], [1.9346959216870627, 1.1231351385068644],
          [0.38015496859837383, -0.45126404589611496], [2.095904732584378, 2.8178713298968243]]


def _full_kronecker_radius(model: unreliable.LossModel, p: float) -> float:
    """The radius from every eigenvalue of ``Tbar (x) Tbar + v sum_m D_m (x) D_m`` (no restriction)."""
    T, U, V = model.quotient()
    Tbar, v = T + p * unreliable._sum_products(U, V), p * (1 - p)
    K = np.kron(Tbar, Tbar)
    for m in range(U.shape[0]):
        D = U[m] @ V[m].T
        K += v * np.kron(D, D)
    return float(np.abs(np.linalg.eigvals(K)).max())


@pytest.mark.parametrize("dense_size", [34, 24], ids=["dense", "arnoldi then dense"])
def test_a_cluster_of_leading_eigenvalues_gives_the_radius(monkeypatch, dense_size):
    """The 6-star's clustered spectrum: the dense radius on the symmetric matrices, and the radius
    when Arnoldi does not converge on the cluster and the dense eigenvalues decide, both equal the
    radius of the whole Kronecker form."""
    problem, network = lv.Quadratic(STAR_H, STAR_h), lv.make_network("star", 6)
    algorithm = lv.LTADMM(gamma=0.13840600012940202, beta=0.13840600012940202, rho=1.0, tau=1)
    model = unreliable.loss_model(algorithm, problem, network)
    assert model.quotient()[0].shape[0] == 32
    monkeypatch.setattr(unreliable, "DENSE_SIZE", dense_size)
    assert model.radius(0.05) == pytest.approx(_full_kronecker_radius(model, 0.05), rel=1e-9)


@given(instance=instances("quadratic", min_nodes=3, max_nodes=5, max_dim=2),
       name=st.sampled_from(["lt-admm", "led", "k-gt"]), p=st.floats(0.05, 0.6))
def test_the_symmetric_restriction_keeps_the_radius(instance, name, p):
    """Restricting the second-moment operator to symmetric matrices keeps its spectral radius
    (a positive map: its Perron eigenvector is positive semidefinite)."""
    problem, network = instance
    algorithm = _algorithms(0.1)[name]
    algorithm = algorithm.with_step(0.5 * exact.critical_step_size(algorithm, problem, network, rtol=1e-3))
    model = unreliable.loss_model(algorithm, problem, network)
    assert model.quotient()[0].shape[0] <= unreliable.DENSE_SIZE
    assert model.radius(p) == pytest.approx(_full_kronecker_radius(model, p), rel=1e-8, abs=1e-12)
