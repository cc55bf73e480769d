"""lambda_l and lambda_u at any size: both sparse stages against dense values and closed forms."""

from __future__ import annotations

import io
import math

import networkx as nx
import pytest
from threadpoolctl import threadpool_limits

from ltadmm_verify import spectrum
from ltadmm_verify.errors import InvalidGraphError, InvalidParameterError
from ltadmm_verify.network import MAX_AGENTS, Network, make_network, path, ring
from ltadmm_verify.progress import ProgressBar


def _closed_path(n: int) -> tuple[float, float]:
    """Path on n nodes: eigenvalues 4 sin^2(pi k / (2n)), k = 0..n-1 (no cancellation)."""
    return 4 * math.sin(math.pi / (2 * n)) ** 2, 4 * math.sin(math.pi * (n - 1) / (2 * n)) ** 2


def _closed_ring(n: int) -> tuple[float, float]:
    """Ring on n nodes: eigenvalues 4 sin^2(pi k / n); the largest at k = floor(n / 2)."""
    return 4 * math.sin(math.pi / n) ** 2, 4 * math.sin(math.pi * (n // 2) / n) ** 2


def _bar() -> ProgressBar:
    return ProgressBar(4, "", enabled=False)


def _stages(net: Network, thin: bool) -> tuple[tuple[float, str], tuple[float, str]]:
    """Both sparse computations, with the thin-graph shortcut (thin) or the Krylov stage first."""
    lap, upper = net.laplacian_sparse, 2.0 * net.max_degree
    order = spectrum.thin_ordering(lap) if thin else None
    return (spectrum.smallest_nonzero(lap, upper, _bar(), order),
            spectrum.largest(lap, upper, _bar(), order))


@pytest.mark.parametrize("n", [1000, 10_000, 100_000])
@pytest.mark.parametrize("kind, closed", [("path", _closed_path), ("ring", _closed_ring)])
def test_long_paths_and_rings_match_closed_forms(kind: str, closed, n: int) -> None:
    net = make_network(kind, n + (kind == "ring"))  # an odd ring too: lambda_u < 4
    exact = closed(net.n_agents)
    (low, low_stage), (high, high_stage) = _stages(net, thin=True)
    assert low_stage == high_stage == "inverse"  # paths and rings are thin
    assert low == pytest.approx(exact[0], rel=1e-9)
    assert high == pytest.approx(exact[1], rel=1e-12)
    assert net.laplacian_extremes() == pytest.approx((low, high), rel=1e-12)


@pytest.mark.parametrize(
    "net",
    [make_network("geometric", 700, seed=1), make_network("erdos-renyi", 800, seed=2),
     make_network("grid", 900), make_network("barbell", 600), make_network("tree", 700, seed=3),
     make_network("star", 500), Network(nx.random_regular_graph(3, 600, seed=4))],
    ids=["geometric", "erdos-renyi", "grid", "barbell", "tree", "star", "3-regular"],
)
@pytest.mark.parametrize("thin", [True, False], ids=["thin-shortcut", "krylov-first"])
def test_sparse_stages_agree_with_dense(net: Network, thin: bool) -> None:
    with threadpool_limits(limits=1):
        dense = net.laplacian_extremes("dense")
    (low, _), (high, _) = _stages(net, thin)
    # dense eigenvalues carry an absolute error of a few eps * lambda_u
    assert low == pytest.approx(dense[0], rel=1e-9, abs=1e-13 * dense[1])
    assert high == pytest.approx(dense[1], rel=1e-11)


def test_inverse_stage_answers_when_the_krylov_budget_runs_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """A path of 3000 agents is not thin for a tiny envelope limit, and Lanczos on L stalls."""
    net = path(3000)
    monkeypatch.setattr(spectrum, "THIN_ENVELOPE", 0)
    monkeypatch.setattr(spectrum, "KRYLOV_BUDGET", 200)
    assert spectrum.thin_ordering(net.laplacian_sparse) is None
    (low, low_stage), (high, high_stage) = _stages(net, thin=True)
    assert (low_stage, high_stage) == ("inverse", "inverse")
    assert (low, high) == pytest.approx(_closed_path(3000), rel=1e-9)


def test_krylov_stage_alone_on_a_well_connected_graph() -> None:
    net = make_network("erdos-renyi", 2000, seed=5)
    (low, low_stage), (high, high_stage) = _stages(net, thin=False)
    assert (low_stage, high_stage) == ("krylov", "krylov")
    with threadpool_limits(limits=1):
        dense = net.laplacian_extremes("dense")
    assert (low, high) == pytest.approx(dense, rel=1e-9)


def test_progress_reports_on_a_stream() -> None:
    stream = io.StringIO()
    bar = ProgressBar(4, "spectrum", stream=stream, plain_interval=0.0)
    lap = ring(5000).laplacian_sparse
    spectrum.smallest_nonzero(lap, 4.0, bar, None)
    text = stream.getvalue()
    assert "\r" not in text and "lambda_l" in text and "products" in text


def test_generator_size_limit_and_bad_method() -> None:
    with pytest.raises(InvalidParameterError, match=r"n must be an integer in \[2, 1000000\]"):
        make_network("ring", MAX_AGENTS + 1)
    with pytest.raises(InvalidParameterError, match="method"):
        ring(5).laplacian_extremes("arpack")


def test_weighted_graphs_are_refused_unit_weights_accepted() -> None:
    graph = nx.cycle_graph(5)
    nx.set_edge_attributes(graph, 1.0, "weight")
    assert Network(graph).lambda_l == pytest.approx(ring(5).lambda_l, rel=1e-12)
    assert Network(nx.from_numpy_array(nx.to_numpy_array(nx.cycle_graph(4)))).n_edges == 4
    graph[0][1]["weight"] = 5.0
    with pytest.raises(InvalidGraphError, match=r"unweighted.*weight 5\.0.*ignored"):
        Network(graph)


def test_progress_bar_on_a_file_writes_plain_lines_only() -> None:
    stream = io.StringIO()
    bar = ProgressBar(3, "run", stream=stream, plain_interval=0.0)
    for _ in range(3):
        bar.update()
    bar.close()
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue() and lines and lines[-1].startswith("run: 3/3")
    quiet = io.StringIO()
    short = ProgressBar(3, "run", stream=quiet)  # default interval: nothing for short work
    for _ in range(3):
        short.update()
    short.close()
    assert quiet.getvalue() == ""


def test_progress_bar_on_a_terminal_redraws_in_place() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    bar = ProgressBar(2, "run", stream=stream, min_interval=0.0)
    bar.update()
    bar.update()
    assert stream.getvalue().count("\r") == 2 and stream.getvalue().endswith("\n")
