"""The algorithm interface: frozen parameter objects with ``initialize`` and ``step``.

An algorithm is a small frozen dataclass of parameters. :meth:`Algorithm.initialize` builds the state
of the agents a backend holds; :meth:`Algorithm.step` performs one communication round on it. The
one run loop (:func:`ltadmm_verify.algorithms.run.run`) drives any algorithm, records metrics outside
it and handles divergence.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from ..backends.base import Backend
from ..problems.base import FloatArray, Problem
from .oracles import GradientOracle, check_batch_size


@dataclass
class State:
    """Per-process algorithm state; ``x`` holds the local agents' models ``(n_local, d)``."""

    x: FloatArray


@dataclass(frozen=True)
class Algorithm(ABC):
    """Base class of every distributed algorithm.

    Subclasses are frozen dataclasses whose fields are the parameters; they validate them in
    ``__post_init__`` and implement :meth:`initialize` and :meth:`step`.
    """

    #: registry name (``"lt-admm"``, ...)
    name: ClassVar[str] = "algorithm"

    @property
    def batch_size_or_none(self) -> int | None:
        """Minibatch size, ``None`` for full local gradients."""
        return getattr(self, "batch_size", None)

    @property
    def sample_with_replacement(self) -> bool:
        """Whether minibatches are drawn with replacement."""
        return bool(getattr(self, "replace", True))

    def validate_for(self, problem: Problem) -> None:
        """Checks that need the problem (e.g. batch size versus ``min_i m_i``)."""
        check_batch_size(self.batch_size_or_none, problem.n_samples)

    @abstractmethod
    def initialize(
        self, x0: FloatArray, problem: Problem, backend: Backend, oracle: GradientOracle
    ) -> State:
        """State at round 0 from the local initial models ``x0`` ``(n_local, d)``."""

    @abstractmethod
    def step(
        self, state: State, k: int, problem: Problem, backend: Backend, oracle: GradientOracle
    ) -> State:
        """One round ``k -> k + 1`` (local training, then communication)."""

    def parameters(self) -> dict[str, Any]:
        """The parameters as a JSON-ready dictionary, with the algorithm's name."""
        return {"algorithm": self.name, **dataclasses.asdict(self)}
