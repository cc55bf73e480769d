r"""Theorem cards: the paper's claims (SPEC section 4) as small, checkable objects.

A :class:`TheoremCard` holds

- a **statement** (text) and the algorithms it covers;
- **hypotheses**: functions that check a problem / network / algorithm / noise model;
- **conditions**: sympy relations over the named symbols of :data:`SYMBOLS` (``gamma, beta, rho,
  tau, L, mu, lambda_l, lambda_u, N, d_max, sigma2, batch, m``), e.g.
  ``gamma <= c_gamma lambda_l / (L tau^2)``;
- **constants**: the unknown constants of the paper as named symbols, each with a value and its
  provenance (:class:`Constant`: ``"paper"``, ``"calibrated"`` with its evidence, ``"user"``, or no
  value at all);
- **bounds**: the claimed bound expressions (e.g. ``A / (K tau) + b gamma tau sigma2``).

sympy does the algebra: :meth:`TheoremCard.gamma_bounds` solves each condition for ``gamma``,
:meth:`TheoremCard.step_bound` takes the binding one (a ``Min``), :meth:`TheoremCard.latex` renders
it, :meth:`TheoremCard.evaluate` gives numbers.

Provenance of the built-in cards. The full text of the paper's theorems is **not available**; the
forms below come from the paper summary (``seed/paper-summary.md``) and SPEC section 4. No constant
of the paper is known: each is a named symbol. The step-size constants ``c_gamma`` and ``c_vr``
default to a **calibrated** value (the largest constant consistent with the exact critical step of
every instance of a documented family, :mod:`ltadmm_verify.theory.calibrate`, evidence stored in
:mod:`ltadmm_verify.theory._calibration`); a calibrated value is not a theorem. The constants of the
bounds (``A``, ``b``, ...) have no value.

Users register their own cards (for instance with the published constants) with :func:`register`,
without touching the library::

    card = get_card("C3").with_constant("c_gamma", 0.05, "paper", "Theorem 1, eq. (17)")
    register(card, replace=True)
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from ..errors import InvalidParameterError
from ..network import Network
from ..problems.base import Problem
from . import _calibration

# --------------------------------------------------------------------------- symbols
gamma, beta, rho, tau = sp.symbols("gamma beta rho tau", positive=True)
L, mu = sp.symbols("L mu", positive=True)
lambda_l, lambda_u = sp.symbols("lambda_l lambda_u", positive=True)
N, d_max, sigma2, batch, m, K = sp.symbols("N d_max sigma2 batch m K", positive=True)

#: The named symbols conditions and bounds may use (all positive).
SYMBOLS: dict[str, sp.Symbol] = {
    s.name: s for s in (gamma, beta, rho, tau, L, mu, lambda_l, lambda_u, N, d_max, sigma2, batch, m, K)
}

PROVENANCES = ("paper", "calibrated", "user")

_LATEX_NAMES = {sigma2: r"\sigma^{2}", d_max: r"d_{\max}"}


def to_latex(expr: sp.Basic) -> str:
    """LaTeX of a sympy expression with the toolkit's symbol names (``sigma^2``, ``d_max``)."""
    return str(sp.latex(expr, symbol_names=_LATEX_NAMES))


