"""The contract of every claim check: a measured value held against a bound with a tolerance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RELATIONS = ("<=", ">=", "<", ">")


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one claim check (PEPit-style: computed value versus theoretical bound).

    Attributes
    ----------
    claim : str
        Claim id of SPEC section 4 (``"C1"``, ..., ``"O3"``), optionally with a sub-id (``"C1.sigma2"``).
    statement : str
        What was checked, in one sentence.
    measured : float
        The measured value (e.g. a fitted slope, a floor, a ratio).
    bound : float
        The value it is held to.
    tolerance : float
        Allowed slack, derived from the statistics (e.g. a confidence half-width).
    relation : {"<=", ">=", "<", ">"}
        ``"<="``: ``passed`` iff ``measured <= bound + tolerance`` (not significantly above);
        ``">="``: iff ``measured >= bound - tolerance``. The strict relations ask for a significant
        difference: ``"<"`` iff ``measured + tolerance < bound``, ``">"`` iff
        ``measured - tolerance > bound``.
    passed : bool or None
        ``None`` when the check does not apply (see ``reason``).
    evidence : dict
        Seeds, sample sizes, confidence intervals, instances: enough to reproduce the verdict.
    reason : str
        Why the check does not apply, or a note on the verdict.
    """

    claim: str
    statement: str
    measured: float
    bound: float
    tolerance: float
    relation: str
    passed: bool | None
    evidence: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    @classmethod
    def compare(
        cls,
        claim: str,
        statement: str,
        measured: float,
        bound: float,
        tolerance: float,
        relation: str = "<=",
        evidence: dict[str, Any] | None = None,
        reason: str = "",
    ) -> CheckResult:
        """Build a result whose ``passed`` is computed from ``measured``, ``bound``, ``tolerance``."""
        if relation not in RELATIONS:
            raise ValueError(f"relation must be one of {RELATIONS}, got {relation!r}")
        if relation == "<=":
            passed = bool(measured <= bound + tolerance)
        elif relation == ">=":
            passed = bool(measured >= bound - tolerance)
        elif relation == "<":
            passed = bool(measured + tolerance < bound)
        else:
            passed = bool(measured - tolerance > bound)
        return cls(claim, statement, float(measured), float(bound), float(tolerance), relation,
                   passed, dict(evidence or {}), reason)

    @classmethod
    def not_applicable(cls, claim: str, statement: str, reason: str) -> CheckResult:
        """A check whose hypotheses do not hold for the given instance."""
        nan = float("nan")
        return cls(claim, statement, nan, nan, nan, "<=", None, {}, reason)

    @property
    def verdict(self) -> str:
        """``"PASS"``, ``"FAIL"`` or ``"NOT APPLICABLE"``."""
        if self.passed is None:
            return "NOT APPLICABLE"
        return "PASS" if self.passed else "FAIL"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "claim": self.claim,
            "statement": self.statement,
            "measured": self.measured,
            "bound": self.bound,
            "tolerance": self.tolerance,
            "relation": self.relation,
            "passed": self.passed,
            "verdict": self.verdict,
            "evidence": self.evidence,
            "reason": self.reason,
        }
