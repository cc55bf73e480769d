"""C6 (8x8 digits: better communication efficiency than the state of the art when communication is
expensive): the fair comparison of :mod:`ltadmm_verify.reproduce`, both splits, every cost ratio.

The report runs exactly what ``ltadmm-verify reproduce`` runs: ``ReproductionConfig()`` (with
``--quick``: ``ReproductionConfig.quick()``), with the ``[reproduction]`` table's splits and ratios
and the set-up's number of agents and data seed. The claim's verdict combines every split at the
expensive ratios; the verdicts at the other ratios are shown as information.
"""

from __future__ import annotations

from typing import Any

from ...errors import ConfigurationError, LTADMMVerifyError
from ...reproduce import ReproductionConfig, ReproductionResult, SplitResult, reproduce
from ...reproduce.output import LABELS, mean_curve
from ...verify.result import CheckResult
from ..figures import fmt
from ..plots import plot_spec, series
from .common import ClaimOutcome, Instances

CLAIM = "C6"


def reproduction_config(config: dict[str, Any]) -> ReproductionConfig:
    """The reproduction's settings for this report (module docstring).

    Raises
    ------
    ConfigurationError
        If the reproduction rejects a value of the ``[reproduction]`` table.
    """
    base = ReproductionConfig.quick() if config["report"]["quick"] else ReproductionConfig()
    table = config["reproduction"]
    try:
        return base.replace(n_agents=config["setup"]["agents"], data_seed=config["setup"]["data_seed"],
                            splits=tuple(table["splits"]), ratios=tuple(table["ratios"]),
                            expensive_ratios=tuple(table["expensive_ratios"]))
    except LTADMMVerifyError as error:
        raise ConfigurationError(f"reproduction: {error}") from None


def select(config: dict[str, Any], instances: Instances) -> ReproductionConfig:
    """The digits instances are the reproduction's own (one per split), not the set-up's."""
    return reproduction_config(config)


def check(settings: ReproductionConfig, workers: int) -> ReproductionResult:
    """Tune, evaluate and judge every split, the searches and evaluations on ``workers`` processes
    (the report's own setting: 1 keeps everything in this process)."""
    return reproduce(settings, workers=workers)


def _tuned(choice: dict[str, Any]) -> str:
    return f"{choice['method']} tau={choice['tau']}: " + ", ".join(
        f"{k}={fmt(v)}" for k, v in choice["tuned"].items())


def verdict_table(split: SplitResult) -> dict[str, Any]:
    """Per ratio: verdict, ratio of mean times with its interval, both winners, sensitivity."""
    rows = []
    for ratio in split.config.ratios:
        c = split.c6_check(ratio)
        sens = split.sensitivity(ratio)
        low, high = c.interval
        claimed = ratio in split.config.expensive_ratios
        rows.append([f"{ratio:g}" + ("" if claimed else " (not claimed)"), str(c.verdict),
                     fmt(c.measured), f"[{fmt(low)}, {fmt(high)}]",
                     _tuned(c.evidence["lt_admm"]) if "lt_admm" in c.evidence else "n/a",
                     _tuned(c.evidence["baseline"]) if "baseline" in c.evidence else "n/a",
                     " / ".join(sens["verdicts"].values())])
    budgets = split.config.budgets()
    return {"title": f"C6, {split.split} split: LT-ADMM family / best baseline, ratio of mean modelled "
                     f"times to {split.config.target_accuracy:.0%} test accuracy ({split.config.eval_seeds}"
                     f" evaluation seeds); sensitivity: verdicts at {budgets['half']} / "
                     f"{budgets['budget']} / {budgets['double']} configurations per (method, tau)",
            "header": ["t_comm/t_grad", "verdict", "ratio", "95% interval", "LT-ADMM family (tuned)",
                       "best baseline (tuned)", "sensitivity"],
            "widths": [0.8, 0.9, 0.6, 1.0, 2.2, 2.0, 1.6],
            "rows": rows}


