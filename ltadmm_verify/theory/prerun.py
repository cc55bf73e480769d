r"""The pre-run step-size check that guards every run of every algorithm (SPEC 7).

Before the first round, :func:`assess_step_size` collects **evidence** about the run, each item
naming its source, and decides from it:

1. **Exact analysis** (quadratic problems): the spectral radius of the round map traced from the
   algorithm's own code (:mod:`.exact`), dense while the traced state has at most
   :data:`~ltadmm_verify.theory.exact.MAX_STATE_DIMENSION` scalars; beyond, the round applied
   matrix-free and Arnoldi (:mod:`.linearize`) up to
   :data:`~ltadmm_verify.theory.linearize.MAX_MATRIX_FREE_DIMENSION`. On a quadratic the *mean* of
   the iterates follows the exact map whatever the minibatches or the Gaussian noise, so a radius
   ``>= 1 + RADIUS_TOL`` means the run diverges.
2. **Linearisation** (other problems): the same analysis of the linearised round at the initial
   models and at the reference optimum (when the problem has one). A radius above 1 there means the
   iteration is unstable at that point: the run leaves the initial models, or cannot settle at the
   optimum.
3. **Certificate** (:mod:`.certify`, problems that are not quadratic, with ``mu > 0`` and a small
   LMI): a verified rate ``< 1`` for every ``mu``-strongly convex, ``L``-smooth choice of costs.
4. **Theorem cards** (:mod:`.cards`): a violated condition whose constants come from the paper or
   the user is an error; a *calibrated* constant only informs: it warns when no exact or linearised
   evidence decides, and is reported as a note otherwise.

Refused (``InadmissibleStepSize`` with ``check="raise"``): exact or linearised evidence of
divergence, or a violated paper/user condition. The message gives the largest step that converges
(the critical step of the map that diverges, when it is dense) and the evidence it rests on.
Beyond every size limit the check says so in a note and the run proceeds.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import choice
from ..algorithms.base import Algorithm
from ..algorithms.oracles import GaussianNoise
from ..algorithms.run import _initial_models
from ..errors import InadmissibleStepSize, LTADMMVerifyError
from ..network import Network
from ..problems.base import FloatArray, Problem
from .admissibility import ConditionReport, _applicable, evaluate_card
from .cards import Instance
from .certify import certified_rate, lmi_dimension
from .exact import MAX_STATE_DIMENSION, affine_map, critical_step_size, is_quadratic
from .linearize import MAX_MATRIX_FREE_DIMENSION, estimate_radius, linear_model
from .trace import NonlinearRoundError, TraceTooLargeError, round_map, state_rows

#: A spectral radius in ``[1, 1 + RADIUS_TOL)`` is marginal (rounding, unreachable unit modes), not
#: divergence.
RADIUS_TOL = 1e-6
#: The pre-run check solves a certificate only for LMIs up to this dimension (a few seconds).
PRERUN_LMI_DIMENSION = 40

CHECKS = ("raise", "warn", "off")


class AdmissibilityWarning(UserWarning):
    """A step size violates a condition whose constant is only calibrated (or cannot be checked)."""


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence about a run's step size.

    Attributes
    ----------
    source : str
        What was computed (``"exact analysis (dense)"``, ``"linearisation at x0 (Arnoldi)"``, ...).
    value : float or None
        The spectral radius, or the certified rate.
    converges : bool or None
        What it says: ``True`` converges, ``False`` diverges, ``None`` undecided.
    detail : str
        One sentence with the numbers.
    limit : float or None
        The largest step (first step parameter) that converges according to this evidence.
    """

    source: str
    value: float | None
    converges: bool | None
    detail: str
    limit: float | None = None


@dataclass(frozen=True)
class Violation:
    """A reason to refuse (``severity="error"``) or to warn (``"warning"``)."""

    severity: str
    condition: str
    message: str
    largest: float | None


