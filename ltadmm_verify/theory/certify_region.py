r"""Certified step-size regions and rate maps (SPEC section 6), against exact analysis and C3's law.

For each number of local steps ``tau`` of an algorithm (its declared step parameters scaled
together, ratios kept; ``gamma`` below is the value of the first one):

- ``gamma_cert(tau)``: the largest ``gamma`` for which a certified rate ``< 1`` exists for *every*
  ``mu``-strongly convex, ``L``-smooth choice of local costs (:func:`.certify.certified_rate`'s LMI
  at ``r = 1``, verified);
- ``gamma_exact(tau)``: the smallest exact critical step over a few quadratics of the class
  (:func:`.comparison.worst_critical_step`); since they are in the class,
  ``gamma_cert <= gamma_exact`` always;
- the constants of C3's scaling law ``gamma <= c lambda_l / (L tau^2)`` these steps imply:
  ``c = gamma L tau^2 / lambda_l``;
- a rate map: the certified rate on a ``(gamma, tau)`` grid.

:func:`report_data` computes all of it on a small documented grid (:data:`REPORT_GRID`) in about a
minute, with a figure, for the report.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import integer_at_least, positive_float
from ..algorithms.base import Algorithm
from ..algorithms.ltadmm import LTADMM
from ..errors import InvalidParameterError
from ..network import Network, make_network
from .certify import CertifiedRate, certified_rate, check_size
from .comparison import worst_critical_step
from .trace import round_map

#: The report's grid (about a minute on 2 cores): the SPEC's 6-ring, mu = 0.5, L = 2, LT-ADMM with
#: rho = 1, beta = gamma, tau in {1, 2, 3}, four gammas per tau, three random quadratics per tau.
REPORT_GRID: dict[str, Any] = {
    "graph": "ring", "n_agents": 6, "mu": 0.5, "L": 2.0, "rho": 1.0, "beta_ratio": 1.0,
    "tau_values": (1, 2, 3), "gamma_fractions": (0.25, 0.5, 0.75, 0.95), "n_quadratics": 3,
}


@dataclass
class RegionRow:
    """One ``tau`` of :class:`CertifiedRegion` (``c_* = gamma_* L tau^2 / lambda_l``)."""

    tau: int
    gamma_cert: float | None
    gamma_exact: float
    c_cert: float | None
    c_exact: float
    ratio: float | None
    statuses: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return dict(self.__dict__)


@dataclass
class CertifiedRegion:
    """Outcome of :func:`certified_region`.

    Attributes
    ----------
    rows : list of RegionRow
        Largest certified and exact critical ``gamma`` per ``tau`` with the scaling-law constants;
        ``ratio = gamma_cert / gamma_exact`` (how conservative the certificate is, ``<= 1``).
    rate_map : list of dict
        ``{"tau", "gamma", "rate", "status", "quadratic_rate"}`` per grid point.
    parameters : dict
    seconds : float
    """

    rows: list[RegionRow]
    rate_map: list[dict[str, Any]]
    parameters: dict[str, Any]
    seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def law_constant(self) -> float | None:
        """``min_tau c_cert(tau)``: the largest ``c`` such that every step allowed by C3's law
        ``gamma <= c lambda_l / (L tau^2)`` at the computed ``tau`` is certified (``None`` if some
        ``tau`` has no certified step). Provenance: certified on this graph and class only."""
        values = [r.c_cert for r in self.rows]
        return None if any(v is None for v in values) else min(v for v in values if v is not None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {"rows": [r.to_dict() for r in self.rows], "rate_map": self.rate_map,
                "law_constant": self.law_constant, "parameters": self.parameters,
                "seconds": self.seconds, "notes": self.notes}

    def table(self) -> str:
        """The per-``tau`` comparison as a fixed-width text table."""
        head = (f"{'tau':>4} {'gamma_cert':>11} {'gamma_exact':>11} {'cert/exact':>10} "
                f"{'c_cert':>8} {'c_exact':>8}")
        lines = [head]
        for r in self.rows:
            gc = "none" if r.gamma_cert is None else f"{r.gamma_cert:.4g}"
            cc = "-" if r.c_cert is None else f"{r.c_cert:.3g}"
            ra = "-" if r.ratio is None else f"{r.ratio:.3f}"
            lines.append(f"{r.tau:>4} {gc:>11} {r.gamma_exact:>11.4g} {ra:>10} {cc:>8} {r.c_exact:>8.3g}")
        c = self.law_constant
        if c is not None:
            lines.append(f"C3 law gamma <= c lambda_l/(L tau^2) is certified for every tau above "
                         f"with c = {c:.3g} (certified, this graph and class)")
        return "\n".join(lines)


def _converges(algorithm: Algorithm, network: Network, step: float, mu: float, L: float,
               multipliers: str) -> tuple[bool, CertifiedRate]:
    res = certified_rate(algorithm.with_step(step), network, mu=mu, L=L, multipliers=multipliers,
                         rtol=0.05)
    return res.rate is not None and res.rate < 1.0, res


def largest_certified_step(
    algorithm: Algorithm, network: Network, *, mu: float, L: float, multipliers: str = "sector",
    upper: float, rtol: float = 0.02,
) -> tuple[float | None, dict[str, int]]:
    """Largest step ``<= upper`` with a verified certified rate ``< 1``, to relative ``rtol``.

    Bisection on the step (:meth:`~ltadmm_verify.algorithms.Algorithm.with_step`) between a
    certified and a non-certified step (certifiability need not be monotone in the step; the answer
    is the end of the certified interval the search finds). Starting from ``upper`` (e.g. the exact
    critical step, which no certificate can exceed), the step is halved until certified (at most 12
    times). Returns ``(step, solver statuses)``.
    """
    statuses: dict[str, int] = {}

    def ok(g: float) -> bool:
        good, res = _converges(algorithm, network, g, mu, L, multipliers)
        for key, count in res.solver_statuses().items():
            statuses[key] = statuses.get(key, 0) + count
        return good

    hi, lo = upper, None
    for _ in range(12):
        g = hi / 2
        if ok(g):
            lo = g
            break
        hi = g
    if lo is None:
        return None, statuses
    while hi - lo > rtol * lo:
        mid = 0.5 * (lo + hi)
        if ok(mid):
            lo = mid
        else:
            hi = mid
    return lo, statuses


def certified_region(
    algorithm: Algorithm,
    network: Network,
    *,
    tau_values: tuple[int, ...] | list[int],
    mu: float,
    L: float,
    gamma_fractions: tuple[float, ...] | list[float] = (0.25, 0.5, 0.75, 0.95),
    multipliers: str = "sector",
    n_quadratics: int = 3,
    seed: int = 0,
) -> CertifiedRegion:
    r"""Largest certified step per ``tau``, rate map, and comparison with exact analysis and C3.

    For each ``tau`` (``algorithm.with_values(tau=tau)``): ``gamma_exact`` (worst exact critical step
    of the quadratics, module docstring), ``gamma_cert`` (:func:`largest_certified_step` below
    ``gamma_exact``), the constants ``c = gamma L tau^2 / lambda_l`` of the law
    ``gamma <= c lambda_l / (L tau^2)``, and certified rates at ``gamma = f * gamma_exact`` for ``f``
    in ``gamma_fractions``.
    """
    start = time.perf_counter()
    if not isinstance(network, Network):
        raise InvalidParameterError(f"network must be a Network, got {type(network).__name__}")
    if not isinstance(algorithm, Algorithm) or "tau" not in algorithm.parameter_constraints:
        raise InvalidParameterError(
            f"algorithm must be an Algorithm with local steps tau, got {type(algorithm).__name__}")
    taus = [integer_at_least("tau", t, 1) for t in tau_values]
    if not taus:
        raise InvalidParameterError("tau_values must name at least one tau, got an empty list")
    L = positive_float("L", L)
    fractions = [positive_float("gamma_fractions", f) for f in gamma_fractions]
    n_quadratics = integer_at_least("n_quadratics", n_quadratics, 0)
    for tau in taus:
        check_size(round_map(algorithm.with_values(tau=tau), network), multipliers=multipliers)
    lam_l = network.lambda_l
    rows: list[RegionRow] = []
    rate_map: list[dict[str, Any]] = []
    for tau in taus:
        alg = algorithm.with_values(tau=tau)
        g_exact = worst_critical_step(alg, network, mu=mu, L=L, n_quadratics=n_quadratics, seed=seed)
        g_cert, statuses = largest_certified_step(alg, network, mu=mu, L=L, multipliers=multipliers,
                                                  upper=g_exact)
        law = L * tau**2 / lam_l
        rows.append(RegionRow(
            tau, g_cert, g_exact, None if g_cert is None else g_cert * law, g_exact * law,
            None if g_cert is None else g_cert / g_exact, statuses))
        for f in fractions:
            g = f * g_exact
            res = certified_rate(alg.with_step(g), network, mu=mu, L=L, multipliers=multipliers,
                                 rtol=2e-3)
            rate_map.append({"tau": tau, "gamma": g, "fraction": f, "rate": res.rate,
                             "status": res.status, "quadratic_rate": res.quadratic_rate,
                             "solver_statuses": res.solver_statuses()})
    params = {**algorithm.parameters(), "n_agents": network.n_agents, "lambda_l": lam_l,
              "tau_values": taus, "mu": mu, "L": L, "multipliers": multipliers,
              "gamma_fractions": fractions, "n_quadratics": n_quadratics, "seed": seed,
              "step_parameter": algorithm.step_parameters[0] if algorithm.step_parameters else None}
    notes = ["gamma_exact: smallest exact critical step over the quadratics (an upper bound on the "
             "class's true critical step); gamma_cert <= gamma_exact by construction",
             "c = gamma L tau^2 / lambda_l: the constant of C3's law gamma <= c lambda_l/(L tau^2) "
             "that each step implies; growth of c_cert with tau means the tau^2 law is conservative"]
    return CertifiedRegion(rows, rate_map, params, time.perf_counter() - start, notes)


def region_figure(region: CertifiedRegion, path: str) -> str:
    """Two panels: largest certified vs exact step against ``tau`` (with C3's ``1/tau^2`` law
    through ``tau = 1``), and the certified rate map; written with matplotlib (Agg) to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .._io import atomic_write_bytes

    taus = np.array([r.tau for r in region.rows], dtype=float)
    exact = np.array([r.gamma_exact for r in region.rows])
    cert = np.array([np.nan if r.gamma_cert is None else r.gamma_cert for r in region.rows])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(taus, exact, "o-", label="exact critical step (worst quadratic)")
    ax1.plot(taus, cert, "s-", label="largest certified step (all f_i in class)")
    if np.isfinite(cert[0]):
        ax1.plot(taus, cert[0] / taus**2, "k--", label=r"C3 law $\propto 1/\tau^2$ (through $\tau=1$)")
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    ax1.set_xticks(taus, [str(int(t)) for t in taus])
    ax1.minorticks_off()
    ax1.set_xlabel(r"local steps $\tau$")
    ax1.set_ylabel(r"step size $\gamma$")
    ax1.legend(fontsize=8)
    ax1.set_title("certified versus exact step size")
    for tau in sorted({p["tau"] for p in region.rate_map}):
        pts = [p for p in region.rate_map if p["tau"] == tau]
        g = [p["gamma"] for p in pts]
        r = [np.nan if p["rate"] is None else p["rate"] for p in pts]
        q = [p["quadratic_rate"] for p in pts]
        line = ax2.plot(g, r, "o-", label=rf"certified, $\tau={tau}$")[0]
        ax2.plot(g, q, "x:", color=line.get_color(), label=rf"worst quadratic, $\tau={tau}$")
    ax2.set_xlabel(r"step size $\gamma$ (step parameters scaled together)")
    ax2.set_ylabel("per-round linear rate")
    ax2.set_title("certified rate map")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format=path.rsplit(".", 1)[-1] if "." in path else "png", dpi=120)
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
    return path


