"""Bad input raises a subclass of LTADMMVerifyError (a ValueError) whose message names the argument."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np
import pytest

from ltadmm_verify import (
    LTADMM,
    LTADMMVR,
    GaussianNoise,
    LeastSquares,
    LogisticRegression,
    LTADMMVerifyError,
    Network,
    Quadratic,
    SoftmaxRegression,
    digits,
    make_network,
    random_least_squares,
    run,
)

OK = dict(gamma=0.1, beta=0.1, rho=1.0, tau=2)
PROBLEM = random_least_squares(4, 3, 5, seed=0)
NET = make_network("ring", 4)
rng = np.random.default_rng(0)
A3 = [rng.standard_normal((m, 2)) for m in (3, 4, 5)]
B3 = [rng.standard_normal(m) for m in (3, 4, 5)]


def _raises(build: Callable[[], Any], *words: str) -> str:
    """Call ``build``; it must raise an LTADMMVerifyError (a ValueError) naming every word."""
    with pytest.raises(LTADMMVerifyError) as info:
        build()
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    return message


# ---------------------------------------------------------------------------- graphs
def test_disconnected_graph_names_component_count() -> None:
    graph = nx.disjoint_union_all([nx.path_graph(3), nx.path_graph(2), nx.cycle_graph(4)])
    _raises(lambda: Network(graph), "graph", "3 connected components")


def test_directed_graph() -> None:
    _raises(lambda: Network(nx.DiGraph(nx.cycle_graph(4))), "graph", "undirected")


def test_self_loop() -> None:
    graph = nx.cycle_graph(4)
    graph.add_edge(2, 2)
    _raises(lambda: Network(graph), "graph", "self-loop")


@pytest.mark.parametrize("n", [0, 1])
def test_fewer_than_two_nodes(n: int) -> None:
    _raises(lambda: Network(nx.empty_graph(n)), "graph", "at least 2 nodes")


def test_not_a_graph_and_multigraph() -> None:
    _raises(lambda: Network(np.eye(3)), "graph")  # type: ignore[arg-type]
    _raises(lambda: Network(nx.MultiGraph(nx.cycle_graph(3))), "graph", "multigraph")


@pytest.mark.parametrize("kind, n, word", [("ring", 1, "n"), ("hypercube", 8, "graph"),
                                           ("barbell", 3, "n"), ("torus", 8, "n")])
def test_generator_arguments(kind: str, n: int, word: str) -> None:
    _raises(lambda: make_network(kind, n), word)


# ---------------------------------------------------------------------------- problem data
def test_nan_in_features_and_targets() -> None:
    bad = [a.copy() for a in A3]
    bad[1][0, 0] = np.nan
    _raises(lambda: LeastSquares(bad, B3), "A[1]", "NaN")
    bad_b = [b.copy() for b in B3]
    bad_b[2][1] = np.inf
    _raises(lambda: LeastSquares(A3, bad_b), "b[2]")
    H = np.stack([np.eye(2)] * 3)
    H[0, 0, 0] = np.nan
    _raises(lambda: Quadratic(H, np.zeros((3, 2))), "H")


def test_shape_mismatches() -> None:
    _raises(lambda: LeastSquares([A3[0], np.ones((4, 3))], B3[:2]), "A[1]", "columns")
    _raises(lambda: LeastSquares(A3, [B3[0], B3[0], B3[2]]), "b[1]")
    _raises(lambda: LeastSquares(A3, B3[:2]), "A", "b")
    _raises(lambda: LeastSquares(np.ones((5, 2)), np.ones(5)), "A")
    _raises(lambda: LeastSquares([np.ones(3)], [np.ones(3)]), "A[0]", "2-D")
    _raises(lambda: Quadratic(np.ones((3, 2, 3)), np.zeros((3, 2))), "H")
    _raises(lambda: Quadratic(np.stack([np.eye(2)] * 3), np.zeros((3, 3))), "h")
    _raises(lambda: Quadratic(np.array([[[1.0, 2.0], [0.0, 1.0]]]), np.zeros((1, 2))), "H", "symmetric")


def test_state_shapes_in_run() -> None:
    _raises(lambda: run(LTADMM(**OK), PROBLEM, NET, 2, x0=np.zeros(5)), "x0")
    _raises(lambda: run(LTADMM(**OK), PROBLEM, NET, 2, x0=np.full((4, 3), np.nan)), "x0")
    _raises(lambda: run(LTADMM(**OK), PROBLEM, make_network("ring", 5), 2), "agents")
    _raises(lambda: PROBLEM.gradient(np.zeros(4)), "x")


def test_bad_labels() -> None:
    _raises(lambda: LogisticRegression(A3, [np.array([0.0, 1.0, 1.0]), *B3[1:]]), "y[0]", "-1 or +1")
    labels = [np.array([0, 1, 2]), np.array([0, 1, 1, 5]), np.array([0, 0, 1, 1, 2])]
    _raises(lambda: SoftmaxRegression(A3, labels, n_classes=3), "labels[1]", "0..2")
    frac = [np.array([0, 1, 0.5]), *labels[1:]]
    _raises(lambda: SoftmaxRegression(A3, frac, n_classes=6), "labels[0]")
    _raises(lambda: LogisticRegression(A3, [np.ones(3)]), "A and y")
    _raises(lambda: SoftmaxRegression(A3, labels, n_classes=1), "n_classes")


@pytest.mark.parametrize("arg, value", [("l2", -0.1), ("eps", -1.0)])
def test_negative_regularisers(arg: str, value: float) -> None:
    labels = [np.where(b > 0, 1.0, -1.0) for b in B3]
    if arg == "l2":
        _raises(lambda: LogisticRegression(A3, labels, l2=value), arg)
    else:
        _raises(lambda: SoftmaxRegression(A3, [np.zeros(len(b)) for b in B3], 2, eps=value), arg)


@pytest.mark.parametrize("arg, value", [("split", "random"), ("task", "regression"),
                                        ("n_agents", 0), ("test_fraction", 1.0)])
def test_digits_arguments(arg: str, value: Any) -> None:
    _raises(lambda: digits(**{arg: value}), arg)


# ---------------------------------------------------------------------------- algorithm parameters
@pytest.mark.parametrize("arg", ["gamma", "beta", "rho"])
@pytest.mark.parametrize("value", [0.0, -1.0, float("nan"), float("inf"), "big"])
@pytest.mark.parametrize("cls", [LTADMM, LTADMMVR])
def test_non_positive_step_parameters(cls: type, arg: str, value: Any) -> None:
    _raises(lambda: cls(**{**OK, arg: value}), arg)


@pytest.mark.parametrize("value", [0, -3, 1.5, True, "5"])
def test_tau_at_least_one(value: Any) -> None:
    _raises(lambda: LTADMM(**{**OK, "tau": value}), "tau")


@pytest.mark.parametrize("value", [0.0, 1.0, 1.5, -0.2])
def test_alpha_in_open_unit_interval(value: float) -> None:
    _raises(lambda: LTADMM(**OK, alpha=value), "alpha", "(0, 1)" if 0 < value else "alpha")


def test_other_algorithm_parameters() -> None:
    _raises(lambda: LTADMM(**OK, penalty="outer"), "penalty")
    _raises(lambda: LTADMM(**OK, batch_size=0), "batch_size")
    _raises(lambda: LTADMM(**OK, replace="yes"), "replace")  # type: ignore[arg-type]
    _raises(lambda: LTADMMVR(**OK, batch_size=None), "batch_size")
    _raises(lambda: LTADMMVR(**OK, reset=1), "reset")  # type: ignore[arg-type]
    _raises(lambda: GaussianNoise(-0.5), "sigma2")


@pytest.mark.parametrize("cls", [LTADMM, LTADMMVR])
def test_batch_larger_than_smallest_local_set(cls: type) -> None:
    problem = LeastSquares(A3, B3)
    net = make_network("ring", 3)
    _raises(lambda: run(cls(**OK, batch_size=4), problem, net, 2), "batch_size", "3")
    run(cls(**OK, batch_size=3), problem, net, 1)  # the boundary is allowed


@pytest.mark.parametrize(
    "kwargs, word",
    [({"rounds": 0}, "rounds"), ({"seed": -1}, "seed"), ({"seed": 2**63}, "seed"),
     ({"record_every": 0}, "record_every"), ({"noise": 0.1}, "noise"),
     ({"divergence_factor": 0.0}, "divergence_factor")],
)
def test_run_arguments(kwargs: dict[str, Any], word: str) -> None:
    args = {"rounds": 2, **kwargs}
    rounds = args.pop("rounds")
    _raises(lambda: run(LTADMM(**OK), PROBLEM, NET, rounds, **args), word)


def test_run_argument_types() -> None:
    _raises(lambda: run("lt-admm", PROBLEM, NET, 2), "algorithm")  # type: ignore[arg-type]
    _raises(lambda: run(LTADMM(**OK), "ls", NET, 2), "problem")  # type: ignore[arg-type]
    _raises(lambda: run(LTADMM(**OK), PROBLEM, nx.cycle_graph(4), 2), "network")  # type: ignore[arg-type]
    _raises(lambda: run(LTADMM(**OK), PROBLEM, NET, 2, backend="gpu"), "backend")