# --------------------------------------------------------------------------- constants
@dataclass(frozen=True)
class Constant:
    """A constant of a theorem: a named symbol, its value (or ``None``) and where the value comes from.

    Parameters
    ----------
    symbol : sympy.Symbol
    description : str
        What the constant is.
    value : float or None
        ``None``: unknown (the paper's value is not available to us).
    provenance : {"paper", "calibrated", "user"} or None
        Required with a value. ``"calibrated"`` requires ``evidence``.
    evidence : mapping or str or None
        For ``"calibrated"``: the instances and numbers (see :class:`~.calibrate.Calibration`);
        for ``"paper"``: where in the paper; for ``"user"``: free text.
    """

    symbol: sp.Symbol
    description: str
    value: float | None = None
    provenance: str | None = None
    evidence: Mapping[str, Any] | str | None = None

    def __post_init__(self) -> None:
        if self.value is None:
            if self.provenance is not None:
                raise InvalidParameterError(
                    f"constant {self.name}: provenance {self.provenance!r} given without a value"
                )
            return
        value = float(self.value)
        if not np.isfinite(value) or value <= 0:
            raise InvalidParameterError(
                f"constant {self.name} must be a finite number > 0, got {self.value!r}"
            )
        object.__setattr__(self, "value", value)
        if self.provenance not in PROVENANCES:
            raise InvalidParameterError(
                f"constant {self.name}: provenance must be one of {list(PROVENANCES)} when a value is "
                f"set (never a silent literal), got {self.provenance!r}"
            )
        if self.provenance == "calibrated" and not self.evidence:
            raise InvalidParameterError(
                f"constant {self.name}: a 'calibrated' value needs its evidence (instances and numbers)"
            )

    @property
    def name(self) -> str:
        """The symbol's name."""
        return str(self.symbol.name)

    @property
    def known(self) -> bool:
        """Whether a value is set."""
        return self.value is not None

    def describe(self) -> str:
        """``name = value (provenance)`` or ``name unknown``."""
        if self.value is None:
            return f"{self.name}: unknown ({self.description})"
        return f"{self.name} = {self.value:.6g} ({self.provenance}; {self.description})"


# --------------------------------------------------------------------------- instances
@dataclass(frozen=True)
class Instance:
    """What hypotheses and conditions are checked against: problem, network, algorithm, noise."""

    problem: Problem
    network: Network
    algorithm: Any = None
    noise: Any = None

    def values(self) -> dict[sp.Symbol, float]:
        """Numbers for the symbols this instance determines.

        ``L``: per-sample smoothness (the theorems' ``L``); ``mu``: ``min_i mu_i`` when the local costs
        are known to be convex; ``lambda_l, lambda_u, N, d_max`` from the graph; ``m = max_i m_i``;
        from the algorithm ``gamma, beta, rho, tau`` and ``batch`` (``m`` for full gradients);
        ``sigma2`` from a :class:`~ltadmm_verify.algorithms.GaussianNoise` (0 without noise and
        with full gradients; absent when minibatch noise has no global bound).
        """
        consts = self.problem.smoothness()
        out: dict[sp.Symbol, float] = {
            L: consts.per_sample,
            lambda_l: self.network.lambda_l,
            lambda_u: self.network.lambda_u,
            N: float(self.network.n_agents),
            d_max: float(self.network.max_degree),
            m: float(self.problem.max_samples),
        }
        if consts.mu_per_agent is not None:
            out[mu] = float(np.min(consts.mu_per_agent))
        algo = self.algorithm
        if algo is not None:
            for sym in (gamma, beta, rho, tau):
                if hasattr(algo, sym.name):
                    out[sym] = float(getattr(algo, sym.name))
            size = getattr(algo, "batch_size", None)
            out[batch] = float(self.problem.max_samples if size is None else size)
        if self.noise is not None:
            out[sigma2] = float(self.noise.sigma2)
        elif algo is not None and getattr(algo, "batch_size", None) is None:
            out[sigma2] = 0.0
        return out


# --------------------------------------------------------------------------- hypotheses
@dataclass(frozen=True)
class HypothesisCheck:
    """Outcome of a hypothesis check: ``holds`` is True, False or None (cannot be verified)."""

    holds: bool | None
    detail: str


@dataclass(frozen=True)
class Hypothesis:
    """A hypothesis of a theorem and the function that checks it on an :class:`Instance`."""

    name: str
    text: str
    check: Callable[[Instance], HypothesisCheck]
    source: str = "paper summary"


def _connected(inst: Instance) -> HypothesisCheck:
    lam = inst.network.lambda_l
    return HypothesisCheck(lam > 0, f"lambda_l = {lam:.4g} (Network rejects disconnected graphs)")


