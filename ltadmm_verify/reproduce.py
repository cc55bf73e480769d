r"""Reproduction of the paper's digits comparison (SPEC section 5, claim C6).

LT-ADMM and LT-ADMM-VR against LED, K-GT and local DSGD on the 8x8 digits problem
(:func:`ltadmm_verify.problems.digits`: multiclass softmax regression with the nonconvex regulariser,
``N = 10`` agents on a ring by default), for every ``tau`` in ``config.taus``, several seeds.

Protocol (our choices; the paper's exact settings are unknown):

1. **Step sizes, one grid search for every method.** Each method has a primary step ``p`` and (except
   local DSGD) a dimensionless secondary strength ``s``; the grid is ``primary_grid x secondary_grid``
   (local DSGD: ``primary_grid``). The mapping to each method's parameters is

   ==============  ==========================================================
   LT-ADMM(-VR)    ``gamma = p``, ``beta = s / (tau rho d_max)``, ``rho`` fixed
                   (only the product ``beta rho`` matters when ``x_0 = 0``)
   LED             ``gamma = p``, ``beta = s / tau``
   K-GT            ``eta_c = p``, ``eta_s = s``
   local DSGD      ``gamma = p``
   ==============  ==========================================================

   so ``s = 1`` is, for each method, "one full correction per round". Every grid point is run for
   ``tune_rounds`` rounds with the seed ``tune_seed`` (never an evaluation seed); the score is the
   mean training objective ``F(x_bar_k)`` over the recorded rounds (rewards fast progress; no test
   data is used); diverged runs are discarded. The chosen values are written out, with a flag
   when one lies on the edge of its grid (the grid may then be too narrow for that method).
2. **Evaluation.** The chosen parameters are run for ``rounds`` rounds with seeds ``0..seeds-1``,
   recording the stationarity ``M_k`` and the test accuracy of ``x_bar_k`` at every ``record_every``
   rounds.
3. **Cost model** (SPEC 2.4, generalised to the exact counters): modelled time, in units of
   ``t_grad`` (one minibatch gradient of ``|B|`` samples at every agent),

   .. math:: T_k = \frac{\text{grad\_evals}_k}{N |B|} + r\,\frac{\text{messages}_k}{2|E|},
             \qquad r = t_{comm} / t_{grad},

   which is ``k (tau + r)`` for LT-ADMM, LED and local DSGD (``SPEC: K (tau t_grad + t_comm)``),
   ``k (tau + 2 r)`` for K-GT (two broadcasts per round) and ``k (tau + m_i/|B| + r)`` for
   LT-ADMM-VR (its per-round full local gradient is charged).
4. **Targets.** The first recorded round at which the test accuracy reaches ``target_accuracy``
   (``inf`` if never). A configuration's rounds / time to target is the mean over seeds (``inf``
   unless every seed reaches it). A second table does the same for the stationarity
   ``M_k <= target_stationarity`` (optimisation rather than generalisation).

C6 verdict (:meth:`ReproductionResult.c6_check`): the ratio of the best (over ``tau`` and the two
LT-ADMM variants) modelled time to target to the best over the baselines and their ``tau``, at
``t_comm / t_grad = 100``, held to ``<= 1``; a bootstrap interval over seeds is in the evidence.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._io import atomic_write_bytes, atomic_write_json
from ._validation import integer_at_least, open_unit_float, positive_float
from .algorithms import KGT, LED, LTADMM, LTADMMVR, Algorithm, LocalDSGD
from .algorithms.run import run_loop
from .errors import InvalidParameterError
from .network import Network, make_network
from .problems import accuracy, digits
from .problems.base import FloatArray
from .problems.linear_models import LinearModelProblem
from .progress import ProgressBar
from .verify.result import CheckResult

#: LT-ADMM variants (the paper's methods) and the baselines they are compared with
LT_FAMILY = ("lt-admm", "lt-admm-vr")
BASELINES = ("led", "k-gt", "local-dsgd")
METHODS = LT_FAMILY + BASELINES
#: methods with a secondary strength ``s`` in the grid search
_SECONDARY = {"lt-admm", "lt-admm-vr", "led", "k-gt"}


@dataclass(frozen=True)
class ReproductionConfig:
    """Settings of the digits reproduction (defaults: the full run; see :meth:`quick`).

    Parameters
    ----------
    n_agents, graph, split, data_seed
        The instance: ``digits(n_agents, split, seed=data_seed)`` on ``make_network(graph, ...)``.
    taus : tuple of int
        Local steps per round compared.
    methods : tuple of str
        Subset of :data:`METHODS`.
    seeds : int
        Evaluation seeds ``0..seeds-1`` (at least 2, for an interval).
    rounds : int
        Communication rounds per evaluation run.
    batch_size : int
        ``|B|`` for every method.
    rho : float
        ADMM penalty of LT-ADMM(-VR).
    primary_grid, secondary_grid : tuple of float
        The step-size grid (module docstring).
    tune_rounds, tune_seed
        Budget and seed of every grid-search run.
    target_accuracy : float
        Test accuracy defining "reached" (the C6 table).
    target_stationarity : float
        Stationarity ``M_k`` defining "reached" in the second table.
    ratios : tuple of float
        ``t_comm / t_grad`` values of the cost model.
    record_every : int
        Recording period of the evaluation runs (accuracy is observed at recorded rounds only).
    """

    n_agents: int = 10
    graph: str = "ring"
    split: str = "iid"
    data_seed: int = 0
    taus: tuple[int, ...] = (1, 2, 5, 10)
    methods: tuple[str, ...] = METHODS
    seeds: int = 3
    rounds: int = 300
    batch_size: int = 8
    rho: float = 1.0
    primary_grid: tuple[float, ...] = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
    secondary_grid: tuple[float, ...] = (0.1, 0.3, 1.0, 3.0)
    tune_rounds: int = 60
    tune_seed: int = 10_000
    target_accuracy: float = 0.95
    target_stationarity: float = 0.01
    ratios: tuple[float, ...] = (1.0, 10.0, 100.0)
    record_every: int = 1

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "n_agents", integer_at_least("n_agents", self.n_agents, 2))
        set_(self, "seeds", integer_at_least("seeds", self.seeds, 2))
        set_(self, "rounds", integer_at_least("rounds", self.rounds, 1))
        set_(self, "batch_size", integer_at_least("batch_size", self.batch_size, 1))
        set_(self, "tune_rounds", integer_at_least("tune_rounds", self.tune_rounds, 1))
        set_(self, "record_every", integer_at_least("record_every", self.record_every, 1))
        set_(self, "rho", positive_float("rho", self.rho))
        set_(self, "target_accuracy", open_unit_float("target_accuracy", self.target_accuracy))
        set_(self, "target_stationarity", positive_float("target_stationarity", self.target_stationarity))
        set_(self, "taus", tuple(integer_at_least("taus[]", t, 1) for t in self.taus))
        for name in ("primary_grid", "secondary_grid", "ratios"):
            values = tuple(positive_float(f"{name}[]", v) for v in getattr(self, name))
            if not values:
                raise InvalidParameterError(f"{name} must hold at least one value, got ()")
            set_(self, name, values)
        if not self.taus:
            raise InvalidParameterError("taus must hold at least one value, got ()")
        unknown = [m for m in self.methods if m not in METHODS]
        if unknown or not self.methods:
            raise InvalidParameterError(
                f"methods must be a non-empty subset of {list(METHODS)}, got {list(self.methods)}"
            )

    @classmethod
    def quick(cls, seeds: int = 2) -> ReproductionConfig:
        """A small version (two ``tau``, coarse grid, short runs) that finishes in well under 2 min."""
        return cls(taus=(1, 10), seeds=seeds, rounds=40, tune_rounds=20,
                   primary_grid=(0.1, 0.3, 1.0), secondary_grid=(0.3, 1.0), record_every=4,
                   target_accuracy=0.9)


def make_algorithm(
    method: str, tau: int, primary: float, secondary: float, config: ReproductionConfig, d_max: int
) -> Algorithm:
    """The algorithm of grid point ``(primary, secondary)`` (mapping in the module docstring)."""
    batch = config.batch_size
    if method in LT_FAMILY:
        beta = secondary / (tau * config.rho * d_max)
        cls = LTADMM if method == "lt-admm" else LTADMMVR
        return cls(gamma=primary, beta=beta, rho=config.rho, tau=tau, batch_size=batch)
    if method == "led":
        return LED(gamma=primary, beta=secondary / tau, tau=tau, batch_size=batch)
    if method == "k-gt":
        return KGT(eta_c=primary, eta_s=secondary, tau=tau, batch_size=batch)
    if method == "local-dsgd":
        return LocalDSGD(gamma=primary, tau=tau, batch_size=batch)
    raise InvalidParameterError(f"method must be one of {list(METHODS)}, got {method!r}")


def modelled_time(history: dict[str, np.ndarray], ratio: float, grad_unit: float, comm_unit: float
                  ) -> FloatArray:
    """``T_k = grad_evals_k / (N |B|) + ratio * messages_k / (2|E|)`` in units of ``t_grad``."""
    return np.asarray(history["grad_evals"] / grad_unit + ratio * history["messages"] / comm_unit,
                      dtype=np.float64)


def first_reach(values: FloatArray, target: float) -> int | None:
    """Index of the first entry ``>= target`` (``None`` if none)."""
    hits = np.flatnonzero(values >= target)
    return int(hits[0]) if hits.size else None


@dataclass
class Entry:
    """One (method, tau): the tuning scores, the chosen parameters and the evaluation runs."""

    method: str
    tau: int
    parameters: dict[str, Any]
    grid_point: dict[str, Any]
    tuning: list[dict[str, Any]]
    runs: list[dict[str, list[float]]]

    @property
    def key(self) -> str:
        """``"method/tau=T"``."""
        return f"{self.method}/tau={self.tau}"


@dataclass
class ReproductionResult:
    """Outcome of :func:`reproduce`: every curve, the target table and the C6 verdict."""

    config: ReproductionConfig
    instance: dict[str, Any]
    grad_unit: float
    comm_unit: float
    entries: list[Entry] = field(default_factory=list)

    # ------------------------------------------------------------------ derived numbers
    def _reach(self, entry: Entry, metric: str = "accuracy"
               ) -> tuple[list[float], dict[float, list[float]]]:
        """Per seed: rounds and modelled time (every ratio) to the target of ``metric`` (inf if never).

        ``metric="accuracy"``: first ``accuracy >= target_accuracy``; ``"stationarity"``: first
        ``stationarity <= target_stationarity``.
        """
        rounds: list[float] = []
        times: dict[float, list[float]] = {r: [] for r in self.config.ratios}
        for hist in entry.runs:
            h = {k: np.asarray(v) for k, v in hist.items()}
            if metric == "accuracy":
                idx = first_reach(h["accuracy"], self.config.target_accuracy)
            else:
                idx = first_reach(-h["stationarity"], -self.config.target_stationarity)
            rounds.append(math.inf if idx is None else float(h["round"][idx]))
            for r in self.config.ratios:
                t = modelled_time(h, r, self.grad_unit, self.comm_unit)
                times[r].append(math.inf if idx is None else float(t[idx]))
        return rounds, times

    def table(self, metric: str = "accuracy") -> list[dict[str, Any]]:
        """One row per (method, tau): rounds and modelled time to the target of ``metric``."""
        rows = []
        for entry in self.entries:
            rounds, times = self._reach(entry, metric)
            final_acc = [hist["accuracy"][-1] for hist in entry.runs]
            final_stat = [hist["stationarity"][-1] for hist in entry.runs]
            rows.append({
                "method": entry.method,
                "tau": entry.tau,
                "parameters": entry.parameters,
                "seeds_reaching": int(sum(np.isfinite(rounds))),
                "seeds": len(rounds),
                "rounds_to_target": float(np.mean(rounds)),
                "rounds_to_target_per_seed": rounds,
                "time_to_target": {str(r): float(np.mean(t)) for r, t in times.items()},
                "time_to_target_per_seed": {str(r): t for r, t in times.items()},
                "final_accuracy_mean": float(np.mean(final_acc)),
                "final_stationarity_mean": float(np.mean(final_stat)),
            })
        return rows

    def best(self, family: tuple[str, ...], ratio: float | None, metric: str = "accuracy"
             ) -> tuple[Entry | None, float]:
        """Best entry of ``family`` by mean time to target at ``ratio`` (rounds if ``None``)."""
        best_entry, best_value = None, math.inf
        for entry in self.entries:
            if entry.method not in family:
                continue
            rounds, times = self._reach(entry, metric)
            value = float(np.mean(rounds if ratio is None else times[ratio]))
            if value < best_value or best_entry is None:
                best_entry, best_value = entry, value
        return best_entry, best_value

    def _bootstrap(self, ratio: float, draws: int = 2000) -> tuple[float, float]:
        """95% percentile interval of the C6 ratio, resampling each configuration's seeds."""
        rng = np.random.default_rng(0)
        per_entry = {e.key: np.array(self._reach(e)[1][ratio]) for e in self.entries}
        values = np.empty(draws)
        for b in range(draws):
            means = {k: v[rng.integers(0, v.size, v.size)].mean() for k, v in per_entry.items()}
            lt = min((m for k, m in means.items() if k.split("/")[0] in LT_FAMILY), default=math.inf)
            base = min((m for k, m in means.items() if k.split("/")[0] in BASELINES), default=math.inf)
            values[b] = lt / base if np.isfinite(base) else (1.0 if not np.isfinite(lt) else 0.0)
        # order statistics (no interpolation: a draw may be inf when a target is never reached)
        lo = np.percentile(values, 2.5, method="lower")
        hi = np.percentile(values, 97.5, method="higher")
        return float(lo), float(hi)

    def c6_check(self, ratio: float = 100.0) -> CheckResult:
        """C6: best LT-ADMM modelled time to target over best baseline's, at ``t_comm/t_grad = ratio``."""
        statement = (
            f"LT-ADMM (best of LT-ADMM / LT-ADMM-VR and tau) reaches {self.config.target_accuracy:.0%} "
            f"test accuracy on digits in no more modelled time than the best baseline (LED, K-GT, "
            f"local DSGD, best tau) when t_comm / t_grad = {ratio:g}"
        )
        if ratio not in self.config.ratios:
            raise InvalidParameterError(f"ratio must be one of {list(self.config.ratios)}, got {ratio}")
        lt_entry, lt_time = self.best(LT_FAMILY, ratio)
        base_entry, base_time = self.best(BASELINES, ratio)
        if lt_entry is None or base_entry is None or not np.isfinite(base_time):
            return CheckResult.not_applicable(
                "C6", statement, "no baseline reached the target accuracy (or a family was not run)"
            )
        measured = lt_time / base_time
        lo, hi = self._bootstrap(ratio)
        lt_rounds_entry, lt_rounds = self.best(LT_FAMILY, None)
        base_rounds_entry, base_rounds = self.best(BASELINES, None)
        evidence = {
            "ratio_t_comm_over_t_grad": ratio,
            "best_lt_admm": {"config": lt_entry.key, "time_to_target": lt_time},
            "best_baseline": {"config": base_entry.key, "time_to_target": base_time},
            "bootstrap_95ci_of_measured": [lo, hi],
            "seeds": list(range(self.config.seeds)),
            "rounds_to_target": {
                "best_lt_admm": [getattr(lt_rounds_entry, "key", None), lt_rounds],
                "best_baseline": [getattr(base_rounds_entry, "key", None), base_rounds],
            },
            "per_family_best_time": {
                m: self.best((m,), ratio)[1] for m in self.config.methods
            },
            "per_family_best_time_to_stationarity_target": {
                m: self.best((m,), ratio, "stationarity")[1] for m in self.config.methods
            },
        }
        verdict = ("entirely below 1: LT-ADMM significantly faster" if hi < 1 else
                   "entirely above 1: LT-ADMM significantly slower" if lo > 1 else
                   "contains 1: no significant difference")
        reason = f"95% bootstrap interval over seeds [{lo:.3g}, {hi:.3g}] {verdict}" + (
            "; the point estimate is a tie" if measured == 1.0 else "")
        return CheckResult("C6", statement, measured, 1.0, "<", bounds=(lo, hi), evidence=evidence,
                           reason=reason)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view: configuration, instance, every curve, the table and the C6 verdicts."""
        return {
            "config": asdict(self.config),
            "instance": self.instance,
            "cost_model": {
                "time": "grad_evals / grad_unit + ratio * messages / comm_unit (units of t_grad)",
                "grad_unit": self.grad_unit,
                "comm_unit": self.comm_unit,
            },
            "curves": {
                e.key: {"method": e.method, "tau": e.tau, "parameters": e.parameters,
                        "grid_point": e.grid_point, "tuning": e.tuning, "runs": e.runs}
                for e in self.entries
            },
            "table": self.table(),
            "table_stationarity": self.table("stationarity"),
            "c6": {str(r): self.c6_check(r).to_dict() for r in self.config.ratios},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReproductionResult:
        """Rebuild a result from :meth:`to_dict` output (e.g. a loaded ``reproduction.json``)."""
        fields: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in data["config"].items()
        }
        config = ReproductionConfig(**fields)
        result = cls(config, data["instance"], float(data["cost_model"]["grad_unit"]),
                     float(data["cost_model"]["comm_unit"]))
        order = sorted(data["curves"].values(), key=lambda c: (METHODS.index(c["method"]), c["tau"]))
        for curve in order:
            result.entries.append(Entry(curve["method"], int(curve["tau"]), curve["parameters"],
                                        curve["grid_point"], curve["tuning"], curve["runs"]))
        return result

    @classmethod
    def load(cls, path: str | Path) -> ReproductionResult:
        """Read ``reproduction.json`` written by :meth:`write`."""
        return cls.from_dict(json.loads(Path(path).read_text()))

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``reproduction.json`` and the figures into ``out_dir`` (atomically)."""
        out = Path(out_dir)
        paths = [atomic_write_json(out / "reproduction.json", self.to_dict())]
        paths += plot_reproduction(self, out)
        return paths


