"""Sections of the verification report, one module each.

- :mod:`.setup`, :mod:`.theory`, :mod:`.environment`: ``compute_<name>(config, ...) -> dict`` (the
  JSON numbers) and ``draw_<name>(data) -> list[Figure]`` (the pages, drawn from that dict only);
- one module per claim (:mod:`.c1`, :mod:`.summable` for C2 and O3, :mod:`.c3`, :mod:`.c4`,
  :mod:`.c5`, :mod:`.o1`, :mod:`.worst` for W, :mod:`.unreliable` for R, :mod:`.c6`), each with
  ``select`` (the instances),
  ``check`` (the toolkit's checks on them), ``figures`` (plot descriptions from the results) and ``section``
  (the three together, a :class:`~ltadmm_verify.report.claims.ClaimOutcome`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...errors import ConfigurationError, LTADMMVerifyError
from . import c1, c3, c4, c5, c6, o1, summable, unreliable, worst
from .common import HEADINGS, ClaimOutcome, Instances

#: claim id -> section(config, instances) -> ClaimOutcome
CLAIM_SECTIONS: dict[str, Callable[[dict[str, Any], Instances], ClaimOutcome]] = {
    "C1": c1.section, "C2": summable.c2, "C3": c3.section, "C4": c4.section, "C5": c5.section,
    "O1": o1.section, "O3": summable.o3, "W": worst.section, "R": unreliable.section,
    "C6": c6.section,
}


def check_configuration(config: dict[str, Any]) -> None:
    """Checks of the configuration that need the sections' own validation (before computing)."""
    c, setup = config["checks"], config["setup"]
    for name in c["problems"]:
        if name not in setup["problems"]:
            raise ConfigurationError(f"checks.problems must be a subset of setup.problems "
                                     f"{setup['problems']}, got {name!r}")
    if c["graph"] not in setup["graphs"]:
        raise ConfigurationError(f"checks.graph must be one of setup.graphs {setup['graphs']}, "
                                 f"got {c['graph']!r}")
    if len(c["tau"]) < 2 or len(c["sigma2"]) < 2 or len(c["gamma_fractions"]) < 2:
        raise ConfigurationError("checks.tau, checks.sigma2 and checks.gamma_fractions must hold at "
                                 "least two values each (slopes are fitted over them)")
    try:
        Instances.from_config(config)
    except LTADMMVerifyError as error:
        raise ConfigurationError(f"setup: {error}") from None
    u = config["unreliable"]
    if not all(p < 1 for p in [*u["losses"], *u["critical_losses"], u["check_loss"]]):
        raise ConfigurationError("unreliable.losses, unreliable.critical_losses and "
                                 "unreliable.check_loss must be probabilities below 1")
    if len(u["channel_noise"]) < 2:
        raise ConfigurationError("unreliable.channel_noise must hold at least two variances (a slope "
                                 "is fitted over them)")
    if "C6" in config["report"]["claims"]:
        c6.reproduction_config(config)


__all__ = ["CLAIM_SECTIONS", "HEADINGS", "ClaimOutcome", "Instances", "check_configuration"]
