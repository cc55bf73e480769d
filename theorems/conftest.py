"""Shared fixtures of the theorem properties and an end-of-run summary of what they found.

Every property records each generated example's :class:`~ltadmm_verify.verify.CheckResult` with
``record(result)``; the terminal summary prints, per check, the number of examples per verdict
(PASS, FAIL, INCONCLUSIVE, NOT APPLICABLE: the rule of :mod:`ltadmm_verify.verify.verdict`; a
property fails only on FAIL, an undecided example is INCONCLUSIVE and counted here), the range of
the measured values, the bound and the worst example (the Hypothesis profiles ``ci`` / ``thorough`` are
registered in the repository's root ``conftest.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import event

from ltadmm_verify.verify import CheckResult, Verdict

FINDINGS: dict[str, list[CheckResult]] = defaultdict(list)


@pytest.fixture(scope="session")
def record() -> Callable[[CheckResult], None]:
    """Store a result for the summary and label the Hypothesis example with its verdict."""

    def _record(result: CheckResult) -> None:
        FINDINGS[result.claim].append(result)
        event(f"{result.claim}: {result.verdict}")

    return _record


def _summary(claim: str, results: list[CheckResult]) -> str:
    measured = np.array([r.measured for r in results], dtype=float)
    finite = measured[np.isfinite(measured)]
    counts = ", ".join(f"{n} {str(v).lower()}" for v in Verdict
                       if (n := sum(r.verdict == v for r in results)))
    line = f"{claim}: {len(results)} examples ({counts})"
    if finite.size:
        rel = results[0].relation
        line += f"; measured in [{finite.min():.4g}, {finite.max():.4g}] {rel} bound {results[0].bound:.4g}"
    extra: dict[str, Any] = {}
    conservative = [r.evidence.get("conservativeness") for r in results]
    conservative = [c for c in conservative if c is not None]
    if conservative:
        worst = min(results, key=lambda r: r.measured)
        extra["largest constant consistent with every instance"] = f"{worst.measured:.4g}"
        extra["conservativeness (c_i / c)"] = f"[{min(conservative):.3g}, {max(conservative):.3g}]"
        extra["binding instance"] = worst.evidence.get("instance")
    return line + "".join(f"\n    {k}: {v}" for k, v in extra.items())


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print what the theorem properties found."""
    if not FINDINGS:
        return
    terminalreporter.section("theorem checks: what the properties found")
    for claim in sorted(FINDINGS):
        terminalreporter.write_line(_summary(claim, FINDINGS[claim]))
