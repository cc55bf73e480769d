"""Theory layer: every analysis derived from an algorithm's own round, theorem cards, step sizes.

- :mod:`.trace`: :func:`round_map` runs ``initialize`` and one ``step`` of any algorithm on symbols
  and returns its linear description, reduced to what is reachable and observable (SPEC 7).
- :mod:`.exact`: the exact affine round map of any algorithm on a quadratic, traced the same way:
  :func:`spectral_radius`, :func:`critical_step_size`, :func:`stationary_covariance`,
  :func:`noise_floor`, :func:`expected_metrics`.
- :mod:`.cards`: the paper's claims as theorem cards (sympy conditions, constants with
  provenance) and their registry (:func:`register`, :func:`get_card`, :func:`registered_cards`).
- :mod:`.admissibility`: :func:`admissible_step_size` (what the cards admit, beside the exact step).
- :mod:`.prerun`: the pre-run check of every run: :func:`assess_step_size`, :func:`check_step_size`.
- :mod:`.linearize`: linearisation and the matrix-free (Arnoldi) estimate at any size.
- :mod:`.calibrate`: :func:`calibrate` an unknown constant on instances, with evidence.
- :mod:`.certify`, :mod:`.certify_region`: certified linear rates for every mu-strongly convex,
  L-smooth cost (Lyapunov LMI, SPEC 6): :func:`certified_rate`, :func:`certified_region`.
- :mod:`.comparison`: the theory side of C6, critical steps and certified rates of several
  algorithms against ``tau``: :func:`compare_algorithms`.
- :mod:`.unreliable`: exact mean-square analysis under i.i.d. message loss (SPEC 8):
  :func:`mean_square_radius`, :func:`mean_square_critical_step`, :func:`loss_limit` (where the
  iterates settle), :func:`channel_noise_floor`.
- :mod:`.pep`, :mod:`.worst_case`: the worst case after K rounds over a whole function class
  (performance estimation, SPEC 10): :func:`worst_case` (the function shadows its module's name
  on this package: import the module's other names with ``from ltadmm_verify.theory.worst_case
  import ...``).
"""

from .admissibility import AdmissibilityReport, admissible_step_size
from .calibrate import Calibration, CalibrationCase, calibrate
from .cards import (
    SYMBOLS,
    Condition,
    Constant,
    Hypothesis,
    Instance,
    TheoremCard,
    get_card,
    register,
    registered_cards,
    unregister,
)
from .certify import CertificateTooLargeError, CertifiedRate, certified_rate
from .certify_region import CertifiedRegion, certified_region
from .comparison import ComparisonCell, compare_algorithms, comparison_table
from .exact import (
    AffineMap,
    affine_map,
    critical_step_size,
    expected_metrics,
    noise_floor,
    spectral_radius,
    stationary_covariance,
)
from .prerun import (
    AdmissibilityWarning,
    Evidence,
    StepSizeVerdict,
    apply_check,
    assess_step_size,
    check_step_size,
)
from .trace import NonlinearRoundError, RoundMap, round_map
from .unreliable import (
    LossModel,
    channel_noise_floor,
    loss_limit,
    loss_model,
    mean_square_critical_step,
    mean_square_radius,
)
from .worst_case import WorstCase, WorstCaseTooLargeError, worst_case

__all__ = [
    "SYMBOLS",
    "AdmissibilityReport",
    "AdmissibilityWarning",
    "AffineMap",
    "Calibration",
    "CalibrationCase",
    "CertificateTooLargeError",
    "CertifiedRate",
    "CertifiedRegion",
    "ComparisonCell",
    "Condition",
    "Constant",
    "Evidence",
    "Hypothesis",
    "Instance",
    "LossModel",
    "NonlinearRoundError",
    "RoundMap",
    "StepSizeVerdict",
    "TheoremCard",
    "WorstCase",
    "WorstCaseTooLargeError",
    "admissible_step_size",
    "affine_map",
    "apply_check",
    "assess_step_size",
    "calibrate",
    "certified_rate",
    "certified_region",
    "channel_noise_floor",
    "check_step_size",
    "compare_algorithms",
    "comparison_table",
    "critical_step_size",
    "expected_metrics",
    "get_card",
    "loss_limit",
    "loss_model",
    "mean_square_critical_step",
    "mean_square_radius",
    "noise_floor",
    "register",
    "registered_cards",
    "round_map",
    "spectral_radius",
    "stationary_covariance",
    "unregister",
    "worst_case",
]
