"""The baselines (local DSGD, LED, K-GT, exact ADMM) against plain per-agent, per-edge loops.

The reference below is written from the equations of SPEC 2.5 with explicit loops over agents,
neighbours and local steps, the Metropolis-Hastings weights computed from the graph itself. It
shares with the library only the raw data and per-sample gradient formulas of
``tests/reference_loops.py`` and the counter-based random numbers (requested one agent at a time).
Same seed: final models agree to a relative 1e-12 and the counters exactly. Then: the exact methods
reach the closed-form optimum of a full-batch least-squares problem, and local DSGD does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from ltadmm_verify import (
    KGT,
    LED,
    ExactADMM,
    GaussianNoise,
    LocalDSGD,
    LTADMMVerifyError,
    random_least_squares,
)
from ltadmm_verify.algorithms import Algorithm
from ltadmm_verify.algorithms.randomness import STREAM_BATCH, STREAM_NOISE, normals, uniforms
from ltadmm_verify.algorithms.run import run_loop
from ltadmm_verify.network import Network, ring
from tests.reference_instances import (
    DIM,
    N,
    shuffled_erdos_renyi,
    uneven_least_squares,
    uneven_logistic,
)
from tests.reference_loops import SampleModel, model_from_problem

RTOL = 1e-12
ROUNDS = 10

GRAPHS = {"ring": ring(N), "erdos-renyi": shuffled_erdos_renyi()}


# --------------------------------------------------------------------------- the loop reference
@dataclass
class Loops:
    """Agents, neighbours and Metropolis-Hastings weights read from ``network.graph``."""

    model: SampleModel
    neighbours: list[list[int]]
    seed: int
    batch_size: int | None
    sigma2: float | None
    evals: int = 0
    messages: int = 0

    @classmethod
    def of(cls, problem, network: Network, seed: int, batch_size, sigma2=None) -> Loops:
        nodes = list(network.graph.nodes())
        index = {node: i for i, node in enumerate(nodes)}
        nbrs = [sorted(index[v] for v in network.graph.neighbors(node)) for node in nodes]
        return cls(model_from_problem(problem), nbrs, seed, batch_size, sigma2)

    @property
    def n(self) -> int:
        return len(self.neighbours)

    def w(self, i: int, j: int) -> float:
        """``w_ij = 1 / (1 + max(d_i, d_j))`` off the diagonal, ``1 - sum_j w_ij`` on it."""
        if i == j:
            return 1.0 - sum(self.w(i, k) for k in self.neighbours[i])
        return 1.0 / (1.0 + max(len(self.neighbours[i]), len(self.neighbours[j])))

    def mix(self, values: list[np.ndarray]) -> list[np.ndarray]:
        """Every agent broadcasts its vector to each neighbour; ``sum_j w_ij v_j``."""
        out = []
        for i in range(self.n):
            acc = self.w(i, i) * values[i]
            for j in self.neighbours[i]:
                acc = acc + self.w(i, j) * values[j]
                self.messages += 1
            out.append(acc)
        return out

    def grad(self, i: int, x: np.ndarray, k: int, t: int) -> np.ndarray:
        """``g_i(x)`` at round ``k``, local step ``t``: minibatch (or full) gradient plus noise."""
        m_i = self.model.m(i)
        agent = np.array([i], dtype=np.int64)
        if self.batch_size is None:
            batch = list(range(m_i))
        else:
            u = uniforms(self.seed, STREAM_BATCH, agent, k, t, self.batch_size)[0]
            batch = [min(int(v * m_i), m_i - 1) for v in u]
        self.evals += len(batch)
        g = self.model.grads(i, batch, x).mean(axis=0)
        if self.sigma2:
            g = g + np.sqrt(self.sigma2 / x.size) * normals(self.seed, STREAM_NOISE, agent, k, t, x.size)[0]
        return g


def ref_local_dsgd(L: Loops, x0, gamma, tau, rounds):
    x = [x0[i].copy() for i in range(L.n)]
    for k in range(rounds):
        phi = []
        for i in range(L.n):
            p = x[i].copy()
            for t in range(tau):
                p = p - gamma * L.grad(i, p, k, t)
            phi.append(p)
        x = L.mix(phi)
    return np.array(x)


def ref_led(L: Loops, x0, gamma, beta, tau, rounds):
    x = [x0[i].copy() for i in range(L.n)]
    y = [np.zeros_like(x[0]) for _ in range(L.n)]
    for k in range(rounds):
        phi = []
        for i in range(L.n):
            p = x[i].copy()
            for t in range(tau):
                p = p - gamma * L.grad(i, p, k, t) - beta * y[i]
            phi.append(p)
        x = L.mix(phi)
        y = [y[i] + phi[i] - x[i] for i in range(L.n)]
    return np.array(x)


def ref_kgt(L: Loops, x0, eta_c, eta_s, tau, rounds):
    x = [x0[i].copy() for i in range(L.n)]
    c = [np.zeros_like(x[0]) for _ in range(L.n)]
    for k in range(rounds):
        delta = []
        for i in range(L.n):
            p = x[i].copy()
            for t in range(tau):
                p = p - eta_c * (L.grad(i, p, k, t) + c[i])
            delta.append((x[i] - p) / (tau * eta_c))
        sent = [x[j] - tau * eta_c * eta_s * delta[j] for j in range(L.n)]
        x = L.mix(sent)
        mixed_delta = L.mix(delta)
        c = [c[i] - delta[i] + mixed_delta[i] for i in range(L.n)]
    return np.array(x)


def ref_exact_admm(L: Loops, x0, rho, alpha, rounds, inner_steps, L_i=None):
    """Closed form per agent (normal equations) for least squares, else inner gradient steps."""
    x = [x0[i].copy() for i in range(L.n)]
    z = {(i, j): x[i].copy() for i in range(L.n) for j in L.neighbours[i]}
    for k in range(rounds):
        new_x = []
        for i in range(L.n):
            d_i = len(L.neighbours[i])
            s = sum((z[(i, j)] for j in L.neighbours[i]), start=np.zeros_like(x[i]))
            if L.model.kind == "least-squares":
                A, b = L.model.features[i], L.model.targets[i]
                m_i = L.model.m(i)
                H = A.T @ A / m_i + rho * d_i * np.eye(A.shape[1])
                new_x.append(np.linalg.solve(H, A.T @ b / m_i + s))
            else:
                p = x[i].copy()
                for t in range(inner_steps):
                    p = p - (L.grad(i, p, k, t) + rho * d_i * p - s) / (L_i[i] + rho * d_i)
                new_x.append(p)
        sent = {}
        for j in range(L.n):
            for i in L.neighbours[j]:
                sent[(j, i)] = z[(j, i)] - 2.0 * rho * new_x[j]
                L.messages += 1
        z = {(i, j): (1 - alpha) * z[(i, j)] - alpha * sent[(j, i)] for (i, j) in z}
        x = new_x
    return np.array(x)


# --------------------------------------------------------------------------- vectorised vs loops
def _compare(algorithm: Algorithm, problem, network, reference, batch_size, sigma2=None, seed=5):
    x0 = np.random.default_rng(9).standard_normal((N, DIM))
    noise = None if sigma2 is None else GaussianNoise(sigma2)
    result = run_loop(algorithm, problem, network, ROUNDS, x0=x0, seed=seed, noise=noise)
    loops = Loops.of(problem, network, seed, batch_size, sigma2)
    expected = reference(loops, x0)
    assert result.status == "completed"
    np.testing.assert_allclose(result.x, expected, rtol=RTOL, atol=RTOL * np.abs(expected).max())
    assert int(result.history["grad_evals"][-1]) == loops.evals
    assert int(result.history["messages"][-1]) == loops.messages


@pytest.mark.parametrize("graph", sorted(GRAPHS))
@pytest.mark.parametrize("batch_size", [None, 2])
def test_local_dsgd_matches_loops(graph, batch_size):
    algo = LocalDSGD(gamma=0.1, tau=3, batch_size=batch_size)
    _compare(algo, uneven_least_squares(), GRAPHS[graph],
             lambda L, x0: ref_local_dsgd(L, x0, 0.1, 3, ROUNDS), batch_size)


@pytest.mark.parametrize("graph", sorted(GRAPHS))
@pytest.mark.parametrize("batch_size", [None, 2])
def test_led_matches_loops(graph, batch_size):
    algo = LED(gamma=0.1, beta=0.2, tau=3, batch_size=batch_size)
    _compare(algo, uneven_logistic(), GRAPHS[graph],
             lambda L, x0: ref_led(L, x0, 0.1, 0.2, 3, ROUNDS), batch_size, sigma2=0.3)


@pytest.mark.parametrize("graph", sorted(GRAPHS))
@pytest.mark.parametrize("batch_size", [None, 2])
def test_kgt_matches_loops(graph, batch_size):
    algo = KGT(eta_c=0.1, eta_s=0.7, tau=3, batch_size=batch_size)
    _compare(algo, uneven_least_squares(), GRAPHS[graph],
             lambda L, x0: ref_kgt(L, x0, 0.1, 0.7, 3, ROUNDS), batch_size)


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_exact_admm_closed_form_matches_loops(graph):
    algo = ExactADMM(rho=0.8, alpha=0.4)
    _compare(algo, uneven_least_squares(), GRAPHS[graph],
             lambda L, x0: ref_exact_admm(L, x0, 0.8, 0.4, ROUNDS, 0), None)


def test_exact_admm_inner_solver_matches_loops():
    problem = uneven_logistic()
    L_i = problem.smoothness().per_agent
    algo = ExactADMM(rho=0.8, inner_steps=7)
    _compare(algo, problem, GRAPHS["erdos-renyi"],
             lambda L, x0: ref_exact_admm(L, x0, 0.8, 0.5, ROUNDS, 7, L_i), None)


# --------------------------------------------------------------------------- exactness
@pytest.fixture(scope="module")
def heterogeneous():
    """Full-batch least squares on a 10-ring whose local minimisers differ (heterogeneity 1)."""
    problem = random_least_squares(10, 5, 20, heterogeneity=1.0, seed=4)
    return problem, ring(10), problem.optimum()


def _relative_error(result, x_star):
    return float(np.linalg.norm(result.x - x_star[None, :]) / (np.sqrt(10) * np.linalg.norm(x_star)))


@pytest.mark.parametrize(
    "algorithm",
    [LED(gamma=0.1, beta=0.1, tau=5), KGT(eta_c=0.1, eta_s=1.0, tau=5), ExactADMM(rho=1.0)],
    ids=["led", "k-gt", "exact-admm"],
)
def test_exact_methods_reach_the_optimum(heterogeneous, algorithm):
    problem, network, x_star = heterogeneous
    result = run_loop(algorithm, problem, network, 1000, record_every=1000)
    assert result.status == "completed"
    assert _relative_error(result, x_star) < 1e-8


def test_local_dsgd_stalls_away_from_the_optimum(heterogeneous):
    """Same steps as the exact methods: local DSGD converges, but to a biased point."""
    problem, network, x_star = heterogeneous
    result = run_loop(LocalDSGD(gamma=0.1, tau=5), problem, network, 1000, record_every=500)
    assert result.status == "completed"
    dist = result.history["dist_sq"]
    assert abs(dist[-1] - dist[-2]) < 1e-6 * dist[-1]  # it has settled ...
    assert _relative_error(result, x_star) > 1e-2  # ... away from x*


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("make", "argument"),
    [
        (lambda: LocalDSGD(gamma=0.0, tau=2), "gamma"),
        (lambda: LocalDSGD(gamma=0.1, tau=0), "tau"),
        (lambda: LED(gamma=0.1, beta=-1.0, tau=2), "beta"),
        (lambda: LED(gamma=0.1, beta=0.1, tau=2, batch_size=0), "batch_size"),
        (lambda: KGT(eta_c=float("nan"), eta_s=1.0, tau=2), "eta_c"),
        (lambda: KGT(eta_c=0.1, eta_s="fast", tau=2), "eta_s"),
        (lambda: KGT(eta_c=0.1, eta_s=1.0, tau=2.5), "tau"),
        (lambda: ExactADMM(rho=1.0, alpha=1.0), "alpha"),
        (lambda: ExactADMM(rho=0.0), "rho"),
        (lambda: ExactADMM(rho=1.0, inner_steps=0), "inner_steps"),
    ],
)
def test_bad_parameters_are_rejected(make, argument):
    with pytest.raises(LTADMMVerifyError, match=argument):
        make()


def test_batch_larger_than_local_data_is_rejected():
    with pytest.raises(LTADMMVerifyError, match="batch_size"):
        run_loop(KGT(eta_c=0.1, eta_s=1.0, tau=2, batch_size=4), uneven_least_squares(), ring(N), 2)
