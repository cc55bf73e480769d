"""What the report's sections share: headings, the configured instances, the base algorithms.

Step sizes: ``gamma = fraction * gamma_crit`` with ``gamma_crit`` the stability threshold of the
full-gradient LT-ADMM iteration at the largest ``tau`` of ``checks.tau`` (exact critical step on
quadratics, empirical divergence threshold otherwise; :func:`ltadmm_verify.verify.checks.critical_step`),
so every ``tau`` of the sweeps is stable. ``beta = algorithm.beta_ratio * gamma``.

Seeds: claim ``c`` (index in :data:`ltadmm_verify.claims.CLAIMS`), problem ``p`` use the Monte Carlo
base seed ``report.seed * 100000 + 10000 c + 1000 p``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...algorithms import LTADMM, LTADMMVR, Algorithm
from ...claims import CLAIMS
from ...network import Network, make_network
from ...problems.base import Problem
from ...problems.catalog import make_problem
from ...verify.checks import critical_step
from ...verify.experiments import MonteCarlo
from ...verify.measure import measurement
from ...verify.result import CheckResult
from .. import figures as fg
from ..plots import series

#: report headings, in page order (the test reads them back from the PDF)
HEADINGS = {
    "summary": "1 Summary",
    "setup": "2 Set-up",
    "theory": "3 Theory",
    "claims": "4 Claims",
    "environment": "5 Environment",
}

#: at most this many seeds for the curves drawn beside a simulated check
CURVE_SEEDS = 3


@dataclass
class ClaimOutcome:
    """What a claim's section returns: the checks (whose verdicts make the claim's) and what shows them."""

    results: list[CheckResult]
    plots: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: each ``{"title": str, "header": [str], "rows": [[str]]}``, cells already formatted
    tables: list[dict[str, Any]] = field(default_factory=list)
    #: Monte Carlo seeds per configuration (``None``: exact analysis only, or read from evidence)
    seeds: int | None = None
    #: further numbers of the claim for the JSON (e.g. the reproduction's digest)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Instances:
    """The graphs and problems named by the configuration's ``[setup]`` table."""

    networks: dict[str, Network]
    problems: dict[str, Problem]

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Instances:
        """Build every graph and problem of ``config["setup"]`` (seeded by ``setup.data_seed``)."""
        setup = config["setup"]
        n, seed = setup["agents"], setup["data_seed"]
        networks = {g: make_network(g, n, seed=seed) for g in setup["graphs"]}
        problems = {}
        for name in setup["problems"]:
            problems[name] = make_problem(name, n, dim=setup["dim"], samples=setup["samples"],
                                          seed=seed)
        return cls(networks, problems)


@dataclass
class Case:
    """One problem of ``checks.problems`` on ``checks.graph`` with its base parameters."""

    name: str
    problem: Problem
    network: Network
    network_name: str
    gamma_crit: float
    how: str
    lt_admm: LTADMM
    vr: LTADMMVR
    mc: MonteCarlo

    @property
    def label(self) -> str:
        """``problem on graph``."""
        return f"{self.name} on {self.network_name}"

    def seeds(self, *algorithms: Algorithm) -> int | None:
        """Monte Carlo seeds per configuration if any of ``algorithms`` is simulated here."""
        simulated = any(not measurement(a, self.problem, self.network).exact for a in algorithms)
        return self.mc.seeds if simulated else None

    def mean_curve(self, algorithm: Algorithm, *, sigma2: float = 0.0) -> tuple[np.ndarray, str]:
        """``E[M_k]``, ``k = 0..K``, as the checks measure it: the exact expected curve, or the mean
        of at most :data:`CURVE_SEEDS` simulated runs (a diverged run padded with ``inf``)."""
        meter = measurement(algorithm, self.problem, self.network, mc=self.mc)
        curves = meter.curves(algorithm, self.mc.rounds, sigma2=sigma2, seeds=CURVE_SEEDS)
        how = "exact expectation" if meter.exact else curves.method
        return np.mean(np.array(curves.values), axis=0), how


def cases(config: dict[str, Any], instances: Instances, claim: str) -> list[Case]:
    """The base LT-ADMM / LT-ADMM-VR of every problem of ``checks.problems`` (module docstring)."""
    c, alg = config["checks"], config["algorithm"]
    network = instances.networks[c["graph"]]
    out = []
    for index, name in enumerate(c["problems"]):
        problem = instances.problems[name]
        tau_max = max(c["tau"])
        smooth = problem.smoothness().per_sample
        guess = 1.0 / (tau_max * (smooth + alg["rho"] * network.max_degree))
        probe = LTADMM(gamma=guess, beta=alg["beta_ratio"] * guess, rho=alg["rho"], tau=tau_max,
                       penalty=alg["penalty"])
        g_crit, _, how = critical_step(probe, problem, network,
                                       rounds=config["theory"]["divergence_rounds"])
        gamma = c["gamma_fraction"] * g_crit
        common = {"beta": alg["beta_ratio"] * gamma, "rho": alg["rho"], "tau": c["base_tau"],
                  "penalty": alg["penalty"]}
        lt = LTADMM(gamma=gamma, **common)
        g_vr = c["vr_gamma_fraction"] * g_crit
        vr = LTADMMVR(gamma=g_vr, **{**common, "beta": alg["beta_ratio"] * g_vr},
                      batch_size=c["batch_size"])
        base_seed = config["report"]["seed"] * 100000 + 10000 * list(CLAIMS).index(claim) + 1000 * index
        mc = MonteCarlo(seeds=c["seeds"], rounds=c["rounds"], base_seed=base_seed)
        out.append(Case(name, problem, network, c["graph"], g_crit, how, lt, vr, mc))
    return out


def labelled(result: CheckResult, *parts: str) -> CheckResult:
    """``result`` with the instance appended to its claim id: ``C1.sigma2 (least-squares)``."""
    import dataclasses

    return dataclasses.replace(result, claim=f"{result.claim} ({', '.join(parts)})")


def fit_line(evidence: dict[str, Any], x: list[float]) -> dict[str, Any] | None:
    """The power-law fit of a check's evidence as a plotted line (``None`` without a fit)."""
    fit = evidence.get("fit")
    if not fit:
        return None
    slope, intercept = fit["slope"]["value"], fit["intercept"]["value"]
    xs = np.geomspace(min(x), max(x), 20)
    return series(f"fit: slope {fg.fmt(slope)} +- {fg.fmt(fit['slope']['half_width'])}", xs,
                  np.exp(intercept) * xs**slope)
