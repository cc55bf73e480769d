"""What the reproduction writes: ``reproduction.json``, figures (PNG) and the text tables."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .._io import atomic_write_bytes

if TYPE_CHECKING:
    from .protocol import SplitResult

COLOURS = {"lt-admm": "C0", "lt-admm-vr": "C1", "led": "C2", "k-gt": "C3", "local-dsgd": "C4"}
LABELS = {"lt-admm": "LT-ADMM", "lt-admm-vr": "LT-ADMM-VR", "led": "LED", "k-gt": "K-GT",
          "local-dsgd": "local DSGD"}


def mean_curve(result: SplitResult, method: str, ratio: float, key: str) -> tuple[np.ndarray, np.ndarray]:
    """Modelled time at ``ratio`` and the mean over evaluation seeds of ``key``, for the
    configuration of ``method`` chosen at ``ratio`` (runs cut to the shortest, e.g. a diverged one)."""
    ev = result.evaluations[result.choose(method, ratio).config_key]
    n = min(len(h["round"]) for h in ev.runs)
    x = result.cost.time(ev.runs[0], ratio)[:n]
    return x, np.mean([np.asarray(h[key], dtype=float)[:n] for h in ev.runs], axis=0)


def figure(result: SplitResult, ratio: float) -> bytes:
    """Test accuracy (left) and stationarity (right) against modelled time at ``ratio``: every
    method with its configuration chosen at that ratio, mean over the evaluation seeds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    config = result.config
    fig, (acc, stat) = plt.subplots(1, 2, figsize=(11, 4.2))
    for method in config.methods:
        choice = result.choose(method, ratio)
        label = f"{LABELS[method]} (tau={choice.tau})"
        x, y = mean_curve(result, method, ratio, "accuracy")
        acc.plot(x, y, color=COLOURS[method], label=label)
        x, y = mean_curve(result, method, ratio, "stationarity")
        stat.semilogy(x, y, color=COLOURS[method], label=label)
    acc.axhline(config.target_accuracy, color="k", ls=":", lw=0.8, label="target")
    acc.set_ylim(max(0.0, config.target_accuracy - 0.3), 1.0)
    stat.axhline(config.target_stationarity, color="k", ls=":", lw=0.8)
    for ax in (acc, stat):
        ax.set_xlabel(f"modelled time T / t_grad (t_comm/t_grad = {ratio:g})")
        ax.ticklabel_format(axis="x", style="sci", scilimits=(0, 3))
    acc.set_ylabel("test accuracy of x_bar (fraction)")
    stat.set_ylabel("stationarity M_k (dimensionless)")
    acc.legend(fontsize=8, loc="lower right")
    fig.suptitle(f"digits ({result.split} split), N = {config.n_agents} {config.graph}, |B| = "
                 f"{config.batch_size}; mean of {config.eval_seeds} evaluation seeds; each method "
                 "tuned on the same budget")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return buffer.getvalue()


def write_figures(result: SplitResult, out: Path) -> list[Path]:
    """``{split}_time_ratio{r}.png`` for every ratio."""
    return [atomic_write_bytes(out / f"{result.split}_time_ratio{r:g}.png", figure(result, r))
            for r in result.config.ratios]


def format_table(result: SplitResult, metric: str = "accuracy") -> str:
    """A target table as aligned text (mean over evaluation seeds; ``inf`` = not reached by every seed)."""
    config = result.config
    target = (f"target test accuracy >= {config.target_accuracy:.0%}" if metric == "accuracy"
              else f"target stationarity M_k <= {config.target_stationarity:g}")
    final = "final_accuracy_mean" if metric == "accuracy" else "final_stationarity_mean"
    lines = [f"digits, {result.split} split: {target} (configuration chosen per ratio on the tuning "
             "seeds; evaluation seeds)",
             f"{'method':<12}{'r':>6}{'tau':>5}{'reached':>9}{'rounds':>9}{'time':>12}"
             f"{'final':>9}  tuned parameters"]
    for row in result.table(metric):
        tuned = ", ".join(f"{k}={v:.3g}" for k, v in row["tuned"].items())
        lines.append(f"{row['method']:<12}{row['ratio']:>6g}{row['tau']:>5}"
                     f"{row['seeds_reaching']:>5}/{row['seeds']:<3}{row['rounds_to_target']:>9.1f}"
                     f"{row['time_to_target']:>12.4g}{row[final]:>9.4g}  {tuned}")
    return "\n".join(lines)


def format_verdicts(result: SplitResult) -> str:
    """One line per ratio: the C6 verdict, the interval, the winners and the sensitivity."""
    lines = []
    for ratio in result.config.ratios:
        check = result.c6_check(ratio)
        sens = result.sensitivity(ratio)
        low, high = check.interval
        expensive = "" if ratio in result.config.expensive_ratios else " (informative: communication cheap)"
        lines.append(f"C6 {result.split} t_comm/t_grad = {ratio:g}{expensive}: {check.verdict}  "
                     f"measured {check.measured:.4g} < 1, interval [{low:.4g}, {high:.4g}]  "
                     f"({check.reason or check.explanation}); {sens['summary']}")
    return "\n".join(lines)
