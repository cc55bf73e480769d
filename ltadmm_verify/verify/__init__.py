"""Verification of the paper's claims: statistics, claim checks, Hypothesis strategies.

- :mod:`.statistics`: Monte Carlo over seeds, Student-t intervals, log-log and geometric fits,
  batch-means floors.
- :mod:`.experiments`: repeated runs, burn-in, floor sweeps.
- :mod:`.measure`: exact analysis where it applies, simulation elsewhere (the one branch).
- :mod:`.verdict`: the verdict rule (PASS / FAIL / INCONCLUSIVE / NOT APPLICABLE), in one place.
- :mod:`.checks`: one function per claim of SPEC section 4, each returning a :class:`CheckResult`.
- :mod:`.strategies`: Hypothesis strategies (graphs, problems, noise levels, step sizes).
- :mod:`.suite`: :func:`run_all_checks` on a documented set of instances (for the report).
"""

from .checks import (
    check_c1_floor,
    check_c1_transient,
    check_c1_vanishing,
    check_c2_exact_convergence,
    check_c3_step_constant,
    check_c3_tau_exponent,
    check_c4_local_training,
    check_c5_connectivity,
    check_o1_linear_rate,
    check_o3_no_reset,
    critical_step,
    local_training_sweep,
)
from .experiments import MonteCarlo
from .measure import measurement
from .result import CheckResult
from .suite import SuiteConfig, run_all_checks, summarise
from .verdict import Verdict, combine, decide

__all__ = [
    "CheckResult",
    "MonteCarlo",
    "SuiteConfig",
    "Verdict",
    "check_c1_floor",
    "check_c1_transient",
    "check_c1_vanishing",
    "check_c2_exact_convergence",
    "check_c3_step_constant",
    "check_c3_tau_exponent",
    "check_c4_local_training",
    "check_c5_connectivity",
    "check_o1_linear_rate",
    "check_o3_no_reset",
    "combine",
    "critical_step",
    "decide",
    "local_training_sweep",
    "measurement",
    "run_all_checks",
    "summarise",
]
