"""The ``ltadmm-verify`` command line, run in-process through ``ltadmm_verify.cli.main``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ltadmm_verify.cli import main
from ltadmm_verify.network import make_network


def _strict_json(path: Path) -> Any:
    """Parse a file as standard JSON (NaN / Infinity tokens rejected)."""

    def reject(token: str) -> None:
        raise AssertionError(f"non-standard JSON token {token}")

    return json.loads(path.read_text(), parse_constant=reject)


def test_run_writes_json_with_parameters_and_history(tmp_path: Path, capsys) -> None:
    out = tmp_path / "sub" / "result.json"
    status = main(["run", "--problem", "least-squares", "--graph", "erdos-renyi", "--agents", "6",
                   "--algorithm", "lt-admm-vr", "--tau", "3", "--gamma", "0.05", "--beta", "0.02",
                   "--rho", "1.0", "--batch-size", "2", "--rounds", "12", "--seed", "4",
                   "--out", str(out), "--quiet"])
    assert status == 0
    data = _strict_json(out)
    assert data["status"] == "completed"
    params = data["parameters"]
    assert params["algorithm"] == "lt-admm-vr" and params["tau"] == 3 and params["batch_size"] == 2
    assert params["gamma"] == 0.05 and params["beta"] == 0.02 and params["seed"] == 4
    history = data["history"]
    assert history["round"] == list(range(13))
    for key in ("stationarity", "grad_norm_sq", "consensus", "opt_gap", "dist_sq", "grad_evals",
                "messages"):
        assert len(history[key]) == 13, key
    net = make_network("erdos-renyi", 6, seed=0)
    assert history["messages"][-1] == 12 * 2 * net.n_edges
    assert history["grad_evals"][-1] == 12 * (6 * 20 + 6 * 3 * 2)
    assert data["instance"]["network"]["lambda_l"] == pytest.approx(net.lambda_l)
    assert np.array(data["x"]).shape == (6, 5)
    printed = capsys.readouterr().out
    assert "completed 12 rounds" in printed and str(out) in printed


def test_run_is_reproducible(tmp_path: Path) -> None:
    args = ["run", "--agents", "5", "--batch-size", "3", "--rounds", "6", "--quiet", "--seed", "9"]
    assert main([*args, "--out", str(tmp_path / "a.json")]) == 0
    assert main([*args, "--out", str(tmp_path / "b.json")]) == 0
    assert (tmp_path / "a.json").read_text() == (tmp_path / "b.json").read_text()


@pytest.mark.parametrize(
    "option, value, word",
    [("--gamma", "-0.1", "--gamma"), ("--beta", "0", "--beta"), ("--rho", "-2", "--rho"),
     ("--tau", "0", "--tau"), ("--rounds", "0", "--rounds"), ("--seed", "-3", "--seed"),
     ("--batch-size", "50", "--batch-size"), ("--record-every", "0", "--record-every"),
     ("--gamma", "1e300", "--gamma"), ("--gamma", "nan", "--gamma"), ("--rho", "inf", "--rho"),
     ("--agents", "2000000", "--agents"), ("--seed", "100000000000000000000000", "--seed"),
     ("--noise", "-1", "--noise"), ("--dim", "2.5", "--dim")],
)
def test_bad_values_exit_2_naming_the_argument(
    tmp_path: Path, capsys, option: str, value: str, word: str
) -> None:
    out = tmp_path / "never.json"
    status = main(["run", "--agents", "4", "--rounds", "3", option, value, "--out", str(out), "--quiet"])
    assert status == 2
    err = capsys.readouterr().err
    assert word in err and value in err and "error" in err
    assert len(err.strip().splitlines()) == 1, err
    assert not out.exists()


@pytest.mark.parametrize("option, value", [("--graph", "hypercube"), ("--algorithm", "admm"),
                                           ("--gamma", "fast")])
def test_unparsable_input_exits_2(capsys, option: str, value: str) -> None:
    assert main(["run", option, value]) == 2
    assert option in capsys.readouterr().err


def test_diverged_run_exits_1_and_keeps_history(tmp_path: Path, capsys) -> None:
    out = tmp_path / "div.json"
    status = main(["run", "--graph", "star", "--agents", "8", "--gamma", "50", "--rounds", "100",
                   "--out", str(out), "--quiet", "--check", "off"])
    assert status == 1
    data = json.loads(out.read_text())
    assert data["status"] == "diverged"
    k = data["diverged_at"]
    assert data["history"]["round"] == list(range(k + 1))
    assert f"round {k}" in capsys.readouterr().out


def test_default_check_refuses_a_step_above_the_critical_one(tmp_path: Path, capsys) -> None:
    out = tmp_path / "refused.json"
    status = main(["run", "--graph", "star", "--agents", "8", "--gamma", "50", "--rounds", "100",
                   "--out", str(out), "--quiet"])
    assert status == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert "gamma = 50" in err and "diverges" in err and "largest step size" in err


def _printed_number(text: str, name: str) -> float:
    match = re.search(rf"{name}\s*=\s*([0-9.eE+-]+)", text)
    assert match, f"{name} not printed in {text!r}"
    return float(match.group(1))


@pytest.mark.parametrize("graph, agents", [("ring", 10), ("star", 7), ("erdos-renyi", 12)])
def test_constants_prints_spectrum(tmp_path: Path, capsys, graph: str, agents: int) -> None:
    out = tmp_path / "constants.json"
    status = main(["constants", "--graph", graph, "--agents", str(agents), "--points", "2",
                   "--out", str(out)])
    assert status == 0
    text = capsys.readouterr().out
    net = make_network(graph, agents, seed=0)
    assert _printed_number(text, "lambda_l") == pytest.approx(net.lambda_l, rel=1e-5)
    assert _printed_number(text, "lambda_u") == pytest.approx(net.lambda_u, rel=1e-5)
    data = _strict_json(out)
    assert data["graph"]["lambda_l"] == pytest.approx(net.lambda_l, rel=1e-12)
    assert any(row["method"] == "certified" for row in data["smoothness"])


def test_constants_bad_input_exit_2(capsys) -> None:
    assert main(["constants", "--graph", "barbell", "--agents", "3"]) == 2
    assert "n must be >= 4" in capsys.readouterr().err
