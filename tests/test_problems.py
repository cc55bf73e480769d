"""Problems: gradients against finite differences, restriction, certified constants, optimum."""

from __future__ import annotations

import numpy as np
import pytest

from ltadmm_verify import LeastSquares, LogisticRegression, Quadratic, SoftmaxRegression, digits
from ltadmm_verify.problems import accuracy, linear_models, random_logistic, random_quadratic
from ltadmm_verify.problems.base import Problem

M_I = [4, 7, 3, 6]
P = 3


def _data(seed: int) -> tuple[list[np.ndarray], np.random.Generator]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((m, P)) for m in M_I], rng


def least_squares() -> LeastSquares:
    A, rng = _data(0)
    return LeastSquares(A, [rng.standard_normal(m) for m in M_I])


def logistic() -> LogisticRegression:
    A, rng = _data(1)
    return LogisticRegression(A, [np.where(rng.random(m) < 0.5, -1.0, 1.0) for m in M_I], l2=0.3)


def softmax() -> SoftmaxRegression:
    A, rng = _data(2)
    return SoftmaxRegression(A, [rng.integers(0, 4, m) for m in M_I], n_classes=4, eps=0.7)


def quadratic() -> Quadratic:
    return random_quadratic(4, P, mu=0.3, L=3.0, seed=3)


def small_digits() -> SoftmaxRegression:
    problem = digits(n_agents=3, split="label", eps=0.05, test_fraction=0.9, seed=1)
    assert isinstance(problem, SoftmaxRegression)
    return problem


PROBLEMS = {
    "least-squares": least_squares,
    "logistic": logistic,
    "softmax": softmax,
    "quadratic": quadratic,
    "digits": small_digits,
}


def _one_sample(problem: Problem, i: int, h: int) -> Problem:
    """The single-sample problem ``f_{i,h}`` (one agent) built from the same raw data."""
    if isinstance(problem, Quadratic):
        return Quadratic(problem.H[i : i + 1], problem.h[i : i + 1])
    a, y = problem.features[i, h : h + 1], problem.targets[i, h : h + 1]
    if isinstance(problem, LeastSquares):
        return LeastSquares([a], [y])
    if isinstance(problem, LogisticRegression):
        return LogisticRegression([a], [y], l2=problem.l2)
    assert isinstance(problem, SoftmaxRegression)
    return SoftmaxRegression([a], [y], n_classes=problem.n_outputs, eps=problem.eps)


def _directional_fd(value, x: np.ndarray, v: np.ndarray, step: float = 1e-5) -> float:
    """Central difference ``(f(x + s v) - f(x - s v)) / (2 s)`` (error ``O(s^2)``)."""
    return (value(x + step * v) - value(x - step * v)) / (2 * step)


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_per_sample_gradients_match_finite_differences(name: str) -> None:
    problem = PROBLEMS[name]()
    rng = np.random.default_rng(4)
    n, d = problem.n_agents, problem.dim
    X = 0.5 * rng.standard_normal((n, d))
    m = problem.n_samples
    idx = np.stack([rng.integers(0, m[i], 3) for i in range(n)])
    grads = problem.sample_gradients(X, idx)
    assert grads.shape == (n, 3, d)
    for i in range(n):
        for s in range(3):
            single = _one_sample(problem, i, int(idx[i, s]))
            v = rng.standard_normal(d)
            fd = _directional_fd(lambda x, single=single: single.local_values(x[None])[0], X[i], v)
            assert grads[i, s] @ v == pytest.approx(fd, rel=1e-6, abs=1e-7)


@pytest.fixture(params=["in cache", "out of cache"])
def data_size(request, monkeypatch):
    """Small test data taken as in cache (batch rows gathered) or as large (one pass in place)."""
    if request.param == "out of cache":
        monkeypatch.setattr(linear_models, "FULL_PASS_BYTES", 0)
    return request.param


