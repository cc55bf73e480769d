"""The contract of every check: a measured value held against a bound, with its uncertainty."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .verdict import RELATIONS, Verdict, combine, decide


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one check (PEPit-style: computed value versus theoretical bound).

    The verdict is not stored: it follows from the numbers by the one rule of
    :func:`~ltadmm_verify.verify.verdict.decide`, so every consumer (report, JSON, theorem suite)
    sees the same verdict.

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
    relation : {"<=", ">=", "<", ">"}
        What the claim says about the true value versus ``bound``.
    half_width : float
        Confidence half-width of ``measured`` from random runs (0 for an exact computation).
    bounds : (float, float) or None
        An explicit (possibly asymmetric) confidence interval, e.g. a bootstrap percentile interval;
        it replaces ``measured +- half_width``.
    margin : float
        Values within it of ``bound`` count as equal to it: the accuracy of an exact computation, or
        the equivalence margin of a statistical test of a claim that holds with equality.
    resolution : float or None
        Smallest effect the check must detect (a coarser ``margin`` makes it INCONCLUSIVE).
    evidence : dict
        Seeds, sample sizes, confidence intervals, instances: enough to reproduce the verdict.
    reason : str
        A note on the result (why it does not apply, what it found).
    applicable : bool
        ``False`` when the claim's hypotheses do not hold for the instance (NOT APPLICABLE).
    contradiction : str
        Non-empty when an observation refutes the claim outright (FAIL), e.g. a diverged run.
    undecided : str
        Non-empty when the evidence is not robust (INCONCLUSIVE), e.g. a verdict that changes with
        the tuning budget.
    conditions : tuple of CheckResult
        Checks the claim also needs (e.g. a linear rate needs ``M_k -> 0``); the verdict combines
        them with this check's own (:func:`~ltadmm_verify.verify.verdict.combine`).
    """

    claim: str
    statement: str
    measured: float
    bound: float
    relation: str
    half_width: float = 0.0
    bounds: tuple[float, float] | None = None
    margin: float = 0.0
    resolution: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    applicable: bool = True
    contradiction: str = ""
    undecided: str = ""
    conditions: tuple[CheckResult, ...] = ()

    def __post_init__(self) -> None:
        if self.relation not in RELATIONS:
            raise ValueError(f"relation must be one of {RELATIONS}, got {self.relation!r}")
        for name in ("measured", "bound", "half_width", "margin"):
            object.__setattr__(self, name, float(getattr(self, name)))

    @classmethod
    def not_applicable(cls, claim: str, statement: str, reason: str) -> CheckResult:
        """A check whose hypotheses do not hold for the given instance."""
        nan = float("nan")
        return cls(claim, statement, nan, nan, "<=", reason=reason, applicable=False)

    @classmethod
    def contradicted(cls, claim: str, statement: str, bound: float, relation: str, reason: str,
                     evidence: dict[str, Any] | None = None) -> CheckResult:
        """A check whose measurement could not be made because the claim was refuted outright
        (e.g. a run diverged inside the claim's hypotheses): FAIL, measured NaN."""
        return cls(claim, statement, float("nan"), bound, relation, evidence=dict(evidence or {}),
                   reason=reason, contradiction=reason)

    def _decision(self) -> tuple[Verdict, str]:
        if not self.applicable:
            return Verdict.NOT_APPLICABLE, self.reason or "the claim's hypotheses do not hold"
        own = decide(self.measured, self.bound, self.relation, interval=self.interval,
                     margin=self.margin, resolution=self.resolution,
                     contradiction=self.contradiction, undecided=self.undecided)
        verdict = combine([own[0], *(c.verdict for c in self.conditions)])
        if verdict == own[0]:
            return own
        (binding,) = [c for c in self.conditions if c.verdict == verdict][:1]
        return verdict, f"{own[1]}; but {binding.claim}: {binding.verdict} ({binding.explanation})"

    @property
    def verdict(self) -> Verdict:
        """PASS, FAIL, INCONCLUSIVE or NOT APPLICABLE (:func:`~ltadmm_verify.verify.verdict.decide`)."""
        return self._decision()[0]

    @property
    def explanation(self) -> str:
        """Why the verdict is what it is (interval versus bound), in one line."""
        return self._decision()[1]

    @property
    def interval(self) -> tuple[float, float]:
        """The confidence interval: ``bounds`` if given, else ``measured +- half_width``."""
        if self.bounds is not None:
            return float(self.bounds[0]), float(self.bounds[1])
        return self.measured - self.half_width, self.measured + self.half_width

    @property
    def tolerance(self) -> float:
        """The larger of the interval's half-width and the margin (the number the summary prints)."""
        low, high = self.interval
        return max(0.5 * (high - low), self.margin)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view (with the verdict and its explanation)."""
        low, high = self.interval
        return {
            "claim": self.claim,
            "statement": self.statement,
            "measured": self.measured,
            "bound": self.bound,
            "relation": self.relation,
            "half_width": self.half_width,
            "interval": [low, high],
            "margin": self.margin,
            "resolution": self.resolution,
            "tolerance": self.tolerance,
            "verdict": str(self.verdict),
            "explanation": self.explanation,
            "evidence": self.evidence,
            "reason": self.reason,
            **({"conditions": [c.to_dict() for c in self.conditions]} if self.conditions else {}),
        }

    def line(self) -> str:
        """``claim: VERDICT measured m relation bound (explanation)`` for logs and test messages."""
        value = "n/a" if math.isnan(self.measured) else f"{self.measured:.4g}"
        return (f"{self.claim}: {self.verdict} measured {value} {self.relation} {self.bound:.4g} "
                f"({self.explanation})")
