"""Statistics for the claim checks: confidence intervals and fits.

Every estimate carries a two-sided Student-t confidence interval at level ``confidence`` (0.95 by
default). The claim checks take their tolerances from these half-widths, never from hand-set
constants.

- :func:`mean_ci`: mean of i.i.d. samples, ``mean +- t_{n-1} s / sqrt(n)``.
- :func:`linear_fit` / :func:`loglog_slope`: ordinary least squares ``y = a + b x``
  (:func:`scipy.stats.linregress`) with Student-t intervals from its standard errors.
- :func:`limit_slope`: the limit of a local log-log slope toward 0 or infinity, with its interval.
- :func:`local_slopes` / :func:`hull`: the range of local log-log slopes over a finite range, and an
  interval widened to cover it (a fitted slope is a limit only where the local slope has settled).
- :func:`tail_floor`: the stationary level of a run from the mean over its tail, with a batch-means
  confidence interval (the tail is cut into ``b`` consecutive batches whose means are treated as
  approximately i.i.d.).
- :func:`geometric_rate`: ``M_k ~ C r^k`` from the regression ``log M_k = log C + k log r``; the rate
  ``r = exp(b)`` with the interval ``exp(b +- t se(b))``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from .._validation import finite_array, integer_at_least, open_unit_float
from ..errors import InvalidParameterError

#: Default confidence level of every interval.
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    """A point estimate with a symmetric confidence interval ``value +- half_width``.

    Attributes
    ----------
    value : float
    half_width : float
        ``t_{dof, (1+confidence)/2} * standard_error`` (``inf`` when ``dof < 1``).
    n : int
        Number of observations it was computed from.
    confidence : float
    """

    value: float
    half_width: float
    n: int
    confidence: float = CONFIDENCE

    @property
    def low(self) -> float:
        """Lower end of the confidence interval."""
        return self.value - self.half_width

    @property
    def high(self) -> float:
        """Upper end of the confidence interval."""
        return self.value + self.half_width

    def contains(self, x: float) -> bool:
        """Whether ``x`` lies in the closed interval."""
        return bool(self.low <= x <= self.high)

    def to_dict(self) -> dict[str, float | int]:
        """JSON-ready view."""
        return {
            "value": self.value,
            "half_width": self.half_width,
            "low": self.low,
            "high": self.high,
            "n": self.n,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class LinearFit:
    """Least-squares line ``y = intercept + slope x`` with confidence intervals on both."""

    slope: Estimate
    intercept: Estimate
    residual_std: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "slope": self.slope.to_dict(),
            "intercept": self.intercept.to_dict(),
            "residual_std": self.residual_std,
        }


def t_quantile(dof: int, confidence: float = CONFIDENCE) -> float:
    """Two-sided Student-t quantile ``t_{dof, (1 + confidence) / 2}`` (``inf`` for ``dof < 1``)."""
    if dof < 1:
        return float("inf")
    return float(stats.t.ppf(0.5 + 0.5 * confidence, dof))


def _confidence(confidence: float) -> float:
    return open_unit_float("confidence", confidence)


def mean_ci(samples: ArrayLike, confidence: float = CONFIDENCE) -> Estimate:
    """Mean with the Student-t interval ``xbar +- t_{n-1} s / sqrt(n)``.

    Parameters
    ----------
    samples : array-like, shape (n,)
        Independent observations (``n >= 1``; with ``n = 1`` the half-width is ``inf``).
    confidence : float
        Level in ``(0, 1)``.
    """
    x = finite_array("samples", samples, ndim=1)
    if x.size < 1:
        raise InvalidParameterError("samples must hold at least one value, got none")
    confidence = _confidence(confidence)
    n = x.size
    if n == 1:
        return Estimate(float(x[0]), float("inf"), 1, confidence)
    se = float(x.std(ddof=1)) / np.sqrt(n)
    return Estimate(float(x.mean()), t_quantile(n - 1, confidence) * se, n, confidence)


def linear_fit(x: ArrayLike, y: ArrayLike, confidence: float = CONFIDENCE) -> LinearFit:
    r"""Ordinary least squares ``y = a + b x`` with Student-t intervals (``n - 2`` degrees of freedom).

    :func:`scipy.stats.linregress` gives ``b``, ``a`` and their standard errors
    ``se(b) = s / sqrt(S_xx)``, ``se(a) = s sqrt(1/n + xbar^2 / S_xx)`` with
    ``s^2 = sum_i (y_i - a - b x_i)^2 / (n - 2)``; the half-widths are ``t_{n-2} se``.

    Needs at least two distinct ``x`` values; with exactly two points the half-widths are ``inf``.
    """
    xs = finite_array("x", x, ndim=1)
    ys = finite_array("y", y, ndim=1)
    if xs.shape != ys.shape:
        raise InvalidParameterError(f"x and y must have the same length, got {xs.size} and {ys.size}")
    confidence = _confidence(confidence)
    n = xs.size
    if n < 2 or np.ptp(xs) <= 0.0:
        raise InvalidParameterError(
            f"x must hold at least two distinct values for a line fit, got {np.unique(xs).size}"
        )
    fit = stats.linregress(xs, ys)
    dof = n - 2
    if dof < 1:
        inf = float("inf")
        return LinearFit(Estimate(float(fit.slope), inf, n, confidence),
                         Estimate(float(fit.intercept), inf, n, confidence), inf)
    t = t_quantile(dof, confidence)
    residuals = ys - fit.intercept - fit.slope * xs
    return LinearFit(
        Estimate(float(fit.slope), t * float(fit.stderr), n, confidence),
        Estimate(float(fit.intercept), t * float(fit.intercept_stderr), n, confidence),
        float(np.sqrt(residuals @ residuals / dof)),
    )


def _positive(name: str, values: ArrayLike) -> np.ndarray:
    arr = finite_array(name, values, ndim=1)
    if np.any(arr <= 0):
        raise InvalidParameterError(
            f"{name} must be > 0 for a logarithmic fit, found {arr[arr <= 0][0]!r}"
        )
    return arr


def loglog_slope(x: ArrayLike, y: ArrayLike, confidence: float = CONFIDENCE) -> LinearFit:
    """Fit ``log y = a + b log x`` (power law ``y = e^a x^b``); ``x``, ``y`` must be positive."""
    return linear_fit(np.log(_positive("x", x)), np.log(_positive("y", y)), confidence)


def local_slopes(x: ArrayLike, y: ArrayLike, pieces: int | None = None) -> tuple[float, float]:
    r"""Smallest and largest local log-log slope of ``y(x)`` (``x`` increasing, both positive).

    The points are cut into ``pieces`` consecutive groups that share their end points (default
    ``len(x) - 1``: every pair of neighbours), and each group's slope is fitted by
    :func:`loglog_slope` (fewer, longer pieces average the noise of a stochastic curve out).

    A slope fitted over a finite range estimates a *limit* (``k -> inf``) only as well as the local
    slope has settled: a decay that is still steepening (geometric decay read too early) or a local
    exponent that dips and recovers (a transient) is known no better than the range of local slopes
    seen. The checks of a limit slope widen their confidence interval to cover this range
    (:func:`hull`), so a slope that is still moving gives INCONCLUSIVE, not a verdict.
    """
    xs, ys = _positive("x", x), _positive("y", y)
    pieces = xs.size - 1 if pieces is None else integer_at_least("pieces", pieces, 1)
    if xs.size < pieces + 1:
        raise InvalidParameterError(f"{pieces} pieces need at least {pieces + 1} points, got {xs.size}")
    ends = np.rint(np.linspace(0, xs.size - 1, pieces + 1)).astype(int)
    slopes = [loglog_slope(xs[a:b + 1], ys[a:b + 1]).slope.value for a, b in pairwise(ends)]
    return float(min(slopes)), float(max(slopes))


def hull(estimate: Estimate, spread: tuple[float, float]) -> tuple[float, float]:
    """The smallest interval holding ``estimate``'s confidence interval and ``spread``."""
    return min(estimate.low, spread[0]), max(estimate.high, spread[1])


