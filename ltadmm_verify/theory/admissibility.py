r"""Admissible step sizes and the pre-run step-size check.

Two sources of truth, kept apart in every report:

1. **Theorem cards** (:mod:`.cards`): each condition ``gamma <= bound`` of the registered cards
   covering the algorithm, evaluated at the instance's constants. Its provenance is that of the
   constants it uses: ``"paper"`` / ``"user"`` (a violated condition is an error), ``"calibrated"``
   (a violation only warns: a calibrated constant is not a theorem), ``"unknown"`` (a constant
   without value: the condition cannot be evaluated and is reported as such).
2. **Exact analysis** (:mod:`.exact`) on quadratic problems: the spectral radius of the round map.
   For LT-ADMM and LT-ADMM-VR on a quadratic the *mean* of the iterates follows the exact map
   whatever the minibatches or the Gaussian noise, so a radius ``>= 1`` means the run diverges: an
   error. It is computed in the pre-run check only for ``N d <= EXACT_CHECK_LIMIT`` (a dense
   eigenvalue problem of size ``(2N - 1) d``); :func:`admissible_step_size` computes the exact
   critical step up to ``N d <= EXACT_REPORT_LIMIT``.

When the exact analysis applies and shows convergence, violations of *calibrated* conditions are not
reported (the exact answer supersedes a calibrated estimate); paper/user conditions still are.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from .._validation import choice, integer_at_least, positive_float
from ..algorithms.ltadmm import LTADMM, PENALTIES
from ..algorithms.oracles import GaussianNoise
from ..errors import InadmissibleStepSize, LTADMMVerifyError
from ..network import Network
from ..problems.base import Problem
from . import cards
from .cards import Instance, TheoremCard, beta, gamma, registered_cards, to_latex
from .exact import Parameters, critical_step_size, is_quadratic, linear_model

#: Largest ``N d`` for which the pre-run check (``run(check=...)``) computes the exact spectral radius.
EXACT_CHECK_LIMIT = 150
#: Largest ``N d`` for which :func:`admissible_step_size` computes the exact critical step size.
EXACT_REPORT_LIMIT = 400

#: A spectral radius in ``[1, 1 + RADIUS_TOL)`` is treated as marginal (rounding), not as divergence.
RADIUS_TOL = 1e-9

CHECKS = ("raise", "warn", "off")


class AdmissibilityWarning(UserWarning):
    """A step size violates a condition whose constant is only calibrated (or cannot be checked)."""


@dataclass(frozen=True)
class ConditionReport:
    """One condition of one card evaluated on an instance.

    Attributes
    ----------
    card, condition : str
        Card id and condition name.
    text, latex : str
        The condition as written and in LaTeX.
    gamma_bound : str
        The condition solved for ``gamma`` (sympy, with ``beta = beta_ratio gamma``), or ``""``.
    bound : float or None
        Its value at the instance (``None``: a constant has no value, or no ``gamma`` in it).
    provenance : str
        ``"paper"``, ``"user"``, ``"calibrated"``, ``"unknown"`` (a constant without value) or
        ``"no constant"``.
    constants : tuple of str
        ``name = value (provenance)`` of every constant used.
    holds : bool or None
        Whether the condition holds at the given ``gamma`` (``None``: not evaluated).
    outside : tuple of str
        Parameters of the instance outside the range a calibrated constant was calibrated on
        (there the calibrated value is an extrapolation, not evidence).
    """

    card: str
    condition: str
    text: str
    latex: str
    gamma_bound: str
    bound: float | None
    provenance: str
    constants: tuple[str, ...]
    holds: bool | None = None
    outside: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``card: condition (text)``."""
        return f"{self.card} {self.condition} ({self.text})"


def _provenance(card: TheoremCard, expr: sp.Basic) -> str:
    used = card.constants_in(expr)
    if not used:
        return "no constant"
    if any(c.value is None for c in used):
        return "unknown"
    kinds = {c.provenance for c in used}
    for kind in ("calibrated", "user", "paper"):
        if kind in kinds:
            return kind
    return "unknown"


