"""The worst case after K rounds over a function class (performance estimation, SPEC 10).

Independent references:

- the two-agent reduction: local DSGD with ``tau = 1`` on two agents joined by an edge is gradient
  descent on ``F`` (``L_F = 2L``) with step ``gamma / 2``; at ``gamma / 2 = 1 / L_F`` its worst case
  is ``4 L_F / (3K)`` (Taylor's thesis; Abbaszadehpeivasti, de Klerk, Zamani 2021);
- a second formulation of LT-ADMM for ``N = 2`` written by hand in PEPit's own API;
- concrete instances (random and indefinite quadratics in the class, run with the simulator): their
  normalised metric can never exceed the worst case.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

import ltadmm_verify as lv
from ltadmm_verify.algorithms import ExactADMM, LocalDSGD
from ltadmm_verify.algorithms.run import run_loop
from ltadmm_verify.cli import main
from ltadmm_verify.errors import InvalidParameterError
from ltadmm_verify.problems.quadratic import Quadratic
from ltadmm_verify.theory.pep import depends_on_origin, unroll
from ltadmm_verify.theory.trace import round_map
from ltadmm_verify.theory.worst_case import (
    WITNESS_RTOL,
    FunctionClass,
    WorstCaseTooLargeError,
    _forms,
    _solve_sdp,
    interpolation_slack,
    worst_case,
)
from ltadmm_verify.verify import Verdict
from ltadmm_verify.verify.worst_case_law import (
    WorstCaseTable,
    check_rate_law,
    exponent_fits,
    law_summary,
    worst_case_table,
)

#: Clarabel solves these small SDPs to ~1e-9 relative; a formulation error shows at 1e-2 or more.
VALUE_RTOL = 1e-6


# ---------------------------------------------------------------------------- references
@pytest.mark.parametrize("rounds", [1, 2, 3, 5])
def test_two_agent_reduction_is_gradient_descent(rounds: int) -> None:
    L = 1.5
    net = lv.make_network("complete", 2)
    res = worst_case(LocalDSGD(gamma=1.0 / L, tau=1), net, rounds=rounds, L=L)
    L_F = 2 * L
    assert res.status.startswith("optimal")
    assert res.verified, res.to_dict()
    assert res.value == pytest.approx(4 * L_F / (3 * rounds), rel=VALUE_RTOL)
    assert res.size["merged"] > 0  # the query points are the averages: identified, not duplicated


def _pepit_ltadmm(L: float, gamma: float, beta: float, rho: float, alpha: float, tau: int,
                  rounds: int) -> float:
    """LT-ADMM on two agents joined by one edge, in PEPit's own points and functions."""
    from PEPit import PEP
    from PEPit.functions import SmoothFunction

    pep = PEP()
    f = [pep.declare_function(SmoothFunction, L=L) for _ in range(2)]
    x_bar0 = pep.set_initial_point()
    x, z = [x_bar0, x_bar0], [x_bar0, x_bar0]  # z[i]: agent i's edge variable (degree 1)
    history = [(x_bar0, list(x))]
    for _ in range(rounds):
        new = []
        for i in range(2):
            c = rho * x[i] - z[i]
            phi = x[i]
            for _ in range(tau):
                phi = phi - gamma * f[i].gradient(phi) - beta * c
            new.append(phi)
        z = [(1 - alpha) * z[i] - alpha * (z[1 - i] - 2 * rho * new[1 - i]) for i in range(2)]
        x = new
        history.append((0.5 * (x[0] + x[1]), list(x)))
    g0 = [f[0].gradient(x_bar0), f[1].gradient(x_bar0)]
    g_mean = 0.5 * (g0[0] + g0[1])
    pep.set_initial_condition(0.5 * ((g0[0] - g_mean) ** 2 + (g0[1] - g_mean) ** 2) <= 1)
    F0 = f[0](x_bar0) + f[1](x_bar0)
    for bar, models in history:
        pep.set_initial_condition(F0 - (f[0](bar) + f[1](bar)) <= 1)  # F(x_bar_0) - F_low <= 1
        grad_F = f[0].gradient(bar) + f[1].gradient(bar)
        pep.set_performance_metric(grad_F**2 + 0.5 * ((models[0] - bar) ** 2 + (models[1] - bar) ** 2))
    return float(pep.solve(wrapper="cvxpy", solver="CLARABEL", verbose=0))