@dataclass(frozen=True)
class LimitSlope:
    """Limit of a local log-log slope: the value, its confidence interval from the runs
    (``estimate.half_width``, 0 for exact values) and the size of the extrapolation (``truncation``)."""

    estimate: Estimate
    truncation: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {**self.estimate.to_dict(), "truncation": self.truncation}


def limit_slope(x: ArrayLike, samples: ArrayLike, toward_zero: bool,
                confidence: float = CONFIDENCE) -> LimitSlope:
    r"""Limit of the local log-log slope of ``y(x)`` as ``x -> 0`` (or ``x -> inf``).

    ``samples[p]`` are independent observations of ``y(x_p)`` (one column: exact values). With
    ``l_p = log mean(samples[p])``, the local slopes ``s_1, s_2`` between the three values nearest
    the limit sit at the geometric midpoints ``m_1, m_2``. Toward 0 a smooth ``y`` has
    ``s(m) = s_0 + a m + O(m^2)``, so the limit is extrapolated linearly,

    .. math:: s_0 = s_1 - (s_2 - s_1) \frac{m_1}{m_2 - m_1},

    with the size of the correction ``|s_2 - s_1|`` as its truncation error. Toward infinity the
    extreme slope ``s_1`` is returned, truncation ``|s_1 - s_2|``. With two values only, the one local
    slope and an infinite truncation. ``s_0`` is a linear combination ``sum_p w_p l_p``; its half-width
    is ``t_{S-1} sqrt(sum_p w_p^2 var(l_p))`` with ``var(l_p) = var(samples[p]) / (S mean_p^2)``
    (delta method; ``S`` observations per value).
    """
    xs = _positive("x", x)
    ys = np.asarray(samples, dtype=np.float64)
    if ys.ndim == 1:
        ys = ys[:, None]
    if ys.shape[0] != xs.size or xs.size < 2:
        raise InvalidParameterError(
            f"samples must hold one row per x (at least two), got {ys.shape} for {xs.size} values")
    confidence = _confidence(confidence)
    order = np.argsort(xs) if toward_zero else np.argsort(xs)[::-1]
    xs, ys = xs[order], ys[order]
    means = _positive("mean of samples", ys.mean(axis=1))
    lx, ly = np.log(xs[:3]), np.log(means[:3])
    s = ys.shape[1]
    var = (ys[:3].var(axis=1, ddof=1) / s / means[:3] ** 2) if s > 1 else np.zeros(lx.size)
    first = np.zeros(lx.size)
    first[:2] = np.array([-1.0, 1.0]) / (lx[1] - lx[0])
    if lx.size == 2:
        weights, truncation = first, float("inf")
    else:
        second = np.zeros(lx.size)
        second[1:3] = np.array([-1.0, 1.0]) / (lx[2] - lx[1])
        truncation = float(abs((second - first) @ ly))
        if toward_zero:
            m1, m2 = np.exp(0.5 * (lx[0] + lx[1])), np.exp(0.5 * (lx[1] + lx[2]))
            c = m1 / (m2 - m1)
            weights = (1.0 + c) * first - c * second
        else:
            weights = first
    half = t_quantile(s - 1, confidence) * float(np.sqrt(weights**2 @ var)) if s > 1 else 0.0
    return LimitSlope(Estimate(float(weights @ ly), half, int(ys[:3].size), confidence), truncation)


