"""Plots of runs (lv.plot and ``ltadmm-verify plot``), checked by reading the image back."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

import ltadmm_verify as lv
from ltadmm_verify.cli import main
from ltadmm_verify.errors import InvalidParameterError

PROBLEM = lv.random_least_squares(6, 3, 10, seed=0)
NET = lv.make_network("ring", 6)


@pytest.fixture(scope="module")
def runs() -> tuple[lv.RunResult, lv.RunResult]:
    fast = lv.run(lv.LTADMM(gamma=0.05, beta=0.05, rho=1.0, tau=5), PROBLEM, NET, 40, seed=0)
    slow = lv.run(lv.LTADMM(gamma=0.01, beta=0.01, rho=1.0, tau=2), PROBLEM, NET, 40, seed=0)
    return fast, slow


def _image(path: Path) -> np.ndarray:
    return np.asarray(matplotlib.image.imread(path))[..., :3]


def _painted(image: np.ndarray) -> float:
    """Fraction of pixels that are not white."""
    return float(np.mean(np.any(image < 0.95, axis=-1)))


def test_plot_writes_a_labelled_non_blank_figure(tmp_path: Path, runs) -> None:
    out = tmp_path / "one.png"
    fig = lv.plot(runs[0], out)
    image = _image(out)
    width, height = fig.get_size_inches() * 110
    assert image.shape[:2] == (round(height), round(width))
    assert 0.02 < _painted(image) < 0.6
    axes = fig.axes
    assert len(axes) == 9  # stationarity, consensus, optimality gap x rounds, evaluations, time
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in axes)
    assert "units of $t_{grad}$" in axes[2].get_xlabel()
    assert all(ax.get_yscale() == "log" for ax in axes)


def test_different_results_give_different_pixels(tmp_path: Path, runs) -> None:
    lv.plot(runs[0], tmp_path / "a.png")
    lv.plot(runs[1], tmp_path / "b.png")
    lv.plot(list(runs), tmp_path / "both.png", labels=["tau 5", "tau 2"])
    a, b, both = (_image(tmp_path / f"{name}.png") for name in ("a", "b", "both"))
    assert a.shape == b.shape == both.shape
    assert np.mean(np.any(a != b, axis=-1)) > 0.01
    assert _painted(both) > max(_painted(a), _painted(b))  # two curves per panel


def test_modelled_time_axis_is_rounds_times_tau_t_grad_plus_t_comm(runs) -> None:
    fig = lv.plot(runs[0], axes=("round", "time"), metrics=("stationarity",), comm_ratio=10.0)
    rounds_line, time_line = (ax.lines[0] for ax in fig.axes)
    np.testing.assert_allclose(time_line.get_xdata(), rounds_line.get_xdata() * (5 + 10.0))
    np.testing.assert_allclose(time_line.get_ydata(), runs[0].history["stationarity"][
        runs[0].history["stationarity"] > 0])


def test_diverged_run_is_drawn_without_its_non_finite_values(tmp_path: Path) -> None:
    blown = lv.run(lv.LTADMM(gamma=50.0, beta=50.0, rho=1.0, tau=5), PROBLEM, NET, 50, check="off")
    assert blown.status == "diverged"
    lv.plot(blown, tmp_path / "blown.png")
    assert _painted(_image(tmp_path / "blown.png")) > 0.02


def test_cli_plot_of_saved_runs(tmp_path: Path, capsys) -> None:
    files = []
    for tau in ("5", "2"):
        path = tmp_path / f"tau{tau}.json"
        assert main(["run", "--agents", "5", "--tau", tau, "--rounds", "20", "--quiet",
                     "--out", str(path)]) == 0
        files.append(str(path))
    out = tmp_path / "fig.png"
    assert main(["plot", *files, "--out", str(out), "--comm-ratio", "100"]) == 0
    assert _painted(_image(out)) > 0.02
    assert f"wrote {out}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "content, expected",
    [(b"{", "not JSON"), (b"\xff\xfe", "not UTF-8"), (json.dumps({"a": 1}).encode(), "no history"),
     (None, "cannot read")],
)
def test_cli_plot_bad_files_exit_2(tmp_path: Path, capsys, content: bytes | None, expected: str) -> None:
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_bytes(content)
    assert main(["plot", str(path), "--out", str(tmp_path / "f.png")]) == 2
    err = capsys.readouterr().err
    assert expected in err and str(path) in err and "Traceback" not in err


def test_plot_bad_arguments(runs, tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="labels"):
        lv.plot(list(runs), labels=["only one"])
    with pytest.raises(InvalidParameterError, match="metrics"):
        lv.plot(runs[0], metrics=("loss",))
    with pytest.raises(InvalidParameterError, match="results"):
        lv.plot([])
    with pytest.raises(InvalidParameterError, match=r"out must name a file ending in \.png"):
        lv.plot(runs[0], tmp_path / "fig.jpg")
