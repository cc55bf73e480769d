r"""The fair comparison of the digits reproduction (SPEC 5 and 9): tuning, evaluation, the C6 verdict.

For every split (i.i.d., label-skewed) and every method (LT-ADMM, LT-ADMM-VR, LED, K-GT, local
DSGD):

1. **Tuning, the same budget for every method.** For each ``tau`` of the method's declared ``tau``
   range (:meth:`~.config.ReproductionConfig.taus`), every other declared tunable parameter
   (``tuning_ranges`` of the algorithm class: LT-ADMM ``gamma``, ``beta/gamma``, ``rho``,
   ``alpha``; LED ``gamma``, ``beta/gamma``; K-GT ``eta_c``, ``eta_s``; local DSGD ``gamma``) is
   tuned by :func:`~ltadmm_verify.verify.tuning.compass_search` with ``2 budget`` configurations
   (the centre of the ranges, ``explore`` quasi-random points, then coordinate moves; ranges
   extended from a best value on an edge, at most ``max_extensions`` times per end). The
   search is budget-independent, so the results at ``budget / 2`` and ``budget`` are its prefixes.
2. **The claim's quantity, on tuning seeds.** A configuration runs ``tune_rounds`` rounds on each
   tuning seed; its score is the mean round at which the test accuracy first reaches the target
   when every tuning seed reaches it, otherwise the mean training objective ``F(x_bar_k)`` over
   the recorded rounds (a configuration that reaches the target always ranks first); a diverged
   run ranks last. Within one ``(method, tau)`` a round costs the same at every cost ratio, so this
   ranks by modelled time at any ratio. Across ``tau`` (and across methods), the modelled time to
   the target at the ratio ``r`` decides (:func:`selection_key`), still on the tuning seeds.
3. **Evaluation on disjoint seeds.** The chosen configurations run ``rounds`` rounds on seeds
   ``0..eval_seeds-1``; the time to target is the modelled time of the first recorded round with
   test accuracy ``>= target`` (between the previous record and that one: the resolution).
4. **Cost model** (SPEC 2.4 with the exact counters), in units of ``t_grad`` (one minibatch
   gradient of ``|B|`` samples at every agent):

   .. math:: T_k = \frac{\text{grad\_evals}_k}{N |B|} + r\,\frac{\text{messages}_k}{2|E|},
             \qquad r = t_{comm} / t_{grad},

   that is ``k (tau + r)`` for LT-ADMM, LED and local DSGD, ``k (tau + 2 r)`` for K-GT (two
   broadcasts per round) and ``k (tau + m_i/|B| + r)`` for LT-ADMM-VR (its per-round full local
   gradient is charged).
5. **Verdict** (:meth:`SplitResult.c6_check`): at each ratio, the faster family member chosen on
   the tuning seeds (LT-ADMM or LT-ADMM-VR) against the fastest baseline chosen the same way; the
   measured number is the ratio of their mean evaluation times, with a paired percentile bootstrap
   interval over the evaluation seeds, widened by the recording resolution; "faster" is a PASS only
   if the whole interval lies below 1 (SPEC 4), and fewer than
   :data:`~.config.MIN_BOOTSTRAP_SEEDS` seeds give no interval (INCONCLUSIVE).
6. **Before a verdict stands**: both winners' searches moved every declared parameter (else the
   comparison rests on an untuned parameter), and doubling the budget does not change the verdict;
   otherwise INCONCLUSIVE, with the reason.
7. **Sensitivity**: the same verdict with the budget halved and doubled.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..algorithms import Algorithm
from ..network import Network, make_network
from ..problems import accuracy, digits
from ..problems.base import FloatArray
from ..problems.linear_models import LinearModelProblem
from ..solve import run_replicas
from ..verify.result import CheckResult
from ..verify.tuning import Score, Trial, TuningRecord, compass_search
from .config import BASELINES, LT_FAMILY, MIN_BOOTSTRAP_SEEDS, ReproductionConfig, base_algorithm

#: recorded quantities of an evaluation run
KEEP = ("round", "grad_evals", "messages", "stationarity", "objective", "accuracy")


@functools.lru_cache(maxsize=4)
def instance(config: ReproductionConfig, split: str) -> tuple[LinearModelProblem, Network]:
    """The digits problem dealt by ``split`` and its network (built once per process)."""
    problem = digits(config.n_agents, split, seed=config.data_seed)  # type: ignore[arg-type]
    return problem, make_network(config.graph, config.n_agents, seed=config.data_seed)


def runs(algorithm: Algorithm, problem: LinearModelProblem, network: Network, rounds: int,
         seeds: list[int], record_every: int) -> list[dict[str, np.ndarray]]:
    """Histories of ``algorithm`` on every seed (one vectorised run of replicas), with the test
    accuracy of ``x_bar`` recorded.

    The step-size check is off: tuning explores on purpose and divergence is an outcome.
    """
    test_set = problem.test_set
    assert test_set is not None

    def test_accuracy(X: FloatArray) -> float:
        return accuracy(problem, X.mean(axis=0), test_set)

    out = []
    for res in run_replicas(algorithm, problem, network, rounds, seeds, record_every=record_every,
                            observers={"accuracy": test_accuracy}, check="off"):
        hist = {k: np.asarray(res.history[k]) for k in KEEP}
        hist["diverged"] = np.array(res.status == "diverged")
        out.append(hist)
    return out


def first_reach(values: FloatArray, target: float) -> int | None:
    """Index of the first entry ``>= target`` (``None`` if none)."""
    hits = np.flatnonzero(np.asarray(values) >= target)
    return int(hits[0]) if hits.size else None


@dataclass(frozen=True)
class CostModel:
    """``T = grad_evals / grad_unit + ratio * messages / comm_unit`` (units of ``t_grad``)."""

    grad_unit: float
    comm_unit: float

    def time(self, history: dict[str, np.ndarray], ratio: float) -> FloatArray:
        """Modelled time at every recorded round."""
        return np.asarray(history["grad_evals"] / self.grad_unit
                          + ratio * history["messages"] / self.comm_unit, dtype=np.float64)

    def per_round(self, history: dict[str, np.ndarray]) -> tuple[float, float]:
        """``(gradient units, message units)`` per round (constant for every method)."""
        k = float(history["round"][-1])
        return (float(history["grad_evals"][-1]) / k / self.grad_unit,
                float(history["messages"][-1]) / k / self.comm_unit)


def reach_time(history: dict[str, np.ndarray], target: float, cost: CostModel, ratio: float
               ) -> tuple[float, float]:
    """``(low, high)`` modelled time to the first round with test accuracy ``>= target``.

    That round lies after the record before the first hit and at most at the first hit: ``high``
    is the first hit's time, ``low`` the time one round after the previous record (equal to
    ``high`` when every round is recorded); ``inf`` if never reached or diverged.
    """
    idx = first_reach(history["accuracy"], target)
    if idx is None or bool(history.get("diverged", False)):
        return math.inf, math.inf
    t = cost.time(history, ratio)
    if idx == 0:
        return float(t[0]), float(t[0])
    rounds = history["round"]
    one_round = (t[idx] - t[idx - 1]) / float(rounds[idx] - rounds[idx - 1])
    return float(t[idx - 1] + one_round), float(t[idx])


def tuning_score(problem: LinearModelProblem, network: Network, config: ReproductionConfig
                 ) -> Callable[[Algorithm], tuple[Score, dict[str, Any]]]:
    """The score of a configuration on the tuning seeds (module docstring, step 2)."""
    seeds = config.tuning_seeds()
    cost = cost_model(problem, network, config)

    def score(algorithm: Algorithm) -> tuple[Score, dict[str, Any]]:
        hists = runs(algorithm, problem, network, config.tune_rounds, seeds, config.tune_record_every)
        if any(bool(h["diverged"]) for h in hists):
            return (2.0, math.inf, math.inf), {"status": "diverged", "seeds": seeds}
        hit = [first_reach(h["accuracy"], config.target_accuracy) for h in hists]
        rounds = [None if i is None else int(h["round"][i]) for i, h in zip(hit, hists, strict=True)]
        objective = float(np.mean([h["objective"].mean() for h in hists]))
        grad, comm = cost.per_round(hists[0])
        details = {"seeds": seeds, "rounds_to_target": rounds, "mean_objective": objective,
                   "per_round_cost": {"grad": grad, "comm": comm}}
        if all(r is not None for r in rounds):
            return (0.0, float(np.mean([r for r in rounds if r is not None])), objective), details
        return (1.0, objective, 0.0), details

    return score


def cost_model(problem: LinearModelProblem, network: Network, config: ReproductionConfig) -> CostModel:
    """Units: one minibatch gradient at every agent, one vector on every directed edge."""
    return CostModel(float(problem.n_agents * config.batch_size), float(network.n_directed_edges))


def selection_key(trial: Trial, ratio: float) -> tuple[float, float]:
    """How a tuned configuration ranks at ``ratio``: modelled time to target on the tuning seeds
    (if every tuning seed reached it), else the mean training objective after those."""
    category, value = trial.score[0], trial.score[1]
    if category == 0.0:
        per = trial.details["per_round_cost"]
        return 0.0, value * (per["grad"] + ratio * per["comm"])
    return category, value


@dataclass
class Choice:
    """The configuration chosen for one method at one ratio and budget (on the tuning seeds)."""

    method: str
    tau: int
    trial: Trial
    key: tuple[float, float]

    @property
    def config_key(self) -> str:
        """Identifies the configuration (shared by every ratio / budget that chose it)."""
        values = ",".join(f"{k}={v:.6g}" for k, v in sorted(self.trial.values.items()))
        return f"{self.method}/tau={self.tau}/{values}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view: the tuned parameters by name and how they ranked."""
        return {"method": self.method, "tau": self.tau, "tuned": self.trial.values,
                "tuning_score": list(self.trial.score), "selection_key": list(self.key),
                "configuration": self.config_key}