@pytest.mark.parametrize("tau", [1, 2])
@pytest.mark.parametrize("rounds", [1, 2])
def test_ltadmm_matches_an_independent_pepit_formulation(tau: int, rounds: int) -> None:
    pytest.importorskip("PEPit")
    L, gamma, beta, rho, alpha = 1.0, 0.3, 0.2, 1.0, 0.5
    ours = worst_case(lv.LTADMM(gamma=gamma, beta=beta, rho=rho, tau=tau, alpha=alpha),
                      lv.make_network("complete", 2), rounds=rounds, L=L)
    theirs = _pepit_ltadmm(L, gamma, beta, rho, alpha, tau, rounds)
    assert ours.verified
    assert ours.value == pytest.approx(theirs, rel=VALUE_RTOL)


# ---------------------------------------------------------------------------- instances
def _instance_value(algorithm: lv.algorithms.Algorithm, problem: Quadratic, network: lv.Network,
                    rounds: int, x0: np.ndarray, metric: str) -> float:
    """The metric a concrete instance attains, divided by its normalisation ratio (SPEC 10).

    Everything is homogeneous of degree 2 under ``f -> c^2 f(. / c)``, ``x_0 -> c x_0``, so the
    instance scaled to meet both normalisations attains exactly this value.
    """
    res = run_loop(algorithm, problem, network, rounds, x0=x0)
    M = res.history["stationarity"]
    F = res.history["objective"]
    g0 = problem.local_gradients(np.tile(x0, (problem.n_agents, 1)))
    dissimilarity = float(((g0 - g0.mean(axis=0)) ** 2).sum() / problem.n_agents)
    ratio = max(float(F[0] - F.min()), dissimilarity)
    value = float(M.min()) if metric == "min" else float(M[:rounds].mean())
    return value / ratio


def _quadratics(n: int, dim: int, L: float, low: float, seed: int) -> list[Quadratic]:
    """Random quadratics with every Hessian's spectrum in ``[low, L]`` (both ends attained):
    heterogeneous, and a homogeneous-Hessian one (only the linear terms differ)."""
    rng = np.random.default_rng(seed)
    out = []
    for shared in (False, True):
        H = np.empty((n, dim, dim))
        q0, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
        for i in range(n):
            q = q0 if shared else np.linalg.qr(rng.standard_normal((dim, dim)))[0]
            lam = rng.uniform(low, L, dim)
            lam[0], lam[-1] = low, L
            H[i] = (q * lam) @ q.T
        out.append(Quadratic(H, rng.standard_normal((n, dim))))
    return out


@pytest.mark.parametrize("mu", [None, 0.0, 0.2])
@pytest.mark.parametrize("metric", ["min", "average"])
def test_worst_case_is_never_below_concrete_instances(mu: float | None, metric: str) -> None:
    L, rounds = 1.0, 3
    net = lv.make_network("ring", 3)
    alg = lv.LTADMM(gamma=0.3, beta=0.3, rho=1.0, tau=2)
    res = worst_case(alg, net, rounds=rounds, L=L, mu=mu, metric=metric)
    assert res.verified, res.to_dict()
    low = -L if mu is None else mu  # indefinite Hessians for the nonconvex class
    attained = []
    for seed in range(4):
        for problem in _quadratics(3, 3, L, low, seed):
            x0 = np.random.default_rng(seed).standard_normal(3)
            attained.append(_instance_value(alg, problem, net, rounds, x0, metric))
    assert max(attained) <= res.value * (1 + VALUE_RTOL)
    assert max(attained) > 0.0


def test_the_instance_check_can_fail() -> None:
    """The same comparison refutes the worst case of a class that does not hold the instances: the
    strongly convex one (mu = 1/2) against indefinite quadratics."""
    net = lv.make_network("ring", 3)
    alg = lv.LTADMM(gamma=0.3, beta=0.3, rho=1.0, tau=2)
    wrong_class = worst_case(alg, net, rounds=2, L=1.0, mu=0.5)
    attained = [_instance_value(alg, problem, net, 2, np.ones(2), "min")
                for seed in range(4) for problem in _quadratics(3, 2, 1.0, -1.0, seed)]
    assert max(attained) > wrong_class.value


