"""Page layout and figures of the verification report (matplotlib, A4 portrait pages).

Every page is a matplotlib :class:`~matplotlib.figure.Figure` (no pyplot, no GUI backend) with the
section heading at its top, so that the PDF built by :mod:`ltadmm_verify.report.pdf` is nothing but
these figures, one per page. Text pages are figures
holding text and tables; plot pages hold axes with labelled axes, units and legends.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

#: A4 portrait, inches
PAGE_SIZE = (8.27, 11.69)
LEFT, RIGHT = 0.08, 0.92
HEADING_Y = 0.955
#: where the body starts below a heading and a subtitle of at most two lines
BODY_TOP = 0.885
FONT = 9.0
#: matplotlib settings of every page (applied by :func:`ltadmm_verify.report.build.build_report`)
STYLE: Any = {
    "pdf.fonttype": 42,  # TrueType: text stays selectable and extractable
    "font.size": FONT,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
VERDICT_COLOURS = {"PASS": "#d6f5d6", "FAIL": "#f8d0d0", "INCONCLUSIVE": "#fbeec2",
                   "NOT APPLICABLE": "#ececec"}


def fmt(value: Any) -> str:
    """A number as the report prints it (same string in the PDF and in the JSON's display cells).

    NaN and ``None`` print as ``n/a``; magnitudes in ``[1e-3, 1e4)`` with 4 significant digits,
    others in scientific notation with 3 decimals.
    """
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | np.integer):
        return str(int(value))
    x = float(value)
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0 or 1e-3 <= abs(x) < 1e4:
        return f"{x:.4g}"
    return f"{x:.3e}"


def body_top(subtitle: str = "") -> float:
    """Where the body of a page made by :func:`new_page` with ``subtitle`` starts."""
    lines = wrap(subtitle, chars_per_line(9.5)).count("\n") + 1 if subtitle else 1
    return BODY_TOP - 0.0135 * max(lines - 2, 0)


def new_page(heading: str, subtitle: str = "") -> Figure:
    """An empty A4 page with ``heading`` (and an optional ``subtitle`` of at most two lines) at the top."""
    fig = Figure(figsize=PAGE_SIZE)
    fig.text(LEFT, HEADING_Y, heading, fontsize=16, fontweight="bold", va="top")
    if subtitle:
        fig.text(LEFT, HEADING_Y - 0.03, wrap(subtitle, chars_per_line(9.5)), fontsize=9.5,
                 va="top", color="#333333", linespacing=1.2)
    return fig


def wrap(text: str, width: int) -> str:
    """Wrap every paragraph of ``text`` to ``width`` characters, breaking at spaces only."""
    return "\n".join(textwrap.fill(p, width, break_on_hyphens=False, break_long_words=False)
                     if p else "" for p in text.split("\n"))


def chars_per_line(size: float, x: float = LEFT, family: str = "sans-serif") -> int:
    """How many characters of ``size`` points fit between ``x`` and the right margin."""
    em = 0.62 if family == "monospace" else 0.6
    return int((RIGHT - x) * PAGE_SIZE[0] * 72 / (em * size))


def text_block(fig: Figure, y: float, text: str, *, size: float = FONT, width: int | None = None,
               family: str = "sans-serif", x: float = LEFT, weight: str = "normal",
               gap: float = 0.012) -> float:
    """Write wrapped ``text`` from height ``y`` (figure fraction) down; return the height below it.

    ``width`` (characters per line) defaults to what fits between ``x`` and the right margin.
    """
    body = wrap(text, chars_per_line(size, x, family) if width is None else width)
    n_lines = body.count("\n") + 1
    fig.text(x, y, body, fontsize=size, va="top", family=family, fontweight=weight,
             linespacing=1.35)
    return y - n_lines * size * 1.35 / 72 / PAGE_SIZE[1] - gap


def table(
    fig: Figure,
    y: float,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    size: float = 8.0,
    wrap_chars: Sequence[int] | None = None,
    row_colours: Sequence[str] | None = None,
    x: float = LEFT,
    total_width: float = RIGHT - LEFT,
) -> float:
    """Draw a table from height ``y`` down; return the height below it.

    ``widths`` are relative column widths; ``wrap_chars`` wraps the text of each column to so many
    characters (the row grows with its tallest cell).
    """
    widths_arr = np.asarray(widths, dtype=float)
    widths_arr = widths_arr / widths_arr.sum() * total_width
    cells = [list(header)] + [list(r) for r in rows]
    if wrap_chars is not None:
        cells = [[wrap(c, w) if w else c for c, w in zip(row, wrap_chars, strict=True)]
                 for row in cells]
    line_h = size * 1.45 / 72 / PAGE_SIZE[1]
    heights = [(max(c.count("\n") for c in row) + 1) * line_h + 0.006 for row in cells]
    top = y
    for r, (row, h) in enumerate(zip(cells, heights, strict=True)):
        left = x
        colour = "#dde4ee" if r == 0 else (row_colours[r - 1] if row_colours else "white")
        for c, (cell, w) in enumerate(zip(row, widths_arr, strict=True)):
            fig.patches.append(Rectangle((left, top - h), w, h, transform=fig.transFigure,
                                             facecolor=colour, edgecolor="#888888", lw=0.5,
                                             figure=fig))
            fig.text(left + 0.005, top - 0.003, cell, fontsize=size, va="top", ha="left",
                     fontweight="bold" if r == 0 or c == 0 else "normal", linespacing=1.3)
            left += w
        top -= h
    return top - 0.015


def draw_graph(ax: Axes, graph: nx.Graph, title: str) -> None:
    """Draw a communication graph (deterministic Kamada-Kawai layout)."""
    pos = nx.kamada_kawai_layout(graph)
    nx.draw_networkx_edges(graph, pos, ax=ax, width=0.8, edge_color="#555555")
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=90, node_color="#4a7fb5")
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=5.5, font_color="white")
    ax.set_title(title)
    ax.set_aspect("equal")
    ax.axis("off")


def draw_spectrum(ax: Axes, eigenvalues: Sequence[float], lambda_l: float, lambda_u: float,
                  title: str) -> None:
    """Laplacian eigenvalues (sorted) with ``lambda_l`` and ``lambda_u`` marked."""
    ev = np.asarray(eigenvalues)
    idx = np.arange(1, ev.size + 1)
    ax.plot(idx, ev, "o", ms=3.5, color="#4a7fb5", label="eigenvalues of $L_G$")
    ax.axhline(lambda_l, color="#2a9d2a", ls="--", lw=1,
               label=rf"$\lambda_l$ = {fmt(lambda_l)}")
    ax.axhline(lambda_u, color="#c0392b", ls="--", lw=1,
               label=rf"$\lambda_u$ = {fmt(lambda_u)}")
    ax.set_xlabel("index $n$ (ascending)")
    ax.set_ylabel(r"eigenvalue $\lambda_n$ (dimensionless)")
    ax.set_title(title)
    ax.legend(loc="upper left")


def axes_grid(fig: Figure, rows: int, cols: int, *, top: float = BODY_TOP - 0.02,
              bottom: float = 0.07, hspace: float = 0.45, wspace: float = 0.3) -> list[Axes]:
    """A ``rows x cols`` grid of axes in the page body."""
    grid = fig.add_gridspec(rows, cols, left=LEFT + 0.02, right=RIGHT, top=top, bottom=bottom,
                            hspace=hspace, wspace=wspace)
    return [fig.add_subplot(grid[r, c]) for r in range(rows) for c in range(cols)]
