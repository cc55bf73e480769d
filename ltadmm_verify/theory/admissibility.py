r"""The step sizes the theorem cards admit, beside the exact critical step.

Two sources, kept apart in every report:

1. **Theorem cards** (:mod:`.cards`): each condition ``gamma <= bound`` of the registered cards
   covering the algorithm, evaluated at the instance's constants. Its provenance is that of the
   constants it uses: ``"paper"`` / ``"user"`` (a theorem's condition), ``"calibrated"`` (an
   estimate of an unknown constant: informative, not a theorem), ``"unknown"`` (a constant without
   value: the condition cannot be evaluated and is reported as such).
2. **Exact analysis** (:mod:`.exact`) on quadratic problems: the critical step of the round map
   traced from the algorithm's code, the true stability limit of (the mean of) the run.

The pre-run check that guards every run is :mod:`.prerun`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from .._validation import choice, integer_at_least, positive_float
from ..algorithms.ltadmm import LTADMM, PENALTIES
from ..network import Network
from ..problems.base import Problem
from . import cards
from .cards import Instance, TheoremCard, beta, gamma, registered_cards, to_latex
from .exact import MAX_STATE_DIMENSION, critical_step_size, is_quadratic


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
            lines.append("  largest gamma the theorem cards admit: unknown (no condition could be evaluated)")
        else:
            assert self.binding is not None
            kind = ("a calibrated constant: an estimate, not a theorem"
                    if self.provenance == "calibrated" else f"constant from the {self.provenance}")
            lines.append(f"  largest gamma the theorem cards admit: {self.gamma_max:.6g} (binding: "
                         f"{self.binding.card} {self.binding.condition}; {kind})")
        if self.critical_step is not None:
            ratio = self.conservativeness
            extra = "" if ratio is None else f"; {ratio:.3g} x the cards' gamma"
            lines.append(f"  exact critical step size (converges below, diverges above): "
                         f"{self.critical_step:.6g}{extra}")
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
        Compute the exact critical step of LT-ADMM for quadratics whose traced state fits
        :data:`~ltadmm_verify.theory.exact.MAX_STATE_DIMENSION`.

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
        size = (problem.n_agents + network.n_directed_edges) * problem.dim
        if problem.optimum() is None:
            notes.append("exact analysis skipped: sum_i H_i is singular")
        elif size > MAX_STATE_DIMENSION:
            notes.append(f"exact analysis skipped: the traced state has dimension (N + 2|E|) d = "
                         f"{size} > MAX_STATE_DIMENSION = {MAX_STATE_DIMENSION}")
        else:
            smooth = problem.smoothness().per_sample
            start = 1.0 / (tau * (smooth + rho_value * network.max_degree * max(beta_ratio, 1.0)))
            lt_admm = LTADMM(start, beta_ratio * start, rho_value, tau, penalty=penalty)
            critical = critical_step_size(lt_admm, problem, network)
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


__all__ = [
    "AdmissibilityReport",
    "ConditionReport",
    "admissible_step_size",
    "evaluate_card",
]