def test_classes_are_nested() -> None:
    net = lv.make_network("ring", 3)
    alg = lv.LTADMM(gamma=0.2, beta=0.2, rho=1.0, tau=2)
    values = [worst_case(alg, net, rounds=2, L=1.0, mu=mu).value for mu in (None, 0.0, 0.3)]
    assert values[0] >= values[1] * (1 - VALUE_RTOL)
    assert values[1] >= values[2] * (1 - VALUE_RTOL)


# ---------------------------------------------------------------------------- witness
def test_witness_is_recomputed_and_checked() -> None:
    net = lv.make_network("ring", 3)
    res = worst_case(lv.LTADMM(gamma=0.2, beta=0.2, rho=1.0, tau=2), net, rounds=2, L=1.0)
    w = res.witness
    assert w is not None and res.verified
    assert w.max_violation <= WITNESS_RTOL
    assert w.value == pytest.approx(res.value, rel=VALUE_RTOL)
    assert w.metrics.min() == pytest.approx(res.value, rel=VALUE_RTOL)
    assert w.gap <= 1 + 1e-6 and w.dissimilarity <= 1 + 1e-6
    info = res.to_dict(witness=True)
    assert len(info["witness"]["agents"]) == 3
    # the check can fail: a value lowered by a tenth of the scale breaks an inequality
    values = w.values.copy()
    values[1] -= 0.1 * (np.abs(values).max() + 1)
    _, violation = interpolation_slack(w.points, w.gradients, values, w.agent, FunctionClass(1.0, None))
    assert violation > WITNESS_RTOL


def test_lifted_formulation_agrees_with_the_dense_one() -> None:
    alg = lv.LTADMM(gamma=0.2, beta=0.2, rho=1.0, tau=1)
    system = round_map(alg, lv.make_network("ring", 3))
    dense = unroll(system, 3, anchored=False, lift=False)
    lifted = unroll(system, 3, anchored=False, lift=True)
    assert lifted.n_vectors == dense.n_vectors + 2 * system.size
    np.testing.assert_allclose(lifted.leaf_positions, dense.positions, atol=1e-13)
    values = []
    for unrolled in (dense, lifted):
        forms = _forms(unrolled, FunctionClass(1.0, None))
        status, value, _, _, _ = _solve_sdp(unrolled, forms, metric="min", radius=None,
                                            solver="clarabel")
        assert status.startswith("optimal")
        values.append(value)
    assert values[1] == pytest.approx(values[0], rel=1e-6)


def test_scs_on_the_lifted_formulation_agrees() -> None:
    alg = lv.LTADMM(gamma=0.3, beta=0.2, rho=1.0, tau=2)
    net = lv.make_network("complete", 2)
    dense = worst_case(alg, net, rounds=2, L=1.0)
    lifted = worst_case(alg, net, rounds=2, L=1.0, solver="scs")
    assert lifted.solver == "scs" and lifted.size["lifted"] and lifted.verified
    assert lifted.value == pytest.approx(dense.value, rel=1e-5)  # SCS_EPS = 1e-7, first order


# ---------------------------------------------------------------------------- other algorithms
def test_implicit_step_exact_admm() -> None:
    """A local solve queries the point it returns (feed-through): its worst case is computed and
    bounded by instances like any other."""
    net = lv.make_network("ring", 3)
    alg = ExactADMM(rho=1.0)
    res = worst_case(alg, net, rounds=2, L=1.0, mu=0.0)
    assert res.verified
    problem = _quadratics(3, 2, 1.0, 0.0, 1)[0]
    assert _instance_value(alg, problem, net, 2, np.ones(2), "min") <= res.value * (1 + VALUE_RTOL)


