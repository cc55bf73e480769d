"""Fuzzing the command line and the report configuration with Hypothesis.

Generated argument lists (valid and invalid values of every flag, small sizes so that valid ones
run in a second) and generated configuration files (known and unknown keys, values of every TOML
type including nan, inf, huge integers, non-UTF-8 bytes and broken TOML). Every one must end with
a documented exit status, one clear message and no traceback, well within a time bound that only
detects hangs.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import event, given
from hypothesis import strategies as st

from ltadmm_verify.cli import main
from ltadmm_verify.report.config import QUICK_KEY, default_text, load_config

#: a generous bound: the valid cases take well under a second; more means a hang
HANG_SECONDS = 60.0

NUMBERS = ["0", "-1", "nan", "inf", "-inf", "1e300", "1e-300", "abc", "", "1.5", "10**23",
           "100000000000000000000000"]
FLAG_VALUES: dict[str, list[str]] = {
    "--problem": ["least-squares", "logistic", "quadratic", "digits", "digits-binary", "nope"],
    "--graph": ["ring", "path", "star", "complete", "erdos-renyi", "tree", "torus", "barbell", "x"],
    "--agents": ["2", "3", "5", "1", "2000", "2000000", *NUMBERS],
    "--dim": ["1", "2", "3", *NUMBERS],
    "--samples": ["2", "4", "200000000", *NUMBERS],
    "--data-seed": ["0", "3", *NUMBERS],
    "--algorithm": ["lt-admm", "lt-admm-vr", "led"],
    "--tau": ["1", "2", "3", "2000000", *NUMBERS],
    "--gamma": ["0.01", "0.05", "0.3", "5", *NUMBERS],
    "--beta": ["0.01", "0.2", *NUMBERS],
    "--rho": ["0.5", "1", "1e15", *NUMBERS],
    "--batch-size": ["1", "2", "50", *NUMBERS],
    "--penalty": ["frozen", "inner", "outer"],
}
RUN_VALUES: dict[str, list[str]] = {
    "--rounds": ["1", "3", "10000000000", *NUMBERS],
    "--seed": ["0", "9", *NUMBERS],
    "--noise": ["0", "0.1", *NUMBERS],
    "--record-every": ["1", "2", *NUMBERS],
    "--check": ["raise", "warn", "off", "maybe"],
}
SWITCHES = ["--no-reset"]


def _arguments(values: dict[str, list[str]]) -> st.SearchStrategy[list[str]]:
    flags = st.lists(st.sampled_from(sorted(values)), unique=True, max_size=5)

    def with_values(chosen: list[str]) -> st.SearchStrategy[list[str]]:
        pairs = [st.tuples(st.just(flag), st.sampled_from(values[flag])) for flag in chosen]
        return st.tuples(*pairs, st.lists(st.sampled_from(SWITCHES), unique=True, max_size=1)).map(
            lambda parts: [token for pair in parts[:-1] for token in pair] + list(parts[-1]))

    return flags.flatmap(with_values)


def _call(argv: list[str]) -> tuple[int, str, str, float]:
    """``main(argv)`` with stdout and stderr captured; no exception may escape."""
    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue(), time.monotonic() - start


def _assert_clear_outcome(command: str, status: int, stdout: str, stderr: str, elapsed: float,
                          verdict_status: dict[int, str]) -> None:
    event(f"exit status {status}")
    assert elapsed < HANG_SECONDS
    assert "Traceback" not in stderr
    if status == 2:
        assert stderr.startswith(f"ltadmm-verify {command}: error: ") or stderr.startswith(
            "ltadmm-verify: error: "), stderr
        assert stderr.count("error:") == 1, stderr
    else:
        assert status == 0 or (status in verdict_status and verdict_status[status] in stdout), (
            status, stdout, stderr)
        for line in stderr.splitlines():  # warnings and progress only, spelled for the CLI
            assert "error" not in line and 'check="' not in line, line


@given(_arguments({**FLAG_VALUES, **RUN_VALUES}))
def test_fuzz_run(arguments: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "r.json"
        status, stdout, stderr, elapsed = _call(["run", "--quiet", "--out", str(out), *arguments])
        _assert_clear_outcome("run", status, stdout, stderr, elapsed, {1: "diverged"})
        assert out.exists() == (status in (0, 1))
        if out.exists():
            json.loads(out.read_text())


@given(st.sampled_from(["bounds", "constants"]),
       _arguments({k: v for k, v in FLAG_VALUES.items() if k != "--problem"}))
def test_fuzz_bounds_and_constants(command: str, arguments: list[str]) -> None:
    if command == "constants":  # no algorithm there: an algorithm flag is a parser error
        arguments = [*arguments, "--points", "2"]
    status, stdout, stderr, elapsed = _call([command, *arguments])
    _assert_clear_outcome(command, status, stdout, stderr, elapsed, {1: "NOT ADMISSIBLE"})


# ----------------------------------------------------------------------------- configurations
def _schema() -> dict[str, Any]:
    config = load_config()
    config["report"].pop("quick")
    return config


SCHEMA = _schema()
SCALARS = st.one_of(
    st.integers(min_value=-3, max_value=12),
    st.sampled_from([10**23, 2**63, 1000, 0]),
    st.sampled_from([0.05, 0.5, 0.99, 1.0, 5.0, -0.1, float("nan"), float("inf"), -float("inf"),
                     1e300, 1e-300]),
    st.booleans(),
    st.sampled_from(["ring", "path", "least-squares", "C1", "C3", "iid", "label", "random",
                     "frozen", "inner", "", "é"]),
)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), -float("inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


@st.composite
def configurations(draw: st.DrawFn) -> bytes:
    """A TOML file: a few keys of the schema (or unknown ones) set to generated values."""
    kind = draw(st.sampled_from(["toml", "toml", "toml", "broken", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=40))
    if kind == "broken":
        return draw(st.sampled_from([b"[checks\n", b"= 3\n", b"[report]\nseed = \n", b"\xff\xfe"]))
    lines = []
    tables = draw(st.lists(st.sampled_from([*sorted(SCHEMA), "nope", QUICK_KEY + ".checks"]),
                           unique=True, max_size=3))
    for table in tables:
        lines.append(f"[{table}]")
        known = sorted(SCHEMA.get(table.removeprefix(QUICK_KEY + "."), {})) or ["key"]
        for key in draw(st.lists(st.sampled_from([*known, "unknown_key"]), unique=True, max_size=3)):
            lines.append(f"{key} = {_toml_value(draw(VALUES))}")
    return ("\n".join(lines) + "\n").encode()


def _stub_report(config: dict[str, Any], out: str | Path, *, progress: bool = True) -> dict[str, Any]:
    """Stands for build_report: the configuration was accepted; nothing is computed."""
    return {"summary": [], "runtime": {"total_seconds": 0.0}}


@given(configurations(), st.sampled_from([[], ["--quick"], ["--seed", "7"], ["--seed", str(10**23)]]))
def test_fuzz_report_configuration(content: bytes, extra: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder, \
            mock.patch("ltadmm_verify.report.build_report", _stub_report):
        config = Path(folder) / "config.toml"
        config.write_bytes(content)
        argv = ["report", "--config", str(config), "--out", str(Path(folder) / "v.pdf"), "--quiet",
                *extra]
        status, stdout, stderr, elapsed = _call(argv)
    _assert_clear_outcome("report", status, stdout, stderr, elapsed, {})


def test_default_configuration_passes_the_stub() -> None:
    """The fuzzer's stub does not hide every outcome: the default configuration is accepted."""
    assert "[report]" in default_text()
    with tempfile.TemporaryDirectory() as folder, \
            mock.patch("ltadmm_verify.report.build_report", _stub_report):
        status, _, stderr, _ = _call(["report", "--quick", "--out", str(Path(folder) / "v.pdf")])
    assert status == 0, stderr
