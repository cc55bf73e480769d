"""The finite-sum problem interface shared by every algorithm.

Agent ``i`` holds ``m_i`` samples and the local cost ``f_i(x) = (1/m_i) sum_h f_{i,h}(x)``; the global
cost is the **sum** ``F(x) = sum_i f_i(x)`` (SPEC section 1). Every method works on all agents at once:
a state ``X`` has shape ``(N, d)``, row ``i`` being agent ``i``'s model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cached_property
from typing import Self

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidProblemError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class SmoothnessConstants:
    """Certified smoothness and strong-convexity constants of a problem.

    Attributes
    ----------
    per_sample : float
        ``L``: every ``f_{i,h}`` is ``L``-smooth (``max_{i,h} L_{i,h}``). This is the ``L`` of the
        theorems (the VR analysis needs it per sample).
    per_agent : ndarray, shape (N,)
        ``L_i``: ``f_i`` is ``L_i``-smooth.
    global_ : float
        ``L_F``: ``F = sum_i f_i`` is ``L_F``-smooth.
    mu_per_agent : ndarray, shape (N,) or None
        ``mu_i``: ``f_i`` is ``mu_i``-strongly convex (``None`` when not known to be convex; 0 when
        convex but not strongly).
    mu_global : float or None
        ``mu_F`` of ``F``.
    how : str
        How the numbers were obtained (closed form, bound, ...).
    """

    per_sample: float
    per_agent: FloatArray
    global_: float
    mu_per_agent: FloatArray | None
    mu_global: float | None
    how: str

    @property
    def mu(self) -> float | None:
        """``min_i mu_i``: the strong-convexity constant every local cost has (or ``None``)."""
        return None if self.mu_per_agent is None else float(self.mu_per_agent.min())

    def as_dict(self) -> dict[str, object]:
        """JSON-ready view."""
        return {
            "L_per_sample": self.per_sample,
            "L_per_agent": self.per_agent.tolist(),
            "L_global": self.global_,
            "mu_per_agent": None if self.mu_per_agent is None else self.mu_per_agent.tolist(),
            "mu_global": self.mu_global,
            "how": self.how,
        }


@dataclass(frozen=True)
class HeldOut:
    """A held-out test set: features ``(n, p)`` (bias included) and labels ``(n,)``."""

    features: FloatArray
    labels: FloatArray


class Problem(ABC):
    """A finite-sum problem distributed over ``N`` agents.

    Subclasses implement the per-sample and full local gradients for all agents at once, the
    local values, the certified smoothness constants (``_compute_smoothness``) and (for convex
    problems) the optimum (``_compute_optimum``); both are computed once and cached. A problem is
    immutable once built.
    Gradient methods must return freshly allocated arrays: the algorithms update them in place.
    """

    #: human-readable name used in reports
    name: str = "problem"

    @property
    @abstractmethod
    def n_agents(self) -> int:
        """``N``."""

    @property
    @abstractmethod
    def dim(self) -> int:
        """``d``, the model dimension."""

    @property
    @abstractmethod
    def n_samples(self) -> IntArray:
        """``m_i`` for every agent, shape ``(N,)``."""

    @property
    def max_samples(self) -> int:
        """``max_i m_i`` (the padded length of per-agent sample arrays)."""
        return int(self.n_samples.max())

    @property
    @abstractmethod
    def is_convex(self) -> bool:
        """Whether every local cost is convex."""

    # ---------------------------------------------------------------- gradients
    @abstractmethod
    def sample_gradients(self, X: FloatArray, idx: IntArray) -> FloatArray:
        """Per-sample gradients ``grad f_{i,h}(x_i)`` for ``h in idx[i]``.

        Parameters
        ----------
        X : ndarray, shape (N, d)
        idx : ndarray of int, shape (N, b)
            ``idx[i]`` are indices into agent ``i``'s samples, ``0 <= idx[i, s] < m_i``.

        Returns
        -------
        ndarray, shape (N, b, d)
        """

    @abstractmethod
    def local_gradients(self, X: FloatArray) -> FloatArray:
        """Full local gradients ``grad f_i(x_i)``, shape ``(N, d)``."""

    @abstractmethod
    def local_values(self, X: FloatArray) -> FloatArray:
        """Local costs ``f_i(x_i)``, shape ``(N,)``."""

    def mean_sample_gradients(self, X: FloatArray, idx: IntArray) -> FloatArray:
        """The minibatch gradients ``(1/b) sum_s grad f_{i,idx[i,s]}(x_i)``, shape ``(N, d)``.

        Same values as ``sample_gradients(X, idx).mean(axis=1)`` (up to rounding); subclasses may
        override it with a path that does not materialise the ``(N, b, d)`` per-sample gradients.
        """
        return self.sample_gradients(X, idx).mean(axis=1)

    def all_sample_gradients(self, X: FloatArray) -> FloatArray:
        """``grad f_{i,h}(x_i)`` for every sample, shape ``(N, max_i m_i, d)``.

        Rows ``h >= m_i`` are padding and are zero.
        """
        m = self.n_samples
        idx = np.broadcast_to(np.arange(self.max_samples), (self.n_agents, self.max_samples))
        valid = idx < m[:, None]
        grads = self.sample_gradients(X, np.where(valid, idx, 0))
        return np.where(valid[:, :, None], grads, 0.0)

    # ---------------------------------------------------------------- global cost
    def _tile(self, x: FloatArray) -> FloatArray:
        x = np.asarray(x, dtype=np.float64)
        if x.shape != (self.dim,):
            raise InvalidProblemError(f"x must have shape ({self.dim},), got {x.shape}")
        return np.broadcast_to(x, (self.n_agents, self.dim))

    def objective(self, x: FloatArray) -> float:
        """``F(x) = sum_i f_i(x)``."""
        return float(self.local_values(self._tile(x)).sum())

    def gradient(self, x: FloatArray) -> FloatArray:
        """``grad F(x) = sum_i grad f_i(x)``, shape ``(d,)``."""
        return self.local_gradients(self._tile(x)).sum(axis=0)

    # ---------------------------------------------------------------- constants, optimum
    #: values a problem computes once and keeps (a restriction to other agents recomputes them)
    CACHED = ("_smoothness", "_optimum")

    @abstractmethod
    def _compute_smoothness(self) -> SmoothnessConstants:
        """Certified smoothness (and strong-convexity) constants (see :meth:`smoothness`)."""

    @cached_property
    def _smoothness(self) -> SmoothnessConstants:
        return self._compute_smoothness()

    def smoothness(self) -> SmoothnessConstants:
        """Certified smoothness (and strong-convexity) constants, computed once and cached
        (a repeated run or check of the same problem does not recompute them)."""
        return self._smoothness

    @abstractmethod
    def _compute_optimum(self) -> FloatArray | None:
        """The minimiser of ``F``, or ``None`` when none is known."""

    @cached_property
    def _optimum(self) -> FloatArray | None:
        return self._compute_optimum()

    def optimum(self) -> FloatArray | None:
        """A reference minimiser ``x*`` of ``F`` (cached); ``None`` when none is known.

        Quadratics give it in closed form; strongly convex problems by a high-accuracy centralised
        solve; nonconvex problems return ``None``.
        """
        return self._optimum

    def optimal_value(self) -> float | None:
        """``F* = F(x*)`` or ``None``."""
        x_star = self.optimum()
        return None if x_star is None else self.objective(x_star)

    @abstractmethod
    def restrict(self, agents: IntArray) -> Self:
        """The same problem seen by a subset of agents (their data only), in the given order."""

    def describe(self) -> dict[str, object]:
        """Summary for reports and JSON."""
        return {
            "name": self.name,
            "n_agents": self.n_agents,
            "dim": self.dim,
            "n_samples": self.n_samples.tolist(),
            "convex": self.is_convex,
            "smoothness": self.smoothness().as_dict(),
        }


def check_state(problem: Problem, X: FloatArray, name: str = "X") -> FloatArray:
    """Validate a ``(N, d)`` state for ``problem``."""
    X = np.asarray(X, dtype=np.float64)
    if X.shape != (problem.n_agents, problem.dim):
        raise InvalidProblemError(
            f"{name} must have shape (n_agents, dim) = ({problem.n_agents}, {problem.dim}), "
            f"got {X.shape}"
        )
    return X
