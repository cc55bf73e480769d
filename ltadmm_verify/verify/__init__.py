"""Verification of the paper's claims: statistics, claim checks, Hypothesis strategies."""

from .result import CheckResult

__all__ = ["CheckResult"]
