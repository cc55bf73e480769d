"""The one run loop shared by every algorithm and backend."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import integer_at_least, positive_float
from ..backends.base import Backend
from ..backends.simulator import Simulator
from ..errors import InvalidParameterError, InvalidProblemError
from ..network import Network
from ..problems.base import FloatArray, Problem
from ..progress import ProgressBar
from .base import Algorithm
from .metrics import MetricRecorder
from .oracles import GaussianNoise, GradientOracle
from .randomness import check_seed

BACKENDS = ("simulator", "mpi")
COUNTERS = ("grad_evals", "messages")


@dataclass
class RunResult:
    """Outcome of :func:`run`.

    Attributes
    ----------
    x : ndarray, shape (N, d), or None
        Final models (``None`` on non-root MPI ranks).
    history : dict of str to ndarray
        One 1-D array per quantity, one entry per recorded round: ``round``, the metrics of
        :mod:`ltadmm_verify.algorithms.metrics`, and the cumulative network-wide counts
        ``grad_evals`` (per-sample gradient evaluations) and ``messages`` (vectors sent over edges).
    status : {"completed", "diverged"}
    diverged_at : int or None
        First round whose state was non-finite or blew up.
    message : str
        Human-readable outcome.
    parameters : dict
        The algorithm's parameters, the seed and the noise level.
    """

    x: FloatArray | None
    history: dict[str, np.ndarray]
    status: str
    diverged_at: int | None
    message: str
    parameters: dict[str, Any] = field(default_factory=dict)

    def final(self, metric: str) -> float:
        """Last recorded value of ``metric``."""
        return float(self.history[metric][-1])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view (history as lists, final models included)."""
        return {
            "status": self.status,
            "diverged_at": self.diverged_at,
            "message": self.message,
            "parameters": self.parameters,
            "history": {k: v.tolist() for k, v in self.history.items()},
            "x": None if self.x is None else self.x.tolist(),
        }


