"""The one run loop shared by every algorithm and backend, for one seed or many (replicas).

:func:`run_loop` runs one seed; :func:`replica_loop` runs several seeds as one vectorised state.
The public entry points are :func:`ltadmm_verify.run` and :func:`ltadmm_verify.run_replicas`,
which check the step size first (:mod:`ltadmm_verify.solve`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import integer_at_least, positive_float
from ..backends.base import Backend
from ..backends.replicas import Replicated
from ..backends.simulator import Simulator
from ..errors import InvalidParameterError, InvalidProblemError
from ..network import Network
from ..problems.base import FloatArray, Problem
from ..progress import ProgressBar
from .base import Algorithm
from .channel import Channel
from .metrics import MetricRecorder
from .oracles import GaussianNoise, GradientOracle
from .randomness import check_seed
from .transport import ChannelTransport, snapshot

BACKENDS = ("simulator", "mpi")
COUNTERS = ("grad_evals", "messages", "messages_delivered", "floats_sent")
#: most recorded rounds of one run (the history is kept in memory): raise ``record_every`` beyond
MAX_RECORDS = 10**6


@dataclass
class RunResult:
    """Outcome of one run (:func:`run_loop`).

    Attributes
    ----------
    x : ndarray, shape (N, d), or None
        Final models (``None`` on non-root MPI ranks).
    history : dict of str to ndarray
        One 1-D array per quantity, one entry per recorded round: ``round``, the metrics of
        :mod:`ltadmm_verify.algorithms.metrics`, and the cumulative network-wide counts
        ``grad_evals`` (per-sample gradient evaluations), ``messages`` (vectors sent over edges),
        ``messages_delivered`` (those that arrived: all of them on an ideal channel) and
        ``floats_sent`` (``d`` per message unless compressed).
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


def run_loop(
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
    channel: Channel | None = None,
) -> RunResult:
    """Run ``algorithm`` for ``rounds`` communication rounds and record metrics (no step-size check).

    The loop behind :func:`ltadmm_verify.run`, which checks the step size first.

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
        Metrics are recorded at rounds ``0, r, 2r, ...`` and at ``K``; at most
        :data:`MAX_RECORDS` recorded rounds (``K / r <= 10^6``).
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
    channel : Channel, optional
        The network the messages go through (:class:`~ltadmm_verify.algorithms.channel.Channel`:
        loss, agent activation, compression, channel noise; SPEC 8). ``None`` or ``Channel()``:
        the ideal network (bit-identical to each other).

    Returns
    -------
    RunResult
    """
    seed = check_seed(seed)
    return replica_loop(algorithm, problem, network, rounds, [seed], x0=x0, noise=noise,
                        record_every=record_every, backend=backend, progress=progress,
                        divergence_factor=divergence_factor, observers=observers,
                        channel=channel)[0]


def check_seeds(seeds: Sequence[int]) -> list[int]:
    """Validate a non-empty sequence of distinct seeds."""
    if isinstance(seeds, str | bytes) or not isinstance(seeds, Sequence | np.ndarray):
        raise InvalidParameterError(f"seeds must be a sequence of integers, got {seeds!r}")
    checked = []
    for position, seed in enumerate(seeds):
        try:
            checked.append(check_seed(seed))
        except InvalidParameterError as error:
            raise InvalidParameterError(f"seeds[{position}]: {error}") from None
    if not checked:
        raise InvalidParameterError("seeds must hold at least one seed, got an empty sequence")
    if len(set(checked)) != len(checked):
        repeated = sorted({s for s in checked if checked.count(s) > 1})
        raise InvalidParameterError(
            f"seeds must be distinct (a repeated seed repeats the same run), got {repeated} twice")
    return checked


