"""The SAGA memories of LT-ADMM-VR: the factored table of a linear model against the dense one."""

from __future__ import annotations

import numpy as np
import pytest

import ltadmm_verify as lv
from ltadmm_verify.algorithms import FactoredGradientTable, GradientTable, oracles
from ltadmm_verify.algorithms.gradient_tables import fill_table
from ltadmm_verify.problems.linear_models import LinearModelProblem


def _softmax(eps: float = 0.05) -> lv.SoftmaxRegression:
    rng = np.random.default_rng(3)
    sizes = [7, 5, 9, 6]
    A = [rng.standard_normal((m, 4)) for m in sizes]
    labels = [rng.integers(0, 3, m) for m in sizes]
    return lv.SoftmaxRegression(A, labels, n_classes=3, eps=eps)


def _logistic() -> lv.LogisticRegression:
    rng = np.random.default_rng(4)
    sizes = [6, 8, 5]
    A = [rng.standard_normal((m, 3)) for m in sizes]
    y = [np.where(rng.standard_normal(m) > 0, 1.0, -1.0) for m in sizes]
    return lv.LogisticRegression(A, y, l2=0.2)


PROBLEMS = {
    "softmax with regulariser": _softmax,
    "softmax without regulariser": lambda: _softmax(0.0),
    "logistic with l2": _logistic,
    "least squares": lambda: lv.random_least_squares(4, 3, samples_per_agent=6, seed=2),
}


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_factored_table_gives_the_dense_differences(name: str) -> None:
    """Fill both memories, then exchange random batches (repeated indices included) at moving
    points: the differences and the rows written agree to rounding, step after step."""
    problem = PROBLEMS[name]()
    assert isinstance(problem, LinearModelProblem)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((problem.n_agents, problem.dim))
    steps = 6
    dense = GradientTable.fill(problem, X)
    factored = FactoredGradientTable.fill(problem, X, updates=steps)
    np.testing.assert_allclose(factored.mean, dense.mean, rtol=1e-12, atol=1e-13)
    for _ in range(steps):
        X = X + 0.3 * rng.standard_normal(X.shape)
        idx = (rng.random((problem.n_agents, 4)) * problem.n_samples[:, None]).astype(np.int64)
        idx[:, 1] = idx[:, 0]  # a sample drawn twice in one batch
        np.testing.assert_allclose(factored.exchange(problem, X, idx), dense.exchange(problem, X, idx),
                                   rtol=1e-11, atol=1e-12)


def test_factored_table_counts_its_updates() -> None:
    """A regularised model's table holds one regulariser gradient per write: it is filled for a
    number of updates and refuses one more (it never reads a slot it did not write)."""
    problem = _softmax()
    X = np.zeros((problem.n_agents, problem.dim))
    idx = np.zeros((problem.n_agents, 2), dtype=np.int64)
    table = FactoredGradientTable.fill(problem, X, updates=1)
    table.exchange(problem, X, idx)
    with pytest.raises(ValueError, match="filled for 1 updates"):
        table.exchange(problem, X, idx)
    with pytest.raises(ValueError, match="number of updates"):
        FactoredGradientTable.fill(problem, X, updates=None)


def test_the_memory_suits_the_problem() -> None:
    """Linear models get the factored table (a regularised one when the updates are known), any
    other problem the dense one."""
    X = np.zeros((4, 12))
    assert isinstance(fill_table(_softmax(), X, updates=3), FactoredGradientTable)
    assert isinstance(fill_table(_softmax(), X), GradientTable)
    assert isinstance(fill_table(_softmax(0.0), X), FactoredGradientTable)
    quadratic = lv.random_quadratic(3, 2, seed=0)
    assert isinstance(fill_table(quadratic, np.zeros((3, 2)), updates=3), GradientTable)


@pytest.mark.parametrize("reset", [True, False])
@pytest.mark.parametrize("channel", [None, lv.Channel(activation=0.6)], ids=["ideal", "inactive agents"])
def test_ltadmm_vr_runs_alike_on_either_memory(monkeypatch: pytest.MonkeyPatch, reset: bool,
                                               channel: lv.Channel | None) -> None:
    """LT-ADMM-VR on a regularised softmax model: the run with the factored memory follows the run
    with the dense one to rounding (also when inactive agents restore their rows of the memory)."""
    problem, network = _softmax(), lv.make_network("ring", 4)
    algorithm = lv.LTADMMVR(gamma=0.1, beta=0.1, rho=1.0, tau=3, batch_size=2, reset=reset)
    options = {"seed": 5, "check": "off"} | ({} if channel is None else {"channel": channel})
    factored = lv.run(algorithm, problem, network, 30, **options)
    monkeypatch.setattr(oracles, "fill_table",
                        lambda problem, X, updates=None: GradientTable.fill(problem, X))
    dense = lv.run(algorithm, problem, network, 30, **options)
    np.testing.assert_allclose(factored.x, dense.x, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(factored.history["grad_evals"], dense.history["grad_evals"])
