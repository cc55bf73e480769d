"""Claim providers: adapters from the report's configuration to the toolkit's claim checks.

``CLAIM_PROVIDERS[claim](config, instances)`` returns a :class:`~ltadmm_verify.report.claims.ClaimOutcome`
built from the toolkit's own check functions (never a re-implementation). A claim absent from the
mapping is reported NOT APPLICABLE ("not implemented").
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ..errors import ConfigurationError, LTADMMVerifyError
from .claims import ClaimOutcome, ClaimProvider
from .figures import fmt
from .plots import plot_spec, series
from .sections import Instances, require

#: ``[reproduction]`` keys passed unchanged to :class:`ltadmm_verify.reproduce.ReproductionConfig`
REPRODUCTION_FIELDS = ("split", "taus", "seeds", "rounds", "tune_rounds", "primary_grid",
                       "secondary_grid", "target_accuracy", "ratios", "record_every")


# ============================================================================ C6
def reproduction_config(config: dict[str, Any]) -> Any:
    """The :class:`~ltadmm_verify.reproduce.ReproductionConfig` of the ``[reproduction]`` table.

    Raises
    ------
    ConfigurationError
        If the reproduction rejects a value, or ``verdict_ratio`` is not one of ``ratios``.
    """
    mod = require("ltadmm_verify.reproduce", "ReproductionConfig", "reproduce")
    table = config["reproduction"]
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in table.items()
              if k in REPRODUCTION_FIELDS}
    try:
        repro = dataclasses.replace(mod.ReproductionConfig(), n_agents=config["setup"]["agents"],
                                    data_seed=config["setup"]["data_seed"], **values)
    except LTADMMVerifyError as error:
        raise ConfigurationError(f"reproduction: {error}") from None
    if table["verdict_ratio"] not in repro.ratios:
        raise ConfigurationError(f"reproduction.verdict_ratio must be one of reproduction.ratios "
                                 f"{list(repro.ratios)}, got {table['verdict_ratio']!r}")
    return repro


def claim_c6(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """C6 from :func:`ltadmm_verify.reproduce.reproduce`: verdict at ``verdict_ratio``, table, curves."""
    mod = require("ltadmm_verify.reproduce", "reproduce", "modelled_time", "LT_FAMILY", "BASELINES")
    result = mod.reproduce(reproduction_config(config))
    verdict_ratio = config["reproduction"]["verdict_ratio"]
    ratios = list(result.config.ratios)
    check = result.c6_check(verdict_ratio)
    rows = result.table()
    table = {
        "title": f"Rounds and modelled time (units of t_grad) to {result.config.target_accuracy:.0%} "
                 "test accuracy, mean over seeds (inf: not reached by every seed)",
        "header": ["method", "tau", "reached", "rounds", *[f"T (r={r:g})" for r in ratios],
                   "final acc."],
        "rows": [[r["method"], str(r["tau"]), f"{r['seeds_reaching']}/{r['seeds']}",
                  fmt(r["rounds_to_target"]), *[fmt(r["time_to_target"][str(x)]) for x in ratios],
                  fmt(r["final_accuracy_mean"])] for r in rows],
    }
    methods = list(result.config.methods)
    best = {m: result.best((m,), verdict_ratio)[0] for m in methods}
    per_ratio = [series(m, ratios, [result.best((m,), r)[1] for r in ratios], kind="points")
                 for m in methods]

    def mean_curve(entry: Any, key: str) -> tuple[np.ndarray, np.ndarray]:
        runs = [{k: np.asarray(v, dtype=float) for k, v in h.items()} for h in entry.runs]
        n = min(len(h["round"]) for h in runs)
        x = mod.modelled_time(runs[0], verdict_ratio, result.grad_unit, result.comm_unit)[:n]
        return x, np.mean([h[key][:n] for h in runs], axis=0)

    acc, stat = [], []
    for m, entry in best.items():
        if entry is None:
            continue
        x, y = mean_curve(entry, "accuracy")
        acc.append(series(f"{m} (tau={entry.tau})", x, y))
        x, y = mean_curve(entry, "stationarity")
        stat.append(series(f"{m} (tau={entry.tau})", x, y))
    acc.append(series("target", [0], [result.config.target_accuracy], kind="hline"))
    xlabel = f"modelled time T (units of t_grad), t_comm/t_grad = {verdict_ratio:g}"
    plots = [
        plot_spec("Time to target (best tau per method)",
                  "t_comm / t_grad (dimensionless)", "modelled time to target (units of t_grad)",
                  per_ratio, xscale="log", yscale="log"),
        plot_spec("Test accuracy, mean over seeds", xlabel,
                  "test accuracy of x_bar (fraction)", acc),
        plot_spec("Stationarity, mean over seeds", xlabel,
                  r"$M_k$ (stationarity measure)", stat, yscale="log"),
    ]
    other = [result.c6_check(r) for r in ratios if r != verdict_ratio]
    notes = [f"Instance: {result.instance['problem']}, N = {result.instance['n_agents']} agents on a "
             f"{result.instance['graph']}, d = {result.instance['dim']}, |B| = "
             f"{result.config.batch_size}; step sizes chosen by the same grid search for every "
             "method (ltadmm_verify.reproduce). The verdict is held at t_comm/t_grad = "
             f"{verdict_ratio:g} (communication expensive); at the other ratios (informative): "
             + "; ".join(f"r = {c.evidence.get('ratio_t_comm_over_t_grad', '?')}: measured "
                         f"{fmt(c.measured)} -> {c.verdict}" for c in other) + "."]
    return ClaimOutcome([check], plots, notes, [table])


CLAIM_PROVIDERS: dict[str, ClaimProvider] = {"C6": claim_c6}


def check_configuration(config: dict[str, Any]) -> None:
    """Checks of the configuration that need the providers' own validation (before computing)."""
    if "C6" in config["report"]["claims"]:
        reproduction_config(config)