@dataclass
class Evaluation:
    """The evaluation runs of one chosen configuration."""

    method: str
    tau: int
    parameters: dict[str, Any]
    seeds: list[int]
    runs: list[dict[str, np.ndarray]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view (every recorded curve)."""
        return {"method": self.method, "tau": self.tau, "parameters": self.parameters,
                "seeds": self.seeds,
                "runs": [{k: np.asarray(v).tolist() for k, v in h.items()} for h in self.runs]}


def bootstrap_ratio(lt: np.ndarray, base: np.ndarray, draws: int, confidence: float = 0.95,
                    seed: int = 0) -> tuple[float, float]:
    r"""Paired percentile bootstrap interval of ``mean(lt) / mean(base)`` over seeds.

    ``lt`` and ``base`` are ``(S, 2)``: per evaluation seed the ``(low, high)`` time to target
    (the crossing lies between them). Each draw resamples the seeds (the same for both methods)
    and forms the smallest and the largest ratio the resolution allows,
    ``mean(lt_low) / mean(base_high)`` and ``mean(lt_high) / mean(base_low)``; the interval runs from
    the lower percentile of the first to the upper percentile of the second (order statistics: a
    draw may be ``inf``). A draw in which neither reaches the target is undecided (``nan``): if more
    than the tails' share of draws are, the interval is ``(0, inf)``.
    """
    rng = np.random.default_rng(seed)
    n = lt.shape[0]
    idx = rng.integers(0, n, size=(draws, n))
    with np.errstate(invalid="ignore", divide="ignore"):
        low = lt[idx, 0].mean(axis=1) / base[idx, 1].mean(axis=1)
        high = lt[idx, 1].mean(axis=1) / base[idx, 0].mean(axis=1)
    tail = 0.5 * (1.0 - confidence)
    if np.mean(np.isnan(low) | np.isnan(high)) > tail:
        return 0.0, math.inf
    low, high = np.where(np.isnan(low), 0.0, low), np.where(np.isnan(high), math.inf, high)
    return (float(np.percentile(low, 100 * tail, method="lower")),
            float(np.percentile(high, 100 * (1 - tail), method="higher")))


@dataclass
class SplitResult:
    """One split of the reproduction: tuning records, choices, evaluations and the C6 checks."""

    split: str
    config: ReproductionConfig
    instance: dict[str, Any]
    cost: CostModel
    tuning: dict[str, dict[int, TuningRecord]] = field(default_factory=dict)
    evaluations: dict[str, Evaluation] = field(default_factory=dict)

    # ------------------------------------------------------------------ choices
    def choose(self, method: str, ratio: float, budget: str = "budget") -> Choice:
        """The ``tau`` and tuned values of ``method`` at ``ratio`` within a budget (tuning seeds)."""
        limit = self.config.budgets()[budget]
        options = []
        for tau, record in self.tuning[method].items():
            trial = record.best(limit)
            options.append(Choice(method, tau, trial, selection_key(trial, ratio)))
        return min(options, key=lambda c: (c.key, c.tau))

    def winner(self, family: tuple[str, ...], ratio: float, budget: str = "budget") -> Choice | None:
        """The best member of ``family`` at ``ratio`` (chosen on the tuning seeds)."""
        members = [self.choose(m, ratio, budget) for m in self.config.methods if m in family]
        return min(members, key=lambda c: (c.key, c.method)) if members else None

    def needed(self) -> dict[str, Choice]:
        """Every configuration to evaluate: each method at each ratio (budget), and the family
        winners at the halved and doubled budgets (sensitivity)."""
        out: dict[str, Choice] = {}
        for ratio in self.config.ratios:
            for method in self.config.methods:
                choice = self.choose(method, ratio)
                out.setdefault(choice.config_key, choice)
            for budget in ("half", "double"):
                for family in (LT_FAMILY, BASELINES):
                    winner = self.winner(family, ratio, budget)
                    if winner is not None:
                        out.setdefault(winner.config_key, winner)
        return out

    # ------------------------------------------------------------------ times
    def times(self, choice: Choice, ratio: float) -> np.ndarray:
        """``(S, 2)`` evaluation times to target (low, high) per seed."""
        ev = self.evaluations[choice.config_key]
        return np.array([reach_time(h, self.config.target_accuracy, self.cost, ratio) for h in ev.runs])

    def c6_check(self, ratio: float) -> CheckResult:
        """C6 at ``ratio`` (module docstring, step 5), at the configured budget. Before a verdict
        stands, it must not depend on the budget: when doubling the budget changes it, the check
        is INCONCLUSIVE (``undecided``), with both verdicts in the evidence."""
        check = self.comparison(ratio, "budget")
        doubled = self.comparison(ratio, "double")
        if doubled.verdict == check.verdict:
            return check
        return dataclasses.replace(
            check, undecided=(f"the verdict depends on the tuning budget: {check.verdict} at "
                              f"{self.config.budget}, {doubled.verdict} at {2 * self.config.budget} "
                              "configurations per (method, tau)"))

    def comparison(self, ratio: float, budget: str = "budget") -> CheckResult:
        """The C6 comparison at ``ratio`` with the configurations chosen within ``budget``."""
        target = self.config.target_accuracy
        statement = (f"digits ({self.split} split), t_comm/t_grad = {ratio:g}: the faster of "
                     f"LT-ADMM / LT-ADMM-VR reaches {target:.0%} test accuracy in less modelled "
                     "time than the fastest of LED, K-GT, local DSGD, each tuned on the same budget "
                     "(ratio of mean times < 1)")
        claim = f"C6 ({self.split}, r={ratio:g})"
        lt, base = self.winner(LT_FAMILY, ratio, budget), self.winner(BASELINES, ratio, budget)
        if lt is None or base is None:
            return CheckResult.not_applicable(claim, statement, "a family was not run")
        t_lt, t_base = self.times(lt, ratio), self.times(base, ratio)
        seeds = self.evaluations[lt.config_key].seeds
        with np.errstate(invalid="ignore", divide="ignore"):
            measured = float(t_lt[:, 1].mean() / t_base[:, 1].mean())
        evidence = {
            "ratio_t_comm_over_t_grad": ratio, "budget": self.config.budgets()[budget],
            "lt_admm": {**lt.to_dict(), "time_to_target_per_seed": t_lt[:, 1].tolist(),
                        "mean_time_to_target": float(t_lt[:, 1].mean())},
            "baseline": {**base.to_dict(), "time_to_target_per_seed": t_base[:, 1].tolist(),
                         "mean_time_to_target": float(t_base[:, 1].mean())},
            "evaluation_seeds": seeds, "tuning_seeds": self.config.tuning_seeds(),
            "resolution": f"time to target known to within {self.config.record_every} rounds",
        }
        if math.isnan(measured):
            return CheckResult(claim, statement, measured, 1.0, "<", evidence=evidence,
                               reason=f"neither family reaches {target:.0%} within "
                                      f"{self.config.rounds} rounds")
        if len(seeds) < MIN_BOOTSTRAP_SEEDS:
            return CheckResult(claim, statement, measured, 1.0, "<", bounds=(0.0, math.inf),
                               evidence=evidence,
                               reason=f"{len(seeds)} evaluation seeds: a bootstrap interval needs "
                                      f"at least {MIN_BOOTSTRAP_SEEDS}")
        low, high = bootstrap_ratio(t_lt, t_base, self.config.bootstrap_draws)
        evidence["bootstrap_interval"] = [low, high]
        limit = self.config.budgets()[budget]
        untuned = {c.method: self.tuning[c.method][c.tau].untried(limit) for c in (lt, base)}
        evidence["untried_parameters"] = untuned
        evidence["best_on_range_end"] = {c.method: self.tuning[c.method][c.tau].on_range_end(limit)
                                         for c in (lt, base)}
        undecided = "; ".join(f"{m}'s {', '.join(names)} never moved from the start of its search "
                              f"within {limit} configurations (untuned)"
                              for m, names in untuned.items() if names)
        return CheckResult(claim, statement, measured, 1.0, "<", bounds=(low, high), evidence=evidence,
                           reason=f"{lt.method} (tau={lt.tau}) vs {base.method} (tau={base.tau})",
                           undecided=undecided)

    def sensitivity(self, ratio: float) -> dict[str, Any]:
        """The C6 verdict at ``ratio`` with the budget halved and doubled."""
        verdicts = {b: self.comparison(ratio, b) for b in ("half", "budget", "double")}
        order = [str(verdicts[b].verdict) for b in ("half", "budget", "double")]
        same = len(set(order)) == 1
        budgets = self.config.budgets()
        text = ("same verdict at half and double the budget" if same else
                f"verdict moves with the budget: {budgets['half']}: {order[0]}, {budgets['budget']}: "
                f"{order[1]}, {budgets['double']}: {order[2]} configurations per (method, tau)")
        return {"verdicts": dict(zip(("half", "budget", "double"), order, strict=True)),
                "budgets": budgets, "same": same, "summary": text,
                "measured": {b: verdicts[b].measured for b in verdicts},
                "intervals": {b: list(verdicts[b].interval) for b in verdicts},
                "winners": {b: [verdicts[b].evidence.get(k, {}).get("configuration")
                                for k in ("lt_admm", "baseline")] for b in verdicts}}

    # ------------------------------------------------------------------ tables
    def table(self, metric: str = "accuracy") -> list[dict[str, Any]]:
        """Per method, its configuration chosen at each ratio: rounds and time to target."""
        rows = []
        for method in self.config.methods:
            for ratio in self.config.ratios:
                choice = self.choose(method, ratio)
                ev = self.evaluations[choice.config_key]
                if metric == "accuracy":
                    hits = [first_reach(h["accuracy"], self.config.target_accuracy) for h in ev.runs]
                else:
                    hits = [first_reach(-h["stationarity"], -self.config.target_stationarity)
                            for h in ev.runs]
                rounds = [math.inf if i is None else float(h["round"][i])
                          for i, h in zip(hits, ev.runs, strict=True)]
                time = [math.inf if i is None else float(self.cost.time(h, ratio)[i])
                        for i, h in zip(hits, ev.runs, strict=True)]
                rows.append({
                    "method": method, "ratio": ratio, "tau": choice.tau, "tuned": choice.trial.values,
                    "seeds_reaching": int(np.isfinite(rounds).sum()), "seeds": len(rounds),
                    "rounds_to_target": float(np.mean(rounds)), "time_to_target": float(np.mean(time)),
                    "final_accuracy_mean": float(np.mean([h["accuracy"][-1] for h in ev.runs])),
                    "final_stationarity_mean": float(np.mean([h["stationarity"][-1] for h in ev.runs])),
                })
        return rows

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view: tuning per method (tuned parameters by name, ranges declared and
        searched, extensions, trials, seeds), choices, every evaluation curve, tables, C6."""
        budgets = self.config.budgets()
        methods = {}
        for method, per_tau in self.tuning.items():
            methods[method] = {
                f"tau={tau}": {"summary": {b: rec.summary(limit) for b, limit in budgets.items()},
                               "tuning_seeds": self.config.tuning_seeds(),
                               "evaluation_seeds": self.config.evaluation_seeds(),
                               "trials": [t.to_dict() for t in rec.trials]}
                for tau, rec in per_tau.items()}
        choices = {b: {str(r): {m: self.choose(m, r, b).to_dict() for m in self.config.methods}
                       for r in self.config.ratios} for b in budgets}
        return {
            "split": self.split,
            "instance": self.instance,
            "cost_model": {"time": "grad_evals / grad_unit + ratio * messages / comm_unit "
                                   "(units of t_grad)",
                           "grad_unit": self.cost.grad_unit, "comm_unit": self.cost.comm_unit},
            "tuning_seeds": self.config.tuning_seeds(),
            "evaluation_seeds": self.config.evaluation_seeds(),
            "methods": methods,
            "choices": choices,
            "evaluations": {k: e.to_dict() for k, e in self.evaluations.items()},
            "table": self.table(),
            "table_stationarity": self.table("stationarity"),
            "c6": {str(r): self.c6_check(r).to_dict() for r in self.config.ratios},
            "sensitivity": {str(r): self.sensitivity(r) for r in self.config.ratios},
        }


def split_result(config: ReproductionConfig, split: str) -> SplitResult:
    """An empty :class:`SplitResult` describing the instance of ``split``."""
    problem, network = instance(config, split)
    test_set = problem.test_set
    assert test_set is not None
    return SplitResult(
        split, config,
        {"problem": problem.name, "n_agents": problem.n_agents, "dim": problem.dim,
         "n_samples": problem.n_samples.tolist(), "test_samples": int(test_set.labels.size),
         "network": network.describe(), "graph": config.graph},
        cost_model(problem, network, config))


def tune_job(item: tuple[ReproductionConfig, str, str, int]) -> TuningRecord:
    """Step 1-2 for one ``(config, split, method, tau)``: the search with twice the budget."""
    config, split, method, tau = item
    problem, network = instance(config, split)
    return compass_search(base_algorithm(method, tau, config.batch_size),
                          tuning_score(problem, network, config), config.budgets()["double"],
                          points=config.grid_points, explore=config.explore,
                          max_extensions=config.max_extensions)


def evaluation_job(item: tuple[ReproductionConfig, str, Choice]) -> Evaluation:
    """Step 3 for one chosen configuration: its runs on the evaluation seeds."""
    config, split, choice = item
    problem, network = instance(config, split)
    algorithm = base_algorithm(choice.method, choice.tau, config.batch_size).with_values(
        **choice.trial.values)
    seeds = config.evaluation_seeds()
    return Evaluation(choice.method, choice.tau, algorithm.parameters(), seeds,
                      runs(algorithm, problem, network, config.rounds, seeds, config.record_every))
