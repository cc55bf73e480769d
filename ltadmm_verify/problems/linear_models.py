"""Finite-sum problems built on a linear model: least squares, logistic and softmax regression.

Agent ``i`` holds features ``A_i`` (``m_i x p``) and targets ``y_i``. The model is ``W`` of shape
``(p, C)`` flattened to ``x in R^d``, ``d = p C`` (``C = 1`` for the scalar models), the scores of
sample ``h`` are ``s_h = W^T a_h`` and

    f_{i,h}(x) = loss(s_h, y_h) + r(x),     grad f_{i,h}(x) = vec(a_h loss'(s_h, y_h)^T) + grad r(x).

Per-agent data of different lengths are padded with zero rows to ``max_i m_i``; padded rows are never
sampled and are masked out of the full local costs.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Self

import numpy as np
import scipy.optimize as so
from numpy.typing import ArrayLike
from scipy.special import expit

from .._validation import finite_array, nonnegative_float
from ..errors import InvalidProblemError
from .base import FloatArray, HeldOut, IntArray, Problem, SmoothnessConstants

#: A minibatch gradient of a scalar model reads every row of every agent in place instead of
#: gathering the batch rows when the data exceed :data:`FULL_PASS_BYTES` and
#: ``max_i m_i <= FULL_PASS_RATIO |B|``: out of cache a contiguous row costs about a fifth of a
#: gathered one, in cache the gather is cheaper (``benchmarks/README.md``, "The minibatch gradient").
#: The choice is made on the whole problem's data, so an agent's gradient is computed the same way
#: on every backend and in every replica (the two ways differ by rounding).
FULL_PASS_RATIO, FULL_PASS_BYTES = 4, 8 * 2**20


def _pad(blocks: Sequence[FloatArray], width: tuple[int, ...]) -> FloatArray:
    m_max = max(b.shape[0] for b in blocks)
    out = np.zeros((len(blocks), m_max, *width))
    for i, block in enumerate(blocks):
        out[i, : block.shape[0]] = block
    return out


def _lambda_max_sym(M: FloatArray) -> FloatArray:
    """Largest eigenvalue of each symmetric matrix in a stack ``(..., p, p)``."""
    return np.asarray(np.linalg.eigvalsh(M)[..., -1], dtype=np.float64)


class LinearModelProblem(Problem):
    """Common machinery of the linear-model problems (padding, gathering, masks, restriction).

    Subclasses define the loss (:meth:`_loss_values`, :meth:`_loss_derivative`), the regulariser if
    any and the smoothness constants. Gradients never evaluate loss values, nor the reverse.
    """

    n_outputs: int = 1
    #: name of the targets argument of the constructor, used in error messages
    targets_argument: str = "b"
    #: held-out test data (set by :func:`ltadmm_verify.problems.digits`)
    test_set: HeldOut | None = None

    def __init__(self, features: Sequence[ArrayLike], targets: Sequence[ArrayLike]) -> None:
        if isinstance(features, np.ndarray) and features.ndim == 2:
            raise InvalidProblemError(
                "A must be a sequence of per-agent (m_i, p) arrays, got a single 2-D array; "
                "wrap it in a list or split it by agent"
            )
        if len(features) != len(targets):
            raise InvalidProblemError(
                f"A and {self.targets_argument} must list the same number of agents, "
                f"got {len(features)} and {len(targets)}"
            )
        if len(features) < 1:
            raise InvalidProblemError("A must hold at least one agent's data, got none")
        blocks = [finite_array(f"A[{i}]", a, ndim=2) for i, a in enumerate(features)]
        p = blocks[0].shape[1]
        for i, block in enumerate(blocks):
            if block.shape[1] != p:
                raise InvalidProblemError(
                    f"A[{i}] must have {p} columns like A[0], got shape {block.shape}"
                )
            if block.shape[0] < 1:
                raise InvalidProblemError(f"A[{i}] must have at least one sample (row), got 0")
        ys = [
            self._check_targets(f"{self.targets_argument}[{i}]", y, blocks[i].shape[0])
            for i, y in enumerate(targets)
        ]
        self._init_padded(
            _pad(blocks, (p,)),
            _pad(ys, ()),
            np.array([b.shape[0] for b in blocks], dtype=np.int64),
        )
        # kept by restrict (an MPI rank's block, replicas): decided on the whole problem
        self._out_of_cache = self.features.nbytes > FULL_PASS_BYTES

    def _init_padded(self, features: FloatArray, targets: FloatArray, m: IntArray) -> None:
        self.features = np.ascontiguousarray(features)
        self.targets = np.ascontiguousarray(targets)
        self._m = m
        self.mask = np.arange(features.shape[1])[None, :] < m[:, None]
        self.weights = self.mask / m[:, None]
        self._flat_features = self.features.reshape(-1, features.shape[2])
        self._row_starts = np.arange(features.shape[0])[:, None] * features.shape[1]

    def _check_targets(self, name: str, y: ArrayLike, m: int) -> FloatArray:
        arr = finite_array(name, y, ndim=1)
        if arr.shape[0] != m:
            raise InvalidProblemError(f"{name} must have {m} entries (rows of A), got {arr.shape[0]}")
        return arr

    # ------------------------------------------------------------- shapes
    @property
    def n_agents(self) -> int:
        return int(self.features.shape[0])

    @property
    def n_features(self) -> int:
        """``p``, the number of features (columns of ``A_i``)."""
        return int(self.features.shape[2])

    @property
    def dim(self) -> int:
        return self.n_features * self.n_outputs

    @property
    def n_samples(self) -> IntArray:
        return self._m

    def restrict(self, agents: IntArray) -> Self:
        """The same problem for ``agents`` (in that order, repeats allowed), with the **same padded
        length**: every per-agent kernel then has the same shapes as in the whole problem, so a
        block of agents (an MPI rank) or copies of them (replicas) get the same rows bit for bit."""
        agents = np.asarray(agents, dtype=np.int64)
        new = object.__new__(type(self))
        new.__dict__.update(
            {k: v for k, v in self.__dict__.items() if k not in self.CACHED}
        )
        new._init_padded(self.features[agents], self.targets[agents], self._m[agents])
        return new

    # ------------------------------------------------------------- model
    def _weights_of(self, X: FloatArray) -> FloatArray:
        return X.reshape(X.shape[0], self.n_features, self.n_outputs)

    @abstractmethod
    def _loss_values(self, scores: FloatArray, targets: FloatArray) -> FloatArray:
        """Loss values ``(N, b)`` at the scores ``(N, b, C)``."""

    @abstractmethod
    def _loss_derivative(self, scores: FloatArray, targets: FloatArray) -> FloatArray:
        """Derivatives of the loss with respect to the scores, ``(N, b, C)``."""

    def _regulariser_values(self, X: FloatArray) -> FloatArray | None:
        """Regulariser values ``(N,)``; ``None`` when the model has none (decided by the model's
        parameters, never by the values of ``X``)."""
        return None

    def regulariser_gradient(self, X: FloatArray) -> FloatArray | None:
        """Regulariser gradients ``(N, d)``; ``None`` when the model has none."""
        return None

    def _scores(self, feats: FloatArray, X: FloatArray) -> FloatArray:
        """Scores ``(N, b, C)`` of features ``(N, b, p)``: one matrix product per agent."""
        return np.matmul(feats, self._weights_of(X))

    def batch_factors(self, X: FloatArray, idx: IntArray) -> tuple[FloatArray, FloatArray]:
        """Gathered batch features ``(N, b, p)`` and score derivatives ``loss'(s_h)`` ``(N, b, C)``.

        Hot path of every minibatch step: one gather of the batch rows (``np.take`` on the
        flattened data) and the scores by a batched matmul.
        """
        n, b = idx.shape
        flat = (self._row_starts + idx).ravel()
        feats = np.take(self._flat_features, flat, axis=0).reshape(n, b, -1)
        dscore = self._loss_derivative(self._scores(feats, X), np.take(self.targets, flat).reshape(n, b))
        return feats, dscore

    def _add_regulariser_gradient(self, X: FloatArray, grads: FloatArray) -> FloatArray:
        """``grads + grad r(x_i)`` in place (broadcast over a batch axis if ``grads`` has one)."""
        regulariser = self.regulariser_gradient(X)
        if regulariser is not None:
            grads += regulariser.reshape(X.shape[0], *([1] * (grads.ndim - 2)), X.shape[1])
        return grads

    def factor_products(self, feats: FloatArray, dscore: FloatArray,
                        out: FloatArray | None = None) -> FloatArray:
        """Per-sample ``vec(a_h loss'(s_h)^T)``, ``(N, b, d)``; scalar models may write into ``out``."""
        if self.n_outputs == 1:
            return np.multiply(feats, dscore, out=out)
        return (feats[:, :, :, None] * dscore[:, :, None, :]).reshape(*feats.shape[:2], self.dim)

    def sample_gradients(self, X: FloatArray, idx: IntArray) -> FloatArray:
        # For scalar models the product a_h loss'(s_h) is written into the gathered copy, so one
        # (N, b, d) array is allocated per call (large temporaries cost page faults).
        feats, dscore = self.batch_factors(X, idx)
        return self._add_regulariser_gradient(X, self.factor_products(feats, dscore, out=feats))

    def score_derivatives(self, X: FloatArray) -> FloatArray:
        """``loss'(s_h)`` of every sample, ``(N, max_i m_i, C)``, padding rows zero (data in place)."""
        dscore = self._loss_derivative(self._scores(self.features, X), self.targets)
        dscore[~self.mask] = 0.0
        return dscore

    def mean_factor_product(self, dscore: FloatArray) -> FloatArray:
        r"""``(1/m_i) sum_h vec(a_h d_h^T)`` for per-sample score derivatives ``d`` ``(N, max_i m_i, C)``
        (padding rows ignored): the data term of ``grad f_i`` when ``d_h = loss'(s_h)``, ``(N, d)``."""
        weighted = dscore * self.weights[:, :, None]
        return np.matmul(self.features.transpose(0, 2, 1), weighted).reshape(dscore.shape[0], self.dim)

    def all_sample_gradients(self, X: FloatArray) -> FloatArray:
        """Every per-sample gradient, ``(N, max_i m_i, d)``, padding rows zero: the data are used in
        place (no gather), and the regulariser is added to the real samples only."""
        grads = self.factor_products(self.features, self.score_derivatives(X))
        regulariser = self.regulariser_gradient(X)
        if regulariser is not None:
            np.add(grads, regulariser[:, None, :], out=grads, where=self.mask[:, :, None])
        return grads

    def mean_sample_gradients(self, X: FloatArray, idx: IntArray) -> FloatArray:
        r"""``(1/b) sum_{h in B} a_h loss'(s_h)^T + grad r(x_i)``; the per-sample gradients are never formed.

        Scalar models with large data and few rows per agent (:data:`FULL_PASS_RATIO`) take one
        pass over the data in place, each row weighted by how often the batch drew it,
        ``(1/b) sum_h c_h a_h loss'(s_h)`` (no gather); otherwise the batch rows are gathered and
        the sum is one batched matmul ``A_B^T D / b``.
        """
        b = idx.shape[1]
        if self.n_outputs == 1 and self._out_of_cache and self.features.shape[1] <= FULL_PASS_RATIO * b:
            counts = np.bincount((self._row_starts + idx).ravel(), minlength=self.targets.size)
            scores = np.einsum("nmp,np->nm", self.features, X)
            dscore = self._loss_derivative(scores[:, :, None], self.targets)[:, :, 0]
            dscore *= counts.reshape(dscore.shape)
            grads = np.einsum("nmp,nm->np", self.features, dscore)
        else:
            feats, dscore = self.batch_factors(X, idx)
            grads = np.matmul(feats.transpose(0, 2, 1), dscore).reshape(X.shape)
        grads /= b
        return self._add_regulariser_gradient(X, grads)

    def local_gradients(self, X: FloatArray) -> FloatArray:
        dscore = self._loss_derivative(self._scores(self.features, X), self.targets)
        return self._add_regulariser_gradient(X, self.mean_factor_product(dscore))

    def local_values(self, X: FloatArray) -> FloatArray:
        values = self._loss_values(self._scores(self.features, X), self.targets)
        total = (values * self.weights).sum(axis=1)
        regulariser = self._regulariser_values(X)
        return total if regulariser is None else total + regulariser

    # ------------------------------------------------------------- constants
    def _gram(self, scale: float) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Per-sample ``scale ||a_h||^2``, per-agent ``scale A_i^T A_i / m_i`` and their sum."""
        sq = scale * np.einsum("nmp,nmp->nm", self.features, self.features)
        gram = scale * np.einsum("nmp,nmq->npq", self.features * self.weights[:, :, None], self.features)
        return sq, gram, gram.sum(axis=0)

    def _strongly_convex_optimum(self) -> FloatArray:
        """Centralised solve of ``min F`` to ``|grad F(x*)| <= 1e-10 (1 + |grad F(0)|)``.

        L-BFGS first, then Newton steps ``x <- x - H^{-1} grad F(x)`` with the Hessian ``H`` from
        central differences of ``grad F`` (L-BFGS alone can stall a little above the target
        because the objective's rounding hides further decrease).
        """
        x = np.zeros(self.dim)
        scale = 1.0 + float(np.linalg.norm(self.gradient(x)))
        target = 1e-10 * scale
        result = so.minimize(
            self.objective,
            x,
            jac=self.gradient,
            method="L-BFGS-B",
            options={"maxiter": 20000, "gtol": 1e-13 * scale, "ftol": 0.0, "maxcor": 30},
        )
        x = np.asarray(result.x, dtype=np.float64)
        grad = self.gradient(x)
        for _ in range(10):
            if np.linalg.norm(grad) <= target:
                break
            x = x - np.linalg.solve(self._finite_difference_hessian(x), grad)
            grad = self.gradient(x)
        grad_norm = float(np.linalg.norm(grad))
        if grad_norm > 1e2 * target:
            raise InvalidProblemError(
                f"reference optimum did not converge: |grad F(x*)| = {grad_norm:.3e} "
                f"(wanted <= {1e2 * target:.3e})"
            )
        return x

    def _finite_difference_hessian(self, x: FloatArray) -> FloatArray:
        """Symmetrised central-difference Hessian of ``F`` at ``x`` (``2 d`` gradient calls)."""
        step = 1e-5 * (1.0 + float(np.abs(x).max()))
        basis = np.eye(self.dim) * step
        columns = [(self.gradient(x + e) - self.gradient(x - e)) / (2 * step) for e in basis]
        hess = np.array(columns)
        return 0.5 * (hess + hess.T)


class LeastSquares(LinearModelProblem):
    r"""Distributed least squares, ``f_i(x) = (1/(2 m_i)) ||A_i x - b_i||^2``.

    Per sample ``f_{i,h}(x) = (a_h^T x - b_h)^2 / 2``, ``grad f_{i,h}(x) = a_h (a_h^T x - b_h)``.
    ``F = sum_i f_i`` has the closed-form minimiser ``x* = (sum_i H_i)^{-1} sum_i A_i^T b_i / m_i``
    with ``H_i = A_i^T A_i / m_i`` (when ``sum_i H_i`` is nonsingular).

    Parameters
    ----------
    A : sequence of arrays, shapes ``(m_i, d)``
    b : sequence of arrays, shapes ``(m_i,)``
    """

    name = "least squares"

    def __init__(self, A: Sequence[ArrayLike], b: Sequence[ArrayLike]) -> None:
        super().__init__(A, b)

    @property
    def is_convex(self) -> bool:
        return True

    def _loss_values(self, scores: FloatArray, targets: FloatArray) -> FloatArray:
        return 0.5 * (scores[..., 0] - targets) ** 2

    def _loss_derivative(self, scores: FloatArray, targets: FloatArray) -> FloatArray:
        return (scores[..., 0] - targets)[..., None]

    def quadratic_form(self) -> tuple[FloatArray, FloatArray]:
        """``(H, h)`` with ``f_i(x) = x^T H_i x / 2 - h_i^T x + const``; shapes ``(N,d,d)``, ``(N,d)``."""
        _, gram, _ = self._gram(1.0)
        h = np.einsum("nmp,nm->np", self.features, self.targets * self.weights)
        return gram, h

    def _compute_smoothness(self) -> SmoothnessConstants:
        sq, gram, total = self._gram(1.0)
        eig = np.linalg.eigvalsh(gram)
        total_eig = np.linalg.eigvalsh(total)
        return SmoothnessConstants(
            per_sample=float(sq.max()),
            per_agent=np.asarray(eig[:, -1], dtype=np.float64),
            global_=float(total_eig[-1]),
            mu_per_agent=np.maximum(eig[:, 0], 0.0),
            mu_global=max(float(total_eig[0]), 0.0),
            how="closed form: eigenvalues of A_i^T A_i / m_i and ||a_h||^2",
        )

    def _compute_optimum(self) -> FloatArray | None:
        H, h = self.quadratic_form()
        total = H.sum(axis=0)
        if np.linalg.cond(total) > 1e12:
            return None
        return np.linalg.solve(total, h.sum(axis=0))


class LogisticRegression(LinearModelProblem):
    r"""Binary logistic regression with labels ``+-1`` and optional l2 term.

    ``f_{i,h}(x) = log(1 + exp(-y_h a_h^T x)) + (l2/2) ||x||^2``, so
    ``grad f_{i,h}(x) = -y_h a_h sigmoid(-y_h a_h^T x) + l2 x``.
    Certified constants: ``L_{i,h} = ||a_h||^2 / 4 + l2``; ``mu_i = l2``. The reference optimum is
    computed (L-BFGS, cached) only when ``l2 > 0`` (otherwise it may not exist).
    """

    name = "logistic regression"
    targets_argument = "y"

    def __init__(self, A: Sequence[ArrayLike], y: Sequence[ArrayLike], l2: float = 0.0) -> None:
        self.l2 = nonnegative_float("l2", l2)
        super().__init__(A, y)

    def _check_targets(self, name: str, y: ArrayLike, m: int) -> FloatArray:
        arr = super()._check_targets(name, y, m)
        bad = ~np.isin(arr, (-1.0, 1.0))
        if bad.any():
            raise InvalidProblemError(
                f"{name} must contain labels -1 or +1 only, found {arr[bad][0]!r}"
            )
        return arr

    @property
    def is_convex(self) -> bool:
        return True

    def _loss_values(self, scores: FloatArray, targets: FloatArray) -> FloatArray:
        return np.logaddexp(0.0, -targets * scores[..., 0])

    def _loss_derivative(self, scores: FloatArray, targets: FloatArray) -> FloatArray:
        return (-targets * expit(-targets * scores[..., 0]))[..., None]

    def _regulariser_values(self, X: FloatArray) -> FloatArray | None:
        return None if self.l2 == 0.0 else 0.5 * self.l2 * np.einsum("nd,nd->n", X, X)

    def regulariser_gradient(self, X: FloatArray) -> FloatArray | None:
        return None if self.l2 == 0.0 else self.l2 * X

    def _compute_smoothness(self) -> SmoothnessConstants:
        sq, gram, total = self._gram(0.25)
        n = self.n_agents
        mu = np.full(n, self.l2)
        return SmoothnessConstants(
            per_sample=float(sq.max()) + self.l2,
            per_agent=_lambda_max_sym(gram) + self.l2,
            global_=float(_lambda_max_sym(total)) + n * self.l2,
            mu_per_agent=mu,
            mu_global=n * self.l2,
            how="bound: sigmoid' <= 1/4, so Hessian <= A^T A / (4 m) + l2 I",
        )

    def _compute_optimum(self) -> FloatArray | None:
        return self._strongly_convex_optimum() if self.l2 > 0 else None


class SoftmaxRegression(LinearModelProblem):
    r"""Multinomial logistic regression with the optional nonconvex regulariser.

    ``x = vec(W)``, ``W in R^{p x C}``; with ``p_h = softmax(W^T a_h)`` and one-hot ``e_{y_h}``,

        f_{i,h}(x) = -log p_h[y_h] + eps sum_l x_l^2 / (1 + x_l^2),
        grad f_{i,h}(x) = vec(a_h (p_h - e_{y_h})^T) + eps 2 x / (1 + x^2)^2   (elementwise).

    Certified constants (SPEC section 5): ``L_{i,h} <= ||a_h||^2 / 2 + 2 eps`` (the cross-entropy
    Hessian is ``(diag p - p p^T) (x) a a^T`` with ``||diag p - p p^T|| <= 1/2``; the regulariser's
    second derivative lies in ``[-eps/2, 2 eps]``). Nonconvex when ``eps > 0``: no reference optimum.

    Parameters
    ----------
    A : sequence of ``(m_i, p)`` feature arrays
    labels : sequence of ``(m_i,)`` integer class labels in ``0..n_classes-1``
    n_classes : int
    eps : float, default 0
        Weight of the nonconvex regulariser.
    """

    name = "softmax regression"
    targets_argument = "labels"

    def __init__(
        self,
        A: Sequence[ArrayLike],
        labels: Sequence[ArrayLike],
        n_classes: int,
        eps: float = 0.0,
    ) -> None:
        if not isinstance(n_classes, int | np.integer) or n_classes < 2:
            raise InvalidProblemError(f"n_classes must be an integer >= 2, got {n_classes!r}")
        self.n_outputs = int(n_classes)
        self.eps = nonnegative_float("eps", eps)
        super().__init__(A, labels)

    def _check_targets(self, name: str, y: ArrayLike, m: int) -> FloatArray:
        arr = super()._check_targets(name, y, m)
        bad = (arr != np.round(arr)) | (arr < 0) | (arr >= self.n_outputs)
        if bad.any():
            raise InvalidProblemError(
                f"{name} must hold integer labels in 0..{self.n_outputs - 1}, found {arr[bad][0]!r}"
            )
        return arr

    @property
    def is_convex(self) -> bool:
        return self.eps == 0.0

    def _log_probabilities(self, scores: FloatArray, targets: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``log softmax(scores)`` and the one-hot targets, both ``(N, b, C)``."""
        shifted = scores - scores.max(axis=-1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        return log_p, np.eye(self.n_outputs)[targets.astype(np.int64)]

    def _loss_values(self, scores: FloatArray, targets: FloatArray) -> FloatArray:
        log_p, one_hot = self._log_probabilities(scores, targets)
        return -(log_p * one_hot).sum(axis=-1)

    def _loss_derivative(self, scores: FloatArray, targets: FloatArray) -> FloatArray:
        """``softmax(s_h) - e_{y_h}``: the probabilities, then 1 taken off at each label (no one-hot)."""
        p = np.exp(scores - scores.max(axis=-1, keepdims=True))
        p /= p.sum(axis=-1, keepdims=True)
        flat = p.reshape(-1)
        flat[np.arange(0, flat.size, self.n_outputs) + targets.reshape(-1).astype(np.int64)] -= 1.0
        return p

    def _regulariser_values(self, X: FloatArray) -> FloatArray | None:
        if self.eps == 0.0:
            return None
        sq = X**2
        return self.eps * (sq / (1 + sq)).sum(axis=1)

    def regulariser_gradient(self, X: FloatArray) -> FloatArray | None:
        return None if self.eps == 0.0 else self.eps * 2 * X / (1 + X**2) ** 2

    def predict(self, x: FloatArray, features: FloatArray) -> IntArray:
        """Class predictions ``argmax_c (W^T a)_c`` for rows of ``features`` ``(n, p)``."""
        W = np.asarray(x).reshape(self.n_features, self.n_outputs)
        return np.argmax(features @ W, axis=1).astype(np.int64)

    def _compute_smoothness(self) -> SmoothnessConstants:
        sq, gram, total = self._gram(0.5)
        n = self.n_agents
        reg = 2 * self.eps
        convex = self.eps == 0.0
        return SmoothnessConstants(
            per_sample=float(sq.max()) + reg,
            per_agent=_lambda_max_sym(gram) + reg,
            global_=float(_lambda_max_sym(total)) + n * reg,
            mu_per_agent=np.zeros(n) if convex else None,
            mu_global=0.0 if convex else None,
            how="bound: ||diag p - p p^T|| <= 1/2 and |r''| <= 2 eps",
        )

    def _compute_optimum(self) -> FloatArray | None:
        return None