@dataclass(frozen=True)
class StepSizeVerdict:
    """Outcome of :func:`assess_step_size`: the evidence, the card conditions and the verdict."""

    algorithm: str
    parameters: dict[str, Any]
    evidence: tuple[Evidence, ...]
    conditions: tuple[ConditionReport, ...]
    violations: tuple[Violation, ...]
    notes: tuple[str, ...] = ()

    @property
    def spectral_radius(self) -> float | None:
        """The exact spectral radius when the exact analysis was done (dense or matrix-free)."""
        for ev in self.evidence:
            if ev.source.startswith("exact analysis") and ev.value is not None:
                return ev.value
        return None

    @property
    def errors(self) -> tuple[Violation, ...]:
        """Violations that refuse the run."""
        return tuple(v for v in self.violations if v.severity == "error")

    @property
    def warnings(self) -> tuple[Violation, ...]:
        """Violations that only warn."""
        return tuple(v for v in self.violations if v.severity == "warning")

    @property
    def ok(self) -> bool:
        """No error."""
        return not self.errors

    @property
    def conclusion(self) -> str:
        """One line: the verdict and the evidence it rests on."""
        if self.errors:
            return "refused: " + "; ".join(v.condition for v in self.errors)
        decided = [ev for ev in self.evidence if ev.converges is True]
        if decided:
            return "converges according to " + "; ".join(ev.source for ev in decided)
        if self.warnings:
            return "not decided by exact evidence; outside a calibrated card's range"
        return "no evidence against the step size (nothing decisive could be computed)"

    def message(self, violations: tuple[Violation, ...] | None = None) -> str:
        """A message for someone who has not read the code."""
        chosen = self.errors if violations is None else violations
        step = self.parameters.get("step")
        name = self.parameters.get("step_parameter") or "the step"
        verdict = ("is not admissible" if any(v.severity == "error" for v in chosen)
                   else "lies outside the calibrated admissible range")
        shown = "" if step is None else f" {name} = {step:.6g}"
        head = f"The step size{shown} {verdict} for {self.algorithm} on this problem:"
        lines = [head, *(f"  - {v.message}" for v in chosen)]
        largest = [v.largest for v in chosen if v.largest is not None]
        if largest:
            scaled = " (the step parameters scaled together)" if self.parameters.get("scaled") else ""
            lines.append(f"Use {name} <= {min(largest):.6g}{scaled}, or pass check=\"off\" to run "
                         "anyway.")
        else:
            lines.append("Pass check=\"off\" to run anyway.")
        return "\n".join(lines)


# ---------------------------------------------------------------------------- evidence
def _state_dimension(algorithm: Algorithm, problem: Problem, network: Network) -> int:
    """Scalars of the algorithm's traced state (its rows, times ``d``)."""
    return state_rows(algorithm, network, problem) * problem.dim


def _radius_evidence(algorithm: Algorithm, problem: Problem, network: Network, source: str,
                     size: int, point: FloatArray, notes: list[str]) -> Evidence | None:
    """The spectral radius of the (linearised) round: dense, else matrix-free, else a note.

    ``size`` is the traced state's scalar dimension; a non-quadratic problem is linearised at
    ``point`` (dense local Hessians when the dense analysis applies, Hessian-vector products else).
    """
    hessians = None if is_quadratic(problem) or size > MAX_STATE_DIMENSION else linear_model(problem, point)
    if size <= MAX_STATE_DIMENSION:
        radius = affine_map(algorithm, problem, network, hessians=hessians).spectral_radius()
        method = "dense"
    elif size <= MAX_MATRIX_FREE_DIMENSION:
        est = estimate_radius(algorithm, problem, network, point)
        if est.grew_at is not None:
            return Evidence(
                f"{source} (matrix-free, {est.matvecs} rounds)", est.radius, False,
                f"{source} (matrix-free): a deviation the algorithm reaches grew by {est.growth:.3g} "
                f"in {est.grew_at} rounds (rate {est.radius:.6g} per round >= 1): the iteration "
                "diverges. Lower the step size.")
        if not est.converged:
            notes.append(f"{source} (matrix-free, state dimension {size}): a reachable deviation "
                         f"changed by a factor {est.growth:.3g} in the growth test and Arnoldi did "
                         f"not converge, {est.matvecs} rounds in all (the work budget of the "
                         "estimate): no divergence found, no conclusion")
            return None
        radius, method = est.radius, f"matrix-free Arnoldi, {est.matvecs} rounds"
    else:
        notes.append(f"{source} skipped: the traced state has {size} scalars > "
                     f"MAX_MATRIX_FREE_DIMENSION = {MAX_MATRIX_FREE_DIMENSION}")
        return None
    diverges = radius >= 1.0 + RADIUS_TOL
    limit = None
    detail = f"{source} ({method}): spectral radius of one round = {radius:.6g}"
    if diverges:
        detail += " >= 1: the iteration diverges."
        if method == "dense" and algorithm.step_parameters:
            try:
                limit = critical_step_size(algorithm, problem, network, hessians=hessians)
                together = ("" if len(algorithm.step_parameters) == 1 else
                            f" (step parameters {', '.join(algorithm.step_parameters)} scaled together)")
                detail += (f" The largest step size that converges is {algorithm.step_parameters[0]} = "
                           f"{limit:.6g}{together}.")
            except LTADMMVerifyError as error:
                detail += f" No stable step was found ({error})."
    elif radius >= 1.0:
        detail += f": marginal (within {RADIUS_TOL:g} of 1), not refused"
    else:
        detail += " < 1: the iteration converges" + ("" if hessians is None else " near this point")
    converges = None if 1.0 <= radius < 1.0 + RADIUS_TOL else not diverges
    return Evidence(f"{source} ({method})", radius, converges, detail, limit)


