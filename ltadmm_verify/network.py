"""Communication networks: validation, Laplacian spectrum, edge arrays, mixing weights, generators.

A :class:`Network` wraps an undirected, connected ``networkx.Graph``. Agent ``i`` is the ``i``-th
node of ``list(graph.nodes())``. Every undirected edge ``{i, j}`` is stored as the two directed edges
``i -> j`` and ``j -> i``; LT-ADMM keeps one vector ``z_ij`` per directed edge (``2|E|`` in all).

Notation (SPEC section 1): ``L_G = D - A`` is the graph Laplacian, ``lambda_l`` its smallest nonzero
eigenvalue (algebraic connectivity) and ``lambda_u`` its largest eigenvalue.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cached_property

import networkx as nx
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from ._validation import integer_at_least, positive_float
from .errors import InvalidGraphError, InvalidParameterError
from .spectrum import laplacian_extremes

#: Largest number of agents the generators build (a ring of 10^6 agents takes seconds and ~1 GB).
MAX_AGENTS = 10**6


class Network:
    """An undirected, connected communication graph over ``N`` agents.

    Parameters
    ----------
    graph : networkx.Graph
        Undirected simple graph without self-loops, with at least two nodes, connected. Edge
        weights are refused unless every one equals 1 (``networkx.from_numpy_array`` of a 0/1
        matrix): LT-ADMM and its theory use the unweighted Laplacian ``L_G = D - A``.
    progress : bool, default False
        Report the progress of a long sparse eigenvalue computation on stderr.

    Attributes
    ----------
    n_agents : int
        ``N``, the number of agents.
    degrees : ndarray of int, shape (N,)
        ``d_i = |N_i|``.
    edge_source, edge_target : ndarray of int, shape (2|E|,)
        Directed edge ``e`` goes from agent ``edge_source[e]`` to ``edge_target[e]``; edges are
        sorted by source, then target.
    edge_reverse : ndarray of int, shape (2|E|,)
        ``edge_reverse[e]`` is the index of the opposite edge ``target -> source``.

    Raises
    ------
    InvalidGraphError
        If the graph is directed, a multigraph, has fewer than two nodes, has self-loops, has edge
        weights other than 1 or is disconnected.
    """

    def __init__(self, graph: nx.Graph, *, progress: bool = False) -> None:
        if not isinstance(graph, nx.Graph):
            raise InvalidGraphError(
                f"graph must be a networkx.Graph, got {type(graph).__name__}"
            )
        if graph.is_directed():
            raise InvalidGraphError(
                "graph must be undirected (LT-ADMM needs symmetric links), got a directed "
                f"{type(graph).__name__}; use graph.to_undirected() if the links are symmetric"
            )
        if graph.is_multigraph():
            raise InvalidGraphError("graph must be a simple graph, got a multigraph")
        n = graph.number_of_nodes()
        if n < 2:
            raise InvalidGraphError(f"graph must have at least 2 nodes, got {n}")
        loops = list(nx.selfloop_edges(graph))
        if loops:
            raise InvalidGraphError(
                f"graph must have no self-loops, found {len(loops)} (e.g. at node {loops[0][0]!r})"
            )
        _refuse_weights(graph)
        if not nx.is_connected(graph):
            k = nx.number_connected_components(graph)
            raise InvalidGraphError(
                f"graph must be connected, got {k} connected components "
                "(lambda_l = 0: consensus is impossible)"
            )
        self.graph = graph
        self.progress = bool(progress)
        self.nodes: list[object] = list(graph.nodes())
        index = {node: i for i, node in enumerate(self.nodes)}
        pairs = np.array([(index[u], index[v]) for u, v in graph.edges()], dtype=np.int64)
        directed = np.concatenate([pairs, pairs[:, ::-1]])
        order = np.lexsort((directed[:, 1], directed[:, 0]))
        directed = directed[order]
        self.n_agents: int = n
        self.edge_source: NDArray[np.int64] = directed[:, 0].copy()
        self.edge_target: NDArray[np.int64] = directed[:, 1].copy()
        keys = self.edge_source * n + self.edge_target
        reverse_keys = self.edge_target * n + self.edge_source
        self.edge_reverse: NDArray[np.int64] = np.searchsorted(keys, reverse_keys).astype(np.int64)
        self.degrees: NDArray[np.int64] = np.bincount(self.edge_source, minlength=n).astype(np.int64)

    # ------------------------------------------------------------------ structure
    @property
    def n_edges(self) -> int:
        """``|E|``, the number of undirected edges."""
        return self.edge_source.size // 2

    @property
    def n_directed_edges(self) -> int:
        """``2|E|``, the number of directed edges (and of LT-ADMM's ``z_ij`` vectors)."""
        return self.edge_source.size

    @property
    def max_degree(self) -> int:
        """``d_max``."""
        return int(self.degrees.max())

    @cached_property
    def adjacency(self) -> sp.csr_matrix:
        """Sparse adjacency matrix ``A`` (``N x N``, 0/1)."""
        data = np.ones(self.n_directed_edges)
        return sp.csr_matrix(
            (data, (self.edge_source, self.edge_target)), shape=(self.n_agents, self.n_agents)
        )

    @cached_property
    def incidence_out(self) -> sp.csr_matrix:
        """Sparse ``N x 2|E|`` matrix ``S`` with ``S[i, e] = 1`` iff edge ``e`` leaves agent ``i``.

        ``S @ z`` gives ``sum_{j in N_i} z_ij`` for every agent at once.
        """
        m = self.n_directed_edges
        return sp.csr_matrix(
            (np.ones(m), (self.edge_source, np.arange(m))), shape=(self.n_agents, m)
        )

    @cached_property
    def laplacian_sparse(self) -> sp.csr_matrix:
        """Sparse Laplacian ``L_G = D - A``."""
        return (sp.diags(self.degrees.astype(float)) - self.adjacency).tocsr()

    @property
    def laplacian(self) -> NDArray[np.float64]:
        """Dense Laplacian ``L_G = D - A`` (``N x N``)."""
        return np.asarray(self.laplacian_sparse.toarray())

    @cached_property
    def mixing_matrix(self) -> sp.csr_matrix:
        """Metropolis-Hastings weights ``W`` (sparse, symmetric, doubly stochastic).

        ``w_ij = 1 / (1 + max(d_i, d_j))`` for ``j in N_i``, ``w_ii = 1 - sum_{j in N_i} w_ij``.
        """
        d = self.degrees
        w = 1.0 / (1.0 + np.maximum(d[self.edge_source], d[self.edge_target]))
        off = sp.csr_matrix(
            (w, (self.edge_source, self.edge_target)), shape=(self.n_agents, self.n_agents)
        )
        diag = 1.0 - np.asarray(off.sum(axis=1)).ravel()
        return (off + sp.diags(diag)).tocsr()

    # ------------------------------------------------------------------ spectrum
    def laplacian_extremes(self, method: str = "auto", *, progress: bool = False) -> tuple[float, float]:
        """Return ``(lambda_l, lambda_u)`` of the Laplacian (:mod:`ltadmm_verify.spectrum`).

        Parameters
        ----------
        method : {"auto", "dense", "sparse"}
            ``"dense"`` uses ``numpy.linalg.eigvalsh``; ``"sparse"`` Lanczos with a budget, then
            Lanczos on the inverse (one sparse LU factorisation) where the ends of the spectrum are
            clustered (long paths and rings); ``"auto"`` picks dense for ``N <= DENSE_EIGEN_LIMIT``.
        progress : bool
            Report the sparse stages on stderr (default: the network's ``progress`` attribute).
        """
        return laplacian_extremes(self.laplacian_sparse, self.max_degree, method=method,
                                  progress=progress or self.progress)

    @cached_property
    def _extremes(self) -> tuple[float, float]:
        return self.laplacian_extremes()

    @property
    def lambda_l(self) -> float:
        """Smallest nonzero Laplacian eigenvalue (algebraic connectivity), ``> 0``."""
        return self._extremes[0]

    @property
    def lambda_u(self) -> float:
        """Largest Laplacian eigenvalue."""
        return self._extremes[1]

    def describe(self) -> dict[str, float | int]:
        """Summary numbers: ``N``, ``|E|``, degrees, ``lambda_l``, ``lambda_u``."""
        return {
            "n_agents": self.n_agents,
            "n_edges": self.n_edges,
            "min_degree": int(self.degrees.min()),
            "max_degree": self.max_degree,
            "lambda_l": self.lambda_l,
            "lambda_u": self.lambda_u,
        }

    def __repr__(self) -> str:
        return f"Network(n_agents={self.n_agents}, n_edges={self.n_edges})"


def _refuse_weights(graph: nx.Graph) -> None:
    """Raise unless no edge has a ``weight`` attribute other than 1.

    The algorithms exchange with every neighbour alike and the theory's constants are those of the
    unweighted Laplacian, so a weighted graph would be silently treated as unweighted: refused.
    """
    for u, v, weight in graph.edges(data="weight"):
        if weight is not None and weight != 1:
            raise InvalidGraphError(
                f"graph must be unweighted, got edge ({u!r}, {v!r}) with weight {weight!r}: LT-ADMM "
                "uses the unweighted Laplacian L_G = D - A, so the weights would be ignored; drop "
                "them with nx.Graph(graph.edges())"
            )


# ---------------------------------------------------------------------- generators
def _n(n: int) -> int:
    return integer_at_least("n", n, 2, maximum=MAX_AGENTS)


def ring(n: int) -> Network:
    """Cycle graph on ``n`` agents (a path for ``n = 2``)."""
    n = _n(n)
    return Network(nx.cycle_graph(n) if n > 2 else nx.path_graph(n))


def path(n: int) -> Network:
    """Path graph on ``n`` agents."""
    return Network(nx.path_graph(_n(n)))


def star(n: int) -> Network:
    """Star: agent 0 is the hub, agents ``1..n-1`` the leaves."""
    return Network(nx.star_graph(_n(n) - 1))


def complete(n: int) -> Network:
    """Complete graph on ``n`` agents."""
    return Network(nx.complete_graph(_n(n)))


def _grid_shape(n: int) -> tuple[int, int]:
    rows = max(r for r in range(1, math.isqrt(n) + 1) if n % r == 0)
    return rows, n // rows


def grid(n: int) -> Network:
    """2-D grid with ``rows x cols = n`` (``rows`` the largest divisor of ``n`` up to ``sqrt(n)``).

    For prime ``n`` this is a path.
    """
    rows, cols = _grid_shape(_n(n))
    return Network(nx.convert_node_labels_to_integers(nx.grid_2d_graph(rows, cols)))


def torus(n: int) -> Network:
    """2-D torus (periodic grid) with the shape of :func:`grid`; needs both sides >= 3."""
    rows, cols = _grid_shape(_n(n))
    if rows < 3 or cols < 3:
        raise InvalidParameterError(
            f"n must factor as rows x cols with both >= 3 for a torus, got n={n} ({rows} x {cols})"
        )
    graph = nx.grid_2d_graph(rows, cols, periodic=True)
    return Network(nx.convert_node_labels_to_integers(graph))


def _connected_sample(
    build: Callable[[int], nx.Graph], n: int, seed: int, what: str, attempts: int = 200
) -> Network:
    rng = np.random.default_rng(seed)
    for _ in range(attempts):
        graph = build(int(rng.integers(2**31 - 1)))
        if nx.is_connected(graph):
            return Network(graph)
    raise InvalidParameterError(
        f"{what} with n={n} was disconnected in {attempts} seeded draws; raise the edge "
        "probability / radius"
    )


def erdos_renyi(n: int, p: float | None = None, seed: int = 0) -> Network:
    """Connected Erdos-Renyi graph ``G(n, p)``: seeded draws until one is connected.

    Drawn with ``networkx.fast_gnp_random_graph`` (``O(n + |E|)``, the same distribution).

    ``p`` defaults to ``min(1, 2 log(n) / n)`` (twice the connectivity threshold).
    """
    n = _n(n)
    prob = min(1.0, 2 * math.log(n) / n) if p is None else positive_float("p", p)
    return _connected_sample(
        lambda s: nx.fast_gnp_random_graph(n, prob, seed=s), n, seed, f"erdos_renyi(p={prob:.3g})"
    )


def random_geometric(n: int, radius: float | None = None, seed: int = 0) -> Network:
    """Connected random geometric graph in the unit square (seeded draws until connected).

    ``radius`` defaults to ``min(1.5, 2 sqrt(log(n) / (pi n)))``.
    """
    n = _n(n)
    r = min(1.5, 2 * math.sqrt(math.log(n) / (math.pi * n))) if radius is None else positive_float(
        "radius", radius
    )
    return _connected_sample(
        lambda s: nx.random_geometric_graph(n, r, seed=s), n, seed, f"random_geometric(r={r:.3g})"
    )


def barbell(n: int) -> Network:
    """Two complete graphs of ``n // 2`` agents joined by a path of the remaining ``n % 2`` agents.

    Needs ``n >= 4``; the single bridge makes ``lambda_l`` small.
    """
    n = _n(n)
    if n < 4:
        raise InvalidParameterError(f"n must be >= 4 for a barbell graph, got {n}")
    return Network(nx.barbell_graph(n // 2, n % 2))


def random_tree(n: int, seed: int = 0) -> Network:
    """Uniformly random labelled tree on ``n`` agents (from a random Pruefer sequence)."""
    n = _n(n)
    if n == 2:
        return path(2)
    rng = np.random.default_rng(seed)
    sequence = rng.integers(0, n, size=n - 2).tolist()
    return Network(nx.from_prufer_sequence(sequence))


GENERATORS: dict[str, Callable[..., Network]] = {
    "ring": ring,
    "path": path,
    "star": star,
    "complete": complete,
    "grid": grid,
    "torus": torus,
    "erdos-renyi": erdos_renyi,
    "geometric": random_geometric,
    "barbell": barbell,
    "tree": random_tree,
}
_SEEDED = {"erdos-renyi", "geometric", "tree"}


def make_network(kind: str, n: int, seed: int = 0) -> Network:
    """Build a named graph family: one of :data:`GENERATORS` (seeded where random)."""
    if kind not in GENERATORS:
        raise InvalidParameterError(f"graph must be one of {sorted(GENERATORS)}, got {kind!r}")
    if kind in _SEEDED:
        return GENERATORS[kind](n, seed=seed)
    return GENERATORS[kind](n)
