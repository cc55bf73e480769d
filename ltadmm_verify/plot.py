r"""Figures of one run or of several runs side by side: :func:`plot`.

One panel per (metric, abscissa). Metrics (rows), where recorded: the stationarity measure
``M_k = ||grad F(x_bar_k)||^2 + (1/N) sum_i ||x_{i,k} - x_bar_k||^2``, the consensus error
``(1/N) sum_i ||x_{i,k} - x_bar_k||^2`` and the optimality gap ``F(x_bar_k) - F*``. Abscissae
(columns): communication rounds ``k``, network-wide per-sample gradient evaluations, and the modelled
time of SPEC 2.4,

.. math:: T_k = k\,(\tau\, t_{grad} + t_{comm}),

in units of ``t_grad`` with ``t_comm / t_grad = comm_ratio`` (``tau = 1`` for algorithms without
local steps). On an unreliable or compressing network (:class:`~ltadmm_verify.algorithms.channel.Channel`)
the axis ``time_floats`` charges the floats actually sent instead of whole rounds,
``T_k = k tau t_grad + t_float F_k / N`` with ``F_k`` the network-wide floats sent by round ``k``
(``floats_sent``), ``N`` the number of agents (they send in parallel) and
``t_float / t_grad = comm_ratio``. Values that are not finite and positive (a diverged run, a gap
rounded to zero) are left out of the logarithmic axes.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._io import atomic_write_bytes, check_output_file
from ._validation import positive_float
from .errors import InvalidParameterError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from .algorithms.run import RunResult

#: metrics drawn, with their axis labels
METRICS: dict[str, str] = {
    "stationarity": "stationarity $M_k$\n"
                    r"$\|\nabla F(\bar x)\|^2 + \frac{1}{N}\sum_i\|x_i-\bar x\|^2$",
    "consensus": "consensus error\n" r"$\frac{1}{N}\sum_i\|x_i-\bar x\|^2$",
    "opt_gap": "optimality gap\n" r"$F(\bar x) - F^\star$",
}
#: abscissae, with their axis labels (and units)
AXES: dict[str, str] = {
    "round": "communication rounds $k$",
    "grad_evals": "gradient evaluations (per sample, all agents)",
    "time": r"modelled time $k(\tau t_{grad} + t_{comm})$ [units of $t_{grad}$]",
    "time_floats": r"modelled time $k\tau t_{grad} + t_{float} F_k / N$ [units of $t_{grad}$]",
}
#: file types :func:`plot` writes
FIGURE_SUFFIXES = (".png", ".pdf", ".svg")


def _number(value: Any) -> float:
    """A history entry as read from strict JSON (``null`` is NaN, ``"inf"`` infinity)."""
    if value is None:
        return math.nan
    return float(value)


def _as_run(result: Any, index: int) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """``(history, parameters)`` of a :class:`RunResult` or of its JSON form (``to_dict``)."""
    if isinstance(result, Mapping):
        history, parameters = result.get("history"), result.get("parameters", {})
    else:
        history, parameters = getattr(result, "history", None), getattr(result, "parameters", {})
    if not isinstance(history, Mapping) or "round" not in history:
        raise InvalidParameterError(
            f"results[{index}] must be a RunResult or its JSON (with history['round']), "
            f"got {type(result).__name__}")
    try:
        arrays = {str(k): np.array([_number(v) for v in values], dtype=np.float64)
                  for k, values in history.items()}
    except (TypeError, ValueError):
        raise InvalidParameterError(f"results[{index}].history must hold lists of numbers") from None
    if len({a.size for a in arrays.values()}) > 1:
        raise InvalidParameterError(f"results[{index}].history arrays must have equal lengths")
    return arrays, dict(parameters) if isinstance(parameters, Mapping) else {}


def _label(parameters: Mapping[str, Any], index: int) -> str:
    name = parameters.get("algorithm", f"run {index + 1}")
    details = [f"{key}={parameters[key]:g}" for key in ("tau", "gamma")
               if isinstance(parameters.get(key), int | float)]
    return " ".join([str(name), *details])


def plot(
    results: RunResult | Mapping[str, Any] | Sequence[RunResult | Mapping[str, Any]],
    out: str | Path | None = None,
    *,
    labels: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
    axes: Sequence[str] = ("round", "grad_evals", "time"),
    comm_ratio: float = 1.0,
    title: str | None = None,
) -> Figure:
    """Draw the metrics of one or several runs against rounds, gradient evaluations and time.

    Parameters
    ----------
    results : RunResult, its JSON dict, or a sequence of them
        Runs to compare on the same axes (one colour each).
    out : path, optional
        Also write the figure there (``.png``, ``.pdf`` or ``.svg``; atomically; checked first).
    labels : sequence of str, optional
        One legend entry per run (default: algorithm, ``tau`` and ``gamma``).
    metrics : sequence of str, optional
        Rows, among :data:`METRICS` (default: those recorded by at least one run).
    axes : sequence of str
        Columns, among :data:`AXES`.
    comm_ratio : float
        ``t_comm / t_grad`` of the modelled time (``t_float / t_grad`` on the ``time_floats`` axis).
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if out is not None:
        check_output_file("out", out, suffixes=FIGURE_SUFFIXES)
    runs = [results] if isinstance(results, Mapping) or hasattr(results, "history") else list(results)
    if not runs:
        raise InvalidParameterError("results must hold at least one run, got none")
    data = [_as_run(r, i) for i, r in enumerate(runs)]
    if labels is None:
        labels = [_label(p, i) for i, (_, p) in enumerate(data)]
    elif isinstance(labels, str) or len(labels) != len(data):
        raise InvalidParameterError(
            f"labels must be a sequence of {len(data)} strings (one per run), got {labels!r}")
    comm_ratio = positive_float("comm_ratio", comm_ratio)
    for axis in axes:
        if axis not in AXES:
            raise InvalidParameterError(f"axes must be among {list(AXES)}, got {axis!r}")
    if not axes:
        raise InvalidParameterError("axes must name at least one abscissa, got none")
    recorded = [m for m in METRICS if any(m in h for h, _ in data)]
    rows = recorded if metrics is None else list(metrics)
    for metric in rows:
        if metric not in METRICS:
            raise InvalidParameterError(f"metrics must be among {list(METRICS)}, got {metric!r}")
    if not rows:
        raise InvalidParameterError("metrics must name at least one recorded metric, got none")

    from matplotlib.figure import Figure  # a figure outside pyplot: no display needed

    fig = Figure(figsize=(4.2 * len(axes), 3.0 * len(rows) + 0.6), layout="constrained")
    grid = fig.subplots(len(rows), len(axes), squeeze=False)
    for (history, parameters), label, colour in zip(data, labels, _colours(len(data)), strict=True):
        tau = parameters.get("tau", 1)
        tau = tau if isinstance(tau, int | float) and tau > 0 else 1
        floats = history.get("floats_sent")
        agents = parameters.get("n_agents")
        abscissa = {"round": history["round"], "grad_evals": history.get("grad_evals"),
                    "time": history["round"] * (tau + comm_ratio),
                    "time_floats": None if floats is None or not agents
                    else history["round"] * tau + comm_ratio * floats / agents}
        for r, metric in enumerate(rows):
            if metric not in history:
                continue
            y = history[metric]
            shown = np.isfinite(y) & (y > 0)
            for c, axis in enumerate(axes):
                x = abscissa[axis]
                if x is None:
                    continue
                grid[r, c].plot(x[shown], y[shown], lw=1.4, color=colour, label=str(label))
    for r, metric in enumerate(rows):
        for c, axis in enumerate(axes):
            ax = grid[r, c]
            if ax.lines:
                ax.set_yscale("log")
            ratio = {"time": "$t_{comm}/t_{grad}$", "time_floats": "$t_{float}/t_{grad}$"}
            ax.set_xlabel(AXES[axis] + (f"\n({ratio[axis]} = {comm_ratio:g})" if axis in ratio else ""))
            ax.set_ylabel(METRICS[metric])
            ax.grid(True, which="major", alpha=0.3)
    grid[0, 0].legend(loc="best", fontsize="small", framealpha=0.6)
    if title:
        fig.suptitle(title)
    if out is not None:
        buffer = io.BytesIO()
        fig.savefig(buffer, format=Path(out).suffix.lower().lstrip("."), dpi=110)
        atomic_write_bytes(out, buffer.getvalue())
    return fig


def _colours(n: int) -> list[str]:
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
               "#7f7f7f", "#bcbd22", "#17becf"]
    return [palette[i % len(palette)] for i in range(n)]


def load_result(path: str | Path) -> dict[str, Any]:
    """A run's JSON file as written by ``ltadmm-verify run --out`` (errors name the file)."""
    file = Path(path)
    try:
        text = file.read_bytes().decode("utf-8")
    except OSError as error:
        raise InvalidParameterError(f"cannot read {str(file)!r}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise InvalidParameterError(f"{str(file)!r} is not a results file: not UTF-8 text") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidParameterError(f"{str(file)!r} is not a results file: not JSON ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("history"), dict) \
            or "round" not in document["history"]:
        raise InvalidParameterError(
            f"{str(file)!r} is not a results file of 'ltadmm-verify run' (no history.round)")
    return document