def _certificate_evidence(algorithm: Algorithm, problem: Problem, network: Network,
                          notes: list[str]) -> Evidence | None:
    smooth = problem.smoothness()
    mu = smooth.mu
    if mu is None or mu <= 0:
        return None
    L = float(np.max(smooth.per_agent))
    try:
        system = round_map(algorithm, network, max_outputs=PRERUN_LMI_DIMENSION)
    except TraceTooLargeError:
        system = None
    if system is None or lmi_dimension(system) > PRERUN_LMI_DIMENSION:
        notes.append(f"certificate skipped in the pre-run check: its LMI would exceed dimension "
                     f"{PRERUN_LMI_DIMENSION}")
        return None
    res = certified_rate(algorithm, network, mu=mu, L=L, rtol=1e-2)
    if res.rate is not None and res.rate < 1.0:
        return Evidence("certificate (every mu-strongly convex, L-smooth f_i)", res.rate, True,
                        f"certified rate {res.rate:.4g} < 1 for every f_i with mu = {mu:.4g}, "
                        f"L = {L:.4g}: the iteration converges")
    notes.append(f"no certificate found for mu = {mu:.4g}, L = {L:.4g} ({res.status}); the class "
                 "certificate can be conservative, so this is no evidence of divergence")
    return None


def assess_step_size(
    algorithm: Algorithm, problem: Problem, network: Network, *, noise: Any = None, x0: Any = None,
) -> StepSizeVerdict:
    """Collect the evidence about the step size of ``algorithm`` and decide (module docstring).

    Never raises for an inadmissible step (see :func:`check_step_size`); returns the evidence and
    the violations with their severity.
    """
    name = str(getattr(algorithm, "name", type(algorithm).__name__))
    params: dict[str, Any] = {**algorithm.parameters()}
    if algorithm.step_parameters:
        params.update(step=algorithm.step_size, step_parameter=algorithm.step_parameters[0],
                      scaled=len(algorithm.step_parameters) > 1)
    evidence: list[Evidence] = []
    notes: list[str] = []
    X0 = _initial_models(x0, problem)
    try:
        size = _state_dimension(algorithm, problem, network)
        if is_quadratic(problem):
            if problem.optimum() is None:
                notes.append("exact analysis skipped: sum_i H_i is singular (no unique optimum)")
            else:
                ev = _radius_evidence(algorithm, problem, network, "exact analysis", size, X0, notes)
                evidence += [ev] if ev is not None else []
        else:
            points = [("x0", X0)]
            x_star = problem.optimum()
            if x_star is not None:
                points.append(("the optimum", np.broadcast_to(x_star, X0.shape).copy()))
            for label, point in points:
                ev = _radius_evidence(algorithm, problem, network, f"linearisation at {label}", size,
                                      point, notes)
                evidence += [ev] if ev is not None else []
            if all(ev.converges for ev in evidence) and evidence:
                cert = _certificate_evidence(algorithm, problem, network, notes)
                evidence += [cert] if cert is not None else []
    except NonlinearRoundError as error:
        notes.append(f"no traced analysis: {error}")
    violations = [Violation("error", ev.source, ev.detail, ev.limit)
                  for ev in evidence if ev.converges is False]
    exact_ok = any(ev.converges for ev in evidence) and not violations
    reports = _card_reports(algorithm, problem, network, noise, notes)
    for rep in reports:
        if rep.holds is not False:
            if rep.holds is None and rep.provenance == "unknown":
                notes.append(f"{rep.label} cannot be evaluated: a constant has no value")
            continue
        consts = "; ".join(rep.constants) or "no constant"
        if rep.outside:
            consts += "; outside the calibration range: " + "; ".join(rep.outside)
        bound = "" if rep.bound is None else f" requires gamma <= {rep.bound:.6g}"
        text = (f"theorem card {rep.card}, condition {rep.condition}: {rep.text}{bound}, got gamma = "
                f"{params.get('step', float('nan')):.6g} ({consts}).")
        if rep.provenance == "calibrated" and exact_ok:
            notes.append(text + " A calibrated constant informs; the exact evidence above decides.")
            continue
        severity = "warning" if rep.provenance == "calibrated" else "error"
        violations.append(Violation(severity, rep.label, text, rep.bound))
    return StepSizeVerdict(name, params, tuple(evidence), tuple(reports), tuple(violations),
                           tuple(notes))


