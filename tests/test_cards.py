"""Theorem cards: sympy conditions versus direct float evaluation, LaTeX, constants, registry."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest
import sympy as sp

matplotlib.use("Agg")
from matplotlib import mathtext

import ltadmm_verify as lv
from ltadmm_verify.theory import cards
from ltadmm_verify.theory.cards import (
    SYMBOLS,
    Condition,
    Constant,
    Instance,
    TheoremCard,
)

BUILT_IN = ("C1", "C2", "C3", "C3-VR", "O1")


def _instance(tau: int = 5, gamma: float = 0.01) -> Instance:
    problem = lv.random_least_squares(8, 3, 10, seed=1)
    algo = lv.LTADMM(gamma=gamma, beta=2 * gamma, rho=1.5, tau=tau)
    return Instance(problem, lv.make_network("grid", 8), algo, lv.GaussianNoise(0.3))


def test_built_in_cards_are_registered() -> None:
    assert {c.id for c in lv.theory.registered_cards()} >= set(BUILT_IN)
    assert {c.id for c in lv.theory.registered_cards("lt-admm-vr")} >= {"C2", "C3-VR", "O1"}


@pytest.mark.parametrize("tau", [1, 3, 10])
def test_step_conditions_match_direct_float_evaluation(tau: int) -> None:
    inst = _instance(tau)
    values = inst.values()
    L = inst.problem.smoothness().per_sample
    lam = inst.network.lambda_l
    for card_id, power, name in (("C3", 2, "c_gamma"), ("C3-VR", 3, "c_vr")):
        card = lv.theory.get_card(card_id)
        c = card.constant(name).value
        assert c is not None
        direct = c * lam / (L * tau**power)
        bound = card.step_bound(beta_ratio=2.0)
        assert bound is not None
        assert card.evaluate(bound, values) == pytest.approx(direct, rel=1e-12)
        # the relation itself, at gamma just below / above the bound
        rel = card.conditions[0].relation
        assert card.evaluate(rel, {**values, SYMBOLS["gamma"]: 0.999 * direct}) == 1.0
        assert card.evaluate(rel, {**values, SYMBOLS["gamma"]: 1.001 * direct}) == 0.0


def test_bound_expressions_match_direct_float_evaluation() -> None:
    inst = _instance(4, gamma=0.02)
    values = {**inst.values(), SYMBOLS["K"]: 50.0}
    c1 = lv.theory.get_card("C1").with_constant("A_1", 3.0, "user").with_constant("b_1", 0.7, "user")
    direct = 3.0 / (50 * 4) + 0.7 * 0.02 * 4 * 0.3
    assert c1.evaluate(c1.bounds["Mbar_K"], values) == pytest.approx(direct, rel=1e-12)
    o1 = lv.theory.get_card("O1").with_constant("C_lin", 2.0, "user").with_constant("r", 0.9, "user")
    assert o1.evaluate(o1.bounds["M_K"], values) == pytest.approx(2.0 * 0.9**50, rel=1e-12)
    # a constant without value leaves the bound unevaluated
    assert lv.theory.get_card("C1").evaluate(c1.bounds["Mbar_K"], values) is None


@pytest.mark.parametrize("card_id", BUILT_IN)
def test_latex_renders_with_mathtext(card_id: str) -> None:
    card = lv.theory.get_card(card_id)
    lines = card.latex(beta_ratio=1.0).splitlines()
    assert lines
    for line in lines:
        buf = io.BytesIO()
        mathtext.math_to_image(line, buf, format="png")
        assert buf.getvalue().startswith(b"\x89PNG")


def test_cards_state_provenance_and_unknowns() -> None:
    for card_id in BUILT_IN:
        card = lv.theory.get_card(card_id)
        assert "unknown" in card.provenance.lower() or "open" in card.provenance.lower()
        assert all(cond.source for cond in card.conditions)
        assert all(h.source for h in card.hypotheses)
        for const in card.constants:
            assert const.value is None or const.provenance in cards.PROVENANCES
            if const.provenance == "calibrated":
                assert isinstance(const.evidence, dict) and const.evidence["points"]
        assert card_id in card.describe()


def test_constant_needs_provenance_and_evidence() -> None:
    sym = sp.Symbol("c_test", positive=True)
    with pytest.raises(lv.InvalidParameterError, match="provenance"):
        Constant(sym, "test", 1.0)
    with pytest.raises(lv.InvalidParameterError, match="evidence"):
        Constant(sym, "test", 1.0, "calibrated")
    with pytest.raises(lv.InvalidParameterError, match="> 0"):
        Constant(sym, "test", -1.0, "user")
    assert not Constant(sym, "test").known
    assert Constant(sym, "test", 2.0, "paper", "Thm 1").known


def test_binding_condition_is_the_smaller_bound() -> None:
    c = sp.Symbol("c_two", positive=True)
    g, b, L, tau = (SYMBOLS[k] for k in ("gamma", "beta", "L", "tau"))
    card = TheoremCard(
        id="two", title="two conditions", statement="test", algorithms=("lt-admm",),
        provenance="test card (user)",
        conditions=(Condition("first", sp.Le(g + b, c / L), "gamma + beta <= c/L", "user"),
                    Condition("second", sp.Le(g * tau, c / L), "gamma tau <= c/L", "user")),
        constants=(Constant(c, "user constant", 1.0, "user"),),
    )
    bounds = card.gamma_bounds(beta_ratio=1.0)
    assert sp.simplify(bounds["first"] - c / (2 * L)) == 0
    values = {L: 2.0, tau: 3.0}
    step = card.evaluate(card.step_bound(beta_ratio=1.0), values)
    assert step == pytest.approx(min(1.0 / 4.0, 1.0 / 6.0), rel=1e-12)
    assert "min" in card.latex(beta_ratio=1.0)


def test_condition_must_bound_gamma_from_above() -> None:
    c = sp.Symbol("c_low", positive=True)
    cond = Condition("lower", sp.Ge(SYMBOLS["gamma"], c), "gamma >= c", "user")
    with pytest.raises(lv.InvalidParameterError, match="upper bound on gamma"):
        cond.gamma_bound()


def test_hypotheses_check_instances() -> None:
    quad = lv.random_quadratic(4, 2, seed=0)
    net = lv.make_network("ring", 4)
    vr = lv.LTADMMVR(gamma=0.01, beta=0.01, rho=1.0, tau=2)
    o1 = lv.theory.get_card("O1")
    assert all(r.holds for _, r in o1.check_hypotheses(Instance(quad, net, vr)))
    logistic = lv.random_logistic(4, 2, seed=0, l2=0.0)
    strong = dict((h.name, r) for h, r in o1.check_hypotheses(Instance(logistic, net, vr)))
    assert strong["strongly convex"].holds is False
    no_reset = lv.LTADMMVR(gamma=0.01, beta=0.01, rho=1.0, tau=2, reset=False)
    c2_card = lv.theory.get_card("C2")
    c2 = dict((h.name, r) for h, r in c2_card.check_hypotheses(Instance(quad, net, no_reset)))
    assert c2["finite sum, VR with reset"].holds is False
    ls = lv.random_least_squares(4, 2, 5, seed=0)
    mini = lv.LTADMM(gamma=0.01, beta=0.01, rho=1.0, tau=2, batch_size=2)
    c1 = dict((h.name, r) for h, r in lv.theory.get_card("C1").check_hypotheses(Instance(ls, net, mini)))
    assert c1["noise model"].holds is None


def test_instance_values() -> None:
    inst = _instance(3, gamma=0.02)
    values = {s.name: v for s, v in inst.values().items()}
    assert values["lambda_l"] == pytest.approx(inst.network.lambda_l)
    assert values["d_max"] == inst.network.max_degree and values["N"] == 8
    assert values["gamma"] == 0.02 and values["beta"] == 0.04 and values["tau"] == 3
    assert values["sigma2"] == 0.3 and values["m"] == 10
    assert values["L"] == pytest.approx(inst.problem.smoothness().per_sample)
    assert np.isfinite(values["mu"])


def test_user_card_registry(clean_registry: None) -> None:
    card = lv.theory.get_card("C3").with_constant("c_gamma", 0.05, "paper", "Theorem 1 (hypothetical)")
    with pytest.raises(lv.InvalidParameterError, match="already registered"):
        lv.theory.register(card)
    lv.theory.register(card, replace=True)
    assert lv.theory.get_card("C3").constant("c_gamma").provenance == "paper"
    lv.theory.unregister("C3")
    with pytest.raises(lv.InvalidParameterError, match="no theorem card"):
        lv.theory.get_card("C3")
    with pytest.raises(lv.InvalidParameterError, match="TheoremCard"):
        lv.theory.register("C3")  # type: ignore[arg-type]