@pytest.mark.parametrize("batch", [1, 5, 64])
@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_mean_sample_gradients_is_the_batch_mean(name: str, batch: int, data_size: str) -> None:
    problem = PROBLEMS[name]()
    rng = np.random.default_rng(9)
    X = rng.standard_normal((problem.n_agents, problem.dim))
    idx = np.stack([rng.integers(0, m, batch) for m in problem.n_samples])  # repeated rows too
    expected = problem.sample_gradients(X, idx).mean(axis=1)
    np.testing.assert_allclose(problem.mean_sample_gradients(X, idx), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_local_and_global_gradients(name: str) -> None:
    problem = PROBLEMS[name]()
    rng = np.random.default_rng(5)
    n, d = problem.n_agents, problem.dim
    X = 0.5 * rng.standard_normal((n, d))
    local = problem.local_gradients(X)
    # local gradient = mean of the per-sample gradients over the m_i real samples
    every = problem.all_sample_gradients(X)
    m = problem.n_samples
    for i in range(n):
        np.testing.assert_allclose(local[i], every[i, : m[i]].mean(axis=0), rtol=1e-10, atol=1e-12)
        assert not np.any(every[i, m[i] :])  # padding rows are zero
    for _ in range(3):
        v = rng.standard_normal((n, d))
        for i in range(n):
            fd = _directional_fd(
                lambda x, i=i: problem.local_values(np.where(np.arange(n)[:, None] == i, x, X))[i],
                X[i], v[i],
            )
            assert local[i] @ v[i] == pytest.approx(fd, rel=1e-6, abs=1e-7)
    x = X[0]
    u = rng.standard_normal(d)
    assert problem.gradient(x) @ u == pytest.approx(_directional_fd(problem.objective, x, u), rel=1e-6)
    np.testing.assert_allclose(problem.gradient(x), problem.local_gradients(np.tile(x, (n, 1))).sum(0))


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_restrict_gives_the_same_rows_bit_for_bit(name: str, data_size: str) -> None:
    # A block of agents (an MPI rank) or repeated agents (replicas of a run) must get exactly the
    # rows of the whole problem: the runs on them are compared bit for bit.
    problem = PROBLEMS[name]()
    last = problem.n_agents - 1
    for agents in (np.array([last, 0]), np.array([last, 0, last, last]), np.array([0])):
        sub = problem.restrict(agents)
        rng = np.random.default_rng(6)
        X = rng.standard_normal((problem.n_agents, problem.dim))
        np.testing.assert_array_equal(sub.n_samples, problem.n_samples[agents])
        assert sub.n_agents == agents.size and sub.dim == problem.dim
        np.testing.assert_array_equal(sub.local_gradients(X[agents]), problem.local_gradients(X)[agents])
        np.testing.assert_array_equal(sub.local_values(X[agents]), problem.local_values(X)[agents])
        idx = np.zeros((problem.n_agents, 2), dtype=np.int64)
        idx[:, 1] = problem.n_samples - 1
        np.testing.assert_array_equal(sub.sample_gradients(X[agents], idx[agents]),
                                      problem.sample_gradients(X, idx)[agents])
        for wide in (idx, np.tile(idx, 32)):  # gathered rows, one pass over the data in place
            np.testing.assert_array_equal(sub.mean_sample_gradients(X[agents], wide[agents]),
                                          problem.mean_sample_gradients(X, wide)[agents])
        every, part = problem.all_sample_gradients(X), sub.all_sample_gradients(X[agents])
        for row, agent in enumerate(agents):
            m_i = problem.n_samples[agent]
            np.testing.assert_array_equal(part[row, :m_i], every[agent, :m_i])


# ---------------------------------------------------------------------------- certified constants
def _fd_hessian(grad, x: np.ndarray, step: float = 1e-5) -> np.ndarray:
    d = x.size
    H = np.empty((d, d))
    for j in range(d):
        e = np.zeros(d)
        e[j] = step
        H[:, j] = (grad(x + e) - grad(x - e)) / (2 * step)
    return 0.5 * (H + H.T)


def test_least_squares_constants_closed_form() -> None:
    problem = least_squares()
    A = [problem.features[i, :m] for i, m in enumerate(M_I)]
    c = problem.smoothness()
    assert c.per_sample == pytest.approx(max(float((a * a).sum(1).max()) for a in A), rel=1e-13)
    gram = [a.T @ a / a.shape[0] for a in A]
    np.testing.assert_allclose(c.per_agent, [np.linalg.eigvalsh(g)[-1] for g in gram], rtol=1e-12)
    np.testing.assert_allclose(c.mu_per_agent, [max(np.linalg.eigvalsh(g)[0], 0) for g in gram], atol=1e-12)
    total = np.linalg.eigvalsh(sum(gram))
    assert (c.global_, c.mu_global) == pytest.approx((total[-1], total[0]), rel=1e-12)


def test_quadratic_constants_closed_form() -> None:
    problem = quadratic()
    c = problem.smoothness()
    assert c.per_sample == pytest.approx(3.0, rel=1e-12)  # random_quadratic attains L = 3 exactly
    assert c.mu == pytest.approx(0.3, rel=1e-12)
    total = np.linalg.eigvalsh(problem.H.sum(0))
    assert (c.global_, c.mu_global) == pytest.approx((total[-1], total[0]), rel=1e-12)


def test_logistic_constants_are_tight_at_zero_and_bound_elsewhere() -> None:
    problem = logistic()
    c = problem.smoothness()
    A = [problem.features[i, :m] for i, m in enumerate(M_I)]
    l2 = problem.l2
    assert c.per_sample == pytest.approx(max(float((a * a).sum(1).max()) for a in A) / 4 + l2, rel=1e-13)
    # at x = 0, sigmoid' = 1/4 exactly: the certified per-agent bound is the Hessian's top eigenvalue
    for i, a in enumerate(A):
        hess0 = a.T @ a / (4 * a.shape[0]) + l2 * np.eye(P)
        assert c.per_agent[i] == pytest.approx(np.linalg.eigvalsh(hess0)[-1], rel=1e-12)
    rng = np.random.default_rng(7)
    for _ in range(5):
        x = 2 * rng.standard_normal(P)
        for i, a in enumerate(A):
            s = 1 / (1 + np.exp(-(a @ x) * problem.targets[i, : a.shape[0]]))
            hess = (a.T * (s * (1 - s))) @ a / a.shape[0] + l2 * np.eye(P)
            eig = np.linalg.eigvalsh(hess)
            assert eig[-1] <= c.per_agent[i] + 1e-12
            assert eig[0] >= c.mu_per_agent[i] - 1e-12


def test_softmax_constants_bound_the_hessian() -> None:
    problem = softmax()
    c = problem.smoothness()
    feats = [problem.features[i, :m] for i, m in enumerate(M_I)]
    assert c.per_sample == pytest.approx(max(float((a * a).sum(1).max()) for a in feats) / 2 + 1.4, rel=1e-13)
    assert c.mu_per_agent is None and not problem.is_convex and problem.optimum() is None
    rng = np.random.default_rng(8)
    n = problem.n_agents
    for _ in range(3):
        X = rng.standard_normal((n, problem.dim))
        for i in range(n):
            def grad(x, i=i, X=X):
                return problem.local_gradients(np.where(np.arange(n)[:, None] == i, x, X))[i]
            top = np.abs(np.linalg.eigvalsh(_fd_hessian(grad, X[i]))).max()
            assert top <= c.per_agent[i] * (1 + 1e-6)


@pytest.mark.parametrize("name", ["least-squares", "logistic", "quadratic"])
def test_optimum_is_stationary(name: str) -> None:
    problem = PROBLEMS[name]()
    x_star = problem.optimum()
    assert x_star is not None
    scale = 1.0 + np.linalg.norm(problem.gradient(np.zeros(problem.dim)))
    assert np.linalg.norm(problem.gradient(x_star)) <= 1e-8 * scale
    assert problem.optimal_value() == pytest.approx(problem.objective(x_star))


def test_digits_problem() -> None:
    problem = digits(n_agents=10, split="label", seed=0)
    assert isinstance(problem, SoftmaxRegression)
    assert problem.dim == 650 and problem.n_features == 65
    m = problem.n_samples
    assert m.max() - m.min() <= 1
    assert problem.test_set is not None
    assert m.sum() + problem.test_set.labels.size == 1797
    assert np.all(problem.features[:, :, -1][problem.mask] == 1.0)  # bias feature
    assert problem.features.max() <= 1.0 and problem.features.min() >= 0.0
    per_agent_labels = [np.unique(problem.targets[i, : m[i]]).size for i in range(10)]
    assert max(per_agent_labels) <= 3  # label-skewed split


def test_digits_binary_optimum_classifies() -> None:
    problem = digits(n_agents=4, task="binary", seed=0)
    assert isinstance(problem, LogisticRegression)
    x_star = problem.optimum()
    assert x_star is not None and problem.test_set is not None
    assert accuracy(problem, x_star, problem.test_set) > 0.8
    assert accuracy(problem, x_star, problem.test_set) > accuracy(problem, -x_star, problem.test_set)


@pytest.mark.parametrize(("n", "d", "m", "seed"), [(5, 1, 1, 1), (8, 2, 10, 2), (8, 5, 10, 0)])
def test_logistic_reference_optimum_is_stationary_where_lbfgs_alone_stalled(n, d, m, seed) -> None:
    # these instances once stopped L-BFGS at |grad F| ~ 3e-8 and raised; Newton polishing fixes it
    problem = random_logistic(n, d, m, seed=seed)
    x_star = problem.optimum()
    scale = 1.0 + np.linalg.norm(problem.gradient(np.zeros(d)))
    assert np.linalg.norm(problem.gradient(x_star)) <= 1e-9 * scale


@pytest.mark.parametrize("make", [lambda: random_logistic(5, 3, 6, seed=1), lambda: random_quadratic(5, 3)])
def test_constants_are_computed_once_and_restriction_recomputes_them(make) -> None:
    problem = make()
    first = problem.smoothness()
    assert problem.smoothness() is first  # cached: a repeated run or check reuses it
    assert problem.optimum() is problem.optimum()
    part = problem.restrict(np.array([4, 1]))
    assert part.smoothness() is not first
    np.testing.assert_array_equal(part.smoothness().per_agent, first.per_agent[[4, 1]])
    assert part.smoothness().per_sample <= first.per_sample


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_all_sample_gradients_are_the_per_sample_gradients(name: str) -> None:
    problem = PROBLEMS[name]()
    rng = np.random.default_rng(6)
    X = rng.standard_normal((problem.n_agents, problem.dim))
    m = problem.n_samples
    idx = np.stack([np.arange(problem.max_samples) % m_i for m_i in m])
    every = problem.all_sample_gradients(X)
    picked = problem.sample_gradients(X, idx)
    for i, m_i in enumerate(m):
        np.testing.assert_allclose(every[i, :m_i], picked[i, :m_i], rtol=1e-12, atol=1e-14)
        assert not np.any(every[i, m_i:])


def test_the_gradient_path_is_chosen_on_the_whole_problem(monkeypatch):
    """Large data take one pass in place, small data gather the batch rows (the two differ by
    rounding): an MPI rank's block or a replica of a large problem must compute as the whole does."""
    rng = np.random.default_rng(3)
    A = [rng.standard_normal((8, 6)) for _ in range(6)]
    b = [rng.standard_normal(8) for _ in range(6)]
    monkeypatch.setattr(linear_models, "FULL_PASS_BYTES", 6 * 8 * 6 * 8 - 1)  # just below the whole
    problem = LeastSquares(A, b)
    X = rng.standard_normal((6, 6))
    idx = rng.integers(0, 8, (6, 4))
    gathered = np.stack([LeastSquares([A[i]], [b[i]]).mean_sample_gradients(X[i:i + 1], idx[i:i + 1])[0]
                         for i in range(6)])  # each agent alone: small data, gathered rows
    whole = problem.mean_sample_gradients(X, idx)
    assert not np.array_equal(whole, gathered)  # the paths do differ by rounding here
    np.testing.assert_allclose(whole, gathered, rtol=1e-13, atol=1e-15)
    for agents in (np.array([0]), np.array([5, 0, 5])):
        np.testing.assert_array_equal(problem.restrict(agents).mean_sample_gradients(X[agents], idx[agents]),
                                      whole[agents])
