"""The run loop (``ltadmm_verify.algorithms.run``): convergence to the least-squares optimum,
SPEC 2.4 accounting, determinism, divergence."""

from __future__ import annotations

import numpy as np
import pytest

from ltadmm_verify import LTADMM, LTADMMVR, GaussianNoise, random_least_squares
from ltadmm_verify.algorithms.run import run_loop  # the loop itself, without the pre-run check
from ltadmm_verify.network import Network, erdos_renyi, ring, star

N, DIM, M = 8, 5, 20
GRAPHS = {"ring": ring(N), "star": star(N), "erdos-renyi": erdos_renyi(N, seed=1)}
PROBLEM = random_least_squares(N, DIM, M, seed=0)

# Step sizes stable on all three graphs (star: d_max = 7, lambda_u = 8).
FULL = LTADMM(gamma=0.1, beta=0.02, rho=1.0, tau=5)
VR = LTADMMVR(gamma=0.05, beta=0.02, rho=1.0, tau=5, batch_size=1)
SGD = LTADMM(gamma=0.05, beta=0.02, rho=1.0, tau=5, batch_size=1)


def _closed_form_optimum() -> np.ndarray:
    """``argmin sum_i ||A_i x - b_i||^2 / (2 m_i)`` by weighted least squares (not the library's)."""
    m = PROBLEM.n_samples
    rows = [PROBLEM.features[i, : m[i]] / np.sqrt(m[i]) for i in range(N)]
    rhs = [PROBLEM.targets[i, : m[i]] / np.sqrt(m[i]) for i in range(N)]
    return np.linalg.lstsq(np.vstack(rows), np.concatenate(rhs), rcond=None)[0]


X_STAR = _closed_form_optimum()


def _relative_errors(x: np.ndarray) -> float:
    """``max_i ||x_i - x*|| / ||x*||``."""
    return float(np.linalg.norm(x - X_STAR, axis=1).max() / np.linalg.norm(X_STAR))


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_full_batch_ltadmm_converges_to_optimum(graph: str) -> None:
    result = run_loop(FULL, PROBLEM, GRAPHS[graph], 600, record_every=50)
    assert result.status == "completed"
    assert _relative_errors(result.x) < 1e-8


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_minibatch_vr_converges_to_optimum(graph: str) -> None:
    result = run_loop(VR, PROBLEM, GRAPHS[graph], 1000, seed=3, record_every=100)
    assert result.status == "completed"
    assert _relative_errors(result.x) < 1e-8


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_minibatch_ltadmm_stalls_at_a_floor(graph: str) -> None:
    """Plain minibatch LT-ADMM with the VR run's step sizes keeps a noise floor."""
    result = run_loop(SGD, PROBLEM, GRAPHS[graph], 1000, seed=3)
    rel = np.sqrt(result.history["dist_sq"]) / np.linalg.norm(X_STAR)
    tail = rel[-200:]
    assert tail.mean() > 1e-4
    # a floor, not a slow descent: the last 100 rounds are not better than the 100 before by 10x
    assert tail[-100:].mean() > 0.1 * tail[:100].mean()


def test_library_optimum_matches_closed_form() -> None:
    np.testing.assert_allclose(PROBLEM.optimum(), X_STAR, rtol=1e-10)


# ---------------------------------------------------------------------------- accounting (SPEC 2.4)
K = 7


def _counts(algorithm, network: Network, record_every: int = 1):
    result = run_loop(algorithm, PROBLEM, network, K, seed=2, record_every=record_every)
    return result.history["round"], result.history["grad_evals"], result.history["messages"]


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_accounting_ltadmm_minibatch(graph: str) -> None:
    net = GRAPHS[graph]
    rounds, evals, messages = _counts(LTADMM(gamma=0.05, beta=0.02, rho=1.0, tau=4, batch_size=3), net)
    np.testing.assert_array_equal(rounds, np.arange(K + 1))
    np.testing.assert_array_equal(evals, rounds * N * 4 * 3)
    np.testing.assert_array_equal(messages, rounds * 2 * net.graph.number_of_edges())