def _initial_models(x0: Any, problem: Problem) -> FloatArray:
    n, d = problem.n_agents, problem.dim
    if x0 is None:
        return np.zeros((n, d))
    try:
        arr = np.asarray(x0, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidProblemError(f"x0 must be a numeric array, got {type(x0).__name__}") from None
    if arr.shape == (d,):
        arr = np.tile(arr, (n, 1))
    if arr.shape != (n, d):
        raise InvalidProblemError(
            f"x0 must have shape (dim,) = ({d},) or (n_agents, dim) = ({n}, {d}), got {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise InvalidProblemError("x0 must be finite, found NaN/inf entries")
    return arr


def make_backend(backend: str | Backend, network: Network) -> Backend:
    """A backend instance from its name (or the instance itself)."""
    if isinstance(backend, Backend):
        return backend
    if backend == "simulator":
        return Simulator(network)
    if backend == "mpi":
        try:
            from ..backends.mpi import MPIBackend
        except ImportError as error:
            raise InvalidParameterError(
                f"backend 'mpi' needs mpi4py ({error}); install the 'mpi' extra: "
                "pip install 'ltadmm-verify[mpi]'"
            ) from None
        return MPIBackend(network)
    raise InvalidParameterError(f"backend must be one of {list(BACKENDS)}, got {backend!r}")


def run(
    algorithm: Algorithm,
    problem: Problem,
    network: Network,
    rounds: int,
    *,
    x0: Any = None,
    seed: int = 0,
    noise: GaussianNoise | None = None,
    record_every: int = 1,
    backend: str | Backend = "simulator",
    progress: bool = False,
    divergence_factor: float = 1e6,
    observers: Mapping[str, Callable[[FloatArray], float]] | None = None,
) -> RunResult:
    """Run ``algorithm`` for ``rounds`` communication rounds and record metrics.

    Parameters
    ----------
    algorithm : Algorithm
        E.g. ``LTADMM(gamma=0.05, beta=0.05, rho=1.0, tau=5)``.
    problem : Problem
        ``F = sum_i f_i`` over ``N`` agents.
    network : Network
        Connected undirected graph with ``N`` nodes.
    rounds : int
        ``K >= 1``.
    x0 : array, shape (d,) or (N, d), optional
        Initial models (default zeros).
    seed : int
        Determines every random number of the run (minibatches, noise), bit for bit.
    noise : GaussianNoise, optional
        Additive gradient noise with ``E||xi||^2 = sigma2``.
    record_every : int
        Metrics are recorded at rounds ``0, r, 2r, ...`` and at ``K``.
    backend : {"simulator", "mpi"} or Backend
        Where the agents run; ``"mpi"`` spreads them over the ranks of ``MPI.COMM_WORLD`` (call
        ``run`` on every rank; the history and ``x`` are returned on rank 0, ``x=None`` and an
        empty history elsewhere).
    progress : bool
        Draw a progress bar on stderr.
    divergence_factor : float
        The run stops as diverged at the first round where a model is non-finite or
        ``max |x_i| > divergence_factor (1 + max |x_0| + max |x*|)``.
    observers : mapping of str to callable, optional
        Extra quantities recorded beside the metrics: ``observers[name](X)`` is called with the full
        models ``X`` ``(N, d)`` at every recorded round (on the root) and its float value joins
        ``history[name]`` (e.g. test accuracy of ``x_bar``).

    Returns
    -------
    RunResult
    """
    if not isinstance(algorithm, Algorithm):
        raise InvalidParameterError(
            f"algorithm must be an Algorithm (e.g. LTADMM(...)), got {type(algorithm).__name__}"
        )
    if not isinstance(problem, Problem):
        raise InvalidParameterError(f"problem must be a Problem, got {type(problem).__name__}")
    if not isinstance(network, Network):
        raise InvalidParameterError(
            f"network must be a Network (e.g. Network(nx.cycle_graph(10))), got {type(network).__name__}"
        )
    if problem.n_agents != network.n_agents:
        raise InvalidProblemError(
            f"problem has {problem.n_agents} agents but network has {network.n_agents} nodes; "
            "they must match"
        )
    rounds = integer_at_least("rounds", rounds, 1)
    record_every = integer_at_least("record_every", record_every, 1)
    seed = check_seed(seed)
    divergence_factor = positive_float("divergence_factor", divergence_factor)
    if noise is not None and not isinstance(noise, GaussianNoise):
        raise InvalidParameterError(f"noise must be GaussianNoise or None, got {noise!r}")
    algorithm.validate_for(problem)
    observers = dict(observers or {})
    clash = sorted(set(observers) & {"round", *COUNTERS, *MetricRecorder(problem).names})
    if clash:
        raise InvalidParameterError(f"observers must use new names, got {clash}: already recorded")
    for name, f in observers.items():
        if not callable(f):
            raise InvalidParameterError(
                f"observers[{name!r}] must be a callable of the models X (N, d), got {f!r}"
            )
    X0 = _initial_models(x0, problem)

    transport = make_backend(backend, network)
    local_problem = problem if transport.agents.size == problem.n_agents else problem.restrict(
        transport.agents
    )
    oracle = GradientOracle(
        local_problem,
        transport.agents,
        algorithm.batch_size_or_none,
        algorithm.sample_with_replacement,
        noise,
        seed,
    )
    recorder = MetricRecorder(problem) if transport.is_root else None
    x_star = problem.optimum()
    scale = 1.0 + float(np.abs(X0).max()) + (0.0 if x_star is None else float(np.abs(x_star).max()))
    limit = divergence_factor * scale

    state = algorithm.initialize(transport.local_rows(X0), local_problem, transport, oracle)
    rows: list[dict[str, float]] = []

    def record(k: int) -> None:
        full = transport.gather(state.x)
        counts = {
            "grad_evals": transport.total(oracle.evals),
            "messages": transport.total(transport.messages),
        }
        if recorder is not None and full is not None:
            with np.errstate(all="ignore"):
                extra = {name: float(f(full)) for name, f in observers.items()}
                rows.append({"round": float(k), **recorder(full), **counts, **extra})

    record(0)
    bar = ProgressBar(rounds, f"{algorithm.name}", enabled=progress and transport.is_root)
    status, diverged_at, message = "completed", None, f"completed {rounds} rounds"
    for k in range(rounds):
        with np.errstate(over="ignore", invalid="ignore"):
            state = algorithm.step(state, k, local_problem, transport, oracle)
            peak = float(np.abs(state.x).max())
        blown = not np.isfinite(peak) or peak > limit
        if transport.any(blown):
            status, diverged_at = "diverged", k + 1
            message = (
                f"diverged at round {k + 1}: max |x_i| exceeded {limit:.3g} "
                f"(divergence_factor {divergence_factor:g} x scale {scale:.3g}) or became non-finite"
            )
            record(k + 1)
            break
        if (k + 1) % record_every == 0 or k + 1 == rounds:
            record(k + 1)
        bar.update()
    bar.close()

    history = {name: np.array([row[name] for row in rows]) for name in (rows[0] if rows else {})}
    if "round" in history:
        history["round"] = history["round"].astype(np.int64)
        for name in COUNTERS:
            history[name] = history[name].astype(np.int64)
    parameters = {
        **algorithm.parameters(),
        "seed": seed,
        "rounds": rounds,
        "sigma2": None if noise is None else noise.sigma2,
        "backend": transport.name,
    }
    final = transport.gather(state.x)
    return RunResult(
        x=None if final is None else np.array(final),
        history=history,
        status=status,
        diverged_at=diverged_at,
        message=message,
        parameters=parameters,
    )
