"""The theory section: theorem cards, admissible versus critical step sizes, calibration, certificates.

Every number comes from :mod:`ltadmm_verify.theory` through its public functions (theorem cards and
their sympy conditions, the exact critical step size, calibration, certificates). A part whose
provider does not exist is listed as "not implemented" instead of being computed here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy
from matplotlib import mathtext
from matplotlib.figure import Figure

from . import figures as fg
from .plots import draw_plot, plot_spec, series
from .sections import HEADINGS, Instances, ProviderMissing, require

TheoryPart = Callable[[dict[str, Any], Instances], dict[str, Any]]

_PARSER = mathtext.MathTextParser("path")


def renders(latex: str) -> bool:
    """Whether matplotlib's mathtext can typeset ``latex`` (one ``$...$`` expression)."""
    try:
        _PARSER.parse(latex)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------- cards
def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def compute_cards(config: dict[str, Any], instances: Instances) -> dict[str, Any]:
    """Every registered theorem card: statement, conditions (LaTeX), constants with provenance."""
    claims = require("ltadmm_verify.theory.claims", "cards")
    beta_ratio = config["algorithm"]["beta_ratio"]
    out = []
    for card in claims.cards():
        lines = [line for line in card.latex(beta_ratio).split("\n") if line]
        out.append({
            "id": card.id,
            "title": card.title,
            "statement": card.statement,
            "algorithms": list(card.algorithms),
            "provenance": card.provenance,
            "hypotheses": [f"{h.text} [{h.source}]" for h in card.hypotheses],
            "latex": lines,
            "latex_renders": [renders(line) for line in lines],
            "constants": [{"name": c.name, "description": c.description, "value": c.value,
                           "provenance": c.provenance} for c in card.constants],
        })
    return {"cards": out}


# ---------------------------------------------------------------------------- step sizes
def compute_step_sizes(config: dict[str, Any], instances: Instances) -> dict[str, Any]:
    """Theorem's admissible ``gamma`` versus measured stability thresholds, over ``tau``.

    For each (problem, graph) of the set-up and each ``tau`` of ``theory.tau``: the largest admissible
    ``gamma`` of the registered cards (:func:`ltadmm_verify.theory.admissibility.admissible_step_size`,
    with the binding condition and its provenance) and, from
    :func:`ltadmm_verify.theory.calibrate.calibrate` on card C3, the stability threshold (exact critical
    step on quadratics, empirical divergence threshold otherwise) and the constant it implies.
    """
    claims = require("ltadmm_verify.theory.claims", "get_card")
    cal = require("ltadmm_verify.theory.calibrate", "calibrate", "CalibrationCase")
    adm = require("ltadmm_verify.theory.admissibility", "admissible_step_size")
    card = claims.get_card("C3")
    alg = config["algorithm"]
    taus = config["theory"]["tau"]
    step = card.step_bound(alg["beta_ratio"])
    cases = []
    for pname, problem in instances.problems.items():
        for gname, network in instances.networks.items():
            batch = [cal.CalibrationCase(problem, network, t, alg["rho"], alg["beta_ratio"],
                                         alg["penalty"], label=f"{pname} / {gname} / tau={t}")
                     for t in taus]
            result = cal.calibrate(card, batch, rounds=config["theory"]["divergence_rounds"],
                                   trend_parameters=("tau",))
            reports = [adm.admissible_step_size(problem, network, tau=t, rho=alg["rho"],
                                                beta_ratio=alg["beta_ratio"], penalty=alg["penalty"],
                                                exact=False) for t in taus]
            admissible = [r.gamma_max for r in reports]
            thresholds = [p.threshold for p in result.points]
            cases.append({
                "problem": pname, "graph": gname, "tau": list(taus),
                "admissible": admissible,
                "binding": [None if r.binding is None else
                            f"{r.binding.card} {r.binding.condition} ({r.provenance})" for r in reports],
                "threshold": thresholds,
                "method": [p.method for p in result.points],
                "implied_constant": [p.implied for p in result.points],
                "conservatism": [th / a if a else None for th, a in zip(thresholds, admissible,
                                                                        strict=True)],
                "calibrated_here": result.value,
                "trends": [{"parameter": t.parameter, "slope": t.slope, "flagged": t.flagged,
                            "note": t.note} for t in result.trends],
            })
    return {
        "card": card.id,
        "bound_latex": f"$\\gamma \\leq {sympy.latex(step)}$",
        "constants": [{"name": c.name, "value": c.value, "provenance": c.provenance}
                      for c in card.constants_in(step)],
        "rho": alg["rho"], "beta_ratio": alg["beta_ratio"], "penalty": alg["penalty"],
        "divergence_rounds": config["theory"]["divergence_rounds"],
        "cases": cases,
    }


