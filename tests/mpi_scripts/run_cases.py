"""Run every algorithm case on one backend and save history and final models (npz, on the root).

Usage: ``mpirun -n P python run_cases.py mpi OUT.npz [replicas]`` (or
``python run_cases.py simulator OUT.npz``). ``tests/test_mpi.py`` imports :func:`run_all` for the
single-process reference and compares; with ``replicas`` every case is one run of replicas over
:data:`REPLICA_SEEDS` (:func:`ltadmm_verify.algorithms.run.replica_loop`).

The cases cover LT-ADMM (frozen and inner penalty; full gradients, minibatches with and without
replacement, gradient noise), LT-ADMM-VR (with and without memory reset) and, when
:mod:`ltadmm_verify.algorithms.baselines` exists, every baseline listed in ``BASELINES`` that it
defines, and one LT-ADMM run that diverges (the stop must happen at the same round on every
rank). The run loop is called directly: the step-size check of ``lv.run`` is not under test. The
problems have unequal local data sizes ``m_i`` (a block of agents has its own largest ``m_i``; the
restricted problem keeps the padded length of the whole one).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import numpy as np

import ltadmm_verify as lv
from ltadmm_verify.algorithms import LTADMM, LTADMMVR, Algorithm, GaussianNoise
from ltadmm_verify.algorithms.run import replica_loop, run_loop
from ltadmm_verify.problems import LeastSquares, LogisticRegression, Problem, random_quadratic

N_AGENTS = 10
DIM = 4
ROUNDS = 12
SEED = 7
#: seeds of the replica runs: the first is ``SEED`` (its results are stored under the case's name)
REPLICA_SEEDS = (SEED, 11, 12)

#: cases also run on a star graph (missing ones are skipped)
STAR_CASES = ("ltadmm-inner-batch", "ltadmm-vr-reset", "LED-ls", "KGT-ls", "KGT-unreliable")

#: unreliable networks (SPEC 8): loss, bursts, inactive agents, compression and channel noise
CHANNELS: dict[str, lv.Channel] = {
    "ltadmm-unreliable": lv.Channel(loss=0.3, activation=0.7, compression=lv.RandK(2), noise=0.01),
    "ltadmm-vr-unreliable": lv.Channel(loss=lv.GilbertElliott(0.8, 0.2, 0.4), activation=0.8,
                                       compression=lv.StochasticQuantize(3)),
    "LED-unreliable": lv.Channel(loss=0.2, compression=lv.TopK(0.5), noise=0.01),
    "KGT-unreliable": lv.Channel(loss=0.2, activation=0.8, compression=lv.Quantize(0.01)),
}

#: (class name in ltadmm_verify.algorithms.baselines, parameters); missing classes are skipped
BASELINES: list[tuple[str, dict[str, Any]]] = [
    ("LocalDSGD", {"gamma": 0.05, "tau": 3, "batch_size": 2}),
    ("LED", {"gamma": 0.05, "beta": 0.05, "tau": 3, "batch_size": 2}),
    ("KGT", {"eta_c": 0.5, "eta_s": 0.05, "tau": 3, "batch_size": 2}),
    ("ExactADMM", {"rho": 1.0, "inner_steps": 5}),
]


def problems() -> dict[str, Problem]:
    """Least squares and logistic regression with ``m_i = 6 + (i mod 4)`` samples; a quadratic."""
    rng = np.random.default_rng(0)
    sizes = [6 + i % 4 for i in range(N_AGENTS)]
    features = [rng.standard_normal((m, DIM)) for m in sizes]
    targets = [f @ rng.standard_normal(DIM) + 0.1 * rng.standard_normal(f.shape[0]) for f in features]
    labels = [np.where(rng.standard_normal(f.shape[0]) + f[:, 0] > 0, 1.0, -1.0) for f in features]
    return {
        "ls": LeastSquares(features, targets),
        "logistic": LogisticRegression(features, labels, l2=0.1),
        "quadratic": random_quadratic(N_AGENTS, DIM, seed=1),
    }


def cases() -> dict[str, tuple[Algorithm, str, GaussianNoise | None]]:
    """Name -> (algorithm, problem key, noise)."""
    out: dict[str, tuple[Algorithm, str, GaussianNoise | None]] = {
        "ltadmm-frozen-full": (LTADMM(gamma=0.05, beta=0.05, rho=1.0, tau=3), "ls", None),
        "ltadmm-inner-batch": (
            LTADMM(gamma=0.05, beta=0.05, rho=1.0, tau=3, batch_size=3, penalty="inner"), "ls", None
        ),
        "ltadmm-frozen-noreplace-noise": (
            LTADMM(gamma=0.05, beta=0.05, rho=1.0, tau=2, batch_size=2, replace=False),
            "logistic",
            GaussianNoise(0.01),
        ),
        "ltadmm-quadratic": (LTADMM(gamma=0.05, beta=0.05, rho=1.0, tau=3), "quadratic", GaussianNoise(0.1)),
        "ltadmm-diverging": (LTADMM(gamma=2.0, beta=2.0, rho=1.0, tau=3), "ls", None),
        # logistic with l2: the factored memory with its regulariser slots (no regulariser: below)
        "ltadmm-vr-reset": (LTADMMVR(gamma=0.05, beta=0.05, rho=1.0, tau=3, batch_size=1), "logistic", None),
        "ltadmm-vr-noreset": (
            LTADMMVR(gamma=0.05, beta=0.05, rho=1.0, tau=3, batch_size=2, reset=False),
            "logistic",
            None,
        ),
        "ltadmm-unreliable": (LTADMM(gamma=0.05, beta=0.05, rho=1.0, tau=3, batch_size=2), "ls", None),
        "ltadmm-vr-unreliable": (
            LTADMMVR(gamma=0.05, beta=0.05, rho=1.0, tau=3, batch_size=2, reset=False), "ls", None),
    }
    try:
        baselines = importlib.import_module("ltadmm_verify.algorithms.baselines")
    except ImportError:
        return out
    for cls_name, params in BASELINES:
        cls = getattr(baselines, cls_name, None)
        if cls is not None:
            for key in ("ls", "logistic"):
                out[f"{cls_name}-{key}"] = (cls(**params), key, None)
            if f"{cls_name}-unreliable" in CHANNELS:
                out[f"{cls_name}-unreliable"] = (cls(**params), "ls", None)
    return out


def run_all(backend: str, replicas: bool = False) -> dict[str, np.ndarray] | None:
    """Every case on ``backend``: ``{case/history-key: array, case/x: array}`` on the root.

    All cases run on an Erdos-Renyi graph (most rank pairs share edges); those in ``STAR_CASES``
    also on a star (``case@star``: every rank's only neighbour rank is the hub's). With
    ``replicas``, each case is one run of replicas over :data:`REPLICA_SEEDS`; replica ``SEED`` is
    stored under ``case``, the others under ``case#seed``.
    """
    graphs = {"": lv.network.erdos_renyi(N_AGENTS, p=0.35, seed=3), "@star": lv.network.star(N_AGENTS)}
    probs = problems()
    arrays: dict[str, np.ndarray] = {}
    root = True
    runs = [(name + suffix, case, network) for name, case in cases().items()
            for suffix, network in graphs.items() if not suffix or name in STAR_CASES]
    for name, (algorithm, key, noise), network in runs:
        channel = CHANNELS.get(name.split("@")[0])
        if replicas:
            results = replica_loop(algorithm, probs[key], network, ROUNDS, REPLICA_SEEDS, noise=noise,
                                   backend=backend, channel=channel)
        else:
            results = [run_loop(algorithm, probs[key], network, ROUNDS, seed=SEED, noise=noise,
                                backend=backend, channel=channel)]
        for seed, result in zip(REPLICA_SEEDS, results, strict=False):
            root = result.x is not None
            if root:
                assert result.x is not None
                label = name if seed == SEED else f"{name}#{seed}"
                arrays[f"{label}/x"] = result.x
                arrays.update({f"{label}/{k}": v for k, v in result.history.items()})
                arrays[f"{label}/status"] = np.array(result.status)
    return arrays if root else None


if __name__ == "__main__":
    found = run_all(sys.argv[1], replicas=sys.argv[3:] == ["replicas"])
    if found is not None:
        np.savez(sys.argv[2], **found)  # type: ignore[arg-type]
