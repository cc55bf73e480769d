"""Runs of replicas (``lv.run_replicas``): replica ``r`` equals ``lv.run(..., seed=seeds[r])`` bit for bit.

For every algorithm case of ``mpi_scripts/run_cases.py`` (LT-ADMM both penalties, full gradients,
minibatches with and without replacement, gradient noise; LT-ADMM-VR with and without reset; local
DSGD, LED, K-GT, exact ADMM; a diverging run) every history array, ``x``, the status and the
divergence round of each replica are compared with ``np.array_equal`` against separate runs. Also:
replicas that diverge at different rounds leave the others untouched, ``d = 1``, observers and
``record_every``, the pre-run check, and bad seeds.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import ltadmm_verify as lv
from ltadmm_verify.algorithms.run import RunResult

SCRIPTS = Path(__file__).parent / "mpi_scripts"
SEEDS = (7, 3, 1000, 2**40)


def _load_cases() -> ModuleType:
    spec = importlib.util.spec_from_file_location("replica_run_cases", SCRIPTS / "run_cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CASES = _load_cases()


def assert_identical(replica: RunResult, single: RunResult) -> None:
    """Bit-for-bit equality of two runs (NaN equal to NaN, as a diverged run may record)."""
    assert replica.status == single.status and replica.diverged_at == single.diverged_at
    assert replica.message == single.message and replica.parameters == single.parameters
    assert list(replica.history) == list(single.history)
    for key, values in single.history.items():
        assert values.dtype == replica.history[key].dtype, key
        assert np.array_equal(replica.history[key], values, equal_nan=values.dtype.kind == "f"), key
    assert replica.x is not None and single.x is not None
    assert np.array_equal(replica.x, single.x, equal_nan=True)


@pytest.mark.parametrize("case", sorted(CASES.cases()))
def test_every_replica_equals_its_single_run(case: str) -> None:
    algorithm, key, noise = CASES.cases()[case]
    problem = CASES.problems()[key]
    network = lv.network.erdos_renyi(CASES.N_AGENTS, p=0.35, seed=3)
    options = {"noise": noise, "check": "off"}
    replicas = lv.run_replicas(algorithm, problem, network, CASES.ROUNDS, SEEDS, **options)
    assert len(replicas) == len(SEEDS)
    for seed, replica in zip(SEEDS, replicas, strict=True):
        assert_identical(replica, lv.run(algorithm, problem, network, CASES.ROUNDS, seed=seed, **options))
    # the replicas are distinct runs (stochastic cases) or the same deterministic run
    stochastic = noise is not None or algorithm.batch_size_or_none is not None
    assert stochastic == (not np.array_equal(replicas[0].x, replicas[1].x))


def test_replicas_that_diverge_at_different_rounds_do_not_stop_the_others() -> None:
    # Large gradient noise and a small divergence limit: each seed crosses it at its own round.
    problem = lv.random_quadratic(5, 1, seed=2)
    network = lv.network.ring(5)
    algorithm = lv.LTADMM(gamma=0.1, beta=0.1, rho=1.0, tau=2)
    options = {"noise": lv.GaussianNoise(80.0), "divergence_factor": 2.0, "check": "off", "x0": np.ones(1),
               "record_every": 3, "observers": {"x0_mean": lambda X: float(X[:, 0].mean())}}
    seeds = list(range(12))
    replicas = lv.run_replicas(algorithm, problem, network, 60, seeds, **options)
    singles = [lv.run(algorithm, problem, network, 60, seed=s, **options) for s in seeds]
    for replica, single in zip(replicas, singles, strict=True):
        assert_identical(replica, single)
    stops = {r.diverged_at for r in replicas}
    assert len(stops - {None}) >= 3 and None in stops, stops  # several rounds, and survivors


def test_mismatched_history_lengths_and_dimension_one() -> None:
    problem = lv.random_least_squares(6, 1, 5, seed=4)
    network = lv.network.path(6)
    algorithm = lv.LTADMMVR(gamma=0.05, beta=0.05, rho=1.0, tau=3, batch_size=2)
    replicas = lv.run_replicas(algorithm, problem, network, 17, [5, 6], record_every=4)
    for seed, replica in zip([5, 6], replicas, strict=True):
        assert_identical(replica, lv.run(algorithm, problem, network, 17, seed=seed, record_every=4))
    assert list(replicas[0].history["round"]) == [0, 4, 8, 12, 16, 17]


def test_the_pre_run_check_applies_to_replicas() -> None:
    problem = lv.random_quadratic(4, 2, seed=0)
    network = lv.network.ring(4)
    critical = lv.theory.critical_step_size(lv.LTADMM(0.01, 0.01, 1.0, 2), problem, network)
    bad = lv.LTADMM(gamma=1.5 * critical, beta=1.5 * critical, rho=1.0, tau=2)
    with pytest.raises(lv.InadmissibleStepSize):
        lv.run_replicas(bad, problem, network, 5, [0, 1])
    results = lv.run_replicas(bad, problem, network, 400, [0, 1], check="off", x0=np.ones(2))
    assert [r.status for r in results] == ["diverged", "diverged"]


@pytest.mark.parametrize(
    ("seeds", "words"),
    [([], "at least one"), ([1, 1], "distinct"), ([0, -1], "seeds[1]"), ("12", "sequence"),
     (3, "sequence")],
)
def test_bad_seeds_are_rejected_with_their_position(seeds: object, words: str) -> None:
    problem = lv.random_least_squares(4, 2, 5, seed=0)
    with pytest.raises(lv.InvalidParameterError, match=re.escape(words)):
        lv.run_replicas(lv.LTADMM(gamma=0.01, beta=0.01, rho=1.0, tau=1), problem, lv.network.ring(4), 2,
                        seeds, check="off")  # type: ignore[arg-type]
