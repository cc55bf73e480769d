"""Hypothesis strategies for graphs, problems, noise levels and step sizes (public).

Use them in property tests of your own::

    from hypothesis import given
    from ltadmm_verify.verify import strategies as lst

    @given(lst.instances(kind="quadratic", max_nodes=12))
    def test_something(instance):
        problem, network = instance
        ...

Every strategy draws a *seed* and builds the object with the library's seeded generators, so a
failing example shrinks to small sizes and simple families and is reproduced by its seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np
from hypothesis import strategies as st

from ..algorithms import LTADMM
from ..errors import InvalidParameterError
from ..network import GENERATORS, Network, make_network
from ..problems import Problem, random_least_squares, random_logistic, random_quadratic

#: Graph families of :data:`ltadmm_verify.network.GENERATORS` plus ``"random"`` (a random spanning
#: tree with extra random edges, see :func:`random_connected_graph`).
FAMILIES: tuple[str, ...] = (*sorted(GENERATORS), "random")
PROBLEM_KINDS = ("quadratic", "least-squares", "logistic")
SEEDS = st.integers(min_value=0, max_value=2**31 - 1)


def random_connected_graph(n: int, extra_edge_fraction: float, seed: int) -> Network:
    """A connected graph: a uniformly random labelled tree plus each other pair with probability
    ``extra_edge_fraction`` (0 gives a tree, 1 the complete graph)."""
    rng = np.random.default_rng(seed)
    graph = nx.from_prufer_sequence(rng.integers(0, n, size=n - 2).tolist()) if n > 2 else nx.path_graph(n)
    iu, ju = np.triu_indices(n, k=1)
    keep = rng.random(iu.size) < extra_edge_fraction
    graph.add_edges_from(zip(iu[keep].tolist(), ju[keep].tolist(), strict=True))
    return Network(graph)


def _family_builds(family: str, n: int) -> bool:
    if family == "barbell":
        return n >= 4
    if family == "torus":
        rows = max(r for r in range(1, int(np.sqrt(n)) + 1) if n % r == 0)
        return rows >= 3 and n // rows >= 3
    return True


@st.composite
def graphs(
    draw: st.DrawFn,
    min_nodes: int = 2,
    max_nodes: int = 40,
    families: Sequence[str] = FAMILIES,
) -> Network:
    """Connected networks with ``min_nodes..max_nodes`` agents from the named families.

    ``families`` defaults to every generator of :mod:`ltadmm_verify.network` plus ``"random"``.
    Families that do not exist for the drawn size (barbell below 4 nodes, a torus whose sides are
    not both >= 3) are skipped for that size. Shrinks toward few nodes and the first family.
    """
    unknown = set(families) - set(FAMILIES)
    if unknown or not families:
        raise InvalidParameterError(f"families must be a non-empty subset of {FAMILIES}, got {families!r}")
    if not 2 <= min_nodes <= max_nodes:
        raise InvalidParameterError(f"need 2 <= min_nodes <= max_nodes, got {min_nodes}, {max_nodes}")
    n = draw(st.integers(min_nodes, max_nodes), label="n_agents")
    usable = [f for f in families if _family_builds(f, n)]
    if not usable:
        raise InvalidParameterError(f"no family in {families!r} exists with {n} nodes")
    family = draw(st.sampled_from(usable), label="family")
    seed = draw(SEEDS, label="graph_seed")
    if family == "random":
        fraction = draw(st.floats(0.0, 1.0), label="extra_edge_fraction")
        return random_connected_graph(n, fraction, seed)
    return make_network(family, n, seed=seed)


def log_uniform(low: float, high: float) -> st.SearchStrategy[float]:
    """Floats ``10^u`` with ``u`` uniform in ``[log10 low, log10 high]`` (shrinks toward ``low``)."""
    if not 0 < low <= high:
        raise InvalidParameterError(f"need 0 < low <= high, got {low}, {high}")
    return st.floats(float(np.log10(low)), float(np.log10(high))).map(lambda u: float(10.0**u))


def noise_levels(low: float = 1e-3, high: float = 1.0) -> st.SearchStrategy[float]:
    """Gradient-noise variances ``sigma^2`` (log-uniform in ``[low, high]``)."""
    return log_uniform(low, high)


@st.composite
def quadratics(
    draw: st.DrawFn,
    n_agents: int,
    max_dim: int = 4,
    mu: tuple[float, float] = (0.1, 1.0),
    L: tuple[float, float] = (1.0, 4.0),
    heterogeneity: tuple[float, float] = (0.1, 3.0),
) -> Problem:
    """:func:`ltadmm_verify.random_quadratic` instances: ``H_i`` spectra in ``[mu, L]`` (both attained)."""
    dim = draw(st.integers(1, max_dim), label="dim")
    L_val = draw(st.floats(*L), label="L")
    mu_val = draw(st.floats(mu[0], min(mu[1], L_val)), label="mu")
    het = draw(st.floats(*heterogeneity), label="heterogeneity")
    seed = draw(SEEDS, label="problem_seed")
    return random_quadratic(n_agents, dim, mu=mu_val, L=L_val, heterogeneity=het, seed=seed)


@st.composite
def least_squares(
    draw: st.DrawFn, n_agents: int, max_dim: int = 4, samples: tuple[int, int] = (4, 12)
) -> Problem:
    """:func:`ltadmm_verify.random_least_squares` instances (finite sums with ``m_i`` samples)."""
    dim = draw(st.integers(1, max_dim), label="dim")
    m = draw(st.integers(max(samples[0], dim), max(samples[1], dim)), label="samples_per_agent")
    het = draw(st.floats(0.0, 2.0), label="heterogeneity")
    seed = draw(SEEDS, label="problem_seed")
    return random_least_squares(n_agents, dim, m, heterogeneity=het, seed=seed)


@st.composite
def logistic(
    draw: st.DrawFn, n_agents: int, max_dim: int = 4, samples: tuple[int, int] = (4, 12),
    l2: tuple[float, float] = (0.05, 0.5),
) -> Problem:
    """:func:`ltadmm_verify.random_logistic` instances (strongly convex through ``l2 > 0``)."""
    dim = draw(st.integers(1, max_dim), label="dim")
    m = draw(st.integers(*samples), label="samples_per_agent")
    l2_val = draw(st.floats(*l2), label="l2")
    seed = draw(SEEDS, label="problem_seed")
    return random_logistic(n_agents, dim, m, l2=l2_val, seed=seed)


_PROBLEMS: dict[str, Any] = {"quadratic": quadratics, "least-squares": least_squares, "logistic": logistic}


@st.composite
def instances(
    draw: st.DrawFn,
    kind: str | Sequence[str] = "quadratic",
    min_nodes: int = 2,
    max_nodes: int = 40,
    families: Sequence[str] = FAMILIES,
    **problem_options: Any,
) -> tuple[Problem, Network]:
    """A ``(problem, network)`` pair with matching numbers of agents.

    ``kind`` is one of :data:`PROBLEM_KINDS` or a sequence of them (one is drawn);
    ``problem_options`` go to the problem strategy (``max_dim``, ``samples``, ...).
    """
    kinds = [kind] if isinstance(kind, str) else list(kind)
    bad = [k for k in kinds if k not in _PROBLEMS]
    if bad or not kinds:
        raise InvalidParameterError(f"kind must be in {PROBLEM_KINDS}, got {kind!r}")
    network = draw(graphs(min_nodes, max_nodes, families))
    chosen = draw(st.sampled_from(kinds), label="problem_kind")
    problem = draw(_PROBLEMS[chosen](network.n_agents, **problem_options))
    return problem, network


@st.composite
def step_fractions(draw: st.DrawFn, inside: bool = True) -> float:
    """A step size as a fraction of the critical one: in ``[0.05, 0.9]`` when ``inside`` (the
    admissible region), in ``[1.1, 3]`` otherwise (on purpose outside it)."""
    low, high = (0.05, 0.9) if inside else (1.1, 3.0)
    return draw(st.floats(low, high), label="step_fraction")




REGIONS = ("stable", "theorem")


@st.composite
def ltadmm_algorithms(
    draw: st.DrawFn,
    problem: Problem,
    network: Network,
    inside: bool = True,
    tau: int | None = None,
    critical_taus: Sequence[int] | None = None,
    region: str = "stable",
    rho: tuple[float, float] = (0.1, 10.0),
    beta_ratio: tuple[float, float] = (0.1, 10.0),
    penalties: Sequence[str] = ("frozen", "inner"),
) -> LTADMM:
    """LT-ADMM with ``gamma`` a drawn fraction of a limit step of the instance.

    The limit is the critical step of :func:`ltadmm_verify.verify.checks.critical_step` (exact on
    quadratics; ``region="stable"``), or the smaller of it and the step the theorem cards admit
    (:func:`ltadmm_verify.theory.admissibility.admissible_step_size`, ``region="theorem"``), minimised
    over ``critical_taus`` (default: the drawn ``tau``) so that a sweep over those ``tau`` stays
    inside (the stable range of ``gamma`` is not monotone in ``tau``). ``inside=True`` draws the
    fraction in ``[0.05, 0.9]``, ``inside=False`` in
    ``[1.1, 3]`` (on purpose outside). ``tau`` is drawn in ``1..8`` unless given.
    """
    from ..theory.admissibility import admissible_step_size
    from .checks import critical_step

    if region not in REGIONS:
        raise InvalidParameterError(f"region must be one of {REGIONS}, got {region!r}")
    tau_val = tau if tau is not None else draw(st.integers(1, 8), label="tau")
    rho_val = draw(log_uniform(*rho), label="rho")
    ratio = draw(log_uniform(*beta_ratio), label="beta_ratio")
    penalty = draw(st.sampled_from(tuple(penalties)), label="penalty")
    fraction = draw(step_fractions(inside))
    limit = float("inf")
    for at_tau in critical_taus or (tau_val,):
        probe = LTADMM(1e-3, 1e-3 * ratio, rho_val, int(at_tau), penalty=penalty)
        limit = min(limit, critical_step(probe, problem, network)[0])
        if region == "theorem":
            report = admissible_step_size(problem, network, tau=int(at_tau), rho=rho_val,
                                          beta_ratio=ratio, penalty=penalty, exact=False)
            if report.gamma_max is not None:
                limit = min(limit, report.gamma_max)
    return LTADMM(fraction * limit, fraction * limit * ratio, rho_val, tau_val, penalty=penalty)
