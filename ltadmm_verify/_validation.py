"""Boundary checks with messages that name the argument, the value and what was expected."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import InvalidParameterError, InvalidProblemError


def _sign_checked_float(name: str, value: Any, strict: bool) -> float:
    """``value`` as a float, raising unless it is finite and ``> 0`` (``strict``) or ``>= 0``."""
    noun, relation = ("a positive number", "> 0") if strict else ("a number >= 0", ">= 0")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"{name} must be {noun}, got {value!r} of type {type(value).__name__}"
        ) from None
    if not np.isfinite(out) or out < 0 or (strict and out == 0):
        raise InvalidParameterError(f"{name} must be a finite number {relation}, got {value!r}")
    return out


def positive_float(name: str, value: Any) -> float:
    """Return ``value`` as a float, raising unless it is finite and > 0."""
    return _sign_checked_float(name, value, strict=True)


def nonnegative_float(name: str, value: Any) -> float:
    """Return ``value`` as a float, raising unless it is finite and >= 0."""
    return _sign_checked_float(name, value, strict=False)


def open_unit_float(name: str, value: Any) -> float:
    """Return ``value`` as a float in the open interval (0, 1)."""
    out = positive_float(name, value)
    if out >= 1:
        raise InvalidParameterError(f"{name} must lie in the open interval (0, 1), got {value!r}")
    return out


def integer_at_least(name: str, value: Any, minimum: int) -> int:
    """Return ``value`` as an int, raising unless it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InvalidParameterError(
            f"{name} must be an integer >= {minimum}, got {value!r} of type {type(value).__name__}"
        )
    if value < minimum:
        raise InvalidParameterError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def choice(name: str, value: Any, allowed: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``allowed``."""
    if value not in allowed:
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
