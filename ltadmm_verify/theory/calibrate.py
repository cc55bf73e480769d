r"""Calibration of a theorem card's unknown constant against measured stability thresholds.

For a step-size condition ``gamma <= c * f(lambda_l, L, tau, ...)`` with unknown ``c``, every instance
``i`` has a threshold ``gamma_i`` above which the iteration diverges. The theorem can only be right if
``c f_i <= gamma_i`` for every ``i``, so the **largest constant every instance admits** is

.. math::  c_{cal} = \min_i c_i, \qquad c_i \text{ solving } \text{bound}(c, \text{values}_i) = \gamma_i .

Thresholds: the exact critical step (:func:`~.exact.critical_step_size`) where the iteration is an
exact affine map (LT-ADMM with exact gradients on a quadratic; LT-ADMM-VR with one sample per agent,
where it coincides with LT-ADMM); otherwise bisection on empirical divergence (the run's ``status``
after a fixed number of rounds), which can only over-estimate the threshold (a slowly diverging
run may not blow up in time): such a calibrated constant is an upper estimate.

**Scaling law.** If the theorem's form is right, ``c_i`` stays bounded away from 0 along any family.
:func:`calibrate` fits ``log c_i = a + s log p_i`` for each parameter ``p`` that varies (``tau``,
``lambda_l``, ...) and flags the law as failing when the fitted constant drifts to 0 in the direction
the family goes (``tau -> inf``, ``lambda_l -> 0``, ...): ``s * direction < -slope_tol``. The fit is
univariate: vary one parameter at a time for a clean reading.

The default constants of the built-in cards were produced by :func:`default_calibrations` and are
stored, with all their evidence, in :mod:`ltadmm_verify.theory._calibration` (regenerate with
``python -m ltadmm_verify.theory.calibrate``).
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from .._io import atomic_write_bytes
from .._validation import choice, integer_at_least, positive_float
from ..algorithms.base import Algorithm
from ..algorithms.ltadmm import LTADMM, LTADMMVR, PENALTIES
from ..algorithms.run import run_loop
from ..errors import InvalidParameterError
from ..network import Network, make_network
from ..problems.base import Problem
from ..problems.quadratic import random_quadratic
from . import cards
from .cards import Constant, Instance, TheoremCard, gamma
from .exact import critical_step_size, is_quadratic

#: Direction in which a family "goes" for each parameter: +1 towards infinity, -1 towards 0.
#: Instance numbers recorded as evidence (with those of the bound); trends are fitted on them.
RECORDED = (cards.tau, cards.lambda_l, cards.L, cards.rho, cards.N, cards.d_max, cards.mu)

#: Direction in which a family "goes" for each parameter: +1 towards infinity, -1 towards 0.
TREND_DIRECTIONS = {"tau": 1.0, "lambda_l": -1.0, "L": 1.0, "N": 1.0, "rho": 1.0, "d_max": 1.0}


@dataclass(frozen=True)
class CalibrationCase:
    """One instance to calibrate on: problem, network and the parameters other than ``gamma``.

    ``beta = beta_ratio * gamma``; ``batch_size`` for the stochastic variants (``None``: full
    gradients; LT-ADMM-VR defaults to 1).
    """

    problem: Problem
    network: Network
    tau: int
    rho: float = 1.0
    beta_ratio: float = 1.0
    penalty: str = "frozen"
    batch_size: int | None = None
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "tau", integer_at_least("tau", self.tau, 1))
        object.__setattr__(self, "rho", positive_float("rho", self.rho))
        object.__setattr__(self, "beta_ratio", positive_float("beta_ratio", self.beta_ratio))
        object.__setattr__(self, "penalty", choice("penalty", self.penalty, PENALTIES))

    def algorithm(self, name: str, step: float) -> LTADMM:
        """The algorithm ``name`` at step size ``gamma = step``."""
        beta = self.beta_ratio * step
        if name == "lt-admm-vr":
            return LTADMMVR(step, beta, self.rho, self.tau, batch_size=self.batch_size or 1,
                            penalty=self.penalty)
        return LTADMM(step, beta, self.rho, self.tau, batch_size=self.batch_size, penalty=self.penalty)


@dataclass(frozen=True)
class CalibrationPoint:
    """Evidence from one instance: its numbers, threshold, how it was found, implied constant."""

    label: str
    values: dict[str, float]
    threshold: float
    method: str
    implied: float


@dataclass(frozen=True)
class ScalingTrend:
    """Log-log fit ``log c_i = a + slope log p_i`` along parameter ``p``; ``flagged``: drifts to 0."""

    parameter: str
    slope: float
    n_points: int
    flagged: bool
    note: str


@dataclass(frozen=True)
class Calibration:
    """The calibrated value of ``constant`` of card ``card_id`` with its evidence."""

    card_id: str
    constant: str
    value: float
    condition: str
    points: tuple[CalibrationPoint, ...]
    trends: tuple[ScalingTrend, ...] = field(default_factory=tuple)

    @property
    def scaling_law_fails(self) -> bool:
        """Whether some fitted trend drifts to 0 (the card's form looks wrong)."""
        return any(t.flagged for t in self.trends)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready evidence (this is what a ``"calibrated"`` constant stores)."""
        return {
            "card": self.card_id, "constant": self.constant, "value": self.value,
            "condition": self.condition,
            "points": [dataclasses.asdict(p) for p in self.points],
            "trends": [dataclasses.asdict(t) for t in self.trends],
            "ranges": self.ranges(),
        }

    def ranges(self) -> dict[str, list[float]]:
        """``[min, max]`` of every recorded parameter over the instances (where the value is evidence)."""
        keys = sorted({k for p in self.points for k in p.values})
        return {k: [min(p.values[k] for p in self.points if k in p.values),
                    max(p.values[k] for p in self.points if k in p.values)] for k in keys}

    def apply(self, card: TheoremCard) -> TheoremCard:
        """``card`` with the constant set to the calibrated value (provenance ``"calibrated"``)."""
        return card.with_constant(self.constant, self.value, "calibrated", self.as_dict())

    def describe(self) -> str:
        """One paragraph: value, instances, worst instance, trends."""
        worst = min(self.points, key=lambda p: p.implied)
        lines = [f"{self.card_id}: {self.constant} = {self.value:.6g} (largest value every one of "
                 f"{len(self.points)} instances admits; binding instance {worst.label!r})"]
        lines += [f"  trend along {t.parameter}: slope {t.slope:+.3f} over {t.n_points} points"
                  f"{'  FLAGGED: ' + t.note if t.flagged else ''}" for t in self.trends]
        return "\n".join(lines)


def empirical_critical_step(
    algorithm: Algorithm,
    problem: Problem,
    network: Network,
    *,
    rounds: int,
    rtol: float,
    x0: Any = None,
    divergence_factor: float = 1e3,
    max_step: float = 1e12,
) -> float:
    r"""Largest ``gamma`` (``beta / gamma`` fixed) whose run does not diverge within ``rounds`` rounds.

    Starting from the algorithm's step (``algorithm.step_size``), the step is halved while the run
    diverges and doubled while it does not, giving ``low < high`` with ``low`` stable and ``high``
    divergent; then geometric bisection ``mid = sqrt(low high)`` until ``high / low <= 1 + rtol``.
    Returns ``low``. Each run is :func:`~ltadmm_verify.algorithms.run.run_loop` with seed 0, no noise,
    initial models ``x0`` and ``divergence_factor``; "diverges" is its ``status == "diverged"``.
    Any :class:`Algorithm` with declared step parameters works
    (:meth:`~ltadmm_verify.algorithms.Algorithm.with_step`).

    A slowly diverging run may not blow up in time, so this is an upper estimate of the threshold.

    Raises
    ------
    InvalidParameterError
        If the run diverges for every step down to ``1e-12`` or for none up to ``max_step``.
    """

    def diverges(step: float) -> bool:
        result = run_loop(algorithm.with_step(step), problem, network, rounds, x0=x0,
                     record_every=rounds, divergence_factor=divergence_factor)
        return result.status == "diverged"

    low = algorithm.step_size
    while diverges(low):
        low /= 2
        if low < 1e-12:
            raise InvalidParameterError("the iteration diverges for every step size tried (>= 1e-12)")
    high = 2 * low
    while not diverges(high):
        low, high = high, 2 * high
        if high > max_step:
            raise InvalidParameterError(f"no divergence for any step size up to {max_step:g}")
    while high / low > 1 + rtol:
        mid = float(np.sqrt(low * high))
        low, high = (mid, high) if not diverges(mid) else (low, mid)
    return low


def _threshold(case: CalibrationCase, algorithm: str, method: str, rounds: int,
               rtol: float) -> tuple[float, str]:
    exact_map = is_quadratic(case.problem) and case.problem.optimum() is not None and (
        (algorithm == "lt-admm" and case.batch_size is None) or int(case.problem.max_samples) == 1
    )
    if method == "exact" and not exact_map:
        raise InvalidParameterError(
            f"case {case.label!r}: method='exact' needs a quadratic problem with exact gradients"
        )
    smooth = case.problem.smoothness().per_sample
    if exact_map and method != "empirical":
        start = 1.0 / (case.tau * (smooth + case.rho * case.network.max_degree
                                   * max(case.beta_ratio, 1.0)))
        crit = critical_step_size(case.algorithm("lt-admm", start), case.problem, case.network)
        return crit, "exact critical step"
    start = 1.0 / (case.tau * (smooth + case.rho * case.network.max_degree))
    try:
        low = empirical_critical_step(case.algorithm(algorithm, start), case.problem, case.network,
                                      rounds=rounds, rtol=rtol)
    except InvalidParameterError as error:
        raise InvalidParameterError(f"case {case.label!r}: {error}") from error
    return low, f"empirical: no divergence in {rounds} rounds (rtol {rtol:g})"


def _trend(points: Sequence[CalibrationPoint], parameter: str, slope_tol: float) -> ScalingTrend | None:
    pairs = [(p.values[parameter], p.implied) for p in points if parameter in p.values]
    xs = np.log([x for x, _ in pairs])
    if len(pairs) < 3 or np.ptp(xs) < 1e-9:
        return None
    ys = np.log([y for _, y in pairs])
    slope = float(np.polyfit(xs, ys, 1)[0])
    direction = TREND_DIRECTIONS.get(parameter, 1.0)
    towards = "infinity" if direction > 0 else "0"
    flagged = slope * direction < -slope_tol
    note = (f"the admissible constant falls like {parameter}^{slope:+.2f} as {parameter} -> {towards}: "
            "it drifts to 0, so the card's scaling in this parameter is too optimistic") if flagged else ""
    return ScalingTrend(parameter, slope, len(pairs), flagged, note)


def calibrate(
    card: TheoremCard,
    instances: Sequence[CalibrationCase],
    *,
    constant: str | None = None,
    algorithm: str | None = None,
    trend_parameters: Sequence[str] = ("tau", "lambda_l", "L", "rho"),
    slope_tol: float = 0.25,
    method: str = "auto",
    rounds: int = 400,
    rtol: float = 1e-2,
) -> Calibration:
    """Largest value of ``constant`` that every instance admits, with its evidence and trends.

    Parameters
    ----------
    card : TheoremCard
        A card with a condition ``gamma <= bound`` containing ``constant``.
    instances : sequence of CalibrationCase
    constant : str, optional
        Defaults to the card's only constant appearing in a step-size condition.
    algorithm : str, optional
        Defaults to the card's first algorithm.
    trend_parameters : sequence of str
        Parameters along which the log-log trend of the implied constant is fitted.
    slope_tol : float
        A trend is flagged when ``slope * direction < -slope_tol`` (see :data:`TREND_DIRECTIONS`).
    method : {"auto", "exact", "empirical"}
        Threshold of each instance: ``"auto"`` uses the exact critical step where the round map is
        exact and the empirical bisection elsewhere.
    rounds, rtol : int, float
        Horizon and relative accuracy of the empirical bisection.

    Returns
    -------
    Calibration
    """
    if not instances:
        raise InvalidParameterError("instances must contain at least one CalibrationCase")
    method = choice("method", method, ("auto", "exact", "empirical"))
    rounds = integer_at_least("rounds", rounds, 1)
    rtol = positive_float("rtol", rtol)
    algorithm = algorithm or card.algorithms[0]
    candidates = [(c, cond) for cond in card.conditions for c in card.constants
                  if c.symbol in cond.relation.free_symbols and gamma in cond.relation.free_symbols
                  and (constant is None or c.name == constant)]
    if len(candidates) != 1:
        raise InvalidParameterError(
            f"card {card.id}: need exactly one step-size condition with an unknown constant "
            f"(constant={constant!r}), found {[(c.name, cond.name) for c, cond in candidates]}"
        )
    const, cond = candidates[0]
    points = []
    for i, case in enumerate(instances):
        label = case.label or f"instance {i}"
        threshold, how = _threshold(case, algorithm, method, rounds, rtol)
        values = Instance(case.problem, case.network, case.algorithm(algorithm, threshold)).values()
        bound = cond.gamma_bound(case.beta_ratio)
        assert bound is not None
        others = {s: v for s, v in values.items() if s != gamma}
        roots = [r for r in sp.solve(sp.Eq(bound.subs(others), threshold), const.symbol)
                 if r.is_positive]
        if len(roots) != 1:
            raise InvalidParameterError(
                f"card {card.id}: cannot solve {cond.name} for {const.name} at {label!r}: {roots}"
            )
        kept = (bound.free_symbols - {const.symbol}) | set(RECORDED)
        recorded = {s.name: v for s, v in others.items() if s in kept}
        recorded.update(beta_ratio=case.beta_ratio, penalty_inner=float(case.penalty == "inner"))
        points.append(CalibrationPoint(label, recorded, float(threshold), how, float(roots[0])))
    trends = tuple(t for p in trend_parameters if (t := _trend(points, p, slope_tol)) is not None)
    return Calibration(card.id, const.name, min(p.implied for p in points), cond.name,
                       tuple(points), trends)


def as_constant(calibration: Calibration, card: TheoremCard) -> Constant:
    """The card's constant with the calibrated value and evidence."""
    return calibration.apply(card).constant(calibration.constant)


# --------------------------------------------------------------------------- defaults
DEFAULT_GRAPHS = ("ring", "path", "star", "grid", "erdos-renyi")


def default_cases() -> list[CalibrationCase]:
    """The documented family behind the built-in calibrated constants.

    Random quadratics (``random_quadratic(N, 2, mu=0.5, L=2, seed=N)``) on ring, path, star, grid and
    Erdos-Renyi graphs with ``N in {4, 8}``, ``tau in {1, 2, 5, 10}``, ``rho in {0.5, 1, 2}``,
    ``beta = gamma``, frozen penalty, exact gradients.
    """
    cases = []
    for n in (4, 8):
        problem = random_quadratic(n, 2, seed=n)
        for graph in DEFAULT_GRAPHS:
            network = make_network(graph, n, seed=0)
            for tau in (1, 2, 5, 10):
                for rho in (0.5, 1.0, 2.0):
                    cases.append(CalibrationCase(problem, network, tau, rho,
                                                 label=f"quadratic N={n} {graph} tau={tau} rho={rho}"))
    return cases


def default_calibrations() -> dict[str, Calibration]:
    """Calibrate ``c_gamma`` (card C3) and ``c_vr`` (card C3-VR) on :func:`default_cases`."""
    from .cards import C3, C3_VR

    cases = default_cases()
    return {"c_gamma": calibrate(C3, cases), "c_vr": calibrate(C3_VR, cases)}


def write_defaults(path: str | Path | None = None) -> Path:
    """Regenerate :mod:`ltadmm_verify.theory._calibration` (the stored evidence)."""
    target = Path(path) if path is not None else Path(__file__).with_name("_calibration.py")
    lines = ["CALIBRATIONS: dict[str, dict[str, Any]] = {"]
    for name, cal in default_calibrations().items():
        lines.append(f"    {name!r}: {{")
        for key, value in cal.as_dict().items():
            if isinstance(value, list):
                lines += [f"        {key!r}: [", *(f"            {item!r}," for item in value), "        ],"]
            else:
                lines.append(f"        {key!r}: {value!r},")
        lines.append("    },")
    lines.append("}")
    text = (
        "# ruff: noqa: E501\n"
        '"""Stored evidence of the built-in calibrated constants (generated, do not edit).\n\n'
        "Regenerate with ``python -m ltadmm_verify.theory.calibrate``; produced by\n"
        ":func:`ltadmm_verify.theory.calibrate.default_calibrations` on\n"
        ':func:`ltadmm_verify.theory.calibrate.default_cases`.\n"""\n\n'
        "from typing import Any\n\n" + "\n".join(lines) + "\n"
    )
    return atomic_write_bytes(target, text.encode())


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    written = write_defaults(sys.argv[1] if len(sys.argv) > 1 else None)
    print(f"wrote {written}")