def _card_reports(algorithm: Algorithm, problem: Problem, network: Network, noise: Any,
                  notes: list[str]) -> list[ConditionReport]:
    """The card conditions evaluated at the run's step (LT-ADMM-family parameters only)."""
    if not all(hasattr(algorithm, k) for k in ("gamma", "beta", "rho", "tau")):
        return []
    values = algorithm.parameters()
    step = float(values["gamma"])
    ratio = float(values["beta"]) / step
    instance = Instance(problem, network, algorithm, noise)
    applicable, card_notes = _applicable(str(getattr(algorithm, "name", "")), instance)
    notes.extend(card_notes)
    values = instance.values()
    return [r for card in applicable for r in evaluate_card(card, values, ratio, step)]


def check_step_size(algorithm: Algorithm, problem: Problem, network: Network, *, noise: Any = None,
                    x0: Any = None) -> StepSizeVerdict:
    """Raise :class:`~ltadmm_verify.errors.InadmissibleStepSize` if the step size is inadmissible.

    Returns the verdict when there is no error (module docstring for the rules).
    """
    verdict = assess_step_size(algorithm, problem, network, noise=noise, x0=x0)
    if verdict.errors:
        raise InadmissibleStepSize(verdict.message())
    return verdict


def apply_check(
    check: str, algorithm: Any, problem: Problem, network: Network, *, noise: Any = None,
    x0: Any = None, stacklevel: int = 3,
) -> StepSizeVerdict | None:
    """The pre-run policy of ``run(check=...)``: ``"raise"``, ``"warn"`` or ``"off"``.

    ``"raise"``: raise on errors, warn (:class:`AdmissibilityWarning`) on calibrated violations;
    ``"warn"``: warn on both; ``"off"``: nothing.
    """
    check = choice("check", check, CHECKS)
    well_formed = (
        isinstance(algorithm, Algorithm) and isinstance(problem, Problem)
        and isinstance(network, Network) and problem.n_agents == network.n_agents
        and (noise is None or isinstance(noise, GaussianNoise))
    )
    if check == "off" or not well_formed:
        return None  # malformed inputs: the run loop reports them precisely
    try:
        algorithm.validate_for(problem)
        _initial_models(x0, problem)
    except LTADMMVerifyError:
        return None  # the run loop reports it with its own message
    verdict = assess_step_size(algorithm, problem, network, noise=noise, x0=x0)
    if check == "raise" and verdict.errors:
        raise InadmissibleStepSize(verdict.message())
    shown = verdict.violations if check == "warn" else verdict.warnings
    if shown:
        warnings.warn(AdmissibilityWarning(verdict.message(shown)), stacklevel=stacklevel)
    return verdict


__all__ = [
    "CHECKS",
    "RADIUS_TOL",
    "AdmissibilityWarning",
    "Evidence",
    "StepSizeVerdict",
    "Violation",
    "apply_check",
    "assess_step_size",
    "check_step_size",
]
