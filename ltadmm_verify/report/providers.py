"""Claim providers: adapters from the report's configuration to the toolkit's claim checks.

``CLAIM_PROVIDERS[claim](config, instances)`` returns a :class:`~ltadmm_verify.report.claims.ClaimOutcome`.
A claim absent from the mapping is reported NOT APPLICABLE ("not implemented").
"""

from __future__ import annotations

from .claims import ClaimProvider

CLAIM_PROVIDERS: dict[str, ClaimProvider] = {}