def _smooth(inst: Instance) -> HypothesisCheck:
    c = inst.problem.smoothness()
    ok = bool(np.isfinite(c.per_sample))
    return HypothesisCheck(ok, f"L = {c.per_sample:.4g} per sample ({c.how})")


def _strongly_convex(inst: Instance) -> HypothesisCheck:
    c = inst.problem.smoothness()
    if c.mu_per_agent is None:
        return HypothesisCheck(False, "the local costs are not known to be convex")
    mu_min = float(np.min(c.mu_per_agent))
    return HypothesisCheck(mu_min > 0, f"min_i mu_i = {mu_min:.4g}")


def _noise_model(inst: Instance) -> HypothesisCheck:
    size = getattr(inst.algorithm, "batch_size", None)
    if inst.noise is not None and size is None:
        return HypothesisCheck(True, f"exact gradients + Gaussian noise, sigma^2 = {inst.noise.sigma2:.4g}")
    if size is None:
        return HypothesisCheck(True, "exact gradients (sigma^2 = 0)")
    if int(inst.problem.max_samples) == 1:
        return HypothesisCheck(True, "one sample per agent: the minibatch is the exact gradient")
    return HypothesisCheck(None, "minibatch gradients are unbiased; their variance is bounded on "
                                 "bounded sets only (not verified)")


def _finite_sum_vr(inst: Instance) -> HypothesisCheck:
    name = getattr(inst.algorithm, "name", None)
    reset = getattr(inst.algorithm, "reset", None)
    if name != "lt-admm-vr":
        return HypothesisCheck(False, f"algorithm is {name!r}, not lt-admm-vr")
    if reset is not True:
        return HypothesisCheck(False, "reset=False: the theorem covers the reset variant only (O3 open)")
    return HypothesisCheck(True, f"finite sums, m_i up to {inst.problem.max_samples}, memory reset")


CONNECTED = Hypothesis("connected graph", "G undirected and connected (lambda_l > 0)", _connected)
SMOOTH = Hypothesis("L-smooth", "every f_{i,h} is L-smooth with L known", _smooth)
STRONGLY_CONVEX = Hypothesis("strongly convex", "every f_i is mu-strongly convex, mu > 0",
                             _strongly_convex, "open question O1 (paper section V)")
NOISE_MODEL = Hypothesis("noise model", "gradients unbiased with E||g_i - grad f_i||^2 <= sigma^2",
                         _noise_model)
FINITE_SUM_VR = Hypothesis("finite sum, VR with reset",
                           "f_i = (1/m_i) sum_h f_{i,h}; LT-ADMM-VR with memory reset", _finite_sum_vr)


# --------------------------------------------------------------------------- conditions
@dataclass(frozen=True)
class Condition:
    """A parameter condition: a sympy relation over :data:`SYMBOLS` and the card's constants.

    A condition involving ``gamma`` must be an upper bound on it: true as ``gamma -> 0+`` and false
    above one positive boundary (e.g. ``gamma <= c lambda_l / (L tau^2)``).
    """

    name: str
    relation: sp.core.relational.Relational
    text: str
    source: str

    def gamma_bound(self, beta_ratio: float | None = None) -> sp.Expr | None:
        """The boundary ``gamma <= bound`` as a simplified sympy expression (``None`` without gamma).

        ``beta`` is replaced by ``beta_ratio * gamma`` when a ratio is given.
        """
        bound = _solve_for_gamma(self.relation, beta_ratio)
        if bound is False:
            raise InvalidParameterError(
                f"condition {self.name} ({self.relation}) must be an upper bound on gamma: true at "
                "gamma = 0 with a single positive boundary"
            )
        return bound


@functools.lru_cache(maxsize=256)
def _solve_for_gamma(relation: sp.core.relational.Relational,
                     beta_ratio: float | None) -> sp.Expr | bool | None:
    """sympy's solution of ``relation`` at equality for ``gamma`` (cached); False if not a bound."""
    rel = relation if beta_ratio is None else relation.subs(beta, beta_ratio * gamma)
    if gamma not in rel.free_symbols:
        return None
    roots = [r for r in sp.solve(sp.Eq(rel.lhs, rel.rhs), gamma) if r.is_positive is not False]
    if len(roots) != 1 or rel.subs(gamma, 0) is not sp.true:
        return False
    return sp.simplify(roots[0])


