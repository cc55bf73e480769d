"""The theory section: theorem cards, admissible versus critical step sizes, calibration, certificates.

Every number comes from :mod:`ltadmm_verify.theory` through its public functions (theorem cards and
their sympy conditions, the exact critical step size, calibration, certificates). A part that is
skipped (certificates with ``theory.certify = false``) or whose inputs are rejected says so.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import sympy
from matplotlib import mathtext
from matplotlib.figure import Figure

from ...algorithms import KGT, LED, LTADMM, LocalDSGD
from ...errors import LTADMMVerifyError
from ...theory import cards, certify_region
from ...theory.admissibility import admissible_step_size
from ...theory.calibrate import CalibrationCase, calibrate
from ...theory.comparison import compare_algorithms
from .. import figures as fg
from ..plots import draw_plot, plot_spec, series
from .common import HEADINGS, Instances

TheoryPart = Callable[[dict[str, Any], Instances], dict[str, Any]]


class Skipped(Exception):
    """A theory part the configuration turns off (the page says so)."""

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
    beta_ratio = config["algorithm"]["beta_ratio"]
    out = []
    for card in cards.registered_cards():
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
    ``gamma`` of the registered cards (:func:`ltadmm_verify.theory.admissible_step_size`,
    with the binding condition and its provenance) and, from
    :func:`ltadmm_verify.theory.calibrate.calibrate` on card C3, the stability threshold (exact critical
    step on quadratics, empirical divergence threshold otherwise) and the constant it implies.
    """
    card = cards.get_card("C3")
    alg = config["algorithm"]
    taus = config["theory"]["tau"]
    step = card.step_bound(alg["beta_ratio"])
    cases = []
    for pname, problem in instances.problems.items():
        for gname, network in instances.networks.items():
            batch = [CalibrationCase(problem, network, t, alg["rho"], alg["beta_ratio"],
                                         alg["penalty"], label=f"{pname} / {gname} / tau={t}")
                     for t in taus]
            result = calibrate(card, batch, rounds=config["theory"]["divergence_rounds"],
                                   trend_parameters=("tau",))
            reports = [admissible_step_size(problem, network, tau=t, rho=alg["rho"],
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
    out = []
    for card in cards.registered_cards():
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


# ---------------------------------------------------------------------------- certificates
def _without_timings(value: Any) -> Any:
    """``value`` without its wall-clock ``seconds`` entries (they are not a function of the inputs)."""
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def compute_certified(config: dict[str, Any], instances: Instances) -> dict[str, Any]:
    """Certified step-size region and rates for a whole function class (SPEC 6), with C3's law.

    Numbers from :func:`ltadmm_verify.theory.certify_region.report_data` (its documented grid); the
    theorem's step ``c_gamma lambda_l / (L tau^2)`` is evaluated by card C3 on the same class.
    """
    if not config["theory"]["certify"]:
        raise Skipped("skipped: theory.certify = false in the configuration")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # solver accuracy notes; statuses are recorded
        data = _without_timings(certify_region.report_data(None))
    card = cards.get_card("C3")
    params = data["region"]["parameters"]
    step = card.step_bound(params["beta"] / params["gamma"])
    sym = cards.SYMBOLS
    law = [card.evaluate(step, {sym["L"]: params["L"], sym["lambda_l"]: params["lambda_l"],
                                sym["tau"]: float(t)}) for t in params["tau_values"]]
    data.pop("figure", None)
    data.pop("table", None)
    return {**data, "theorem_step": law}


def _draw_certified(data: dict[str, Any]) -> list[Figure]:
    p = data["region"]["parameters"]
    rows = data["region"]["rows"]
    subtitle = (f"Every mu-strongly convex, L-smooth local cost (mu = {fg.fmt(p['mu'])}, L = "
                f"{fg.fmt(p['L'])}) on a {p['n_agents']}-agent {data['grid']['graph']} "
                f"(lambda_l = {fg.fmt(p['lambda_l'])}), rho = {fg.fmt(p['rho'])}, beta = "
                f"{fg.fmt(p['beta'] / p['gamma'])} gamma, full gradients: Lyapunov certificate over one "
                "round (SPEC 6).")
    fig = fg.new_page(HEADINGS["theory"] + ": certified rates for the whole function class", subtitle)
    taus = [r["tau"] for r in rows]
    steps = plot_spec("Largest certified vs exact step", "local steps tau (count)",
                      "step size gamma (dimensionless)",
                      [series("exact critical step (worst quadratic of the class)", taus,
                              [r["gamma_exact"] for r in rows], kind="points"),
                       series("largest certified step (every cost in the class)", taus,
                              [np.nan if r["gamma_cert"] is None else r["gamma_cert"] for r in rows],
                              kind="points"),
                       series("theorem C3: c_gamma lambda_l / (L tau^2)", taus,
                              [np.nan if v is None else v for v in data["theorem_step"]])],
                      xscale="log", yscale="log", xticks=taus)
    rate_series = []
    for tau in taus:
        pts = [q for q in data["region"]["rate_map"] if q["tau"] == tau]
        rate_series.append(series(f"certified, tau = {tau}", [q["gamma"] for q in pts],
                                  [np.nan if q["rate"] is None else q["rate"] for q in pts]))
        rate_series.append(series(f"worst quadratic, tau = {tau}", [q["gamma"] for q in pts],
                                  [q["quadratic_rate"] for q in pts], kind="points"))
    rates = plot_spec("Certified rate map", "step size gamma (dimensionless)",
                      "linear rate per round (dimensionless)", rate_series)
    top = fg.body_top(subtitle) - 0.03
    axes = fg.axes_grid(fig, 1, 2, top=top, bottom=top - 0.3, wspace=0.3)
    draw_plot(axes[0], steps)
    draw_plot(axes[1], rates)
    y = top - 0.35
    y = fg.table(fig, y, ["tau", "gamma certified", "gamma exact", "certified / exact",
                          "c certified", "c exact", "theorem gamma"],
                 [[str(r["tau"]), fg.fmt(r["gamma_cert"]), fg.fmt(r["gamma_exact"]),
                   fg.fmt(r["ratio"]), fg.fmt(r["c_cert"]), fg.fmt(r["c_exact"]), fg.fmt(t)]
                  for r, t in zip(rows, data["theorem_step"], strict=True)],
                 [0.5, 1, 1, 1, 0.9, 0.9, 1], size=7)
    y = fg.text_block(fig, y, "SPEC 6 prototype cases (6-ring, mu = 0.5, L = 2): certified rate "
                      "versus the value SPEC quotes and the worst exact rate of the class's quadratics "
                      "(a certificate below an instance's real rate would be a bug).", size=8)
    y = fg.table(fig, y, ["tau", "gamma = beta", "SPEC value", "certified rate", "worst quadratic",
                          "status"],
                 [[str(r["tau"]), fg.fmt(r["gamma"]), fg.fmt(r["spec_value"]), fg.fmt(r["rate"]),
                   fg.fmt(r["quadratic_rate"]), r["status"]] for r in data["spec_example"]],
                 [0.5, 1, 1, 1, 1, 1.2], size=7)
    fg.text_block(fig, y, "\n".join(data["region"]["notes"]), size=7.5)
    return [fig]


# ---------------------------------------------------------------------------- comparison
def compute_comparison(config: dict[str, Any], instances: Instances) -> dict[str, Any]:
    """Critical steps and certified rates of LT-ADMM, LED, K-GT and local DSGD against ``tau``.

    The theory side of C6, on the set-up's graphs, for the class of ``comparison.mu``-strongly convex,
    ``comparison.L``-smooth local costs (:func:`ltadmm_verify.theory.comparison.compare_algorithms`):
    LT-ADMM with the configuration's ``rho``, ``beta_ratio`` and penalty, LED with ``beta = gamma``,
    K-GT with ``eta_s = 1``, local DSGD; critical steps at every ``theory.tau``, certified rates at
    ``comparison.step_fraction`` times the critical step for the ``tau`` of ``comparison.certify_tau``.
    """
    c, alg = config["comparison"], config["algorithm"]
    algorithms = [LTADMM(gamma=0.1, beta=0.1 * alg["beta_ratio"], rho=alg["rho"], tau=1,
                         penalty=alg["penalty"]),
                  LED(gamma=0.1, beta=0.1, tau=1), KGT(eta_c=0.1, eta_s=1.0, tau=1),
                  LocalDSGD(gamma=0.1, tau=1)]
    taus = config["theory"]["tau"]
    cells = compare_algorithms(algorithms, instances.networks, tau_values=taus, mu=c["mu"],
                               L=c["L"], step_fraction=c["step_fraction"],
                               certify_tau=c["certify_tau"], n_quadratics=c["n_quadratics"],
                               workers=1)
    return {"mu": c["mu"], "L": c["L"], "step_fraction": c["step_fraction"],
            "certify_tau": [t for t in c["certify_tau"] if t in taus],
            "n_quadratics": c["n_quadratics"], "tau": list(taus),
            "algorithms": [{"name": a.name, **a.parameters()} for a in algorithms],
            "cells": [cell.to_dict() for cell in cells]}


def comparison_plots(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One plot specification per graph: each algorithm's critical step against ``tau``."""
    plots = []
    for graph in dict.fromkeys(cell["graph"] for cell in data["cells"]):
        lines = []
        for a in data["algorithms"]:
            cells = [c for c in data["cells"] if c["graph"] == graph and c["algorithm"] == a["name"]]
            lines.append(series(f"{a['name']} ({cells[0]['step_parameter']})",
                                [c["tau"] for c in cells],
                                [np.nan if c["critical_step"] is None else c["critical_step"]
                                 for c in cells], kind="marked"))
        plots.append(plot_spec(f"critical step on the {graph}", "local steps tau (count)",
                               "critical step (dimensionless)", lines, xscale="log", yscale="log",
                               xticks=data["tau"]))
    return plots


def _draw_comparison(data: dict[str, Any]) -> list[Figure]:
    heading = HEADINGS["theory"] + ": comparison of methods (theory side of C6)"
    subtitle = (f"Every local cost mu-strongly convex and L-smooth (mu = {fg.fmt(data['mu'])}, L = "
                f"{fg.fmt(data['L'])}), exact gradients. Critical step: the smallest exact critical "
                f"step over {data['n_quadratics']} random quadratics of the class and the two "
                "homogeneous ones (step parameters scaled together: LT-ADMM beta / gamma = "
                f"{fg.fmt(data['algorithms'][0]['beta'] / data['algorithms'][0]['gamma'])}, "
                "LED beta = gamma, K-GT eta_s = 1).")
    plots = comparison_plots(data)
    pages = []
    for start in range(0, len(plots), 6):
        fig = fg.new_page(heading, subtitle)
        chunk = plots[start:start + 6]
        rows = (len(chunk) + 1) // 2
        top = fg.body_top(subtitle) - 0.02
        axes = fg.axes_grid(fig, rows, 2, top=top, bottom=top - 0.27 * rows, hspace=0.45,
                            wspace=0.3)
        for ax, spec in zip(axes, chunk, strict=False):
            draw_plot(ax, spec)
        for ax in axes[len(chunk):]:
            ax.set_visible(False)
        pages.append(fig)
    certified = [c for c in data["cells"] if c["tau"] in data["certify_tau"]]
    if certified:
        note = (f"Certified linear rate per communication round at {fg.fmt(data['step_fraction'])} "
                "times the critical step, for every cost of the class (Lyapunov certificate, SPEC 6), "
                "beside the exact rate of the worst d = 1 quadratic found (a lower bound). Local "
                "DSGD's rate is towards its own fixed point, which is biased when the costs differ.")
        fig = fg.new_page(heading, note)
        fg.table(fig, fg.body_top(note),
                 ["algorithm", "graph", "tau", "critical step", "step", "certified rate",
                  "worst quadratic", "status"],
                 [[c["algorithm"], c["graph"], str(c["tau"]),
                   f"{c['step_parameter']} = {fg.fmt(c['critical_step'])}", fg.fmt(c["step"]),
                   fg.fmt(c["certified_rate"]), fg.fmt(c["quadratic_rate"]), c["status"]]
                  for c in certified],
                 [0.9, 1.0, 0.4, 1.2, 0.8, 0.9, 0.9, 1.4], wrap_chars=[0, 0, 0, 0, 0, 0, 0, 24],
                 size=6.5)
        pages.append(fig)
    return pages


# ---------------------------------------------------------------------------- registry
#: part name -> (title, provider), in page order
PARTS: dict[str, tuple[str, TheoryPart]] = {
    "cards": ("Theorem cards", compute_cards),
    "step_sizes": ("Admissible step size versus stability threshold", compute_step_sizes),
    "calibrated": ("Calibrated constants", compute_calibrated),
    "certified": ("Certified rates for the function class", compute_certified),
    "comparison": ("Comparison of methods: critical steps and certified rates", compute_comparison),
}


def compute_theory(config: dict[str, Any], instances: Instances) -> dict[str, Any]:
    """Every theory part's numbers, or the reason it is missing."""
    out: dict[str, Any] = {}
    for name, (title, provider) in PARTS.items():
        try:
            out[name] = {"title": title, "status": "ok", **provider(config, instances)}
        except Skipped as skipped:
            out[name] = {"title": title, "status": str(skipped)}
        except LTADMMVerifyError as error:
            out[name] = {"title": title, "status": f"could not be evaluated: {error}"}
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
        fig.text(fg.LEFT + 0.03, fg.body_top(subtitle), data["bound_latex"], fontsize=12, va="top")
        chunk = plots[start:start + 6]
        rows = (len(chunk) + 1) // 2
        top = fg.body_top(subtitle) - 0.06
        bottom = top - 0.27 * rows
        axes = fg.axes_grid(fig, rows, 2, top=top, bottom=bottom, hspace=0.45, wspace=0.3)
        for ax, spec in zip(axes, chunk, strict=False):
            draw_plot(ax, spec)
        for ax in axes[len(chunk):]:
            ax.set_visible(False)
        pages.append(fig)
        y = bottom - 0.05
    n_rows = sum(len(c["tau"]) for c in data["cases"])
    if y - (n_rows + 1) * 0.018 - 0.014 * len(data["cases"]) < 0.06:  # table, then a line per case
        pages.append(fg.new_page(HEADINGS["theory"] + ": step sizes, theorem versus threshold",
                                 subtitle))
        y = fg.body_top(subtitle)
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
    y = fg.table(fig, fg.BODY_TOP, ["constant", "value", "instances", "threshold method",
                                    "binding instance", "instance ranges", "trends of implied c"],
                 rows, [1.1, 0.7, 0.75, 1.0, 1.4, 1.9, 1.5], wrap_chars=[14, 0, 0, 14, 20, 30, 22],
                 size=7)
    flagged = [f"{c['name']}, trend along {t['parameter']}: {t['note']}" for c in data["constants"]
               for t in c["trends"] if t.get("flagged")]
    if flagged:
        fg.text_block(fig, y, "Flagged scaling trends (the implied constant drifts to 0 along a "
                      "family):\n" + "\n".join(flagged), size=8)
    return [fig]


DRAWERS: dict[str, Callable[[dict[str, Any]], list[Figure]]] = {
    "cards": _draw_cards,
    "step_sizes": _draw_step_sizes,
    "calibrated": _draw_calibrated,
    "certified": _draw_certified,
    "comparison": _draw_comparison,
}


def draw_theory(data: dict[str, Any]) -> list[Figure]:
    """Pages of the theory section (a page listing the parts that are skipped or failed first)."""
    pages = []
    missing = [part for part in data.values() if part["status"] != "ok"]
    if missing or not data:
        fig = fg.new_page(HEADINGS["theory"], "Parts of the theory section that were not computed.")
        y = fg.BODY_TOP
        for part in missing:
            y = fg.text_block(fig, y, f"{part['title']}: {part['status']}", size=10)
        pages.append(fig)
    for name, part in data.items():
        if part["status"] == "ok":
            pages += DRAWERS[name](part)
    return pages