def report_data(figure_path: str | None = None) -> dict[str, Any]:
    """The report section's data on :data:`REPORT_GRID` (about a minute on 2 cores).

    Returns ``{"grid", "region" (CertifiedRegion.to_dict()), "table" (text), "figure" (path or
    None), "spec_example"}``, where ``spec_example`` holds the certified rates of SPEC 6's four
    6-ring cases with the worst exact rate of their ``d = 1`` quadratics.
    """
    grid = REPORT_GRID
    network = make_network(grid["graph"], grid["n_agents"])
    base = LTADMM(gamma=0.1, beta=0.1 * grid["beta_ratio"], rho=grid["rho"], tau=1)
    region = certified_region(
        base, network, tau_values=grid["tau_values"], mu=grid["mu"], L=grid["L"],
        gamma_fractions=grid["gamma_fractions"], n_quadratics=grid["n_quadratics"])
    spec_rows = []
    for tau, gamma, paper in SPEC_EXAMPLE:
        res = certified_rate(LTADMM(gamma=gamma, beta=gamma, rho=grid["rho"], tau=tau), network,
                             mu=grid["mu"], L=grid["L"])
        spec_rows.append({"tau": tau, "gamma": gamma, "spec_value": paper, "rate": res.rate,
                          "quadratic_rate": res.quadratic_rate, "status": res.status,
                          "solver_statuses": res.solver_statuses(), "seconds": res.timings["total"]})
    fig = None if figure_path is None else region_figure(region, figure_path)
    return {"grid": dict(grid), "region": region.to_dict(), "table": region.table(), "figure": fig,
            "spec_example": spec_rows}


#: SPEC section 6's prototype results on the 6-ring (mu = 0.5, L = 2; rho = 1 reproduces them):
#: ``(tau, gamma = beta, certified rate quoted by SPEC)``.
SPEC_EXAMPLE: tuple[tuple[int, float, float], ...] = (
    (1, 0.2, 0.900), (2, 0.1, 0.903), (5, 0.1, 0.793), (5, 0.05, 0.882))
