"""Plain per-agent, per-edge loop reference of LT-ADMM and LT-ADMM-VR, written from SPEC 2.1-2.4.

This module is a test oracle: it re-implements the algorithms of ``/work/shared/SPEC.md`` sections
2.1-2.3 with explicit Python loops over agents ``i``, their neighbours ``j`` and the local steps
``t``, one ``z_ij`` per directed edge kept in a dictionary, and the per-sample losses written out
from their formulas. It shares only two things with the library:

- the raw data (features, targets, ``l2``) read from a problem object (:func:`model_from_problem`);
- the counter-based random numbers (``ltadmm_verify.algorithms.randomness.uniforms/normals``),
  requested one agent at a time, so that the same seed gives the same minibatches and noise.

Everything else (gradients, losses, the optimum, the updates, the SAGA table and its mean, the
metrics and the evaluation/message counts) is computed here independently. It is slow on purpose
and is reused by ``benchmarks/bench_round.py`` as the "per-agent loop" baseline.

SPEC 2.1 (canonical, ``penalty="frozen"``), for every agent ``i`` in round ``k``::

    c_i     = rho d_i x_i - sum_{j in N_i} z_ij
    phi^0   = x_i;   phi^{t+1} = phi^t - gamma g_i(phi^t) - beta c_i      (t < tau)
    x_i'    = phi^tau
    z_ij'   = (1 - alpha) z_ij - alpha (z_ji - 2 rho x_j')

``penalty="inner"``: ``phi^{t+1} = phi^t - gamma (g_i(phi^t) + rho d_i phi^t - sum_j z_ij)``.
SPEC 2.2 (VR): ``g_i(phi) = mean_{h in B}[grad f_{i,h}(phi) - T_{i,h}] + mean_h T_{i,h}`` with the
table ``T`` of stored gradients, then ``T_{i,h} <- grad f_{i,h}(phi)`` for ``h in B``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ltadmm_verify.algorithms.randomness import STREAM_BATCH, STREAM_NOISE, normals, uniforms
from ltadmm_verify.network import Network
from ltadmm_verify.problems import LeastSquares, LogisticRegression, Problem, Quadratic

Array = NDArray[np.float64]


@dataclass
class SampleModel:
    """Per-sample losses ``f_{i,h}`` of one problem, written out from their formulas.

    ``kind`` is ``"least-squares"`` (``(a^T x - b)^2 / 2``), ``"logistic"``
    (``log(1 + exp(-y a^T x)) + l2 ||x||^2 / 2``) or ``"quadratic"`` (one sample per agent,
    ``x^T H_i x / 2 - h_i^T x``).
    """

    kind: str
    features: list[Array]
    targets: list[Array]
    l2: float = 0.0

    @property
    def n_agents(self) -> int:
        return len(self.features)

    def m(self, i: int) -> int:
        """``m_i``."""
        return 1 if self.kind == "quadratic" else self.features[i].shape[0]

    def grads(self, i: int, hs: Sequence[int], x: Array) -> Array:
        """``grad f_{i,h}(x)`` for ``h in hs``, shape ``(len(hs), d)`` (one agent's batch)."""
        if self.kind == "quadratic":
            return np.tile(self.features[i] @ x - self.targets[i], (len(hs), 1))
        rows = list(hs)
        a, y = self.features[i][rows], self.targets[i][rows]
        if self.kind == "least-squares":
            return a * (a @ x - y)[:, None]
        margin = -y * (a @ x)
        return (-y / (1.0 + np.exp(-margin)))[:, None] * a + self.l2 * x

    def local_grad(self, i: int, x: Array) -> Array:
        """``grad f_i(x) = (1/m_i) sum_h grad f_{i,h}(x)``."""
        return self.grads(i, range(self.m(i)), x).sum(axis=0) / self.m(i)

    def local_value(self, i: int, x: Array) -> float:
        """``f_i(x) = (1/m_i) sum_h f_{i,h}(x)``."""
        if self.kind == "quadratic":
            return float(0.5 * x @ self.features[i] @ x - self.targets[i] @ x)
        total = 0.0
        for a, y in zip(self.features[i], self.targets[i], strict=True):
            if self.kind == "least-squares":
                total += 0.5 * (a @ x - y) ** 2
            else:
                total += np.log1p(np.exp(-y * (a @ x))) + 0.5 * self.l2 * (x @ x)
        return total / self.m(i)

    def grad_F(self, x: Array) -> Array:
        """``grad F(x) = sum_i grad f_i(x)``."""
        return sum((self.local_grad(i, x) for i in range(self.n_agents)), start=np.zeros_like(x))

    def F(self, x: Array) -> float:
        """``F(x) = sum_i f_i(x)``."""
        return float(sum(self.local_value(i, x) for i in range(self.n_agents)))

    def optimum(self) -> Array | None:
        """Closed-form minimiser of ``F`` for least squares and quadratics (normal equations)."""
        if self.kind == "logistic":
            return None
        d = self.features[0].shape[1]
        H, h = np.zeros((d, d)), np.zeros(d)
        for i in range(self.n_agents):
            if self.kind == "quadratic":
                H += self.features[i]
                h += self.targets[i]
            else:
                A, b = self.features[i], self.targets[i]
                H += A.T @ A / self.m(i)
                h += A.T @ b / self.m(i)
        return np.linalg.solve(H, h)


def model_from_problem(problem: Problem) -> SampleModel:
    """Read the raw data of a library problem (no library arithmetic is used)."""
    if isinstance(problem, Quadratic):
        return SampleModel("quadratic", list(problem.H), list(problem.h))
    if isinstance(problem, LeastSquares | LogisticRegression):
        m = problem.n_samples
        feats = [problem.features[i, : m[i]].copy() for i in range(problem.n_agents)]
        targs = [problem.targets[i, : m[i]].copy() for i in range(problem.n_agents)]
        if isinstance(problem, LeastSquares):
            return SampleModel("least-squares", feats, targs)
        return SampleModel("logistic", feats, targs, l2=problem.l2)
    raise TypeError(f"no reference model for {type(problem).__name__}")


@dataclass
class ReferenceConfig:
    """Parameters of a reference run (names as in SPEC 2.1-2.3)."""

    gamma: float
    beta: float
    rho: float
    tau: int
    batch_size: int | None = None
    alpha: float = 0.5
    penalty: str = "frozen"
    replace: bool = True
    vr: bool = False
    reset: bool = True
    sigma2: float | None = None


@dataclass
class ReferenceResult:
    """Final models ``(N, d)`` and one list per metric/counter, one entry per round ``0..K``."""

    x: Array
    history: dict[str, list[float]] = field(default_factory=dict)


def batch_indices(cfg: ReferenceConfig, seed: int, i: int, m_i: int, k: int, t: int) -> list[int]:
    """Minibatch of agent ``i`` at round ``k``, step ``t`` from the shared counter-based uniforms.

    With replacement: ``h = floor(u m_i)`` for ``|B|`` uniforms. Without: the ``|B|`` samples with
    the smallest of ``m_i`` uniform keys (ties broken by index).
    """
    assert cfg.batch_size is not None
    agent = np.array([i], dtype=np.int64)
    if cfg.replace:
        u = uniforms(seed, STREAM_BATCH, agent, k, t, cfg.batch_size)[0]
        return [min(int(v * m_i), m_i - 1) for v in u]
    keys = uniforms(seed, STREAM_BATCH, agent, k, t, m_i)[0]
    return sorted(range(m_i), key=lambda h: (keys[h], h))[: cfg.batch_size]


def noise_vector(cfg: ReferenceConfig, seed: int, i: int, k: int, t: int, d: int) -> Array:
    """``xi ~ N(0, sigma2/d I)`` of agent ``i`` at round ``k``, step ``t`` (zero without noise)."""
    if not cfg.sigma2:
        return np.zeros(d)
    agent = np.array([i], dtype=np.int64)
    return np.sqrt(cfg.sigma2 / d) * normals(seed, STREAM_NOISE, agent, k, t, d)[0]


def reference_metrics(model: SampleModel, x: list[Array], x_star: Array | None) -> dict[str, float]:
    """SPEC section 4 metrics of the models ``x`` (a list of the agents' vectors)."""
    n = len(x)
    x_bar = sum(x, start=np.zeros_like(x[0])) / n
    g = model.grad_F(x_bar)
    consensus = sum(float((xi - x_bar) @ (xi - x_bar)) for xi in x) / n
    out = {
        "grad_norm_sq": float(g @ g),
        "consensus": consensus,
        "stationarity": float(g @ g) + consensus,
        "objective": model.F(x_bar),
    }
    if x_star is not None:
        out["opt_gap"] = out["objective"] - model.F(x_star)
        out["dist_sq"] = float((x_bar - x_star) @ (x_bar - x_star))
    return out


def reference_run(
    model: SampleModel,
    network: Network,
    cfg: ReferenceConfig,
    rounds: int,
    x0: Array,
    seed: int = 0,
    *,
    metrics: bool = True,
) -> ReferenceResult:
    """Run LT-ADMM / LT-ADMM-VR with explicit loops over agents, edges and local steps.

    The graph is read from ``network.graph`` (agent ``i`` = ``i``-th node), not from the library's
    edge arrays. Counters follow SPEC 2.4: one per-sample gradient per sample index evaluated, one
    message per vector sent along a directed edge.
    """
    nodes = list(network.graph.nodes())
    index = {node: i for i, node in enumerate(nodes)}
    n = len(nodes)
    neighbours = [sorted(index[v] for v in network.graph.neighbors(node)) for node in nodes]
    x = [np.array(x0[i], dtype=np.float64) for i in range(n)]
    d = x[0].size
    z = {(i, j): x[i].copy() for i in range(n) for j in neighbours[i]}
    x_star = model.optimum() if metrics else None
    evals = 0
    messages = 0
    table: list[Array] = []

    def fill_table() -> None:
        nonlocal evals
        table.clear()
        for i in range(n):
            table.append(model.grads(i, range(model.m(i)), x[i]))
            evals += model.m(i)

    result = ReferenceResult(x=np.zeros((n, d)))

    def record(k: int) -> None:
        row: dict[str, float] = {"round": k}
        if metrics:
            row.update(reference_metrics(model, x, x_star))
        # an ideal network delivers every message, d floats each
        row.update(grad_evals=evals, messages=messages, messages_delivered=messages,
                   floats_sent=messages * d)
        for key, value in row.items():
            result.history.setdefault(key, []).append(value)

    if cfg.vr and not cfg.reset:
        fill_table()
    record(0)
    for k in range(rounds):
        if cfg.vr and cfg.reset:
            fill_table()
        new_x = []
        for i in range(n):
            z_sum = np.zeros(d)
            for j in neighbours[i]:
                z_sum = z_sum + z[(i, j)]
            d_i = len(neighbours[i])
            c_i = cfg.rho * d_i * x[i] - z_sum
            phi = x[i].copy()
            for t in range(cfg.tau):
                if cfg.batch_size is None:
                    g = model.local_grad(i, phi)
                    evals += model.m(i)
                else:
                    batch = batch_indices(cfg, seed, i, model.m(i), k, t)
                    fresh = model.grads(i, batch, phi)
                    evals += len(batch)
                    if cfg.vr:
                        stored = np.array([table[i][h] for h in batch])
                        g = (fresh - stored).mean(axis=0) + table[i].mean(axis=0)
                        for s, h in enumerate(batch):
                            table[i][h] = fresh[s]
                    else:
                        g = fresh.mean(axis=0)
                g = g + noise_vector(cfg, seed, i, k, t, d)
                if cfg.penalty == "frozen":
                    phi = phi - cfg.gamma * g - cfg.beta * c_i
                else:
                    phi = phi - cfg.gamma * (g + cfg.rho * d_i * phi - z_sum)
            new_x.append(phi)
        sent = {}
        for j in range(n):
            for i in neighbours[j]:
                sent[(j, i)] = z[(j, i)] - 2.0 * cfg.rho * new_x[j]  # j sends to i
                messages += 1
        z = {(i, j): (1.0 - cfg.alpha) * z[(i, j)] - cfg.alpha * sent[(j, i)] for (i, j) in z}
        x = new_x
        record(k + 1)
    result.x = np.array(x)
    return result
