"""The set-up section: the graphs (drawings, Laplacian spectra) and the problems (constants with
provenance)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ...problems.base import FloatArray, Problem
from ...smoothness import estimate_smoothness
from .. import figures as fg
from .common import HEADINGS, Instances


def minibatch_variance(problem: Problem, x: FloatArray, batch_size: int) -> FloatArray:
    """Per-agent variance of the minibatch gradient at the point ``x`` (all agents at ``x``).

    ``sigma_i^2(x) = E||g_i(x) - grad f_i(x)||^2 = (1/|B|) (1/m_i) sum_h ||grad f_{i,h}(x) - grad f_i(x)||^2``
    for ``|B|`` samples drawn uniformly with replacement (SPEC 2.3).
    """
    X = np.broadcast_to(x, (problem.n_agents, problem.dim))
    per_sample = problem.all_sample_gradients(X)
    m = problem.n_samples
    valid = np.arange(problem.max_samples)[None, :] < m[:, None]
    dev = per_sample - problem.local_gradients(X)[:, None, :]
    sq = np.where(valid, (dev**2).sum(axis=2), 0.0)
    return np.asarray(sq.sum(axis=1) / m / batch_size)


def compute_setup(config: dict[str, Any], instances: Instances) -> dict[str, Any]:
    """Graphs (size, degrees, Laplacian spectrum) and problems (L, mu, sigma^2 with provenance)."""
    setup = config["setup"]
    graphs = {}
    for name, net in instances.networks.items():
        graphs[name] = {
            **net.describe(),
            "eigenvalues": np.linalg.eigvalsh(net.laplacian).tolist(),
            "edges": [[int(u), int(v)] for u, v in zip(net.edge_source, net.edge_target, strict=True)
                      if u < v],
        }
    problems = {}
    for name, prob in instances.problems.items():
        est = estimate_smoothness(prob, n_points=setup["smoothness_points"], seed=setup["data_seed"])
        x_star = prob.optimum()
        at = np.zeros(prob.dim) if x_star is None else x_star
        var = minibatch_variance(prob, at, setup["batch_size"])
        cert = est.certified
        problems[name] = {
            "title": prob.name,
            "dim": prob.dim,
            "n_samples_min": int(prob.n_samples.min()),
            "n_samples_max": int(prob.n_samples.max()),
            "convex": prob.is_convex,
            "smoothness": [{**row, "provenance": "certified" if row["method"] == "certified"
                            else ("lower bound" if "lower" in str(row["method"]) else "estimated")}
                           for row in est.rows()],
            "mu": cert.mu,
            "mu_how": cert.how if cert.mu is not None else "not strongly convex / unknown",
            "sigma2": float(var.max()),
            "sigma2_how": (f"exact minibatch variance max_i (1/|B| m_i) sum_h ||grad f_ih - grad f_i||^2 "
                           f"at {'x*' if x_star is not None else 'x = 0'}, |B| = {setup['batch_size']}, "
                           "with replacement"),
        }
    return {
        "agents": setup["agents"],
        "data_seed": setup["data_seed"],
        "graphs": graphs,
        "problems": problems,
        "gaussian_sigma2": config["checks"]["sigma2"],
    }


def draw_setup(data: dict[str, Any]) -> list[Figure]:
    """Graph drawings beside their spectra; a table of problem constants."""
    import networkx as nx

    pages = []
    names = list(data["graphs"])
    per_page = 3
    for start in range(0, len(names), per_page):
        chunk = names[start:start + per_page]
        fig = fg.new_page(HEADINGS["setup"] + ": graphs and Laplacian spectra",
                          f"N = {data['agents']} agents; random graphs seeded by data_seed = "
                          f"{data['data_seed']}. L_G = D - A; lambda_l = smallest nonzero, "
                          "lambda_u = largest eigenvalue.")
        axes = fg.axes_grid(fig, per_page, 2, wspace=0.25, hspace=0.4)
        for row, name in enumerate(chunk):
            g = data["graphs"][name]
            graph = nx.Graph()
            graph.add_nodes_from(range(g["n_agents"]))
            graph.add_edges_from(map(tuple, g["edges"]))
            fg.draw_graph(axes[2 * row], graph,
                          f"{name}: |E| = {g['n_edges']}, degrees {g['min_degree']}..{g['max_degree']}")
            fg.draw_spectrum(axes[2 * row + 1], g["eigenvalues"], g["lambda_l"], g["lambda_u"],
                             f"{name}: spectrum of $L_G$")
        for ax in axes[2 * len(chunk):]:
            ax.set_visible(False)
        pages.append(fig)

    fig = fg.new_page(HEADINGS["setup"] + ": problems and their constants",
                      "F = sum_i f_i (a sum over agents); L = per-sample smoothness of the theorems.")
    y = fg.BODY_TOP
    for name, p in data["problems"].items():
        y = fg.text_block(fig, y, f"{name}: {p['title']}  (d = {p['dim']}, m_i = "
                          f"{p['n_samples_min']}..{p['n_samples_max']}, convex: {p['convex']})",
                          size=10, weight="bold")
        rows = [[r["level"], r["method"], r["provenance"], fg.fmt(r["value"]), str(r["how"])]
                for r in p["smoothness"]]
        rows.append(["mu (min_i mu_i)", "closed form" if p["mu"] is not None else "-",
                     "certified" if p["mu"] is not None else "n/a", fg.fmt(p["mu"]), p["mu_how"]])
        rows.append(["sigma^2 (minibatch)", "exact variance", "computed", fg.fmt(p["sigma2"]),
                     p["sigma2_how"]])
        y = fg.table(fig, y, ["constant", "method", "provenance", "value", "how obtained"], rows,
                     [1.3, 1.4, 1.0, 0.9, 3.6], wrap_chars=[18, 20, 14, 12, 52], size=7.5)
    sig = ", ".join(fg.fmt(s) for s in data["gaussian_sigma2"])
    fg.text_block(fig, y, "Additive Gaussian gradient noise used by the checks (SPEC 2.3, "
                  f"E||xi||^2 = sigma^2 exactly; provenance: configuration): sigma^2 in {{{sig}}}.")
    pages.append(fig)
    return pages