def replica_loop(
    algorithm: Algorithm,
    problem: Problem,
    network: Network,
    rounds: int,
    seeds: Sequence[int],
    *,
    x0: Any = None,
    noise: GaussianNoise | None = None,
    record_every: int = 1,
    backend: str | Backend = "simulator",
    progress: bool = False,
    divergence_factor: float = 1e6,
    observers: Mapping[str, Callable[[FloatArray], float]] | None = None,
    channel: Channel | None = None,
) -> list[RunResult]:
    """:func:`run_loop` for every seed of ``seeds`` at once; result ``r`` is the run with ``seeds[r]``.

    The ``R`` replicas are one state on ``R`` disjoint copies of the network
    (:class:`~ltadmm_verify.backends.replicas.Replicated`), the random numbers of replica ``r``
    drawn with ``seeds[r]``; the algorithm's round runs once per round for all of them. Metrics,
    counters and divergence are per replica: a replica that diverges stops recording (its history
    and ``x`` end at the round where its own run would have stopped) while the others go on. Every
    history array and ``x`` equal those of ``run_loop(..., seed=seeds[r])`` bit for bit.
    Other parameters as in :func:`run_loop`.
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
    if rounds // record_every > MAX_RECORDS:
        raise InvalidParameterError(
            f"rounds / record_every must be at most {MAX_RECORDS:g} recorded rounds, got rounds = "
            f"{rounds}, record_every = {record_every}; raise record_every to at least "
            f"{-(-rounds // MAX_RECORDS)}")
    seeds = check_seeds(seeds)
    divergence_factor = positive_float("divergence_factor", divergence_factor)
    if noise is not None and not isinstance(noise, GaussianNoise):
        raise InvalidParameterError(f"noise must be GaussianNoise or None, got {noise!r}")
    if channel is None:
        channel = Channel()
    if not isinstance(channel, Channel):
        raise InvalidParameterError(f"channel must be a Channel (e.g. Channel(loss=0.1)), got {channel!r}")
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

    replicas = len(seeds)
    single = make_backend(backend, network)
    transport = single if replicas == 1 else Replicated(single, replicas)
    lossy = None if channel.ideal else ChannelTransport(transport, channel, np.asarray(seeds))
    if lossy is not None:
        transport = lossy
    rows = transport.agents
    local_problem = problem if np.array_equal(rows, np.arange(problem.n_agents)) else problem.restrict(rows)
    oracle = GradientOracle(
        local_problem,
        rows,
        algorithm.batch_size_or_none,
        algorithm.sample_with_replacement,
        noise,
        np.tile(np.asarray(seeds, dtype=np.int64), single.agents.size),
    )
    recorder = MetricRecorder(problem) if transport.is_root else None
    x_star = problem.optimum()
    scale = 1.0 + float(np.abs(X0).max()) + (0.0 if x_star is None else float(np.abs(x_star).max()))
    limit = divergence_factor * scale
    n, d = problem.n_agents, problem.dim

    state = algorithm.initialize(transport.local_rows(np.repeat(X0, replicas, axis=0)), local_problem,
                                 transport, oracle)
    histories: list[list[dict[str, float]]] = [[] for _ in seeds]
    finals: list[FloatArray | None] = [None] * replicas
    diverged_at: list[int | None] = [None] * replicas

    def record(k: int, which: list[int], final: bool) -> None:
        """Record round ``k`` for the replicas ``which`` (their last record when ``final``)."""
        full = transport.gather(state.x)
        counts = _counts(transport, lossy, oracle, replicas, d)
        if recorder is None or full is None:
            return
        models = np.ascontiguousarray(full.reshape(n, replicas, d).transpose(1, 0, 2))
        with np.errstate(all="ignore"):
            metrics = recorder.batch(models)
            for r in which:
                extra = {name: float(f(models[r])) for name, f in observers.items()}
                values = {name: float(v[r]) for name, v in metrics.items()}
                mine = {name: float(c[r]) for name, c in counts.items()}
                histories[r].append({"round": float(k), **values, **mine, **extra})
                if final:
                    finals[r] = models[r].copy()

    active = list(range(replicas))
    record(0, active, final=False)
    bar = ProgressBar(rounds, f"{algorithm.name}", enabled=progress and transport.is_root)
    for k in range(rounds):
        with np.errstate(over="ignore", invalid="ignore"):
            if lossy is None:
                state = algorithm.step(state, k, local_problem, transport, oracle)
            else:
                state = _unreliable_round(algorithm, state, k, local_problem, lossy, oracle)
            peaks = np.abs(state.x).reshape(-1, replicas, d).max(axis=(0, 2))
        blown = ~np.isfinite(peaks) | (peaks > limit)
        stopped: list[int] = []
        if transport.any(bool(blown[active].any())):
            stopped = [r for r in active if transport.any(bool(blown[r]))]
        if stopped:
            for r in stopped:
                diverged_at[r] = k + 1
            record(k + 1, stopped, final=True)
            active = [r for r in active if r not in stopped]
            if not active:
                break
        if (k + 1) % record_every == 0 or k + 1 == rounds:
            record(k + 1, active, final=k + 1 == rounds)
        bar.update()
    bar.close()

    results = []
    for r, seed in enumerate(seeds):
        rows_r = histories[r]
        history = {name: np.array([row[name] for row in rows_r]) for name in (rows_r[0] if rows_r else {})}
        if "round" in history:
            history["round"] = history["round"].astype(np.int64)
            for name in COUNTERS:
                history[name] = history[name].astype(np.int64)
        status, message = "completed", f"completed {rounds} rounds"
        if diverged_at[r] is not None:
            status = "diverged"
            message = (
                f"diverged at round {diverged_at[r]}: max |x_i| exceeded {limit:.3g} "
                f"(divergence_factor {divergence_factor:g} x scale {scale:.3g}) or became non-finite"
            )
        parameters = {
            **algorithm.parameters(),
            "seed": seed,
            "rounds": rounds,
            "sigma2": None if noise is None else noise.sigma2,
            "backend": transport.name,
            "n_agents": n,
            "channel": channel.describe(),
        }
        results.append(RunResult(x=finals[r], history=history, status=status,
                                 diverged_at=diverged_at[r], message=message, parameters=parameters))
    return results


def _unreliable_round(algorithm: Algorithm, state: Any, k: int, problem: Problem,
                      transport: ChannelTransport, oracle: GradientOracle) -> Any:
    """One round on an unreliable channel: draw the round's events, step, let inactive agents skip."""
    transport.start_round(k)
    skipping = not transport.active.all()
    oracle.active = transport.active if skipping else None
    before = snapshot(state) if skipping else None
    after = algorithm.step(state, k, problem, transport, oracle)
    return after if before is None else transport.skip_inactive(before, after)


def _counts(transport: Backend, lossy: ChannelTransport | None, oracle: GradientOracle,
            replicas: int, d: int) -> dict[str, list[int]]:
    """The cumulative counters of every replica (network-wide: summed over the processes)."""
    if lossy is None:
        # every replica makes the same evaluations and sends the same messages
        messages = transport.total(transport.messages)
        same = {"grad_evals": transport.total(oracle.evals) // replicas, "messages": messages,
                "messages_delivered": messages, "floats_sent": messages * d}
        return {name: [value] * replicas for name, value in same.items()}
    evals = oracle.row_evals.reshape(-1, replicas).sum(axis=0)
    rows = {"grad_evals": evals, "messages": lossy.sent, "messages_delivered": lossy.delivered,
            "floats_sent": lossy.floats}
    return {name: [transport.total(int(v)) for v in values] for name, values in rows.items()}
