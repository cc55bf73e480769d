"""Plots described by JSON-ready specifications, so that every plotted number is in the report's JSON.

A plot specification is a dict::

    {"title": str, "xlabel": str, "ylabel": str, "xscale": "linear"|"log", "yscale": ...,
     "series": [{"label": str, "x": [...], "y": [...],
                 "kind": "line"|"marked"|"points"|"hline"|"vline"|"band",   # default "line"
                 "low": [...], "high": [...]}],                      # band / error bars (optional)
     "xticks": [...] | None}                                         # x values to label

Sections build these from the numbers they computed; :func:`draw_plot` turns one into axes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

#: a log axis whose data span less than this factor gets plain, evenly spaced tick labels; less
#: than its cube, labels at 1, 2 and 5 times the powers of ten
NARROW_SPAN = 10.0


def plot_spec(title: str, xlabel: str, ylabel: str, series: Sequence[dict[str, Any]], *,
              xscale: str = "linear", yscale: str = "linear", xticks: Sequence[float] | None = None,
              ) -> dict[str, Any]:
    """Build a plot specification (see the module docstring); ``xticks`` labels these x values."""
    return {"title": title, "xlabel": xlabel, "ylabel": ylabel, "xscale": xscale,
            "yscale": yscale, "series": list(series),
            "xticks": None if xticks is None else [float(t) for t in xticks]}


def series(label: str, x: Any, y: Any, kind: str = "line", low: Any = None,
           high: Any = None) -> dict[str, Any]:
    """One series of a plot specification (arrays become lists of floats)."""
    out: dict[str, Any] = {"label": label, "kind": kind,
                           "x": np.asarray(x, dtype=float).ravel().tolist(),
                           "y": np.asarray(y, dtype=float).ravel().tolist()}
    if low is not None:
        out["low"] = np.asarray(low, dtype=float).ravel().tolist()
        out["high"] = np.asarray(high, dtype=float).ravel().tolist()
    return out


def _positive_values(spec: dict[str, Any], name: str) -> np.ndarray:
    """The finite positive ``x`` or ``y`` values of the curves and points of ``spec``."""
    values = np.array([v for s in spec["series"] if s.get("kind") not in ("hline", "vline")
                       for v in s[name]], dtype=float)
    return values[np.isfinite(values) & (values > 0)]


def _scale(spec: dict[str, Any], name: str) -> str:
    """The requested scale of axis ``name``; linear when a log axis would have no positive value
    (every run diverged, for instance): matplotlib cannot draw such an axis."""
    scale = spec.get(f"{name}scale", "linear")
    return "linear" if scale == "log" and not _positive_values(spec, name).size else scale


def _readable_log_ticks(ax: Axes, spec: dict[str, Any]) -> None:
    """No overlapping minor labels on log axes; plain labels when the data span little."""
    for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
        if _scale(spec, name) != "log":
            continue
        axis.set_minor_formatter(NullFormatter())
        values = _positive_values(spec, name)
        span = values.max() / values.min() if values.size else np.inf
        if span < NARROW_SPAN:
            axis.set_major_locator(MaxNLocator(4))
        elif span < NARROW_SPAN**3:
            axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        else:
            continue
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))


def draw_plot(ax: Axes, spec: dict[str, Any]) -> None:
    """Draw a plot specification on ``ax`` (labelled axes, legend)."""
    colours = iter(["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
                    "#7f7f7f", "#bcbd22", "#17becf"] * 3)
    markers = iter(["o", "^", "s", "v", "D", "x", "+", "*"] * 4)
    for s in spec["series"]:
        kind = s.get("kind", "line")
        colour = next(colours)
        x, y = np.asarray(s["x"]), np.asarray(s["y"])
        if kind == "hline":
            ax.axhline(y[0], color=colour, ls="--", lw=1.2, label=s["label"])
        elif kind == "vline":
            ax.axvline(x[0], color=colour, ls="--", lw=1.2, label=s["label"])
        elif kind == "points":
            if "low" in s:
                low, high = np.asarray(s["low"]), np.asarray(s["high"])
                ax.errorbar(x, y, yerr=[y - low, high - y], fmt="o", ms=4, capsize=3,
                            color=colour, label=s["label"])
            else:
                ax.plot(x, y, "o", ms=4.5, color=colour, label=s["label"])
        elif kind == "marked":  # a line whose points stay visible where curves coincide
            ax.plot(x, y, "-", lw=1.2, color=colour, marker=next(markers), ms=5, mfc="none",
                    label=s["label"])
        else:
            ax.plot(x, y, "-", lw=1.4, color=colour, label=s["label"])
            if "low" in s:
                ax.fill_between(x, s["low"], s["high"], color=colour, alpha=0.2, lw=0)
    ax.set_xscale(_scale(spec, "x"))
    ax.set_yscale(_scale(spec, "y"))
    _readable_log_ticks(ax, spec)
    if spec.get("xticks"):
        from .figures import fmt

        ax.set_xticks(spec["xticks"], [fmt(t) for t in spec["xticks"]])
    ax.set_xlabel(spec["xlabel"])
    ax.set_ylabel(spec["ylabel"])
    ax.set_title(spec["title"])
    if spec["series"]:
        ax.legend(loc="best", framealpha=0.6)
