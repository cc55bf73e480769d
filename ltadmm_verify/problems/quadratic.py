"""A general distributed quadratic: ``f_i(x) = x^T H_i x / 2 - h_i^T x``."""

from __future__ import annotations

from typing import Self

import numpy as np
from numpy.typing import ArrayLike

from .._validation import finite_array
from ..errors import InvalidProblemError
from .base import FloatArray, IntArray, Problem, SmoothnessConstants


class Quadratic(Problem):
    r"""Distributed quadratic ``f_i(x) = x^T H_i x / 2 - h_i^T x`` with symmetric ``H_i``.

    Each agent holds a single "sample" (``m_i = 1``), so a minibatch gradient is the full local
    gradient ``grad f_i(x) = H_i x - h_i``; stochasticity comes from an additive noise oracle.
    ``F = sum_i f_i`` has the minimiser ``x* = (sum_i H_i)^{-1} sum_i h_i`` when ``sum_i H_i`` is
    positive definite. Constants: ``L_i = lambda_max(H_i)``, ``mu_i = lambda_min(H_i)``.

    Parameters
    ----------
    H : array, shape (N, d, d)
        Symmetric local Hessians.
    h : array, shape (N, d)
        Local linear terms.
    """

    name = "quadratic"

    def __init__(self, H: ArrayLike, h: ArrayLike) -> None:
        H_arr = finite_array("H", H, ndim=3)
        h_arr = finite_array("h", h, ndim=2)
        n, d, d2 = H_arr.shape
        if d != d2:
            raise InvalidProblemError(f"H must have shape (N, d, d), got {H_arr.shape}")
        if h_arr.shape != (n, d):
            raise InvalidProblemError(f"h must have shape (N, d) = ({n}, {d}), got {h_arr.shape}")
        asym = float(np.abs(H_arr - H_arr.transpose(0, 2, 1)).max())
        if asym > 1e-10 * max(1.0, float(np.abs(H_arr).max())):
            raise InvalidProblemError(f"H must be symmetric, found |H_i - H_i^T| up to {asym:.3e}")
        self.H = 0.5 * (H_arr + H_arr.transpose(0, 2, 1))
        self.h = h_arr
        self._eig = np.linalg.eigvalsh(self.H)

    @property
    def n_agents(self) -> int:
        return int(self.H.shape[0])

    @property
    def dim(self) -> int:
        return int(self.H.shape[1])

    @property
    def n_samples(self) -> IntArray:
        return np.ones(self.n_agents, dtype=np.int64)

    @property
    def is_convex(self) -> bool:
        return bool(self._eig[:, 0].min() >= -1e-12)

    def quadratic_form(self) -> tuple[FloatArray, FloatArray]:
        """``(H, h)``, shapes ``(N, d, d)`` and ``(N, d)``."""
        return self.H, self.h

    def local_gradients(self, X: FloatArray) -> FloatArray:
        return np.einsum("nij,nj->ni", self.H, X) - self.h

    def sample_gradients(self, X: FloatArray, idx: IntArray) -> FloatArray:
        return np.broadcast_to(self.local_gradients(X)[:, None, :], (*idx.shape, self.dim)).copy()

    def local_values(self, X: FloatArray) -> FloatArray:
        return 0.5 * np.einsum("ni,nij,nj->n", X, self.H, X) - np.einsum("ni,ni->n", self.h, X)

    def _compute_smoothness(self) -> SmoothnessConstants:
        total = np.linalg.eigvalsh(self.H.sum(axis=0))
        convex = self.is_convex
        return SmoothnessConstants(
            per_sample=float(np.abs(self._eig).max()),
            per_agent=np.abs(self._eig).max(axis=1),
            global_=float(np.abs(total).max()),
            mu_per_agent=np.maximum(self._eig[:, 0], 0.0) if convex else None,
            mu_global=max(float(total[0]), 0.0) if convex else None,
            how="closed form: eigenvalues of H_i",
        )

    def _compute_optimum(self) -> FloatArray | None:
        total = self.H.sum(axis=0)
        if np.linalg.eigvalsh(total)[0] <= 1e-12 * max(1.0, float(np.abs(total).max())):
            return None
        return np.linalg.solve(total, self.h.sum(axis=0))

    def restrict(self, agents: IntArray) -> Self:
        return type(self)(self.H[agents], self.h[agents])


def random_quadratic(
    n_agents: int,
    dim: int,
    *,
    mu: float = 0.5,
    L: float = 2.0,
    heterogeneity: float = 1.0,
    seed: int = 0,
) -> Quadratic:
    """Random quadratic with every ``H_i`` having eigenvalues in ``[mu, L]`` (both attained).

    ``H_i = Q_i diag(lambda_i) Q_i^T`` with random orthogonal ``Q_i``; ``h_i ~ heterogeneity * N(0, I)``.
    """
    if not 0 < mu <= L:
        raise InvalidProblemError(f"need 0 < mu <= L, got mu={mu}, L={L}")
    rng = np.random.default_rng(seed)
    H = np.empty((n_agents, dim, dim))
    for i in range(n_agents):
        q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
        lam = rng.uniform(mu, L, size=dim)
        lam[0], lam[-1] = mu, L
        H[i] = (q * lam) @ q.T
    h = heterogeneity * rng.standard_normal((n_agents, dim))
    return Quadratic(H, h)
