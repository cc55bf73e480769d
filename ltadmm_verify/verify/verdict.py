r"""The verdict rule of SPEC section 4, in one place.

Every check of the toolkit (a claim's sub-check, a claim, C6, the report's summary, its JSON and
the theorem suite's statistics) gets its verdict from :func:`decide` or, for a claim made of several
checks, from :func:`combine`.

A check measures a value ``m`` and holds it to a bound ``b`` with a relation (``"<="``, ``"<"``,
``">="``, ``">"``: the claim says *true value* ``relation`` ``b``). Two kinds of uncertainty enter:

- a confidence interval ``[lo, hi]`` of a measurement made from random runs (seeds): by default
  ``[m - h, m + h]`` with the half-width ``h`` (a bootstrap interval may be asymmetric); the true
  value lies in it at the stated confidence (``lo = hi = m`` for an exact computation);
- ``margin`` ``e``: values within ``e`` of the bound count as equal to it, so the bound becomes the
  band ``[b - e, b + e]``. It is the accuracy of a deterministic computation (an eigenvalue, a
  bisection, a truncated limit), or the declared equivalence margin of a statistical test of a
  claim that holds *with equality* (an exponent exactly 1 cannot be shown ``>= 1`` by any finite
  interval around it; it can be shown not to fall short by more than the margin).

For a claim ``<= b`` (``>=`` is the mirror image):

==============  ==============================  ==============================
relation        PASS (claim's side)             FAIL (the other side)
==============  ==============================  ==============================
``<=``          ``hi <= b + e``                 ``lo > b + e``
``<``           ``hi < b - e``                  ``lo > b + e``
==============  ==============================  ==============================

and INCONCLUSIVE otherwise: the interval straddles the bound, or (strict relations) the measurement
ties with it; a tie does not support "smaller than". A measurement that is not a number (no
evidence) is INCONCLUSIVE. Two more rules:

- **resolution**: a check may state the smallest effect it must detect (e.g. an exponent off by
  ``1/2``). When its margin ``e`` is coarser than that, the check could not have failed on an
  effect of that size and the verdict is INCONCLUSIVE, whatever the numbers.
- a check may report a **contradiction**: an observation that refutes the claim outright (a run
  diverged inside the claim's hypotheses, a disconnected network); the verdict is FAIL;
- a check may report that its evidence is **not robust** (``undecided``: e.g. a comparison whose
  verdict changes when the tuning budget is doubled); the verdict is then INCONCLUSIVE, whatever
  the interval says.

``NOT APPLICABLE`` is for checks whose hypotheses do not hold for the instance.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from enum import StrEnum

RELATIONS = ("<=", ">=", "<", ">")


class Verdict(StrEnum):
    """The four verdicts of SPEC section 4."""

    PASS = "PASS"
    FAIL = "FAIL"
    INCONCLUSIVE = "INCONCLUSIVE"
    NOT_APPLICABLE = "NOT APPLICABLE"


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def decide(
    measured: float,
    bound: float,
    relation: str,
    *,
    half_width: float = 0.0,
    interval: tuple[float, float] | None = None,
    margin: float = 0.0,
    resolution: float | None = None,
    contradiction: str = "",
    undecided: str = "",
) -> tuple[Verdict, str]:
    """The verdict of one check and why (module docstring).

    Parameters
    ----------
    measured, bound : float
    relation : {"<=", ">=", "<", ">"}
        What the claim says about the true value versus ``bound``.
    half_width : float
        Confidence half-width of ``measured`` (0 for an exact computation; ``inf`` when unknown).
    interval : (float, float), optional
        An explicit confidence interval ``(lo, hi)`` (e.g. a bootstrap percentile interval); it
        replaces ``measured +- half_width``.
    margin : float
        Values within ``margin`` of ``bound`` count as equal to it (numerical accuracy or equivalence
        margin; the bound becomes ``[bound - margin, bound + margin]``).
    resolution : float, optional
        Smallest effect the check must detect; a ``margin`` coarser than it gives INCONCLUSIVE.
    contradiction : str
        Non-empty when an observation refutes the claim outright (FAIL, with this as the reason).
    undecided : str
        Non-empty when the evidence is not robust (INCONCLUSIVE, with this as the reason).

    Returns
    -------
    (Verdict, str)
        The verdict and a one-line explanation naming the interval and the bound.
    """
    if relation not in RELATIONS:
        raise ValueError(f"relation must be one of {RELATIONS}, got {relation!r}")
    if contradiction:
        return Verdict.FAIL, contradiction
    if undecided:
        return Verdict.INCONCLUSIVE, undecided
    if half_width < 0 or margin < 0 or math.isnan(half_width) or math.isnan(margin):
        raise ValueError(f"half_width and margin must be >= 0, got {half_width!r}, {margin!r}")
    low, high = (measured - half_width, measured + half_width) if interval is None else interval
    if math.isnan(measured) or math.isnan(bound) or math.isnan(low) or math.isnan(high):
        return Verdict.INCONCLUSIVE, "no measurement (not a number)"
    if resolution is not None and margin > resolution:
        return Verdict.INCONCLUSIVE, (f"margin {_fmt(margin)} is coarser than the effect "
                                      f"{_fmt(resolution)} the check must detect: it could not fail")
    # mirror ">=" / ">" onto "<=" / "<"
    sign = 1.0 if relation in ("<=", "<") else -1.0
    b = sign * bound
    lo, hi = sorted((sign * low, sign * high))
    strict = relation in ("<", ">")
    shown = f"[{_fmt(low)}, {_fmt(high)}]" if high > low else _fmt(measured)
    band = f"{_fmt(bound)} +- {_fmt(margin)}" if margin > 0 else _fmt(bound)
    if (hi < b - margin) if strict else (hi <= b + margin):
        return Verdict.PASS, f"{shown} lies on the claim's side of {band} ({relation})"
    if lo > b + margin:
        return Verdict.FAIL, f"{shown} lies on the wrong side of {band} (claim: {relation})"
    if strict and lo >= b - margin and hi <= b + margin:
        return Verdict.INCONCLUSIVE, f"{shown} ties with {band}: no significant difference"
    return Verdict.INCONCLUSIVE, f"{shown} straddles {band}: the evidence cannot decide"


def combine(verdicts: Iterable[Verdict | str]) -> Verdict:
    """The verdict of a claim from its checks.

    FAIL if any check fails (the claim is universal over the instances checked); otherwise
    INCONCLUSIVE if any applicable check is undecided; PASS if every applicable check passes;
    NOT APPLICABLE if none applies.
    """
    found = {Verdict(v) for v in verdicts}
    for verdict in (Verdict.FAIL, Verdict.INCONCLUSIVE, Verdict.PASS):
        if verdict in found:
            return verdict
    return Verdict.NOT_APPLICABLE


__all__ = ["RELATIONS", "Verdict", "combine", "decide"]