def test_accounting_ltadmm_full_batch_uneven() -> None:
    from ltadmm_verify import LeastSquares

    rng = np.random.default_rng(0)
    m = [3, 7, 4, 9, 5]
    problem = LeastSquares([rng.standard_normal((mi, 2)) for mi in m], [rng.standard_normal(mi) for mi in m])
    net = ring(5)
    result = run_loop(LTADMM(gamma=0.05, beta=0.02, rho=1.0, tau=3), problem, net, K)
    np.testing.assert_array_equal(result.history["grad_evals"], np.arange(K + 1) * 3 * sum(m))
    np.testing.assert_array_equal(result.history["messages"], np.arange(K + 1) * 2 * 5)


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_accounting_vr_reset(graph: str) -> None:
    net = GRAPHS[graph]
    rounds, evals, messages = _counts(LTADMMVR(gamma=0.05, beta=0.02, rho=1.0, tau=4, batch_size=2), net)
    np.testing.assert_array_equal(evals, rounds * (N * M + N * 4 * 2))
    np.testing.assert_array_equal(messages, rounds * 2 * net.graph.number_of_edges())


def test_accounting_vr_no_reset() -> None:
    algo = LTADMMVR(gamma=0.05, beta=0.02, rho=1.0, tau=4, batch_size=2, reset=False)
    rounds, evals, _ = _counts(algo, GRAPHS["ring"])
    np.testing.assert_array_equal(evals, N * M + rounds * N * 4 * 2)


def test_record_every_keeps_last_round() -> None:
    rounds, evals, messages = _counts(SGD, GRAPHS["ring"], record_every=3)
    np.testing.assert_array_equal(rounds, [0, 3, 6, 7])
    np.testing.assert_array_equal(evals, rounds * N * 5)
    np.testing.assert_array_equal(messages, rounds * 2 * N)


# ---------------------------------------------------------------------------- determinism
@pytest.mark.parametrize(
    "algorithm, noise",
    [(SGD, None), (VR, None), (FULL, GaussianNoise(0.1)),
     (LTADMM(gamma=0.05, beta=0.02, rho=1.0, tau=3, batch_size=4, replace=False), None)],
)
def test_same_seed_bit_identical_other_seed_differs(algorithm, noise) -> None:
    net = GRAPHS["erdos-renyi"]
    a = run_loop(algorithm, PROBLEM, net, 20, seed=5, noise=noise)
    b = run_loop(algorithm, PROBLEM, net, 20, seed=5, noise=noise)
    c = run_loop(algorithm, PROBLEM, net, 20, seed=6, noise=noise)
    assert np.array_equal(a.x, b.x)
    assert a.history.keys() == b.history.keys()
    for key in a.history:
        assert np.array_equal(a.history[key], b.history[key]), key
    assert not np.allclose(a.x, c.x, rtol=1e-6)


def test_full_batch_without_noise_ignores_seed() -> None:
    a = run_loop(FULL, PROBLEM, GRAPHS["ring"], 10, seed=1)
    b = run_loop(FULL, PROBLEM, GRAPHS["ring"], 10, seed=2)
    assert np.array_equal(a.x, b.x)


# ---------------------------------------------------------------------------- divergence
def test_too_large_step_diverges_and_keeps_history() -> None:
    result = run_loop(LTADMM(gamma=5.0, beta=1.0, rho=1.0, tau=5), PROBLEM, GRAPHS["star"], 500)
    assert result.status == "diverged"
    k = result.diverged_at
    assert k is not None and 1 <= k < 500
    assert f"round {k}" in result.message
    np.testing.assert_array_equal(result.history["round"], np.arange(k + 1))
    assert np.all(np.isfinite(result.history["stationarity"][:-1]))
    assert result.x is not None and result.x.shape == (N, DIM)


def test_stable_run_reports_completed() -> None:
    result = run_loop(FULL, PROBLEM, GRAPHS["ring"], 5)
    assert result.status == "completed" and result.diverged_at is None
    assert result.parameters["algorithm"] == "lt-admm" and result.parameters["seed"] == 0
