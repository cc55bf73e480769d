"""The digits reproduction (claim C6): cost model, target table, C6 verdict and ``reproduce --quick``."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from ltadmm_verify import KGT, LTADMM, LTADMMVR, LTADMMVerifyError, random_least_squares
from ltadmm_verify.algorithms.run import run_loop
from ltadmm_verify.cli import main
from ltadmm_verify.network import ring
from ltadmm_verify.reproduce import (
    METHODS,
    Entry,
    ReproductionConfig,
    ReproductionResult,
    first_reach,
    make_algorithm,
    modelled_time,
)

TAU, B, N, R = 3, 2, 6, 10.0


@pytest.fixture(scope="module")
def small():
    return random_least_squares(N, 3, 5, seed=1), ring(N)


def test_modelled_time_is_the_spec_cost_model(small):
    """LT-ADMM: T_k = k (tau + r); K-GT pays two broadcasts; VR pays its full local gradient."""
    problem, network = small
    units = (N * B, network.n_directed_edges)
    k = np.arange(6)
    lt = run_loop(LTADMM(gamma=0.1, beta=0.1, rho=1.0, tau=TAU, batch_size=B), problem, network, 5)
    np.testing.assert_array_equal(modelled_time(lt.history, R, *units), k * (TAU + R))
    kgt = run_loop(KGT(eta_c=0.1, eta_s=1.0, tau=TAU, batch_size=B), problem, network, 5)
    np.testing.assert_array_equal(modelled_time(kgt.history, R, *units), k * (TAU + 2 * R))
    vr = run_loop(LTADMMVR(gamma=0.1, beta=0.1, rho=1.0, tau=TAU, batch_size=B), problem, network, 5)
    per_round = TAU + problem.n_samples.sum() / (N * B) + R
    np.testing.assert_allclose(modelled_time(vr.history, R, *units), k * per_round, rtol=1e-15)


def test_first_reach():
    assert first_reach(np.array([0.1, 0.5, 0.4, 0.9]), 0.45) == 1
    assert first_reach(np.array([0.1, 0.2]), 0.45) is None


def test_grid_mapping():
    config = ReproductionConfig()
    lt = make_algorithm("lt-admm", 5, 0.1, 0.3, config, d_max=2)
    assert isinstance(lt, LTADMM)
    assert lt.gamma == 0.1
    assert lt.beta == pytest.approx(0.3 / (5 * config.rho * 2))
    led = make_algorithm("led", 5, 0.1, 0.3, config, d_max=2)
    assert led.beta == pytest.approx(0.3 / 5)  # type: ignore[attr-defined]
    kgt = make_algorithm("k-gt", 5, 0.1, 0.3, config, d_max=2)
    assert (kgt.eta_c, kgt.eta_s) == (0.1, 0.3)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("change", "argument"),
    [({"seeds": 1}, "seeds"), ({"methods": ("lt-admm", "dgd")}, "methods"),
     ({"target_accuracy": 1.5}, "target_accuracy"), ({"taus": (0,)}, "taus"),
     ({"primary_grid": ()}, "primary_grid")],
)
def test_bad_configuration_is_rejected(change, argument):
    with pytest.raises(LTADMMVerifyError, match=argument):
        ReproductionConfig(**change)


def _synthetic(lt_reach: int | None, base_reach: int | None) -> ReproductionResult:
    """A result whose accuracy curves cross 0.95 at the given rounds (one round = tau + r units)."""
    config = ReproductionConfig(methods=("lt-admm", "led"), taus=(1,), seeds=2, ratios=(100.0,))
    result = ReproductionResult(config, {}, grad_unit=1.0, comm_unit=1.0)
    rounds = np.arange(11.0)
    for method, reach in (("lt-admm", lt_reach), ("led", base_reach)):
        acc = np.where(rounds >= (math.inf if reach is None else reach), 0.97, 0.5)
        hist = {"round": rounds.tolist(), "grad_evals": rounds.tolist(), "messages": rounds.tolist(),
                "accuracy": acc.tolist(), "stationarity": np.ones(11).tolist()}
        result.entries.append(Entry(method, 1, {}, {}, [], [hist, hist]))
    return result


@pytest.mark.parametrize(
    ("lt", "base", "verdict", "measured"),
    [(3, 6, "PASS", 0.5), (6, 3, "FAIL", 2.0), (None, 3, "FAIL", math.inf)],
)
def test_c6_verdict(lt, base, verdict, measured):
    check = _synthetic(lt, base).c6_check(100.0)
    assert check.verdict == verdict
    assert check.measured == measured
    assert check.evidence["best_baseline"]["time_to_target"] == base * 101.0


def test_result_round_trips_through_json(tmp_path):
    result = _synthetic(3, 6)
    (tmp_path / "r.json").write_text(json.dumps(result.to_dict()))
    loaded = ReproductionResult.load(tmp_path / "r.json")
    assert loaded.config == result.config
    assert loaded.c6_check(100.0) == result.c6_check(100.0)


def test_c6_not_applicable_when_no_baseline_reaches_the_target():
    assert _synthetic(3, None).c6_check(100.0).verdict == "NOT APPLICABLE"


def test_reproduce_quick_end_to_end(tmp_path, capsys):
    """``ltadmm-verify reproduce --quick`` writes every curve, the table, the verdict and figures."""
    assert main(["reproduce", "--quick", "--quiet", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "C6 at t_comm/t_grad = 100" in out
    data = json.loads((tmp_path / "reproduction.json").read_text())
    config = ReproductionConfig.quick()
    assert set(data["curves"]) == {f"{m}/tau={t}" for m in METHODS for t in config.taus}
    for curve in data["curves"].values():
        assert len(curve["runs"]) == config.seeds
        assert len(curve["tuning"]) in (len(config.primary_grid),
                                        len(config.primary_grid) * len(config.secondary_grid))
        for hist in curve["runs"]:
            assert hist["round"][-1] == config.rounds
            assert all(0.0 <= a <= 1.0 for a in hist["accuracy"])
    assert len(data["table"]) == len(METHODS) * len(config.taus)
    assert set(data["c6"]) == {str(r) for r in config.ratios}
    assert data["c6"]["100.0"]["verdict"] in ("PASS", "FAIL", "INCONCLUSIVE", "NOT APPLICABLE")
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs == sorted(["vs_rounds.png", "vs_grad_evals.png",
                           *(f"vs_time_ratio{r:g}.png" for r in config.ratios)])
    for name in pngs:
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