def _outside_calibration(card: TheoremCard, expr: sp.Basic, values: dict[sp.Symbol, float],
                         beta_ratio: float) -> tuple[str, ...]:
    """``"name = value not in [lo, hi]"`` for instance values outside a calibrated constant's ranges."""
    named = {**{s.name: v for s, v in values.items()}, "beta_ratio": beta_ratio}
    out = []
    for const in card.constants_in(expr):
        ranges = const.evidence.get("ranges", {}) if isinstance(const.evidence, dict) else {}
        for name, (lo, hi) in ranges.items():
            value = named.get(name)
            if value is not None and not lo * (1 - 1e-9) <= value <= hi * (1 + 1e-9):
                out.append(f"{name} = {value:.4g} not in [{lo:.4g}, {hi:.4g}] ({const.name})")
    return tuple(out)


def evaluate_card(
    card: TheoremCard, values: dict[sp.Symbol, float], beta_ratio: float,
    step: float | None = None,
) -> list[ConditionReport]:
    """Evaluate every condition of ``card`` at ``values`` (and at ``gamma = step`` when given)."""
    reports = []
    for cond in card.conditions:
        bound_expr = cond.gamma_bound(beta_ratio)
        fixed = {s: v for s, v in values.items() if s not in (gamma, beta)}
        holds: bool | None = None
        if bound_expr is not None:
            bound = card.evaluate(bound_expr, fixed)
            if step is not None and bound is not None:
                holds = step <= bound * (1 + 1e-12)
        else:
            bound = None
            full = dict(fixed)
            if step is not None:
                full.update({gamma: step, beta: beta_ratio * step})
            outcome = card.evaluate(cond.relation, full)
            holds = None if outcome is None else bool(outcome)
        reports.append(ConditionReport(
            card=card.id, condition=cond.name, text=cond.text, latex=to_latex(cond.relation),
            gamma_bound="" if bound_expr is None else str(bound_expr), bound=bound,
            provenance=_provenance(card, cond.relation),
            constants=tuple(c.describe() for c in card.constants_in(cond.relation)), holds=holds,
            outside=_outside_calibration(card, cond.relation, values, beta_ratio),
        ))
    return reports


def _applicable(algorithm: str, instance: Instance) -> tuple[list[TheoremCard], list[str]]:
    """Cards covering ``algorithm`` with conditions whose hypotheses do not fail, and notes."""
    out, notes = [], []
    for card in registered_cards(algorithm):
        if not card.conditions:
            continue
        failed = [f"{h.name}: {res.detail}" for h, res in card.check_hypotheses(instance)
                  if res.holds is False]
        if failed:
            notes.append(f"card {card.id} does not apply: " + "; ".join(failed))
        else:
            out.append(card)
    return out, notes