def tuning_table(split: SplitResult, ratio: float) -> dict[str, Any]:
    """Per method: the configuration chosen at ``ratio``, the ranges searched and the extensions."""
    rows = []
    for method in split.config.methods:
        choice = split.choose(method, ratio)
        record = split.tuning[method][choice.tau]
        summary = record.summary()
        searched = ", ".join(f"{k} [{fmt(lo)}, {fmt(hi)}]"
                             for k, (lo, hi) in summary["searched_ranges"].items())
        ext = ", ".join(f"{e['parameter']} {e['end']} -> {fmt(e['to'])}" for e in summary["extensions"])
        stuck = ", ".join(f"{e['parameter']} on its {e['end']} end" for e in summary["best_on_range_end"])
        rows.append([LABELS[method], str(choice.tau),
                     ", ".join(f"{k}={fmt(v)}" for k, v in choice.trial.values.items()),
                     searched, ext or "none", stuck or "none"])
    return {"title": f"C6, {split.split} split: configurations chosen at t_comm/t_grad = {ratio:g} on the "
                     f"tuning seeds {split.config.tuning_seeds()} ({split.config.budget} configurations "
                     "per (method, tau))",
            "header": ["method", "tau", "tuned parameters", "ranges searched", "extensions",
                       "best on an end (not extendable)"],
            "widths": [0.9, 0.4, 2.0, 2.6, 1.4, 1.4],
            "rows": rows}


def figures(split: SplitResult) -> list[dict[str, Any]]:
    """Test accuracy against modelled time at the largest ratio; time to target against ratio."""
    ratio = max(split.config.expensive_ratios)
    acc = []
    for method in split.config.methods:
        x, y = mean_curve(split, method, ratio, "accuracy")
        acc.append(series(f"{LABELS[method]} (tau={split.choose(method, ratio).tau})", x, y))
    acc.append(series("target", [0], [split.config.target_accuracy], kind="hline"))
    rows = split.table()
    per_ratio = [series(LABELS[m], list(split.config.ratios),
                        [r["time_to_target"] for r in rows if r["method"] == m], kind="points")
                 for m in split.config.methods]
    return [plot_spec(f"C6 {split.split}: test accuracy, mean over seeds",
                      f"modelled time T (units of t_grad), t_comm/t_grad = {ratio:g}",
                      "test accuracy of x_bar (fraction)", acc),
            plot_spec(f"C6 {split.split}: time to target", "t_comm / t_grad (dimensionless)",
                      "modelled time to target (units of t_grad)", per_ratio,
                      xscale="log", yscale="log")]


def digest(result: ReproductionResult) -> dict[str, Any]:
    """The numbers behind the page (the full record is ``reproduction.json`` of ``reproduce``)."""
    out = {}
    for name, split in result.splits.items():
        full = split.to_dict()
        out[name] = {k: full[k] for k in ("instance", "cost_model", "tuning_seeds", "evaluation_seeds",
                                          "choices", "table", "c6", "sensitivity")}
        out[name]["tuning"] = {m: {tau: per["summary"] for tau, per in taus.items()}
                               for m, taus in full["methods"].items()}
    return {"config": result.config.to_dict(), "verdict": str(result.verdict()), "splits": out}


def section(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """The claim's checks (expensive ratios), the tables of every ratio, figures and notes."""
    settings = select(config, instances)
    result = check(settings, config["report"]["workers"])
    claimed: list[CheckResult] = result.checks(settings.expensive_ratios)
    outcome = ClaimOutcome(claimed, data=digest(result))
    for split in result.splits.values():
        outcome.tables += [verdict_table(split), tuning_table(split, max(settings.expensive_ratios))]
        outcome.plots += figures(split)
    outcome.seeds = settings.eval_seeds
    outcome.notes.append(
        f"Both splits of digits (N = {settings.n_agents} on a {settings.graph}, |B| = "
        f"{settings.batch_size}); every method's declared parameters tuned by the same compass search "
        f"({settings.budget} configurations per (method, tau), tau on {settings.tau_points} points of "
        f"its declared range, {settings.tune_rounds} rounds on the tuning seeds), evaluated on "
        f"{settings.eval_seeds} disjoint seeds for {settings.rounds} rounds; verdict per split at "
        f"t_comm/t_grad in {list(settings.expensive_ratios)} (the claim), other ratios shown "
        "(ltadmm_verify.reproduce.protocol). C6 (all splits, expensive ratios): "
        f"{result.verdict()}.")
    return outcome
