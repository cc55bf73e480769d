r"""The rate claim held against the worst case over the class (SPEC 10; claim C1's ``A / (K tau)``).

The paper's headline rate for smooth nonconvex costs is ``Mbar_K <= A / (K tau)`` (exact gradients:
no neighbourhood). :func:`~ltadmm_verify.theory.worst_case` computes, for given parameters, the
largest value ``W(K, tau)`` of the stationarity measure over *every* choice of ``L``-smooth local
costs (normalised as SPEC 10). This module sweeps ``K`` and ``tau``
(:func:`worst_case_table`) and holds the law against the sweep (:func:`check_rate_law`):

- exponents: ``W ~ K^{-a}`` at each ``tau`` and ``W ~ tau^{-b}`` at each ``K``, fitted by
  :func:`~ltadmm_verify.verify.statistics.loglog_slope` (``scipy.stats.linregress``, Student-t
  intervals from its standard errors) on the *tail* of the computed range (the larger half of the
  ``K`` or ``tau`` values, at least :data:`MIN_TAIL` of them), because a law ``A / (K + K_0)`` has
  local exponents below 1 at small ``K`` and the claim is about the growth of ``K tau W``;
- the claim is about the limit, and the local exponent of the worst case need not be monotone
  (``rho = 1``, ``L = 1``, ``tau = 1``, ``gamma = beta``): on the 2-path at ``gamma = 0.1`` it falls
  from 0.96 (``K = 1 -> 2``) to 0.84 (``K = 4 -> 6``) and rises again to 1.07 (``K = 9 -> 10``); on
  the 3-path at ``gamma = 0.192`` it falls from 0.86 to 0.50 (``K = 5``) and is back at 0.98 by
  ``K = 9 -> 10``; ``K W`` peaks near ``K = 9``. Tail fits over ``K <= 6`` read 0.84 and 0.52, FAILs
  the longer range refutes. So the interval of an exponent covers the local exponents between
  consecutive computed points (:func:`~ltadmm_verify.verify.statistics.hull`), and a local exponent
  that moves by more than the margin over the computed range leaves the check INCONCLUSIVE
  (``undecided``): a verdict needs a range over which the exponent has settled;
- the claim ``W <= A / (K tau)`` with ``A`` independent of ``K`` and ``tau`` needs ``a >= 1`` and
  ``b >= 1`` in the limit; each fitted exponent is a check with relation ``>= 1`` and the declared
  equivalence margin :data:`EXPONENT_MARGIN` (the verdict rule of
  :mod:`~ltadmm_verify.verify.verdict`): PASS when the whole interval lies at or above
  ``1 - margin``, FAIL when it lies below, INCONCLUSIVE otherwise. An exponent whose interval lies
  above ``1 + margin`` says the law is *conservative* at the worst case (reported, not a verdict).

What a FAIL means, and what it does not: over the computed (small) range and at the given
``(gamma, beta, rho)``, the worst case decays more slowly than the law; the product ``K tau W``
keeps growing in that direction. The paper's constant ``A`` and its step-size condition are
unknown (a step that must shrink with ``tau`` changes the comparison), so it is a finding pinned to
its parameters, not a refutation of the theorem as stated.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..algorithms.base import Algorithm
from ..network import Network
from ..theory.worst_case import WorstCase, WorstCaseTooLargeError, worst_case
from .result import CheckResult
from .statistics import Estimate, hull, local_slopes, loglog_slope

#: Declared equivalence margin on an exponent (an offset ``A / (K + K_0)`` with ``K_0 ~ K / 10``
#: lowers a local exponent by about this much).
EXPONENT_MARGIN = 0.1
#: Fewest points in a tail fit (two points leave no degrees of freedom for an interval).
MIN_TAIL = 3


@dataclass
class WorstCaseTable:
    """``W(K, tau)``: the worst case over the class for every ``tau`` (rows) and ``K`` (columns).

    ``values`` is ``nan`` where the size limit refused the cell (``refused``) or the solve failed.
    """

    algorithm: str
    parameters: dict[str, Any]
    graph: str
    n_agents: int
    L: float
    mu: float | None
    metric: str
    rounds: list[int]
    taus: list[int]
    values: np.ndarray
    verified: np.ndarray
    accuracy: np.ndarray
    seconds: np.ndarray
    statuses: list[list[str]]
    notes: list[str] = field(default_factory=list)

    @property
    def product(self) -> np.ndarray:
        """``K tau W(K, tau)``: bounded in both directions under the law ``A / (K tau)``."""
        return self.values * np.outer(self.taus, self.rounds)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (``nan`` as ``None``)."""
        def clean(a: np.ndarray) -> list[Any]:
            return [[None if not np.isfinite(v) else float(v) for v in row] for row in a]

        return {
            "algorithm": self.algorithm, "parameters": self.parameters, "graph": self.graph,
            "n_agents": self.n_agents, "L": self.L, "mu": self.mu, "metric": self.metric,
            "rounds": self.rounds, "taus": self.taus, "values": clean(self.values),
            "product": clean(self.product), "verified": self.verified.tolist(),
            "accuracy": clean(self.accuracy), "seconds": clean(self.seconds),
            "statuses": self.statuses, "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WorstCaseTable:
        """Inverse of :meth:`to_dict`."""
        def arr(key: str) -> np.ndarray:
            return np.array([[np.nan if v is None else v for v in row] for row in data[key]],
                            dtype=np.float64)

        return cls(data["algorithm"], data["parameters"], data["graph"], data["n_agents"],
                   data["L"], data["mu"], data["metric"], list(data["rounds"]), list(data["taus"]),
                   arr("values"), np.array(data["verified"], dtype=bool), arr("accuracy"),
                   arr("seconds"), data["statuses"], list(data.get("notes", [])))

    def table(self) -> str:
        """Plain-text table of ``W`` (rows ``tau``, columns ``K``) and of ``K tau W``."""
        head = "tau \\ K " + "".join(f"{k:>10}" for k in self.rounds)
        lines = [f"worst case W(K, tau) of {self.algorithm} on {self.graph} N={self.n_agents}",
                 head]
        for name, data in (("W", self.values), ("K tau W", self.product)):
            if name != "W":
                lines += [f"{name}:", head]
            for tau, row in zip(self.taus, data, strict=True):
                cells = "".join(f"{v:>10.4g}" if np.isfinite(v) else f"{'-':>10}" for v in row)
                lines.append(f"{tau:>7} {cells}")
        return "\n".join(lines)


def worst_case_table(
    algorithm: Algorithm,
    network: Network,
    *,
    rounds: Sequence[int],
    taus: Sequence[int],
    L: float,
    mu: float | None = None,
    metric: str = "min",
    radius: float | None = None,
    graph: str = "",
    on_cell: Callable[[int, int, WorstCase | None], None] | None = None,
) -> WorstCaseTable:
    """:func:`~ltadmm_verify.theory.worst_case` for every ``tau`` in ``taus`` (the algorithm's
    ``tau`` replaced, every other parameter kept) and every ``K`` in ``rounds``.

    Cells beyond the size limit are ``nan`` (noted), the larger ``K`` of that ``tau`` skipped.
    ``on_cell(tau, K, result)`` is called after each cell (``result`` ``None`` when refused).
    """
    rounds, taus = sorted(set(rounds)), sorted(set(taus))
    shape = (len(taus), len(rounds))
    values, accuracy, seconds = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    verified = np.zeros(shape, dtype=bool)
    statuses = [["not computed"] * len(rounds) for _ in taus]
    notes: list[str] = []
    for r, tau in enumerate(taus):
        alg = algorithm.with_values(tau=tau)
        for c, K in enumerate(rounds):
            start = time.perf_counter()
            try:
                res = worst_case(alg, network, rounds=K, L=L, mu=mu, metric=metric, radius=radius)
            except WorstCaseTooLargeError as error:
                statuses[r][c:] = ["refused: size limit"] * (len(rounds) - c)
                notes.append(f"tau={tau}, K>={K}: refused ({error})")
                if on_cell is not None:
                    on_cell(tau, K, None)
                break
            statuses[r][c] = res.status
            seconds[r, c] = time.perf_counter() - start
            if res.value is not None:
                values[r, c] = res.value
                accuracy[r, c] = np.nan if res.accuracy is None else res.accuracy
                verified[r, c] = res.verified
            if on_cell is not None:
                on_cell(tau, K, res)
    params = {k: v for k, v in algorithm.parameters().items() if k != "tau"}
    return WorstCaseTable(type(algorithm).__name__, params, graph, network.n_agents, L, mu, metric,
                          rounds, taus, values, verified, accuracy, seconds, statuses, notes)


@dataclass(frozen=True)
class ExponentFit:
    """``W ~ t^{-exponent}`` along ``direction`` (``"K"`` or ``"tau"``) at a fixed other index."""

    direction: str
    fixed: int
    points: list[int]
    exponent: float
    half_width: float
    full_exponent: float | None
    local_exponents: tuple[float, float] = (float("nan"), float("nan"))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return dict(self.__dict__)


def _tail(xs: list[int], ys: np.ndarray) -> tuple[list[int], np.ndarray] | None:
    ok = [(x, y) for x, y in zip(xs, ys, strict=True) if np.isfinite(y) and y > 0]
    if len(ok) < MIN_TAIL:
        return None
    keep = ok[max(0, min(len(ok) - MIN_TAIL, len(ok) // 2)):]
    return [x for x, _ in keep], np.array([y for _, y in keep])


def exponent_fits(table: WorstCaseTable) -> list[ExponentFit]:
    """Tail exponents in ``K`` at every ``tau`` and in ``tau`` at every ``K`` (module docstring).

    ``full_exponent`` is the fit over every computed point (for comparison).
    """
    out = []
    lines = [("K", tau, table.rounds, table.values[r]) for r, tau in enumerate(table.taus)]
    lines += [("tau", K, table.taus, table.values[:, c]) for c, K in enumerate(table.rounds)]
    for direction, fixed, xs, ys in lines:
        tail = _tail(xs, ys)
        if tail is None:
            continue
        fit = loglog_slope(np.array(tail[0], dtype=float), tail[1])
        finite = [(x, y) for x, y in zip(xs, ys, strict=True) if np.isfinite(y) and y > 0]
        xs_all = np.array([x for x, _ in finite], dtype=float)
        ys_all = np.array([y for _, y in finite])
        full = loglog_slope(xs_all, ys_all).slope.value
        low, high = local_slopes(xs_all, ys_all)
        out.append(ExponentFit(direction, fixed, tail[0], -fit.slope.value, fit.slope.half_width,
                               -full, (-high, -low)))
    return out


def check_rate_law(table: WorstCaseTable) -> list[CheckResult]:
    """One check per fitted tail exponent: the law ``A / (K tau)`` needs it ``>= 1``."""
    results = []
    for fit in exponent_fits(table):
        other = "tau" if fit.direction == "K" else "K"
        statement = (f"worst case over the class decays at least like 1/{fit.direction} "
                     f"({other}={fit.fixed}; law A/(K tau))")
        estimate = Estimate(fit.exponent, fit.half_width, len(fit.points))
        low, high = hull(estimate, fit.local_exponents)
        conservative = low > 1 + EXPONENT_MARGIN
        moved = fit.local_exponents[1] - fit.local_exponents[0]
        undecided = (f"the local exponent moves by {moved:.3g} over {fit.direction} in the computed "
                     f"range (more than the margin {EXPONENT_MARGIN}): its limit cannot be read there"
                     if moved > EXPONENT_MARGIN else "")
        results.append(CheckResult(
            f"C1.worst-{fit.direction}", statement, measured=fit.exponent, bound=1.0, relation=">=",
            half_width=fit.half_width, bounds=(low, high), margin=EXPONENT_MARGIN, undecided=undecided,
            evidence={"instance": f"{table.algorithm} {table.graph} N={table.n_agents} "
                                  f"{other}={fit.fixed}",
                      "points": fit.points, "full_range_exponent": fit.full_exponent,
                      "local_exponents": list(fit.local_exponents),
                      "conservative": conservative, "parameters": table.parameters},
            reason="the law is conservative at the worst case (faster decay)" if conservative else ""))
    return results


def law_summary(results: list[CheckResult]) -> str:
    """``"holds"``, ``"conservative"``, ``"fails"`` or ``"undecided"`` over the checks."""
    from .verdict import Verdict, combine

    if not results:
        return "undecided"
    verdict = combine(r.verdict for r in results)
    if verdict == Verdict.FAIL:
        return "fails"
    if verdict == Verdict.PASS:
        return "conservative" if all(r.evidence["conservative"] for r in results) else "holds"
    return "undecided"


__all__ = [
    "EXPONENT_MARGIN",
    "MIN_TAIL",
    "ExponentFit",
    "WorstCaseTable",
    "check_rate_law",
    "exponent_fits",
    "law_summary",
    "worst_case_table",
]
