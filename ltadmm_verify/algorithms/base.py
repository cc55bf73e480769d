"""The algorithm interface: frozen parameter objects with ``initialize`` and ``step``.

An algorithm is a small frozen dataclass of parameters, declared with their constraints, step sizes
and tuning ranges (:mod:`.parameters`). :meth:`Algorithm.initialize` builds the state of the agents a
backend holds; :meth:`Algorithm.step` performs one communication round on it. The one run loop
(:func:`ltadmm_verify.algorithms.run.run_loop`) drives any algorithm, records metrics outside it and
handles divergence.

The primitives a round may use (and nothing else, so that the theory layer can trace the round into a
linear map, SPEC 7): the backend's ``edge_sum``, ``exchange``, ``mix``, ``degrees`` and
``edge_source`` (row indexing of agent values onto edges), the oracle's ``gradient``,
``variance_reduced_gradient``, ``gradient_table`` and ``local_solve``, and linear numpy arithmetic
on ``(rows, d)`` arrays: sums, differences, products with scalars or with per-row columns
``(rows, 1)``, row indexing, copies. No constant may be added to an array, no array may multiply
another array of the state, and a round must not depend on the round index ``k`` other than by
passing it to the oracle.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from ..backends.base import Backend
from ..errors import InvalidParameterError
from ..problems.base import FloatArray, Problem
from .oracles import Oracle, check_batch_size
from .parameters import Constraint, Range, validate_fields


@dataclass
class State:
    """Per-process algorithm state; ``x`` holds the local agents' models ``(n_local, d)``.

    Subclasses add fields: arrays ``(rows, d)`` (one row per local agent or per directed edge leaving
    a local agent) that the round updates linearly, or oracle memories
    (:class:`~ltadmm_verify.algorithms.oracles.OracleMemory`).
    """

    x: FloatArray


@dataclass(frozen=True)
class Algorithm(ABC):
    """Base class of every distributed algorithm.

    Subclasses are frozen dataclasses whose fields are the parameters. They declare
    ``parameter_constraints`` (every field validated and normalised when the object is built),
    ``step_parameters`` and ``tuning_ranges``, and implement :meth:`initialize` and :meth:`step`.
    """

    #: registry name (``"lt-admm"``, ...)
    name: ClassVar[str] = "algorithm"
    #: one constraint per dataclass field
    parameter_constraints: ClassVar[Mapping[str, Constraint]] = {}
    #: step sizes scaled together by :meth:`with_step`; the first names the step
    step_parameters: ClassVar[tuple[str, ...]] = ()
    #: ranges a fair comparison searches (keys are fields, or ratios ``"a/b"`` of two fields)
    tuning_ranges: ClassVar[Mapping[str, Range]] = {}

    def __post_init__(self) -> None:
        validate_fields(self, dict(self.parameter_constraints),
                        [f.name for f in dataclasses.fields(self)])

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

    # ------------------------------------------------------------------ parameters
    @property
    def step_size(self) -> float:
        """The value of the first step parameter (``gamma``, ``eta_c``, ...)."""
        if not self.step_parameters:
            raise InvalidParameterError(f"{type(self).__name__} declares no step size")
        return float(getattr(self, self.step_parameters[0]))

    def with_step(self, step: float) -> Self:
        """A copy whose step parameters are all scaled by ``step / step_size`` (ratios kept).

        ``dataclasses.replace``: subclasses (e.g. a user's variant) are copied as themselves.
        """
        factor = float(step) / self.step_size
        return dataclasses.replace(
            self, **{name: getattr(self, name) * factor for name in self.step_parameters})

    def with_values(self, **values: Any) -> Self:
        """A copy with some parameters changed; a key ``"a/b"`` sets ``a = value * b``.

        Plain fields are set first, then ratios, so ``with_values(gamma=0.1, **{"beta/gamma": 2})``
        gives ``beta = 0.2``.
        """
        fields = {f.name for f in dataclasses.fields(self)}
        plain = {k: v for k, v in values.items() if "/" not in k}
        unknown = sorted(set(plain) - fields)
        if unknown:
            raise InvalidParameterError(
                f"{type(self).__name__} has no parameter {unknown[0]!r}; it has {sorted(fields)}")
        out = dataclasses.replace(self, **plain)
        ratios = {}
        for key, value in values.items():
            if "/" in key:
                num, den = key.split("/", 1)
                if num not in fields or den not in fields:
                    raise InvalidParameterError(
                        f"{key!r} is not a ratio of two parameters of {type(self).__name__}")
                ratios[num] = float(value) * float(getattr(out, den))
        return dataclasses.replace(out, **ratios) if ratios else out

    def parameters(self) -> dict[str, Any]:
        """The parameters as a JSON-ready dictionary, with the algorithm's name."""
        return {"algorithm": self.name, **dataclasses.asdict(self)}

    # ------------------------------------------------------------------ the round
    @abstractmethod
    def initialize(self, x0: FloatArray, problem: Problem, backend: Backend, oracle: Oracle) -> State:
        """State at round 0 from the local initial models ``x0`` ``(n_local, d)``."""

    @abstractmethod
    def step(self, state: State, k: int, problem: Problem, backend: Backend, oracle: Oracle) -> State:
        """One round ``k -> k + 1`` (local training, then communication)."""
