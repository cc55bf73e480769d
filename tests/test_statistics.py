"""Statistics of ltadmm_verify.verify on synthetic data with known answers.

Coverage tests: the number of intervals (out of R independent replicates, fixed seed) that contain
the true value is Binomial(R, 0.95) when the interval is right; it must fall in the central 99.9%
range of that binomial. Exact-recovery tests use noiseless data.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from ltadmm_verify.errors import LTADMMVerifyError
from ltadmm_verify.verify import statistics as vs

REPLICATES = 400


def _coverage_range(n: int = REPLICATES, level: float = 0.95) -> tuple[float, float]:
    return stats.binom.interval(0.999, n, level)


def _assert_coverage(hits: int) -> None:
    low, high = _coverage_range()
    assert low <= hits <= high, f"{hits} of {REPLICATES} 95% intervals covered (expected {low}..{high})"


def test_mean_ci_coverage():
    rng = np.random.default_rng(1)
    hits = sum(vs.mean_ci(rng.normal(3.0, 2.0, size=8)).contains(3.0) for _ in range(REPLICATES))
    _assert_coverage(hits)


def test_mean_ci_values():
    est = vs.mean_ci([1.0, 2.0, 3.0])
    assert est.value == pytest.approx(2.0)
    assert est.half_width == pytest.approx(stats.t.ppf(0.975, 2) * 1.0 / np.sqrt(3))
    assert est.n == 3 and est.low < 2.0 < est.high
    assert vs.mean_ci([5.0]).half_width == np.inf


def test_linear_fit_exact_recovery():
    x = np.linspace(-2, 5, 9)
    fit = vs.linear_fit(x, 0.7 - 1.3 * x)
    assert fit.slope.value == pytest.approx(-1.3, abs=1e-12)
    assert fit.intercept.value == pytest.approx(0.7, abs=1e-12)
    # scipy.stats.linregress derives se(b) from 1 - r^2: rounding leaves ~1e-8 on noiseless data
    assert fit.slope.half_width < 1e-6


def test_linear_fit_slope_and_intercept_coverage():
    rng = np.random.default_rng(2)
    x = np.linspace(0, 1, 12)
    fits = [vs.linear_fit(x, 2.0 + 0.5 * x + rng.normal(0, 0.3, x.size)) for _ in range(REPLICATES)]
    _assert_coverage(sum(f.slope.contains(0.5) for f in fits))
    _assert_coverage(sum(f.intercept.contains(2.0) for f in fits))


def test_loglog_slope_recovers_power_law():
    x = np.geomspace(1e-3, 1.0, 7)
    assert vs.loglog_slope(x, 4.0 * x**1.5).slope.value == pytest.approx(1.5, abs=1e-12)


def test_geometric_rate_exact_and_coverage():
    k = np.arange(40)
    rate, fit = vs.geometric_rate(k, 3.0 * 0.9**k)
    assert rate.value == pytest.approx(0.9, abs=1e-12)
    assert fit.intercept.value == pytest.approx(np.log(3.0), abs=1e-10)
    rng = np.random.default_rng(3)
    hits = 0
    for _ in range(REPLICATES):
        rate, _ = vs.geometric_rate(k, 0.95**k * np.exp(rng.normal(0, 0.2, k.size)))
        hits += rate.contains(0.95)
    # the symmetric envelope contains the exact interval: coverage at least nominal
    assert hits >= _coverage_range()[0]


def test_tail_floor_batch_means_coverage():
    """AR(1) x_t = m + phi (x_{t-1} - m) + e_t: batch means over the tail cover the mean m."""
    rng = np.random.default_rng(4)
    m, phi, n = 2.0, 0.5, 2000
    hits = 0
    for _ in range(REPLICATES // 2):
        e = rng.normal(0, 1, n)
        x = np.empty(n)
        x[0] = m
        for t in range(1, n):
            x[t] = m + phi * (x[t - 1] - m) + e[t]
        hits += vs.tail_floor(x, tail_fraction=1.0, n_batches=10).contains(m)
    low, high = stats.binom.interval(0.999, REPLICATES // 2, 0.95)
    assert low <= hits <= high


def test_tail_floor_uses_only_the_tail():
    series = np.concatenate([np.full(100, 1e6), np.full(100, 3.0)])
    est = vs.tail_floor(series, tail_fraction=0.5, n_batches=5)
    assert est.value == pytest.approx(3.0) and est.half_width == pytest.approx(0.0)


@pytest.mark.parametrize(
    "call",
    [
        lambda: vs.mean_ci([]),
        lambda: vs.mean_ci([1.0, np.nan]),
        lambda: vs.linear_fit([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]),
        lambda: vs.linear_fit([1.0, 2.0], [1.0]),
        lambda: vs.loglog_slope([1.0, -1.0], [1.0, 2.0]),
        lambda: vs.tail_floor([1.0, 2.0, 3.0], n_batches=10),
        lambda: vs.tail_floor([1.0, 2.0, 3.0], tail_fraction=0.0),
        lambda: vs.mean_ci([1.0, 2.0], confidence=1.5),
    ],
)
def test_invalid_input_raises(call):
    with pytest.raises(LTADMMVerifyError):
        call()


def test_limit_slope_exact_and_simulated():
    """Toward 0 the local slope of y = x + x^2 tends to 1; toward infinity to 2."""
    x = np.geomspace(1e-4, 1e-2, 3)
    exact = vs.limit_slope(x, x + x**2, toward_zero=True)
    assert exact.estimate.value == pytest.approx(1.0, abs=1e-5)
    assert exact.estimate.half_width == 0.0
    assert exact.truncation > abs(exact.estimate.value - 1.0)
    big = vs.limit_slope(np.array([10.0, 100.0, 1000.0]), np.array([110.0, 10100.0, 1001000.0]),
                         toward_zero=False)
    assert big.estimate.value == pytest.approx(2.0, abs=1e-2)
    rng = np.random.default_rng(3)
    samples = (x + x**2)[:, None] * np.exp(rng.normal(0.0, 0.05, (3, 8)))
    noisy = vs.limit_slope(x, samples, toward_zero=True)
    assert noisy.estimate.half_width > 0
    assert noisy.estimate.contains(1.0)


def test_local_slopes_of_a_power_law_and_of_a_geometric_decay():
    """A power law has one local slope everywhere; a geometric decay steepens across the range,
    so the interval of its limit slope (the hull) is wide where the decay has not settled."""
    k = np.arange(10.0, 100.0, 10.0)
    low, high = vs.local_slopes(k, k**-0.5)
    assert low == pytest.approx(-0.5) and high == pytest.approx(-0.5)
    low, high = vs.local_slopes(k, 0.99**k, pieces=2)
    assert low < -0.6 and high > -0.4  # local slope k log(0.99): -0.1 at k = 10, -0.9 at k = 90
    fit = vs.Estimate(-0.5, 0.1, 9)
    assert vs.hull(fit, (low, high)) == (low, high)
    assert vs.hull(fit, (-0.5, -0.5)) == (fit.low, fit.high)
