"""Data sets: synthetic least-squares / logistic problems and the bundled 8x8 digits (SPEC section 5)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from .._validation import choice, integer_at_least, nonnegative_float, open_unit_float
from ..errors import InvalidProblemError
from .base import FloatArray, HeldOut, IntArray
from .linear_models import LeastSquares, LinearModelProblem, LogisticRegression, SoftmaxRegression


def random_least_squares(
    n_agents: int,
    dim: int,
    samples_per_agent: int = 20,
    *,
    noise: float = 0.1,
    heterogeneity: float = 1.0,
    seed: int = 0,
) -> LeastSquares:
    """Synthetic least squares: ``b_i = A_i (x_true + heterogeneity * delta_i) + noise * e``.

    ``A_i`` has i.i.d. ``N(0, 1/d)`` entries so that ``||a_h||^2 ~ 1``.
    """
    rng = np.random.default_rng(seed)
    x_true = rng.standard_normal(dim)
    A, b = [], []
    for _ in range(n_agents):
        a = rng.standard_normal((samples_per_agent, dim)) / np.sqrt(dim)
        local = x_true + heterogeneity * rng.standard_normal(dim)
        A.append(a)
        b.append(a @ local + noise * rng.standard_normal(samples_per_agent))
    return LeastSquares(A, b)


def random_logistic(
    n_agents: int,
    dim: int,
    samples_per_agent: int = 20,
    *,
    l2: float = 0.1,
    seed: int = 0,
) -> LogisticRegression:
    """Synthetic logistic regression: labels ``sign(a^T x_true + N(0, 1))`` (never separable a.s.)."""
    rng = np.random.default_rng(seed)
    x_true = rng.standard_normal(dim)
    A, y = [], []
    for _ in range(n_agents):
        a = rng.standard_normal((samples_per_agent, dim)) / np.sqrt(dim)
        score = a @ x_true + rng.standard_normal(samples_per_agent)
        A.append(a)
        y.append(np.where(score >= 0, 1.0, -1.0))
    return LogisticRegression(A, y, l2=l2)


def _split_agents(
    labels: IntArray, n_agents: int, split: str, rng: np.random.Generator
) -> list[IntArray]:
    order = rng.permutation(labels.size)
    if split == "label":
        order = order[np.argsort(labels[order], kind="stable")]
    return [np.sort(part) for part in np.array_split(order, n_agents)]


def digits(
    n_agents: int = 10,
    split: Literal["iid", "label"] = "iid",
    *,
    task: Literal["multiclass", "binary"] = "multiclass",
    eps: float = 1e-3,
    l2: float = 1e-3,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> LinearModelProblem:
    """The 8x8 handwritten digits problem of SPEC section 5 (scikit-learn's bundled data).

    Pixels are scaled to ``[0, 1]`` and a bias feature 1 is appended (``p = 65``). A fraction
    ``test_fraction`` of the 1797 images is held out (``problem.test_set``); the rest is dealt to
    ``n_agents`` agents: ``"iid"`` shuffles, ``"label"`` sorts by label first (each agent sees one or
    two digits). ``m_i`` differ by at most one.

    ``task="multiclass"``: :class:`SoftmaxRegression` with 10 classes (``d = 650``) and the nonconvex
    regulariser of weight ``eps``. ``task="binary"``: :class:`LogisticRegression` for "digit >= 5"
    (labels +-1) with l2 weight ``l2``.

    Defaults (ours; the paper's exact settings are unknown): ``eps = 1e-3``, ``l2 = 1e-3``, 20% test.
    """
    from sklearn.datasets import load_digits

    n_agents = integer_at_least("n_agents", n_agents, 1)
    split = choice("split", split, ("iid", "label"))  # type: ignore[assignment]
    task = choice("task", task, ("multiclass", "binary"))  # type: ignore[assignment]
    eps = nonnegative_float("eps", eps)
    test_fraction = open_unit_float("test_fraction", test_fraction)
    data = load_digits()
    features = np.hstack([data.data / 16.0, np.ones((data.data.shape[0], 1))])
    labels = data.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(labels.size)
    n_test = round(test_fraction * labels.size)
    test, train = perm[:n_test], perm[n_test:]
    if n_agents > train.size:
        raise InvalidProblemError(
            f"n_agents must be at most {train.size} (the training images of the 8x8 digits with "
            f"test_fraction = {test_fraction:g}: every agent needs one), got {n_agents}")
    parts = _split_agents(labels[train], n_agents, split, rng)
    A = [features[train][p] for p in parts]
    problem: LinearModelProblem
    if task == "multiclass":
        problem = SoftmaxRegression(A, [labels[train][p] for p in parts], n_classes=10, eps=eps)
        test_labels = labels[test].astype(np.float64)
    else:
        signs = np.where(labels >= 5, 1.0, -1.0)
        problem = LogisticRegression(A, [signs[train][p] for p in parts], l2=l2)
        test_labels = signs[test]
    problem.name = f"digits ({task}, {split} split)"
    problem.test_set = HeldOut(features[test], test_labels)
    return problem


def accuracy(problem: LinearModelProblem, x: FloatArray, held_out: HeldOut) -> float:
    """Fraction of correctly classified held-out samples for the model ``x``."""
    if isinstance(problem, SoftmaxRegression):
        predicted = problem.predict(x, held_out.features).astype(np.float64)
    else:
        predicted = np.where(held_out.features @ np.asarray(x) >= 0, 1.0, -1.0)
    return float(np.mean(predicted == held_out.labels))
