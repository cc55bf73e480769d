"""R (unreliable networks, SPEC 8): message loss, bursts, inactive agents, compression, channel noise.

Not claims of the paper: what survives when the network is unreliable. On a quadratic with
``unreliable.agents`` agents in dimension ``unreliable.dim`` (seeded by ``setup.data_seed``), every
algorithm (LT-ADMM with the report's penalty settings, LED, K-GT, local DSGD, ``tau =
checks.base_tau``) runs at ``unreliable.step_fraction`` of its critical step without loss:

- exact mean-square radius against the loss probability on every graph of ``unreliable.graphs``
  (:func:`ltadmm_verify.theory.unreliable.loss_model`), and the mean-square critical step against
  the loss on ``unreliable.critical_graphs`` (a table, no verdict);
- exact floors against the channel-noise variance (LT-ADMM and LED), with the Monte Carlo floors
  of check R4;
- Monte Carlo curves of LT-ADMM on the first graph under i.i.d. loss, Gilbert-Elliott bursts of
  the same mean loss, inactive agents and compression;
- the checks R1-R4 of :mod:`ltadmm_verify.verify.unreliable`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...algorithms import KGT, LED, LTADMM, LTADMMVR, Algorithm, LocalDSGD
from ...algorithms.channel import Channel, GilbertElliott, RandK, StochasticQuantize, TopK
from ...algorithms.run import replica_loop
from ...claims import CLAIMS
from ...network import Network, make_network
from ...problems import Problem, random_least_squares, random_quadratic
from ...theory.exact import critical_step_size
from ...theory.unreliable import channel_noise_floor, loss_model, mean_square_critical_step
from ...verify.experiments import MonteCarlo
from ...verify.result import CheckResult
from ...verify.unreliable import (
    STATEMENTS,
    check_exact_under_loss,
    check_noise_floor_linear,
    check_vr_under_loss,
)
from ..figures import fmt
from ..plots import plot_spec, series
from .common import ClaimOutcome, Instances

CLAIM = "R"
#: graph -> algorithm name -> the algorithm at its step on that graph
Chosen = dict[str, dict[str, Algorithm]]
#: accuracy of the critical steps of the table
CRITICAL_RTOL = 1e-3
#: algorithms of the critical-step table (R1's LT-ADMM; LED, whose critical step jumps at p = 0+)
CRITICAL_ALGORITHMS = ("LT-ADMM", "LED")


def algorithms(config: dict[str, Any], problem: Problem, network: Network) -> dict[str, Algorithm]:
    """Every algorithm at ``unreliable.step_fraction`` of its critical step on ``network``."""
    alg, tau = config["algorithm"], config["checks"]["base_tau"]
    base: dict[str, Algorithm] = {
        "LT-ADMM": LTADMM(gamma=0.1, beta=0.1 * alg["beta_ratio"], rho=alg["rho"], tau=tau,
                          penalty=alg["penalty"]),
        "LED": LED(gamma=0.1, beta=0.1, tau=tau),
        "K-GT": KGT(eta_c=0.1, eta_s=1.0, tau=tau),
        "local DSGD": LocalDSGD(gamma=0.1, tau=tau),
    }
    fraction = config["unreliable"]["step_fraction"]
    return {name: a.with_step(fraction * critical_step_size(a, problem, network, rtol=CRITICAL_RTOL))
            for name, a in base.items()}


def select(config: dict[str, Any]) -> tuple[Problem, dict[str, Network]]:
    """The quadratic and the graphs of ``[unreliable]``."""
    u, seed = config["unreliable"], config["setup"]["data_seed"]
    problem = random_quadratic(u["agents"], u["dim"], seed=seed)
    graphs = dict.fromkeys([*u["graphs"], *u["critical_graphs"]])
    return problem, {g: make_network(g, u["agents"], seed=seed) for g in graphs}


def _mc(config: dict[str, Any], offset: int) -> MonteCarlo:
    c = config["checks"]
    base = config["report"]["seed"] * 100000 + 10000 * list(CLAIMS).index(CLAIM) + 1000 * offset
    return MonteCarlo(seeds=c["seeds"], rounds=config["unreliable"]["rounds"], base_seed=base)


def radius_curves(config: dict[str, Any], problem: Problem, networks: dict[str, Network],
                  chosen: Chosen) -> dict[str, dict[str, list[float]]]:
    """``{graph: {algorithm: mean-square radius at every loss of unreliable.losses}}``."""
    losses = config["unreliable"]["losses"]
    out: dict[str, dict[str, list[float]]] = {}
    for graph in config["unreliable"]["graphs"]:
        network = networks[graph]
        models = {name: loss_model(a, problem, network) for name, a in chosen[graph].items()}
        out[graph] = {name: [model.radius(p) for p in losses] for name, model in models.items()}
    return out


def critical_table(config: dict[str, Any], problem: Problem, networks: dict[str, Network],
                   chosen: Chosen) -> dict[str, dict[str, list[float]]]:
    """``{graph: {algorithm: mean-square critical step at every loss of critical_losses}}`` for the
    algorithms of :data:`CRITICAL_ALGORITHMS`."""
    losses = config["unreliable"]["critical_losses"]
    out: dict[str, dict[str, list[float]]] = {}
    for graph in config["unreliable"]["critical_graphs"]:
        network = networks[graph]
        out[graph] = {name: [mean_square_critical_step(chosen[graph][name], problem, network, loss=p,
                                                       rtol=CRITICAL_RTOL) for p in losses]
                      for name in CRITICAL_ALGORITHMS}
    return out


def check(config: dict[str, Any], problem: Problem, networks: dict[str, Network],
          chosen_by_graph: Chosen) -> list[CheckResult]:
    """R1 (LT-ADMM), R2 (LT-ADMM-VR on the first problem of checks.problems), R3 (LED, K-GT) and R4
    (LT-ADMM) on the first graph, at loss ``unreliable.check_loss``."""
    u = config["unreliable"]
    graph = u["graphs"][0]
    network = networks[graph]
    chosen = chosen_by_graph[graph]
    p = u["check_loss"]
    results = [check_exact_under_loss("R1", chosen["LT-ADMM"], problem, network, loss=p,
                                      mc=_mc(config, 0))]
    results += [check_exact_under_loss(f"R3 ({name})", chosen[name], problem, network, loss=p,
                                       mc=_mc(config, 1)) for name in ("LED", "K-GT")]
    finite_sum = random_least_squares(u["agents"], u["dim"], config["setup"]["samples"],
                                      seed=config["setup"]["data_seed"])
    lt = chosen["LT-ADMM"]
    assert isinstance(lt, LTADMM)
    vr_step = 0.5 * lt.gamma
    vr = LTADMMVR(gamma=vr_step, beta=vr_step * config["algorithm"]["beta_ratio"], rho=lt.rho,
                  tau=lt.tau, penalty=lt.penalty, batch_size=config["checks"]["batch_size"])
    results.append(check_vr_under_loss(vr, finite_sum, network, loss=p, mc=_mc(config, 2)))
    results.append(check_noise_floor_linear(lt, problem, network, variances=u["channel_noise"],
                                            mc=_mc(config, 3)))
    return results


def channel_curves(config: dict[str, Any], problem: Problem, network: Network,
                   chosen: dict[str, Algorithm]) -> dict[str, list[float]]:
    """Mean ``M_k`` of LT-ADMM over the Monte Carlo seeds for each channel of :func:`channels`."""
    algorithm = chosen["LT-ADMM"]
    mc = _mc(config, 4)
    seeds = [mc.seed(0, s) for s in range(mc.seeds)]
    out = {}
    for label, channel in channels(config).items():
        runs = replica_loop(algorithm, problem, network, mc.rounds, seeds, channel=channel)
        curves = [np.asarray(r.history["stationarity"]) for r in runs if r.status == "completed"]
        out[label] = np.mean(curves, axis=0).tolist() if curves else []
    return out


def channels(config: dict[str, Any]) -> dict[str, Channel]:
    """The channels of the Monte Carlo curves: i.i.d. loss, bursts of the same mean loss (bad spells
    of 5 rounds on average), inactive agents, compression."""
    p = config["unreliable"]["check_loss"]
    bad_to_good = 0.2
    good_to_bad = bad_to_good * p / (0.9 - p) if p < 0.9 else 1.0
    return {"ideal": Channel(), f"i.i.d. loss {fmt(p)}": Channel(loss=p),
            f"bursts (mean loss {fmt(p)})": Channel(loss=GilbertElliott(0.9, good_to_bad, bad_to_good)),
            f"activation {fmt(1 - p)}": Channel(activation=1 - p),
            "top-k 50 %": Channel(compression=TopK(0.5)),
            "rand-k 50 % (unbiased)": Channel(compression=RandK(0.5, unbiased=True)),
            "QSGD 2 levels": Channel(compression=StochasticQuantize(2))}


def noise_floors(config: dict[str, Any], problem: Problem, network: Network,
                 chosen: dict[str, Algorithm]) -> dict[str, list[float]]:
    """Exact stationarity floors against ``unreliable.channel_noise`` of the algorithms that have one
    (LT-ADMM, local DSGD; LED and K-GT drift under channel noise: no floor, see the notes)."""
    return {name: [channel_noise_floor(chosen[name], problem, network, variance=v)["stationarity"]
                   for v in config["unreliable"]["channel_noise"]] for name in ("LT-ADMM", "local DSGD")}


def drift(config: dict[str, Any], problem: Problem, network: Network,
          chosen: dict[str, Algorithm]) -> dict[str, list[float]]:
    """Mean ``||x_bar_k - x*||^2`` of LED and K-GT from ``x*`` under the largest channel noise, at
    rounds ``0, R/4, R/2, 3R/4, R`` (``R = 4 unreliable.rounds``): the drift of a random walk."""
    mc = _mc(config, 5)
    rounds = 4 * mc.rounds
    seeds = [mc.seed(0, s) for s in range(mc.seeds)]
    channel = Channel(noise=max(config["unreliable"]["channel_noise"]))
    out = {}
    for name in ("LED", "K-GT"):
        runs = replica_loop(chosen[name], problem, network, rounds, seeds, x0=problem.optimum(),
                            channel=channel, record_every=rounds // 4)
        out[name] = np.mean([r.history["dist_sq"] for r in runs], axis=0).tolist()
    return out


def figures(config: dict[str, Any], data: dict[str, Any], results: list[CheckResult]
            ) -> list[dict[str, Any]]:
    """Radius against loss (one plot per graph), floors against channel noise, Monte Carlo curves."""
    u = config["unreliable"]
    out = [plot_spec(f"R: mean-square radius against loss, {graph} N={u['agents']}",
                     "loss probability p", "mean-square radius (< 1: converges in mean square)",
                     [series(name, u["losses"], values, kind="points")
                      for name, values in curves.items()])
           for graph, curves in data["radius"].items()]
    r4 = next((r for r in results if r.claim == "R4"), None)
    lines = [series(f"{name} (exact)", u["channel_noise"], values)
             for name, values in data["floors"].items()]
    if r4 is not None and "floors" in r4.evidence:
        floors, widths = np.array(r4.evidence["floors"]), np.array(r4.evidence["floor_half_widths"])
        lines.append(series("LT-ADMM (Monte Carlo, R4)", u["channel_noise"], floors, kind="points",
                            low=floors - widths, high=floors + widths))
    out.append(plot_spec(f"R4: floor against channel noise, {u['graphs'][0]}",
                         "channel-noise variance sigma_c^2", "floor lim E[M_k]", lines,
                         xscale="log", yscale="log"))
    curves = [series(label, np.arange(len(values)), values)
              for label, values in data["channels"].items() if values]
    out.append(plot_spec(f"R: LT-ADMM on unreliable channels, {u['graphs'][0]} (mean of "
                         f"{config['checks']['seeds']} seeds)", "communication round k",
                         "E[M_k] (stationarity measure)", curves, yscale="log"))
    return out


def tables(config: dict[str, Any], data: dict[str, Any]) -> list[dict[str, Any]]:
    """The mean-square critical steps against loss."""
    losses = config["unreliable"]["critical_losses"]
    rows = [[graph, name, *(fmt(v) for v in values)]
            for graph, steps in data["critical"].items() for name, values in steps.items()]
    return [{"title": "mean-square critical step (first step parameter: gamma, eta_c for K-GT; "
                      "ratios kept) against the loss probability p (no verdict)",
             "header": ["graph", "algorithm", *(f"p = {fmt(p)}" for p in losses)], "rows": rows}]


def section(config: dict[str, Any], instances: Instances) -> ClaimOutcome:
    """Checks, figures, the critical-step table and notes."""
    problem, networks = select(config)
    chosen = {graph: algorithms(config, problem, network) for graph, network in networks.items()}
    first_graph = config["unreliable"]["graphs"][0]
    first = networks[first_graph]
    data: dict[str, Any] = {
        "radius": radius_curves(config, problem, networks, chosen),
        "critical": critical_table(config, problem, networks, chosen),
        "floors": noise_floors(config, problem, first, chosen[first_graph]),
        "drift": drift(config, problem, first, chosen[first_graph]),
        "channels": channel_curves(config, problem, first, chosen[first_graph]),
    }
    results = check(config, problem, networks, chosen)
    u = config["unreliable"]
    notes = [
        "Not claims of the paper: findings about unreliable networks (SPEC 8). " +
        " ".join(f"{key}: {text}." for key, text in STATEMENTS.items()),
        f"Quadratic with N = {u['agents']}, d = {u['dim']} (seed {config['setup']['data_seed']}); "
        f"every algorithm at {fmt(u['step_fraction'])} x its critical step without loss, tau = "
        f"{config['checks']['base_tau']}. A lost message holds LT-ADMM's z_ij; a lost neighbour value "
        "is replaced by the receiver's own in LED, K-GT and local DSGD.",
        "The mean-square radius is exact (second moment of the traced round under every "
        "single-message loss); at p = 0 it is the squared spectral radius. For p > 0 a loss excites "
        "modes the ideal round never reaches, so the radius may jump at p = 0+. Mixing algorithms "
        "share a continuum of fixed points across loss patterns (any consensus point with matching "
        "corrections): the radius measures convergence to that set, and R3 shows where they settle.",
    ]
    rounds = 4 * u["rounds"]
    notes.append("Channel noise: LT-ADMM and local DSGD settle at a floor; LED and K-GT have none. "
                 "Their invariant sum_i y_i = 0 (sum_i c_i = 0) needs an exactly doubly stochastic "
                 "mixing; noisy messages make it random-walk, so the consensus point drifts. Mean "
                 f"||x_bar_k - x*||^2 from x* at sigma_c^2 = {fmt(max(u['channel_noise']))}, rounds "
                 f"0..{rounds} in quarters: " + "; ".join(
                     f"{name} " + ", ".join(fmt(v) for v in values)
                     for name, values in data["drift"].items()) + ".")
    for result in results:
        if result.claim.startswith("R3") and "mean_limit_bias_ratio" in result.evidence:
            notes.append(f"{result.claim}: E||x_inf - 1x*||^2 / ||1x*||^2 = "
                         f"{fmt(result.evidence['exact_limit_ratio'])} while the mean of the limit is "
                         f"at ||E[x_bar_inf] - x*||^2 / ||x*||^2 = "
                         f"{fmt(result.evidence['mean_limit_bias_ratio'])}: unbiased in mean, random "
                         "around it.")
    return ClaimOutcome(results, figures(config, data, results), notes, tables(config, data),
                        seeds=config["checks"]["seeds"], data=data)