# ---------------------------------------------------------------------------- calibrated constants
def compute_calibrated(config: dict[str, Any], instances: Instances) -> dict[str, Any]:
    """The cards' calibrated constants with a digest of their stored evidence."""
    claims = require("ltadmm_verify.theory.claims", "cards")
    out = []
    for card in claims.cards():
        for c in card.constants:
            if c.provenance != "calibrated" or not isinstance(c.evidence, dict):
                continue
            points = c.evidence.get("points", [])
            worst = min(points, key=lambda p: p["implied"]) if points else None
            out.append({
                "card": card.id, "name": c.name, "value": c.value,
                "condition": c.evidence.get("condition"),
                "n_instances": len(points),
                "methods": sorted({p["method"] for p in points}),
                "binding_instance": None if worst is None else worst["label"],
                "ranges": _jsonable(c.evidence.get("ranges", {})),
                "trends": _jsonable(c.evidence.get("trends", [])),
            })
    return {"constants": out}


# ---------------------------------------------------------------------------- registry
#: part name -> (title, provider), in page order
PARTS: dict[str, tuple[str, TheoryPart]] = {
    "cards": ("Theorem cards", compute_cards),
    "step_sizes": ("Admissible step size versus stability threshold", compute_step_sizes),
    "calibrated": ("Calibrated constants", compute_calibrated),
}


def compute_theory(config: dict[str, Any], instances: Instances) -> dict[str, Any]:
    """Every theory part's numbers, or the reason it is missing."""
    out: dict[str, Any] = {}
    for name, (title, provider) in PARTS.items():
        try:
            out[name] = {"title": title, "status": "ok", **provider(config, instances)}
        except ProviderMissing as missing:
            out[name] = {"title": title, "status": str(missing)}
    return out


# ---------------------------------------------------------------------------- pages
def _draw_cards(data: dict[str, Any]) -> list[Figure]:
    pages: list[Figure] = []
    fig, y = None, 0.0
    for card in data["cards"]:
        need = 0.09 + 0.035 * len(card["latex"]) + 0.018 * (len(card["hypotheses"])
                                                              + len(card["constants"]))
        if fig is None or y - need < 0.06:
            fig = fg.new_page(HEADINGS["theory"] + ": theorem cards",
                              "Conditions and bounds as sympy expressions, typeset by matplotlib "
                              "mathtext; constants with their provenance.")
            pages.append(fig)
            y = fg.BODY_TOP
        y = fg.text_block(fig, y, f"{card['id']}: {card['title']}  (algorithms: "
                          f"{', '.join(card['algorithms'])})", size=10, weight="bold")
        y = fg.text_block(fig, y, card["statement"], size=8)
        for line, ok in zip(card["latex"], card["latex_renders"], strict=True):
            fig.text(fg.LEFT + 0.03, y, line if ok else line.strip("$"), fontsize=12, va="top")
            y -= 0.035
        for h in card["hypotheses"]:
            y = fg.text_block(fig, y, f"hypothesis: {h}", size=7.5, x=fg.LEFT + 0.03, gap=0.003)
        for c in card["constants"]:
            value = "unknown" if c["value"] is None else f"{fg.fmt(c['value'])} ({c['provenance']})"
            y = fg.text_block(fig, y, f"constant {c['name']} = {value}: {c['description']}",
                              size=7.5, x=fg.LEFT + 0.03, gap=0.003)
        y = fg.text_block(fig, y, f"provenance: {card['provenance']}", size=7,
                          x=fg.LEFT + 0.03) - 0.01
    return pages


