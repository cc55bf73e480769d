r"""Hand-derived linear maps of LT-ADMM: independent references for the traced maps (SPEC 3 and 6).

The package derives every map by tracing ``LTADMM.step`` (``ltadmm_verify.theory.trace``); these two
derivations were written by hand from the update rules and stay here only to test the tracer.

Derivation. With ``y_i = sum_j z_ij``, ``w_i = sum_j z_ji``, ``s = y + w``, ``u = y - w`` the z-update
``z_ij+ = (1 - alpha) z_ij - alpha (z_ji - 2 rho x_j+)`` gives
``s+ = (1 - 2 alpha) s + 2 alpha rho (D + A) x+`` and ``u+ = u - 2 alpha rho L_G x+``; ``u`` stays in
``1^perp`` and is stored as ``v = Q^T u``. Local steps: frozen penalty
``phi+ = M phi + gamma h - beta c`` with ``M = I - gamma H``, ``c = rho D x - y``; inner penalty
``phi+ = M' phi + gamma (h + y)`` with ``M' = I - gamma (H + rho D)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

import ltadmm_verify as lv


def complement_basis(n: int) -> np.ndarray:
    """Orthonormal basis of ``1^perp`` in ``R^n``."""
    return np.asarray(sla.null_space(np.ones((1, n))))


def _blockdiag(blocks: np.ndarray) -> np.ndarray:
    n, d, _ = blocks.shape
    out = np.zeros((n, d, n, d))
    idx = np.arange(n)
    out[idx, :, idx, :] = blocks
    return out.reshape(n * d, n * d)


@dataclass(frozen=True)
class HandModel:
    """``q+ = T q + b + E n`` on ``q = (x, s, v)``; ``x = q[:N d]``."""

    T: np.ndarray
    b: np.ndarray
    E: np.ndarray
    noise_cov: np.ndarray
    Q: np.ndarray
    degrees: np.ndarray
    adjacency: np.ndarray
    dim: int

    def initial_state(self, X0: np.ndarray) -> np.ndarray:
        d = self.dim
        Dk = np.kron(np.diag(self.degrees), np.eye(d))
        Ak = np.kron(self.adjacency, np.eye(d))
        x = X0.ravel()
        return np.concatenate([x, (Dk + Ak) @ x, np.kron(self.Q.T, np.eye(d)) @ ((Dk - Ak) @ x)])

    def spectral_radius(self) -> float:
        return float(np.abs(np.linalg.eigvals(self.T)).max())


def lt_admm_model(alg: lv.LTADMM, problem: lv.Problem, network: lv.Network) -> HandModel:
    """The exact affine map of one LT-ADMM round on a quadratic (derivation above)."""
    H, h = problem.quadratic_form()  # type: ignore[attr-defined]
    n, d = h.shape
    gamma, beta, rho, tau, alpha = alg.gamma, alg.beta, alg.rho, alg.tau, alg.alpha
    deg = network.degrees.astype(np.float64)
    eye_d = np.eye(d)
    if alg.penalty == "frozen":
        M = eye_d - gamma * H
    else:
        M = eye_d - gamma * (H + rho * deg[:, None, None] * eye_d)
    power = np.broadcast_to(eye_d, M.shape).copy()
    S = np.zeros_like(M)
    cov = np.zeros_like(M)
    for _ in range(tau):
        S += power
        cov += power @ power.transpose(0, 2, 1)
        power = M @ power
    if alg.penalty == "frozen":
        P_blocks, Y_blocks = power - beta * rho * deg[:, None, None] * S, beta * S
    else:
        P_blocks, Y_blocks = power, gamma * S
    b_x = gamma * np.einsum("nij,nj->ni", S, h).ravel()
    P, Y = _blockdiag(P_blocks), _blockdiag(Y_blocks)
    adjacency = network.adjacency.toarray()
    Q = complement_basis(n)
    Qk = np.kron(Q, eye_d)
    Gk = np.kron(np.diag(deg) + adjacency, eye_d)
    Lk = np.kron(network.laplacian, eye_d)
    nd = n * d
    E = np.vstack([np.eye(nd), 2 * alpha * rho * Gk, -2 * alpha * rho * Qk.T @ Lk])
    x_row = np.hstack([P, Y / 2, Y @ Qk / 2])
    memory = sla.block_diag(np.zeros((nd, nd)), (1 - 2 * alpha) * np.eye(nd), np.eye(Qk.shape[1]))
    return HandModel(E @ x_row + memory, E @ b_x, E, gamma**2 / d * _blockdiag(cov), Q, deg,
                     adjacency, d)


@dataclass(frozen=True)
class HandLifted:
    """``state+ = AB z``, ``phi~^t_i = Y[t N + i] z`` on ``z = (state, w)`` (``d = 1``)."""

    AB: np.ndarray
    Y: np.ndarray
    n_state: int
    n_agents: int
    tau: int

    def quadratic_rate(self, curvature: np.ndarray) -> float:
        h = np.tile(np.asarray(curvature, dtype=np.float64), self.tau)
        ns = self.n_state
        gain = np.linalg.solve(np.eye(h.size) - h[:, None] * self.Y[:, ns:], h[:, None] * self.Y[:, :ns])
        return float(np.abs(np.linalg.eigvals(self.AB[:, :ns] + self.AB[:, ns:] @ gain)).max())


def lt_admm_lifted(alg: lv.LTADMM, network: lv.Network) -> HandLifted:
    """The one-round system of SPEC 6 in deviation coordinates (``d = 1``)."""
    gamma, beta, rho, tau, alpha = alg.gamma, alg.beta, alg.rho, alg.tau, alg.alpha
    n = network.n_agents
    lap = network.laplacian
    deg = network.degrees.astype(np.float64)
    adj_plus = np.diag(deg) + network.adjacency.toarray()
    Q = complement_basis(n)
    with_s = alpha != 0.5
    ns = 2 * n - 1 + (n if with_s else 0)
    nz = ns + n * tau
    X = np.zeros((n, nz))
    X[:, :n] = np.eye(n)
    V = np.zeros((n - 1, nz))
    V[:, n:2 * n - 1] = np.eye(n - 1)
    QV = Q @ V
    if with_s:
        S = np.zeros((n, nz))
        S[:, 2 * n - 1:3 * n - 1] = np.eye(n)
        y_map = (S + QV) / 2
    else:
        y_map = rho * adj_plus @ X / 2 + QV / 2
    phis = [X]
    for t in range(tau):
        W_t = np.zeros((n, nz))
        W_t[:, ns + t * n: ns + (t + 1) * n] = np.eye(n)
        if alg.penalty == "frozen":
            phis.append(phis[-1] - gamma * W_t - beta * (rho * deg[:, None] * X - y_map))
        else:
            phis.append((1 - gamma * rho * deg)[:, None] * phis[-1] - gamma * W_t + gamma * y_map)
    x_next = phis[-1]
    rows = [x_next, V - 2 * alpha * rho * Q.T @ lap @ x_next]
    if with_s:
        rows.append((1 - 2 * alpha) * S + 2 * alpha * rho * adj_plus @ x_next)
    return HandLifted(np.vstack(rows), np.vstack(phis[:-1]), ns, n, tau)
