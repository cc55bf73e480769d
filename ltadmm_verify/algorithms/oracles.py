"""Gradient oracles: minibatch sampling, additive Gaussian noise, evaluation counting (SPEC 2.3)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .._validation import nonnegative_float
from ..errors import InvalidParameterError
from ..problems.base import FloatArray, IntArray, Problem
from .randomness import STREAM_BATCH, STREAM_NOISE, normals, uniforms


@dataclass(frozen=True)
class GaussianNoise:
    r"""Additive Gaussian gradient noise with controlled variance.

    ``g_i(x) = grad_estimate_i(x) + xi``, ``xi ~ N(0, (sigma2 / d) I_d)``, so ``E||xi||^2 = sigma2``
    exactly, independently per agent and local step.
    """

    sigma2: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "sigma2", nonnegative_float("sigma2", self.sigma2))


class GradientOracle:
    """Stochastic gradients for the agents a process holds, with exact evaluation counts.

    Parameters
    ----------
    problem : Problem
        The problem restricted to the local agents.
    agents : ndarray of int
        Global indices of the local agents (they key the random numbers).
    batch_size : int or None
        ``|B|``; ``None`` means the full local gradient.
    replace : bool
        Draw minibatch indices with replacement (default) or without.
    noise : GaussianNoise or None
        Additive noise added to every gradient estimate.
    seed : int
        Seed of the run.

    Attributes
    ----------
    evals : int
        Per-sample gradient evaluations made so far by the local agents.
    """

    def __init__(
        self,
        problem: Problem,
        agents: IntArray,
        batch_size: int | None,
        replace: bool,
        noise: GaussianNoise | None,
        seed: int,
    ) -> None:
        self.problem = problem
        self.agents = np.asarray(agents, dtype=np.int64)
        self.batch_size = batch_size
        self.replace = replace
        self.noise = noise
        self.seed = seed
        self.evals = 0
        self._m = problem.n_samples

    def indices(self, k: int, t: int) -> IntArray:
        """Minibatch indices for round ``k``, local step ``t``: shape ``(n_local, |B|)``.

        With replacement: ``h = floor(u m_i)`` for i.i.d. uniforms ``u``. Without: the ``|B|``
        samples with the smallest uniform keys (a uniformly random subset).
        """
        assert self.batch_size is not None
        m_max = self.problem.max_samples
        if self.replace:
            u = uniforms(self.seed, STREAM_BATCH, self.agents, k, t, self.batch_size)
            return np.minimum((u * self._m[:, None]).astype(np.int64), self._m[:, None] - 1)
        keys = uniforms(self.seed, STREAM_BATCH, self.agents, k, t, m_max)
        keys[np.arange(m_max)[None, :] >= self._m[:, None]] = np.inf
        return np.argsort(keys, axis=1, kind="stable")[:, : self.batch_size].astype(np.int64)

    def sample_gradients(self, X: FloatArray, idx: IntArray) -> FloatArray:
        """``grad f_{i,h}(x_i)`` for ``h in idx[i]`` (counted)."""
        self.evals += idx.size
        return self.problem.sample_gradients(X, idx)

    def all_sample_gradients(self, X: FloatArray) -> FloatArray:
        """Every per-sample gradient, padded (counted as ``sum_i m_i``)."""
        self.evals += int(self._m.sum())
        return self.problem.all_sample_gradients(X)

    def full_gradients(self, X: FloatArray) -> FloatArray:
        """``grad f_i(x_i)`` (counted as ``sum_i m_i``)."""
        self.evals += int(self._m.sum())
        return self.problem.local_gradients(X)

    def add_noise(self, g: FloatArray, k: int, t: int) -> FloatArray:
        """``g + xi`` with the configured Gaussian noise (unchanged when there is none)."""
        if self.noise is None or self.noise.sigma2 == 0.0:
            return g
        d = g.shape[1]
        xi = normals(self.seed, STREAM_NOISE, self.agents, k, t, d)
        return g + np.sqrt(self.noise.sigma2 / d) * xi

    def gradient(self, X: FloatArray, k: int, t: int) -> FloatArray:
        r"""The plain stochastic gradient ``g_i(x_i) = (1/|B|) sum_{h in B} grad f_{i,h}(x_i) (+ xi)``.

        ``batch_size=None`` gives the full local gradient ``grad f_i(x_i)`` (plus noise).
        """
        if self.batch_size is None:
            g = self.full_gradients(X)
        else:
            idx = self.indices(k, t)
            self.evals += idx.size
            g = self.problem.mean_sample_gradients(X, idx)
        return self.add_noise(g, k, t)


def check_batch_size(batch_size: int | None, n_samples: NDArray[np.int64]) -> None:
    """Reject a batch larger than the smallest local data set."""
    if batch_size is not None and batch_size > int(n_samples.min()):
        raise InvalidParameterError(
            f"batch_size must be at most the smallest local data set min_i m_i = "
            f"{int(n_samples.min())}, got {batch_size}"
        )
