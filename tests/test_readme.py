"""The README's examples run as written."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _block(marker: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"<!-- {marker}: start -->\n```python\n(.*?)```\n<!-- {marker}: end -->", text,
                      re.S)
    assert match is not None, f"README has no {marker} block"
    return match.group(1)


def test_your_own_algorithm_example_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "your_own_algorithm.py"
    script.write_text(_block("your-own-algorithm"), encoding="utf-8")
    runpy.run_path(str(script), run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    assert 0 < float(lines[0]) < 1 and 0 < float(lines[1]) < 1  # exact and certified rates
    assert float(lines[1]) >= float(lines[0])  # the certificate covers this instance
    assert "is not admissible for gradient-tracking" in lines[2]
    assert lines[-1].startswith("PASS")
