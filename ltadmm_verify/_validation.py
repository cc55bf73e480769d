"""Boundary checks with messages that name the argument, the value and what was expected.

Rules every number entering the toolkit obeys (API, command line, report configuration):

* a real parameter is a real number (``int``, ``float`` or a numpy scalar; not a string, not a
  boolean), finite, and of magnitude at most :data:`MAX_MAGNITUDE` (``1e15``). No step size,
  penalty, noise level or constant of this toolkit means anything beyond that, and the cap keeps
  products of a few parameters and their squares far from floating-point overflow (``1.8e308``);
* a count is an ``int`` (or numpy integer; not a boolean, not a float such as ``5.0``) in its range;
  :data:`MAX_COUNT` (``2**62``) bounds every count that has no tighter limit of its own.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import InvalidParameterError, InvalidProblemError

#: largest magnitude accepted for a real parameter (see the module docstring)
MAX_MAGNITUDE = 1e15
#: largest integer accepted where no tighter limit applies
MAX_COUNT = 2**62


def real_number(name: str, value: Any, *, maximum: float = MAX_MAGNITUDE) -> float:
    """Return ``value`` as a float, raising unless it is a finite real number with ``|value| <= maximum``.

    Strings (``"0.1"``) and booleans are refused: a number is expected, not something that converts
    to one.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise InvalidParameterError(
            f"{name} must be a real number, got {value!r} of type {type(value).__name__}"
        )
    out = float(value)
    if not np.isfinite(out):
        raise InvalidParameterError(f"{name} must be a finite number, got {value!r}")
    if abs(out) > maximum:
        raise InvalidParameterError(
            f"{name} must have magnitude at most {maximum:g}, got {value!r}"
        )
    return out


def _sign_checked_float(name: str, value: Any, strict: bool) -> float:
    """``value`` as a float, raising unless it is finite and ``> 0`` (``strict``) or ``>= 0``."""
    noun, relation = ("a positive number", "> 0") if strict else ("a number >= 0", ">= 0")
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise InvalidParameterError(
            f"{name} must be {noun}, got {value!r} of type {type(value).__name__}"
        )
    out = float(value)
    if not np.isfinite(out) or out < 0 or (strict and out == 0):
        raise InvalidParameterError(f"{name} must be a finite number {relation}, got {value!r}")
    if out > MAX_MAGNITUDE:
        raise InvalidParameterError(
            f"{name} must be a number {relation} and at most {MAX_MAGNITUDE:g}, got {value!r}"
        )
    return out


def positive_float(name: str, value: Any) -> float:
    """Return ``value`` as a float, raising unless it is a real number in ``(0, MAX_MAGNITUDE]``."""
    return _sign_checked_float(name, value, strict=True)


def nonnegative_float(name: str, value: Any) -> float:
    """Return ``value`` as a float, raising unless it is a real number in ``[0, MAX_MAGNITUDE]``."""
    return _sign_checked_float(name, value, strict=False)


def open_unit_float(name: str, value: Any) -> float:
    """Return ``value`` as a float in the open interval (0, 1)."""
    out = positive_float(name, value)
    if out >= 1:
        raise InvalidParameterError(f"{name} must lie in the open interval (0, 1), got {value!r}")
    return out


def probability(name: str, value: Any, *, zero: bool = True, one: bool = True) -> float:
    """Return ``value`` as a float in ``[0, 1]`` (``zero`` / ``one``: whether the ends are allowed)."""
    out = nonnegative_float(name, value)
    if out > 1 or (out == 0 and not zero) or (out == 1 and not one):
        interval = f"{'[' if zero else '('}0, 1{']' if one else ')'}"
        raise InvalidParameterError(f"{name} must be a probability in {interval}, got {value!r}")
    return out


def integer_at_least(name: str, value: Any, minimum: int, *, maximum: int = MAX_COUNT) -> int:
    """Return ``value`` as an int, raising unless it is an integer in ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InvalidParameterError(
            f"{name} must be an integer >= {minimum}, got {value!r} of type {type(value).__name__}"
        )
    if value < minimum:
        raise InvalidParameterError(f"{name} must be an integer >= {minimum}, got {value}")
    if value > maximum:
        bound = "2**62" if maximum == MAX_COUNT else str(maximum)
        raise InvalidParameterError(f"{name} must be an integer in [{minimum}, {bound}], got {value}")
    return int(value)


def choice(name: str, value: Any, allowed: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``allowed``."""
    if not isinstance(value, str) or value not in allowed:
        raise InvalidParameterError(f"{name} must be one of {list(allowed)}, got {value!r}")
    return str(value)


def finite_array(name: str, value: Any, ndim: int | None = None) -> NDArray[np.float64]:
    """Return ``value`` as a float64 array, raising if it is not numeric, finite or of ``ndim``."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidProblemError(f"{name} must be a numeric array, got {type(value).__name__}") from None
    if ndim is not None and arr.ndim != ndim:
        raise InvalidProblemError(
            f"{name} must be a {ndim}-D array, got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise InvalidProblemError(f"{name} must be finite, found {bad} NaN/inf entries")
    return arr