@dataclass(frozen=True)
class TheoremCard:
    """One claim of the paper (or a user's), with hypotheses, conditions, constants and bounds.

    See the module docstring; ``provenance`` states where each piece comes from and what is unknown.
    """

    id: str
    title: str
    statement: str
    algorithms: tuple[str, ...]
    provenance: str
    hypotheses: tuple[Hypothesis, ...] = ()
    conditions: tuple[Condition, ...] = ()
    constants: tuple[Constant, ...] = ()
    bounds: Mapping[str, sp.Expr] = field(default_factory=dict)
    requires: tuple[str, ...] = ()

    def constant(self, name: str) -> Constant:
        """The constant called ``name``."""
        for const in self.constants:
            if const.name == name:
                return const
        raise InvalidParameterError(
            f"card {self.id} has no constant {name!r}; its constants are {[c.name for c in self.constants]}"
        )

    def with_constant(
        self, name: str, value: float | None, provenance: str | None = None,
        evidence: Mapping[str, Any] | str | None = None,
    ) -> TheoremCard:
        """A copy with constant ``name`` set to ``value`` (with its provenance and evidence)."""
        old = self.constant(name)
        new = Constant(old.symbol, old.description, value, provenance, evidence)
        constants = tuple(new if c.name == name else c for c in self.constants)
        return dataclasses.replace(self, constants=constants)

    def check_hypotheses(self, instance: Instance) -> list[tuple[Hypothesis, HypothesisCheck]]:
        """Every hypothesis with its outcome on ``instance``."""
        return [(h, h.check(instance)) for h in self.hypotheses]

    def constant_values(self) -> dict[sp.Symbol, float]:
        """The known constants as a substitution."""
        return {c.symbol: c.value for c in self.constants if c.value is not None}

    def constants_in(self, expr: sp.Basic) -> tuple[Constant, ...]:
        """The card's constants that appear in ``expr``."""
        return tuple(c for c in self.constants if c.symbol in expr.free_symbols)

    def gamma_bounds(self, beta_ratio: float | None = None) -> dict[str, sp.Expr]:
        """``{condition name: bound}`` for every condition on ``gamma`` (symbolic)."""
        out = {}
        for cond in self.conditions:
            bound = cond.gamma_bound(beta_ratio)
            if bound is not None:
                out[cond.name] = bound
        return out

    def step_bound(self, beta_ratio: float | None = None) -> sp.Expr | None:
        """The binding upper bound on ``gamma``: ``Min`` of :meth:`gamma_bounds` (simplified)."""
        bounds = list(self.gamma_bounds(beta_ratio).values())
        return sp.simplify(sp.Min(*bounds)) if bounds else None

    def evaluate(self, expr: sp.Basic, values: Mapping[sp.Symbol, float]) -> float | None:
        """``expr`` at ``values`` and the known constants; ``None`` if a symbol stays free."""
        subs = {**self.constant_values(), **values}
        out = sp.sympify(expr).subs(subs)
        if out.free_symbols:
            return None
        if isinstance(out, sp.logic.boolalg.BooleanAtom):
            return float(bool(out))
        return float(out)

    def latex(self, beta_ratio: float | None = None) -> str:
        """LaTeX of the conditions and bounds (one ``$...$`` per line, for mathtext and reports)."""
        lines = [f"${to_latex(c.relation)}$" for c in self.conditions]
        step = self.step_bound(beta_ratio)
        if step is not None and len(self.gamma_bounds(beta_ratio)) > 1:
            lines.append(f"$\\gamma \\leq {to_latex(step)}$")
        lines += [f"${to_latex(sp.Symbol(name))} \\leq {to_latex(expr)}$"
                  for name, expr in self.bounds.items()]
        return "\n".join(lines)

    def describe(self) -> str:
        """Plain-text description: statement, hypotheses, conditions, constants, provenance."""
        parts = [f"{self.id}: {self.title}", f"  statement: {self.statement}"]
        parts += [f"  hypothesis: {h.text} [{h.source}]" for h in self.hypotheses]
        parts += [f"  condition {c.name}: {sp.pretty(c.relation, use_unicode=False)} [{c.source}]"
                  for c in self.conditions]
        parts += [f"  bound {k} <= {sp.pretty(v, use_unicode=False)}" for k, v in self.bounds.items()]
        parts += [f"  constant {c.describe()}" for c in self.constants]
        parts.append(f"  provenance: {self.provenance}")
        return "\n".join(parts)


