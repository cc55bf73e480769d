r"""Extreme eigenvalues of a connected graph's Laplacian at any size: ``lambda_l`` and ``lambda_u``.

``L = D - A`` is symmetric positive semidefinite with the simple eigenvalue 0 (eigenvector
``1``, the graph being connected); ``lambda_l`` is its smallest nonzero eigenvalue and ``lambda_u``
its largest. Up to :data:`DENSE_EIGEN_LIMIT` agents :func:`numpy.linalg.eigvalsh` computes both.
Above it each one is computed in at most two stages. When the graph is *thin*, i.e. its Laplacian
in reverse Cuthill-McKee order has an envelope (the entries between each row's first nonzero and
its diagonal, which hold every fill-in of an LU factorisation in that order) of at most
:data:`THIN_ENVELOPE` entries per agent, stage 2 is used directly: a factorisation is then certainly
cheap. Otherwise stage 1 runs first and stage 2 only if it does not converge:

1. **Krylov** (implicitly restarted Lanczos, ARPACK) on a sparse operator, at most
   :data:`KRYLOV_BUDGET` matrix-vector products. ``lambda_u``: the largest eigenvalue of ``L``.
   ``lambda_l``: the smallest eigenvalue of ``L + U 1 1^T / N`` (``U = 2 d_max >= lambda_u``,
   Gershgorin), which moves the eigenvalue 0 of ``1`` to ``U`` and leaves the others in place.
   The number of products grows like ``sqrt(lambda_u / lambda_l)`` (well-connected graphs: expanders,
   random geometric and Erdos-Renyi graphs converge here).
2. **Inversion.** On long paths and rings the ends of the spectrum are clustered
   (``lambda_2 ~ pi^2 / N^2``) and stage 1 stalls; the ends are then made dominant by inversion,
   using one sparse LU factorisation (SuperLU; in reverse Cuthill-McKee order for thin graphs,
   minimum-degree ordering of ``A + A^T`` otherwise) and Lanczos on the inverse, whose relative
   gaps are large (``lambda_3 / lambda_2 = 4`` on a path):

   * ``lambda_l = 1 / mu_max(L^+)`` on ``1^perp``. ``L^+ b`` (``b`` orthogonal to ``1``) is applied
     through the *grounded* Laplacian ``L_0`` (row and column of agent 0 removed; positive
     definite for a connected graph): ``x = [0; L_0^{-1} b_{1:}]``, then ``L^+ b = x - mean(x) 1``.
   * ``lambda_u = U + eps - 1 / mu_max((U + eps) I - L)^{-1}``: the smallest eigenvalue of the
     positive semidefinite ``U I - L`` is ``U - lambda_u`` (``eps = 1e-10 U`` keeps the matrix
     invertible when ``lambda_u = U``, e.g. on an even ring).

The stages stop at ARPACK's relative residual tolerances :data:`KRYLOV_TOLERANCE` and
:data:`TOLERANCE`; the values agree with dense eigenvalues and with the closed forms of paths and
rings to about ``1e-9`` relative (``tests/test_spectrum.py``). Long work reports its stage and
matrix-vector products with ``progress=True``. Times on 2 cores (``benchmarks/bench_spectrum.py``):
under a second for paths and rings of ``10^5`` agents, about a minute for a random geometric graph
of ``10^5`` agents (2.3 million edges), whose construction by networkx takes as long.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import NDArray
from scipy.sparse.csgraph import reverse_cuthill_mckee

from .errors import InvalidParameterError
from .progress import ProgressBar

#: Up to this many agents the spectrum is computed densely.
DENSE_EIGEN_LIMIT = 400
#: Matrix-vector products allowed to the Krylov stage before inversion takes over.
KRYLOV_BUDGET = 5000
#: ARPACK's relative tolerance on the Ritz residuals ``r`` of the Krylov stage; the eigenvalue error
#: is about ``r^2 / gap`` (the two extreme eigenvalues are computed, so a close pair is no gap)
KRYLOV_TOLERANCE = 1e-8
#: the same for the Lanczos iteration on an inverse
TOLERANCE = 1e-11
#: Envelope entries per agent (reverse Cuthill-McKee order) below which a graph counts as thin.
THIN_ENVELOPE = 64

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class _BudgetSpent(Exception):
    """Raised from inside a matrix-vector product when the Krylov budget is used up."""


def _start_vector(n: int) -> FloatArray:
    """A fixed start vector with components on every eigenvector (a seeded Gaussian draw)."""
    return np.random.default_rng(20250123).standard_normal(n)


def _counted(
    n: int, apply: Callable[[FloatArray], FloatArray], bar: ProgressBar, what: str, budget: int | None
) -> spla.LinearOperator:
    """``apply`` as a LinearOperator that reports its products on ``bar`` and enforces ``budget``."""
    count = 0

    def matvec(v: FloatArray) -> FloatArray:
        nonlocal count
        count += 1
        if budget is not None and count > budget:
            raise _BudgetSpent
        bar.update(0, note=f"{what}: {count} products")
        return apply(np.asarray(v, dtype=np.float64).ravel())

    return spla.LinearOperator((n, n), matvec=matvec, dtype=np.float64)


def _krylov(operator: spla.LinearOperator, which: str) -> float | None:
    """The extreme eigenvalue ``which`` ("LA"/"SA") of ``operator``, or None if the budget ran out."""
    n = operator.shape[0]
    try:
        values = spla.eigsh(operator, k=2, which=which, v0=_start_vector(n), tol=KRYLOV_TOLERANCE,
                            ncv=min(n - 1, 48), maxiter=10 * KRYLOV_BUDGET,
                            return_eigenvectors=False)
    except (_BudgetSpent, spla.ArpackNoConvergence):
        return None
    return float(values.max() if which == "LA" else values.min())


def thin_ordering(lap: sp.csr_matrix) -> IntArray | None:
    """The reverse Cuthill-McKee order of ``lap`` if its envelope is at most ``THIN_ENVELOPE N``."""
    n = lap.shape[0]
    order = np.asarray(reverse_cuthill_mckee(lap, symmetric_mode=True), dtype=np.int64)
    permuted = sp.csr_matrix(lap[order][:, order])
    rows = np.repeat(np.arange(n), np.diff(permuted.indptr))
    first = np.full(n, n, dtype=np.int64)
    np.minimum.at(first, rows, permuted.indices)
    envelope = int(np.sum(np.arange(n) - np.minimum(first, np.arange(n))))
    return order if envelope <= THIN_ENVELOPE * n else None


def _factorised(matrix: sp.spmatrix, order: IntArray | None) -> Callable[[FloatArray], FloatArray]:
    """A solver for ``matrix x = b`` (sparse LU; ``order`` is a symmetric ordering or None for
    minimum degree). No pivoting: ``matrix`` is positive definite."""
    options = {"SymmetricMode": True}
    if order is None:
        lu = spla.splu(sp.csc_matrix(matrix), permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                       options=options)
        return lambda b: np.asarray(lu.solve(b), dtype=np.float64)
    permuted = sp.csc_matrix(sp.csr_matrix(matrix)[order][:, order])
    lu = spla.splu(permuted, permc_spec="NATURAL", diag_pivot_thresh=0.0, options=options)
    inverse = np.argsort(order)
    return lambda b: np.asarray(lu.solve(b[order]), dtype=np.float64)[inverse]


def _largest_of_inverse(n: int, apply_inverse: Callable[[FloatArray], FloatArray], bar: ProgressBar,
                        what: str, start: FloatArray) -> float:
    """``mu_max`` of a positive definite inverse operator, by Lanczos (no budget: it converges fast)."""
    operator = _counted(n, apply_inverse, bar, what, None)
    try:
        values = spla.eigsh(operator, k=2, which="LA", v0=start, tol=TOLERANCE, ncv=min(n - 1, 20),
                            maxiter=100 * n, return_eigenvectors=False)
    except spla.ArpackNoConvergence as error:  # pragma: no cover - not seen on any graph tried
        raise InvalidParameterError(
            f"{what}: Lanczos on the inverse did not converge ({error}); use method='dense'"
        ) from None
    return float(values.max())


def smallest_nonzero(lap: sp.csr_matrix, upper: float, bar: ProgressBar, order: IntArray | None
                     ) -> tuple[float, str]:
    """``(lambda_l, stage)`` of the Laplacian ``lap`` of a connected graph (module docstring).

    ``order``: the reverse Cuthill-McKee order of a thin graph (stage 2 directly), else None.
    ``stage`` is ``"krylov"`` or ``"inverse"``.
    """
    n = lap.shape[0]
    value = None
    if order is None:
        shifted = _counted(n, lambda v: lap @ v + upper * v.mean(), bar, "lambda_l Krylov",
                           KRYLOV_BUDGET)
        value = _krylov(shifted, "SA")
    bar.update()
    if value is None:
        bar.update(0, note="lambda_l: factorising the grounded Laplacian")
        # ground the last agent of the order: removing the end of an RCM order keeps it an RCM order
        ground = n - 1 if order is None else int(order[-1])
        keep = np.delete(np.arange(n), ground)
        sub_order = None if order is None else np.searchsorted(keep, order[:-1])
        solve = _factorised(lap[keep][:, keep], sub_order)

        def pseudo_inverse(b: FloatArray) -> FloatArray:
            x = np.zeros(n)
            x[keep] = solve(b[keep] - b.mean())
            return x - x.mean()

        start = _start_vector(n)
        mu = _largest_of_inverse(n, pseudo_inverse, bar, "lambda_l inverse", start - start.mean())
        bar.update()
        return 1.0 / mu, "inverse"
    bar.update()
    return value, "krylov"


def largest(lap: sp.csr_matrix, upper: float, bar: ProgressBar, order: IntArray | None
            ) -> tuple[float, str]:
    """``(lambda_u, stage)`` of the Laplacian ``lap`` (module docstring); ``upper >= lambda_u``."""
    n = lap.shape[0]
    value = None
    if order is None:
        value = _krylov(_counted(n, lambda v: lap @ v, bar, "lambda_u Krylov", KRYLOV_BUDGET), "LA")
    bar.update()
    if value is None:
        bar.update(0, note="lambda_u: factorising U I - L")
        top = upper * (1.0 + 1e-10)
        solve = _factorised(sp.identity(n, format="csc") * top - lap, order)
        mu = _largest_of_inverse(n, solve, bar, "lambda_u inverse", _start_vector(n))
        bar.update()
        return top - 1.0 / mu, "inverse"
    bar.update()
    return value, "krylov"


def laplacian_extremes(lap: sp.csr_matrix, max_degree: int, *, method: str = "auto",
                       progress: bool = False) -> tuple[float, float]:
    """``(lambda_l, lambda_u)`` of the Laplacian ``lap`` of a connected graph.

    Parameters
    ----------
    lap : sparse matrix, shape (N, N)
        ``L = D - A`` of a connected graph, ``N >= 2``.
    max_degree : int
        ``d_max``; ``U = 2 d_max`` bounds ``lambda_u`` (Gershgorin).
    method : {"auto", "dense", "sparse"}
        ``"auto"``: dense up to :data:`DENSE_EIGEN_LIMIT` agents, sparse above.
    progress : bool
        Report the sparse stages and their matrix-vector products on stderr.
    """
    if method not in ("auto", "dense", "sparse"):
        raise InvalidParameterError(f"method must be 'auto', 'dense' or 'sparse', got {method!r}")
    n = lap.shape[0]
    if method == "dense" or n <= 3 or (method == "auto" and n <= DENSE_EIGEN_LIMIT):
        eig = np.linalg.eigvalsh(lap.toarray())
        return float(eig[1]), float(eig[-1])
    upper = 2.0 * max(max_degree, 1)
    lap = sp.csr_matrix(lap, dtype=np.float64)
    bar = ProgressBar(4, f"spectrum (N = {n})", enabled=progress)
    try:
        order = thin_ordering(lap)
        low, _ = smallest_nonzero(lap, upper, bar, order)
        high, _ = largest(lap, upper, bar, order)
    finally:
        bar.close()
    return low, high


__all__ = ["DENSE_EIGEN_LIMIT", "KRYLOV_BUDGET", "KRYLOV_TOLERANCE", "TOLERANCE", "laplacian_extremes"]