@dataclass(frozen=True)
class AdmissibilityReport:
    """Largest admissible ``gamma`` for an instance, with where it comes from.

    Attributes
    ----------
    algorithm : str
    parameters : dict
        ``tau, rho, beta_ratio, penalty``.
    values : dict of str to float
        The instance's constants (``L, lambda_l, lambda_u, N, d_max, mu, m``).
    conditions : tuple of ConditionReport
    gamma_max : float or None
        Smallest evaluable bound over the conditions (``None``: none could be evaluated).
    binding : ConditionReport or None
        The condition giving ``gamma_max``.
    critical_step : float or None
        Exact critical step size (quadratics), the true stability limit of (the mean of) the run.
    notes : tuple of str
    """

    algorithm: str
    parameters: dict[str, Any]
    values: dict[str, float]
    conditions: tuple[ConditionReport, ...]
    gamma_max: float | None
    binding: ConditionReport | None
    critical_step: float | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def provenance(self) -> str | None:
        """Provenance of the binding condition."""
        return None if self.binding is None else self.binding.provenance

    @property
    def conservativeness(self) -> float | None:
        """``critical_step / gamma_max``: how far below the true limit the theorem's step is."""
        if self.critical_step is None or self.gamma_max is None:
            return None
        return self.critical_step / self.gamma_max

    def summary(self) -> str:
        """Human-readable multi-line summary."""
        p = self.parameters
        lines = [f"{self.algorithm} with tau={p['tau']}, rho={p['rho']:g}, beta = {p['beta_ratio']:g} "
                 f"gamma, penalty={p['penalty']}"]
        for rep in self.conditions:
            value = "cannot be evaluated" if rep.bound is None else f"gamma <= {rep.bound:.6g}"
            lines.append(f"  {rep.label}: {value} [{rep.provenance}]")
            if rep.outside:
                lines.append("    outside the calibration range: " + "; ".join(rep.outside))
        if self.gamma_max is None:
            lines.append("  largest admissible gamma: unknown (no condition could be evaluated)")
        else:
            assert self.binding is not None
            lines.append(f"  largest admissible gamma: {self.gamma_max:.6g} (binding: "
                         f"{self.binding.card} {self.binding.condition}; {self.provenance})")
        if self.critical_step is not None:
            ratio = self.conservativeness
            extra = "" if ratio is None else f"; {ratio:.3g} x the admissible gamma"
            lines.append(f"  exact critical step size: {self.critical_step:.6g}{extra}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def admissible_step_size(
    problem: Problem,
    network: Network,
    *,
    tau: int,
    rho: float,
    algorithm: str = "lt-admm",
    beta_ratio: float = 1.0,
    penalty: str = "frozen",
    exact: bool = True,
) -> AdmissibilityReport:
    """The largest step size the registered theorem cards admit, beside the exact critical step.

    Parameters
    ----------
    problem, network
        The instance (constants ``L``, ``lambda_l``, ... are taken from it).
    tau, rho : int, float
        Local steps and ADMM penalty.
    algorithm : {"lt-admm", "lt-admm-vr"} or a user card's algorithm name
    beta_ratio : float
        ``beta = beta_ratio * gamma`` (conditions on ``beta`` become conditions on ``gamma``).
    penalty : {"frozen", "inner"}
        Used by the exact critical step.
    exact : bool
        Compute the exact critical step for quadratics with ``N d <= EXACT_REPORT_LIMIT``.

    Returns
    -------
    AdmissibilityReport
    """
    tau = integer_at_least("tau", tau, 1)
    rho_value = positive_float("rho", rho)
    beta_ratio = positive_float("beta_ratio", beta_ratio)
    penalty = choice("penalty", penalty, PENALTIES)
    values = {**Instance(problem, network).values(), cards.tau: float(tau), cards.rho: rho_value}
    instance = Instance(problem, network, _Named(algorithm))
    applicable, notes = _applicable(algorithm, instance)
    if not registered_cards(algorithm):
        notes.append(f"no theorem card covers algorithm {algorithm!r}")
    reports = [r for card in applicable for r in evaluate_card(card, values, beta_ratio)]
    bounded = [r for r in reports if r.bound is not None]
    binding = min(bounded, key=lambda r: r.bound or 0.0) if bounded else None
    critical = None
    if exact and algorithm in ("lt-admm", "lt-admm-vr") and is_quadratic(problem):
        size = problem.n_agents * problem.dim
        if problem.optimum() is None:
            notes.append("exact analysis skipped: sum_i H_i is singular")
        elif size > EXACT_REPORT_LIMIT:
            notes.append(f"exact analysis skipped: N d = {size} > {EXACT_REPORT_LIMIT}")
        else:
            critical = critical_step_size(problem, network, tau=tau, rho=rho_value,
                                          beta_ratio=beta_ratio, penalty=penalty)
            if algorithm == "lt-admm-vr" or int(problem.max_samples) > 1:
                notes.append("with minibatches (and for LT-ADMM-VR) the exact critical step is that "
                             "of full-gradient LT-ADMM, which the mean of the iterates follows: a "
                             "necessary limit only")
    return AdmissibilityReport(
        algorithm=algorithm,
        parameters={"tau": tau, "rho": rho_value, "beta_ratio": beta_ratio, "penalty": penalty},
        values={s.name: v for s, v in values.items()},
        conditions=tuple(reports),
        gamma_max=None if binding is None else binding.bound,
        binding=binding,
        critical_step=critical,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class _Named:
    """Stand-in algorithm carrying only a name (for hypothesis checks without a step size)."""

    name: str
    reset: bool = True


# --------------------------------------------------------------------------- pre-run check
@dataclass(frozen=True)
class Violation:
    """A failed condition: ``severity`` ``"error"`` (refuse to run) or ``"warning"``."""

    severity: str
    condition: str
    message: str
    largest: float | None


@dataclass(frozen=True)
class StepSizeVerdict:
    """Outcome of :func:`assess_step_size`."""

    algorithm: str
    parameters: dict[str, Any]
    spectral_radius: float | None
    conditions: tuple[ConditionReport, ...]
    violations: tuple[Violation, ...]
    notes: tuple[str, ...] = ()

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

    def message(self, violations: tuple[Violation, ...] | None = None) -> str:
        """A message for someone who has not read the code."""
        chosen = self.errors if violations is None else violations
        p = self.parameters
        verdict = ("is not admissible" if any(v.severity == "error" for v in chosen)
                   else "lies outside the calibrated admissible range")
        head = (f"The step size gamma = {p['gamma']:.6g} {verdict} for {self.algorithm} "
                f"(tau = {p['tau']}, rho = {p['rho']:g}, beta = {p['beta']:.6g}) on this problem:")
        lines = [head, *(f"  - {v.message}" for v in chosen)]
        largest = [v.largest for v in chosen if v.largest is not None]
        if largest:
            lines.append(f"Use gamma <= {min(largest):.6g} (keeping beta / gamma, tau and rho), or "
                         "pass check=\"off\" to run anyway.")
        else:
            lines.append("Pass check=\"off\" to run anyway.")
        return "\n".join(lines)


def assess_step_size(
    algorithm: Any, problem: Problem, network: Network, *, noise: Any = None,
    exact_limit: int = EXACT_CHECK_LIMIT,
) -> StepSizeVerdict:
    """Evaluate the step size of ``algorithm`` against the cards and, for quadratics, exact analysis.

    Never raises for an inadmissible step (see :func:`check_step_size`); returns the violations with
    their severity (rules in the module docstring).
    """
    name = str(getattr(algorithm, "name", type(algorithm).__name__))
    if not isinstance(algorithm, LTADMM) and not registered_cards(name):
        return StepSizeVerdict(name, {}, None, (), (), ("no theorem card covers this algorithm",))
    params = {k: getattr(algorithm, k) for k in ("gamma", "beta", "rho", "tau") if hasattr(algorithm, k)}
    if set(params) != {"gamma", "beta", "rho", "tau"}:
        return StepSizeVerdict(name, params, None, (), (), ("algorithm has no (gamma, beta, rho, tau)",))
    step, ratio = float(params["gamma"]), float(params["beta"]) / float(params["gamma"])
    instance = Instance(problem, network, algorithm, noise)
    values = instance.values()
    applicable, notes = _applicable(name, instance)
    reports = [r for card in applicable for r in evaluate_card(card, values, ratio, step)]
    violations: list[Violation] = []
    radius = None
    exact_ok = False
    if isinstance(algorithm, LTADMM) and is_quadratic(problem) and problem.optimum() is not None:
        size = problem.n_agents * problem.dim
        if size <= exact_limit:
            radius = linear_model(Parameters.of(algorithm), problem, network).spectral_radius()
            exact_ok = radius < 1.0
            if radius >= 1.0 + RADIUS_TOL:
                try:
                    crit: float | None = critical_step_size(
                        problem, network, tau=algorithm.tau, rho=algorithm.rho, beta_ratio=ratio,
                        penalty=algorithm.penalty, alpha=algorithm.alpha)
                    limit = (f" The largest step size that converges is gamma = {crit:.6g} "
                             f"(with beta = {ratio:g} x gamma).")
                except LTADMMVerifyError as error:
                    crit, limit = None, f" No stable step size was found ({error})."
                violations.append(Violation(
                    "error", "exact analysis",
                    f"exact analysis of this quadratic problem: the iteration diverges (spectral "
                    f"radius of one round = {radius:.6g} >= 1).{limit}",
                    crit,
                ))
            elif not exact_ok:
                notes.append(f"exact spectral radius {radius:.12g} is within {RADIUS_TOL:g} of 1: "
                             "marginal, not refused")
        else:
            notes.append(f"exact analysis skipped in the check: N d = {size} > {exact_limit}")
    for rep in reports:
        if rep.holds is not False:
            if rep.holds is None and rep.provenance == "unknown":
                notes.append(f"{rep.label} cannot be evaluated: a constant has no value")
            continue
        if rep.provenance == "calibrated" and exact_ok:
            continue
        severity = "warning" if rep.provenance == "calibrated" else "error"
        consts = "; ".join(rep.constants) or "no constant"
        bound = "" if rep.bound is None else f" requires gamma <= {rep.bound:.6g}"
        if rep.outside:
            consts += "; outside the calibration range: " + "; ".join(rep.outside)
        violations.append(Violation(
            severity, rep.label,
            f"theorem card {rep.card}, condition {rep.condition}: {rep.text}{bound}, got gamma = "
            f"{step:.6g} ({consts}).",
            rep.bound,
        ))
    return StepSizeVerdict(name, params, radius, tuple(reports), tuple(violations), tuple(notes))


def check_step_size(
    algorithm: Any, problem: Problem, network: Network, *, noise: Any = None,
    exact_limit: int = EXACT_CHECK_LIMIT,
) -> StepSizeVerdict:
    """Raise :class:`~ltadmm_verify.errors.InadmissibleStepSize` if the step size is inadmissible.

    Errors: the exact analysis shows divergence (quadratics), or a condition whose constants are
    ``"paper"``/``"user"`` fails. A failed ``"calibrated"`` condition is only a warning (returned
    in the verdict, not raised). Returns the verdict when there is no error.
    """
    verdict = assess_step_size(algorithm, problem, network, noise=noise, exact_limit=exact_limit)
    if verdict.errors:
        raise InadmissibleStepSize(verdict.message())
    return verdict


def apply_check(
    check: str, algorithm: Any, problem: Problem, network: Network, *, noise: Any = None,
    stacklevel: int = 3,
) -> StepSizeVerdict | None:
    """The pre-run policy of ``run(check=...)``: ``"raise"``, ``"warn"`` or ``"off"``.

    ``"raise"``: raise on errors, warn (:class:`AdmissibilityWarning`) on calibrated violations;
    ``"warn"``: warn on both; ``"off"``: nothing.
    """
    check = choice("check", check, CHECKS)
    well_formed = (
        isinstance(problem, Problem) and isinstance(network, Network)
        and problem.n_agents == network.n_agents and (noise is None or isinstance(noise, GaussianNoise))
    )
    if check == "off" or not well_formed:
        return None  # malformed inputs: the run loop reports them precisely
    verdict = assess_step_size(algorithm, problem, network, noise=noise)
    if check == "raise" and verdict.errors:
        raise InadmissibleStepSize(verdict.message())
    shown = verdict.violations if check == "warn" else verdict.warnings
    if shown:
        warnings.warn(AdmissibilityWarning(verdict.message(shown)), stacklevel=stacklevel)
    return verdict


__all__ = [
    "CHECKS",
    "EXACT_CHECK_LIMIT",
    "EXACT_REPORT_LIMIT",
    "RADIUS_TOL",
    "AdmissibilityReport",
    "AdmissibilityWarning",
    "ConditionReport",
    "StepSizeVerdict",
    "Violation",
    "admissible_step_size",
    "apply_check",
    "assess_step_size",
    "check_step_size",
    "evaluate_card",
]
