"""The digits reproduction (claim C6): cost model, fair tuning, C6 verdicts and ``reproduce --quick``."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from ltadmm_verify import KGT, LTADMM, LTADMMVR, LTADMMVerifyError, random_least_squares, run
from ltadmm_verify.cli import main
from ltadmm_verify.network import ring
from ltadmm_verify.reproduce import (
    ALGORITHMS,
    METHODS,
    CostModel,
    ReproductionConfig,
    SplitResult,
    bootstrap_ratio,
    first_reach,
)
from ltadmm_verify.reproduce.protocol import Evaluation
from ltadmm_verify.verify import Verdict
from ltadmm_verify.verify.tuning import Trial, TuningRecord, compass_search

TAU, B, N, R = 3, 2, 6, 10.0


@pytest.fixture(scope="module")
def small():
    return random_least_squares(N, 3, 5, seed=1), ring(N)


def test_modelled_time_is_the_spec_cost_model(small):
    """LT-ADMM: T_k = k (tau + r); K-GT pays two broadcasts; VR pays its full local gradient."""
    problem, network = small
    cost = CostModel(N * B, network.n_directed_edges)
    k = np.arange(6)
    lt = run(LTADMM(gamma=0.1, beta=0.1, rho=1.0, tau=TAU, batch_size=B), problem, network, 5)
    np.testing.assert_array_equal(cost.time(lt.history, R), k * (TAU + R))
    kgt = run(KGT(eta_c=0.1, eta_s=1.0, tau=TAU, batch_size=B), problem, network, 5)
    np.testing.assert_array_equal(cost.time(kgt.history, R), k * (TAU + 2 * R))
    vr = run(LTADMMVR(gamma=0.1, beta=0.1, rho=1.0, tau=TAU, batch_size=B), problem, network, 5)
    per_round = TAU + problem.n_samples.sum() / (N * B) + R
    np.testing.assert_allclose(cost.time(vr.history, R), k * per_round, rtol=1e-15)
    assert cost.per_round(kgt.history) == (TAU, 2.0)


def test_first_reach():
    assert first_reach(np.array([0.1, 0.5, 0.4, 0.9]), 0.45) == 1
    assert first_reach(np.array([0.1, 0.2]), 0.45) is None


@pytest.mark.parametrize(
    ("change", "argument"),
    [({"eval_seeds": 1}, "eval_seeds"), ({"methods": ("lt-admm", "dgd")}, "methods"),
     ({"target_accuracy": 1.5}, "target_accuracy"), ({"splits": ("iid", "moons")}, "splits"),
     ({"expensive_ratios": (3.0,)}, "expensive_ratios"), ({"budget": 1}, "budget")],
)
def test_bad_configuration_is_rejected(change, argument):
    with pytest.raises(LTADMMVerifyError, match=argument):
        ReproductionConfig(**change)


def test_every_method_declares_what_is_tuned():
    """The comparison tunes what each class declares (LT-ADMM's alpha included) and tau."""
    assert set(ALGORITHMS["lt-admm"].tuning_ranges) == {"gamma", "beta/gamma", "rho", "alpha", "tau"}
    assert set(ALGORITHMS["led"].tuning_ranges) == {"gamma", "beta/gamma", "tau"}
    assert set(ALGORITHMS["k-gt"].tuning_ranges) == {"eta_c", "eta_s", "tau"}
    assert set(ALGORITHMS["local-dsgd"].tuning_ranges) == {"gamma", "tau"}
    assert ReproductionConfig().taus("lt-admm") == [1, 3, 10]


# ---------------------------------------------------------------------------- the search
def _quadratic_score(optimum: dict[str, float]):
    def score(algorithm):
        values = {"gamma": algorithm.gamma, "beta/gamma": algorithm.beta / algorithm.gamma,
                  "rho": algorithm.rho, "alpha": algorithm.alpha}
        return (sum((math.log(values[k] / v)) ** 2 for k, v in optimum.items()),), {}
    return score


def test_compass_search_tunes_every_declared_parameter_and_extends_edges():
    optimum = {"gamma": 1000.0, "beta/gamma": 2.0, "rho": 0.5, "alpha": 0.8}
    record = compass_search(LTADMM(0.01, 0.01, 1.0, 2), _quadratic_score(optimum), 60,
                            max_extensions=2)
    best = record.best()
    assert set(best.values) == {"gamma", "beta/gamma", "rho", "alpha"}
    for name, value in optimum.items():
        assert best.values[name] == pytest.approx(value, rel=0.35), name
    # gamma's declared range ends at 100: the search extended it (recorded), at most twice
    ext = [e for e in record.extensions if e["parameter"] == "gamma"]
    assert ext and len(ext) <= 2 and ext[0]["end"] == "high"
    assert record.searched()["gamma"][1] > 100.0
    assert len(record.trials) == 60


def test_compass_search_is_budget_independent_so_smaller_budgets_are_prefixes():
    score = _quadratic_score({"gamma": 0.05, "beta/gamma": 0.5})
    long = compass_search(LTADMM(0.01, 0.01, 1.0, 2), score, 24)
    short = compass_search(LTADMM(0.01, 0.01, 1.0, 2), score, 8)
    assert [t.values for t in short.trials] == [t.values for t in long.trials[:8]]
    assert long.best(8) == short.best()
    assert long.summary(8)["extensions"] == short.summary()["extensions"]


def test_compass_search_respects_the_constraints():
    """alpha in (0, 1): a range end is never extended to an invalid value."""
    record = compass_search(LTADMM(0.01, 0.01, 1.0, 2), _quadratic_score({"alpha": 0.999}), 40)
    assert all(0.0 < t.values["alpha"] < 1.0 for t in record.trials)
    # the best alpha stops on the end it cannot pass, and the record says so
    best = record.best().values["alpha"]
    assert best == record.searched()["alpha"][1]
    assert {"parameter": "alpha", "end": "high", "value": best} in record.summary()["best_on_range_end"]


def test_a_best_value_inside_its_range_is_not_flagged():
    record = compass_search(LTADMM(0.01, 0.01, 1.0, 2), _quadratic_score({"alpha": 0.5}), 40)
    assert all(e["parameter"] != "alpha" for e in record.on_range_end())


# ---------------------------------------------------------------------------- C6 verdicts
def _split(lt_hits, base_hits, *, seeds=None, record_every=1, lt_double=None) -> SplitResult:
    """A split whose LT-ADMM and LED evaluation runs reach the target at the given rounds (one
    round costs tau + r = 1 + r units), chosen on tuning records that prefer them."""
    n = len(lt_hits)
    config = ReproductionConfig(methods=("lt-admm", "led"), tau_points=1, eval_seeds=max(n, 2),
                                ratios=(100.0,), expensive_ratios=(100.0,), record_every=record_every,
                                budget=2)
    result = SplitResult("iid", config, {}, CostModel(1.0, 1.0))
    rounds = np.arange(0.0, 41.0, record_every)

    def history(hit):
        acc = np.where(rounds >= (math.inf if hit is None else hit), 0.97, 0.5)
        return {"round": rounds, "grad_evals": rounds, "messages": rounds, "accuracy": acc,
                "stationarity": np.ones_like(rounds), "objective": np.ones_like(rounds),
                "diverged": np.array(False)}

    for method, hits, later in (("lt-admm", lt_hits, lt_double), ("led", base_hits, None)):
        record = TuningRecord(method, {}, {}, budget=4)
        details = {"per_round_cost": {"grad": 1.0, "comm": 1.0}}
        record.trials.append(Trial(0, {"gamma": 0.1}, (0.0, 10.0, 1.0), details))
        record.trials.append(Trial(1, {"gamma": 0.2}, (0.0, 20.0, 1.0), details))
        record.trials.append(Trial(2, {"gamma": 0.3}, (0.0, 30.0, 1.0), details))
        record.trials.append(Trial(3, {"gamma": 0.4}, (0.0, 5.0 if later else 40.0, 1.0), details))
        result.tuning[method] = {1: record}
        for trial, runs in ((record.trials[0], hits), (record.trials[3], later or hits)):
            key = f"{method}/tau=1/gamma={trial.values['gamma']:.6g}"
            result.evaluations[key] = Evaluation(method, 1, {}, list(range(len(runs))),
                                                 [history(h) for h in runs])
    return result


def test_c6_pass_and_fail_need_the_whole_interval_on_one_side():
    spread = [10, 11, 12, 10, 11, 12]
    faster = _split(spread, [20, 22, 24, 20, 22, 24]).c6_check(100.0)
    assert faster.verdict == Verdict.PASS and faster.interval[1] < 1
    slower = _split([20, 22, 24, 20, 22, 24], spread).c6_check(100.0)
    assert slower.verdict == Verdict.FAIL and slower.interval[0] > 1
    never = _split([None] * 6, spread).c6_check(100.0)
    assert never.verdict == Verdict.FAIL and never.measured == math.inf


def test_c6_a_tie_is_inconclusive():
    tie = _split([10, 12, 14, 10, 12, 14], [10, 12, 14, 10, 12, 14]).c6_check(100.0)
    assert tie.measured == 1.0 and tie.verdict == Verdict.INCONCLUSIVE


def test_c6_a_zero_width_interval_from_two_seeds_is_inconclusive():
    """Two seeds reaching the target at the same round: no interval, whatever the ratio says."""
    two = _split([10, 10], [13, 13]).c6_check(100.0)
    assert two.measured == pytest.approx(10 / 13)
    assert two.verdict == Verdict.INCONCLUSIVE and "bootstrap interval needs" in two.reason


def test_c6_resolution_of_the_recording_widens_the_interval():
    """Recorded every 4 rounds, crossings at 10 and 11 are both first seen at 12: undecided."""
    coarse = _split([10] * 6, [11] * 6, record_every=4)  # both first seen at round 12
    assert coarse.c6_check(100.0).verdict == Verdict.INCONCLUSIVE
    assert coarse.c6_check(100.0).interval == pytest.approx((9 / 12, 12 / 9))
    fine = _split([10] * 6, [11] * 6, record_every=1)
    assert fine.c6_check(100.0).verdict == Verdict.PASS


def test_c6_verdict_that_moves_with_the_budget_is_inconclusive():
    """With twice the budget LT-ADMM's search finds a configuration that changes the verdict."""
    moving = _split([20] * 6, [12, 13, 14, 12, 13, 14], lt_double=[5] * 6)
    assert moving.comparison(100.0, "budget").verdict == Verdict.FAIL
    assert moving.comparison(100.0, "double").verdict == Verdict.PASS
    check = moving.c6_check(100.0)
    assert check.verdict == Verdict.INCONCLUSIVE and "depends on the tuning budget" in check.explanation
    sens = moving.sensitivity(100.0)
    assert not sens["same"] and sens["verdicts"]["double"] == "PASS"


def test_bootstrap_ratio_neither_reaches():
    inf = np.full((6, 2), math.inf)
    assert bootstrap_ratio(inf, inf, 500) == (0.0, math.inf)


# ---------------------------------------------------------------------------- end to end
@pytest.fixture(scope="module")
def quick_reproduction(tmp_path_factory):
    out = tmp_path_factory.mktemp("reproduction")
    assert main(["reproduce", "--quick", "--quiet", "--out", str(out)]) == 0
    return out, json.loads((out / "reproduction.json").read_text())


def test_reproduce_quick_end_to_end(quick_reproduction, capsys):
    """``ltadmm-verify reproduce --quick``: both splits, every method tuned on the same budget with
    its declared parameters recorded by name, verdicts per split and ratio, figures."""
    out, data = quick_reproduction
    config = ReproductionConfig.quick()
    assert set(data["splits"]) == {"iid", "label"}
    for split in data["splits"].values():
        assert split["tuning_seeds"] == config.tuning_seeds()
        assert not set(split["tuning_seeds"]) & set(split["evaluation_seeds"])
        for method in METHODS:
            per_tau = split["methods"][method]
            assert set(per_tau) == {f"tau={t}" for t in config.taus(method)}
            for entry in per_tau.values():
                summary = entry["summary"]["budget"]
                declared = set(ALGORITHMS[method].tuning_ranges) - {"tau"}
                assert set(summary["tuned"]) == declared
                assert set(summary["declared_ranges"]) == declared
                assert set(summary["searched_ranges"]) == declared
                assert "extensions" in summary
                assert not set(summary["fixed"]) & {"beta", *declared}  # beta is set by beta/gamma
                assert entry["tuning_seeds"] == split["tuning_seeds"]
                assert entry["evaluation_seeds"] == split["evaluation_seeds"]
                assert len(entry["trials"]) <= 2 * config.budget
        assert set(split["c6"]) == {str(r) for r in config.ratios}
        for check in split["c6"].values():
            assert check["verdict"] in ("PASS", "FAIL", "INCONCLUSIVE")
        assert set(split["sensitivity"]["100.0"]["verdicts"]) == {"half", "budget", "double"}
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == sorted(f"{s}_time_ratio{r:g}.png" for s in ("iid", "label") for r in config.ratios)
    for name in pngs:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_quick_gives_the_same_c6_as_reproduce_quick(quick_reproduction, tmp_path):
    """Identical settings, identical numbers and verdicts: the report runs the same protocol."""
    _, data = quick_reproduction
    (tmp_path / "c6.toml").write_text('[report]\nclaims = ["C6"]\n[theory]\ncertify = false\n')
    pdf = tmp_path / "c6.pdf"
    assert main(["report", "--quick", "--quiet", "--config", str(tmp_path / "c6.toml"),
                 "--out", str(pdf)]) == 0
    report = json.loads(pdf.with_suffix(".json").read_text())
    (claim,) = report["claims"]
    by_id = {c["claim"]: c for c in claim["checks"]}
    for split, values in data["splits"].items():
        for ratio in ReproductionConfig.quick().expensive_ratios:
            mine = values["c6"][str(ratio)]
            theirs = by_id[mine["claim"]]
            assert (theirs["verdict"], theirs["measured"], theirs["interval"]) == (
                mine["verdict"], mine["measured"], mine["interval"]), split
        # every ratio (the claimed ones and the informative one), the winners and the sensitivity
        page = claim["data"]["splits"][split]
        for key in ("c6", "sensitivity", "choices", "tuning_seeds", "evaluation_seeds"):
            assert json.dumps(page[key], sort_keys=True) == json.dumps(values[key], sort_keys=True), key
    assert claim["summary"]["verdict"] == claim["data"]["verdict"] == data["c6_verdict"]
