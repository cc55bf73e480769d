"""Theory layer: exact analysis of quadratics, theorem cards, admissible step sizes, calibration.

- :mod:`.exact`: the exact affine round map of LT-ADMM on quadratics: :func:`spectral_radius`,
  :func:`critical_step_size`, :func:`stationary_covariance`, :func:`noise_floor`,
  :func:`expected_metrics`.
- :mod:`.cards`: the paper's claims as theorem cards (sympy conditions, constants with
  provenance) and their registry (:func:`register`, :func:`get_card`, :func:`registered_cards`).
- :mod:`.admissibility`: :func:`admissible_step_size`, :func:`check_step_size`.
- :mod:`.calibrate`: :func:`calibrate` an unknown constant on instances, with evidence.
- :mod:`.certify`, :mod:`.certify_region`: certified linear rates for every mu-strongly convex,
  L-smooth cost (Lyapunov LMI, SPEC 6): :func:`certified_rate`, :func:`certified_region`.
"""

from .admissibility import (
    AdmissibilityReport,
    AdmissibilityWarning,
    StepSizeVerdict,
    admissible_step_size,
    assess_step_size,
    check_step_size,
)
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
from .certify import CertificateTooLargeError, CertifiedRate, certified_rate, lifted_system
from .certify_region import CertifiedRegion, certified_region
from .exact import (
    LinearModel,
    Parameters,
    critical_step_size,
    expected_metrics,
    linear_model,
    noise_floor,
    spectral_radius,
    stationary_covariance,
)

__all__ = [
    "SYMBOLS",
    "AdmissibilityReport",
    "AdmissibilityWarning",
    "Calibration",
    "CalibrationCase",
    "CertificateTooLargeError",
    "CertifiedRate",
    "CertifiedRegion",
    "Condition",
    "Constant",
    "Hypothesis",
    "Instance",
    "LinearModel",
    "Parameters",
    "StepSizeVerdict",
    "TheoremCard",
    "admissible_step_size",
    "assess_step_size",
    "calibrate",
    "certified_rate",
    "certified_region",
    "check_step_size",
    "critical_step_size",
    "expected_metrics",
    "get_card",
    "lifted_system",
    "linear_model",
    "noise_floor",
    "register",
    "registered_cards",
    "spectral_radius",
    "stationary_covariance",
    "unregister",
]