@pytest.mark.parametrize("make", [
    lambda: lv.algorithms.LED(gamma=0.2, beta=0.2, tau=2),
    lambda: lv.algorithms.KGT(eta_c=0.2, eta_s=1.0, tau=2),
    lambda: LocalDSGD(gamma=0.2, tau=2),
])
def test_baselines(make) -> None:
    res = worst_case(make(), lv.make_network("ring", 3), rounds=2, L=1.0)
    assert res.verified and res.value > 0


# ---------------------------------------------------------------------------- the origin
def test_rho_not_one_depends_on_the_origin() -> None:
    net = lv.make_network("ring", 3)
    assert not depends_on_origin(round_map(lv.LTADMM(gamma=0.2, beta=0.2, rho=1.0, tau=2), net), 3)
    alg = lv.LTADMM(gamma=0.2, beta=0.2, rho=2.0, tau=2)
    assert depends_on_origin(round_map(alg, net), 3)
    with pytest.raises(InvalidParameterError, match="radius"):
        worst_case(alg, net, rounds=2, L=1.0)
    small = worst_case(alg, net, rounds=2, L=1.0, radius=0.1)
    large = worst_case(alg, net, rounds=2, L=1.0, radius=10.0)
    assert small.verified and large.verified
    assert large.value > small.value  # the start matters: a finding about the initialisation
    assert any("origin" in note for note in large.notes)


# ---------------------------------------------------------------------------- refusals
def test_sizes_beyond_the_limit_are_refused_before_solving() -> None:
    net = lv.make_network("ring", 6)
    with pytest.raises(WorstCaseTooLargeError, match="MAX_GRAM_DIMENSION"):
        worst_case(lv.LTADMM(gamma=0.1, beta=0.1, rho=1.0, tau=10), net, rounds=8, L=1.0)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"rounds": 0}, "rounds"),
    ({"L": -1.0}, "L"),
    ({"mu": 1.0}, "mu"),
    ({"mu": -0.5}, "mu"),
    ({"metric": "max"}, "metric"),
    ({"solver": "mosek"}, "solver"),
])
def test_bad_arguments(kwargs, match) -> None:
    args = {"rounds": 1, "L": 1.0, **kwargs}
    with pytest.raises(InvalidParameterError, match=match):
        worst_case(lv.LTADMM(gamma=0.1, beta=0.1, rho=1.0, tau=1), lv.make_network("ring", 3),
                   **args)


# ---------------------------------------------------------------------------- the rate law
def _synthetic_table(a: float, b: float) -> WorstCaseTable:
    rounds, taus = list(range(1, 9)), [1, 2, 3, 4]
    values = 10.0 / np.outer(np.array(taus, float) ** b, np.array(rounds, float) ** a)
    shape = values.shape
    return WorstCaseTable("LTADMM", {}, "ring", 3, 1.0, None, "min", rounds, taus, values,
                          np.ones(shape, bool), np.zeros(shape), np.zeros(shape),
                          [["optimal"] * 8 for _ in taus])


@pytest.mark.parametrize(("a", "b", "law"), [(1.0, 1.0, "holds"), (2.0, 1.5, "conservative"),
                                             (0.5, 1.0, "fails"), (1.0, 0.6, "fails")])
def test_rate_law_verdicts(a: float, b: float, law: str) -> None:
    table = _synthetic_table(a, b)
    fits = exponent_fits(table)
    assert {f.direction for f in fits} == {"K", "tau"}
    for fit in fits:
        assert fit.exponent == pytest.approx(a if fit.direction == "K" else b, abs=1e-9)
    assert law_summary(check_rate_law(table)) == law
    again = WorstCaseTable.from_dict(table.to_dict())
    np.testing.assert_allclose(again.values, table.values)
    assert "K tau W" in table.table()


def test_rate_law_uses_the_tail() -> None:
    """``A / (K + 2)``: local exponents below 1 at small K, the law holds (K W is bounded)."""
    table = _synthetic_table(1.0, 1.0)
    table.values = 10.0 / np.outer(np.array(table.taus, float), np.array(table.rounds) + 0.5)
    fits = [f for f in exponent_fits(table) if f.direction == "K"]
    assert all(f.full_exponent < f.exponent for f in fits)
    assert all(f.points == [5, 6, 7, 8] for f in fits)


