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
    """Theorem's admissible ``gamma`` (card C3) versus measured stability thresholds, over ``tau``.

    For each (problem, graph) of the set-up and each ``tau`` of ``theory.tau``:
    :func:`ltadmm_verify.theory.calibrate.calibrate` on card C3 gives the threshold (exact critical step
    on quadratics, empirical divergence threshold otherwise) and the constant ``c`` the instance
    implies; the theorem's bound ``c_gamma lambda_l / (L tau^2)`` is evaluated by the card itself.
    """
    claims = require("ltadmm_verify.theory.claims", "get_card", "Instance")
    cal = require("ltadmm_verify.theory.calibrate", "calibrate", "CalibrationCase")
    algorithms = require("ltadmm_verify.algorithms", "LTADMM")
    card = claims.get_card("C3")
    alg = config["algorithm"]
    taus = config["theory"]["tau"]
    step = card.step_bound(alg["beta_ratio"])
    const = card.constants_in(step)
    cases = []
    for pname, problem in instances.problems.items():
        for gname, network in instances.networks.items():
            batch = [cal.CalibrationCase(problem, network, t, alg["rho"], alg["beta_ratio"],
                                         alg["penalty"], label=f"{pname} / {gname} / tau={t}")
                     for t in taus]
            result = cal.calibrate(card, batch, rounds=config["theory"]["divergence_rounds"],
                                   trend_parameters=("tau",))
            admissible = []
            for t in taus:
                algo = algorithms.LTADMM(gamma=1.0, beta=alg["beta_ratio"], rho=alg["rho"], tau=t,
                                         penalty=alg["penalty"])
                admissible.append(card.evaluate(step, claims.Instance(problem, network, algo).values()))
            thresholds = [p.threshold for p in result.points]
            cases.append({
                "problem": pname, "graph": gname, "tau": list(taus),
                "admissible": admissible,
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
                      for c in const],
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
        y = fg.text_block(fig, y, card["statement"], size=8, width=120)
        for line, ok in zip(card["latex"], card["latex_renders"], strict=True):
            fig.text(fg.LEFT + 0.03, y, line if ok else line.strip("$"), fontsize=12, va="top")
            y -= 0.035
        for h in card["hypotheses"]:
            y = fg.text_block(fig, y, f"hypothesis: {h}", size=7.5, width=130, x=fg.LEFT + 0.03)
        for c in card["constants"]:
            value = "unknown" if c["value"] is None else f"{fg.fmt(c['value'])} ({c['provenance']})"
            y = fg.text_block(fig, y, f"constant {c['name']} = {value}: {c['description']}",
                              size=7.5, width=130, x=fg.LEFT + 0.03)
        y = fg.text_block(fig, y, f"provenance: {card['provenance']}", size=7, width=140,
                          x=fg.LEFT + 0.03) - 0.01
    return pages


def step_size_plots(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One plot specification per (problem, graph): admissible gamma and threshold against tau."""
    consts = ", ".join(f"{c['name']} = {fg.fmt(c['value'])} ({c['provenance']})"
                       for c in data["constants"])
    plots = []
    for case in data["cases"]:
        exact = all(m == "exact critical step" for m in case["method"])
        plots.append(plot_spec(
            f"{case['problem']} on {case['graph']}", "local steps tau (count)",
            "step size gamma (dimensionless)",
            [series(f"theorem C3 ({consts})", case["tau"], case["admissible"]),
             series("exact critical step" if exact else
                    f"empirical divergence threshold ({data['divergence_rounds']} rounds)",
                    case["tau"], case["threshold"], kind="points")],
            xscale="log", yscale="log"))
    return plots


def _draw_step_sizes(data: dict[str, Any]) -> list[Figure]:
    pages = []
    plots = step_size_plots(data)
    for start in range(0, len(plots), 6):
        fig = fg.new_page(HEADINGS["theory"] + ": admissible step size versus stability threshold",
                          f"rho = {fg.fmt(data['rho'])}, beta = {fg.fmt(data['beta_ratio'])} gamma, "
                          f"penalty {data['penalty']}; theorem bound typeset below.")
        fig.text(fg.LEFT + 0.03, fg.BODY_TOP, data["bound_latex"], fontsize=12, va="top")
        chunk = plots[start:start + 6]
        axes = fg.axes_grid(fig, 3, 2, top=fg.BODY_TOP - 0.06, hspace=0.45, wspace=0.3)
        for ax, spec in zip(axes, chunk, strict=False):
            draw_plot(ax, spec)
        for ax in axes[len(chunk):]:
            ax.set_visible(False)
        pages.append(fig)
    fig = fg.new_page(HEADINGS["theory"] + ": how conservative is the theorem's step size?",
                      "threshold / admissible: how many times larger the measured stability limit is "
                      "than the theorem's gamma (>= 1 means the bound is safe on this instance).")
    rows = []
    for case in data["cases"]:
        for t, a, th, ratio, c in zip(case["tau"], case["admissible"], case["threshold"],
                                      case["conservatism"], case["implied_constant"], strict=True):
            rows.append([case["problem"], case["graph"], str(t), fg.fmt(a), fg.fmt(th),
                         fg.fmt(ratio), fg.fmt(c)])
    y = fg.table(fig, fg.BODY_TOP, ["problem", "graph", "tau", "theorem gamma", "threshold",
                                    "threshold / theorem", "implied c"], rows,
                 [1.2, 1.0, 0.5, 1.0, 1.0, 1.1, 0.9], size=6.5)
    lines = [f"{c['problem']} / {c['graph']}: largest c every tau admits = "
             f"{fg.fmt(c['calibrated_here'])}; trend of implied c along tau: "
             + (", ".join(f"slope {fg.fmt(t['slope'])}{' FLAGGED: ' + t['note'] if t['flagged'] else ''}"
                          for t in c["trends"]) or "n/a") for c in data["cases"]]
    fg.text_block(fig, y, "\n".join(lines), size=7, width=150)
    pages.append(fig)
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