def step_size_plots(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One plot specification per (problem, graph): admissible gamma and threshold against tau."""
    plots = []
    for case in data["cases"]:
        exact = all(m == "exact critical step" for m in case["method"])
        plots.append(plot_spec(
            f"{case['problem']} on {case['graph']}", "local steps tau (count)",
            "step size gamma (dimensionless)",
            [series("theorem: largest admissible gamma", case["tau"], case["admissible"]),
             series("exact critical step" if exact else
                    f"empirical divergence threshold ({data['divergence_rounds']} rounds)",
                    case["tau"], case["threshold"], kind="points")],
            xscale="log", yscale="log", xticks=case["tau"]))
    return plots


def _conservatism_table(fig: Figure, y: float, data: dict[str, Any]) -> float:
    rows = []
    for case in data["cases"]:
        for t, a, th, ratio, c in zip(case["tau"], case["admissible"], case["threshold"],
                                      case["conservatism"], case["implied_constant"], strict=True):
            rows.append([case["problem"], case["graph"], str(t), fg.fmt(a), fg.fmt(th),
                         fg.fmt(ratio), fg.fmt(c)])
    y = fg.table(fig, y, ["problem", "graph", "tau", "theorem gamma", "threshold",
                          "threshold / theorem", "implied c"], rows,
                 [1.2, 1.0, 0.5, 1.0, 1.0, 1.1, 0.9], size=6.5)
    lines = [f"{c['problem']} / {c['graph']}: largest c every tau admits = "
             f"{fg.fmt(c['calibrated_here'])}; trend of the implied c along tau: "
             + (", ".join(f"slope {fg.fmt(t['slope'])}" + (f" FLAGGED: {t['note']}" if t["flagged"]
                                                            else "") for t in c["trends"]) or "n/a")
             for c in data["cases"]]
    return fg.text_block(fig, y, "\n".join(lines), size=7)


def _draw_step_sizes(data: dict[str, Any]) -> list[Figure]:
    """Plots (three rows per page), then the table of thresholds over theorem steps."""
    consts = ", ".join(f"{c['name']} = {fg.fmt(c['value'])} ({c['provenance']})"
                       for c in data["constants"])
    subtitle = (f"rho = {fg.fmt(data['rho'])}, beta = {fg.fmt(data['beta_ratio'])} gamma, penalty "
                f"{data['penalty']}; {consts}. Threshold / theorem >= 1: the bound is safe.")
    heading = HEADINGS["theory"] + ": admissible step size versus stability threshold"
    plots = step_size_plots(data)
    pages = []
    y = fg.BODY_TOP
    for start in range(0, len(plots), 6):
        fig = fg.new_page(heading, subtitle)
        fig.text(fg.LEFT + 0.03, fg.BODY_TOP, data["bound_latex"], fontsize=12, va="top")
        chunk = plots[start:start + 6]
        rows = (len(chunk) + 1) // 2
        top = fg.BODY_TOP - 0.06
        bottom = top - 0.27 * rows
        axes = fg.axes_grid(fig, rows, 2, top=top, bottom=bottom, hspace=0.45, wspace=0.3)
        for ax, spec in zip(axes, chunk, strict=False):
            draw_plot(ax, spec)
        for ax in axes[len(chunk):]:
            ax.set_visible(False)
        pages.append(fig)
        y = bottom - 0.05
    n_rows = sum(len(c["tau"]) for c in data["cases"])
    if y - (n_rows + 1) * 0.016 < 0.06:
        pages.append(fg.new_page(heading + " (table)", subtitle))
        y = fg.BODY_TOP
    _conservatism_table(pages[-1], y, data)
    return pages


def _draw_calibrated(data: dict[str, Any]) -> list[Figure]:
    fig = fg.new_page(HEADINGS["theory"] + ": calibrated constants",
                      "A calibrated value is the largest constant every instance of a documented family "
                      "admits; it is evidence, not a theorem.")
    rows = []
    for c in data["constants"]:
        ranges = "; ".join(f"{k} in [{fg.fmt(v[0])}, {fg.fmt(v[1])}]" for k, v in c["ranges"].items()
                           if k in ("tau", "lambda_l", "L", "rho", "N"))
        trends = "; ".join(f"{t['parameter']}: slope {fg.fmt(t['slope'])}"
                           + (" FLAGGED" if t["flagged"] else "") for t in c["trends"])
        rows.append([f"{c['name']} (card {c['card']})", fg.fmt(c["value"]), str(c["n_instances"]),
                     ", ".join(c["methods"]), str(c["binding_instance"]), ranges, trends or "n/a"])
    fg.table(fig, fg.BODY_TOP, ["constant", "value", "instances", "threshold method",
                                "binding instance", "instance ranges", "trends of implied c"],
             rows, [1.1, 0.7, 0.6, 1.0, 1.4, 1.9, 1.5], wrap_chars=[14, 0, 0, 14, 20, 30, 22], size=7)
    return [fig]


DRAWERS: dict[str, Callable[[dict[str, Any]], list[Figure]]] = {
    "cards": _draw_cards,
    "step_sizes": _draw_step_sizes,
    "calibrated": _draw_calibrated,
}


def draw_theory(data: dict[str, Any]) -> list[Figure]:
    """Pages of the theory section (a page listing the parts that are not implemented first)."""
    pages = []
    missing = [part for part in data.values() if part["status"] != "ok"]
    if missing or not data:
        fig = fg.new_page(HEADINGS["theory"], "Parts of the theory layer that are not available.")
        y = fg.BODY_TOP
        for part in missing:
            y = fg.text_block(fig, y, f"{part['title']}: {part['status']}", size=10)
        pages.append(fig)
    for name, part in data.items():
        if part["status"] == "ok":
            pages += DRAWERS[name](part)
    return pages
