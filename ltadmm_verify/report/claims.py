"""Claim pages and the summary table of the verification report.

Each claim of SPEC section 4 is checked by its section (:mod:`ltadmm_verify.report.sections`),
which calls the toolkit's checks and returns a :class:`~.sections.common.ClaimOutcome`; this
module lays the outcomes out. A claim's verdict combines its checks' by the one rule of
:mod:`ltadmm_verify.verify.verdict`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matplotlib.figure import Figure

from ..claims import CLAIMS
from ..errors import LTADMMVerifyError
from ..verify.result import CheckResult
from ..verify.verdict import Verdict, combine
from . import figures as fg
from .plots import draw_plot
from .sections.common import HEADINGS, ClaimOutcome, Instances

#: a table starts on a new page when less than this (figure fraction) is left
TABLE_ROOM = 0.3

SUMMARY_HEADER = ("claim", "measured", "bound", "tolerance", "verdict", "reason / note", "seeds",
                  "sub-checks")


#: claim id -> section(config, instances) -> ClaimOutcome
ClaimSection = Callable[[dict[str, Any], Instances], ClaimOutcome]


def _seed_count(result: CheckResult) -> int | None:
    for key in ("n_seeds", "seeds"):
        value = result.evidence.get(key)
        if isinstance(value, list | tuple):
            return len(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def summary_row(claim: str, results: list[CheckResult], reason: str = "",
                seeds: int | None = None) -> dict[str, Any]:
    """The summary-table row of a claim: the binding check's numbers and the claim's verdict.

    The verdict combines the checks' (:func:`~ltadmm_verify.verify.verdict.combine`: FAIL if any
    fails, else INCONCLUSIVE if any is undecided, PASS if every applicable one passes, NOT
    APPLICABLE if none applies). The numbers shown are those of the first check with the claim's
    verdict.
    """
    verdict = combine(r.verdict for r in results)
    applicable = [r for r in results if r.verdict != Verdict.NOT_APPLICABLE]
    shown = next((r for r in results if r.verdict == verdict), None)
    if shown is None or verdict == Verdict.NOT_APPLICABLE:
        why = reason or "; ".join(dict.fromkeys(r.reason for r in results if r.reason)) or \
            "no check applies"
        row = {"claim": claim, "measured": float("nan"), "bound": float("nan"),
               "tolerance": float("nan"), "relation": "", "verdict": str(Verdict.NOT_APPLICABLE),
               "reason": why, "seeds": None, "counts": {}, "applicable_subchecks": 0,
               "subchecks": len(results)}
    else:
        counts = [s for s in map(_seed_count, applicable) if s is not None]
        if seeds is None and counts:
            seeds = max(counts)
        note = shown.reason or shown.explanation
        row = {"claim": claim, "measured": shown.measured, "bound": shown.bound,
               "tolerance": shown.tolerance, "relation": shown.relation, "verdict": str(verdict),
               "reason": (f"{shown.claim}: " if shown.claim != claim else "") + note, "seeds": seeds,
               "counts": {str(v): sum(r.verdict == v for r in applicable) for v in Verdict
                          if v != Verdict.NOT_APPLICABLE},
               "applicable_subchecks": len(applicable), "subchecks": len(results)}
    row["display"] = summary_cells(row)
    return row


def summary_cells(row: dict[str, Any]) -> list[str]:
    """The strings the summary table prints for ``row`` (also stored in the JSON)."""
    rel = {"<=": "\u2264 ", ">=": "\u2265 ", "<": "< ", ">": "> "}.get(row["relation"], "")
    bound = fg.fmt(row["bound"])
    return [row["claim"], fg.fmt(row["measured"]), bound if bound == "n/a" else rel + bound,
            fg.fmt(row["tolerance"]), row["verdict"], row["reason"],
            "n/a" if row["seeds"] is None else str(row["seeds"]),
            ", ".join(f"{n} {v.lower()}" for v, n in row["counts"].items() if n)
            + (f", {row['subchecks'] - row['applicable_subchecks']} n/a"
               if row["subchecks"] > row["applicable_subchecks"] else "")]


def compute_claim(claim: str, config: dict[str, Any], instances: Instances,
                  sections: dict[str, ClaimSection]) -> dict[str, Any]:
    """Run one claim's section; a check that rejects its inputs (an
    :class:`~ltadmm_verify.errors.LTADMMVerifyError`) makes the claim NOT APPLICABLE with the
    error as the reason."""
    reason = ""
    outcome = ClaimOutcome([])
    try:
        outcome = sections[claim](config, instances)
    except LTADMMVerifyError as error:  # the check refused its inputs: say so, keep the report
        reason = f"could not be evaluated: {error}"
    return {
        "claim": claim,
        "statement": CLAIMS[claim].statement,
        "verification": CLAIMS[claim].verification,
        "checks": [r.to_dict() for r in outcome.results],
        "plots": outcome.plots,
        "notes": outcome.notes,
        "tables": outcome.tables,
        "data": outcome.data,
        "summary": summary_row(claim, outcome.results, reason, outcome.seeds),
    }


def draw_summary(rows: list[dict[str, Any]], title: str, subtitle: str) -> list[Figure]:
    """The summary page: one table row per claim."""
    fig = fg.new_page(HEADINGS["summary"], subtitle)
    fig.text(fg.LEFT, 0.985, title, fontsize=8, va="top", color="#555555")
    y = fg.table(fig, fg.BODY_TOP, SUMMARY_HEADER, [r["display"] for r in rows],
                 [0.55, 0.95, 1.05, 0.9, 1.15, 3.1, 0.55, 0.95],
                 wrap_chars=[0, 0, 0, 0, 10, 40, 0, 10], size=7.5,
                 row_colours=[fg.VERDICT_COLOURS[r["verdict"]] for r in rows])
    legend = ("measured / bound / tolerance: the numbers of the first check with the claim's verdict "
              "(tolerance: the larger of the confidence half-width and the numerical precision). PASS: "
              "the whole confidence interval lies on the claim's side of the bound; FAIL: on the "
              "other side (or a run refuted the claim); INCONCLUSIVE: the interval straddles or ties "
              "with the bound, or the check's precision is coarser than the effect it must detect. A "
              "claim fails if any check fails, else is inconclusive if any is. Each claim's page "
              "lists every check with its evidence. seeds: Monte Carlo seeds per configuration "
              "(n/a: exact analysis or not run).")
    y = fg.text_block(fig, y, legend, size=8)
    for r in rows:
        y = fg.text_block(fig, y, f"{r['claim']}: {CLAIMS[r['claim']].statement}", size=8, gap=0.004)
    return [fig]


def draw_claim(data: dict[str, Any], number: int) -> list[Figure]:
    """One claim's page(s): statement, verdict, sub-check table, figure(s), notes."""
    claim = data["claim"]
    summary = data["summary"]
    fig = fg.new_page(f"{HEADINGS['claims'].split()[0]}.{number} Claim {claim}: {summary['verdict']}",
                      data["statement"])
    y = fg.body_top(data["statement"])
    if not data["checks"]:
        fg.text_block(fig, y, f"NOT APPLICABLE: {summary['reason']}", size=11)
        return [fig]
    rows = [[c["claim"], c["statement"], fg.fmt(c["measured"]), f"{c['relation']} {fg.fmt(c['bound'])}",
             fg.fmt(c["tolerance"]), c["verdict"], c["reason"] or c["explanation"]]
            for c in data["checks"]]
    y = fg.table(fig, y, ["check", "statement", "measured", "bound", "tol.", "verdict", "note"],
                 rows, [1.3, 2.9, 0.85, 0.85, 0.8, 0.9, 1.7], wrap_chars=[16, 38, 0, 0, 0, 10, 22],
                 size=7, row_colours=[fg.VERDICT_COLOURS[c["verdict"]] for c in data["checks"]])
    for note in data["notes"]:
        y = fg.text_block(fig, y, note, size=8)
    pages = [fig]

    def continued() -> Figure:
        page = fg.new_page(f"{HEADINGS['claims'].split()[0]}.{number} Claim {claim} (continued)")
        pages.append(page)
        return page

    for tab in data["tables"]:
        if y < TABLE_ROOM:
            y = fg.BODY_TOP
            continued()
        widths = tab.get("widths", [1.0] * len(tab["header"]))
        y = fg.text_block(pages[-1], y, tab["title"], size=8, weight="bold")
        y = fg.table(pages[-1], y, tab["header"], tab["rows"], widths, size=7,
                     wrap_chars=[max(4, int(fg.chars_per_line(7) * w / sum(widths)) - 2) for w in widths])
    plots = list(data["plots"])
    first_rows = 2 if y > 0.55 else (1 if y > 0.35 else 0)
    while plots:
        if first_rows:
            take, top, page = plots[:2 * first_rows], y - 0.02, pages[-1]
            first_rows = 0
        else:
            page = continued()
            take, top = plots[:6], fg.BODY_TOP - 0.02
        plots = plots[len(take):]
        n_rows = (len(take) + 1) // 2
        axes = fg.axes_grid(page, n_rows, 2, top=top, bottom=max(0.07, top - 0.29 * n_rows),
                            hspace=0.5, wspace=0.32)
        for ax, spec in zip(axes, take, strict=False):
            draw_plot(ax, spec)
        for ax in axes[len(take):]:
            ax.set_visible(False)
    return pages


def claims_in_order(config: dict[str, Any]) -> list[str]:
    """The configured claims in report order."""
    chosen = set(config["report"]["claims"])
    return [c for c in CLAIMS if c in chosen]
