"""W (worst case over the class): C1's rate ``A / (K tau)`` held against the exact worst case.

The performance estimation of SPEC 10 (:func:`ltadmm_verify.theory.worst_case`) over every
``L``-smooth, possibly nonconvex, choice of local costs, for LT-ADMM with the report's penalty
settings at the step ``worst_case.gamma``, on ``worst_case.graph`` with ``worst_case.agents``
agents, for every ``K`` in ``worst_case.rounds`` and ``tau`` in ``worst_case.taus``; the tail
exponents and their verdicts come from :mod:`ltadmm_verify.verify.worst_case_law`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...algorithms import LTADMM
from ...network import make_network
from ...verify.result import CheckResult
from ...verify.worst_case_law import (
    WorstCaseTable,
    check_rate_law,
    exponent_fits,
    law_summary,
    worst_case_table,
)
from ..figures import fmt
from ..plots import plot_spec, series
from .common import ClaimOutcome, Instances

CLAIM = "W"


def select(config: dict[str, Any]) -> tuple[LTADMM, Any]:
    """The algorithm (``tau`` replaced cell by cell) and the network of ``[worst_case]``."""
    w, a = config["worst_case"], config["algorithm"]
    gamma = w["gamma"]
    beta = None if a["penalty"] == "inner" else a["beta_ratio"] * gamma
    algorithm = LTADMM(gamma=gamma, beta=gamma if beta is None else beta, rho=w["rho"], tau=1,
                       penalty=a["penalty"])
    return algorithm, make_network(w["graph"], w["agents"], seed=config["setup"]["data_seed"])


def check(config: dict[str, Any]) -> tuple[WorstCaseTable, list[CheckResult]]:
    """The table and the law's checks."""
    w = config["worst_case"]
    algorithm, network = select(config)
    table = worst_case_table(algorithm, network, rounds=w["rounds"], taus=w["taus"], L=w["L"],
                             graph=w["graph"])
    return table, check_rate_law(table)


def figures(table: WorstCaseTable) -> list[dict[str, Any]]:
    """``W`` and ``K tau W`` against ``K``, one line per ``tau``."""
    out = []
    for name, data in (("worst case W(K, tau)", table.values),
                       ("K tau W(K, tau) (bounded under the law)", table.product)):
        lines = [series(f"tau = {tau}", np.array(table.rounds)[np.isfinite(row)],
                        row[np.isfinite(row)], kind="points")
                 for tau, row in zip(table.taus, data, strict=True) if np.isfinite(row).any()]
        out.append(plot_spec(f"W: {name}, {table.graph} N={table.n_agents}",
                             "communication rounds K (count)", name, lines, xscale="log",
                             yscale="log", xticks=table.rounds))
    return out


def tables(table: WorstCaseTable) -> list[dict[str, Any]]:
    """The values and the exponents."""
    header = ["tau \\ K", *map(str, table.rounds)]
    rows = [[str(tau), *(fmt(v) if np.isfinite(v) else "-" for v in row)]
            for tau, row in zip(table.taus, table.values, strict=True)]
    fits = [[f.direction, str(f.fixed), " ".join(map(str, f.points)),
             f"{fmt(f.exponent)} +- {fmt(f.half_width)}", fmt(f.full_exponent or float("nan"))]
            for f in exponent_fits(table)]
    return [
        {"title": f"worst case W(K, tau) over every {fmt(table.L)}-smooth cost ('-': beyond the "
                  "size limit)", "header": header, "rows": rows},
        {"title": "tail exponents (W ~ K^-a, W ~ tau^-b; the law needs both >= 1)",
         "header": ["in", "at fixed", "tail points", "exponent (95 %)", "whole range"],
         "widths": [0.5, 0.7, 1.2, 1.5, 1.0], "rows": fits},
    ]


def section(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """Table, checks, figures and notes."""
    table, results = check(config)
    notes = [
        f"LT-ADMM {table.parameters}; {table.graph} N={table.n_agents}; class: smooth nonconvex, "
        f"L = {fmt(table.L)}; metric min_k M_k normalised by F(x_bar_0) - F_low <= 1 and the "
        "gradient dissimilarity at the start <= 1 (SPEC 10); exact gradients.",
        f"Every cell's witness re-checked in floating point: {int(table.verified.sum())} of "
        f"{int(np.isfinite(table.values).sum())} verified.",
        f"The law A/(K tau) at the worst case: {law_summary(results)}. A FAIL is pinned to these "
        "parameters and this range: the paper's constant A and its step condition are unknown.",
        *table.notes,
    ]
    return ClaimOutcome(results, figures(table), notes, tables(table),
                        data={"table": deterministic(table), "law": law_summary(results)})


def deterministic(table: WorstCaseTable) -> dict[str, Any]:
    """The table's JSON without its wall-clock seconds (the report's JSON is reproducible)."""
    return {k: v for k, v in table.to_dict().items() if k != "seconds"}
