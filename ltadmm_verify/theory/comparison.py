r"""The theory side of the comparison of methods (C6): critical steps and certified rates against ``tau``.

For a function class (every local cost ``mu``-strongly convex and ``L``-smooth, exact gradients) and
each algorithm, graph and number of local steps ``tau``:

- the **critical step** ``gamma_crit``: the smallest exact critical step
  (:func:`~ltadmm_verify.theory.critical_step_size`, the algorithm's declared step parameters scaled
  together, ratios kept) over a few quadratics of the class (:func:`class_instances`). They are in the
  class, so the class's own critical step is at most this value;
- the **certified rate** at ``gamma = f gamma_crit`` (``f`` = ``step_fraction``): the smallest linear
  rate per round that a Lyapunov certificate proves for *every* cost of the class
  (:func:`~ltadmm_verify.theory.certified_rate`), beside the exact rate of the worst ``d = 1``
  quadratic the certificate's search found (a lower bound on the class's true rate).

Every number comes from the algorithm's own ``step`` (SPEC 7): nothing here knows an algorithm.
Rates are per communication round (one round = ``tau`` local steps), the currency of C6 when
communication dominates. Local DSGD is not exact: its rate is towards its own, biased fixed point.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

import numpy as np

from .._validation import integer_at_least, positive_float
from ..algorithms.base import Algorithm
from ..errors import InvalidParameterError
from ..jobs import map_jobs
from ..network import Network
from ..problems import Quadratic, random_quadratic
from .certify import CertificateTooLargeError, certified_rate
from .exact import NoStableStepError, critical_step_size


def class_instances(n_agents: int, *, mu: float, L: float, n_quadratics: int = 3,
                    seed: int = 0) -> list[Quadratic]:
    """Quadratics of the class ``mu I <= H_i <= L I``: ``n_quadratics`` random ones with ``d = 2``
    (:func:`~ltadmm_verify.problems.random_quadratic`, seeds ``seed, seed + 1, ...``) and the two
    homogeneous ``d = 1`` ones ``f_i = mu x^2 / 2`` and ``f_i = L x^2 / 2``."""
    problems = [random_quadratic(n_agents, 2, mu=mu, L=L, seed=seed + k) for k in range(n_quadratics)]
    problems += [Quadratic(np.full((n_agents, 1, 1), h), np.ones((n_agents, 1))) for h in (mu, L)]
    return problems


def worst_critical_step(algorithm: Algorithm, network: Network, *, mu: float, L: float,
                        n_quadratics: int = 3, seed: int = 0) -> float:
    """Smallest exact critical step of ``algorithm`` over :func:`class_instances`.

    Raises
    ------
    NoStableStepError
        When some instance has no stable step in the search range.
    """
    problems = class_instances(network.n_agents, mu=mu, L=L, n_quadratics=n_quadratics, seed=seed)
    return min(critical_step_size(algorithm, p, network) for p in problems)


@dataclass(frozen=True)
class ComparisonCell:
    """One (algorithm, graph, ``tau``) of :func:`compare_algorithms`.

    Attributes
    ----------
    algorithm, graph : str
        The algorithm's ``name`` and the graph's label.
    tau : int
    step_parameter : str
        The parameter ``critical_step`` and ``step`` are values of (``gamma``; ``eta_c`` for K-GT).
    critical_step : float or None
        Worst exact critical step over the class instances (``None``: no stable step found).
    step : float or None
        The step at which the rate is certified (``step_fraction * critical_step``).
    certified_rate : float or None
        Certified linear rate per round for every cost in the class (``None``: not certified).
    quadratic_rate : float or None
        Exact rate of the worst ``d = 1`` quadratic at ``step`` (a lower bound on the class's rate).
    status : str
        ``"certified"``, ``"not certified"``, ``"not computed"`` (``tau`` outside the certified
        ones), or why it could not be (no stable step, certificate too large).
    """

    algorithm: str
    graph: str
    tau: int
    step_parameter: str
    critical_step: float | None
    step: float | None
    certified_rate: float | None
    quadratic_rate: float | None
    status: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return asdict(self)


@dataclass(frozen=True)
class _CellJob:
    algorithm: Algorithm
    graph: str
    network: Network
    tau: int
    certify: bool


def _compute_cell(job: _CellJob, *, mu: float, L: float, step_fraction: float, n_quadratics: int,
                  seed: int, rtol: float) -> ComparisonCell:
    alg = job.algorithm.with_values(tau=job.tau)
    parameter = alg.step_parameters[0]
    cell = partial(ComparisonCell, alg.name, job.graph, job.tau, parameter)
    try:
        critical = worst_critical_step(alg, job.network, mu=mu, L=L, n_quadratics=n_quadratics,
                                       seed=seed)
    except NoStableStepError as error:
        return cell(None, None, None, None, f"no stable step: {error}")
    if not job.certify:
        return cell(critical, None, None, None, "not computed")
    step = step_fraction * critical
    try:
        result = certified_rate(alg.with_step(step), job.network, mu=mu, L=L, rtol=rtol)
    except CertificateTooLargeError as error:
        return cell(critical, step, None, None, f"too large: {error}")
    return cell(critical, step, result.rate, result.quadratic_rate, result.status)


def compare_algorithms(
    algorithms: Sequence[Algorithm],
    networks: Mapping[str, Network],
    *,
    tau_values: Sequence[int],
    mu: float,
    L: float,
    step_fraction: float = 0.5,
    certify_tau: Sequence[int] | None = None,
    n_quadratics: int = 3,
    seed: int = 0,
    rtol: float = 0.01,
    workers: int | None = None,
    on_done: Callable[[int], Any] | None = None,
) -> list[ComparisonCell]:
    r"""Critical steps and certified rates of every algorithm on every graph against ``tau``.

    Parameters
    ----------
    algorithms : sequence of Algorithm
        Algorithms with local steps ``tau`` and at least one declared step parameter (LT-ADMM,
        LT-ADMM-VR, LED, K-GT, local DSGD, a user's subclass); ``tau`` is replaced by each value of
        ``tau_values`` (:meth:`~ltadmm_verify.algorithms.Algorithm.with_values`), the other
        parameters and the ratios of the step parameters are kept.
    networks : mapping of str to Network
        Graph label -> network.
    tau_values : sequence of int
    mu, L : float
        The class ``0 < mu <= L``.
    step_fraction : float
        Rates are certified at ``step_fraction`` times the critical step, in ``(0, 1)``.
    certify_tau : sequence of int, optional
        The ``tau`` at which rates are certified (default: all; certificates grow with ``N tau``).
    n_quadratics : int
        Random quadratics per :func:`class_instances`.
    seed : int
        Seed of the random quadratics.
    rtol : float
        Relative accuracy of the certified rate (:func:`~ltadmm_verify.theory.certified_rate`).
    workers : int or None
        Where the cells run (:func:`ltadmm_verify.jobs.map_jobs`); results do not depend on it.
    on_done : callable, optional
        Called with each finished cell's index.

    Returns
    -------
    list of ComparisonCell
        Ordered by algorithm, graph, then ``tau``.
    """
    taus = [integer_at_least("tau_values", t, 1) for t in tau_values]
    if not taus:
        raise InvalidParameterError("tau_values must name at least one tau, got an empty list")
    certified = set(taus if certify_tau is None else
                    [integer_at_least("certify_tau", t, 1) for t in certify_tau])
    mu, L = positive_float("mu", mu), positive_float("L", L)
    if mu > L:
        raise InvalidParameterError(f"mu must be at most L, got mu = {mu} > L = {L}")
    fraction = positive_float("step_fraction", step_fraction)
    if fraction >= 1.0:
        raise InvalidParameterError(f"step_fraction must be in (0, 1), got {step_fraction}")
    for alg in algorithms:
        if "tau" not in alg.parameter_constraints or not alg.step_parameters:
            raise InvalidParameterError(
                f"algorithms must have local steps tau and a step parameter, got {alg.name} "
                f"(parameters {sorted(alg.parameter_constraints)}, step parameters "
                f"{list(alg.step_parameters)})")
    jobs = [_CellJob(alg, label, net, tau, tau in certified)
            for alg in algorithms for label, net in networks.items() for tau in taus]
    compute = partial(_compute_cell, mu=mu, L=L, step_fraction=fraction,
                      n_quadratics=integer_at_least("n_quadratics", n_quadratics, 0), seed=seed,
                      rtol=positive_float("rtol", rtol))
    return map_jobs(compute, jobs, workers=workers, on_done=on_done)


def _fmt(value: float | None, spec: str) -> str:
    width = int(spec.split(".")[0])
    return f"{'-':>{width}}" if value is None else format(value, spec)


def comparison_table(cells: Sequence[ComparisonCell]) -> str:
    """The cells as a fixed-width text table, one line per (algorithm, graph, ``tau``)."""
    lines = [f"{'algorithm':<11} {'graph':<12} {'tau':>4} {'parameter':>9} {'critical':>10} "
             f"{'step':>10} {'certified':>9} {'quadratic':>9}  status"]
    for c in cells:
        status = c.status if len(c.status) <= 40 else c.status[:37] + "..."
        lines.append(f"{c.algorithm:<11} {c.graph:<12} {c.tau:>4} {c.step_parameter:>9} "
                     f"{_fmt(c.critical_step, '10.4g')} {_fmt(c.step, '10.4g')} "
                     f"{_fmt(c.certified_rate, '9.4f')} {_fmt(c.quadratic_rate, '9.4f')}  {status}")
    return "\n".join(lines)