# --------------------------------------------------------------------------- registry
_REGISTRY: dict[str, TheoremCard] = {}


def register(card: TheoremCard, *, replace: bool = False) -> TheoremCard:
    """Add ``card`` to the registry (``replace=True`` to supersede a card with the same id)."""
    if not isinstance(card, TheoremCard):
        raise InvalidParameterError(f"card must be a TheoremCard, got {type(card).__name__}")
    if card.id in _REGISTRY and not replace:
        raise InvalidParameterError(
            f"a card with id {card.id!r} is already registered; pass replace=True to supersede it"
        )
    _REGISTRY[card.id] = card
    return card


def unregister(card_id: str) -> TheoremCard:
    """Remove and return the card ``card_id``."""
    return _REGISTRY.pop(get_card(card_id).id)


def get_card(card_id: str) -> TheoremCard:
    """The registered card ``card_id``."""
    if card_id not in _REGISTRY:
        raise InvalidParameterError(f"no theorem card {card_id!r}; registered: {sorted(_REGISTRY)}")
    return _REGISTRY[card_id]


def registered_cards(algorithm: str | None = None) -> tuple[TheoremCard, ...]:
    """Registered cards (those covering ``algorithm`` when given), in registration order."""
    return tuple(c for c in _REGISTRY.values() if algorithm is None or algorithm in c.algorithms)


# --------------------------------------------------------------------------- built-in cards
_SUMMARY = "paper summary (seed/paper-summary.md) and SPEC section 4"


def _calibrated(name: str, description: str) -> Constant:
    """The stored calibrated value of a step-size constant (evidence in ``_calibration``)."""
    record = _calibration.CALIBRATIONS[name]
    return Constant(sp.Symbol(name, positive=True), description, record["value"], "calibrated", record)


C_GAMMA = _calibrated("c_gamma", "constant of the LT-ADMM step-size condition (unknown in the paper)")
C_VR = _calibrated("c_vr", "constant of the LT-ADMM-VR step-size condition (unknown in the paper)")

STEP_LT_ADMM = Condition(
    "step size", sp.Le(gamma, C_GAMMA.symbol * lambda_l / (L * tau**2)),
    "gamma <= c_gamma lambda_l / (L tau^2)",
    f"form from the {_SUMMARY} (claim C3); the constant c_gamma is not known",
)
STEP_VR = Condition(
    "step size (VR)", sp.Le(gamma, C_VR.symbol * lambda_l / (L * tau**3)),
    "gamma <= c_vr lambda_l / (L tau^3)",
    f"1/tau^3 scaling from the {_SUMMARY}; the factor lambda_l / L is our assumption by analogy "
    "with LT-ADMM; c_vr is not known",
)

C3 = TheoremCard(
    id="C3", title="admissible step size of LT-ADMM",
    statement="LT-ADMM converges (in the sense of C1) for every gamma <= c lambda_l / (L tau^2), "
              "convex and nonconvex costs.",
    algorithms=("lt-admm",),
    provenance=f"Form: {_SUMMARY}. Constant c_gamma: unknown in the paper; default value calibrated "
               "on exact critical steps of random quadratics (evidence in theory/_calibration.py). "
               "Unknown: the paper's value of c_gamma, and whether its condition involves rho or beta.",
    hypotheses=(CONNECTED, SMOOTH),
    conditions=(STEP_LT_ADMM,),
    constants=(C_GAMMA,),
)

