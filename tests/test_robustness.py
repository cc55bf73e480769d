"""Bad output paths, flags that do not apply, absurd numbers: one line, exit 2, before computing."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import pytest

import ltadmm_verify as lv
from ltadmm_verify._validation import MAX_MAGNITUDE, integer_at_least, positive_float, real_number
from ltadmm_verify.cli import main
from ltadmm_verify.errors import InvalidParameterError

# the commands writing files, and an --out that is bad for each reason (file, folder, writable)
WRITERS = {
    "run": ["run", "--agents", "4", "--rounds", "2", "--quiet"],
    "constants": ["constants", "--agents", "4"],
    "report": ["report", "--quick", "--quiet"],
    "reproduce": ["reproduce", "--quick", "--quiet"],
    "plot": ["plot", "results.json"],
    "certify": ["certify", "--gamma", "0.1", "--tau", "1"],
}


def _bad_outputs(tmp_path: Path) -> dict[str, str]:
    folder = tmp_path / "a-folder.pdf"
    folder.mkdir()
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    return {"empty": "", "folder": str(folder), "not writable": "/proc/ltadmm/out.pdf",
            "under a file": str(a_file / "out.pdf")}


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_bad_output_paths_fail_in_under_a_second(tmp_path: Path, capsys, command: str) -> None:
    """Process CPU time (what the command computes), not wall time (what a busy machine adds)."""
    for reason, out in _bad_outputs(tmp_path).items():
        if command == "reproduce" and reason == "folder":
            continue  # a folder is what reproduce expects
        argv = [*WRITERS[command], "--out", out]
        start = time.process_time()
        status = main(argv)
        elapsed = time.process_time() - start
        err = capsys.readouterr().err
        assert status == 2, (reason, err)
        assert elapsed < 1.0, f"{command} --out ({reason}) took {elapsed:.2f} s"
        assert "--out" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_reproduce_refuses_a_file_as_its_folder(tmp_path: Path, capsys) -> None:
    a_file = tmp_path / "results"
    a_file.write_text("")
    assert main(["reproduce", "--quick", "--out", str(a_file)]) == 2
    assert "must name a folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["run", "--no-reset"], "--no-reset does not apply to --algorithm lt-admm (its flags: --gamma"),
        (["run", "--penalty", "inner", "--beta", "0.01"], "--beta 0.01 does not apply to --penalty inner"),
        (["bounds", "--penalty", "inner", "--beta", "0.01"], "--beta 0.01 does not apply"),
        (["run", "--problem", "digits", "--dim", "3"], "--dim 3 does not apply to --problem digits"),
        (["run", "--problem", "quadratic", "--samples", "3"], "--samples 3 does not apply"),
        (["run", "--problem", "digits", "--agents", "2000"], "--agents 2000 is too many for --problem"),
        (["certify", "--gamma", "0.1", "--figure", "f.png"], "--figure f.png draws the certified region"),
        (["certify", "--figure", "f.jpg"], "--figure must name a file ending in .png or .pdf or .svg"),
        (["run", "--agents", "100000", "--samples", "1000", "--dim", "100"], "data entries exceeds"),
        (["run", "--rounds", "100000000"], "rounds / record_every must be at most"),
        (["run", "--gamma", "1e300"], "--gamma: must be a number > 0 and at most 1e+15, got 1e300"),
        (["bounds", "--gamma", "1e300"], "--gamma: must be a number > 0 and at most 1e+15"),
        (["certify", "--gamma", "1e300"], "--gamma: must be a number > 0 and at most 1e+15"),
        (["run", "--batch-size", "50"], "--batch-size 50 exceeds the smallest local data set"),
    ],
)
def test_flags_that_do_not_apply_are_refused(tmp_path: Path, capsys, argv: list[str],
                                             expected: str) -> None:
    out = tmp_path / "never.json"
    assert main([*argv, "--out", str(out)] if argv[0] == "run" else argv) == 2
    err = capsys.readouterr().err
    assert expected in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists() and not Path("f.png").exists()


def test_cli_warnings_and_errors_name_flags(tmp_path: Path, capsys) -> None:
    out = tmp_path / "r.json"
    args = ["run", "--agents", "4", "--dim", "2", "--samples", "3", "--rounds", "2", "--quiet",
            "--out", str(out)]
    assert main([*args, "--gamma", "5", "--check", "warn"]) in (0, 1)  # runs, warned
    err = capsys.readouterr().err
    assert err.startswith("ltadmm-verify run: warning: ") and "--check off" in err
    assert 'check="off"' not in err
    assert main([*args, "--gamma", "5"]) == 2
    err = capsys.readouterr().err
    assert "--check off" in err and 'check="' not in err


def test_library_keeps_its_keywords() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lv.run(lv.LTADMM(gamma=5.0, beta=5.0, rho=1.0, tau=5), lv.random_quadratic(4, 2),
               lv.make_network("ring", 4), 1, check="warn")
    assert any('check="off"' in str(w.message) for w in caught)


@pytest.mark.parametrize("value", ["0.1", True, None, [0.1], float("nan"), float("inf"), 1e300, -1e300])
def test_real_parameters_must_be_finite_real_numbers_of_sane_magnitude(value) -> None:
    with pytest.raises(InvalidParameterError, match="gamma"):
        lv.LTADMM(gamma=value, beta=0.1, rho=1.0, tau=2)
    with pytest.raises(InvalidParameterError, match="x"):
        real_number("x", value)


def test_magnitude_cap_is_inclusive_and_counts_have_a_cap() -> None:
    assert positive_float("gamma", MAX_MAGNITUDE) == MAX_MAGNITUDE
    assert real_number("x", -MAX_MAGNITUDE) == -MAX_MAGNITUDE
    with pytest.raises(InvalidParameterError, match=r"tau must be an integer in \[1, 2\*\*62\]"):
        integer_at_least("tau", 2**63, 1)
    with pytest.raises(InvalidParameterError, match=r"n must be an integer in \[2, 9\]"):
        integer_at_least("n", 10, 2, maximum=9)
