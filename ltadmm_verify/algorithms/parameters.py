"""Algorithm parameters declared as data: how each is validated, which are step sizes, tuning ranges.

Every :class:`~ltadmm_verify.algorithms.base.Algorithm` subclass declares, beside its fields,

- ``parameter_constraints``: one :class:`Constraint` per field (scikit-learn's
  ``_parameter_constraints`` idea); the base class validates and normalises every field with it when
  the object is built, so a subclass writes no validation code;
- ``step_parameters``: the step sizes that scale together when the step is changed
  (:meth:`~ltadmm_verify.algorithms.base.Algorithm.with_step`); the first one names the step
  (``gamma``, or ``eta_c`` for K-GT);
- ``tuning_ranges``: the :class:`Range` of every parameter a fair comparison tunes (SPEC 9). A key
  ``"a/b"`` is the ratio of two fields, set by :meth:`~ltadmm_verify.algorithms.base.Algorithm.with_values`
  as ``a = value * b``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import choice, integer_at_least, nonnegative_float, open_unit_float, positive_float
from ..errors import InvalidParameterError


class Constraint(ABC):
    """What one parameter may be; :meth:`check` returns the normalised value or raises."""

    @abstractmethod
    def check(self, name: str, value: Any) -> Any:
        """``value`` normalised (e.g. to ``float``), or :class:`InvalidParameterError` naming ``name``."""

    @abstractmethod
    def describe(self) -> str:
        """What is expected, in a few words (for help texts)."""


@dataclass(frozen=True)
class Positive(Constraint):
    """A finite number ``> 0``."""

    def check(self, name: str, value: Any) -> float:
        return positive_float(name, value)

    def describe(self) -> str:
        return "a number > 0"


@dataclass(frozen=True)
class NonNegative(Constraint):
    """A finite number ``>= 0``."""

    def check(self, name: str, value: Any) -> float:
        return nonnegative_float(name, value)

    def describe(self) -> str:
        return "a number >= 0"


@dataclass(frozen=True)
class OpenUnit(Constraint):
    """A number in the open interval ``(0, 1)``."""

    def check(self, name: str, value: Any) -> float:
        return open_unit_float(name, value)

    def describe(self) -> str:
        return "a number in (0, 1)"


@dataclass(frozen=True)
class IntegerAtLeast(Constraint):
    """An integer ``>= minimum``."""

    minimum: int

    def check(self, name: str, value: Any) -> int:
        return integer_at_least(name, value, self.minimum)

    def describe(self) -> str:
        return f"an integer >= {self.minimum}"


@dataclass(frozen=True)
class OneOf(Constraint):
    """One of a few strings."""

    choices: tuple[str, ...]

    def check(self, name: str, value: Any) -> str:
        return choice(name, value, self.choices)

    def describe(self) -> str:
        return "one of " + ", ".join(self.choices)


@dataclass(frozen=True)
class Boolean(Constraint):
    """``True`` or ``False`` (not a truthy number or string)."""

    def check(self, name: str, value: Any) -> bool:
        if not isinstance(value, bool | np.bool_):
            raise InvalidParameterError(f"{name} must be True or False, got {value!r}")
        return bool(value)

    def describe(self) -> str:
        return "True or False"


@dataclass(frozen=True)
class OrNone(Constraint):
    """``None`` or a value satisfying ``inner``."""

    inner: Constraint

    def check(self, name: str, value: Any) -> Any:
        return None if value is None else self.inner.check(name, value)

    def describe(self) -> str:
        return f"None or {self.inner.describe()}"


SCALES = ("log", "linear", "integer")


@dataclass(frozen=True)
class Range:
    """The interval a fair comparison searches for one parameter (SPEC 9).

    Attributes
    ----------
    low, high : float
        Ends of the interval, ``low < high`` (``low > 0`` on a log scale).
    scale : {"log", "linear", "integer"}
        How grid points are spread: geometrically, evenly, or as distinct integers (geometric).
    """

    low: float
    high: float
    scale: str = "log"

    def __post_init__(self) -> None:
        choice("scale", self.scale, SCALES)
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise InvalidParameterError(f"a range needs finite low < high, got [{self.low}, {self.high}]")
        if self.scale != "linear" and self.low <= 0:
            raise InvalidParameterError(f"a {self.scale} range needs low > 0, got {self.low}")

    def grid(self, points: int) -> list[float]:
        """``points >= 2`` values from ``low`` to ``high`` (both included) on the range's scale."""
        points = integer_at_least("points", points, 2)
        if self.scale == "linear":
            return [float(v) for v in np.linspace(self.low, self.high, points)]
        values = np.geomspace(self.low, self.high, points)
        if self.scale == "integer":
            return [float(v) for v in sorted({round(float(v)) for v in values})]
        return [float(v) for v in values]

    def contains(self, value: float) -> bool:
        """Whether ``low <= value <= high``."""
        return self.low <= value <= self.high


#: what an algorithm declares (class attributes, see the module docstring)
Constraints = Mapping[str, Constraint]
Ranges = Mapping[str, Range]


def validate_fields(obj: Any, constraints: dict[str, Constraint], fields: Sequence[str]) -> None:
    """Check and normalise every field of the frozen dataclass ``obj`` with its constraint."""
    missing = [name for name in fields if name not in constraints]
    if missing:
        raise TypeError(f"{type(obj).__name__} declares no constraint for the fields {missing}")
    for name in fields:
        object.__setattr__(obj, name, constraints[name].check(name, getattr(obj, name)))


__all__ = [
    "Boolean",
    "Constraint",
    "Constraints",
    "IntegerAtLeast",
    "NonNegative",
    "OneOf",
    "OpenUnit",
    "OrNone",
    "Positive",
    "Range",
    "Ranges",
    "validate_fields",
]