def geometric_rate(
    rounds: ArrayLike, values: ArrayLike, confidence: float = CONFIDENCE
) -> tuple[Estimate, LinearFit]:
    r"""Geometric rate of a decaying sequence: ``M_k ~ C r^k``.

    Fits ``log M_k = log C + k log r`` by least squares and returns ``r = exp(b)`` with the interval
    ``[exp(b - t se(b)), exp(b + t se(b))]`` (reported as ``Estimate(r, half_width)`` with
    ``half_width = max(r - low, high - r)``, the conservative symmetric envelope) and the raw fit.
    """
    fit = linear_fit(finite_array("rounds", rounds, ndim=1), np.log(_positive("values", values)),
                     confidence)
    b, hw = fit.slope.value, fit.slope.half_width
    rate = float(np.exp(b))
    half = float(max(rate - np.exp(b - hw), np.exp(b + hw) - rate))
    return Estimate(rate, half, fit.slope.n, confidence), fit


def tail_floor(
    series: ArrayLike,
    tail_fraction: float = 0.5,
    n_batches: int = 10,
    confidence: float = CONFIDENCE,
) -> Estimate:
    r"""Stationary level of one run from its tail, with a batch-means confidence interval.

    The last ``ceil(tail_fraction * n)`` values are cut into ``n_batches`` consecutive batches of
    equal length (the oldest remainder dropped); the batch means ``Y_1..Y_b`` are treated as
    approximately independent, so the floor is ``mean(Y) +- t_{b-1} sd(Y) / sqrt(b)``. Valid when
    a batch is much longer than the correlation time of the series.
    """
    x = finite_array("series", series, ndim=1)
    if not 0.0 < tail_fraction <= 1.0:
        raise InvalidParameterError(f"tail_fraction must lie in (0, 1], got {tail_fraction!r}")
    n_batches = integer_at_least("n_batches", n_batches, 2)
    tail = x[x.size - int(np.ceil(tail_fraction * x.size)):]
    size = tail.size // n_batches
    if size < 1:
        raise InvalidParameterError(
            f"series tail of {tail.size} values is too short for {n_batches} batches"
        )
    batches = tail[tail.size - size * n_batches:].reshape(n_batches, size).mean(axis=1)
    return mean_ci(batches, confidence)