# ---------------------------------------------------------------------------------- the runs
def _instance(config: ReproductionConfig) -> tuple[LinearModelProblem, Network]:
    problem = digits(config.n_agents, config.split, seed=config.data_seed)  # type: ignore[arg-type]
    network = make_network(config.graph, config.n_agents, seed=config.data_seed)
    return problem, network


def _grid(method: str, config: ReproductionConfig) -> list[tuple[float, float]]:
    secondary = config.secondary_grid if method in _SECONDARY else (1.0,)
    return [(p, s) for p in config.primary_grid for s in secondary]


def _on_edge(value: float, grid: tuple[float, ...]) -> bool:
    return len(grid) > 1 and value in (min(grid), max(grid))


def reproduce(config: ReproductionConfig | None = None, *, progress: bool = False) -> ReproductionResult:
    """Run the grid search and the evaluation runs of the digits reproduction (module docstring)."""
    config = ReproductionConfig() if config is None else config
    problem, network = _instance(config)
    test_set = problem.test_set
    assert test_set is not None

    def test_accuracy(X: FloatArray) -> float:
        return accuracy(problem, X.mean(axis=0), test_set)

    observers: dict[str, Callable[[FloatArray], float]] = {"accuracy": test_accuracy}
    d_max = network.max_degree
    jobs = [(m, tau) for m in config.methods for tau in config.taus]
    total = sum(len(_grid(m, config)) + config.seeds for m, _ in jobs)
    bar = ProgressBar(total, "reproduce", enabled=progress)
    result = ReproductionResult(
        config=config,
        instance={"problem": problem.name, "n_agents": problem.n_agents, "dim": problem.dim,
                  "n_samples": problem.n_samples.tolist(), "test_samples": int(test_set.labels.size),
                  "network": network.describe(), "graph": config.graph},
        grad_unit=float(problem.n_agents * config.batch_size),
        comm_unit=float(network.n_directed_edges),
    )
    keep = ("round", "grad_evals", "messages", "stationarity", "objective", "accuracy")
    for method, tau in jobs:
        tuning: list[dict[str, Any]] = []
        for p, s in _grid(method, config):
            algo = make_algorithm(method, tau, p, s, config, d_max)
            res = run_loop(algo, problem, network, config.tune_rounds, seed=config.tune_seed,
                      record_every=max(1, config.tune_rounds // 10))
            score = float(np.mean(res.history["objective"])) if res.status == "completed" else math.inf
            tuning.append({"primary": p, "secondary": s, "score": score, "status": res.status})
            bar.update()
        finite = [t for t in tuning if np.isfinite(t["score"])]
        if not finite:
            raise InvalidParameterError(
                f"every grid point of {method} with tau={tau} diverged; widen primary_grid "
                f"{list(config.primary_grid)} towards smaller steps"
            )
        chosen = min(finite, key=lambda t: t["score"])
        grid_point = {
            "primary": chosen["primary"],
            "secondary": chosen["secondary"] if method in _SECONDARY else None,
            # a choice on the edge of the grid means the grid may be too narrow for this method
            "primary_on_grid_edge": _on_edge(chosen["primary"], config.primary_grid),
            "secondary_on_grid_edge": method in _SECONDARY
            and _on_edge(chosen["secondary"], config.secondary_grid),
        }
        algo = make_algorithm(method, tau, chosen["primary"], chosen["secondary"], config, d_max)
        runs = []
        for seed in range(config.seeds):
            res = run_loop(algo, problem, network, config.rounds, seed=seed,
                      record_every=config.record_every, observers=observers)
            runs.append({k: res.history[k].tolist() for k in keep})
            bar.update()
        result.entries.append(Entry(method, tau, algo.parameters(), grid_point, tuning, runs))
    bar.close()
    return result


# ---------------------------------------------------------------------------------- figures
_COLOURS = {"lt-admm": "C0", "lt-admm-vr": "C1", "led": "C2", "k-gt": "C3", "local-dsgd": "C4"}
_LABELS = {"lt-admm": "LT-ADMM", "lt-admm-vr": "LT-ADMM-VR", "led": "LED", "k-gt": "K-GT",
           "local-dsgd": "local DSGD"}


def _figure(result: ReproductionResult, axis: str, ratio: float | None) -> bytes:
    """Stationarity (top) and test accuracy (bottom) against ``axis``, one column per ``tau``."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    taus = result.config.taus
    fig, axes = plt.subplots(2, len(taus), figsize=(4.2 * len(taus), 7), squeeze=False,
                             sharex="col")
    if axis == "time":
        xlabel = f"modelled time T / t_grad  (t_comm/t_grad = {ratio:g})"
    else:
        xlabel = {"round": "communication rounds k",
                  "grad_evals": "per-sample gradient evaluations (network-wide)"}[axis]
    for col, tau in enumerate(taus):
        for entry in (e for e in result.entries if e.tau == tau):
            for s, hist in enumerate(entry.runs):
                h = {k: np.asarray(v, dtype=np.float64) for k, v in hist.items()}
                if axis == "time":
                    assert ratio is not None
                    x = modelled_time(h, ratio, result.grad_unit, result.comm_unit)
                else:
                    x = h[axis]
                label = _LABELS[entry.method] if s == 0 else None
                style = {"color": _COLOURS[entry.method], "alpha": 0.8, "lw": 1.0}
                axes[0, col].semilogy(x, h["stationarity"], label=label, **style)
                axes[1, col].plot(x, h["accuracy"], label=label, **style)
        axes[0, col].set_title(f"tau = {tau}")
        axes[0, col].axhline(result.config.target_stationarity, color="k", ls=":", lw=0.8)
        axes[1, col].axhline(result.config.target_accuracy, color="k", ls=":", lw=0.8,
                             label="target")
        axes[1, col].set_ylim(max(0.0, result.config.target_accuracy - 0.3), 1.0)
        axes[1, col].set_xlabel(xlabel)
        if axis != "round":
            axes[1, col].ticklabel_format(axis="x", style="sci", scilimits=(0, 3))
    axes[0, 0].set_ylabel("stationarity M_k (dimensionless)")
    axes[1, 0].set_ylabel("test accuracy of x_bar (fraction)")
    axes[0, 0].legend(fontsize=8)
    axes[1, 0].legend(fontsize=8, loc="lower right")
    fig.suptitle(f"digits ({result.config.split} split), N = {result.config.n_agents} "
                 f"{result.config.graph}, |B| = {result.config.batch_size}, {result.config.seeds} "
                 "seeds (one line per seed); M_k = |grad F(x_bar)|^2 + consensus, dotted: targets")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return buffer.getvalue()


def plot_reproduction(result: ReproductionResult, out_dir: str | Path) -> list[Path]:
    """Figures against rounds, gradient evaluations and modelled time for every ratio (PNG)."""
    out = Path(out_dir)
    paths = [
        atomic_write_bytes(out / "vs_rounds.png", _figure(result, "round", None)),
        atomic_write_bytes(out / "vs_grad_evals.png", _figure(result, "grad_evals", None)),
    ]
    for ratio in result.config.ratios:
        paths.append(atomic_write_bytes(out / f"vs_time_ratio{ratio:g}.png",
                                        _figure(result, "time", ratio)))
    return paths


def format_table(result: ReproductionResult, metric: str = "accuracy") -> str:
    """A target table as aligned text (mean over seeds; ``inf`` = not reached by every seed)."""
    ratios = result.config.ratios
    head = f"{'method':<12}{'tau':>4}{'reached':>9}{'rounds':>9}" + "".join(
        f"{'T(r=' + format(r, 'g') + ')':>12}" for r in ratios) + (
        f"{'final acc':>11}" if metric == "accuracy" else f"{'final M_k':>11}")
    final = "final_accuracy_mean" if metric == "accuracy" else "final_stationarity_mean"
    target = (f"target test accuracy >= {result.config.target_accuracy:.0%}" if metric == "accuracy"
              else f"target stationarity M_k <= {result.config.target_stationarity:g}")
    lines = [target, head]
    for row in result.table(metric):
        lines.append(
            f"{row['method']:<12}{row['tau']:>4}{row['seeds_reaching']:>5}/{row['seeds']:<3}"
            f"{row['rounds_to_target']:>9.1f}"
            + "".join(f"{row['time_to_target'][str(r)]:>12.4g}" for r in ratios)
            + f"{row[final]:>11.4g}"
        )
    return "\n".join(lines)


__all__ = [
    "BASELINES",
    "LT_FAMILY",
    "METHODS",
    "ReproductionConfig",
    "ReproductionResult",
    "format_table",
    "make_algorithm",
    "modelled_time",
    "plot_reproduction",
    "reproduce",
]