C3_VR = TheoremCard(
    id="C3-VR", title="admissible step size of LT-ADMM-VR",
    statement="LT-ADMM-VR converges (in the sense of C2) for every gamma <= c_vr lambda_l / (L tau^3).",
    algorithms=("lt-admm-vr",),
    provenance=f"1/tau^3 scaling: {_SUMMARY}. lambda_l / L factor: our assumption by analogy with "
               "C3. Constant c_vr: unknown; default calibrated on exact critical steps of random "
               "quadratics, where LT-ADMM-VR coincides with full-gradient LT-ADMM (one sample per "
               "agent), so the calibration does not see the variance of the VR estimate.",
    hypotheses=(CONNECTED, SMOOTH, FINITE_SUM_VR),
    conditions=(STEP_VR,),
    constants=(C_VR,),
)

A1, B1 = sp.symbols("A_1 b_1", positive=True)
C1 = TheoremCard(
    id="C1", title="LT-ADMM converges to a neighbourhood at rate O(1/(K tau))",
    statement="Mbar_K = (1/K) sum_{k<K} E[M_k] <= A_1/(K tau) + b_1 gamma tau sigma^2 (stationary "
              "point for nonconvex costs, optimum for convex costs).",
    algorithms=("lt-admm",),
    provenance=f"Form of the bound: {_SUMMARY}. A_1 (depends on the initial point) and b_1: unknown. "
               "Step-size conditions: card C3.",
    hypotheses=(CONNECTED, SMOOTH, NOISE_MODEL),
    constants=(Constant(A1, "transient constant (depends on x_0)"),
               Constant(B1, "neighbourhood constant: B = b_1 gamma tau sigma^2")),
    bounds={"Mbar_K": A1 / (K * tau) + B1 * gamma * tau * sigma2},
    requires=("C3",),
)

A2 = sp.Symbol("A_2", positive=True)
C2 = TheoremCard(
    id="C2", title="LT-ADMM-VR converges exactly at rate O(1/(K tau))",
    statement="Mbar_K <= A_2/(K tau): no neighbourhood on finite-sum problems.",
    algorithms=("lt-admm-vr",),
    provenance=f"Form: {_SUMMARY}. A_2 unknown. Step-size conditions: card C3-VR.",
    hypotheses=(CONNECTED, SMOOTH, FINITE_SUM_VR),
    constants=(Constant(A2, "transient constant (depends on x_0)"),),
    bounds={"Mbar_K": A2 / (K * tau)},
    requires=("C3-VR",),
)

C_LIN, R_LIN = sp.symbols("C_lin r", positive=True)
O1 = TheoremCard(
    id="O1", title="open: linear convergence of LT-ADMM-VR for strongly convex costs",
    statement="E[M_K] <= C_lin r^K with r < 1 for every round K (open question 1 of the paper).",
    algorithms=("lt-admm-vr",),
    provenance="Open question of the paper (section V); no constant known. For quadratics the exact "
               "rate r is the spectral radius of the round map (our derivation, theory.exact."
               "spectral_radius); for the whole function class see the Lyapunov certificate (SPEC 6).",
    hypotheses=(CONNECTED, SMOOTH, STRONGLY_CONVEX, FINITE_SUM_VR),
    constants=(Constant(C_LIN, "transient constant"), Constant(R_LIN, "linear rate r < 1")),
    bounds={"M_K": C_LIN * R_LIN**K},
    requires=("C3-VR",),
)

for _card in (C3, C3_VR, C1, C2, O1):
    register(_card)

__all__ = [
    "C1",
    "C2",
    "C3",
    "C3_VR",
    "O1",
    "PROVENANCES",
    "SYMBOLS",
    "Condition",
    "Constant",
    "Hypothesis",
    "HypothesisCheck",
    "Instance",
    "TheoremCard",
    "get_card",
    "register",
    "registered_cards",
    "to_latex",
    "unregister",
]
