"""The theory side of C6 (theory.comparison): critical steps and certified rates against tau."""

from __future__ import annotations

import pytest

import ltadmm_verify as lv
from ltadmm_verify.algorithms import KGT, LED, ExactADMM, LocalDSGD
from ltadmm_verify.theory.comparison import (
    class_instances,
    compare_algorithms,
    comparison_table,
)

MU, L = 0.5, 2.0
ALGORITHMS = [lv.LTADMM(gamma=0.1, beta=0.1, rho=1.0, tau=1), LED(gamma=0.1, beta=0.1, tau=1),
              KGT(eta_c=0.1, eta_s=1.0, tau=1), LocalDSGD(gamma=0.1, tau=1)]


@pytest.fixture(scope="module")
def cells() -> list:
    networks = {"ring": lv.network.ring(4), "complete": lv.make_network("complete", 4)}
    return compare_algorithms(ALGORITHMS, networks, tau_values=[1, 3], mu=MU, L=L,
                              certify_tau=[1], n_quadratics=1)


def test_cells_cover_the_grid_in_order(cells: list) -> None:
    keys = [(c.algorithm, c.graph, c.tau) for c in cells]
    assert keys == [(a.name, g, t) for a in ALGORITHMS for g in ("ring", "complete") for t in (1, 3)]
    assert [c.step_parameter for c in cells[:4]] == ["gamma"] * 4
    assert {c.step_parameter for c in cells if c.algorithm == "k-gt"} == {"eta_c"}
    table = comparison_table(cells).splitlines()
    assert len(table) == len(cells) + 1 and "critical" in table[0]


def test_critical_step_is_the_worst_instance(cells: list) -> None:
    """Independent recomputation: the minimum over the class instances of each one's critical step,
    and every instance stable just below it."""
    net = lv.network.ring(4)
    problems = class_instances(4, mu=MU, L=L, n_quadratics=1)
    for alg in ALGORITHMS:
        cell = next(c for c in cells if c.algorithm == alg.name and c.graph == "ring" and c.tau == 3)
        alg3 = alg.with_values(tau=3)
        steps = [lv.theory.critical_step_size(alg3, p, net) for p in problems]
        assert cell.critical_step == min(steps)
        below = alg3.with_step(0.97 * cell.critical_step)
        assert all(lv.theory.spectral_radius(below, p, net) < 1 for p in problems)
    # local gradient steps on the homogeneous quadratic L x^2 / 2 diverge beyond 2 / L
    dsgd = next(c for c in cells if c.algorithm == "local-dsgd" and c.tau == 1)
    assert dsgd.critical_step == pytest.approx(2 / L, rel=1e-3)


def test_certified_rates_bound_every_instance(cells: list) -> None:
    """Certified where asked, not elsewhere; never below an instance's exact rate at the step."""
    networks = {"ring": lv.network.ring(4), "complete": lv.make_network("complete", 4)}
    for c in cells:
        if c.tau != 1:
            assert c.status == "not computed" and c.certified_rate is None
            continue
        assert c.status == "certified" and c.certified_rate is not None and c.certified_rate < 1
        assert c.step == pytest.approx(0.5 * c.critical_step)
        assert c.quadratic_rate is not None and c.quadratic_rate <= c.certified_rate + 1e-9
        alg = next(a for a in ALGORITHMS if a.name == c.algorithm).with_step(c.step)
        for seed in range(2):
            problem = lv.random_quadratic(4, 2, mu=MU, L=L, seed=10 + seed)
            assert lv.theory.spectral_radius(alg, problem, networks[c.graph]) <= c.certified_rate + 1e-9


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"step_fraction": 1.0}, "step_fraction must be in"),
    ({"mu": 3.0}, "mu must be at most L"),
    ({"tau_values": []}, "tau_values must name at least one tau"),
    ({"tau_values": [0]}, "tau_values"),
    ({"L": float("nan")}, "L"),
])
def test_bad_arguments(kwargs: dict, message: str) -> None:
    base = {"tau_values": [1], "mu": MU, "L": L}
    with pytest.raises(lv.InvalidParameterError, match=message):
        compare_algorithms(ALGORITHMS[:1], {"ring": lv.network.ring(4)}, **{**base, **kwargs})


def test_algorithm_without_local_steps_refused() -> None:
    with pytest.raises(lv.InvalidParameterError, match="exact-admm"):
        compare_algorithms([ExactADMM(rho=1.0)], {"ring": lv.network.ring(4)}, tau_values=[1],
                           mu=MU, L=L)
