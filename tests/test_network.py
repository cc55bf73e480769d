"""Networks: spectrum against independent computations, generators, edge arrays, mixing weights."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from ltadmm_verify.network import GENERATORS, Network, erdos_renyi, make_network, ring

SEEDED = ("erdos-renyi", "geometric", "tree")


def _independent_extremes(graph: nx.Graph) -> tuple[float, float]:
    """``(lambda_l, lambda_u)`` from networkx: dense eigenvalues of nx.laplacian_matrix."""
    lap = nx.laplacian_matrix(graph, nodelist=list(graph.nodes())).toarray().astype(float)
    eig = np.linalg.eigvalsh(lap)
    return float(eig[1]), float(eig[-1])


@pytest.mark.parametrize("kind", sorted(GENERATORS))
@pytest.mark.parametrize("n", [9, 16, 30])
def test_generators_connected_sized_and_spectrum(kind: str, n: int) -> None:
    net = make_network(kind, n, seed=4)
    assert net.n_agents == n == net.graph.number_of_nodes()
    assert nx.is_connected(net.graph)
    lam_l, lam_u = _independent_extremes(net.graph)
    assert net.lambda_l == pytest.approx(lam_l, rel=1e-9, abs=1e-12)
    assert net.lambda_u == pytest.approx(lam_u, rel=1e-9)
    assert net.lambda_l == pytest.approx(
        nx.algebraic_connectivity(net.graph, method="tracemin_lu", tol=1e-12, seed=0), rel=1e-6
    )


@pytest.mark.parametrize("kind", SEEDED)
def test_seeded_generators_are_deterministic(kind: str) -> None:
    a, b, c = (make_network(kind, 25, seed=s) for s in (7, 7, 8))
    assert sorted(a.graph.edges()) == sorted(b.graph.edges())
    np.testing.assert_array_equal(a.edge_source, b.edge_source)
    assert sorted(a.graph.edges()) != sorted(c.graph.edges())


def test_closed_form_spectra() -> None:
    n = 12
    assert ring(n).lambda_l == pytest.approx(2 - 2 * math.cos(2 * math.pi / n), rel=1e-12)
    assert ring(n).lambda_u == pytest.approx(4.0, rel=1e-12)
    star = make_network("star", n)
    assert (star.lambda_l, star.lambda_u) == pytest.approx((1.0, float(n)), rel=1e-12)
    complete = make_network("complete", n)
    assert (complete.lambda_l, complete.lambda_u) == pytest.approx((float(n), float(n)), rel=1e-12)
    path = make_network("path", n)
    assert path.lambda_l == pytest.approx(2 - 2 * math.cos(math.pi / n), rel=1e-12)


@pytest.mark.parametrize(
    "net",
    [ring(500), erdos_renyi(1000, seed=2), make_network("geometric", 600, seed=1),
     make_network("grid", 500), make_network("tree", 500, seed=3)],
    ids=["ring500", "er1000", "geometric600", "grid500", "tree500"],
)
def test_dense_and_sparse_eigensolvers_agree(net: Network) -> None:
    # one BLAS thread: a multithreaded dense eigensolver on a loaded machine is 10-50x slower
    with threadpool_limits(limits=1):
        dense = net.laplacian_extremes("dense")
    sparse = net.laplacian_extremes("sparse")
    assert sparse[1] == pytest.approx(dense[1], rel=1e-9)
    assert sparse[0] == pytest.approx(dense[0], rel=1e-7)
    assert net.lambda_l == pytest.approx(dense[0], rel=1e-7)  # "auto" picks sparse here


def _shuffled_graph() -> nx.Graph:
    base = nx.gnp_random_graph(15, 0.3, seed=5)
    base = nx.subgraph(base, max(nx.connected_components(base), key=len)).copy()
    labels = [f"node-{v}" for v in np.random.default_rng(1).permutation(base.number_of_nodes())]
    return nx.relabel_nodes(base, dict(zip(base.nodes(), labels, strict=True)))


@pytest.mark.parametrize("net", [ring(7), make_network("star", 6), Network(_shuffled_graph()),
                                 make_network("barbell", 9)], ids=["ring", "star", "labels", "barbell"])
def test_edge_arrays_consistent(net: Network) -> None:
    src, tgt, rev = net.edge_source, net.edge_target, net.edge_reverse
    assert src.size == 2 * net.graph.number_of_edges() == net.n_directed_edges
    np.testing.assert_array_equal(rev[rev], np.arange(src.size))
    np.testing.assert_array_equal(src[rev], tgt)
    np.testing.assert_array_equal(tgt[rev], src)
    assert np.all(src != tgt)
    keys = list(zip(src.tolist(), tgt.tolist(), strict=True))
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    nodes = list(net.graph.nodes())
    expected = {(nodes.index(u), nodes.index(v)) for u, v in net.graph.edges()}
    expected |= {(j, i) for i, j in expected}
    assert set(keys) == expected
    np.testing.assert_array_equal(net.degrees, [net.graph.degree(v) for v in nodes])
    z = np.random.default_rng(0).standard_normal((src.size, 3))
    sums = np.array([z[src == i].sum(axis=0) for i in range(net.n_agents)])
    np.testing.assert_allclose(net.incidence_out @ z, sums, rtol=1e-14)
    lap = nx.laplacian_matrix(net.graph, nodelist=nodes).toarray()
    np.testing.assert_array_equal(net.laplacian, lap)


@pytest.mark.parametrize("kind", ["ring", "star", "erdos-renyi", "barbell", "tree"])
def test_metropolis_weights(kind: str) -> None:
    net = make_network(kind, 11, seed=2)
    W = net.mixing_matrix.toarray()
    np.testing.assert_allclose(W, W.T, atol=0)
    np.testing.assert_allclose(W.sum(axis=0), 1.0, rtol=1e-14)
    np.testing.assert_allclose(W.sum(axis=1), 1.0, rtol=1e-14)
    assert W.min() >= 0
    d = net.degrees
    for i, j in zip(net.edge_source, net.edge_target, strict=True):
        assert W[i, j] == pytest.approx(1 / (1 + max(d[i], d[j])), rel=1e-15)
    off = (W > 0) & ~np.eye(net.n_agents, dtype=bool)
    np.testing.assert_array_equal(off, net.adjacency.toarray() > 0)
    # W is a contraction on 1-perp for a connected graph
    assert np.sort(np.abs(np.linalg.eigvalsh(W)))[-2] < 1 - 1e-9


def test_describe() -> None:
    info = ring(10).describe()
    assert info["n_agents"] == 10 and info["n_edges"] == 10
    assert info["min_degree"] == info["max_degree"] == 2