def test_rate_law_a_transient_dip_is_undecided() -> None:
    """Worst cases over ``K = 1..6`` from the thorough profile whose tail exponents (0.84, 0.52) the
    range ``K = 1..10`` refutes (the local exponent recovers to about 1): the check is undecided. The
    same tail exponent with no movement (a clean power law) is a FAIL."""
    rounds = list(range(1, 7))
    k_w = np.array([20.52, 21.17, 21.95, 22.81, 23.65, 24.35])
    table = WorstCaseTable("LTADMM", {}, "path", 2, 1.0, None, "min", rounds, [1],
                           (k_w / np.array(rounds))[None, :], np.ones((1, 6), bool),
                           np.zeros((1, 6)), np.zeros((1, 6)), [["optimal"] * 6])
    (dip,) = check_rate_law(table)
    assert dip.measured == pytest.approx(0.84, abs=0.01)
    assert dip.verdict == Verdict.INCONCLUSIVE and dip.interval[1] > 0.95
    # the 3-path at gamma = 0.192: the local exponent falls from 0.86 to 0.50 by K = 6 (and is back
    # at 0.98 by K = 10): moving by more than the margin, undecided
    table.values = (np.array([16.39, 18.09, 20.08, 22.42, 24.9, 27.29]) / np.array(rounds))[None, :]
    (falling,) = check_rate_law(table)
    assert falling.interval[1] < 0.9 and falling.verdict == Verdict.INCONCLUSIVE
    assert "local exponent moves" in falling.explanation
    table.values = 10.0 / np.array(rounds, float)[None, :] ** 0.84
    (clean,) = check_rate_law(table)
    assert clean.verdict == Verdict.FAIL


def test_table_refuses_beyond_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    module = sys.modules["ltadmm_verify.theory.worst_case"]  # the package's name is the function
    monkeypatch.setattr(module, "MAX_GRAM_DIMENSION", 25)
    table = worst_case_table(lv.LTADMM(gamma=0.1, beta=0.1, rho=1.0, tau=1),
                             lv.make_network("ring", 3), rounds=[1, 2, 3, 4], taus=[1, 2], L=1.0)
    # exact sizes (after merging): 6 K Gram vectors at tau = 1, 9 K at tau = 2
    assert np.isfinite(table.values[0]).all() and np.isfinite(table.values[1, :2]).all()
    assert np.isnan(table.values[1, 2:]).all()
    assert table.statuses[1][2] == "refused: size limit"
    assert any("refused" in note for note in table.notes)


# ---------------------------------------------------------------------------- command line
def test_cli_single_case_and_table(tmp_path, capsys) -> None:
    assert main(["worst-case", "--rounds", "2", "--tau", "2", "--gamma", "0.2", "--witness",
                 "--out", str(tmp_path / "one.json")]) == 0
    out = capsys.readouterr().out
    assert "worst case" in out and "verified" in out
    data = json.loads((tmp_path / "one.json").read_text())
    assert data["worst_case"]["verified"] and len(data["worst_case"]["witness"]["agents"]) == 3
    assert main(["worst-case", "--rounds", "1", "2", "3", "--tau", "1", "2",
                 "--out", str(tmp_path / "table.json")]) == 0
    out = capsys.readouterr().out
    assert "exponent in K" in out and "law A/(K tau)" in out
    data = json.loads((tmp_path / "table.json").read_text())
    assert data["law"] in ("holds", "conservative", "fails", "undecided")
    assert len(data["table"]["values"]) == 2


@pytest.mark.parametrize(("argv", "match"), [
    (["--algorithm", "local-dsgd", "--beta", "0.1"], "--beta"),
    (["--algorithm", "exact-admm", "--tau", "2"], "--tau"),
    (["--rounds", "1", "2", "--witness"], "--witness"),
    (["--agents", "6", "--tau", "10", "--rounds", "8"], "MAX_GRAM_DIMENSION"),
    (["--rho", "2"], "radius"),
])
def test_cli_refusals(argv, match, capsys) -> None:
    assert main(["worst-case", *argv]) == 2
    assert match in capsys.readouterr().err
