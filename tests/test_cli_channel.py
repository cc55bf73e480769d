"""``ltadmm-verify run`` on an unreliable network: the channel flags, their JSON and their errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ltadmm_verify.cli import main


def test_the_channel_flags_give_the_library_run(tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    status = main(["run", "--agents", "6", "--rounds", "20", "--quiet", "--seed", "3", "--loss", "0.3",
                   "--activation", "0.8", "--compress", "topk:0.25", "--channel-noise", "0.001",
                   "--out", str(out)])
    assert status == 0
    saved = json.loads(out.read_text())
    assert saved["parameters"]["channel"] == {"loss": 0.3, "activation": 0.8, "noise": 0.001,
                                              "compression": {"kind": "TopK", "k": 0.25}}
    history = saved["history"]
    assert history["messages_delivered"][-1] < history["messages"][-1]
    dim = len(saved["x"][0])
    assert history["floats_sent"][-1] == history["messages"][-1] * int(np.ceil(0.25 * dim))


@pytest.mark.parametrize(("option", "value"), [
    ("--loss", "1"), ("--loss", "-0.1"), ("--loss", "nan"), ("--activation", "0"),
    ("--activation", "1.5"), ("--compress", "topk"), ("--compress", "topk:0"),
    ("--compress", "zip:3"), ("--compress", "qsgd:0.5"), ("--channel-noise", "-1"),
])
def test_bad_channel_values_exit_2_naming_the_flag(tmp_path: Path, capsys, option: str, value: str) -> None:
    out = tmp_path / "never.json"
    status = main(["run", "--agents", "4", "--rounds", "3", option, value, "--out", str(out), "--quiet"])
    assert status == 2
    err = capsys.readouterr().err
    assert option in err and value in err and "error" in err
    assert len(err.strip().splitlines()) == 1, err
    assert not out.exists()


@pytest.mark.parametrize("algorithm", ["led", "k-gt", "local-dsgd", "exact-admm"])
def test_every_algorithm_runs_on_an_unreliable_channel_from_the_command_line(
        tmp_path: Path, algorithm: str) -> None:
    out = tmp_path / "run.json"
    assert main(["run", "--algorithm", algorithm, "--agents", "5", "--rounds", "10", "--quiet",
                 "--loss", "0.2", "--activation", "0.9", "--compress", "qsgd:4",
                 "--out", str(out)]) == 0
    history = json.loads(out.read_text())["history"]
    assert history["messages_delivered"][-1] < history["messages"][-1]
