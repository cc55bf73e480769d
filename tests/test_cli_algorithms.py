"""``--algorithm`` on run, bounds, certify and worst-case: every algorithm with its own flags."""

from __future__ import annotations

import json

import pytest

from ltadmm_verify.algorithms import ALGORITHMS
from ltadmm_verify.cli import main

#: each algorithm with flags of its own and the parameters they must produce
OWN_FLAGS = {
    "lt-admm": (["--gamma", "0.02", "--beta", "0.03", "--rho", "2", "--alpha", "0.4"],
                {"gamma": 0.02, "beta": 0.03, "rho": 2.0, "alpha": 0.4}),
    "lt-admm-vr": (["--gamma", "0.02", "--no-reset", "--batch-size", "2"],
                   {"gamma": 0.02, "beta": 0.02, "reset": False, "batch_size": 2}),
    "led": (["--gamma", "0.03", "--beta", "0.01"], {"gamma": 0.03, "beta": 0.01}),
    "k-gt": (["--eta-c", "0.04", "--eta-s", "0.5"], {"eta_c": 0.04, "eta_s": 0.5}),
    "local-dsgd": (["--gamma", "0.02", "--tau", "3"], {"gamma": 0.02, "tau": 3}),
    "exact-admm": (["--rho", "0.5", "--alpha", "0.3"], {"rho": 0.5, "alpha": 0.3}),
}


def test_every_builtin_algorithm_has_flags() -> None:
    assert set(OWN_FLAGS) == set(ALGORITHMS)


@pytest.mark.parametrize("name", sorted(OWN_FLAGS))
def test_run_builds_the_named_algorithm(name: str, tmp_path) -> None:
    flags, expected = OWN_FLAGS[name]
    out = tmp_path / "r.json"
    assert main(["run", "--algorithm", name, *flags, "--agents", "4", "--rounds", "3", "--quiet",
                 "--out", str(out)]) == 0
    params = json.loads(out.read_text())["parameters"]
    assert params["algorithm"] == name
    for key, value in expected.items():
        assert params[key] == value, key


@pytest.mark.parametrize(("argv", "message"), [
    (["run", "--algorithm", "led", "--eta-c", "0.1"], "--eta-c 0.1 does not apply to --algorithm led"),
    (["run", "--algorithm", "k-gt", "--gamma", "0.1"], "--gamma 0.1 does not apply to --algorithm k-gt"),
    (["run", "--algorithm", "local-dsgd", "--rho", "2"], "--rho 2.0 does not apply"),
    (["run", "--algorithm", "exact-admm", "--tau", "2"], "--tau 2 does not apply"),
    (["run", "--algorithm", "led", "--no-reset"], "--no-reset does not apply"),
    (["run", "--algorithm", "k-gt", "--alpha", "0.3"], "--alpha 0.3 does not apply"),
    (["bounds", "--algorithm", "local-dsgd", "--beta", "0.1"], "--beta 0.1 does not apply"),
    (["certify", "--algorithm", "local-dsgd", "--beta-ratio", "2"], "--beta-ratio 2.0 does not apply"),
    (["certify", "--algorithm", "k-gt", "--gamma", "0.1"], "--gamma 0.1 does not apply"),
    (["certify", "--algorithm", "exact-admm", "--tau", "2"], "--tau 2 does not apply"),
    (["worst-case", "--algorithm", "k-gt", "--beta", "0.2"], "--beta 0.2 does not apply"),
    (["run", "--algorithm", "k-gt", "--eta-c", "0"], "--eta-c: must be a finite number > 0"),
])
def test_flags_that_do_not_apply_are_refused(argv: list[str], message: str, capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize("name", ["led", "k-gt", "local-dsgd"])
def test_bounds_gives_the_baselines_an_exact_critical_step(name: str, capsys) -> None:
    step = "--eta-c" if name == "k-gt" else "--gamma"
    assert main(["bounds", "--algorithm", name, "--problem", "quadratic", "--agents", "5"]) == 0
    out = capsys.readouterr().out
    assert f"no theorem card covers {name}" in out
    line = out.split("exact critical step of this instance: ")[1]
    critical = float(line.split("=")[1].split()[0].rstrip(";"))
    # just below converges, just above is refused, each with the exact evidence named
    assert main(["bounds", "--algorithm", name, "--problem", "quadratic", "--agents", "5",
                 step, f"{0.97 * critical:.6g}"]) == 0
    assert "admissible: converges according to exact analysis" in capsys.readouterr().out
    assert main(["bounds", "--algorithm", name, "--problem", "quadratic", "--agents", "5",
                 step, f"{1.03 * critical:.6g}"]) == 1
    assert "verdict: NOT ADMISSIBLE" in capsys.readouterr().out


def test_bounds_never_contradicts_itself(capsys) -> None:
    """A step above the cards' calibrated bound but below the exact critical step: the verdict says
    which evidence decides and how it stands to the cards' bound (issue: 'largest admissible gamma:
    0.00508' followed by 'gamma = 0.1 is admissible')."""
    argv = ["bounds", "--problem", "quadratic", "--graph", "ring", "--agents", "6", "--tau", "5",
            "--rho", "1", "--gamma", "0.1"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    cards = float(out.split("largest gamma the theorem cards admit: ")[1].split()[0])
    assert cards < 0.1
    assert "verdict: gamma = 0.1 is admissible: converges according to exact analysis" in out
    assert f"it exceeds the theorem cards' bound gamma <= {cards:.6g}" in out
    assert "does not override the exact analysis" in out


@pytest.mark.parametrize(("name", "flags"), [
    ("led", ["--gamma", "0.2", "--beta-ratio", "0.5"]),
    ("k-gt", ["--eta-c", "0.3"]),
    ("local-dsgd", ["--gamma", "0.3"]),
    ("exact-admm", []),
])
def test_certify_any_algorithm(name: str, flags: list[str], tmp_path) -> None:
    out = tmp_path / "c.json"
    assert main(["certify", "--algorithm", name, *flags, "--agents", "4",
                 *([] if name == "exact-admm" else ["--tau", "1"]), "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["algorithm"] == name
    (cert,) = data["certificates"]
    assert cert["status"] == "certified" and cert["rate"] < 1
    assert cert["quadratic_rate"] <= cert["rate"] + 1e-9
