"""Shared fixtures of the theorem properties and an end-of-run summary of what they found.

Every property records each generated example's :class:`~ltadmm_verify.verify.CheckResult` with
``record(result)``; the terminal summary prints, per check, the number of examples per verdict
(PASS, FAIL, INCONCLUSIVE, NOT APPLICABLE: the rule of :mod:`ltadmm_verify.verify.verdict`; a
property fails only on FAIL, an undecided example is INCONCLUSIVE and counted here), the range of
the measured values, the bound and the worst example, then every pinned finding (strict ``xfail``)
that failed as expected, with its reason and the counterexample Hypothesis reported (the explicit
``@example`` of a finding is its minimal counterexample; the Hypothesis profiles ``ci`` /
``thorough`` are registered in the repository's root ``conftest.py``). Under ``pytest -n N``
(pytest-xdist) every worker sends what its properties found to the controller, which prints one
summary.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import currently_in_test_context, event

from ltadmm_verify.verify import CheckResult, Verdict


@dataclass(frozen=True)
class Finding:
    """What the summary needs of one example's :class:`CheckResult` (plain values: it travels from
    pytest-xdist workers to the controller)."""

    measured: float
    bound: float
    relation: str
    verdict: str
    conservativeness: float | None
    instance: Any

    @classmethod
    def of(cls, result: CheckResult) -> Finding:
        conservative = result.evidence.get("conservativeness")
        return cls(float(result.measured), float(result.bound), result.relation, str(result.verdict),
                   None if conservative is None else float(conservative),
                   result.evidence.get("instance"))


FINDINGS: dict[str, list[Finding]] = defaultdict(list)
#: node ids of the strict expected failures (pinned findings): their examples are summarised apart
PINNED: set[str] = set()
#: per pinned finding that failed as expected: its reason and the counterexample Hypothesis reported
COUNTEREXAMPLES: dict[str, tuple[str, list[str]]] = {}
#: lines of a counterexample kept in the summary (the example, its ``note`` lines, the assertion)
COUNTEREXAMPLE_LINES = 12


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Remember which properties are pinned findings (strict ``xfail``)."""
    PINNED.update(item.nodeid for item in items if item.get_closest_marker("xfail"))


def _counterexample(text: str) -> list[str]:
    """The failing example Hypothesis reported, from a failure report: the assertion, the example's
    first line and the property's ``note`` lines (the measured numbers and the instance); the
    example's arguments in full when there are no notes."""
    lines = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    start = next((i for i, line in enumerate(lines) if line.startswith(("Falsifying", "Failing"))),
                 None)
    if start is None:
        kept = lines[:1]
    else:
        end = next((i for i in range(start, len(lines)) if lines[i] == ")"), len(lines) - 1)
        notes = [line for line in lines[end + 1:] if line and not line.startswith(
            ("Explanation", "These lines", "/", "You can reproduce", "Highest target"))]
        kept = [lines[0], lines[start]] + (notes or lines[start + 1:end + 1])
    return [line if len(line) <= 200 else line[:197] + "..." for line in kept[:COUNTEREXAMPLE_LINES]]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Keep the counterexample of every pinned finding that failed as expected (``xfailed``); with
    pytest-xdist this runs on the controller, which receives every worker's reports."""
    if report.when == "call" and report.skipped and hasattr(report, "wasxfail"):
        COUNTEREXAMPLES[report.nodeid] = (str(report.wasxfail),
                                          _counterexample(report.longreprtext))


def _key(claim: str) -> str:
    current = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]
    return f"{claim} [pinned finding: {current.split('::')[-1]}]" if current in PINNED else claim


@pytest.fixture(scope="session")
def record() -> Callable[[CheckResult], None]:
    """Store a result for the summary and label the Hypothesis example with its verdict."""

    def _record(result: CheckResult) -> None:
        FINDINGS[_key(result.claim)].append(Finding.of(result))
        if currently_in_test_context():  # a property without @given has no Hypothesis events
            event(f"{result.claim}: {result.verdict}")

    return _record


def _summary(claim: str, results: list[Finding]) -> str:
    measured = np.array([r.measured for r in results], dtype=float)
    finite = measured[np.isfinite(measured)]
    counts = ", ".join(f"{n} {str(v).lower()}" for v in Verdict
                       if (n := sum(r.verdict == str(v) for r in results)))
    line = f"{claim}: {len(results)} examples ({counts})"
    if finite.size:
        rel = results[0].relation
        line += f"; measured in [{finite.min():.4g}, {finite.max():.4g}] {rel} bound {results[0].bound:.4g}"
    extra: dict[str, Any] = {}
    conservative = [r.conservativeness for r in results if r.conservativeness is not None]
    if conservative:
        worst = min(results, key=lambda r: r.measured)
        extra["largest constant consistent with every instance"] = f"{worst.measured:.4g}"
        extra["conservativeness (c_i / c)"] = f"[{min(conservative):.3g}, {max(conservative):.3g}]"
        extra["binding instance"] = worst.instance
    return line + "".join(f"\n    {k}: {v}" for k, v in extra.items())


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On a pytest-xdist worker: hand the findings to the controller."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["theorem_findings"] = json.dumps(
            {claim: [asdict(f) for f in found] for claim, found in FINDINGS.items()}, default=float)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """On the pytest-xdist controller: collect a worker's findings."""
    found = json.loads(getattr(node, "workeroutput", {}).get("theorem_findings", "{}"))
    for claim, findings in found.items():
        FINDINGS[claim].extend(Finding(**f) for f in findings)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print what the theorem properties found, then every pinned finding with its counterexample."""
    if FINDINGS:
        terminalreporter.section("theorem checks: what the properties found")
        for claim in sorted(FINDINGS):
            terminalreporter.write_line(_summary(claim, FINDINGS[claim]))
    if COUNTEREXAMPLES:
        terminalreporter.section("pinned findings (strict expected failures) and their counterexamples")
        for nodeid in sorted(COUNTEREXAMPLES):
            reason, lines = COUNTEREXAMPLES[nodeid]
            terminalreporter.write_line(f"{nodeid.split('::')[-1]}: {reason}")
            for line in lines:
                terminalreporter.write_line(f"    {line}")
